use super::*;
use crate::bulk::{Note, SavedRun};
use serde_json::json;

/// A saved run of `plan`, `journal` and `config` for a fixed org.
fn run_of(plan: Plan, journal: Journal, config: RunConfig) -> SavedRun {
    SavedRun { org: "https://contoso.crm4.dynamics.com".into(), plan, journal, config }
}

/// `SavedRun::from_json(to_json(run)) == run`: what format 2 writes, it reads back exactly.
fn round_trips(run: &SavedRun) {
    let value = run.to_json();
    assert_eq!(SavedRun::from_json(&value).as_ref(), Ok(run), "{value}");
}

/// The error reading `run` after `damage` changed what was written.
fn error_after(damage: impl FnOnce(&mut Value)) -> String {
    let mut value = run_of(sample_plan(), sample_journal(), RunConfig::default()).to_json();
    damage(&mut value);
    SavedRun::from_json(&value).unwrap_err().to_string()
}

/// One of each action and variant shape (the saved run's tests use it too).
pub(in crate::bulk) fn every_action() -> Vec<Action> {
    vec![
        Action::Approve,
        Action::Reject,
        Action::ApplyDefaultSettings { test_and_enable: true, this_org_only: false },
        Action::EditProfileAndMethods { profile_id: None, incoming: None, outgoing: None, act: None },
        Action::EditProfileAndMethods {
            profile_id: Some("p".into()),
            incoming: Some(DeliveryMethod::ForwardMailbox),
            outgoing: Some(DeliveryMethod::Unknown(-4)),
            act: Some(ActDeliveryMethod::Unknown(9)),
        },
        Action::TestAndEnable { this_org_only: true, process_email_after: Some("2024-05-01T00:00:00Z".into()) },
        Action::TestAndEnable { this_org_only: false, process_email_after: None },
        Action::TestAndEnableProfile { profile_id: "p1".into() },
        Action::SetOrgDefaultProfile { profile_id: "p2".into() },
        Action::SetOrgDefaultEmailSettings {
            profile_id: None,
            incoming: DeliveryMethod::ServerSideSync,
            outgoing: DeliveryMethod::None,
            act: ActDeliveryMethod::ServerSideSync,
            server_side_sync: true,
        },
        Action::SetApprovalRequirement { users: true, queues: false },
        Action::ActivateProfile { profile_id: "p3".into() },
        Action::SetEmailAddress {
            changes: vec![crate::bulk::AddressChange { mailbox_id: "m1".into(), address: "new@contoso.com".into() }],
        },
        Action::Undo,
    ]
}

/// Every field a plan changes.
pub(in crate::bulk) fn every_field() -> [Field; 15] {
    [
        Field::Approval,
        Field::Profile,
        Field::IncomingMethod,
        Field::OutgoingMethod,
        Field::ActMethod,
        Field::TestScheduled,
        Field::OrgMarkedPrimary,
        Field::ProcessEmailAfter,
        Field::DefaultProfile,
        Field::DefaultEmailSettings,
        Field::ConnectionChannel,
        Field::RequireApprovalUsers,
        Field::RequireApprovalQueues,
        Field::ProfileState,
        Field::EmailAddress,
    ]
}

fn sample_plan() -> Plan {
    let kinds = [
        None,
        Some(MailboxKind::User),
        Some(MailboxKind::Queue),
        Some(MailboxKind::Forward),
        Some(MailboxKind::Unknown("8".into())),
    ];
    let entities = [Entity::Mailbox, Entity::Organization, Entity::Profile];
    let values = [json!(null), json!(1), json!(true), json!("x"), json!({"a": [1, 2.5]})];
    let items = every_field()
        .iter()
        .enumerate()
        .map(|(i, &field)| PlanItem {
            entity: entities[i % entities.len()],
            id: format!("id{i}"),
            name: format!("Name {i}"),
            kind: kinds[i % kinds.len()].clone(),
            changes: vec![Change {
                field,
                before: values[i % values.len()].clone(),
                after: values[(i + 1) % values.len()].clone(),
            }],
            tracks_test: i % 2 == 0,
            test_completed_before: (i % 3 == 0).then_some(-(i as i64)),
        })
        .collect();
    Plan {
        action: Action::Approve,
        items,
        skipped: vec![Skipped { id: "s".into(), name: "S".into(), reason: Note::Verbatim("already".into()) }],
        blocked: vec![Blocked { id: "b".into(), name: "B".into(), reason: Note::Verbatim("role".into()) }],
        warnings: vec![Note::Verbatim("careful".into())],
        profile_names: vec![("p".into(), "Profile".into())],
        org: Some(crate::model::OrgUrl::parse("https://contoso.crm4.dynamics.com").unwrap()),
    }
}

