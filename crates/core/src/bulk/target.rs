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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The plan was made for another org than the one it would now be sent to.
    #[error(
        "this was planned for {planned}, but SyncReady now shows {current}; nothing was sent. Switch back to {planned}, or plan the action again for {current}"
    )]
    OtherOrg {
        /// The org the plan was made for.
        planned: OrgUrl,
        /// The org it would have been sent to.
        current: OrgUrl,
    },
    /// The plan does not say which org it was made for (saved by a version before issue 12).
    #[error(
        "this run was saved by an earlier version of SyncReady that did not record which org it was planned for, so it is not run against {current}. Discard it and start the action again: the new preview skips what is already done"
    )]
    Unbound {
        /// The org it would have been sent to.
        current: OrgUrl,
    },
    /// A record id (or a profile id to write) is not a GUID.
    #[error("the record id `{id}` of {name} is not a GUID, so it is not put into a request")]
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
mod tests {
    use super::*;
    use crate::bulk::plan::tests::{mailbox, snapshot};
    use crate::bulk::{Action, MailboxFilter, RunConfig, Selection, plan};
    use crate::model::{ApprovalState, MailboxKind};

    fn org(url: &str) -> OrgUrl {
        OrgUrl::parse(url).unwrap()
    }

    fn approvals() -> Plan {
        let snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Pending)]);
        plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap()
    }

    #[test]
    fn issue_12_a_plan_is_refused_against_another_org_and_the_message_names_both() {
        let contoso = org("https://contoso.crm.dynamics.com");
        let sandbox = org("https://contoso-sandbox.crm.dynamics.com");
        let bound = approvals().bound_to(contoso.clone());
        assert_eq!(bound.check_target(&contoso), Ok(()));
        let refused = bound.check_target(&sandbox).unwrap_err();
        assert_eq!(refused, TargetError::OtherOrg { planned: contoso, current: sandbox });
        let text = refused.to_string();
        assert!(
            text.contains("planned for https://contoso.crm.dynamics.com")
                && text.contains("now shows https://contoso-sandbox.crm.dynamics.com"),
            "{text}"
        );
    }

    #[test]
    fn issue_12_an_unbound_plan_from_an_earlier_version_is_refused() {
        let current = org("https://contoso.crm.dynamics.com");
        let refused = approvals().check_target(&current).unwrap_err();
        assert_eq!(refused, TargetError::Unbound { current });
        assert!(refused.to_string().contains("earlier version"), "{refused}");
    }

    #[test]
    fn issue_12_evidence_and_the_undo_plan_keep_the_org_the_run_wrote_to() {
        let contoso = org("https://contoso.crm.dynamics.com");
        let run = crate::bulk::Run::new(approvals().bound_to(contoso.clone()), RunConfig::default());
        let evidence = run.evidence();
        assert_eq!(evidence.org.as_ref(), Some(&contoso));
        let json: serde_json::Value = serde_json::from_str(&evidence.to_json()).unwrap();
        assert_eq!(json["org"], "https://contoso.crm.dynamics.com");
        let undo = Plan::undo(&evidence);
        assert_eq!(undo.org.as_ref(), Some(&contoso));
        let fabrikam = org("https://fabrikam.crm.dynamics.com");
        assert!(matches!(undo.check_target(&fabrikam), Err(TargetError::OtherOrg { .. })));
    }

    #[test]
    fn issue_12_record_and_profile_ids_that_are_not_guids_are_refused() {
        let contoso = org("https://contoso.crm.dynamics.com");
        let mut p = approvals().bound_to(contoso.clone());
        p.items[0].id = "x) or (1 eq 1".into();
        assert!(matches!(p.check_target(&contoso), Err(TargetError::NotAGuid { id, .. }) if id == "x) or (1 eq 1"));
        let mut p = approvals().bound_to(contoso.clone());
        p.items[0].changes[0].field = Field::Profile;
        p.items[0].changes[0].after = Value::String("../organizations(1)".into());
        assert!(matches!(p.check_target(&contoso), Err(TargetError::NotAGuid { .. })));
    }
}
