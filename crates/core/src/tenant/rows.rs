//! The tenant view's rows: one per environment, sortable, filterable, exportable.

use super::read::{EnvState, PARTS, TenantRead};
use super::{EnvKind, Environment};
use crate::bulk::Millis;
use crate::model::{ActDeliveryMethod, ApprovalState, Mailbox, MailboxKind, TestStatus};
use crate::readiness::{Checklist, RowState, StepId};
use serde::Serialize;

/// One step's mark in the compact strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepMark {
    /// Done.
    Done,
    /// Action needed.
    ActionNeeded,
    /// Blocked by an earlier step.
    Blocked,
    /// Unable to check.
    Unknown,
}

impl StepMark {
    /// Stable key (`done`, `action-needed`, `blocked`, `unknown`).
    pub fn key(self) -> &'static str {
        match self {
            StepMark::Done => "done",
            StepMark::ActionNeeded => "action-needed",
            StepMark::Blocked => "blocked",
            StepMark::Unknown => "unknown",
        }
    }

    /// One character for the CSV strip (`✓`, `!`, `·`, `?`).
    fn glyph(self) -> char {
        match self {
            StepMark::Done => '✓',
            StepMark::ActionNeeded => '!',
            StepMark::Blocked => '·',
            StepMark::Unknown => '?',
        }
    }
}

/// One row of the tenant view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantRow {
    /// Index of the environment in the read.
    pub index: usize,
    /// Organization id (or host, for an org known only by its URL).
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// Its URL.
    pub url: Option<String>,
    /// Production, sandbox, …
    pub kind: EnvKind,
    /// Where its read stands.
    pub state: EnvState,
    /// Progress of the read in percent (100 once read or refused).
    pub percent: u32,
    /// The checklist's steps, in order; empty until read.
    pub steps: Vec<(StepId, StepMark)>,
    /// Mailboxes ready ([`mailbox_ready`]).
    pub ready: usize,
    /// Active user and queue mailboxes.
    pub total: usize,
    /// When it was last read.
    pub last_read: Option<Millis>,
}

impl TenantRow {
    /// Steps done.
    pub fn done(&self) -> usize {
        self.steps.iter().filter(|(_, m)| *m == StepMark::Done).count()
    }

    /// The strip as text, one glyph per step (`✓✓!·?…`).
    pub fn strip(&self) -> String {
        self.steps.iter().map(|(_, m)| m.glyph()).collect()
    }

    /// The read's state as a word: queued, reading, read, or the refusal, in English (the exports
    /// and the row's `data-state`).
    pub fn status_text(&self) -> String {
        match &self.state {
            EnvState::Queued => "queued".to_owned(),
            EnvState::Reading { .. } => "reading".to_owned(),
            EnvState::Read { .. } => "read".to_owned(),
            EnvState::Refused { reason } => reason.to_string(),
        }
    }

    /// The read's state as the tenant view shows it, in `lang`.
    pub fn status_in(&self, lang: crate::i18n::Lang) -> String {
        match &self.state {
            EnvState::Queued => lang.t("tenant.state.queued").to_owned(),
            EnvState::Reading { .. } => lang.t("tenant.state.reading").to_owned(),
            EnvState::Read { .. } => lang.t("tenant.state.read").to_owned(),
            EnvState::Refused { reason } => reason.text_in(lang),
        }
    }
}

/// A mailbox that is ready: active user or queue mailbox, server-side synchronization in every
/// direction it has, approved, enabled, and its last test a success in each.
pub fn mailbox_ready(m: &Mailbox) -> bool {
    let user = m.kind == MailboxKind::User;
    let act_ok = !user
        || (m.act == Some(ActDeliveryMethod::ServerSideSync)
            && m.act_status == Some(TestStatus::Success)
            && m.enabled_act);
    m.is_in_scope()
        && m.uses_sss_everywhere()
        && m.approval == ApprovalState::Approved
        && m.enabled_incoming
        && m.enabled_outgoing
        && m.incoming_status == Some(TestStatus::Success)
        && m.outgoing_status == Some(TestStatus::Success)
        && act_ok
}

fn mark(state: RowState) -> StepMark {
    match state {
        RowState::Done => StepMark::Done,
        RowState::ActionNeeded => StepMark::ActionNeeded,
        RowState::Blocked => StepMark::Blocked,
        RowState::UnableToCheck => StepMark::Unknown,
    }
}

