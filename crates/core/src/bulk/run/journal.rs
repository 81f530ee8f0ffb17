//! The journal: a compact record of where every item stands, enough to resume a run without repeating
//! applied writes, and the fingerprint that ties it to its plan.

use super::slots::Slots;
use crate::bulk::millis::Millis;
use crate::bulk::note::Note;
use crate::bulk::plan::Plan;
use crate::bulk::progress::{ItemState, TestReport};
use serde::Serialize;

/// A compact, serialisable record of a run, enough to resume it without repeating applied writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Journal {
    /// Fingerprint of the plan the journal belongs to.
    pub digest: u64,
    /// One letter per item: `P` pending, `U` unknown (read back before resending), `W` written (applied,
    /// not verified), `T` testing, `S` succeeded, `F` failed, `K` skipped, `X` stuck.
    pub states: String,
    /// Items whose write is known to have applied (by index), when their state does not say so.
    pub applied: Vec<u32>,
    /// Failures and skips with their reason: (index, status, code, message in English).
    pub reasons: Vec<(u32, Option<u16>, Option<String>, String)>,
    /// When tracking of each testing item started.
    pub testing_since: Vec<(u32, u64)>,
    /// The approval refusal explanation (English), if approvals were stopped.
    pub approvals_stopped: Option<String>,
}

/// Why a journal cannot resume a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeError {
    /// The journal was written for another plan.
    PlanMismatch,
}

fn fnv(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

/// A fingerprint of the plan's writes.
pub(super) fn digest(plan: &Plan) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325;
    fnv(&mut h, plan.action.key().as_bytes());
    for item in &plan.items {
        fnv(&mut h, item.entity.set().as_bytes());
        fnv(&mut h, item.id.as_bytes());
        for c in &item.changes {
            fnv(&mut h, c.field.column().as_bytes());
            fnv(&mut h, c.after.to_string().as_bytes());
        }
    }
    h
}

impl Journal {
    /// The journal of `plan`'s items as `slots` say they stand.
    pub(super) fn of(plan: &Plan, slots: &Slots, approvals_stopped: Option<String>) -> Journal {
        let mut states = String::with_capacity(slots.len());
        let mut applied = Vec::new();
        let mut reasons = Vec::new();
        let mut testing_since = Vec::new();
        for (i, s) in slots.iter().enumerate() {
            let o = &s.outcome;
            let idx = u32::try_from(i).unwrap_or(u32::MAX);
            states.push(match o.state {
                ItemState::Pending => 'P',
                // In flight: whether it applied is unknown until read back.
                ItemState::Sent | ItemState::Unknown => 'U',
                ItemState::Written => 'W',
                ItemState::Testing => 'T',
                ItemState::Succeeded => 'S',
                ItemState::Failed => 'F',
                ItemState::Skipped => 'K',
                ItemState::Stuck => 'X',
            });
            if o.applied && matches!(o.state, ItemState::Failed | ItemState::Skipped) {
                applied.push(idx);
            }
            if let (true, Some(m)) =
                (matches!(o.state, ItemState::Failed | ItemState::Skipped | ItemState::Stuck), &o.message)
            {
                reasons.push((idx, o.status, o.code.clone(), m.to_string()));
            }
            if let (ItemState::Testing, Some(t)) = (o.state, s.testing_since) {
                testing_since.push((idx, t.0));
            }
        }
        Journal { digest: digest(plan), states, applied, reasons, testing_since, approvals_stopped }
    }

    /// Whether this journal belongs to `plan`.
    pub(super) fn fits(&self, plan: &Plan) -> Result<(), ResumeError> {
        if self.digest != digest(plan) || self.states.len() != plan.items.len() {
            return Err(ResumeError::PlanMismatch);
        }
        Ok(())
    }

    /// Puts the items of `slots` (fresh, all pending) where this journal says they stand.
    pub(super) fn restore(&self, slots: &mut Slots) {
        for (i, letter) in self.states.bytes().enumerate() {
            slots.update(i, |slot| {
                let o = &mut slot.outcome;
                o.state = match letter {
                    b'U' => ItemState::Unknown,
                    b'W' => ItemState::Written,
                    b'T' => ItemState::Testing,
                    b'S' => ItemState::Succeeded,
                    b'F' => ItemState::Failed,
                    b'K' => ItemState::Skipped,
                    b'X' => ItemState::Stuck,
                    _ => ItemState::Pending,
                };
                o.applied = matches!(
                    o.state,
                    ItemState::Written | ItemState::Testing | ItemState::Succeeded | ItemState::Stuck
                );
            });
        }
        for &i in &self.applied {
            slots.update(i as usize, |s| s.outcome.applied = true);
        }
        for (i, status, code, message) in &self.reasons {
            slots.update(*i as usize, |s| {
                s.outcome.status = *status;
                s.outcome.code = code.clone();
                s.outcome.message = Some(Note::Verbatim(message.clone()));
            });
        }
        for (i, since) in &self.testing_since {
            slots.update(*i as usize, |s| {
                s.testing_since = Some(Millis(*since));
                s.outcome.test = Some(TestReport { scheduled: true, ..TestReport::default() });
            });
        }
    }
}
