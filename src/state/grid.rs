//! The mailbox drill-down grid: view rows, filters and the virtual-scroll window.
//!
//! At 50,000 mailboxes the grid must stay responsive, so rows are built once per snapshot, filtering
//! returns indices (no clones), and only the rows inside the scroll window are rendered.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use syncready_core::collect::Snapshot;
use syncready_core::i18n::Lang;
use syncready_core::model::{ApprovalState, Mailbox, MailboxKind, RecordState, TestStatus};
use syncready_core::text::fold;
use syncready_core::tr;

/// One mailbox as the grid shows it (all text, ready to render).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxRow {
    /// `mailboxid`.
    pub id: String,
    /// Owner name.
    pub name: String,
    /// SMTP address.
    pub email: String,
    /// "User", "Queue", "Forward" or "Other", in the grid's language.
    pub kind: &'static str,
    /// User or queue, for the kind filter ([`KindFilter::All`] for forward and other mailboxes, which
    /// only "Users and queues" shows).
    pub kind_group: KindFilter,
    /// Profile name, or "(none)" in the grid's language.
    pub profile: String,
    /// "Approved" (with "Microsoft 365 admin: yes / not set" when read), "Pending approval", "Rejected",
    /// "Empty", in the grid's language.
    pub approval: &'static str,
    /// Test results per direction, e.g. "In ✓ · Out ✗ · ACT –", in the grid's language.
    pub tests: String,
    /// Whether any direction failed.
    pub failed: bool,
    /// Test outcome over all directions, for the test filter.
    pub test_outcome: TestOutcome,
    /// Approval, for the approval filter.
    pub approval_state: ApprovalFilter,
    /// Whether the mailbox is inactive.
    pub inactive: bool,
    /// The one problem the narrow (side panel) list shows beside the name.
    pub problem: Problem,
    /// Case-folded text searched by the search box (`syncready_core::text::fold`).
    search_text: String,
}

/// The approval cell; an approved mailbox also shows "approved by Microsoft 365 admin"
/// (`isemailaddressapprovedbyo365admin`) when it was read.
fn approval_label(a: ApprovalState, o365: Option<bool>, lang: Lang) -> &'static str {
    lang.t(match a {
        ApprovalState::Approved if o365 == Some(true) => "grid.approval.approved-by-admin",
        ApprovalState::Approved if o365 == Some(false) => "grid.approval.approved-admin-not-set",
        ApprovalState::Approved => "grid.approval.approved",
        ApprovalState::Pending => "grid.approval.pending",
        ApprovalState::Rejected => "grid.approval.rejected",
        ApprovalState::Empty => "grid.approval.empty",
        ApprovalState::Unknown(_) => "grid.approval.unknown",
    })
}

fn test_mark(s: Option<TestStatus>) -> &'static str {
    match s {
        Some(TestStatus::Success) => "✓",
        Some(TestStatus::Failure) => "✗",
        Some(TestStatus::NotRun) | None => "–",
        Some(TestStatus::Unknown(_)) => "?",
    }
}

fn kind_label(k: &MailboxKind, lang: Lang) -> &'static str {
    lang.t(match k {
        MailboxKind::User => "grid.kind.user",
        MailboxKind::Queue => "grid.kind.queue",
        MailboxKind::Forward => "grid.kind.forward",
        MailboxKind::Unknown(_) => "grid.kind.unknown",
    })
}