fn sample_journal() -> Journal {
    Journal {
        digest: u64::MAX,
        states: "PUWTSFKX".into(),
        applied: vec![5, 6],
        reasons: vec![(5, Some(403), Some("0x80040220".into()), "refused".into()), (6, None, None, "n/a".into())],
        testing_since: vec![(3, 12_345)],
        approvals_stopped: Some("ask an admin".into()),
    }
}

#[test]
fn every_action_field_entity_and_delivery_method_round_trips() {
    let mut plan = sample_plan();
    for action in every_action() {
        plan.action = action;
        round_trips(&run_of(plan.clone(), sample_journal(), RunConfig::default()));
    }
    // Every field and entity is in the sample plan's items; every delivery method in an action.
    for m in [
        DeliveryMethod::None,
        DeliveryMethod::Outlook,
        DeliveryMethod::ForwardMailbox,
        DeliveryMethod::Unknown(i32::MIN),
    ] {
        for act in [ActDeliveryMethod::Outlook, ActDeliveryMethod::None, ActDeliveryMethod::Unknown(i32::MAX)] {
            plan.action = Action::SetOrgDefaultEmailSettings {
                profile_id: None,
                incoming: m,
                outgoing: m,
                act,
                server_side_sync: true,
            };
            round_trips(&run_of(plan.clone(), sample_journal(), RunConfig::default()));
        }
    }
}

#[test]
fn journals_and_configurations_round_trip() {
    let empty = Journal {
        digest: 0,
        states: String::new(),
        applied: vec![],
        reasons: vec![],
        testing_since: vec![],
        approvals_stopped: None,
    };
    let config = RunConfig {
        batch_size: 1,
        read_chunk: 2,
        max_attempts: 3,
        max_in_flight: 4,
        continue_on_error: false,
        verify: false,
        stuck_after: Duration::from_millis(u64::MAX),
        poll_interval: Duration::from_millis(1),
        backoff_base: Duration::ZERO,
        backoff_max: Duration::from_millis(1_500),
        limit_window: Duration::from_secs(7),
        execution_budget: Duration::from_millis(3),
        request_budget: u32::MAX,
        use_ratelimit_headers: false,
        stuck_poll_interval: Duration::from_secs(11),
        stuck_watch: Duration::from_millis(12),
        request_timeout: Duration::from_secs(13),
        unreachable_after: Duration::from_millis(14),
        slow_after: Duration::from_secs(15),
    };
    round_trips(&run_of(sample_plan(), empty, config));
    round_trips(&run_of(sample_plan(), sample_journal(), RunConfig::default()));
}

#[test]
fn a_configuration_missing_fields_takes_their_defaults() {
    let config = super::config(&json!({"batch_size": 25, "stuck_after_ms": 60_005})).unwrap();
    assert_eq!(
        RunConfig { batch_size: 25, stuck_after: Duration::from_millis(60_005), ..RunConfig::default() },
        config
    );
    assert_eq!(super::config(&json!({})), Ok(RunConfig::default()));
}

