//! Setting up several orgs of one tenant (issue 15): how discovery lists them, copies with the same
//! record ids, addresses shared between orgs, and the appointments, contacts and tasks columns.

use crate::ids::Guid;
use crate::sim::Sim;
use crate::store::V;
use crate::tenant::Environment;

impl Sim {
    /// Says how discovery lists the org with this prefix and how it treats the caller.
    pub fn set_environment(&self, host_prefix: &str, env: Environment) {
        let mut st = self.lock();
        st.tenant.envs.retain(|(p, _)| p != host_prefix);
        st.tenant.envs.push((host_prefix.to_ascii_lowercase(), env));
    }

    /// An "Everything" copy of the org `from` at `<to>.crm.dynamics.com`, named `name`: every row with
    /// its record id, a new organization id. Returns false when `from` does not exist or `to` does.
    pub fn copy_org(&self, from: &str, to: &str, name: &str) -> bool {
        let mut st = self.lock();
        let to = to.to_ascii_lowercase();
        if st.orgs.iter().any(|o| o.prefix == to) {
            return false;
        }
        let Some(source) = st.orgs.iter().find(|o| o.prefix == from) else {
            return false;
        };
        let mut copy = source.clone();
        let old_id = copy.org_id;
        let new_id = st.rng.guid();
        copy.prefix = to;
        copy.name = name.to_owned();
        copy.org_id = new_id;
        if let Some(mut row) = copy.rows_mut("organization").remove(&old_id) {
            row.id = new_id;
            row.fields.insert("organizationid", V::Guid(new_id));
            row.fields.insert("name", V::str(name));
            copy.rows_mut("organization").insert(new_id, row);
        }
        st.orgs.push(copy);
        true
    }

    /// Gives the first `n` active user mailboxes of `to` (after its caller's own) the addresses of the
    /// first `n` of `from`, mailbox and user rows alike. Returns the shared addresses.
    pub fn share_addresses(&self, from: &str, to: &str, n: usize) -> Vec<String> {
        let mut st = self.lock();
        let now = st.now();
        let user_boxes = |o: &crate::store::Org| -> Vec<(Guid, Option<Guid>, String)> {
            o.rows("mailbox")
                .values()
                .filter(|m| m.int("statecode") == 0 && !m.bool("isforwardmailbox"))
                .filter_map(|m| {
                    let owner =
                        m.lookup("regardingobjectid").filter(|l| l.table == "systemuser").map(|l| l.id)?;
                    (owner != o.caller).then(|| (m.id, Some(owner), m.text("emailaddress").to_owned()))
                })
                .take(n)
                .collect()
        };
        let (Some(fi), Some(ti)) =
            (st.orgs.iter().position(|o| o.prefix == from), st.orgs.iter().position(|o| o.prefix == to))
        else {
            return Vec::new();
        };
        let sources = user_boxes(&st.orgs[fi]);
        let targets = user_boxes(&st.orgs[ti]);
        let mut shared = Vec::new();
        for ((_, _, address), (mailbox, owner, _)) in sources.iter().zip(&targets) {
            let org = &mut st.orgs[ti];
            org.update("mailbox", *mailbox, vec![("emailaddress", V::str(address.clone()))], now);
            if let Some(user) = owner {
                org.update("systemuser", *user, vec![("internalemailaddress", V::str(address.clone()))], now);
            }
            shared.push(address.clone());
        }
        shared
    }

    /// Sets the appointments, contacts and tasks columns of the mailbox with this address in the org
    /// with this prefix: delivery method, last test status, and "this org only". False when missing.
    pub fn set_act(
        &self,
        host_prefix: &str,
        email: &str,
        method: i64,
        status: i64,
        marked_primary: bool,
    ) -> bool {
        let mut st = self.lock();
        let now = st.now();
        let Some(org) = st.orgs.iter_mut().find(|o| o.prefix == host_prefix) else {
            return false;
        };
        let Some(id) = org
            .rows("mailbox")
            .values()
            .find(|m| m.text("emailaddress").eq_ignore_ascii_case(email))
            .map(|m| m.id)
        else {
            return false;
        };
        org.update(
            "mailbox",
            id,
            vec![
                ("actdeliverymethod", V::Int(method)),
                ("actstatus", V::Int(status)),
                ("orgmarkedasprimaryforexchangesync", V::Bool(marked_primary)),
            ],
            now,
        )
    }
}
