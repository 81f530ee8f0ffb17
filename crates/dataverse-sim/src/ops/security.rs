//! Roles and privileges of a user, write checks (PrivilegeDenied) and the approval permission model (§5).

use std::collections::BTreeMap;

use crate::config::Config;
use crate::error::ApiError;
use crate::ids::Guid;
use crate::scenario::SYSADMIN_TEMPLATE;
use crate::schema::TableDef;
use crate::store::{Org, Row};

/// The approval privilege.
pub(crate) const APPROVE: &str = "prvApproveRejectEmailAddress";

fn depth_rank(d: &str) -> u8 {
    match d {
        "Basic" => 1,
        "Local" => 2,
        "Deep" => 3,
        "Global" => 4,
        _ => 0,
    }
}

/// One held privilege.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub(crate) id: Guid,
    pub(crate) name: String,
    pub(crate) depth: &'static str,
}

/// Privileges of a user through their roles, deepest depth per privilege, ordered by name.
pub(crate) fn privileges(org: &Org, user: Guid) -> Vec<Held> {
    let mut out: BTreeMap<String, Held> = BTreeMap::new();
    for role in &org.roles_of(user) {
        for (pid, depth) in org.role_privileges.get(role).into_iter().flatten() {
            let Some(name) = org.name_of("privilege", *pid) else { continue };
            let entry = out.entry(name.clone()).or_insert(Held { id: *pid, name, depth });
            if depth_rank(depth) > depth_rank(entry.depth) {
                entry.depth = depth;
            }
        }
    }
    out.into_values().collect()
}

pub(crate) fn holds(org: &Org, user: Guid, privilege: &str) -> Option<Held> {
    privileges(org, user).into_iter().find(|h| h.name == privilege)
}

/// Whether the user has the System Administrator role (by role template).
pub(crate) fn is_sysadmin(org: &Org, user: Guid) -> bool {
    let template = Guid::from_literal(SYSADMIN_TEMPLATE);
    org.roles_of(user).iter().any(|r| {
        org.row("role", *r).and_then(|row| row.lookup("roletemplateid")).is_some_and(|l| l.id == template)
    })
}

/// Whether the user has the "Delegated Mailbox Approver" role.
pub(crate) fn is_delegated_approver(org: &Org, user: Guid) -> bool {
    org.roles_of(user)
        .iter()
        .any(|r| org.row("role", *r).is_some_and(|row| row.text("name") == "Delegated Mailbox Approver"))
}

fn otc(logical: &str) -> i64 {
    match logical {
        "mailbox" => 9606,
        "emailserverprofile" => 9605,
        "organization" => 1019,
        "systemuser" => 8,
        "queue" => 2020,
        "tracelog" => 4613,
        _ => 0,
    }
}

/// 403 PrivilegeDenied (0x80040220) in the live service's wording.
pub(crate) fn privilege_denied(org: &Org, user: Guid, privilege: &str, logical: &str) -> ApiError {
    let roles = org.roles_of(user).len();
    let count = privileges(org, user).len();
    let pid = org
        .rows("privilege")
        .values()
        .find(|p| p.text("name") == privilege)
        .map(|p| p.id.to_string())
        .unwrap_or_default();
    ApiError::new(
        403,
        "0x80040220",
        format!(
            "Principal user (Id={user}, type=8, roleCount={roles}, privilegeCount={count}, accessMode=0), is missing {privilege} privilege (Id={pid}) on OTC={} for entity '{logical}'. context.Caller={user}",
            otc(logical)
        ),
    )
    .with_inner("The user does not hold the necessary privileges.")
}

fn write_privilege(logical: &str, create: bool) -> &'static str {
    match (logical, create) {
        ("mailbox", true) => "prvCreateMailbox",
        ("mailbox", false) => "prvWriteMailbox",
        ("emailserverprofile", _) => "prvWriteEmailServerProfile",
        ("organization", _) => "prvWriteOrganization",
        ("systemuser", _) => "prvWriteUser",
        ("queue", _) => "prvWriteQueue",
        _ => "prvWriteOrganization",
    }
}

/// Checks the user may write this row (Basic depth: only rows they own, or themselves).
pub(crate) fn check_write(org: &Org, user: Guid, def: &TableDef, row: Option<&Row>) -> Result<(), ApiError> {
    let privilege = write_privilege(def.logical, row.is_none());
    let Some(held) = holds(org, user, privilege) else {
        return Err(privilege_denied(org, user, privilege, def.logical));
    };
    if held.depth == "Basic"
        && let Some(row) = row
    {
        let owner = row.lookup("ownerid").map(|l| l.id);
        if owner != Some(user) && !(def.logical == "systemuser" && row.id == user) {
            return Err(privilege_denied(org, user, privilege, def.logical));
        }
    }
    Ok(())
}

/// The approval permission model (§5): the privilege, then System Administrator plus one of Global admin,
/// Exchange admin or Delegated Mailbox Approver, or self-approval of one's own mailbox.
pub(crate) fn check_approval(org: &Org, user: Guid, mailbox: &Row, config: &Config) -> Result<(), ApiError> {
    let regarding = mailbox.lookup("regardingobjectid");
    let email = mailbox.text("emailaddress").to_string();
    let own = regarding.is_some_and(|r| r.table == "systemuser" && r.id == user);
    let upn_matches =
        own && org.row("systemuser", user).is_some_and(|u| u.text("domainname").eq_ignore_ascii_case(&email));
    let require_priv_self = org.row("organization", org.org_id).is_some_and(|o| {
        o.text("orgdborgsettings").contains("<RequirePrivilegeToSelfApproveEmailAddress>true")
    });
    let has_priv = holds(org, user, APPROVE).is_some();
    let direct_self_approval = has_priv || config.quirks.self_approval_without_privilege;
    if upn_matches
        && (!require_priv_self || has_priv)
        && direct_self_approval
        && holds(org, user, "prvWriteMailbox").is_some()
    {
        return Ok(());
    }
    if !has_priv {
        return Err(privilege_denied(org, user, APPROVE, "mailbox"));
    }
    let tenant = org.tenant_roles.get(&user).copied().unwrap_or_default();
    let admin_pair = is_sysadmin(org, user)
        && (tenant.global_admin || tenant.exchange_admin || is_delegated_approver(org, user));
    if admin_pair {
        return Ok(());
    }
    let kind = if regarding.is_some_and(|r| r.table == "queue") { "Queue" } else { "User" };
    let subject = regarding.map_or(mailbox.id, |r| r.id);
    let inner = if config.quirks.newer_approval_wording {
        "This email address can only be approved by a user with the Global Administrator or Exchange Administrator role in Office 365 or the Delegated Mailbox Approver role in Dynamics 365.".to_string()
    } else {
        format!(
            "The {kind}: {subject} email {email} doesn't match with UPN. User {user} should be a global administrator to approve mailbox in organization {}.",
            org.name
        )
    };
    if config.quirks.crm_security_code_in_message {
        return Err(ApiError::new(
            config.quirks.approval_denied_status,
            "0x80040216",
            "A failure occurred in CrmSecurity. (0x80040256)",
        )
        .with_inner(inner));
    }
    Err(ApiError::new(
        config.quirks.approval_denied_status,
        "0x80040256",
        "A failure occurred in CrmSecurity.",
    )
    .with_inner(inner))
}
