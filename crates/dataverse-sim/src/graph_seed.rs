//! Seeding the Graph stand-in from a simulated org (kept apart from `graph` so that `sim`, which
//! holds the stand-in, and the stand-in do not import each other).

use crate::graph::{GraphConfig, GraphSim, GraphUserSpec};
use crate::sim::Sim;

impl GraphSim {
    /// The tenant behind an org of `sim`: its verified domains are its mailboxes' domains, and each
    /// mailbox's address gets a user that matches the org's Exchange facts (no licence → no Exchange
    /// plan; unknown address → no user; otherwise licensed with a provisioned mailbox).
    pub fn matching(sim: &Sim, host_prefix: &str, config: GraphConfig) -> GraphSim {
        let mut users = Vec::new();
        let mut domains: Vec<String> = Vec::new();
        let (mut of_users, mut of_queues, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
        {
            let st = sim.lock();
            if let Some(org) = st.orgs.iter().find(|o| o.prefix == host_prefix) {
                for m in org.rows("mailbox").values() {
                    let address = m.text("emailaddress").to_owned();
                    let Some((_, domain)) = address.rsplit_once('@') else { continue };
                    let domain = domain.to_ascii_lowercase();
                    if !domains.contains(&domain) {
                        domains.push(domain);
                    }
                    match m.lookup("regardingobjectid").map(|l| l.table) {
                        Some("systemuser") => of_users.push(address.clone()),
                        Some("queue") => of_queues.push(address.clone()),
                        _ => {}
                    }
                    let facts = org.exchange.get(&m.id).cloned().unwrap_or_default();
                    if facts.unknown_address {
                        unknown.push(address);
                        continue;
                    }
                    users.push(if facts.no_exchange_licence {
                        GraphUserSpec::unlicensed(&address)
                    } else {
                        GraphUserSpec::licensed(&address)
                    });
                }
            }
        }
        let refs: Vec<&str> = domains.iter().map(String::as_str).collect();
        GraphSim::seeded(&refs, config, users, of_users, of_queues, unknown)
    }
}
