//! End-to-end (issue 17): the "Mailboxes keep synchronising" step and the health view in the built
//! extension (`dist/`, `cargo xtask build`) against the simulator, with mailboxes that drift from
//! healthy to failing over the simulator's virtual time.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use dataverse_sim::{ClockMode, Config, Scenario, Sim};
use fantoccini::{Client, Locator};
use std::time::Duration;
use support::*;

const HOST: &str = "contoso.crm.dynamics.com";
const STEP: &str = "[data-testid=step-keep-synchronising]";

async fn open_panel(client: &Client, ext: &str) -> String {
    enable_test_hooks(client, ext).await;
    client.goto(&format!("https://{HOST}/main.aspx")).await.unwrap();
    let marker = wait_attr(client, "html[data-syncready]", "data-syncready").await;
    assert_eq!(marker, "connected", "the content script did not reach the service worker");
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.unwrap();
    wait_attr(client, STEP, "data-status").await
}

async fn count(client: &Client, css: &str) -> usize {
    client.find_all(Locator::Css(css)).await.map_or(0, |v| v.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drifting_mailboxes_turn_the_seventh_step_red_and_its_remedy_previews_a_test_and_enable() {
    // The panel measures delays against the browser's clock, so the simulator's clock starts at the
    // wall clock (real time); `advance` then moves it ahead.
    let config = Config { clock: ClockMode::Real { factor: 1.0 }, ..Config::default() };
    let sim = Sim::builder().config(config).org("contoso", Scenario::drifting("Contoso", 3)).build();
    let h = Harness::extension(sim.clone(), &[HOST]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    // Go-live: everything synchronises.
    let before = open_panel(&client, &ext).await;
    let live = wait_attr(&client, "[data-testid=health-live]", "data-live").await;
    let plots = count(&client, "[data-testid=health] svg").await;
    let csv = count(&client, "[data-testid$=-csv]").await;
    let mut a11y = a11y_problems(&client, "panel with the health view").await;
    screenshot(&client, "health-1-go-live.png").await;

    // The admin picks "delayed after 4 hours": it is saved and the checklist is read again with it,
    // and a panel opened later starts from it.
    let loaded_at = wait_attr(&client, "[data-testid=report]", "data-loaded-at").await;
    client
        .find(Locator::Css("[data-testid=health-threshold]"))
        .await
        .unwrap()
        .select_by_value("14400")
        .await
        .unwrap();
    let reread = wait_reloaded(&client, &loaded_at).await;
    open_panel(&client, &ext).await;
    let kept = client
        .execute("return document.querySelector('[data-testid=health-threshold]').value", vec![])
        .await
        .unwrap();

    // Two and a half hours later three mailboxes stopped, then started failing.
    sim.advance(Duration::from_secs(150 * 60));
    let after = open_panel(&client, &ext).await;
    let failing = text(&client, "[data-testid=health-failing]").await;
    let top_rows = count(&client, "[data-testid=health-top-row]").await;
    let errors = count(&client, "[data-testid=health-error]").await;
    screenshot(&client, "health-2-failing.png").await;

    // The step offers "Test & Enable" for the failing ones, with the usual preview.
    click(&client, &format!("{STEP} [data-testid=remedy-test-and-enable]")).await;
    let writes = wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await;
    a11y.extend(a11y_problems(&client, "health remedy preview").await);
    screenshot(&client, "health-3-preview.png").await;
    let styled = client
        .execute("return document.querySelectorAll('[data-testid=health] [style]').length", vec![])
        .await
        .unwrap();

    h.finish().await;

    assert_eq!(before, "pass");
    assert!(reread, "choosing a threshold reads the checklist again");
    assert_eq!(kept, serde_json::json!("14400"), "the chosen threshold is saved");
    assert_eq!(live, "24");
    assert_eq!((plots, csv), (3, 3));
    assert_eq!(after, "fail");
    assert_eq!(failing, "3 Failing");
    assert_eq!(top_rows, 3);
    assert_eq!(errors, 1);
    assert!(writes.parse::<usize>().unwrap() >= 3, "{writes} writes previewed");
    assert_eq!(styled, serde_json::json!(0));
    assert!(a11y.is_empty(), "accessibility problems:\n{}", a11y.join("\n"));
}
