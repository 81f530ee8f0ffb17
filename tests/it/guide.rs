use syncready::state::guide::{FocusAction, GuideAlert, GuideMailboxes};
use syncready_core::bulk::{Action, Selection};
use syncready_core::collect::Snapshot;
use syncready_core::i18n::Lang;
use syncready_core::json::{FromJson, decode};
use syncready_core::model::{Mailbox, Profile};
use syncready_core::readiness::{Actor, Finding, Report, Severity, Status, StepId, StepResult, Subject};
use syncready_core::wire;

fn mailbox(id: &str, name: &str, approval: i32, incoming: i32) -> Mailbox {
    Mailbox::from(
        wire::Mailbox::from_json(&serde_json::json!({
            "mailboxid": id, "name": name, "_emailserverprofile_value": "P1",
            "statecode": 0, "emailrouteraccessapproval": approval,
            "incomingemailstatus": incoming, "outgoingemailstatus": 1, "actstatus": 0
        }))
        .unwrap(),
    )
}

#[test]
fn the_guide_table_gives_each_mailbox_its_profile_approval_tests_and_decoded_alerts() {
    let profile = wire::EmailServerProfile::from_json(&serde_json::json!({
        "emailserverprofileid": "p1", "name": "Microsoft Exchange Online", "servertype": 0
    }))
    .unwrap();
    let snapshot = Snapshot {
        profiles: Some(vec![Profile::from(profile)]),
        mailboxes: Some(vec![mailbox("M1", "Ann Lee", 2, 2), mailbox("m2", "Support", 1, 1)]),
        ..Snapshot::default()
    };
    let alert = Finding::new(
        Severity::Error,
        Subject::Mailboxes(vec!["m1".into()]),
        Actor::ExchangeAdmin,
        "The Microsoft 365 account is disabled (8005E273): enable it, then test and enable.",
    );
    let report = Report {
        steps: vec![StepResult {
            step: StepId::MailboxAlerts,
            status: Status::from_findings(std::slice::from_ref(&alert)),
            summary: String::new(),
            findings: vec![alert],
            counts: Vec::new(),
        }],
    };
    let table = GuideMailboxes::of(&snapshot, &report);
    assert_eq!(table.profiles, ["Microsoft Exchange Online"]);
    assert_eq!(
        table.alerts,
        [GuideAlert {
            message: "The Microsoft 365 account is disabled (8005E273): enable it, then test and enable."
                .into(),
            actor: "exchange-admin"
        }]
    );
    // Ids and profile references match in any case; the JSON is what public/background.js reads.
    let json: serde_json::Value = serde_json::from_str(&table.to_json()).unwrap();
    assert_eq!(
        json["mailboxes"]["m1"],
        serde_json::json!(["Ann Lee", 0, "pending", "failure", "success", "not-run", [0]])
    );
    assert_eq!(
        json["mailboxes"]["m2"],
        serde_json::json!(["Support", 0, "approved", "success", "success", "not-run", []])
    );
}

#[test]
fn the_guide_table_escapes_names_as_json_text() {
    let m = mailbox("m3", "Quote \" back\\slash \u{1} line\nend — ünï", 1, 1);
    let snapshot = Snapshot { mailboxes: Some(vec![m]), ..Snapshot::default() };
    let table = GuideMailboxes::of(&snapshot, &Report { steps: Vec::new() });
    let json: serde_json::Value = serde_json::from_str(&table.to_json()).unwrap();
    assert_eq!(json["mailboxes"]["m3"][0], "Quote \" back\\slash \u{1} line\nend — ünï");
    assert_eq!(json["mailboxes"]["m3"][1], -1, "no known profile");
    assert_eq!(json["profiles"], serde_json::json!([]));
}

#[test]
fn a_guide_action_becomes_a_one_mailbox_bulk_request_for_its_own_org_only() {
    let id = "0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
    let approve: FocusAction =
        decode(&format!(r#"{{"org":"https://contoso.crm.dynamics.com","action":"approve","id":"{id}"}}"#))
            .unwrap();
    let request = approve.request_for("https://contoso.crm.dynamics.com/").unwrap();
    assert_eq!(request.action, Action::Approve);
    assert_eq!(request.selection, Selection::Ids(vec![id.to_owned()]));
    assert_eq!(approve.request_for("https://fabrikam.crm.dynamics.com"), None, "another org's tab asked");
    let test: FocusAction = decode(&format!(
        r#"{{"org":"https://contoso.crm.dynamics.com","action":"test-and-enable","id":"{id}"}}"#
    ))
    .unwrap();
    assert_eq!(
        test.request_for("https://contoso.crm.dynamics.com").unwrap().action,
        Action::TestAndEnable { this_org_only: false, process_email_after: None }
    );
    assert!(
        decode::<FocusAction>(r#"{"org":"https://contoso.crm.dynamics.com","action":"delete","id":"x"}"#)
            .is_err()
    );
}

#[test]
fn issue_16_the_guide_table_adds_each_microsoft_365_finding_to_its_mailbox() {
    use syncready_core::graph::{MailboxCheck, Verdict};
    use syncready_core::model::MailboxKind;
    let snapshot = Snapshot {
        mailboxes: Some(vec![mailbox("A1", "Alex", 1, 2), mailbox("b2", "Bea", 1, 1)]),
        ..Snapshot::default()
    };
    let check = |id: &str, verdict| MailboxCheck {
        mailbox_id: id.into(),
        name: String::new(),
        address: String::new(),
        kind: MailboxKind::User,
        user_principal_name: None,
        verdict,
    };
    let table = GuideMailboxes::of(&snapshot, &Report { steps: Vec::new() })
        .with_m365(&[check("a1", Verdict::NoExchangePlan), check("b2", Verdict::Ok)], Lang::english());
    assert_eq!(
        table.alerts,
        vec![GuideAlert {
            message:
                "Microsoft 365: The user has no Exchange Online licence. Assign Exchange Online (a licence \
                      that includes it) in the Microsoft 365 admin center."
                    .into(),
            actor: "exchange-admin",
        }]
    );
    assert_eq!(table.mailboxes["a1"].alerts, vec![0]);
    assert!(table.mailboxes["b2"].alerts.is_empty(), "a mailbox without a problem gets nothing");
    // In the panel's language, as the decoded Dynamics alerts beside it.
    let de = Lang::from_tag("de");
    let german = GuideMailboxes::of(&snapshot, &Report { steps: Vec::new() })
        .with_m365(&[check("a1", Verdict::NoExchangePlan)], de);
    assert_eq!(
        german.alerts[0].message,
        format!(
            "Microsoft 365: {}. {}",
            Verdict::NoExchangePlan.summary_in(de),
            Verdict::NoExchangePlan.fix_in(de)
        )
    );
    assert_ne!(german.alerts[0].message, table.alerts[0].message);
}
