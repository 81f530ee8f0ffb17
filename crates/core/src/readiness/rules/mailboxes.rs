//! Step "Configure mailboxes": profile and delivery methods of every active user and queue mailbox.

use super::{Context, active_exo, count_of, ids, result, target_profile};
use crate::collect::{Part, Snapshot};
use crate::i18n::Lang;
use crate::model::{ActDeliveryMethod, DeliveryMethod, Mailbox, MailboxKind, RecordState};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};
use crate::{tr, trn};

const STEP: StepId = StepId::MailboxConfiguration;

/// True when "Apply Default Email Settings" would put a mailbox on Exchange Online with SSS: the org
/// default profile is the active Exchange Online profile and every default method is SSS.
pub(super) fn org_defaults_ready(snap: &Snapshot) -> bool {
    let Some(org) = &snap.org else { return false };
    let default_ok = target_profile(snap).is_some_and(|p| org.default_profile.as_deref() == Some(p.id.as_str()));
    let methods_ok = matches!(
        &org.default_email_settings,
        Some(Ok(s)) if s.incoming == Some(DeliveryMethod::ServerSideSync)
            && s.outgoing == Some(DeliveryMethod::ServerSideSync)
            && s.act == Some(ActDeliveryMethod::ServerSideSync)
    );
    default_ok && methods_ok
}

