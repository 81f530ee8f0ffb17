//! The org email defaults step.

use super::exo;
use super::support::{NOW, check, check_with, snap};
use crate::collect::{CollectError, Part};
use crate::error::Error;
use crate::model::{ActDeliveryMethod, DefaultEmailSettings, DeliveryMethod, RecordState, SettingsXmlError};
use crate::readiness::{EvaluateOptions, StepId};
use expect_test::expect;

const STEP: StepId = StepId::OrgEmailDefaults;

#[test]
fn an_org_on_server_side_sync_with_the_exchange_online_default_passes() {
    check(
        STEP,
        snap(vec![]),
        expect![[r#"
        pass: Email is processed with server-side synchronization; new mailboxes get the Exchange Online profile
        counts: 5 of 5 org email settings on server-side synchronization
    "#]],
    );
}

#[test]
fn the_email_router_and_outlook_defaults_fail_with_one_fix() {
    let mut s = snap(vec![]);
    let mut org = s.org.clone().unwrap();
    org.connection_channel = Some(1);
    org.default_email_settings = Some(Ok(DefaultEmailSettings {
        incoming: Some(DeliveryMethod::Outlook),
        outgoing: Some(DeliveryMethod::ServerSideSync),
        // 0 is Outlook for ACT, not None.
        act: Some(ActDeliveryMethod::Outlook),
    }));
    s.org = Some(org);
    check(
        STEP,
        s,
        expect![[r#"
        fail: 2 of 5 org email settings are right
        counts: 2 of 5 org email settings on server-side synchronization
        - Error DynamicsAdmin org: "Process Email Using" is set to the Email Router, which is retired. Set it to Server-Side Synchronization.
          remedy: set-org-defaults profile=Some("p-exo")
        - Error DynamicsAdmin org: New mailboxes are not set up for server-side synchronization (incoming email: Dynamics 365 for Outlook; appointments, contacts and tasks: Dynamics 365 for Outlook). Set the defaults to Server-Side Synchronization.
          remedy: set-org-defaults profile=Some("p-exo")
    "#]],
    );
}

#[test]
fn a_pop3_default_profile_fails_with_a_set_default_remedy() {
    let mut s = snap(vec![]);
    let mut org = s.org.clone().unwrap();
    org.default_profile = Some("p-pop".into());
    s.org = Some(org);
    check(
        STEP,
        s,
        expect![[r#"
        fail: 4 of 5 org email settings are right
        counts: 4 of 5 org email settings on server-side synchronization
        - Error DynamicsAdmin org: The default server profile is "Legacy POP3", not the active Exchange Online profile. Make "Microsoft Exchange Online" the default.
          remedy: set-default-profile p-exo
    "#]],
    );
}

#[test]
fn without_an_exchange_online_profile_there_is_no_profile_remedy() {
    let mut s = snap(vec![]);
    let mut org = s.org.clone().unwrap();
    org.default_profile = None;
    s.org = Some(org);
    s.profiles = Some(vec![exo(RecordState::Inactive)]);
    check(
        STEP,
        s,
        expect![[r#"
            fail: 4 of 5 org email settings are right
            counts: 4 of 5 org email settings on server-side synchronization
            - Error DynamicsAdmin org: No default server profile is set. Fix the Exchange Online profile first.
        "#]],
    );
}

#[test]
fn missing_or_broken_default_settings_are_reported() {
    let mut s = snap(vec![]);
    let mut org = s.org.clone().unwrap();
    org.default_email_settings = None;
    s.org = Some(org.clone());
    check(
        STEP,
        s.clone(),
        expect![[r#"
        fail: 2 of 5 org email settings are right
        counts: 2 of 5 org email settings on server-side synchronization
        - Error DynamicsAdmin org: No default delivery methods are set, so new mailboxes get none. Set incoming, outgoing and appointments, contacts and tasks to Server-Side Synchronization.
          remedy: set-org-defaults profile=Some("p-exo")
    "#]],
    );
    org.default_email_settings = Some(Err(SettingsXmlError {
        reason: "<EmailSettings> is not closed".into(),
        excerpt: "<EmailSettings>".into(),
    }));
    s.org = Some(org);
    check(
        STEP,
        s,
        expect![[r#"
            warn: 2 of 5 org email settings are right
            counts: 2 of 5 org email settings on server-side synchronization
            - Warning DynamicsAdmin org: The default delivery methods could not be read (<EmailSettings> is not closed). Set the defaults again.
              remedy: set-org-defaults profile=Some("p-exo")
        "#]],
    );
}

#[test]
fn unreadable_profiles_still_check_the_rest() {
    let mut s = snap(vec![]);
    s.profiles = None;
    let errors = [CollectError {
        part: Part::Profiles,
        error: Error::Http { status: 403, dataverse: None, body: String::new() },
    }];
    check_with(
        STEP,
        s,
        &errors,
        EvaluateOptions::at(NOW),
        expect![[r#"
        warn: 4 of 5 org email settings are right
        counts: 4 of 5 org email settings on server-side synchronization
        - Warning DynamicsAdmin org: Whether the default profile is Exchange Online could not be checked: Dataverse answered HTTP 403
    "#]],
    );
}
