//! What the signed-in caller may do: security roles and the approval privilege.

use crate::wire;
use serde::{Deserialize, Serialize};

/// Role template id of "System Administrator" (the same in every org and business unit).
pub const SYSTEM_ADMINISTRATOR_TEMPLATE: &str = "627090ff-40a3-4053-8790-584edc5be201";
/// Name of the Dynamics 365 role that lets a System Administrator approve mailboxes without a tenant role.
pub const DELEGATED_MAILBOX_APPROVER: &str = "Delegated Mailbox Approver";
/// The privilege "Approve Email Addresses for Users or Queues".
pub const APPROVE_PRIVILEGE: &str = "prvApproveRejectEmailAddress";

/// A security role the caller holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// `roleid` (lower case).
    pub id: String,
    /// Role name.
    pub name: String,
    /// Role template id (lower case), if the role comes from a template.
    pub template_id: Option<String>,
    /// The team the role is inherited from; `None` for a role assigned to the user directly.
    pub via_team: Option<String>,
}

impl Role {
    /// From a role row; `via_team` names the team for inherited roles.
    pub fn from_wire(w: wire::Role, via_team: Option<String>) -> Self {
        Self {
            id: w.roleid.to_ascii_lowercase(),
            name: w.name.unwrap_or_default(),
            template_id: w.role_template.map(|s| s.to_ascii_lowercase()),
            via_team,
        }
    }

    /// True for System Administrator (by template id, or by name when the template is not sent).
    pub fn is_system_administrator(&self) -> bool {
        match &self.template_id {
            Some(t) => t == SYSTEM_ADMINISTRATOR_TEMPLATE,
            None => self.name.eq_ignore_ascii_case("System Administrator"),
        }
    }

    /// True for the Delegated Mailbox Approver role.
    pub fn is_delegated_mailbox_approver(&self) -> bool {
        self.name.eq_ignore_ascii_case(DELEGATED_MAILBOX_APPROVER)
    }
}

/// Whether the caller holds a privilege (directly or through a team), and at what depth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegeHolding {
    /// The privilege name.
    pub name: String,
    /// Held at any depth.
    pub held: bool,
    /// `Basic`, `Local`, `Deep` or `Global`, when held.
    pub depth: Option<String>,
}

impl PrivilegeHolding {
    /// Looks `name` up in a privileges response.
    pub fn from_wire(name: &str, w: &wire::UserPrivileges) -> Self {
        let found = w
            .role_privileges
            .iter()
            .find(|p| p.privilege_name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)));
        Self {
            name: name.to_owned(),
            held: found.is_some(),
            depth: found.and_then(|p| p.depth.as_ref()).map(|d| match d {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
        }
    }
}
