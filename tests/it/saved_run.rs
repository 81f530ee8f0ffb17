use serde_json::json;
use std::time::Duration;
use syncready::state::bulk::SavedRun;
use syncready_core::bulk::TargetError;
use syncready_core::bulk::{
    Action, Blocked, Change, Entity, Field, Journal, Note, Plan, PlanItem, RunConfig, Skipped,
};
use syncready_core::json::{FromJson, decode};
use syncready_core::model::{ActDeliveryMethod, DeliveryMethod, MailboxKind, OrgUrl};

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
            skipped: vec![Skipped {
                id: "m2".into(),
                name: "Sam".into(),
                reason: Note::Verbatim("already".into()),
            }],
            blocked: vec![Blocked {
                id: "m3".into(),
                name: "Kim".into(),
                reason: Note::Verbatim("role".into()),
            }],
            warnings: vec![Note::Verbatim("w".into())],
            profile_names: vec![("p".into(), "Exchange Online".into())],
            org: Some(OrgUrl::parse("https://contoso.crm.dynamics.com").unwrap()),
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
fn a_run_saved_by_0_1_0_is_refused_with_what_to_do() {
    // Written by 0.1.0 (serde's derived output, format 1), before the run configuration had its
    // ledger fields. Chrome clears `storage.session` when the extension updates, so only the web app's
    // tab could still hold one; it is refused with the reason the panel shows, not resumed.
    let text = r#"{"org":"https://contoso.crm.dynamics.com","plan":{"action":"approve","items":[{"entity":"mailbox",
        "id":"m1","name":"Alex","kind":"User","changes":[{"field":"approval","before":2,"after":1}],"tracks_test":false,
        "test_completed_before":null}],"skipped":[],"blocked":[],"warnings":[],"profile_names":[]},
        "journal":{"digest":7,"states":"U","applied":[],"reasons":[],"testing_since":[],"approvals_stopped":null},
        "config":{"batch_size":50,"read_chunk":100,"max_attempts":5,"max_in_flight":4,"continue_on_error":true,
        "verify":true,"stuck_after":{"secs":900,"nanos":0},"poll_interval":{"secs":30,"nanos":0},
        "backoff_base":{"secs":1,"nanos":0},"backoff_max":{"secs":60,"nanos":0}}}"#;
    let err = decode::<SavedRun>(text).unwrap_err().to_string();
    assert!(err.starts_with("format: this run was saved in format 1 by SyncReady 0.1.0"), "{err}");
    assert!(err.contains("plan the action again"), "{err}");
}

fn with_guid_ids(mut run: SavedRun) -> SavedRun {
    run.plan.items[0].id = "b0000000-0000-4000-8000-000000000001".into();
    run.plan.items[0].changes[1].after = json!("c0000000-0000-4000-8000-000000000001");
    run
}

#[test]
fn issue_12_a_saved_run_resumes_only_on_the_org_it_was_saved_for() {
    let contoso = OrgUrl::parse("https://contoso.crm.dynamics.com").unwrap();
    let fabrikam = OrgUrl::parse("https://fabrikam.crm.dynamics.com").unwrap();
    let run = with_guid_ids(saved(Action::Approve));
    assert_eq!(run.check_target(&contoso), Ok(()));
    assert_eq!(
        run.check_target(&fabrikam),
        Err(TargetError::OtherOrg { planned: contoso.clone(), current: fabrikam.clone() })
    );
    // The saved record says contoso but the plan inside was made for fabrikam: refused too.
    let mut mixed = with_guid_ids(saved(Action::Approve));
    mixed.plan.org = Some(fabrikam.clone());
    assert_eq!(
        mixed.check_target(&contoso),
        Err(TargetError::OtherOrg { planned: fabrikam, current: contoso })
    );
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
