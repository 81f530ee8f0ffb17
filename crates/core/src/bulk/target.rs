//! Which org a plan may write to (issue 12, item 2).
//!
//! The panel follows the admin from tab to tab, so the org shown when a plan is confirmed, undone or
//! resumed need not be the org it was made for. A full copy of production into a sandbox keeps the
//! record ids, so `If-Match: *` would not stop such writes. A plan is therefore bound to its org when
//! it is made ([`Plan::bound_to`]), the evidence and the undo plan inherit that org, and
//! [`Plan::check_target`] refuses to run a plan against any other org, or a plan that names none
//! (one saved by an earlier version). The same check refuses record ids that are not GUIDs: they are
//! put into URL paths and filters unquoted.

use super::action::Field;
use super::plan::Plan;
use crate::model::{OrgUrl, is_guid};
use serde_json::Value;

/// Why a plan may not be run against an org.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetError {
    /// The plan was made for another org than the one it would now be sent to.
    OtherOrg {
        /// The org the plan was made for.
        planned: OrgUrl,
        /// The org it would have been sent to.
        current: OrgUrl,
    },
    /// The plan does not say which org it was made for (saved by a version before issue 12).
    Unbound {
        /// The org it would have been sent to.
        current: OrgUrl,
    },
    /// A record id (or a profile id to write) is not a GUID.
    NotAGuid {
        /// The id.
        id: String,
        /// The record's name.
        name: String,
    },
}

impl Plan {
    /// This plan, bound to the org it was made for.
    #[must_use]
    pub fn bound_to(mut self, org: OrgUrl) -> Self {
        self.org = Some(org);
        self
    }

    /// Whether this plan may be run (or resumed) against `current`: it must be bound to exactly that
    /// org, and every id it puts into a URL must be a GUID.
    pub fn check_target(&self, current: &OrgUrl) -> Result<(), TargetError> {
        match &self.org {
            None => return Err(TargetError::Unbound { current: current.clone() }),
            Some(planned) if planned != current => {
                return Err(TargetError::OtherOrg { planned: planned.clone(), current: current.clone() });
            }
            Some(_) => {}
        }
        for item in &self.items {
            let bad = |id: &str| TargetError::NotAGuid { id: id.to_owned(), name: item.name.clone() };
            if !is_guid(&item.id) {
                return Err(bad(&item.id));
            }
            for change in &item.changes {
                if let (Field::Profile | Field::DefaultProfile, Value::String(id)) = (change.field, &change.after)
                    && !is_guid(id)
                {
                    return Err(bad(id));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
