//! Classification at every boundary, grouping, plot data and CSV.

use super::*;
use crate::model::{ActDeliveryMethod, ApprovalState, DeliveryMethod, RecordState};

/// 2026-11-26T12:00:00Z.
const NOW: Timestamp = Timestamp(1_795_694_400);
const HOUR: i64 = DEFAULT_DELAYED_AFTER_SECS;

fn mailbox(id: &str) -> Mailbox {
    Mailbox {
        id: id.into(),
        etag: None,
        name: format!("Name {id}"),
        email: None,
        profile: Some("p".into()),
        regarding: Some(format!("owner-{id}")),
        kind: MailboxKind::User,
        state: RecordState::Active,
        incoming: Some(DeliveryMethod::ServerSideSync),
        outgoing: Some(DeliveryMethod::ServerSideSync),
        act: Some(ActDeliveryMethod::ServerSideSync),
        incoming_status: Some(TestStatus::Success),
        outgoing_status: Some(TestStatus::Success),
        act_status: Some(TestStatus::Success),
        mailbox_status: Some(TestStatus::Success),
        approval: ApprovalState::Approved,
        approved_by_o365_admin: None,
        enabled_incoming: true,
        enabled_outgoing: true,
        enabled_act: true,
        test_scheduled: false,
        test_completed_on: Some(Timestamp(NOW.0 - 10 * 86_400)),
        org_marked_primary: false,
        postpone_test_until: None,
        process_email_received_after: None,
    }
}

fn synced(ago: i64) -> Monitoring {
    Monitoring { mailbox_id: "m".into(), last_success: Some(Timestamp(NOW.0 - ago)), ..Monitoring::default() }
}

fn state(m: &Mailbox, mon: &Monitoring) -> Option<HealthState> {
    classify(m, mon, NOW, HOUR)
}

#[test]
fn a_mailbox_is_delayed_only_when_its_last_success_is_older_than_the_threshold() {
    let m = mailbox("m");
    assert_eq!(state(&m, &synced(0)), Some(HealthState::Normal));
    assert_eq!(state(&m, &synced(HOUR)), Some(HealthState::Normal));
    assert_eq!(state(&m, &synced(HOUR + 1)), Some(HealthState::Delayed));
    // The admin's threshold moves the boundary.
    assert_eq!(classify(&m, &synced(HOUR + 1), NOW, 2 * HOUR), Some(HealthState::Normal));
    assert_eq!(classify(&m, &synced(2 * HOUR + 1), NOW, 2 * HOUR), Some(HealthState::Delayed));
}

#[test]
fn a_mailbox_that_passed_its_test_but_never_synchronised_is_measured_from_the_test() {
    let mut m = mailbox("m");
    m.test_completed_on = Some(Timestamp(NOW.0 - HOUR));
    assert_eq!(state(&m, &Monitoring::default()), Some(HealthState::Normal));
    m.test_completed_on = Some(Timestamp(NOW.0 - HOUR - 1));
    assert_eq!(state(&m, &Monitoring::default()), Some(HealthState::Delayed));
    m.test_completed_on = None;
    assert_eq!(state(&m, &Monitoring::default()), Some(HealthState::Delayed));
}

#[test]
fn mailboxes_that_never_went_live_or_are_out_of_scope_are_not_classified() {
    let mut never = mailbox("m");
    never.mailbox_status = Some(TestStatus::NotRun);
    assert_eq!(state(&never, &Monitoring::default()), None);
    // ...but one that synchronised once counts, whatever its test status says now.
    assert_eq!(state(&never, &synced(60)), Some(HealthState::Normal));
    let mut inactive = mailbox("m");
    inactive.state = RecordState::Inactive;
    assert_eq!(state(&inactive, &synced(60)), None);
    let mut forward = mailbox("m");
    forward.kind = MailboxKind::Forward;
    assert_eq!(state(&forward, &synced(60)), None);
}

#[test]
fn postponement_beyond_fifteen_minutes_is_backing_off() {
    let m = mailbox("m");
    let at = |ahead: i64| Monitoring { postponed_until: Some(Timestamp(NOW.0 + ahead)), ..synced(60) };
    assert_eq!(state(&m, &at(BACKOFF_AFTER_SECS)), Some(HealthState::Normal));
    assert_eq!(state(&m, &at(BACKOFF_AFTER_SECS + 1)), Some(HealthState::BackingOff));
    // A postponement in the past is no back-off.
    assert_eq!(state(&m, &at(-3600)), Some(HealthState::Normal));
    // Backing off explains a delay: it wins over "delayed".
    let late = Monitoring { postponed_until: Some(Timestamp(NOW.0 + 2 * HOUR)), ..synced(3 * HOUR) };
    assert_eq!(state(&m, &late), Some(HealthState::BackingOff));
}

