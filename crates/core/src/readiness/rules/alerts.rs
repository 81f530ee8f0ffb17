//! Step "Mailbox alerts": the alerts of failing mailboxes decoded into cause, fix and who must act.

use super::{Context, count_of, result};
use crate::collect::{Part, Snapshot};
use crate::i18n::Lang;
use crate::model::{Alert, AlertLevel, Mailbox};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};
use crate::tr;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

const STEP: StepId = StepId::MailboxAlerts;
use crate::readiness::links::{self, KB};

/// A known cause of mailbox alerts, from Microsoft's troubleshooting articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AlertCause {
    /// The mailbox has no profile, or its profile is inactive (`InvalidIncomingEmailServerProfile`).
    InvalidProfile,
    /// The email address needs an approval by a Microsoft 365 administrator: approved in Dynamics 365,
    /// but "approved by Microsoft 365 admin" (`isemailaddressapprovedbyo365admin`) is not set.
    NeedsO365AdminApproval,
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

/// Who acts on a cause and where it is documented (the words are in the catalogue:
/// [`AlertCause::cause_text`], [`AlertCause::fix_text`]).
struct Explanation {
    actor: Actor,
    severity: Severity,
    doc: &'static str,
}

impl AlertCause {
    /// Every cause, in the order findings are listed.
    pub const ALL: [AlertCause; 17] = [
        AlertCause::InvalidProfile,
        AlertCause::NeedsO365AdminApproval,
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
            AlertCause::NeedsO365AdminApproval => "needs-microsoft-365-admin-approval",
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

    /// The stable code in the alert text that identifies the cause, if it has one: the HRESULT the
    /// troubleshooting article is named after (lower-case hex, matched with or without `0x`) or an
    /// Exchange / Dynamics error name. These are the same in every language Dynamics 365 ships.
    /// `tracelog.tracecode` is a plain integer (reference §7), not this HRESULT, so it is not used.
    pub fn code(self) -> Option<&'static str> {
        match self {
            AlertCause::InvalidProfile => Some("invalidincomingemailserverprofile"),
            AlertCause::MissingPrivileges => Some("8005e259"),
            AlertCause::OwnerLacksPrivileges => Some("80048306"),
            AlertCause::Unauthorized => Some("8005e272"),
            AlertCause::UserDisabled => Some("8005e273"),
            AlertCause::NotEnabledForRest => Some("8005e274"),
            AlertCause::NoExchangeLicence => Some("8005e276"),
            AlertCause::InvalidLicence => Some("errorinvalidlicense"),
            AlertCause::SendingQuota => Some("errorsubmissionquotaexceeded"),
            AlertCause::MailboxFull => Some("errorquotaexceeded"),
            _ => None,
        }
    }

