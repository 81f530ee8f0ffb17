//! Numbers for the two small charts: where the in-scope mailboxes stand, and their test outcomes.

use syncready_core::collect::Snapshot;
use syncready_core::i18n::Lang;
use syncready_core::model::{ApprovalState, Mailbox, MailboxKind, TestStatus};

/// One slice of a donut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// Stable key (CSS class and test hook).
    pub key: &'static str,
    /// Legend text, from the catalogue (`ui.chart.<chart>.<key>`).
    pub label: &'static str,
    /// How many.
    pub value: usize,
}

/// Where each in-scope (active user or queue) mailbox stands, first blocking problem wins:
/// not configured for server-side sync, not approved, a test failed, not tested yet, ready. English.
pub fn readiness(snapshot: &Snapshot, exo_profile: Option<&str>) -> Vec<Slice> {
    readiness_in(snapshot, exo_profile, Lang::english())
}

/// [`readiness`] with its legend in `lang`.
pub fn readiness_in(snapshot: &Snapshot, exo_profile: Option<&str>, lang: Lang) -> Vec<Slice> {
    let mut counts = [0_usize; 5];
    for m in snapshot.mailboxes.iter().flatten().filter(|m| m.is_in_scope()) {
        counts[stage(m, exo_profile)] += 1;
    }
    vec![
        Slice { key: "ready", label: lang.t("ui.chart.readiness.ready"), value: counts[4] },
        Slice { key: "untested", label: lang.t("ui.chart.readiness.untested"), value: counts[3] },
        Slice { key: "failed", label: lang.t("ui.chart.readiness.failed"), value: counts[2] },
        Slice { key: "unapproved", label: lang.t("ui.chart.readiness.unapproved"), value: counts[1] },
        Slice { key: "unconfigured", label: lang.t("ui.chart.readiness.unconfigured"), value: counts[0] },
    ]
}

fn stage(m: &Mailbox, exo_profile: Option<&str>) -> usize {
    let configured = m.uses_sss_everywhere() && exo_profile.is_some_and(|p| m.profile.as_deref() == Some(p));
    let statuses = [m.incoming_status, m.outgoing_status, m.act_status];
    if !configured {
        0
    } else if m.approval != ApprovalState::Approved {
        1
    } else if statuses.contains(&Some(TestStatus::Failure)) {
        2
    } else if m.test_scheduled || statuses.iter().take(2).any(|s| *s != Some(TestStatus::Success)) {
        3
    } else {
        4
    }
}

/// Test outcomes over every direction of every in-scope mailbox (queues have no appointments,
/// contacts and tasks direction). English.
pub fn test_outcomes(snapshot: &Snapshot) -> Vec<Slice> {
    test_outcomes_in(snapshot, Lang::english())
}

/// [`test_outcomes`] with its legend in `lang`.
pub fn test_outcomes_in(snapshot: &Snapshot, lang: Lang) -> Vec<Slice> {
    let (mut ok, mut failed, mut not_run) = (0, 0, 0);
    for m in snapshot.mailboxes.iter().flatten().filter(|m| m.is_in_scope()) {
        let directions = if m.kind == MailboxKind::Queue { 2 } else { 3 };
        for s in [m.incoming_status, m.outgoing_status, m.act_status].into_iter().take(directions) {
            match s {
                Some(TestStatus::Success) => ok += 1,
                Some(TestStatus::Failure) => failed += 1,
                _ => not_run += 1,
            }
        }
    }
    vec![
        Slice { key: "ready", label: lang.t("ui.chart.tests.ready"), value: ok },
        Slice { key: "failed", label: lang.t("ui.chart.tests.failed"), value: failed },
        Slice { key: "untested", label: lang.t("ui.chart.tests.untested"), value: not_run },
    ]
}

/// Stroke segments for an SVG donut drawn with `pathLength="1000"`: `(dash, offset)` per slice, in
/// thousandths, integers only (so no float formatting ends up in the wasm binary).
pub fn segments(slices: &[Slice]) -> Vec<(u32, u32)> {
    let total: usize = slices.iter().map(|s| s.value).sum();
    let mut start = 0_usize;
    slices
        .iter()
        .map(|s| {
            let begin = (start * 1000).checked_div(total).unwrap_or(0);
            start += s.value;
            let end = (start * 1000).checked_div(total).unwrap_or(0);
            (u32::try_from(end - begin).unwrap_or(0), u32::try_from(begin).unwrap_or(0))
        })
        .collect()
}