#[test]
fn a_mailbox_fails_when_its_error_streak_is_newer_than_its_last_success() {
    let m = mailbox("m");
    let err = |count: i64, at: i64| Monitoring {
        error_count: Some(count),
        error_on: Some(Timestamp(NOW.0 - at)),
        error_code: Some(-2_147_220_891),
        ..synced(600)
    };
    assert_eq!(state(&m, &err(0, 60)), Some(HealthState::Normal));
    assert_eq!(state(&m, &err(1, 60)), Some(HealthState::Failing));
    // An error from before the last success is history.
    assert_eq!(state(&m, &err(3, 601)), Some(HealthState::Normal));
    // At the same second as the success: not newer.
    assert_eq!(state(&m, &err(3, 600)), Some(HealthState::Normal));
    assert_eq!(state(&m, &err(3, 599)), Some(HealthState::Failing));
    // No success ever, a passed test and an error streak: failing.
    let never = Monitoring { error_count: Some(2), ..Monitoring::default() };
    assert_eq!(state(&m, &never), Some(HealthState::Failing));
    // Failing wins over backing off (a failing mailbox is usually postponed too).
    let both = Monitoring { postponed_until: Some(Timestamp(NOW.0 + 4 * HOUR)), ..err(2, 60) };
    assert_eq!(state(&m, &both), Some(HealthState::Failing));
}

#[test]
fn a_mailbox_disabled_after_it_passed_is_reported_as_such_before_anything_else() {
    let mut m = mailbox("m");
    m.enabled_incoming = false;
    let failing = Monitoring { error_count: Some(5), ..Monitoring::default() };
    assert_eq!(state(&m, &failing), Some(HealthState::DisabledSincePassed));
    let mut act_off = mailbox("m");
    act_off.enabled_act = false;
    assert_eq!(state(&act_off, &synced(60)), Some(HealthState::DisabledSincePassed));
    // Queues have no ACT synchronization: its flag does not count.
    let mut queue = mailbox("m");
    queue.kind = MailboxKind::Queue;
    queue.enabled_act = false;
    assert_eq!(state(&queue, &synced(60)), Some(HealthState::Normal));
}

fn failure(owner: &str, code: Option<i64>, error: &str, at: i64) -> ItemFailure {
    ItemFailure {
        owner: Some(owner.into()),
        code,
        error: error.into(),
        occurred_on: Some(Timestamp(NOW.0 - at)),
        subject: Some("Hello".into()),
        object_type: Some(4202),
    }
}

#[test]
fn item_failures_are_grouped_by_error_with_the_microsoft_link_when_the_cause_is_known() {
    let rows = vec![
        failure("owner-a", Some(0x8005_E272), "401 Unauthorized", 10),
        failure("owner-b", Some(0x8005_E272), "401 Unauthorized (again)", 20),
        failure("owner-a", Some(0x8005_E272), "401 Unauthorized", 30),
        failure("owner-a", None, "Something odd", 40),
    ];
    let groups = failures_by_error(&rows);
    assert_eq!(groups.len(), 2);
    assert_eq!((groups[0].items, groups[0].mailboxes), (3, 2));
    assert_eq!(groups[0].cause, Some(AlertCause::Unauthorized));
    assert_eq!(groups[0].doc_link, Some(AlertCause::Unauthorized.doc_link()));
    assert_eq!((groups[1].items, groups[1].cause, groups[1].doc_link.clone()), (1, None, None));
}

#[test]
fn item_failures_are_grouped_by_the_owners_mailbox_and_the_top_list_is_capped() {
    let mbs = vec![mailbox("a"), mailbox("b")];
    let mut rows = vec![
        failure("owner-b", None, "x", 1),
        failure("owner-a", None, "x", 1),
        failure("owner-b", None, "x", 1),
        failure("stranger", None, "x", 1),
    ];
    let by = failures_by_mailbox(&rows, &mbs);
    let view: Vec<(&str, &str, usize)> = by.iter().map(|m| (m.id.as_str(), m.name.as_str(), m.items)).collect();
    assert_eq!(view, vec![("b", "Name b", 2), ("a", "Name a", 1), ("stranger", "stranger", 1)]);
    for i in 0..20 {
        rows.push(failure(&format!("o{i:02}"), None, "x", 1));
    }
    assert_eq!(top_failed_mailboxes(&rows, &mbs).len(), TOP_MAILBOXES);
}

