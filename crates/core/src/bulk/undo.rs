//! Undo: the plan that restores what a run changed, made from its evidence.

use super::action::{Action, Field};
use super::evidence::Evidence;
use super::note::Note;
use super::plan::{Change, Plan, PlanItem};
use super::progress::ItemState;

impl Plan {
    /// The plan, bound to the org the evidence was written on, that restores the "before" value of every
    /// field of every record whose write may have
    /// applied: known applied (succeeded, testing, stuck, failed after applying, written) or not known
    /// either way (sent, unknown; writing the old value again is harmless). Lookups that were empty
    /// before are cleared (the navigation property set to null in the PATCH). Test & Enable
    /// triggers cannot be undone and are left out, with a warning.
    ///
    /// Every field of a record is written in one PATCH, so the undo item holds every field of the
    /// record's "before" state that the run changed, and its read-back compares all of them: an undo
    /// item "succeeded" only when the record is back to how it was.
    pub fn undo(evidence: &Evidence) -> Plan {
        let mut plan = Plan {
            action: Action::Undo,
            items: Vec::new(),
            skipped: Vec::new(),
            blocked: Vec::new(),
            warnings: Vec::new(),
            profile_names: Vec::new(),
            org: evidence.org.clone(),
        };
        for row in &evidence.rows {
            let applied = matches!(
                row.state,
                ItemState::Succeeded
                    | ItemState::Testing
                    | ItemState::Stuck
                    | ItemState::Written
                    | ItemState::Sent
                    | ItemState::Unknown
            ) || (row.state == ItemState::Failed && row.applied);
            if !applied {
                continue;
            }
            if row.field == Field::TestScheduled {
                if !plan.warnings.contains(&Note::UndoTest) {
                    plan.warnings.push(Note::UndoTest);
                }
                continue;
            }
            let change = Change { field: row.field, before: row.after.clone(), after: row.before.clone() };
            match plan.items.iter_mut().find(|i| i.id == row.id && i.entity == row.entity) {
                Some(item) => item.changes.push(change),
                None => plan.items.push(PlanItem {
                    entity: row.entity,
                    id: row.id.clone(),
                    name: row.name.clone(),
                    kind: row.kind.clone(),
                    changes: vec![change],
                    tracks_test: false,
                    test_completed_before: None,
                }),
            }
        }
        plan
    }
}
