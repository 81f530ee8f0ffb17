//! End-to-end, issue 15: the tenant view in the side panel at 360 px. The built extension (`dist/`)
//! in headless Chromium against the simulator with four orgs of one tenant opened in this browser
//! session (session reuse): production, its sandbox copy (same record ids), another production org
//! sharing three people, and an org that refuses the caller. One row per environment with its strip
//! or its reason, the conflicts, a previewed fix that writes only to the environment chosen (judged
//! by the simulator's own write count), no sideways overflow and an empty console; then the same
//! view in German (`?lang=de`, issue 18).
//!
//! Needs `dist/` (`cargo xtask build`) and Debian's `chromium` + `chromedriver`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use dataverse_sim::{Environment, Scenario, Sim};
use fantoccini::Locator;
use std::time::Duration;
use support::*;

const HOSTS: [&str; 4] = [
    "contoso.crm.dynamics.com",
    "contoso-dev.crm.dynamics.com",
    "fabrikam.crm.dynamics.com",
    "locked.crm.dynamics.com",
];

fn tenant() -> Sim {
    let sim = Sim::builder()
        .org("contoso", Scenario::healthy("Contoso"))
        .org("fabrikam", Scenario::healthy("Fabrikam"))
        .org("locked", Scenario::fresh("Locked"))
        .build();
    assert!(sim.copy_org("contoso", "contoso-dev", "Contoso (copy)"));
    sim.set_environment("contoso-dev", Environment::sandbox());
    sim.set_environment("locked", Environment::production().refusing());
    assert_eq!(sim.share_addresses("contoso", "fabrikam", 3).len(), 3);
    sim
}

#[tokio::test]
async fn the_tenant_view_at_360_px_lists_every_environment_its_conflicts_and_fixes_only_the_one_chosen() {
    let dist = root().join("dist").canonicalize().expect("dist/ is missing: run `cargo xtask build`");
    let ext = extension_id(&dist);
    let sim = tenant();
    let (sim_port, stop, server) = start_sim(sim.clone()).await;
    let (_driver, driver_port) = start_chromedriver().await;
    let client = browser(driver_port, &dist, sim_port, &HOSTS).await;

    enable_test_hooks(&client, &ext).await;
    for host in HOSTS {
        client.goto(&format!("https://{host}/main.aspx")).await.unwrap();
        wait_attr(&client, "html[data-syncready]", "data-syncready").await;
    }
    set_viewport(&client, 360, 720).await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=tenant")).await.unwrap();
    // The conflicts appear once every environment finished.
    wait_attr(&client, "[data-testid=conflicts]", "aria-labelledby").await;
    let status = text(&client, "[data-testid=tenant-status]").await;
    assert!(status.starts_with("4 environments: 3 read, 1 not readable."), "{status}");

    let rows = client.find_all(Locator::Css("[data-testid=tenant-row]")).await.unwrap();
    assert_eq!(rows.len(), 4);
    let mut states = Vec::new();
    for row in &rows {
        states.push((
            row.attr("data-env").await.unwrap().unwrap_or_default(),
            row.attr("data-state").await.unwrap().unwrap_or_default(),
        ));
    }
    assert!(
        states.iter().any(|(env, state)| env.starts_with("locked")
            && state.contains("The user is not a member of the organization")),
        "{states:?}"
    );
    let strips = client.find_all(Locator::Css("[data-testid=tenant-strip]")).await.unwrap();
    assert_eq!(strips.len(), 3);
    let steps = client.find_all(Locator::Css("[data-testid=tenant-strip] [data-step]")).await.unwrap();
    assert_eq!(steps.len(), 21, "seven steps per read environment");

    // Conflicts: the copy, and addresses synchronised from several environments.
    let conflicts = client.find_all(Locator::Css("[data-testid=conflict]")).await.unwrap();
    assert!(!conflicts.is_empty());
    assert_eq!(horizontal_overflow(&client, "tenant 360").await, None);
    screenshot(&client, "tenant-360.png").await;

    // Without discovery the types are unknown: either of the two may be the copy, the admin says
    // which. Preview and run "switch the copy off" in contoso-dev: only it is written to.
    let buttons = client.find_all(Locator::Css("[data-testid=fix-copy]")).await.unwrap();
    let mut chosen = None;
    for b in buttons {
        if b.text().await.unwrap().contains("contoso-dev") {
            chosen = Some(b);
        }
    }
    chosen.expect("a fix for contoso-dev").click().await.unwrap();
    let env = wait_text(&client, "[data-testid=fix-env]", "Writes to contoso-dev only", 20).await;
    assert!(env.contains("changes"), "{env}");
    click(&client, "[data-testid=fix-confirm]").await;
    let done = wait_text(&client, "[data-testid=fix-status]", "succeeded", 60).await;
    assert!(done.contains("0 failed"), "{done}");
    assert!(sim.api_writes("contoso").is_empty(), "production was not written to");
    assert!(sim.api_writes("fabrikam").is_empty());
    assert!(!sim.api_writes("contoso-dev").is_empty());

    let a11y = a11y_problems(&client, "tenant").await;
    assert!(a11y.is_empty(), "{a11y:#?}");
    // The refusing org's 403s are logged by the browser as failed loads: provoked on purpose.
    let console =
        console_problems(&client, "tenant", &["https://locked.crm.dynamics.com/api/data/v9.2/"]).await;
    assert!(console.is_empty(), "{console:#?}");
    assert!(sim.unexpected_requests().is_empty(), "{:?}", sim.unexpected_requests());

    // Issue 18: the same view from the German catalogue (`?lang=de`): heading, filter, status line and
    // the refusal in German; the row's `data-state` keeps the export's English; the console stays clean.
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=tenant&lang=de")).await.unwrap();
    wait_attr(&client, "[data-testid=conflicts]", "aria-labelledby").await;
    assert_eq!(text(&client, "#sr-tenant-title").await, "Alle Umgebungen");
    assert_eq!(text(&client, "[data-testid=tenant-kind] option").await, "Alle Typen");
    let status = text(&client, "[data-testid=tenant-status]").await;
    assert!(status.starts_with("4 Umgebungen: 3 gelesen, 1 nicht lesbar."), "{status}");
    let refused = text(&client, "[data-testid=tenant-refused]").await;
    assert!(refused.starts_with("Kein Zugriff: "), "{refused}");
    let state = client.find(Locator::Css("[data-testid=tenant-row][data-env^=locked]")).await.unwrap();
    assert!(state.attr("data-state").await.unwrap().unwrap_or_default().starts_with("no access: "));
    let console =
        console_problems(&client, "tenant (de)", &["https://locked.crm.dynamics.com/api/data/v9.2/"]).await;
    assert!(console.is_empty(), "{console:#?}");

    client.close().await.unwrap();
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
}