    /// Text fragments that identify the cause (compared after [`crate::text::fold`]), checked in
    /// [`AlertCause::ALL`] order after the codes, from `locales/alert-phrases/<tag>.json` of every
    /// language (an org's alerts are in the org's language, not the browser's). English fragments
    /// follow the wording of Microsoft's troubleshooting articles (reference §7, SUP), including the
    /// article's "approval by an Microsoft 365 administrator" (sic). The German, French, Spanish, Dutch
    /// and Japanese fragments are guesses (\[U\]): no public source quotes the localized alert texts,
    /// so they are the terms Dynamics 365's own translations use for the same notions, kept short so
    /// that a slightly different sentence still matches. An alert that matches nothing is shown
    /// verbatim as "unrecognised".
    fn patterns(self) -> impl Iterator<Item = &'static str> {
        crate::i18n::alert_phrases(self.key())
    }

    /// What went wrong, in `lang` (catalogue key `alert.<key>.cause`).
    pub fn cause_text(self, lang: Lang) -> String {
        lang.t(&format!("alert.{}.cause", self.key())).to_owned()
    }

    /// How to fix it, in `lang` (catalogue key `alert.<key>.fix`).
    pub fn fix_text(self, lang: Lang) -> String {
        lang.t(&format!("alert.{}.fix", self.key())).to_owned()
    }

    fn explain(self) -> Explanation {
        use Actor::{DynamicsAdmin, ExchangeAdmin};
        use Severity::{Error, Warning};
        let e = |actor, severity, doc| Explanation { actor, severity, doc };
        match self {
            AlertCause::InvalidProfile => e(DynamicsAdmin, Error, "mailbox-does-not-have-email-server-profile"),
            AlertCause::NeedsO365AdminApproval => e(ExchangeAdmin, Error, links::NEEDS_O365_APPROVAL),
            AlertCause::NotApproved => e(DynamicsAdmin, Error, links::APPROVE_EMAIL),
            AlertCause::AnotherOrganization => e(DynamicsAdmin, Error, links::ACT_ANOTHER_ORG),
            AlertCause::MissingPrivileges => e(DynamicsAdmin, Error, "error-code-8005e259"),
            AlertCause::OwnerLacksPrivileges => {
                e(DynamicsAdmin, Error, "troubleshooting-monitoring-server-side-synchronization")
            }
            AlertCause::Unauthorized => e(ExchangeAdmin, Error, "error-code-8005e272"),
            AlertCause::UserDisabled => e(ExchangeAdmin, Error, "error-code-8005e273"),
            AlertCause::NotEnabledForRest => e(ExchangeAdmin, Error, "error-code-8005e274"),
            AlertCause::NoExchangeLicence => e(ExchangeAdmin, Error, "error-code-8005e276"),
            AlertCause::InvalidLicence => {
                e(ExchangeAdmin, Error, "email-cannot-be-received-because-license-is-invalid-error")
            }
            AlertCause::NoUserFound => e(ExchangeAdmin, Error, "test-enable-fails-for-unrecognized-email-address"),
            AlertCause::Forbidden => e(ExchangeAdmin, Error, "http-server-returned-forbidden-exception"),
            AlertCause::SendingQuota => e(ExchangeAdmin, Warning, "errorsubmissionquotaexceeded-exception"),
            AlertCause::MailboxFull => e(ExchangeAdmin, Error, "errorquotaexceeded-exchange-server-returned-403-error"),
            AlertCause::LocationNotFound => e(
                ExchangeAdmin,
                Error,
                "troubleshooting-monitoring-server-side-synchronization#mailbox-location-could-not-be-determined",
            ),
            AlertCause::TemporaryError => e(
                DynamicsAdmin,
                Warning,
                "troubleshooting-monitoring-server-side-synchronization#mailbox-deliveries-regularly-disabled",
            ),
        }
    }

    /// The remedy SyncReady can run for mailboxes with this cause, if the bulk action is the fix.
    fn remedy(self, mailbox_ids: Vec<String>) -> Option<Remedy> {
        match self {
            AlertCause::InvalidProfile => Some(Remedy::ApplyDefaultSettings { mailbox_ids }),
            AlertCause::NotApproved => Some(Remedy::ApproveMailboxes { mailbox_ids }),
            AlertCause::AnotherOrganization => Some(Remedy::TestAndEnable { mailbox_ids, this_org_only: true }),
            AlertCause::TemporaryError => Some(Remedy::TestAndEnable { mailbox_ids, this_org_only: false }),
            _ => None,
        }
    }
}

