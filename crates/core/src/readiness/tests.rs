use super::*;
use crate::collect::{CollectError, Part, Snapshot};
use crate::error::Error;
use crate::model::{OrgSettings, Profile, RecordState, ServerType};
use expect_test::{Expect, expect};

mod alerts;
mod approval;
mod checklist;
mod german;
mod health;
mod mailboxes;
mod org_defaults;
mod profile;
mod support;
mod test_results;

pub(super) fn profile(id: &str, name: &str, server_type: i32, label: &str, state: RecordState) -> Profile {
    Profile {
        id: id.into(),
        name: name.into(),
        server_type: Some(ServerType::from(server_type)),
        type_name: Some(label.into()),
        state,
        server_to_server: true,
        autodiscover: true,
        incoming_credentials: Some(crate::model::CredentialRetrieval::ServerToServer),
    }
}

pub(super) fn org(default_profile: Option<&str>) -> OrgSettings {
    OrgSettings {
        id: "o".into(),
        name: "Contoso".into(),
        default_profile: default_profile.map(Into::into),
        default_email_settings_xml: None,
        default_email_settings: None,
        connection_channel: Some(0),
        require_approval_users: true,
        require_approval_queues: true,
    }
}

pub(super) fn exo(state: RecordState) -> Profile {
    profile("p-exo", "Microsoft Exchange Online", 0, "Exchange Online", state)
}

pub(super) fn pop() -> Profile {
    profile("p-pop", "Legacy POP3", 1, "Other", RecordState::Active)
}

/// Renders the profile step as `status: summary` plus one line per finding.
fn check(snap: Snapshot, errors: &[CollectError], expect: Expect) {
    let report = evaluate(&snap, errors);
    let step = report.step(StepId::ExchangeOnlineProfile).unwrap();
    let mut out = format!("{}: {}\n", step.status.key(), step.summary);
    for f in &step.findings {
        out.push_str(&format!("  {:?} {:?} remedy={:?}\n", f.severity, f.actor, f.remedy));
    }
    expect.assert_eq(&out);
}

#[test]
fn an_active_default_exchange_online_profile_passes() {
    let snap = Snapshot {
        org: Some(org(Some("p-exo"))),
        profiles: Some(vec![pop(), exo(RecordState::Active)]),
        ..Snapshot::default()
    };
    check(
        snap,
        &[],
        expect![[r#"
            pass: "Microsoft Exchange Online" is active and the default profile
              Info DynamicsAdmin remedy=None
        "#]],
    );
}

#[test]
fn a_missing_profile_fails_and_points_at_the_exchange_admin() {
    let snap = Snapshot { org: Some(org(Some("p-pop"))), profiles: Some(vec![pop()]), ..Snapshot::default() };
    check(
        snap,
        &[],
        expect![[r#"
        fail: No Exchange Online email server profile
          Error ExchangeAdmin remedy=None
    "#]],
    );
}

#[test]
fn an_inactive_profile_fails_with_an_activate_remedy() {
    let snap = Snapshot {
        org: Some(org(Some("p-exo"))),
        profiles: Some(vec![exo(RecordState::Inactive)]),
        ..Snapshot::default()
    };
    check(
        snap,
        &[],
        expect![[r#"
        fail: The Exchange Online profile is inactive
          Error DynamicsAdmin remedy=Some(ActivateProfile { profile_id: "p-exo" })
    "#]],
    );
}

#[test]
fn a_non_default_profile_warns_with_a_set_default_remedy() {
    let snap = Snapshot {
        org: Some(org(Some("p-pop"))),
        profiles: Some(vec![pop(), exo(RecordState::Active)]),
        ..Snapshot::default()
    };
    check(
        snap,
        &[],
        expect![[r#"
            warn: "Microsoft Exchange Online" is active but not the default ("Legacy POP3" is)
              Info DynamicsAdmin remedy=None
              Warning DynamicsAdmin remedy=Some(SetDefaultProfile { profile_id: "p-exo" })
        "#]],
    );
}

#[test]
fn unreadable_profiles_give_unable_to_check_with_the_reason() {
    let errors = [CollectError {
        part: Part::Profiles,
        error: Error::Http { status: 403, dataverse: None, body: String::new() },
    }];
    check(
        Snapshot::default(),
        &errors,
        expect![[r#"
        unknown: Unable to check: Dataverse answered HTTP 403
    "#]],
    );
}
