//! Every link into Microsoft Learn that SyncReady shows, in one place, with the anchors of the pages as
//! they are now.
//!
//! Checked against the page sources: `connect-exchange-online.md` (MicrosoftDocs/power-platform,
//! ms.date 2025-06-27) for [`CONNECT_EXO`] and its sections, and
//! `troubleshooting-monitoring-server-side-synchronization.md` for [`TROUBLESHOOTING`]. An anchor is the
//! heading in lower case with spaces as hyphens and punctuation dropped, so a renamed heading (for
//! example "Test configuration of mailboxes" → "Test the configuration of mailboxes", or "Permission
//! model" → "Permissions model") silently breaks the old anchor: the test `every_link_and_its_anchor`
//! lists them all.

/// "Connect to Exchange Online".
pub const CONNECT_EXO: &str = "https://learn.microsoft.com/power-platform/admin/connect-exchange-online";
/// "## Verify that you have the profile Microsoft Exchange Online".
pub const VERIFY_PROFILE: &str = "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#verify-that-you-have-the-profile-microsoft-exchange-online";
/// "## Configure default email processing and synchronization".
pub const CONFIGURE_DEFAULTS: &str = "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-default-email-processing-and-synchronization";
/// "## Configure mailboxes".
pub const CONFIGURE_MAILBOXES: &str =
    "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes";
/// "## Approve email".
pub const APPROVE_EMAIL: &str =
    "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-email";
/// "#### Approve mailboxes".
pub const APPROVE_MAILBOXES: &str =
    "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes";
/// "### Permissions model".
pub const PERMISSIONS_MODEL: &str =
    "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model";
/// "### Remove the requirement to approve mailboxes".
pub const REMOVE_APPROVAL_REQUIREMENT: &str = "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#remove-the-requirement-to-approve-mailboxes";
/// "## Test the configuration of mailboxes".
pub const TEST_MAILBOXES: &str =
    "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#test-the-configuration-of-mailboxes";
/// Folder of the server-side synchronization troubleshooting articles.
pub const KB: &str =
    "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/";
/// "Troubleshooting and monitoring server-side synchronization".
pub const TROUBLESHOOTING: &str = "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization";
/// "### Appointments, contacts, and tasks can't be synchronized".
pub const ACT_ANOTHER_ORG: &str = "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#appointments-contacts-and-tasks-cant-be-synchronized";
/// "### Email address requires approval by Microsoft 365 administrator".
pub const NEEDS_O365_APPROVAL: &str = "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#email-address-requires-approval-by-microsoft-365-administrator";
/// "### Using Dynamics 365 apps with Exchange Online".
pub const EXO_SUPPORTED: &str = "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#using-dynamics-365-apps-with-exchange-online";

#[cfg(test)]
mod tests {
    use crate::readiness::StepId;
    use crate::readiness::rules::AlertCause;
    use expect_test::expect;

    /// Every Microsoft Learn link SyncReady shows (steps, alert causes, and the constants above), with
    /// its anchor. A heading renamed on Learn means updating the constant and this list together.
    #[test]
    fn every_link_and_its_anchor() {
        let mut links: Vec<String> = StepId::ALL.iter().map(|s| s.doc_link().to_owned()).collect();
        links.extend(AlertCause::ALL.iter().map(|c| c.doc_link()));
        links.extend(
            [
                super::CONNECT_EXO,
                super::APPROVE_EMAIL,
                super::APPROVE_MAILBOXES,
                super::PERMISSIONS_MODEL,
                super::REMOVE_APPROVAL_REQUIREMENT,
                super::NEEDS_O365_APPROVAL,
                super::EXO_SUPPORTED,
            ]
            .map(str::to_owned),
        );
        crate::order::sort_by(&mut links, |a, b| a.cmp(b));
        links.dedup();
        let listed: Vec<String> = links
            .iter()
            .map(|l| {
                let (page, anchor) = l.split_once('#').unwrap_or((l, ""));
                let page = page.rsplit('/').next().unwrap_or(page);
                format!("{page} #{anchor}")
            })
            .collect();
        expect![[r#"
            [
                "connect-exchange-online #",
                "connect-exchange-online #approve-email",
                "connect-exchange-online #approve-mailboxes",
                "connect-exchange-online #configure-default-email-processing-and-synchronization",
                "connect-exchange-online #configure-mailboxes",
                "connect-exchange-online #permissions-model",
                "connect-exchange-online #remove-the-requirement-to-approve-mailboxes",
                "connect-exchange-online #test-the-configuration-of-mailboxes",
                "connect-exchange-online #verify-that-you-have-the-profile-microsoft-exchange-online",
                "email-cannot-be-received-because-license-is-invalid-error #",
                "error-code-8005e259 #",
                "error-code-8005e272 #",
                "error-code-8005e273 #",
                "error-code-8005e274 #",
                "error-code-8005e276 #",
                "errorquotaexceeded-exchange-server-returned-403-error #",
                "errorsubmissionquotaexceeded-exception #",
                "http-server-returned-forbidden-exception #",
                "mailbox-does-not-have-email-server-profile #",
                "test-enable-fails-for-unrecognized-email-address #",
                "troubleshooting-monitoring-server-side-synchronization #",
                "troubleshooting-monitoring-server-side-synchronization #appointments-contacts-and-tasks-cant-be-synchronized",
                "troubleshooting-monitoring-server-side-synchronization #email-address-requires-approval-by-microsoft-365-administrator",
                "troubleshooting-monitoring-server-side-synchronization #mailbox-deliveries-regularly-disabled",
                "troubleshooting-monitoring-server-side-synchronization #mailbox-location-could-not-be-determined",
                "troubleshooting-monitoring-server-side-synchronization #using-dynamics-365-apps-with-exchange-online",
            ]
        "#]]
        .assert_debug_eq(&listed);
        // The anchors the current pages have (see the module docs); the old ones must not come back.
        for stale in [
            "#test-configuration-of-mailboxes",
            "#permission-model",
            "#remove-requirement-to-approve",
            "#verify-you-have-the-profile",
        ] {
            assert!(!links.iter().any(|l| l.contains(stale)), "{stale}");
        }
    }
}
