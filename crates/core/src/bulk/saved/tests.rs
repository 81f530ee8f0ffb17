use super::*;
use crate::bulk::Note;
use crate::bulk::from_json::tests::{every_action, every_field};
use crate::bulk::plan::{Blocked, Skipped};
use crate::json::decode;
use expect_test::expect;
use serde_json::json;

fn org() -> OrgUrl {
    OrgUrl::parse("https://contoso.crm.dynamics.com").unwrap()
}

fn saved(action: Action) -> SavedRun {
    let kinds = [None, Some(MailboxKind::User), Some(MailboxKind::Queue), Some(MailboxKind::Forward)];
    let entities = [Entity::Mailbox, Entity::Organization, Entity::Profile];
    let items = every_field()
        .iter()
        .enumerate()
        .map(|(i, &field)| PlanItem {
            entity: entities[i % entities.len()],
            id: format!("id{i}"),
            name: format!("name {i}"),
            kind: if i == 13 { Some(MailboxKind::Unknown("8".into())) } else { kinds[i % kinds.len()].clone() },
            changes: vec![Change { field, before: json!(null), after: json!(i) }],
            tracks_test: i % 2 == 0,
            test_completed_before: (i % 3 == 0).then_some(1_700_000_000),
        })
        .collect();
    SavedRun {
        org: org().as_str().to_owned(),
        plan: Plan {
            action,
            items,
            skipped: vec![Skipped { id: "s".into(), name: "Sam".into(), reason: Note::Verbatim("already".into()) }],
            blocked: vec![Blocked { id: "b".into(), name: "Kim".into(), reason: Note::Verbatim("role".into()) }],
            warnings: vec![Note::Verbatim("w".into())],
            profile_names: vec![("p".into(), "Exchange Online".into())],
            org: Some(org()),
        },
        journal: Journal {
            digest: u64::MAX - 7,
            states: "TUWSFKXPTUWSFKX".into(),
            applied: vec![4],
            reasons: vec![(4, Some(400), Some("0x1".into()), "refused".into()), (5, None, None, "skipped".into())],
            testing_since: vec![(0, 9), (8, u64::MAX)],
            approvals_stopped: Some("why".into()),
        },
        config: RunConfig {
            batch_size: 200,
            poll_interval: Duration::from_millis(5_250),
            use_ratelimit_headers: false,
            ..RunConfig::default()
        },
    }
}

#[test]
fn issue_19_a_run_is_saved_in_format_2_and_reads_back_exactly() {
    for action in every_action() {
        let run = saved(action);
        let value = run.to_json();
        assert_eq!(value["format"], 2);
        assert_eq!(decode::<SavedRun>(&value.to_string()), Ok(run.clone()));
        // The shell stores it through serde: the same text.
        assert_eq!(serde_json::to_value(&run).unwrap(), value);
    }
}