#[test]
fn wrong_shapes_name_their_path() {
    let err = error_after(|v| v["plan"]["items"][2]["changes"][0]["field"] = json!("colour"));
    assert!(
        err.starts_with("plan.items[2].changes[0].field: unknown variant `colour`, expected one of approval, "),
        "{err}"
    );
    let cases: [(Value, &str); 5] = [
        (
            json!({"key": "edit-profile-and-methods", "incoming": "Pigeon"}),
            "plan.action.incoming: expected an integer, got a string",
        ),
        (json!({"key": "set-org-default-profile"}), "plan.action: missing field `profile_id`"),
        (
            json!({"key": "approve-all"}),
            "plan.action.key: unknown variant `approve-all`, expected one of approve, reject, apply-default-settings, edit-profile-and-methods, test-and-enable, test-and-enable-profile, set-org-default-profile, set-org-default-email-settings, set-approval-requirement, activate-profile, set-email-address, undo",
        ),
        (json!("approve"), "plan.action: expected an object, got a string"),
        (json!({"key": 7}), "plan.action.key: expected a string, got an integer"),
    ];
    for (action, want) in cases {
        assert_eq!(error_after(|v| v["plan"]["action"] = action), want);
    }
    assert_eq!(
        error_after(|v| v["journal"]["reasons"][1] = json!({"item": 6, "status": 70000, "message": "x"})),
        "journal.reasons[1].status: 70000 is out of range for u16"
    );
    assert_eq!(
        error_after(|v| v["journal"]["reasons"][1] = json!({"item": 6})),
        "journal.reasons[1]: missing field `message`"
    );
    assert_eq!(
        error_after(|v| v["config"]["poll_interval_ms"] = json!(-30)),
        "config.poll_interval_ms: -30 is out of range for u64"
    );
    assert_eq!(
        error_after(|v| v["config"]["verify"] = json!("yes")),
        "config.verify: expected a boolean, got a string"
    );
    assert_eq!(
        error_after(|v| v["plan"]["items"][0]["kind"] = json!("robot")),
        "plan.items[0].kind: unknown variant `robot`, expected one of user, queue, forward, unknown"
    );
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        "[a-z0-9 ]{0,6}"
    }

    fn delivery() -> impl Strategy<Value = DeliveryMethod> {
        prop_oneof![any::<i32>().prop_map(DeliveryMethod::Unknown), (0..4).prop_map(DeliveryMethod::from)]
    }

    fn act() -> impl Strategy<Value = ActDeliveryMethod> {
        prop_oneof![any::<i32>().prop_map(ActDeliveryMethod::Unknown), (0..3).prop_map(ActDeliveryMethod::from)]
    }

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::Approve),
            Just(Action::Reject),
            Just(Action::Undo),
            (any::<bool>(), any::<bool>())
                .prop_map(|(t, o)| Action::ApplyDefaultSettings { test_and_enable: t, this_org_only: o }),
            (
                proptest::option::of(text()),
                proptest::option::of(delivery()),
                proptest::option::of(delivery()),
                proptest::option::of(act())
            )
                .prop_map(|(profile_id, incoming, outgoing, act)| Action::EditProfileAndMethods {
                    profile_id,
                    incoming,
                    outgoing,
                    act
                }),
            (any::<bool>(), proptest::option::of(text()))
                .prop_map(|(o, p)| Action::TestAndEnable { this_org_only: o, process_email_after: p }),
            text().prop_map(|p| Action::TestAndEnableProfile { profile_id: p }),
            text().prop_map(|p| Action::SetOrgDefaultProfile { profile_id: p }),
            (proptest::option::of(text()), delivery(), delivery(), act(), any::<bool>()).prop_map(
                |(profile_id, incoming, outgoing, act, server_side_sync)| Action::SetOrgDefaultEmailSettings {
                    profile_id,
                    incoming,
                    outgoing,
                    act,
                    server_side_sync
                }
            ),
            (any::<bool>(), any::<bool>()).prop_map(|(users, queues)| Action::SetApprovalRequirement { users, queues }),
            text().prop_map(|p| Action::ActivateProfile { profile_id: p }),
        ]
    }

    fn json_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            text().prop_map(Value::String),
        ]
    }

    fn item() -> impl Strategy<Value = PlanItem> {
        let kind = proptest::option::of(prop_oneof![
            Just(MailboxKind::User),
            Just(MailboxKind::Queue),
            Just(MailboxKind::Forward),
            text().prop_map(MailboxKind::Unknown),
        ]);
        let change = (0..14usize, json_value(), json_value()).prop_map(|(f, before, after)| Change {
            field: every_field()[f],
            before,
            after,
        });
        (
            0..3usize,
            text(),
            text(),
            kind,
            proptest::collection::vec(change, 0..3),
            any::<bool>(),
            proptest::option::of(any::<i64>()),
        )
            .prop_map(|(e, id, name, kind, changes, tracks_test, test_completed_before)| PlanItem {
                entity: [Entity::Mailbox, Entity::Organization, Entity::Profile][e],
                id,
                name,
                kind,
                changes,
                tracks_test,
                test_completed_before,
            })
    }

    fn plan() -> impl Strategy<Value = Plan> {
        let reason = || (text(), text(), text());
        (
            action(),
            proptest::collection::vec(item(), 0..4),
            proptest::collection::vec(reason(), 0..2),
            proptest::collection::vec(reason(), 0..2),
            proptest::collection::vec(text(), 0..2),
            proptest::collection::vec((text(), text()), 0..2),
        )
            .prop_map(|(action, items, skipped, blocked, warnings, profile_names)| Plan {
                action,
                items,
                skipped: skipped
                    .into_iter()
                    .map(|(id, name, reason)| Skipped { id, name, reason: Note::Verbatim(reason) })
                    .collect(),
                blocked: blocked
                    .into_iter()
                    .map(|(id, name, reason)| Blocked { id, name, reason: Note::Verbatim(reason) })
                    .collect(),
                warnings: warnings.into_iter().map(Note::Verbatim).collect(),
                profile_names,
                org: None,
            })
    }

    fn journal() -> impl Strategy<Value = Journal> {
        (
            any::<u64>(),
            "[PUWTSFKX]{0,8}",
            proptest::collection::vec(any::<u32>(), 0..3),
            proptest::collection::vec(
                (any::<u32>(), proptest::option::of(any::<u16>()), proptest::option::of(text()), text()),
                0..3,
            ),
            proptest::collection::vec((any::<u32>(), any::<u64>()), 0..3),
            proptest::option::of(text()),
        )
            .prop_map(|(digest, states, applied, reasons, testing_since, approvals_stopped)| Journal {
                digest,
                states,
                applied,
                reasons,
                testing_since,
                approvals_stopped,
            })
    }

    /// Format 2 keeps durations in whole milliseconds.
    fn duration() -> impl Strategy<Value = Duration> {
        any::<u64>().prop_map(Duration::from_millis)
    }

    fn config() -> impl Strategy<Value = RunConfig> {
        (
            (any::<usize>(), any::<usize>(), any::<u32>(), any::<usize>(), any::<bool>(), any::<bool>()),
            (duration(), duration(), duration(), duration(), duration(), duration()),
            (any::<u32>(), any::<bool>()),
            (duration(), duration(), duration(), duration(), duration()),
        )
            .prop_map(
                |((batch_size, read_chunk, max_attempts, max_in_flight, continue_on_error, verify), d, (r, h), f)| {
                    RunConfig {
                        batch_size,
                        read_chunk,
                        max_attempts,
                        max_in_flight,
                        continue_on_error,
                        verify,
                        stuck_after: d.0,
                        poll_interval: d.1,
                        backoff_base: d.2,
                        backoff_max: d.3,
                        limit_window: d.4,
                        execution_budget: d.5,
                        request_budget: r,
                        use_ratelimit_headers: h,
                        stuck_poll_interval: f.0,
                        stuck_watch: f.1,
                        request_timeout: f.2,
                        unreachable_after: f.3,
                        slow_after: f.4,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever plan, journal and configuration a run has, format 2 reads back exactly what it wrote.
        #[test]
        fn saved_runs_round_trip(plan in plan(), journal in journal(), config in config()) {
            let run = run_of(plan, journal, config);
            prop_assert_eq!(SavedRun::from_json(&run.to_json()), Ok(run));
        }
    }
}
