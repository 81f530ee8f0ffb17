//! Synchronization cycles over virtual time (issue 17): the monitoring columns move, drifting
//! mailboxes fail with item-level failures in `exchangesyncidmappings`, and those rows expire.

use std::time::Duration;

use dataverse_sim::{Scenario, Sim};

use crate::support::{Client, api};

const HOST: &str = "contoso.crm.dynamics.com";
const MONITORING: &str = "lastsuccessfulsynccompletedon,lastsyncerrorcount,lastsyncerrorcode,itemsfailedforlastsync,enabledforincomingemail";

#[tokio::test]
async fn a_drifting_mailbox_stops_then_fails_with_item_failures_that_expire_after_three_days() {
    let sim = Sim::builder().org("contoso", Scenario::drifting("Contoso", 1)).build();
    let c = Client::signed_in(&sim, HOST).await;
    let rows = |v: serde_json::Value| v["value"].as_array().unwrap().clone();
    let all = || async { rows(c.get(&api(&format!("mailboxes?$select={MONITORING}"))).await.json()) };
    let first = all().await;
    assert!(
        first.iter().all(|m| m["lastsuccessfulsynccompletedon"].is_string() && m["lastsyncerrorcount"] == 0)
    );

    // Healthy mailboxes keep synchronising: their last success moves with the clock.
    sim.advance(Duration::from_secs(2 * 3600 + 16 * 60));
    let later = all().await;
    let moved = later
        .iter()
        .zip(&first)
        .filter(|(a, b)| a["lastsuccessfulsynccompletedon"] != b["lastsuccessfulsynccompletedon"])
        .count();
    assert_eq!(moved, first.len() - 1, "all but the drifting mailbox synchronised again");
    let failing: Vec<&serde_json::Value> = later.iter().filter(|m| m["lastsyncerrorcount"] != 0).collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["lastsyncerrorcode"], -2_147_097_998_i64);

    let items = c
        .get(&api("exchangesyncidmappings?$select=lastsyncerrorcode,itemsubject,_ownerid_value&$filter=lastsyncerroroccurredon ne null"))
        .await;
    assert_eq!(items.status, 200, "{}", items.body);
    let items = rows(items.json());
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|i| i["lastsyncerrorcode"] == -2_147_097_998_i64 && i["_ownerid_value"].is_string())
    );

    // The mailbox is disabled after a dozen failed cycles (about 13 hours with back-off), so no new
    // rows come; three days after the last one every row is gone.
    for _ in 0..100 {
        sim.advance(Duration::from_secs(3600));
        c.get(&api("WhoAmI")).await;
    }
    let after = rows(c.get(&api("exchangesyncidmappings?$select=lastsyncerroroccurredon")).await.json());
    assert!(after.is_empty(), "{after:?}");
    let disabled = all().await.iter().filter(|m| m["enabledforincomingemail"] == false).count();
    assert_eq!(disabled, 1);
}
