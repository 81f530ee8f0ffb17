//! Step "Test configuration of mailboxes": test results per direction, disabled and stuck mailboxes.

use super::alerts::{AlertCause, mailboxes_with};
use super::{Context, count_of, ids, in_scope, result};
use crate::collect::Part;
use crate::model::{ActDeliveryMethod, DeliveryMethod, Mailbox, MailboxKind, TestStatus};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};
use crate::{tr, trn};

const STEP: StepId = StepId::TestAndEnable;

/// A synchronization direction of a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Incoming,
    Outgoing,
    Act,
}

impl Direction {
    /// Catalogue key of the direction's name.
    fn label(self) -> &'static str {
        match self {
            Direction::Incoming => "direction.incoming",
            Direction::Outgoing => "direction.outgoing",
            Direction::Act => "direction.act",
        }
    }

    /// The directions of `m` that use SSS (queues have no ACT synchronization). Returned in a fixed
    /// array to avoid an allocation per mailbox.
    fn on_sss(m: &Mailbox) -> ([Direction; 3], usize) {
        let mut out = [Direction::Incoming; 3];
        let mut n = 0;
        let wanted = [
            (m.incoming == Some(DeliveryMethod::ServerSideSync), Direction::Incoming),
            (m.outgoing == Some(DeliveryMethod::ServerSideSync), Direction::Outgoing),
            (m.kind == MailboxKind::User && m.act == Some(ActDeliveryMethod::ServerSideSync), Direction::Act),
        ];
        for (on, d) in wanted {
            if on && let Some(slot) = out.get_mut(n) {
                *slot = d;
                n += 1;
            }
        }
        (out, n)
    }

    fn status(self, m: &Mailbox) -> Option<TestStatus> {
        match self {
            Direction::Incoming => m.incoming_status,
            Direction::Outgoing => m.outgoing_status,
            Direction::Act => m.act_status,
        }
    }

    fn enabled(self, m: &Mailbox) -> bool {
        match self {
            Direction::Incoming => m.enabled_incoming,
            Direction::Outgoing => m.enabled_outgoing,
            Direction::Act => m.enabled_act,
        }
    }
}

/// Where a mailbox stands with Test & Enable.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Passed,
    NeverTested,
    Scheduled,
    Stuck,
    /// The failed directions (at most three, so no allocation).
    Failed([Option<Direction>; 3]),
    Disabled,
}

fn classify(m: &Mailbox, dirs: &[Direction], ctx: &Context<'_>) -> State {
    if m.test_scheduled {
        let overdue = match (ctx.options.now, m.postpone_test_until) {
            (Some(now), Some(due)) => now.secs_since(due) > ctx.options.stuck_after_secs,
            _ => false,
        };
        return if overdue { State::Stuck } else { State::Scheduled };
    }
    let mut failed = [None; 3];
    let mut any = false;
    for (slot, d) in failed.iter_mut().zip(dirs.iter().copied().filter(|d| d.status(m) == Some(TestStatus::Failure))) {
        *slot = Some(d);
        any = true;
    }
    if any {
        return State::Failed(failed);
    }
    if dirs.iter().any(|d| !d.enabled(m)) {
        return State::Disabled;
    }
    if dirs.iter().all(|d| d.status(m) == Some(TestStatus::Success)) { State::Passed } else { State::NeverTested }
}

