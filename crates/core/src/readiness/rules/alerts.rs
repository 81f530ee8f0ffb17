//! Step "Mailbox alerts": the alerts of failing mailboxes decoded into cause, fix and who must act.

use super::{Context, count_of, result, unable};
use crate::collect::{Part, Snapshot};
use crate::model::{Alert, AlertLevel, Mailbox};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

const STEP: StepId = StepId::MailboxAlerts;
const KB: &str = "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/";

/// A known cause of mailbox alerts, from Microsoft's troubleshooting articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AlertCause {
    /// The mailbox has no profile, or its profile is inactive (`InvalidIncomingEmailServerProfile`).
    InvalidProfile,
    /// The email address is not approved.
    NotApproved,
    /// Appointments, contacts and tasks already sync with another org.
    AnotherOrganization,
    /// 8005E259: the user or team owning the mailbox lacks privileges.
    MissingPrivileges,
    /// 80048306: the mailbox user lacks rights on the mailbox record.
    OwnerLacksPrivileges,
    /// 8005E272: Exchange answered 401 Unauthorized.
    Unauthorized,
    /// 8005E273: the Microsoft 365 user is disabled or blocked from signing in.
    UserDisabled,
    /// 8005E274: the mailbox is not enabled for the REST API (no licence, disabled, or on-premises).
    NotEnabledForRest,
    /// 8005E276: no valid Exchange licence, or the user's access mode is not read-write.
    NoExchangeLicence,
    /// `ErrorInvalidLicense`.
    InvalidLicence,
    /// "Test and Enable failed because no user was found with the email address".
    NoUserFound,
    /// Exchange answered 403 Forbidden (EWS disabled or blocked by an access policy).
    Forbidden,
    /// `ErrorSubmissionQuotaExceeded`: the daily sending limit was hit.
    SendingQuota,
    /// `ErrorQuotaExceeded`: the Exchange mailbox is full.
    MailboxFull,
    /// Autodiscover could not find the mailbox.
    LocationNotFound,
    /// A temporary error (e.g. an Exchange outage): retried, then the mailbox is disabled.
    TemporaryError,
}

/// How a cause is explained and fixed.
struct Explanation {
    cause: &'static str,
    fix: &'static str,
    actor: Actor,
    severity: Severity,
    doc: &'static str,
}

impl AlertCause {
    /// Every cause, in the order findings are listed.
    pub const ALL: [AlertCause; 16] = [
        AlertCause::InvalidProfile,
        AlertCause::NotApproved,
        AlertCause::AnotherOrganization,
        AlertCause::MissingPrivileges,
        AlertCause::OwnerLacksPrivileges,
        AlertCause::Unauthorized,
        AlertCause::UserDisabled,
        AlertCause::NotEnabledForRest,
        AlertCause::NoExchangeLicence,
        AlertCause::InvalidLicence,
        AlertCause::NoUserFound,
        AlertCause::SendingQuota,
        AlertCause::MailboxFull,
        AlertCause::Forbidden,
        AlertCause::LocationNotFound,
        AlertCause::TemporaryError,
    ];