impl TenantRead {
    /// The view's rows. `checklist(i)` is environment `i`'s checklist (the caller evaluates each read
    /// environment with its own time and thresholds, as the single-org view does).
    pub fn rows(&self, checklist: impl Fn(usize) -> Option<Checklist>) -> Vec<TenantRow> {
        self.environments()
            .iter()
            .zip(self.progress())
            .enumerate()
            .map(|(i, (env, p))| {
                let mailboxes = self.result(i).and_then(|r| r.snapshot.mailboxes.as_ref());
                let steps = match &p.state {
                    EnvState::Read { .. } => checklist(i)
                        .map(|c| c.rows.iter().map(|r| (r.step, mark(r.state))).collect())
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let percent = match &p.state {
                    EnvState::Read { .. } | EnvState::Refused { .. } => 100,
                    EnvState::Queued => 0,
                    EnvState::Reading { .. } => (p.parts * 100 / PARTS).min(99),
                };
                row(i, env, p.state.clone(), percent, steps, mailboxes)
            })
            .collect()
    }
}

fn row(
    index: usize,
    env: &Environment,
    state: EnvState,
    percent: u32,
    steps: Vec<(StepId, StepMark)>,
    mailboxes: Option<&Vec<Mailbox>>,
) -> TenantRow {
    let in_scope = mailboxes.into_iter().flatten().filter(|m| m.is_in_scope());
    let (ready, total) = in_scope.fold((0, 0), |(r, t), m| (r + usize::from(mailbox_ready(m)), t + 1));
    let last_read = match state {
        EnvState::Read { at, .. } => Some(at),
        _ => None,
    };
    TenantRow {
        index,
        id: env.id.clone(),
        name: env.name.clone(),
        url: env.url.as_ref().map(|u| u.as_str().to_owned()),
        kind: env.kind,
        state,
        percent,
        steps,
        ready,
        total,
        last_read,
    }
}

/// A column to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SortKey {
    /// Name (case-insensitive).
    Name,
    /// Type (production first).
    Kind,
    /// Steps done.
    Steps,
    /// Share of mailboxes ready.
    Ready,
    /// Last read.
    LastRead,
}

/// Sorts `rows` by `key`, ascending or not; ties keep discovery's order (stable sort).
pub fn sort_rows(rows: &mut [TenantRow], key: SortKey, ascending: bool) {
    crate::order::sort_by(rows, |a, b| {
        let order = match key {
            SortKey::Name => crate::text::fold(&a.name).cmp(&crate::text::fold(&b.name)),
            SortKey::Kind => a.kind.cmp(&b.kind),
            SortKey::Steps => a.done().cmp(&b.done()),
            // ready/total compared without division: a.r * b.t vs b.r * a.t (no mailboxes sorts first).
            SortKey::Ready => (a.ready * b.total.max(1)).cmp(&(b.ready * a.total.max(1))),
            SortKey::LastRead => a.last_read.cmp(&b.last_read),
        };
        if ascending { order } else { order.reverse() }
    });
}

/// What the table shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TenantFilter {
    /// Only this type.
    pub kind: Option<EnvKind>,
    /// Only environments with something to do or that could not be read.
    pub needs_attention: bool,
    /// Name or URL contains this (case-insensitive).
    pub text: Option<String>,
}

impl TenantFilter {
    /// Whether `row` is shown.
    pub fn matches(&self, row: &TenantRow) -> bool {
        let attention = matches!(row.state, EnvState::Refused { .. })
            || row.steps.iter().any(|(_, m)| *m != StepMark::Done)
            || row.ready < row.total;
        let text_ok = self.text.as_deref().filter(|t| !t.trim().is_empty()).is_none_or(|t| {
            let t = crate::text::fold(t.trim());
            crate::text::fold(&row.name).contains(&t) || row.url.as_deref().is_some_and(|u| u.contains(&t))
        });
        self.kind.is_none_or(|k| k == row.kind) && (!self.needs_attention || attention) && text_ok
    }
}

/// RFC 4180 CSV of the rows, every cell quoted and formula-safe (the exports' own cell writer).
/// `last_read` is written by the caller's `time` (the shell knows the epoch of [`Millis`]).
pub fn rows_to_csv(rows: &[TenantRow], time: impl Fn(Millis) -> String) -> String {
    let cell = crate::bulk::evidence::csv_cell;
    let mut header = vec!["environment", "url", "type", "status", "steps_done", "steps"];
    let step_keys: Vec<&str> = StepId::ALL.iter().map(|s| s.key()).collect();
    header.extend(step_keys.iter());
    header.extend(["mailboxes_ready", "mailboxes_total", "last_read", "organization_id"]);
    let mut out = header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for r in rows {
        let mut cells = vec![
            r.name.clone(),
            r.url.clone().unwrap_or_default(),
            r.kind.label(),
            r.status_text(),
            format!("{}/{}", r.done(), r.steps.len()),
            r.strip(),
        ];
        for step in StepId::ALL {
            cells.push(r.steps.iter().find(|(s, _)| *s == step).map(|(_, m)| m.key().to_owned()).unwrap_or_default());
        }
        cells.extend([
            r.ready.to_string(),
            r.total.to_string(),
            r.last_read.map(&time).unwrap_or_default(),
            r.id.clone(),
        ]);
        out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The rows as pretty-printed JSON (the same fields as the CSV, steps by key).
pub fn rows_to_json(rows: &[TenantRow]) -> String {
    serde_json::to_string_pretty(rows).unwrap_or_default()
}
