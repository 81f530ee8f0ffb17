use super::*;
use crate::bulk::plan::tests::{mailbox, snapshot};
use crate::bulk::{Action, MailboxFilter, RunConfig, Selection, plan};
use crate::model::{ApprovalState, MailboxKind};

fn org(url: &str) -> OrgUrl {
    OrgUrl::parse(url).unwrap()
}

fn approvals() -> Plan {
    let snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Pending)]);
    plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap()
}

#[test]
fn issue_12_a_plan_is_refused_against_another_org_and_the_message_names_both() {
    let contoso = org("https://contoso.crm.dynamics.com");
    let sandbox = org("https://contoso-sandbox.crm.dynamics.com");
    let bound = approvals().bound_to(contoso.clone());
    assert_eq!(bound.check_target(&contoso), Ok(()));
    let refused = bound.check_target(&sandbox).unwrap_err();
    assert_eq!(refused, TargetError::OtherOrg { planned: contoso, current: sandbox });
    let text = refused.to_string();
    assert!(
        text.contains("planned for https://contoso.crm.dynamics.com")
            && text.contains("now shows https://contoso-sandbox.crm.dynamics.com"),
        "{text}"
    );
}

#[test]
fn issue_12_an_unbound_plan_from_an_earlier_version_is_refused() {
    let current = org("https://contoso.crm.dynamics.com");
    let refused = approvals().check_target(&current).unwrap_err();
    assert_eq!(refused, TargetError::Unbound { current });
    assert!(refused.to_string().contains("earlier version"), "{refused}");
}

#[test]
fn issue_12_evidence_and_the_undo_plan_keep_the_org_the_run_wrote_to() {
    let contoso = org("https://contoso.crm.dynamics.com");
    let run = crate::bulk::Run::new(approvals().bound_to(contoso.clone()), RunConfig::default());
    let evidence = run.evidence();
    assert_eq!(evidence.org.as_ref(), Some(&contoso));
    let json: serde_json::Value = serde_json::from_str(&evidence.to_json()).unwrap();
    assert_eq!(json["org"], "https://contoso.crm.dynamics.com");
    let undo = Plan::undo(&evidence);
    assert_eq!(undo.org.as_ref(), Some(&contoso));
    let fabrikam = org("https://fabrikam.crm.dynamics.com");
    assert!(matches!(undo.check_target(&fabrikam), Err(TargetError::OtherOrg { .. })));
}

#[test]
fn issue_12_record_and_profile_ids_that_are_not_guids_are_refused() {
    let contoso = org("https://contoso.crm.dynamics.com");
    let mut p = approvals().bound_to(contoso.clone());
    p.items[0].id = "x) or (1 eq 1".into();
    assert!(matches!(p.check_target(&contoso), Err(TargetError::NotAGuid { id, .. }) if id == "x) or (1 eq 1"));
    let mut p = approvals().bound_to(contoso.clone());
    p.items[0].changes[0].field = Field::Profile;
    p.items[0].changes[0].after = Value::String("../organizations(1)".into());
    assert!(matches!(p.check_target(&contoso), Err(TargetError::NotAGuid { .. })));
}