/// Every active user and queue mailbox uses the Exchange Online profile and SSS for email (and, for
/// users, appointments, contacts and tasks).
pub(super) fn mailbox_configuration(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let lang = ctx.lang();
    let Some(all) = &snap.mailboxes else {
        return ctx.unable(STEP, Part::Mailboxes);
    };
    let exo_ids: Option<Vec<&str>> =
        snap.profiles.as_ref().map(|_| active_exo(snap).iter().map(|p| p.id.as_str()).collect());
    let on_exo = |m: &Mailbox| match (&exo_ids, m.profile.as_deref()) {
        (_, None) => false,
        (Some(exo), Some(p)) => exo.contains(&p),
        // Profiles unreadable: any profile counts; the finding below says so.
        (None, Some(_)) => true,
    };
    let ready = org_defaults_ready(snap);
    let mut findings = Vec::new();
    let mut counts = Vec::new();

    // One pass: 50,000 mailboxes make repeated scans noticeable in the browser.
    let mut buckets: [Bucket<'_>; 2] = [Bucket::default(), Bucket::default()];
    let (mut forward, mut inactive, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for m in all {
        let bucket = match (&m.kind, m.state) {
            (MailboxKind::Forward, _) => {
                forward.push(m);
                continue;
            }
            (_, state) if state != RecordState::Active => {
                inactive.push(m);
                continue;
            }
            (MailboxKind::User, _) => &mut buckets[0],
            (MailboxKind::Queue, _) => &mut buckets[1],
            (MailboxKind::Unknown(_), _) => {
                unknown.push(m);
                continue;
            }
        };
        let exo = on_exo(m);
        let sss = m.uses_sss_everywhere();
        bucket.total += 1;
        if exo && sss {
            bucket.ok += 1;
        }
        if m.profile.is_none() {
            bucket.no_profile.push(m);
        } else if !exo {
            bucket.other.push(m);
        }
        if !sss {
            bucket.methods.push(m);
        }
    }
    let configured = buckets[0].ok + buckets[1].ok;
    let in_scope_total = buckets[0].total + buckets[1].total;
    counts.push(Count::of("configured", lang.t("mailboxes.count.configured"), configured, in_scope_total));

    for ((kind, noun), bucket) in [(MailboxKind::User, "user"), (MailboxKind::Queue, "queue")].into_iter().zip(&buckets)
    {
        let key = format!("{noun}s-configured");
        counts.push(Count::of(&key, lang.t(&format!("mailboxes.count.{key}")), bucket.ok, bucket.total));
        let these = |n: usize| count_of(lang, n, &format!("count.{noun}-mailboxes"));
        let Bucket { no_profile, other, methods, .. } = bucket;

        if !no_profile.is_empty() {
            let msg = trn!(lang, "mailboxes.finding.no-profile", no_profile.len(), mailboxes = these(no_profile.len()));
            findings.push(apply_defaults(msg, no_profile, ready, lang));
        }
        if !other.is_empty() {
            // Distinct profile ids first: thousands of mailboxes share a handful of profiles.
            let mut seen: Vec<&str> = Vec::new();
            for id in other.iter().filter_map(|m| m.profile.as_deref()) {
                if !seen.contains(&id) {
                    seen.push(id);
                }
            }
            let mut names: Vec<String> = Vec::new();
            for id in seen {
                let name = snap.profiles.iter().flatten().find(|p| p.id == id).map_or_else(
                    || lang.t("mailboxes.unknown-profile").to_owned(),
                    |p| tr!(lang, "profile.name", name = p.name),
                );
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            let msg = trn!(
                lang,
                "mailboxes.finding.other-profile",
                other.len(),
                mailboxes = these(other.len()),
                names = names.join(", ")
            );
            findings.push(apply_defaults(msg, other, ready, lang));
        }
        if !methods.is_empty() {
            let not = |f: &dyn Fn(&Mailbox) -> bool| methods.iter().filter(|m| f(m)).count();
            let incoming = not(&|m| m.incoming != Some(DeliveryMethod::ServerSideSync));
            let outgoing = not(&|m| m.outgoing != Some(DeliveryMethod::ServerSideSync));
            let act = not(&|m| m.kind == MailboxKind::User && m.act != Some(ActDeliveryMethod::ServerSideSync));
            let mut parts = vec![
                tr!(lang, "mailboxes.part.incoming", n = incoming),
                tr!(lang, "mailboxes.part.outgoing", n = outgoing),
            ];
            if kind == MailboxKind::User {
                parts.push(tr!(lang, "mailboxes.part.act", n = act));
            }
            let msg = trn!(
                lang,
                "mailboxes.finding.methods",
                methods.len(),
                mailboxes = these(methods.len()),
                parts = parts.join(", ")
            );
            findings.push(apply_defaults(msg, methods, ready, lang));
        }
    }

    if snap.profiles.is_none() {
        findings.push(Finding::new(
            Severity::Warning,
            Subject::Org,
            Actor::DynamicsAdmin,
            tr!(lang, "mailboxes.finding.profiles-unread", why = ctx.why_missing(Part::Profiles)),
        ));
    }

    counts.push(Count::plain("forward", lang.t("mailboxes.count.forward"), forward.len()));
    counts.push(Count::plain("inactive", lang.t("mailboxes.count.inactive"), inactive.len()));
    if !forward.is_empty() || !inactive.is_empty() || !unknown.is_empty() {
        let mut parts = Vec::new();
        if !forward.is_empty() {
            parts.push(count_of(lang, forward.len(), "count.forward-mailboxes"));
        }
        if !inactive.is_empty() {
            parts.push(count_of(lang, inactive.len(), "count.inactive-mailboxes"));
        }
        if !unknown.is_empty() {
            parts.push(count_of(lang, unknown.len(), "count.other-mailboxes"));
        }
        findings.push(Finding::new(
            Severity::Info,
            Subject::Mailboxes(ids(forward.iter().chain(&inactive).chain(&unknown).copied())),
            Actor::DynamicsAdmin,
            tr!(lang, "mailboxes.finding.not-counted", parts = parts.join(", ")),
        ));
    }

    let summary = if in_scope_total == 0 {
        lang.t("summary.no-mailboxes").to_owned()
    } else {
        tr!(lang, "mailboxes.summary", configured = configured, total = in_scope_total)
    };
    result(STEP, summary, findings, counts)
}

/// Mailboxes of one kind, sorted by what is wrong with them.
#[derive(Default)]
struct Bucket<'a> {
    total: usize,
    ok: usize,
    no_profile: Vec<&'a Mailbox>,
    other: Vec<&'a Mailbox>,
    methods: Vec<&'a Mailbox>,
}

/// An error finding for `mailboxes`, with "Apply Default Email Settings" as remedy when the org
/// defaults are right, or advice to fix them first.
fn apply_defaults(message: String, mailboxes: &[&Mailbox], ready: bool, lang: Lang) -> Finding {
    let subject = Subject::Mailboxes(ids(mailboxes.iter().copied()));
    if ready {
        Finding::new(
            Severity::Error,
            subject,
            Actor::DynamicsAdmin,
            tr!(lang, "mailboxes.apply-defaults", message = message),
        )
        .remedy(Remedy::ApplyDefaultSettings { mailbox_ids: ids(mailboxes.iter().copied()) })
        .doc(StepId::MailboxConfiguration.doc_link())
    } else {
        Finding::new(
            Severity::Error,
            subject,
            Actor::DynamicsAdmin,
            tr!(lang, "mailboxes.fix-defaults-first", message = message),
        )
        .doc(StepId::MailboxConfiguration.doc_link())
    }
}
