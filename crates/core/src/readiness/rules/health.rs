//! Step "Mailboxes keep synchronising" (issue 17): after go-live, live mailboxes classified from
//! their monitoring columns (see [`crate::health`]), plus the item-level failures.

use super::{Context, count_of};
use crate::collect::Part;
use crate::health::{self, HealthState, MailboxHealth};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, Status, StepId, StepResult, Subject};
use crate::{tr, trn};

const STEP: StepId = StepId::KeepSynchronising;

pub(super) fn keep_synchronising(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let lang = ctx.lang();
    let (Some(mailboxes), Some(monitoring)) = (&snap.mailboxes, &snap.monitoring) else {
        return ctx.unable(STEP, Part::Mailboxes);
    };
    let Some(now) = ctx.options.now else {
        return super::unable_because(STEP, lang.t("unable.no-time").to_owned(), lang);
    };
    let threshold = ctx.options.delayed_after_secs;
    let all = health::assess(mailboxes, monitoring, now, threshold);
    let with = |s: HealthState| -> Vec<&MailboxHealth> { all.iter().filter(|h| h.state == s).collect() };
    let ids = |hs: &[&MailboxHealth]| -> Vec<String> { hs.iter().map(|h| h.id.clone()).collect() };
    let n = |k: usize| count_of(lang, k, "count.mailboxes");
    let hours = threshold / 3600;
    let span = if threshold % 3600 == 0 {
        count_of(lang, usize::try_from(hours).unwrap_or(0), "count.hours")
    } else {
        tr!(lang, "count.minutes-short", n = threshold / 60)
    };

    let mut findings = Vec::new();
    let failing = with(HealthState::Failing);
    let disabled = with(HealthState::DisabledSincePassed);
    if !failing.is_empty() {
        findings.push(
            Finding::new(
                Severity::Error,
                Subject::Mailboxes(ids(&failing)),
                Actor::DynamicsAdmin,
                trn!(lang, "health.finding.failing", failing.len(), mailboxes = n(failing.len())),
            )
            .remedy(Remedy::TestAndEnable { mailbox_ids: ids(&failing), this_org_only: false }),
        );
    }
    if !disabled.is_empty() {
        findings.push(
            Finding::new(
                Severity::Error,
                Subject::Mailboxes(ids(&disabled)),
                Actor::DynamicsAdmin,
                trn!(lang, "health.finding.disabled", disabled.len(), mailboxes = n(disabled.len())),
            )
            .remedy(Remedy::TestAndEnable { mailbox_ids: ids(&disabled), this_org_only: false }),
        );
    }
    let delayed = with(HealthState::Delayed);
    if !delayed.is_empty() {
        findings.push(Finding::new(
            Severity::Warning,
            Subject::Mailboxes(ids(&delayed)),
            Actor::DynamicsAdmin,
            tr!(lang, "health.finding.delayed", mailboxes = n(delayed.len()), span = span),
        ));
    }
    let backing_off = with(HealthState::BackingOff);
    if !backing_off.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            Subject::Mailboxes(ids(&backing_off)),
            Actor::DynamicsAdmin,
            trn!(lang, "health.finding.backing-off", backing_off.len(), mailboxes = n(backing_off.len())),
        ));
    }
    let items = snap.item_failures.as_ref().map_or(0, Vec::len);
    if items > 0 {
        let groups = health::failures_by_error(snap.item_failures.as_deref().unwrap_or_default());
        let top = groups.first().map(|g| g.error.clone()).unwrap_or_default();
        let mut f = Finding::new(
            Severity::Warning,
            Subject::Org,
            Actor::DynamicsAdmin,
            tr!(
                lang,
                "health.finding.items",
                items = count_of(lang, items, "count.items"),
                errors = groups.len(),
                top = top
            ),
        );
        if let Some(link) = groups.first().and_then(|g| g.doc_link.clone()) {
            f = f.doc(link);
        }
        findings.push(f);
    }

    let live = all.len();
    let mut counts: Vec<Count> =
        health::state_counts(&all).iter().map(|(s, k)| Count::of(s.key(), s.label_in(lang), *k, live)).collect();
    if snap.item_failures.is_some() {
        counts.push(Count::plain("failed-items", lang.t("health.count.failed-items"), items));
    }
    let normal = with(HealthState::Normal).len();
    let summary = if live == 0 {
        lang.t("health.summary.none").to_owned()
    } else if normal == live && items == 0 {
        tr!(lang, "health.summary.all", mailboxes = n(live))
    } else {
        tr!(lang, "health.summary.some", normal = normal, mailboxes = n(live))
    };
    let mut result = super::result(STEP, summary, findings, counts);
    if snap.item_failures.is_none() && result.status == Status::Pass {
        // Mailbox states are fine, but item failures could not be read: say so rather than pass.
        result.status = Status::Unknown(ctx.why_missing(Part::ItemFailures));
    }
    result
}
