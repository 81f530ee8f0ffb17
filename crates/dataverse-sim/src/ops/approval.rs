//! Approval of email addresses: the permission model (§5) and keeping mailbox, user and queue in step.

use crate::config::Config;
use crate::ids::Guid;
use crate::store::{Org, V};

/// Writes an approval value on a mailbox and, when the quirk is on, on its owning user or queue.
pub(crate) fn write_approval(
    org: &mut Org,
    mailbox: Guid,
    value: i64,
    by: Option<Guid>,
    now: i64,
    config: &Config,
) {
    let mut fields = vec![("emailrouteraccessapproval", V::Int(value))];
    if value == 1 {
        fields.push(("emailaddressapprovedby", V::opt_lookup("systemuser", by)));
        fields.push(("emailaddressapprovedon", V::Time(now)));
        // Issue 11: public client reports show approvals that returned no error but left this flag unset.
        let left_unset = match &config.quirks.o365_approval {
            crate::config::O365Approval::WithApproval => false,
            crate::config::O365Approval::UnsetFor(addresses) => {
                let email = org
                    .row("mailbox", mailbox)
                    .map(|m| m.text("emailaddress").to_string())
                    .unwrap_or_default();
                addresses.iter().any(|a| a.eq_ignore_ascii_case(&email))
            }
        };
        fields.push(("isemailaddressapprovedbyo365admin", V::Bool(!left_unset)));
    } else {
        fields.push(("isemailaddressapprovedbyo365admin", V::Bool(false)));
    }
    org.update("mailbox", mailbox, fields, now);
    if config.quirks.sync_approval_with_owner
        && let Some(r) = org.row("mailbox", mailbox).and_then(|m| m.lookup("regardingobjectid"))
    {
        let table: &'static str = if r.table == "queue" { "queue" } else { "systemuser" };
        if org.row(table, r.id).map(|o| o.int("emailrouteraccessapproval")) != Some(value) {
            org.update(table, r.id, vec![("emailrouteraccessapproval", V::Int(value))], now);
        }
    }
}