impl MailboxRow {
    fn new(m: &Mailbox, profile_names: &HashMap<&str, &str>, lang: Lang) -> Self {
        let profile = m.profile.as_deref().map_or_else(
            || lang.t("grid.profile.none").to_owned(),
            |p| profile_names.get(p).map_or_else(|| p.to_owned(), |n| (*n).to_owned()),
        );
        let email = m.email.clone().unwrap_or_default();
        let failed =
            [m.incoming_status, m.outgoing_status, m.act_status].contains(&Some(TestStatus::Failure));
        let search_text = fold(&format!("{} {} {}", m.name, email, profile));
        let directions = [m.incoming_status, m.outgoing_status];
        let test_outcome = if failed {
            TestOutcome::Failed
        } else if directions.iter().all(|d| *d == Some(TestStatus::Success)) {
            TestOutcome::Passed
        } else {
            TestOutcome::NotRun
        };
        let approval_state = match m.approval {
            ApprovalState::Approved => ApprovalFilter::Approved,
            ApprovalState::Rejected => ApprovalFilter::Rejected,
            ApprovalState::Pending | ApprovalState::Empty | ApprovalState::Unknown(_) => {
                ApprovalFilter::NotApproved
            }
        };
        let inactive = m.state != RecordState::Active;
        let problem = Problem::of(inactive, m.profile.is_some(), approval_state, test_outcome);
        Self {
            id: m.id.clone(),
            name: m.name.clone(),
            email,
            kind: kind_label(&m.kind, lang),
            kind_group: match m.kind {
                MailboxKind::User => KindFilter::User,
                MailboxKind::Queue => KindFilter::Queue,
                MailboxKind::Forward | MailboxKind::Unknown(_) => KindFilter::All,
            },
            profile,
            approval: approval_label(m.approval, m.approved_by_o365_admin, lang),
            tests: tr!(
                lang,
                "grid.tests",
                incoming = test_mark(m.incoming_status),
                outgoing = test_mark(m.outgoing_status),
                act = test_mark(m.act_status)
            ),
            failed,
            test_outcome,
            approval_state,
            inactive,
            problem,
            search_text,
        }
    }
}

/// The one thing that stands between a mailbox and working server-side synchronization, in the order
/// of Microsoft's procedure (profile, approval, Test & Enable), so a two-line row can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The mailbox is inactive (reported apart; nothing else matters until it is active).
    Inactive,
    /// No email server profile.
    NoProfile,
    /// Approval was rejected.
    Rejected,
    /// Not approved (pending, empty or unknown).
    NotApproved,
    /// A Test & Enable direction failed.
    TestFailed,
    /// Incoming or outgoing has not been tested.
    NotTested,
    /// Nothing left to do.
    Ready,
}

impl Problem {
    /// The problem of a mailbox with these facts: the first unmet step of the procedure.
    pub fn of(inactive: bool, has_profile: bool, approval: ApprovalFilter, tests: TestOutcome) -> Self {
        if inactive {
            Self::Inactive
        } else if !has_profile {
            Self::NoProfile
        } else if approval == ApprovalFilter::Rejected {
            Self::Rejected
        } else if approval != ApprovalFilter::Approved {
            Self::NotApproved
        } else if tests == TestOutcome::Failed {
            Self::TestFailed
        } else if tests != TestOutcome::Passed {
            Self::NotTested
        } else {
            Self::Ready
        }
    }

    /// Short label, in English ([`Problem::label_in`]).
    pub fn label(self) -> &'static str {
        self.label_in(syncready_core::i18n::Lang::english())
    }

    /// Short label in `lang` (catalogue keys `ui.problem.*`).
    pub fn label_in(self, lang: syncready_core::i18n::Lang) -> &'static str {
        lang.t(match self {
            Self::Inactive => "ui.problem.inactive",
            Self::NoProfile => "ui.problem.no-profile",
            Self::Rejected => "ui.problem.rejected",
            Self::NotApproved => "ui.problem.not-approved",
            Self::TestFailed => "ui.problem.test-failed",
            Self::NotTested => "ui.problem.not-tested",
            Self::Ready => "ui.problem.ready",
        })
    }

    /// Tone for the badge's CSS class: `fail`, `warn`, `pass` or `unknown`.
    pub fn tone(self) -> &'static str {
        match self {
            Self::TestFailed | Self::Rejected | Self::NoProfile => "fail",
            Self::NotApproved | Self::NotTested => "warn",
            Self::Ready => "pass",
            Self::Inactive => "unknown",
        }
    }
}

