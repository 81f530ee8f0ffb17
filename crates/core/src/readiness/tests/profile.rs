//! The Exchange Online profile step, beyond the cases in the parent module.

use super::support::{check, snap};
use super::{exo, pop, profile};
use crate::model::{CredentialRetrieval, RecordState};
use crate::readiness::StepId;
use expect_test::expect;

const STEP: StepId = StepId::ExchangeOnlineProfile;

#[test]
fn a_healthy_profile_passes_with_counts() {
    check(
        STEP,
        snap(vec![]),
        expect![[r#"
            pass: "Microsoft Exchange Online" is active and the default profile
            counts: 2 email server profiles; 1 of 1 Exchange Online profiles active
            - Info DynamicsAdmin org: 2 email server profiles: "Microsoft Exchange Online" (default), "Legacy POP3".
        "#]],
    );
}

#[test]
fn a_profile_with_user_credentials_and_no_autodiscover_warns_twice() {
    let mut s = snap(vec![]);
    let mut p = exo(RecordState::Active);
    p.server_to_server = false;
    p.autodiscover = false;
    p.incoming_credentials = Some(CredentialRetrieval::UserOrQueue);
    s.profiles = Some(vec![p, pop()]);
    check(
        STEP,
        s,
        expect![[r#"
            warn: "Microsoft Exchange Online" is the default profile, but its connection settings are not supported
            counts: 2 email server profiles; 1 of 1 Exchange Online profiles active
            - Info DynamicsAdmin org: 2 email server profiles: "Microsoft Exchange Online" (default), "Legacy POP3".
            - Warning DynamicsAdmin profile p-exo: "Microsoft Exchange Online" authenticates with credentials specified by a user or queue. Exchange Online in the same tenant is supported only with server-to-server authentication.
              doc: https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#using-dynamics-365-apps-with-exchange-online
            - Warning DynamicsAdmin profile p-exo: "Microsoft Exchange Online" has Auto Discover Server Location off; Exchange Online needs it on.
              doc: https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#using-dynamics-365-apps-with-exchange-online
        "#]],
    );
}

#[test]
fn a_cross_tenant_oauth_profile_is_not_flagged_for_its_authentication() {
    let mut s = snap(vec![]);
    let mut p = exo(RecordState::Active);
    p.server_to_server = false;
    p.incoming_credentials = Some(CredentialRetrieval::AzureAdOAuth);
    s.profiles = Some(vec![p]);
    check(
        STEP,
        s,
        expect![[r#"
        pass: "Microsoft Exchange Online" is active and the default profile
        counts: 1 email server profiles; 1 of 1 Exchange Online profiles active
    "#]],
    );
}

#[test]
fn with_two_exchange_online_profiles_the_default_one_is_judged() {
    let mut s = snap(vec![]);
    let mut other = profile("p-exo2", "EXO second", 0, "Exchange Online", RecordState::Active);
    other.autodiscover = false;
    let mut org = s.org.clone().unwrap();
    org.default_profile = Some("p-exo".into());
    s.org = Some(org);
    s.profiles = Some(vec![other, exo(RecordState::Active)]);
    check(
        STEP,
        s,
        expect![[r#"
            pass: "Microsoft Exchange Online" is active and the default profile
            counts: 2 email server profiles; 2 of 2 Exchange Online profiles active
            - Info DynamicsAdmin org: 2 email server profiles: "EXO second", "Microsoft Exchange Online" (default).
        "#]],
    );
}

#[test]
fn unreadable_organization_gives_unable_to_check() {
    let mut s = snap(vec![]);
    s.org = None;
    check(
        STEP,
        s,
        expect![[r#"
        unknown: Unable to check: the data was not collected
    "#]],
    );
}
