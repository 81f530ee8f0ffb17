//! Panel benchmark: time from opening the side panel page to a shown checklist, in real headless
//! Chromium with the built extension, against the simulator (demo org and a 50,000-mailbox org).
//! Prints figures. It fails (rather than report a made-up figure) when the panel's recorded time is not
//! a whole number of milliseconds. Run with `cargo xtask bench` (needs `dist/` and chromedriver).

#[path = "../tests/support/mod.rs"]
mod support;

use dataverse_sim::{Scenario, Sim};
use std::time::Instant;
use support::*;

const RUNS: usize = 5;

/// The panel's `data-checklist-shown-ms` as milliseconds. An unreadable value stops the bench: a
/// median built from a made-up 0 ms would look like the fastest run ever.
fn shown_ms(raw: &str) -> u64 {
    match raw.trim().parse::<u64>() {
        Ok(ms) => ms,
        Err(e) => panic!("data-checklist-shown-ms is not a whole number of milliseconds: {raw:?} ({e})"),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dist = root().join("dist").canonicalize().expect("dist/ is missing: run `cargo xtask build`");
    let sim =
        Sim::builder().org("contoso", Scenario::demo()).org("big", Scenario::large("Big", 50_000)).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dataverse_sim::serve(listener, sim, true, async move {
        let _ = stopped.await;
    }));
    let (_driver, driver_port) = start_chromedriver().await;
    let client =
        browser(driver_port, &dist, port, &["contoso.crm.dynamics.com", "big.crm.dynamics.com"]).await;
    let ext = extension_id(&dist);

    println!("panel: navigation start -> checklist shown (ms), {RUNS} runs each");
    for (host, label) in [
        ("contoso.crm.dynamics.com", "demo org (300 mailboxes)"),
        ("big.crm.dynamics.com", "large org (50,000 mailboxes)"),
    ] {
        client.goto(&format!("https://{host}/main.aspx")).await.expect("open org");
        wait_attr(&client, "html[data-syncready]", "data-syncready").await;
        let mut shown = Vec::new();
        let mut wall = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.expect("panel");
            let ms = wait_attr(&client, "html[data-checklist-shown-ms]", "data-checklist-shown-ms").await;
            wall.push(t.elapsed().as_millis());
            shown.push(shown_ms(&ms));
        }
        shown.sort_unstable();
        wall.sort_unstable();
        println!(
            "  {label:<30} median {:>6} ms (min {}, max {}); wall clock incl. WebDriver median {} ms",
            shown[RUNS / 2],
            shown[0],
            shown[RUNS - 1],
            wall[RUNS / 2]
        );
    }
    client.close().await.expect("close");
    let _ = stop.send(());
    let _ = server.await;
}