/// Builds the grid rows for every mailbox in the snapshot, in snapshot order, in English.
pub fn rows(snapshot: &Snapshot) -> Vec<MailboxRow> {
    rows_in(snapshot, Lang::english())
}

/// Builds the grid rows with their texts in `lang` (`grid.*`).
pub fn rows_in(snapshot: &Snapshot, lang: Lang) -> Vec<MailboxRow> {
    let profile_names: HashMap<&str, &str> =
        snapshot.profiles.iter().flatten().map(|p| (p.id.as_str(), p.name.as_str())).collect();
    snapshot.mailboxes.iter().flatten().map(|m| MailboxRow::new(m, &profile_names, lang)).collect()
}

impl MailboxRow {
    /// The narrow layout's detail line: "name: kind · profile · approval · tests", in `lang`.
    pub fn detail_in(&self, lang: Lang) -> String {
        tr!(
            lang,
            "grid.detail",
            name = self.name,
            kind = self.kind,
            profile = self.profile,
            approval = self.approval,
            tests = self.tests
        )
    }
}

/// Which kind of mailbox to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindFilter {
    /// All.
    #[default]
    All,
    /// User mailboxes.
    User,
    /// Queue mailboxes.
    Queue,
}

impl KindFilter {
    /// Every filter choice, with its `<option>` value and the catalogue key of its label.
    pub const CHOICES: [(Self, &'static str, &'static str); 3] = [
        (Self::All, "all", "ui.grid.kind.all"),
        (Self::User, "user", "ui.grid.kind.user"),
        (Self::Queue, "queue", "ui.grid.kind.queue"),
    ];
}

/// A mailbox's test results taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TestOutcome {
    /// Any filter value (as a filter only).
    #[default]
    Any,
    /// A direction failed.
    Failed,
    /// Incoming or outgoing has not been tested (and nothing failed).
    NotRun,
    /// Incoming and outgoing succeeded.
    Passed,
}

impl TestOutcome {
    /// Every filter choice, with its `<option>` value and the catalogue key of its label.
    pub const CHOICES: [(Self, &'static str, &'static str); 4] = [
        (Self::Any, "any", "ui.grid.tests.any"),
        (Self::Failed, "failed", "ui.grid.tests.failed"),
        (Self::NotRun, "not-run", "ui.grid.tests.not-run"),
        (Self::Passed, "passed", "ui.grid.tests.passed"),
    ];
}

/// A mailbox's approval, grouped as the admin acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApprovalFilter {
    /// Any approval (as a filter only).
    #[default]
    Any,
    /// Approved.
    Approved,
    /// Pending, empty or an unknown value: email is not processed while approval is required.
    NotApproved,
    /// Rejected.
    Rejected,
}

impl ApprovalFilter {
    /// Every filter choice, with its `<option>` value and the catalogue key of its label.
    pub const CHOICES: [(Self, &'static str, &'static str); 4] = [
        (Self::Any, "any", "ui.grid.approval.any"),
        (Self::Approved, "approved", "ui.grid.approval.approved"),
        (Self::NotApproved, "not-approved", "ui.grid.approval.not-approved"),
        (Self::Rejected, "rejected", "ui.grid.approval.rejected"),
    ];
}

/// The choice whose `<option>` value is `value` (the first, "any", when unknown).
pub fn choice<T: Copy>(choices: &[(T, &'static str, &'static str)], value: &str) -> Option<T> {
    choices.iter().find(|(_, v, _)| *v == value).or(choices.first()).map(|(c, _, _)| *c)
}

/// The `<option>` value of `current` (the first choice's when it is not listed).
pub fn value_of<T: Copy + PartialEq>(
    choices: &[(T, &'static str, &'static str)],
    current: T,
) -> &'static str {
    choices.iter().find(|(c, _, _)| *c == current).or(choices.first()).map_or("", |(_, v, _)| v)
}

