use serde_json::json;
use std::time::Duration;
use syncready::state::bulk::SavedRun;
use syncready_core::bulk::{
    Action, Blocked, Change, Entity, Field, Journal, Plan, PlanItem, RunConfig, Skipped,
};
use syncready_core::json::{FromJson, decode};
use syncready_core::model::{ActDeliveryMethod, DeliveryMethod, MailboxKind};

fn saved(action: Action) -> SavedRun {
    SavedRun {
        org: "https://contoso.crm.dynamics.com".into(),
        plan: Plan {
            action,
            items: vec![PlanItem {
                entity: Entity::Mailbox,
                id: "m1".into(),
                name: "Alex".into(),
                kind: Some(MailboxKind::Queue),
                changes: vec![
                    Change { field: Field::IncomingMethod, before: json!(0), after: json!(2) },
                    Change { field: Field::Profile, before: json!(null), after: json!("p") },
                ],
                tracks_test: true,
                test_completed_before: Some(1_700_000_000),
            }],
            skipped: vec![Skipped { id: "m2".into(), name: "Sam".into(), reason: "already".into() }],
            blocked: vec![Blocked { id: "m3".into(), name: "Kim".into(), reason: "role".into() }],
            warnings: vec!["w".into()],
            profile_names: vec![("p".into(), "Exchange Online".into())],
        },
        journal: Journal {
            digest: 42,
            states: "T".into(),
            applied: vec![],
            reasons: vec![(0, Some(400), None, "x".into())],
            testing_since: vec![(0, 9)],
            approvals_stopped: None,
        },
        config: RunConfig { batch_size: 200, poll_interval: Duration::from_secs(5), ..RunConfig::default() },
    }
}

#[test]
fn a_saved_run_reads_back_what_was_saved() {
    for action in [
        Action::Approve,
        Action::EditProfileAndMethods {
            profile_id: Some("p".into()),
            incoming: Some(DeliveryMethod::ServerSideSync),
            outgoing: None,
            act: Some(ActDeliveryMethod::None),
        },
        Action::TestAndEnable { this_org_only: true, process_email_after: None },
    ] {
        let run = saved(action);
        let text = serde_json::to_string(&run).unwrap();
        assert_eq!(decode::<SavedRun>(&text), Ok(run));
    }
}

#[test]
fn a_run_saved_by_the_previous_version_resumes() {
    // Written by the version that read runs back with a derived `Deserialize`, before the run
    // configuration had its ledger fields.
    let text = r#"{"org":"https://contoso.crm.dynamics.com","plan":{"action":"approve","items":[{"entity":"mailbox",
        "id":"m1","name":"Alex","kind":"User","changes":[{"field":"approval","before":2,"after":1}],"tracks_test":false,
        "test_completed_before":null}],"skipped":[],"blocked":[],"warnings":[],"profile_names":[]},
        "journal":{"digest":7,"states":"U","applied":[],"reasons":[],"testing_since":[],"approvals_stopped":null},
        "config":{"batch_size":50,"read_chunk":100,"max_attempts":5,"max_in_flight":4,"continue_on_error":true,
        "verify":true,"stuck_after":{"secs":900,"nanos":0},"poll_interval":{"secs":30,"nanos":0},
        "backoff_base":{"secs":1,"nanos":0},"backoff_max":{"secs":60,"nanos":0}}}"#;
    let run = decode::<SavedRun>(text).unwrap();
    assert_eq!(run.plan.action, Action::Approve);
    assert_eq!(run.plan.items[0].kind, Some(MailboxKind::User));
    assert_eq!(run.journal.states, "U");
    // What it saved is kept (older defaults included); what it did not have takes today's default.
    let kept = RunConfig {
        batch_size: 50,
        max_in_flight: 4,
        stuck_after: Duration::from_secs(900),
        ..RunConfig::default()
    };
    assert_eq!(run.config, kept);
}

#[test]
fn a_damaged_saved_run_says_where() {
    let mut value = serde_json::to_value(saved(Action::Approve)).unwrap();
    value["plan"]["items"][0]["changes"][1]["field"] = json!("colour");
    let err = SavedRun::from_json(&value).unwrap_err();
    assert_eq!(err.path(), "plan.items[0].changes[1].field");
    assert!(err.reason().starts_with("unknown variant `colour`"), "{err}");
    value["journal"] = json!(null);
    value["plan"] = json!({});
    assert_eq!(SavedRun::from_json(&value).unwrap_err().to_string(), "plan: missing field `action`");
}