#[test]
fn the_histogram_puts_each_age_in_exactly_one_fixed_bucket_with_never_last() {
    let ages = [0, 15 * 60 - 1, 15 * 60, 3599, 3600, 4 * 3600, 86_399, 86_400, 7 * 86_400 - 1, 7 * 86_400];
    let mut health: Vec<MailboxHealth> = ages
        .iter()
        .map(|a| MailboxHealth {
            id: "m".into(),
            name: "m".into(),
            state: HealthState::Normal,
            since_success_secs: Some(*a),
            items_failed: 0,
        })
        .collect();
    health.push(MailboxHealth {
        id: "n".into(),
        name: "n".into(),
        state: HealthState::Delayed,
        since_success_secs: None,
        items_failed: 0,
    });
    let h = sync_age_histogram(&health);
    let counts: Vec<(&str, usize)> = h.iter().map(|b| (b.label, b.mailboxes)).collect();
    assert_eq!(
        counts,
        vec![
            ("< 15 min", 2),
            ("15–60 min", 2),
            ("1–4 h", 1),
            ("4–24 h", 2),
            ("1–7 days", 2),
            ("> 7 days", 1),
            ("never", 1)
        ]
    );
    assert_eq!(sync_age_histogram(&[]).iter().map(|b| b.mailboxes).sum::<usize>(), 0);
    assert_eq!(
        histogram_csv(&h).lines().take(3).collect::<Vec<_>>(),
        vec![
            "\"bucket\",\"from_secs\",\"to_secs\",\"mailboxes\"",
            "\"< 15 min\",\"0\",\"900\",\"2\"",
            "\"15–60 min\",\"900\",\"3600\",\"2\""
        ]
    );
}

#[test]
fn the_alert_timeline_counts_the_last_thirty_days_by_cause_and_ignores_information() {
    let at = |days: i64, level: AlertLevel, text: &str| Alert {
        level,
        text: text.into(),
        code: None,
        created_on: Some(Timestamp(NOW.0 - days * 86_400)),
        modified_on: None,
        regarding: None,
    };
    let alerts = vec![
        at(0, AlertLevel::Error, "The email address is not approved"),
        at(0, AlertLevel::Error, "weird"),
        at(29, AlertLevel::Warning, "weird"),
        at(30, AlertLevel::Error, "weird"),
        at(1, AlertLevel::Information, "weird"),
    ];
    let t = alert_timeline(&alerts, NOW);
    assert_eq!(t.days.len(), TIMELINE_DAYS);
    assert_eq!(iso_date(t.days[TIMELINE_DAYS - 1]), "2026-11-26");
    assert_eq!(iso_date(t.days[0]), "2026-10-28");
    assert_eq!(t.day_total(TIMELINE_DAYS - 1), 2);
    assert_eq!(t.day_total(0), 1);
    assert_eq!(t.counts.iter().flatten().sum::<usize>(), 3);
    assert_eq!(t.causes.last().map(String::as_str), Some("other"));
    let csv = timeline_csv(&t);
    assert_eq!(csv.lines().count(), 1 + TIMELINE_DAYS * t.causes.len());
    assert!(csv.contains("\"2026-11-26\",\"other\",\"1\"\r\n"), "{csv}");
    assert_eq!(alert_timeline(&[], NOW).causes.len(), 0);
}

#[test]
fn the_top_mailboxes_csv_defuses_formulas_in_names() {
    let top = vec![MailboxFailures { id: "a".into(), name: "=cmd()".into(), items: 3 }];
    assert_eq!(top_failed_csv(&top), "\"mailbox_id\",\"name\",\"failed_items\"\r\n\"a\",\"'=cmd()\",\"3\"\r\n");
}

#[test]
fn wire_rows_convert_with_lower_case_ids_and_parsed_times() {
    let w = wire::MailboxMonitoring {
        mailboxid: "ABC".into(),
        lastsuccessfulsynccompletedon: Some("2026-11-26T11:00:00Z".into()),
        lastsyncerrorcount: Some(2),
        ..wire::MailboxMonitoring::default()
    };
    let m = Monitoring::from(w);
    assert_eq!((m.mailbox_id.as_str(), m.last_success, m.error_count), ("abc", Some(Timestamp(NOW.0 - 3600)), Some(2)));
    let ok = wire::ExchangeSyncIdMapping { lastsyncerrorcode: Some(0), ..Default::default() };
    let bad = wire::ExchangeSyncIdMapping { lastsyncerrorcode: Some(5), ..Default::default() };
    let text = wire::ExchangeSyncIdMapping { lastsyncerror: Some("boom".into()), ..Default::default() };
    assert_eq!((is_failure(&ok), is_failure(&bad), is_failure(&text)), (false, true, true));
}
