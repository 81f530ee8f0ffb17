//! End-to-end, issue 11: the built extension in headless Chromium against the simulator when the
//! network and the service misbehave. A run whose requests all fail at the transport ends in a visible
//! halt with "I signed in again", and resumes in place to completion once the network is back; an
//! expired session that redirects to an unreachable sign-in host halts the run at once and resumes in
//! place after signing in again; and throttled reads show "waiting for Dataverse's limits" and then
//! the checklist, never "unable to check".
//!
//! Needs `dist/` (`cargo xtask build`) and Debian's `chromium` + `chromedriver`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use dataverse_sim::{Config, Fault, Scenario, Sim};
use fantoccini::{Client, Locator};
use std::time::Duration;
use support::*;

const HOST: &str = "tailspin.crm.dynamics.com";

/// Opens the org's Dynamics page (sign-in, content script), then the panel page.
async fn open_panel(client: &Client, ext: &str) {
    enable_test_hooks(client, ext).await;
    client.goto(&format!("https://{HOST}/main.aspx")).await.unwrap();
    let marker = wait_attr(client, "html[data-syncready]", "data-syncready").await;
    assert_eq!(marker, "connected", "the content script did not reach the service worker");
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.unwrap();
}

/// Sets the batch size in Options, so that a run takes several requests.
async fn small_batches(client: &Client, ext: &str) {
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
    let batch = client.wait().for_element(Locator::Css("[data-testid=opt-batch]")).await.unwrap();
    batch.clear().await.unwrap();
    batch.send_keys("4").await.unwrap();
    click(client, "[data-testid=opt-save]").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Opens the approval preview and returns its planned writes.
async fn approval_preview(client: &Client, ext: &str) -> usize {
    open_panel(client, ext).await;
    wait_attr(client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    click(client, "[data-testid=remedy-approve-mailboxes]").await;
    wait_attr(client, "[data-testid=bulk-preview]", "data-writes").await.parse().unwrap()
}

async fn counts(client: &Client) -> (usize, String) {
    let succeeded = wait_attr(client, "[data-testid=bulk-progress]", "data-succeeded").await.parse().unwrap();
    (succeeded, wait_attr(client, "[data-testid=bulk-progress]", "data-failed").await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_whose_requests_all_fail_at_the_transport_halts_visibly_and_resumes_in_place() {
    let sim = Sim::builder().org("tailspin", Scenario::fresh("Tailspin")).build();
    let h = Harness::extension(sim.clone(), &[HOST]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();
    small_batches(&client, &ext).await;
    let writes = approval_preview(&client, &ext).await;

    // The laptop sleeps, the VPN switches: every request fails at the transport.
    sim.set_network_down(true);
    click(&client, "[data-testid=bulk-confirm]").await;
    let waiting = wait_text(&client, "[data-testid=bulk-waiting]", "Waiting for Dataverse since", 30).await;
    screenshot(&client, "field-1-waiting.png").await;
    // Not a hang: after two minutes of nothing but failures the run halts and says why.
    let phase = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 240).await;
    let halt = text(&client, "[data-testid=bulk-halt]").await;
    let (paused, _) = counts(&client).await;
    screenshot(&client, "field-2-unreachable.png").await;

    // The network is back: "I signed in again" resumes the run in place.
    sim.set_network_down(false);
    click(&client, "[data-testid=bulk-signed-in-again]").await;
    wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "running", 20).await;
    let done = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 90).await;
    let (succeeded, failed) = counts(&client).await;
    let halt_after = client.find(Locator::Css("[data-testid=bulk-halt]")).await.is_ok();
    screenshot(&client, "field-3-resumed.png").await;
    let writes_by_sim: u32 = sim.api_writes("tailspin").values().sum();

    h.finish().await;

    assert!(waiting.contains("Waiting for Dataverse since"), "{waiting:?}");
    assert_eq!(phase, "finished", "the run ended in a visible halt");
    assert!(halt.contains("could not be reached"), "{halt}");
    assert_eq!(paused, 0, "nothing applied while the network was down");
    assert_eq!(done, "finished");
    assert!(!halt_after, "the resumed run finished without a halt");
    assert_eq!(
        (succeeded, failed.as_str()),
        (writes, "0"),
        "every approval verified after resuming in place"
    );
    assert_eq!(writes_by_sim as usize, writes, "each approval written once, by the simulator's count");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expiry_that_redirects_to_an_unreachable_sign_in_host_halts_and_resumes_after_signing_in_again() {
    let mut config = Config::default();
    config.quirks.expired_session_redirect = true;
    config.quirks.sign_in_host = "sign-in.invalid".to_string();
    let sim = Sim::builder().org("tailspin", Scenario::fresh("Tailspin")).config(config).build();
    let h = Harness::extension(sim.clone(), &[HOST]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();
    small_batches(&client, &ext).await;
    let writes = approval_preview(&client, &ext).await;

    sim.inject(Fault::expire_session_after(2));
    click(&client, "[data-testid=bulk-confirm]").await;
    let phase = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 60).await;
    let halt = text(&client, "[data-testid=bulk-halt]").await;
    let (paused, _) = counts(&client).await;
    // Not signed in yet: the check says so, and nothing resumes.
    click(&client, "[data-testid=bulk-signed-in-again]").await;
    let still = wait_text(&client, "[data-testid=bulk-recheck]", "Still not signed in", 20).await;
    screenshot(&client, "field-4-expired.png").await;
    // The admin signs in again in the Dynamics tab.
    sim.set_session_expired(false);
    click(&client, "[data-testid=bulk-signed-in-again]").await;
    wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "running", 20).await;
    let done = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 90).await;
    let (succeeded, failed) = counts(&client).await;
    screenshot(&client, "field-5-resumed.png").await;
    let writes_by_sim = sim.api_writes("tailspin");

    h.finish().await;

    assert_eq!(phase, "finished");
    assert!(halt.contains("session expired"), "halted at once as an expired session: {halt}");
    assert!(paused < writes, "paused part-way ({paused} of {writes})");
    assert!(still.contains("Still not signed in"), "{still:?}");
    assert_eq!(done, "finished");
    assert_eq!((succeeded, failed.as_str()), (writes, "0"));
    assert!(writes_by_sim.values().all(|n| *n == 1), "no write repeated: {writes_by_sim:?}");
    assert_eq!(writes_by_sim.len(), writes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_reads_show_the_wait_and_then_the_checklist_never_unable_to_check() {
    let sim = Sim::builder().org("tailspin", Scenario::healthy("Tailspin")).build();
    let h = Harness::extension(sim.clone(), &[HOST]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    // The admin's other tabs (or a bulk run) spent the limits: the mailbox read is refused twice.
    sim.inject(Fault::throttle(Duration::from_secs(4)).on_method("GET").on_path("mailboxes").times(2));
    open_panel(&client, &ext).await;
    let waiting = wait_text(&client, "[data-testid=limits-wait]", "Waiting for Dataverse", 20).await;
    screenshot(&client, "field-6-limits-wait.png").await;
    let status = wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let unable = client.find_all(Locator::Css("[data-status=unknown]")).await.unwrap().len();
    let wait_gone = client.find(Locator::Css("[data-testid=limits-wait]")).await.is_err();
    let throttled = sim.journal().iter().filter(|j| j.status == 429).count();
    screenshot(&client, "field-7-checklist.png").await;

    h.finish().await;

    assert!(waiting.contains("Waiting for Dataverse\u{2019}s limits ("), "{waiting:?}");
    assert_eq!(throttled, 2, "both refusals were met");
    assert_eq!(status, "pass");
    assert_eq!(unable, 0, "no step is 'unable to check' after the wait");
    assert!(wait_gone, "the waiting message is gone once the checklist is shown");
}