    /// Stable key, e.g. `not-approved`.
    pub fn key(self) -> &'static str {
        match self {
            AlertCause::InvalidProfile => "invalid-profile",
            AlertCause::NotApproved => "not-approved",
            AlertCause::AnotherOrganization => "another-organization",
            AlertCause::MissingPrivileges => "8005e259-missing-privileges",
            AlertCause::OwnerLacksPrivileges => "80048306-owner-lacks-privileges",
            AlertCause::Unauthorized => "8005e272-unauthorized",
            AlertCause::UserDisabled => "8005e273-user-disabled",
            AlertCause::NotEnabledForRest => "8005e274-not-enabled-for-rest",
            AlertCause::NoExchangeLicence => "8005e276-no-exchange-licence",
            AlertCause::InvalidLicence => "invalid-licence",
            AlertCause::NoUserFound => "no-user-found",
            AlertCause::Forbidden => "forbidden",
            AlertCause::SendingQuota => "sending-quota",
            AlertCause::MailboxFull => "mailbox-full",
            AlertCause::LocationNotFound => "location-not-found",
            AlertCause::TemporaryError => "temporary-error",
        }
    }

    /// Who must act on it.
    pub fn actor(self) -> Actor {
        self.explain().actor
    }

    /// The Microsoft article about it.
    pub fn doc_link(self) -> String {
        let doc = self.explain().doc;
        if doc.starts_with("https://") { doc.to_owned() } else { format!("{KB}{doc}") }
    }

    /// The Exchange / Dataverse error code that identifies the cause (lower-case hex), if it has one.
    pub fn code(self) -> Option<&'static str> {
        match self {
            AlertCause::MissingPrivileges => Some("8005e259"),
            AlertCause::OwnerLacksPrivileges => Some("80048306"),
            AlertCause::Unauthorized => Some("8005e272"),
            AlertCause::UserDisabled => Some("8005e273"),
            AlertCause::NotEnabledForRest => Some("8005e274"),
            AlertCause::NoExchangeLicence => Some("8005e276"),
            _ => None,
        }
    }

    /// Case-insensitive text fragments that identify the cause, checked in [`AlertCause::ALL`] order
    /// after the error codes.
    fn patterns(self) -> &'static [&'static str] {
        match self {
            AlertCause::InvalidProfile => &[
                "invalidincomingemailserverprofile",
                "does not have an email server profile",
                "doesn't have an email server profile",
                "email server profile is inactive",
            ],
            AlertCause::NotApproved => &[
                "is not approved",
                "haven't been approved",
                "have not been approved",
                "requires an approval",
                "not been approved",
            ],
            AlertCause::AnotherOrganization => &["another organization", "different organization"],
            AlertCause::MissingPrivileges => &[],
            AlertCause::OwnerLacksPrivileges => &[
                "doesn't have sufficient permissions on this mailbox",
                "does not have sufficient permissions on this mailbox",
            ],
            AlertCause::Unauthorized => &["(401)", "401 unauthorized", "http 401", "(unauthorized)"],
            AlertCause::UserDisabled => &[],
            AlertCause::NotEnabledForRest => &["mailboxnotenabledforrestapi"],
            AlertCause::NoExchangeLicence => &[],
            AlertCause::InvalidLicence => {
                &["errorinvalidlicense", "license is invalid", "licence is invalid", "invalid license"]
            }
            AlertCause::NoUserFound => &["no user was found", "no user found"],
            AlertCause::Forbidden => &["forbidden", "(403)"],
            AlertCause::SendingQuota => &["errorsubmissionquotaexceeded", "submission quota"],
            AlertCause::MailboxFull => &["errorquotaexceeded", "mailbox is full"],
            AlertCause::LocationNotFound => &["mailbox location could not be determined", "autodiscover"],
            AlertCause::TemporaryError => &["temporary error", "transient error"],
        }
    }

    fn explain(self) -> Explanation {
        use Actor::{DynamicsAdmin, ExchangeAdmin};
        use Severity::{Error, Warning};
        let e = |cause, fix, actor, severity, doc| Explanation { cause, fix, actor, severity, doc };
        match self {
            AlertCause::InvalidProfile => e(
                "the mailbox has no email server profile, or its profile is inactive",
                "apply the default email settings (or activate the profile), then test and enable",
                DynamicsAdmin,
                Error,
                "mailbox-does-not-have-email-server-profile",
            ),
            AlertCause::NotApproved => e(
                "the email address is not approved, so the mailbox was disabled",
                "approve the email address, then test and enable",
                DynamicsAdmin,
                Error,
                "https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-email",
            ),
            AlertCause::AnotherOrganization => e(
                "appointments, contacts and tasks already synchronize with another Dynamics 365 org",
                "test and enable with \"Sync items with Exchange from this org only\" in the org that should own the \
                 mailbox, and set appointments, contacts and tasks to None in the others",
                DynamicsAdmin,
                Error,
                "https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization#appointments-contacts-and-tasks-cant-be-synchronized",
            ),
            AlertCause::MissingPrivileges => e(
                "the user or team that owns the mailbox lacks privileges (8005E259)",
                "give the owner a security role with the missing privileges, then test and enable",
                DynamicsAdmin,
                Error,
                "error-code-8005e259",
            ),
            AlertCause::OwnerLacksPrivileges => e(
                "the mailbox user lacks rights on the mailbox record, or another user owns it (80048306)",
                "make the user the mailbox's owner and give them a role with user-level read and write on Mailbox, \
                 then test and enable",
                DynamicsAdmin,
                Error,
                "troubleshooting-monitoring-server-side-synchronization",
            ),
            AlertCause::Unauthorized => e(
                "Exchange answered 401 Unauthorized (8005E272)",
                "apply the default email settings so the mailbox uses the Exchange Online profile, then test and \
                 enable; if it persists, an Exchange admin checks the account",
                DynamicsAdmin,
                Error,
                "error-code-8005e272",
            ),
            AlertCause::UserDisabled => e(
                "the Microsoft 365 account is disabled or blocked from signing in (8005E273)",
                "enable the account and allow sign-in in the Microsoft 365 admin center, then test and enable",
                ExchangeAdmin,
                Error,
                "error-code-8005e273",
            ),
            AlertCause::NotEnabledForRest => e(
                "the Exchange mailbox is not enabled for the REST API: no Exchange Online licence, disabled, or \
                 on-premises (8005E274)",
                "assign an Exchange Online licence (or use a hybrid profile for on-premises mailboxes), then test and \
                 enable",
                ExchangeAdmin,
                Error,
                "error-code-8005e274",
            ),
            AlertCause::NoExchangeLicence => e(
                "the user has no valid Exchange licence, or their access mode is not read-write (8005E276)",
                "assign an Exchange licence in Microsoft 365 and set the user's access mode to Read-Write in Dynamics, \
                 then test and enable",
                ExchangeAdmin,
                Error,
                "error-code-8005e276",
            ),
            AlertCause::InvalidLicence => e(
                "Exchange reports an invalid licence (ErrorInvalidLicense)",
                "assign a licence that includes Exchange Online to the user, then test and enable",
                ExchangeAdmin,
                Error,
                "email-cannot-be-received-because-license-is-invalid-error",
            ),
            AlertCause::NoUserFound => e(
                "no Microsoft 365 user has this email address in the profile's tenant",
                "correct the mailbox's email address, or add the address to the user in Microsoft 365 (a user in \
                 another tenant needs a cross-tenant profile)",
                ExchangeAdmin,
                Error,
                "test-enable-fails-for-unrecognized-email-address",
            ),
            AlertCause::Forbidden => e(
                "Exchange answered 403 Forbidden: EWS is disabled or blocked by an application access policy",
                "allow EWS access for the mailbox in Exchange Online, then test and enable",
                ExchangeAdmin,
                Error,
                "http-server-returned-forbidden-exception",
            ),
            AlertCause::SendingQuota => e(
                "the mailbox hit Exchange Online's sending limit (ErrorSubmissionQuotaExceeded)",
                "wait for the limit to reset or lower the sending volume; mail is retried",
                ExchangeAdmin,
                Warning,
                "errorsubmissionquotaexceeded-exception",
            ),
            AlertCause::MailboxFull => e(
                "the Exchange mailbox is full (ErrorQuotaExceeded)",
                "free space or raise the mailbox quota in Exchange Online",
                ExchangeAdmin,
                Error,
                "errorquotaexceeded-exchange-server-returned-403-error",
            ),
            AlertCause::LocationNotFound => e(
                "autodiscover could not find the mailbox",
                "check that the mailbox exists in Exchange Online and that the profile uses autodiscover",
                ExchangeAdmin,
                Error,
                "troubleshooting-monitoring-server-side-synchronization#mailbox-location-could-not-be-determined",
            ),
            AlertCause::TemporaryError => e(
                "connecting to Exchange failed with a temporary error; after 10 retries 5 minutes apart the mailbox \
                 is disabled",
                "once Exchange Online is reachable again, test and enable the mailbox to re-enable it",
                DynamicsAdmin,
                Warning,
                "troubleshooting-monitoring-server-side-synchronization#mailbox-deliveries-regularly-disabled",
            ),
        }
    }

    /// The remedy SyncReady can run for mailboxes with this cause, if the bulk action is the fix.
    fn remedy(self, mailbox_ids: Vec<String>) -> Option<Remedy> {
        match self {
            AlertCause::InvalidProfile | AlertCause::Unauthorized => Some(Remedy::ApplyDefaultSettings { mailbox_ids }),
            AlertCause::NotApproved => Some(Remedy::ApproveMailboxes { mailbox_ids }),
            AlertCause::AnotherOrganization => Some(Remedy::TestAndEnable { mailbox_ids, this_org_only: true }),
            AlertCause::TemporaryError => Some(Remedy::TestAndEnable { mailbox_ids, this_org_only: false }),
            _ => None,
        }
    }
}