/// The known cause of `alert`, if any: first by a stable code in its text, then by wording (English,
/// German, French, Spanish, Dutch, Japanese). `tracecode` is not consulted: it is an integer of
/// Dynamics' own, not the HRESULT the text names.
pub fn decode_alert(alert: &Alert) -> Option<AlertCause> {
    let text = crate::text::fold(&alert.text);
    let by_code = AlertCause::ALL.iter().copied().find(|c| c.code().is_some_and(|code| text.contains(code)));
    by_code.or_else(|| AlertCause::ALL.iter().copied().find(|c| c.patterns().any(|p| text.contains(p))))
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
    let lang = ctx.lang();
    let Some(mailboxes) = &snap.mailboxes else {
        return ctx.unable(STEP, Part::Mailboxes);
    };
    let Some(set) = &snap.alerts else {
        return ctx.unable(STEP, Part::Alerts);
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
    // Grouped by the text with names and addresses replaced; shown with the first alert's own text.
    let mut unknown: Vec<(String, String, Group)> = Vec::new();
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
                let idx = match unknown.iter().position(|(t, _, _)| *t == text) {
                    Some(i) => i,
                    None => {
                        unknown.push((text, alert.text.clone(), Group::new()));
                        unknown.len() - 1
                    }
                };
                if let Some((_, _, g)) = unknown.get_mut(idx) {
                    g.add(regarding, is_profile);
                }
            }
        }
    }

    let mut findings = Vec::new();
    for (cause, group) in &known {
        let x = cause.explain();
        let (cause_text, fix) = (cause.cause_text(lang), cause.fix_text(lang));
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
                tr!(lang, "alerts.finding.profile", cause = capitalise(&cause_text), fix = fix),
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
                tr!(
                    lang,
                    "alerts.finding.mailboxes",
                    mailboxes = count_of(lang, group.mailbox_ids.len(), "count.mailboxes"),
                    cause = cause_text,
                    fix = fix
                ),
            )
            .doc(cause.doc_link());
            f.remedy = match cause {
                // Exchange refused the profile's sign-in: only a mailbox on another profile can be helped
                // by applying the org's default settings.
                AlertCause::Unauthorized => {
                    let default = snap.org.as_ref().and_then(|o| o.default_profile.as_deref());
                    let on: std::collections::HashMap<&str, Option<&str>> =
                        mailboxes.iter().map(|m| (m.id.as_str(), m.profile.as_deref())).collect();
                    let elsewhere: Vec<String> = group
                        .mailbox_ids
                        .iter()
                        .filter(|id| {
                            default.is_some_and(|d| {
                                on.get(id.as_str()).is_some_and(|p| !p.is_some_and(|p| p.eq_ignore_ascii_case(d)))
                            })
                        })
                        .cloned()
                        .collect();
                    (!elsewhere.is_empty()).then_some(Remedy::ApplyDefaultSettings { mailbox_ids: elsewhere })
                }
                _ => cause.remedy(group.mailbox_ids.clone()),
            };
            findings.push(f);
        }
    }
    for (_, text, group) in &unknown {
        let subject = match (group.mailbox_ids.is_empty(), group.profile_ids.first()) {
            (true, Some(p)) => Subject::Profile(p.clone()),
            _ => Subject::Mailboxes(group.mailbox_ids.clone()),
        };
        let on = count_of(lang, group.mailbox_ids.len() + group.profile_ids.len(), "count.records");
        findings.push(
            Finding::new(
                Severity::Warning,
                subject,
                Actor::DynamicsAdmin,
                tr!(lang, "alerts.finding.unrecognised", on = on, text = text),
            )
            .doc(StepId::MailboxAlerts.doc_link()),
        );
    }
    if set.mailboxes_read < set.failing_mailboxes {
        findings.push(Finding::new(
            Severity::Info,
            Subject::Org,
            Actor::DynamicsAdmin,
            tr!(lang, "alerts.finding.partial", read = set.mailboxes_read, failing = set.failing_mailboxes),
        ));
    }

    let with_alerts: HashSet<String> = relevant
        .iter()
        .filter_map(|a| a.regarding.as_deref())
        .filter(|r| !profile_ids.contains(*r))
        .map(str::to_owned)
        .collect();
    let counts = vec![
        Count::plain("failing", lang.t("alerts.count.failing"), set.failing_mailboxes),
        Count::plain("alerts-read-for", lang.t("alerts.count.alerts-read-for"), set.mailboxes_read),
        Count::plain("with-alerts", lang.t("alerts.count.with-alerts"), with_alerts.len()),
        Count::plain("known-causes", lang.t("alerts.count.known-causes"), known.len()),
        Count::plain("unrecognised", lang.t("alerts.count.unrecognised"), unknown.len()),
    ];
    let summary = if set.failing_mailboxes == 0 && relevant.is_empty() {
        lang.t("alerts.summary.none-failing").to_owned()
    } else if relevant.is_empty() {
        tr!(
            lang,
            "alerts.summary.no-alerts",
            mailboxes = count_of(lang, set.failing_mailboxes, "count.failing-mailboxes")
        )
    } else {
        tr!(
            lang,
            "alerts.summary",
            alerts = count_of(lang, relevant.len(), "count.alerts"),
            mailboxes = count_of(lang, with_alerts.len(), "count.mailboxes-on"),
            causes = count_of(lang, known.len(), "count.causes"),
            unrecognised = unknown.len()
        )
    };
    result(STEP, summary, findings, counts)
}

/// Our own cause texts start with an ASCII letter in every catalogue (no Unicode case tables
/// needed; `i18n/tests.rs` checks it).
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| std::iter::once(f.to_ascii_uppercase()).chain(c).collect())
}
