//! Planning "update the address in Dynamics" (issue 16): the Graph lookup found the user under
//! another primary address than the mailbox's, and the mailbox's alert says "no user found".

use super::action::{Action, AddressChange, Entity, Field};
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
            plan.skipped.push(Skipped {
                id: id.clone(),
                name: id,
                reason: "the mailbox is not in the snapshot (deleted, or not readable)".to_owned(),
            });
            continue;
        };
        if !plausible(&c.address) {
            plan.blocked.push(Blocked {
                id: m.id.clone(),
                name: m.name.clone(),
                reason: format!("{:?} is not an email address", c.address),
            });
            continue;
        }
        if m.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&c.address)) {
            plan.skipped.push(Skipped {
                id: m.id.clone(),
                name: m.name.clone(),
                reason: "the mailbox already has this address".to_owned(),
            });
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
        plan.warnings.push(
            "A changed address goes back to Pending Approval: approve it again, then run Test & Enable.".to_owned(),
        );
        if plan.items.iter().any(|i| i.kind == Some(MailboxKind::User)) {
            plan.warnings.push(
                "For a user, Dynamics 365 keeps the address as the user's Primary Email too; check the user record \
                 shows the new address."
                    .to_owned(),
            );
        }
    }
    Ok(plan)
}