/// The known cause of `alert`, if any: first by error code (in `tracecode` or the text), then by wording.
pub fn decode_alert(alert: &Alert) -> Option<AlertCause> {
    let text = alert.text.to_ascii_lowercase();
    // Trace codes are HRESULTs; Dataverse may store them signed.
    let code_hex = alert.code.and_then(|c| u32::try_from(c).ok().or_else(|| i32::try_from(c).ok().map(|v| v as u32)));
    let code_hex = code_hex.map(|c| format!("{c:x}"));
    let by_code = AlertCause::ALL
        .iter()
        .copied()
        .find(|c| c.code().is_some_and(|code| text.contains(code) || code_hex.as_deref() == Some(code)));
    by_code.or_else(|| AlertCause::ALL.iter().copied().find(|c| c.patterns().iter().any(|p| text.contains(p))))
}

/// Ids of mailboxes with an error or warning alert of `cause`.
pub(super) fn mailboxes_with(snap: &Snapshot, cause: AlertCause) -> HashSet<String> {
    snap.alerts
        .iter()
        .flat_map(|a| &a.alerts)
        .filter(|a| a.level != AlertLevel::Information && decode_alert(a) == Some(cause))
        .filter_map(|a| a.regarding.clone())
        .collect()
}

/// One group of findings under construction.
struct Group {
    mailbox_ids: Vec<String>,
    profile_ids: Vec<String>,
    alerts: usize,
}