#[test]
fn issue_19_format_2_is_written_by_hand_not_by_serde() {
    let run = SavedRun {
        org: org().as_str().to_owned(),
        plan: Plan {
            action: Action::EditProfileAndMethods {
                profile_id: Some("p".into()),
                incoming: Some(DeliveryMethod::ServerSideSync),
                outgoing: None,
                act: Some(ActDeliveryMethod::None),
            },
            items: vec![PlanItem {
                entity: Entity::Mailbox,
                id: "m1".into(),
                name: "Alex".into(),
                kind: Some(MailboxKind::Queue),
                changes: vec![Change { field: Field::IncomingMethod, before: json!(0), after: json!(2) }],
                tracks_test: false,
                test_completed_before: None,
            }],
            skipped: vec![],
            blocked: vec![],
            warnings: vec![],
            profile_names: vec![("p".into(), "Exchange Online".into())],
            org: Some(org()),
        },
        journal: Journal {
            digest: 42,
            states: "F".into(),
            applied: vec![],
            reasons: vec![(0, Some(400), None, "x".into())],
            testing_since: vec![],
            approvals_stopped: None,
        },
        config: RunConfig::default(),
    };
    expect![[r#"{"config":{"backoff_base_ms":1000,"backoff_max_ms":60000,"batch_size":75,"continue_on_error":true,"execution_budget_ms":1000000,"limit_window_ms":300000,"max_attempts":5,"max_in_flight":48,"poll_interval_ms":30000,"read_chunk":100,"request_budget":5000,"request_timeout_ms":180000,"slow_after_ms":10000,"stuck_after_ms":3300000,"stuck_poll_interval_ms":300000,"stuck_watch_ms":3600000,"unreachable_after_ms":120000,"use_ratelimit_headers":true,"verify":true},"format":2,"journal":{"applied":[],"approvals_stopped":null,"digest":"000000000000002a","reasons":[{"code":null,"item":0,"message":"x","status":400}],"states":"F","testing_since":[]},"org":"https://contoso.crm.dynamics.com","plan":{"action":{"act":2,"incoming":2,"key":"edit-profile-and-methods","outgoing":null,"profile_id":"p"},"blocked":[],"items":[{"changes":[{"after":2,"before":0,"field":"incoming-method"}],"entity":"mailbox","id":"m1","kind":"queue","name":"Alex","test_completed_before":null,"tracks_test":false}],"org":"https://contoso.crm.dynamics.com","profile_names":[{"id":"p","name":"Exchange Online"}],"skipped":[],"warnings":[]}}"#]]
    .assert_eq(&run.to_json().to_string());
}

#[test]
fn a_run_saved_by_0_1_0_in_format_1_is_refused_with_the_reason_and_what_to_do() {
    // Format 1: serde's derived output of the four fields, with no `format` (or `"format": 1`).
    let run = saved(Action::Approve);
    let format_1 = json!({
        "org": run.org,
        "plan": serde_json::to_value(&run.plan).unwrap(),
        "journal": serde_json::to_value(&run.journal).unwrap(),
        "config": serde_json::to_value(&run.config).unwrap(),
    });
    let mut explicit = format_1.clone();
    explicit["format"] = json!(1);
    for value in [format_1, explicit] {
        let err = SavedRun::from_json(&value).unwrap_err();
        assert_eq!(err.path(), "format");
        assert!(err.reason().contains("format 1 by SyncReady 0.1.0"), "{err}");
        assert!(err.reason().contains("plan the action again"), "{err}");
    }
}

#[test]
fn a_run_whose_plan_names_no_org_is_read_and_refused() {
    let mut run = saved(Action::Approve);
    run.plan.org = None;
    let read = SavedRun::from_json(&run.to_json()).unwrap();
    assert_eq!(read.plan.org, None);
    assert_eq!(read.check_target(&org()), Err(TargetError::Unbound { current: org() }));
}

#[test]
fn issue_19_a_format_this_version_does_not_know_is_refused_with_the_reason() {
    let mut value = saved(Action::Approve).to_json();
    value["format"] = json!(3);
    let err = SavedRun::from_json(&value).unwrap_err();
    assert_eq!(err.path(), "format");
    assert!(err.reason().contains("format 3 by a newer version"), "{err}");
    value["format"] = json!("two");
    assert_eq!(SavedRun::from_json(&value).unwrap_err().path(), "format");
}

#[test]
fn issue_19_a_damaged_format_2_run_says_where() {
    let mut value = saved(Action::Approve).to_json();
    value["journal"]["digest"] = json!("not hex");
    assert_eq!(SavedRun::from_json(&value).unwrap_err().path(), "journal.digest");
    value["plan"]["items"][2]["kind"] = json!("robot");
    let err = SavedRun::from_json(&value).unwrap_err();
    assert_eq!(err.path(), "plan.items[2].kind");
    value["plan"]["action"]["key"] = json!("paint");
    assert_eq!(SavedRun::from_json(&value).unwrap_err().path(), "plan.action.key");
}