/// The `(value, label)` pairs of `choices`, for a `<select>`, labelled in `lang`.
pub fn choice_options<T>(choices: &[(T, &'static str, &'static str)], lang: Lang) -> Vec<(String, String)> {
    choices.iter().map(|(_, v, key)| ((*v).to_owned(), lang.t(key).to_owned())).collect()
}

/// The distinct profile names of `rows`, sorted, for the profile filter.
pub fn profile_names(rows: &[MailboxRow]) -> Vec<String> {
    let mut names: Vec<String> = rows.iter().map(|r| r.profile.clone()).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The grid's filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GridFilter {
    /// Only these mailbox ids (a finding's drill-down); `None` = all.
    pub only: Option<Arc<HashSet<String>>>,
    /// Kind filter.
    pub kind: KindFilter,
    /// Test outcome.
    pub tests: TestOutcome,
    /// Approval.
    pub approval: ApprovalFilter,
    /// Only mailboxes on this profile (by name as the rows show it, "(none)" in their language for none).
    pub profile: Option<String>,
    /// Case-insensitive search over name, address and profile.
    pub search: String,
}

/// Indices of the rows that pass `filter`, in order.
pub fn apply(rows: &[MailboxRow], filter: &GridFilter) -> Vec<usize> {
    let needle = fold(filter.search.trim());
    rows.iter()
        .enumerate()
        .filter(|(_, r)| filter.only.as_ref().is_none_or(|ids| ids.contains(&r.id)))
        .filter(|(_, r)| match filter.kind {
            KindFilter::All => true,
            KindFilter::User | KindFilter::Queue => r.kind_group == filter.kind,
        })
        .filter(|(_, r)| filter.tests == TestOutcome::Any || r.test_outcome == filter.tests)
        .filter(|(_, r)| filter.approval == ApprovalFilter::Any || r.approval_state == filter.approval)
        .filter(|(_, r)| filter.profile.as_ref().is_none_or(|p| &r.profile == p))
        .filter(|(_, r)| needle.is_empty() || r.search_text.contains(&needle))
        .map(|(i, _)| i)
        .collect()
}

/// The rows to render for a scroll position: `[start, end)` over `total` rows of `row_height`
/// pixels in a viewport of `viewport` pixels, with `overscan` extra rows on each side.
pub fn window(
    total: usize,
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
) -> (usize, usize) {
    if total == 0 || row_height <= 0.0 {
        return (0, 0);
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let visible = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(total);
    let end = (first + visible + overscan).min(total);
    (start, end)
}

/// Where the keyboard cursor goes for `key` (`ArrowDown`, `ArrowUp`, `PageDown`, `PageUp`, `Home`,
/// `End`) over `total` rows with `page` rows per screen; `None` for keys the grid does not handle.
pub fn move_cursor(cursor: usize, key: &str, total: usize, page: usize) -> Option<usize> {
    if total == 0 {
        return None;
    }
    let last = total - 1;
    let page = page.max(1);
    let next = match key {
        "ArrowDown" => cursor.saturating_add(1),
        "ArrowUp" => cursor.saturating_sub(1),
        "PageDown" => cursor.saturating_add(page),
        "PageUp" => cursor.saturating_sub(page),
        "Home" => 0,
        "End" => last,
        _ => return None,
    };
    Some(next.min(last))
}

/// The scroll position that keeps row `cursor` in view, moving as little as possible.
pub fn scroll_to_show(cursor: usize, scroll_top: f64, viewport: f64, row_height: f64) -> f64 {
    let top = cursor as f64 * row_height;
    let bottom = top + row_height;
    if top < scroll_top {
        top
    } else if bottom > scroll_top + viewport {
        (bottom - viewport).max(0.0)
    } else {
        scroll_top
    }
}
