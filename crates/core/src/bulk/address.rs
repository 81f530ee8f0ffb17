//! Planning "update the address in Dynamics" (issue 16): the Graph lookup found the user under
//! another primary address than the mailbox's, and the mailbox's alert says "no user found".

use super::action::{Action, AddressChange, Entity, Field};
use super::note::Note;
use super::plan::{Blocked, Change, Plan, PlanError, PlanItem, Skipped};
use crate::collect::Snapshot;
use crate::model::MailboxKind;
use serde_json::Value;

/// A plausible SMTP address: one `@`, something on both sides, no spaces or control characters.
fn plausible(address: &str) -> bool {
    address.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'))
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        && address.len() <= 100
}

/// Plans `action` (its `changes`): one `emailaddress` write per change. `bulk::plan` sends
/// [`Action::SetEmailAddress`] here.
pub(super) fn plan_addresses(
    snapshot: &Snapshot,
    action: &Action,
    changes: &[AddressChange],
) -> Result<Plan, PlanError> {
    let mut plan = Plan {
        action: action.clone(),
        items: Vec::new(),
        skipped: Vec::new(),
        blocked: Vec::new(),
        warnings: Vec::new(),
        profile_names: Vec::new(),
        org: None,
    };
    let mailboxes = snapshot.mailboxes.as_ref().ok_or(PlanError::NoMailboxes)?;
    for c in changes {
        let id = c.mailbox_id.to_ascii_lowercase();
        let Some(m) = mailboxes.iter().find(|m| m.id == id) else {
            plan.skipped.push(Skipped { id: id.clone(), name: id, reason: Note::NotInSnapshot });
            continue;
        };
        if !plausible(&c.address) {
            plan.blocked.push(Blocked {
                id: m.id.clone(),
                name: m.name.clone(),
                reason: Note::NotAnAddress { address: c.address.clone() },
            });
            continue;
        }
        if m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&c.address)) {
            plan.skipped.push(Skipped { id: m.id.clone(), name: m.name.clone(), reason: Note::SameAddress });
            continue;
        }
        plan.items.push(PlanItem {
            entity: Entity::Mailbox,
            id: m.id.clone(),
            name: m.name.clone(),
            kind: Some(m.kind.clone()),
            changes: vec![Change {
                field: Field::EmailAddress,
                before: m.email.clone().map_or(Value::Null, Value::String),
                after: Value::String(c.address.clone()),
            }],
            tracks_test: false,
            test_completed_before: None,
        });
    }
    if !plan.items.is_empty() {
        plan.warnings.push(Note::AddressPending);
        if plan.items.iter().any(|i| i.kind == Some(MailboxKind::User)) {
            plan.warnings.push(Note::AddressUser);
        }
    }
    Ok(plan)
}
