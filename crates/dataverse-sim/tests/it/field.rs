use std::time::Duration;

use dataverse_sim::{Config, Fault, Scenario, Sim};

use crate::support::{Client, api};

const HOST: &str = "contoso.crm.dynamics.com";
const DROPPED: &str = "x-dataverse-sim-fault";

fn sim_with(config: Config) -> Sim {
    Sim::builder().org("contoso", Scenario::fresh("Contoso").mailboxes(3)).config(config).build()
}

async fn a_mailbox(c: &Client) -> String {
    c.first("mailboxes?$select=mailboxid&$top=1").await["mailboxid"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_outage_drops_every_request_in_flight_after_it_ran_and_the_request_it_fires_on() {
    let sim = sim_with(Config::default());
    let c = Client::signed_in(&sim, HOST).await;
    let id = a_mailbox(&c).await;
    // A slow write is in flight (it has run; its answer waits) when the outage fires on another request.
    sim.inject(Fault::latency(Duration::from_millis(300)).on_method("PATCH"));
    let path = api(&format!("mailboxes({id})"));
    let slow = c.patch(&path, r#"{"emailrouteraccessapproval":1}"#);
    let other = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        sim.inject(Fault::outage());
        c.get(&api("WhoAmI")).await
    };
    let (slow, other) = tokio::join!(slow, other);
    assert_eq!((slow.status, slow.header(DROPPED)), (502, Some("outage")), "the answer in flight is lost");
    assert_eq!((other.status, other.header(DROPPED)), (502, Some("outage")));
    // The lost write did apply, once: the simulator's own count says so.
    assert_eq!(sim.api_writes("contoso").get(&id), Some(&1));
    let row =
        c.first(&format!("mailboxes?$select=emailrouteraccessapproval&$filter=mailboxid eq {id}")).await;
    assert_eq!(row["emailrouteraccessapproval"], 1);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200, "one outage, then the network is back");
}

#[tokio::test]
async fn while_the_network_is_down_nothing_runs_and_every_answer_is_lost() {
    let sim = sim_with(Config::default());
    let c = Client::signed_in(&sim, HOST).await;
    let id = a_mailbox(&c).await;
    sim.set_network_down(true);
    let r = c.patch(&api(&format!("mailboxes({id})")), r#"{"emailrouteraccessapproval":1}"#).await;
    assert_eq!((r.status, r.header(DROPPED)), (502, Some("network-down")));
    assert_eq!(sim.api_writes("contoso").get(&id), None, "a request that never arrived did not run");
    sim.set_network_down(false);
    assert_eq!(
        c.patch(&api(&format!("mailboxes({id})")), r#"{"emailrouteraccessapproval":1}"#).await.status,
        204
    );
    assert_eq!(sim.api_writes("contoso").get(&id), Some(&1));
}

#[tokio::test]
async fn an_expired_session_can_redirect_to_a_sign_in_host_that_cannot_be_reached() {
    let mut config = Config::default();
    config.quirks.expired_session_redirect = true;
    config.quirks.sign_in_host = "sign-in.invalid".to_string();
    let sim = sim_with(config);
    let c = Client::signed_in(&sim, HOST).await;
    sim.set_session_expired(true);
    let r = c.get(&api("WhoAmI")).await;
    assert_eq!(r.status, 302);
    let location = r.header("location").unwrap();
    assert!(location.starts_with("https://sign-in.invalid/"), "{location}");
}

#[tokio::test]
async fn admitted_answers_carry_the_recommended_degree_of_parallelism() {
    let mut config = Config::default();
    config.limits.dop_hint = Some(7);
    let sim = sim_with(config);
    let c = Client::signed_in(&sim, HOST).await;
    assert_eq!(c.get(&api("WhoAmI")).await.header("x-ms-dop-hint"), Some("7"));
    let anonymous = Client::anonymous(&sim, HOST);
    let refused = anonymous.get(&api("WhoAmI")).await;
    assert_eq!((refused.status, refused.header("x-ms-dop-hint")), (401, None));
    let mut config = Config::default();
    config.limits.dop_hint = None;
    let sim = sim_with(config);
    let c = Client::signed_in(&sim, HOST).await;
    assert_eq!(c.get(&api("WhoAmI")).await.header("x-ms-dop-hint"), None, "the switch leaves it out");
    assert_eq!(Config::default().limits.dop_hint, Some(48));
}
