//! Collection-valued navigation properties: which tables have them, and which rows each one holds for
//! a given row (read by `GET <set>(<id>)/<nav>` and by `$expand`).

use crate::ids::Guid;
use crate::store::{Org, Row};

/// Collection-valued navigation properties: (table, nav, target table).
pub(crate) const COLLECTIONS: &[(&str, &str, &str)] = &[
    ("mailbox", "tracelog_Mailbox", "tracelog"),
    ("emailserverprofile", "emailserverprofile_mailbox", "mailbox"),
    ("emailserverprofile", "tracelog_EmailServerProfile", "tracelog"),
    ("systemuser", "systemuserroles_association", "role"),
    ("systemuser", "teammembership_association", "team"),
    ("team", "teammembership_association", "systemuser"),
    ("team", "teamroles_association", "role"),
    ("role", "roleprivileges_association", "privilege"),
];

/// A row predicate for a collection-valued navigation property.
pub(crate) type Keep = Box<dyn Fn(&Org, &Row) -> bool>;

pub(crate) fn keep_for(table: &str, nav: &str, id: Guid) -> Keep {
    match (table, nav) {
        ("systemuser", "teammembership_association") => {
            Box::new(move |o: &Org, r: &Row| o.user_teams.get(&id).is_some_and(|teams| teams.contains(&r.id)))
        }
        ("team", "teammembership_association") => {
            Box::new(move |o: &Org, r: &Row| o.team_members.get(&id).is_some_and(|m| m.contains(&r.id)))
        }
        ("team", "teamroles_association") => {
            Box::new(move |o: &Org, r: &Row| o.team_roles.get(&id).is_some_and(|roles| roles.contains(&r.id)))
        }
        _ => keep_by_nav(nav, id),
    }
}

fn keep_by_nav(nav: &str, id: Guid) -> Keep {
    match nav {
        "tracelog_Mailbox" | "tracelog_EmailServerProfile" => {
            Box::new(move |_, r: &Row| r.lookup("regardingobjectid").is_some_and(|l| l.id == id))
        }
        "emailserverprofile_mailbox" => {
            Box::new(move |_, r: &Row| r.lookup("emailserverprofile").is_some_and(|l| l.id == id))
        }
        "systemuserroles_association" => {
            Box::new(move |o: &Org, r: &Row| o.user_roles.get(&id).is_some_and(|roles| roles.contains(&r.id)))
        }
        "roleprivileges_association" => Box::new(move |o: &Org, r: &Row| {
            o.role_privileges.get(&id).is_some_and(|ps| ps.iter().any(|(p, _)| *p == r.id))
        }),
        _ => Box::new(|_, _| false),
    }
}