/// Test results of every active user and queue mailbox on SSS.
pub(super) fn test_and_enable(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    let lang = ctx.lang();
    if snap.mailboxes.is_none() {
        return ctx.unable(STEP, Part::Mailboxes);
    }
    let other_org = mailboxes_with(snap, AlertCause::AnotherOrganization);
    let mut on_sss = 0;
    let (mut passed, mut never, mut scheduled, mut stuck, mut disabled) = (vec![], vec![], vec![], vec![], vec![]);
    // Per direction only counts; the mailboxes go into one list, so one Test & Enable covers them.
    let mut failed_per_direction = [0usize; 3];
    let mut failed_here: Vec<&Mailbox> = Vec::new();
    let (mut failed_here_dirs, mut disabled_after_failure) = ([0usize; 3], 0);
    let mut elsewhere: Vec<&Mailbox> = Vec::new();
    let mut failed_any = 0;
    for m in in_scope(snap) {
        let (dirs, n) = Direction::on_sss(m);
        let dirs = dirs.get(..n).unwrap_or_default();
        if dirs.is_empty() {
            continue;
        }
        on_sss += 1;
        match classify(m, dirs, ctx) {
            State::Passed => passed.push(m),
            State::NeverTested => never.push(m),
            State::Scheduled => scheduled.push(m),
            State::Stuck => stuck.push(m),
            State::Disabled => disabled.push(m),
            State::Failed(ds) => {
                failed_any += 1;
                // ACT failing because another org syncs the mailbox has its own fix.
                let other_org_act = ds.contains(&Some(Direction::Act)) && other_org.contains(&m.id);
                if other_org_act {
                    elsewhere.push(m);
                }
                let mut here = false;
                for d in ds.into_iter().flatten() {
                    if let Some(c) = failed_per_direction.get_mut(d as usize) {
                        *c += 1;
                    }
                    if !(other_org_act && d == Direction::Act) {
                        here = true;
                        if let Some(c) = failed_here_dirs.get_mut(d as usize) {
                            *c += 1;
                        }
                    }
                }
                if here {
                    failed_here.push(m);
                    if dirs.iter().any(|d| !d.enabled(m)) {
                        disabled_after_failure += 1;
                    }
                }
            }
        }
    }

    let mut findings = Vec::new();
    let test = |ms: &[&Mailbox], this_org_only: bool| Remedy::TestAndEnable {
        mailbox_ids: ids(ms.iter().copied()),
        this_org_only,
    };
    let mailboxes = |n: usize| count_of(lang, n, "count.mailboxes");
    if !failed_here.is_empty() {
        let per: Vec<String> = [Direction::Incoming, Direction::Outgoing, Direction::Act]
            .into_iter()
            .zip(failed_here_dirs)
            .filter(|(_, n)| *n > 0)
            .map(|(d, n)| tr!(lang, "test.per-direction", direction = lang.t(d.label()), n = n))
            .collect();
        let off = if disabled_after_failure > 0 {
            tr!(lang, "test.now-disabled", n = disabled_after_failure)
        } else {
            String::new()
        };
        let tip = if failed_here_dirs[2] > 0 { lang.t("test.tip-this-org-only") } else { "" };
        findings.push(
            Finding::new(
                Severity::Error,
                Subject::Mailboxes(ids(failed_here.iter().copied())),
                Actor::DynamicsAdmin,
                tr!(
                    lang,
                    "test.finding.failed",
                    mailboxes = mailboxes(failed_here.len()),
                    directions = per.join(", "),
                    off = off,
                    tip = tip
                ),
            )
            .remedy(test(&failed_here, false)),
        );
    }
    if !elsewhere.is_empty() {
        findings.push(
            Finding::new(
                Severity::Error,
                Subject::Mailboxes(ids(elsewhere.iter().copied())),
                Actor::DynamicsAdmin,
                trn!(lang, "test.finding.elsewhere", elsewhere.len(), mailboxes = mailboxes(elsewhere.len())),
            )
            .remedy(test(&elsewhere, true))
            .doc(AlertCause::AnotherOrganization.doc_link()),
        );
    }
    if !disabled.is_empty() {
        findings.push(
            Finding::new(
                Severity::Warning,
                Subject::Mailboxes(ids(disabled.iter().copied())),
                Actor::DynamicsAdmin,
                trn!(lang, "test.finding.disabled", disabled.len(), mailboxes = mailboxes(disabled.len())),
            )
            .remedy(test(&disabled, false)),
        );
    }
    if !never.is_empty() {
        findings.push(
            Finding::new(
                Severity::Warning,
                Subject::Mailboxes(ids(never.iter().copied())),
                Actor::DynamicsAdmin,
                trn!(lang, "test.finding.never", never.len(), mailboxes = mailboxes(never.len())),
            )
            .remedy(test(&never, false)),
        );
    }
    if !stuck.is_empty() {
        findings.push(
            Finding::new(
                Severity::Warning,
                Subject::Mailboxes(ids(stuck.iter().copied())),
                Actor::DynamicsAdmin,
                trn!(
                    lang,
                    "test.finding.stuck",
                    stuck.len(),
                    mailboxes = mailboxes(stuck.len()),
                    minutes = ctx.options.stuck_after_secs / 60
                ),
            )
            .remedy(test(&stuck, false)),
        );
    }
    if !scheduled.is_empty() {
        let note = if ctx.options.now.is_none() { lang.t("test.no-time-note") } else { "" };
        // Not a fault, but not done either: the checklist shows it as pending until the test ends.
        findings.push(Finding::new(
            Severity::Warning,
            Subject::Mailboxes(ids(scheduled.iter().copied())),
            Actor::DynamicsAdmin,
            trn!(lang, "test.finding.scheduled", scheduled.len(), mailboxes = mailboxes(scheduled.len()), note = note),
        ));
    }

    let counts = vec![
        Count::of("passed", lang.t("test.count.passed"), passed.len(), on_sss),
        Count::plain("failed", lang.t("test.count.failed"), failed_any),
        Count::plain("failed-incoming", lang.t("test.count.failed-incoming"), failed_per_direction[0]),
        Count::plain("failed-outgoing", lang.t("test.count.failed-outgoing"), failed_per_direction[1]),
        Count::plain("failed-act", lang.t("test.count.failed-act"), failed_per_direction[2]),
        // Two different sets, named so that both are true at once: failed mailboxes that are also
        // disabled, and mailboxes disabled with no failed test on record.
        Count::plain("failed-disabled", lang.t("test.count.failed-disabled"), disabled_after_failure),
        Count::plain("disabled", lang.t("test.count.disabled"), disabled.len()),
        Count::plain("never-tested", lang.t("test.count.never-tested"), never.len()),
        Count::plain("scheduled", lang.t("test.count.scheduled"), scheduled.len()),
        Count::plain("stuck", lang.t("test.count.stuck"), stuck.len()),
    ];
    let summary = if on_sss == 0 {
        lang.t("test.summary.none").to_owned()
    } else {
        tr!(lang, "test.summary", passed = passed.len(), total = on_sss)
    };
    result(STEP, summary, findings, counts)
}