impl Group {
    fn new() -> Self {
        Self { mailbox_ids: Vec::new(), profile_ids: Vec::new(), alerts: 0 }
    }

    fn add(&mut self, regarding: &str, is_profile: bool) {
        self.alerts += 1;
        let list = if is_profile { &mut self.profile_ids } else { &mut self.mailbox_ids };
        if !list.iter().any(|id| id == regarding) {
            list.push(regarding.to_owned());
        }
    }
}

/// Replaces the mailbox's name and address in an alert text so that the same alert on different
/// mailboxes groups together.
fn normalise(text: &str, mailbox: Option<&Mailbox>) -> String {
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(m) = mailbox {
        if let Some(email) = m.email.as_deref().filter(|e| !e.is_empty()) {
            out = out.replace(email, "<email address>");
        }
        if !m.name.is_empty() {
            out = out.replace(&m.name, "<mailbox>");
        }
    }
    let end = out.char_indices().nth(400).map_or(out.len(), |(i, _)| i);
    out.truncate(end);
    out
}

/// Decodes the alerts of failing mailboxes into grouped findings.
pub(super) fn mailbox_alerts(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let Some(mailboxes) = &snap.mailboxes else {
        return unable(STEP, Part::Mailboxes, ctx.errors);
    };
    let Some(set) = &snap.alerts else {
        return unable(STEP, Part::Alerts, ctx.errors);
    };
    let relevant: Vec<&Alert> = set.alerts.iter().filter(|a| a.level != AlertLevel::Information).collect();
    // The id sets are of `String` (as `mailboxes_with`'s): one hash set instance in the wasm, not two.
    let wanted: HashSet<String> = relevant.iter().filter_map(|a| a.regarding.clone()).collect();
    // Alerts were read for failing mailboxes only; checking that first avoids hashing every id.
    let by_id: Vec<&Mailbox> = if wanted.is_empty() {
        Vec::new()
    } else {
        mailboxes.iter().filter(|m| crate::collect::is_failing(m) && wanted.contains(m.id.as_str())).collect()
    };
    let profile_ids: HashSet<String> = snap.profiles.iter().flatten().map(|p| p.id.clone()).collect();

    let mut known: Vec<(AlertCause, Group)> = Vec::new();
    let mut unknown: Vec<(String, Group)> = Vec::new();
    for alert in &relevant {
        let regarding = alert.regarding.as_deref().unwrap_or("");
        let is_profile = profile_ids.contains(regarding);
        match decode_alert(alert) {
            Some(cause) => {
                // Kept sorted by cause as it grows (the causes are distinct): no sort afterwards, and
                // no stable-sort instance for this element type in the wasm.
                let idx = match known.iter().position(|(c, _)| *c >= cause) {
                    Some(i) if known.get(i).is_some_and(|(c, _)| *c == cause) => i,
                    Some(i) => {
                        known.insert(i, (cause, Group::new()));
                        i
                    }
                    None => {
                        known.push((cause, Group::new()));
                        known.len() - 1
                    }
                };
                if let Some((_, g)) = known.get_mut(idx) {
                    g.add(regarding, is_profile);
                }
            }
            None => {
                let mailbox = by_id.iter().copied().find(|m| m.id == regarding);
                let text = normalise(&alert.text, mailbox);
                let idx = match unknown.iter().position(|(t, _)| *t == text) {
                    Some(i) => i,
                    None => {
                        unknown.push((text, Group::new()));
                        unknown.len() - 1
                    }
                };
                if let Some((_, g)) = unknown.get_mut(idx) {
                    g.add(regarding, is_profile);
                }
            }
        }
    }

    let mut findings = Vec::new();
    for (cause, group) in &known {
        let x = cause.explain();
        for profile in &group.profile_ids {
            let inactive = snap
                .profiles
                .iter()
                .flatten()
                .any(|p| p.id == *profile && p.state != crate::model::RecordState::Active);
            let mut f = Finding::new(
                x.severity,
                Subject::Profile(profile.clone()),
                x.actor,
                format!("Profile alert: {}. Fix: {}.", capitalise(x.cause), x.fix),
            )
            .doc(cause.doc_link());
            if *cause == AlertCause::InvalidProfile && inactive {
                f.remedy = Some(Remedy::ActivateProfile { profile_id: profile.clone() });
            }
            findings.push(f);
        }
        if !group.mailbox_ids.is_empty() {
            let mut f = Finding::new(
                x.severity,
                Subject::Mailboxes(group.mailbox_ids.clone()),
                x.actor,
                format!("{}: {}. Fix: {}.", count_of(group.mailbox_ids.len(), "mailbox", "mailboxes"), x.cause, x.fix),
            )
            .doc(cause.doc_link());
            f.remedy = cause.remedy(group.mailbox_ids.clone());
            findings.push(f);
        }
    }
    for (text, group) in &unknown {
        let subject = match (group.mailbox_ids.is_empty(), group.profile_ids.first()) {
            (true, Some(p)) => Subject::Profile(p.clone()),
            _ => Subject::Mailboxes(group.mailbox_ids.clone()),
        };
        let on = count_of(group.mailbox_ids.len() + group.profile_ids.len(), "record", "records");
        findings.push(
            Finding::new(
                Severity::Warning,
                subject,
                Actor::DynamicsAdmin,
                format!("Unrecognised alert on {on}: \"{text}\""),
            )
            .doc(StepId::MailboxAlerts.doc_link()),
        );
    }
    if set.mailboxes_read < set.failing_mailboxes {
        findings.push(Finding::new(
            Severity::Info,
            Subject::Org,
            Actor::DynamicsAdmin,
            format!(
                "Alerts were read for the first {} of {} failing mailboxes.",
                set.mailboxes_read, set.failing_mailboxes
            ),
        ));
    }

    let with_alerts: HashSet<String> = relevant
        .iter()
        .filter_map(|a| a.regarding.as_deref())
        .filter(|r| !profile_ids.contains(*r))
        .map(str::to_owned)
        .collect();
    let counts = vec![
        Count::plain("failing", "failing mailboxes", set.failing_mailboxes),
        Count::plain("alerts-read-for", "failing mailboxes whose alerts were read", set.mailboxes_read),
        Count::plain("with-alerts", "mailboxes with error or warning alerts", with_alerts.len()),
        Count::plain("known-causes", "known causes", known.len()),
        Count::plain("unrecognised", "unrecognised alerts", unknown.len()),
    ];
    let summary = if set.failing_mailboxes == 0 && relevant.is_empty() {
        "No failing mailboxes".to_owned()
    } else if relevant.is_empty() {
        format!(
            "No error or warning alerts on {}",
            count_of(set.failing_mailboxes, "failing mailbox", "failing mailboxes")
        )
    } else {
        format!(
            "{} on {}: {} known, {} unrecognised",
            count_of(relevant.len(), "alert", "alerts"),
            count_of(with_alerts.len(), "mailbox", "mailboxes"),
            count_of(known.len(), "cause", "causes"),
            unknown.len()
        )
    };
    result(STEP, summary, findings, counts)
}

/// Our own cause texts start with an ASCII letter (no Unicode case tables needed).
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| std::iter::once(f.to_ascii_uppercase()).chain(c).collect())
}
