//! Step "Mailboxes keep synchronising" (issue 17): after go-live, live mailboxes classified from
//! their monitoring columns (see [`crate::health`]), plus the item-level failures.

use super::{Context, count_of, unable};
use crate::collect::Part;
use crate::health::{self, HealthState, MailboxHealth};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, Status, StepId, StepResult, Subject};

const STEP: StepId = StepId::KeepSynchronising;

pub(super) fn keep_synchronising(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let (Some(mailboxes), Some(monitoring)) = (&snap.mailboxes, &snap.monitoring) else {
        return unable(STEP, Part::Mailboxes, ctx.errors);
    };
    let Some(now) = ctx.options.now else {
        let why = "the current time is not known".to_owned();
        return StepResult {
            step: STEP,
            status: Status::Unknown(why.clone()),
            summary: format!("Unable to check: {why}"),
            findings: Vec::new(),
            counts: Vec::new(),
        };
    };
    let threshold = ctx.options.delayed_after_secs;
    let all = health::assess(mailboxes, monitoring, now, threshold);
    let with = |s: HealthState| -> Vec<&MailboxHealth> { all.iter().filter(|h| h.state == s).collect() };
    let ids = |hs: &[&MailboxHealth]| -> Vec<String> { hs.iter().map(|h| h.id.clone()).collect() };
    let n = |k: usize| count_of(k, "mailbox", "mailboxes");
    let hours = threshold / 3600;
    let span = if threshold % 3600 == 0 {
        count_of(usize::try_from(hours).unwrap_or(0), "hour", "hours")
    } else {
        format!("{} min", threshold / 60)
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
                format!(
                    "{} failed {} last synchronization cycles. Fix the cause shown in the alerts, then re-test and \
                     enable {}.",
                    n(failing.len()),
                    if failing.len() == 1 { "its" } else { "their" },
                    if failing.len() == 1 { "it" } else { "them" }
                ),
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
                format!(
                    "{} synchronized before and {} now disabled. Re-test and enable {}.",
                    n(disabled.len()),
                    if disabled.len() == 1 { "is" } else { "are" },
                    if disabled.len() == 1 { "it" } else { "them" }
                ),
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
            format!("{} had no successful synchronization for more than {span}.", n(delayed.len())),
        ));
    }
    let backing_off = with(HealthState::BackingOff);
    if !backing_off.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            Subject::Mailboxes(ids(&backing_off)),
            Actor::DynamicsAdmin,
            format!(
                "{} {} backing off: server-side synchronization postponed processing for more than 15 minutes.",
                n(backing_off.len()),
                if backing_off.len() == 1 { "is" } else { "are" }
            ),
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
            format!(
                "{} failed to synchronize in the last days ({} distinct errors; most frequent: {top}).",
                count_of(items, "item", "items"),
                groups.len()
            ),
        );
        if let Some(link) = groups.first().and_then(|g| g.doc_link.clone()) {
            f = f.doc(link);
        }
        findings.push(f);
    }

    let live = all.len();
    let mut counts: Vec<Count> =
        health::state_counts(&all).iter().map(|(s, k)| Count::of(s.key(), s.label(), *k, live)).collect();
    if snap.item_failures.is_some() {
        counts.push(Count::plain("failed-items", "Failed items", items));
    }
    let normal = with(HealthState::Normal).len();
    let summary = if live == 0 {
        "No mailbox has gone live yet.".to_owned()
    } else if normal == live && items == 0 {
        format!("All {} synchronizing normally.", n(live))
    } else {
        format!("{normal} of {} synchronizing normally.", n(live))
    };
    let mut result = super::result(STEP, summary, findings, counts);
    if snap.item_failures.is_none() && result.status == Status::Pass {
        // Mailbox states are fine, but item failures could not be read: say so rather than pass.
        result.status = Status::Unknown(super::why_missing(Part::ItemFailures, ctx.errors));
    }
    result
}
