//! End-to-end: the built extension (`dist/`) loaded into real headless Chromium, talking to the
//! simulator as `https://<org>.crm.dynamics.com` (host-resolver mapping plus a self-signed
//! certificate), so the real manifest is used unchanged.
//!
//! Needs `dist/` (`cargo xtask build`) and Debian's `chromium` + `chromedriver`
//! (`cargo xtask setup`); `cargo xtask test` runs everything in order.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use dataverse_sim::{Scenario, Sim};
use fantoccini::{Client, Locator};
use std::time::Duration;
use support::*;

/// Opens the org's Dynamics page (which signs in and lets the content script report the org), then
/// the side panel page, and returns the profile step's status.
async fn profile_step_for(client: &Client, ext: &str, host: &str) -> String {
    enable_test_hooks(client, ext).await;
    client.goto(&format!("https://{host}/main.aspx")).await.unwrap();
    let marker = wait_attr(client, "html[data-syncready]", "data-syncready").await;
    assert_eq!(marker, "connected", "the content script did not reach the service worker");
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.unwrap();
    wait_attr(client, "[data-testid=step-exchange-online-profile]", "data-status").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_side_panel_shows_the_profile_step_of_the_org_in_the_dynamics_tab() {
    let sim = Sim::builder()
        .org("contoso", Scenario::healthy("Contoso"))
        .org("fabrikam", Scenario::missing_profile("Fabrikam"))
        .org("demo", Scenario::demo())
        .static_dir(dist())
        .build();

    let h = Harness::extension(
        sim.clone(),
        &["contoso.crm.dynamics.com", "fabrikam.crm.dynamics.com", "demo.crm.dynamics.com"],
    )
    .await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    let contoso = profile_step_for(&client, &ext, "contoso.crm.dynamics.com").await;
    let contoso_name = text(&client, "[data-testid=org-name]").await;
    screenshot(&client, "panel-contoso.png").await;
    // What a screen-reader user would miss, on every surface this test visits.
    let mut a11y = a11y_problems(&client, "panel (contoso)").await;
    // Any CSP violation or failed load on any page this test visits fails it (issue 13).
    h.console("panel (contoso)", &[]).await;

    // The popup names the org and how far it is.
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=popup")).await.unwrap();
    wait_attr(&client, "[data-testid=headline]", "data-testid").await;
    let popup = text(&client, "[data-testid=headline]").await;
    let popup_org = text(&client, "[data-testid=org-name]").await;
    a11y.extend(a11y_problems(&client, "popup").await);
    h.console("popup", &[]).await;

    // In-context guidance: on the mailboxes list, the guide names its steps with the statuses the
    // panel just computed for this org.
    client.goto("https://contoso.crm.dynamics.com/main.aspx?pagetype=entitylist&etn=mailbox").await.unwrap();
    let guide = wait_attr(&client, "html[data-syncready-guide]", "data-syncready-guide").await;
    screenshot(&client, "guide-mailboxes.png").await;
    h.console("guide (mailboxes)", &[]).await;
    client.goto("https://contoso.crm.dynamics.com/main.aspx?pagetype=entitylist&etn=account").await.unwrap();
    wait_attr(&client, "html[data-syncready]", "data-syncready").await;
    let no_guide = client.find(Locator::Css("html[data-syncready-guide]")).await.is_err();

    let fabrikam = profile_step_for(&client, &ext, "fabrikam.crm.dynamics.com").await;
    let fabrikam_name = text(&client, "[data-testid=org-name]").await;
    screenshot(&client, "panel-fabrikam.png").await;
    a11y.extend(a11y_problems(&client, "panel (fabrikam, failing)").await);
    h.console("panel (fabrikam, failing)", &[]).await;

    // The mixed demo org, light and dark (README screenshots), with its charts.
    let demo = profile_step_for(&client, &ext, "demo.crm.dynamics.com").await;
    let chart_total = wait_attr(&client, "[data-testid=chart]", "data-total").await;
    screenshot(&client, "panel-demo-light.png").await;
    a11y.extend(a11y_problems(&client, "panel (demo, charts and grid)").await);
    h.console("panel (demo, charts and grid)", &[]).await;
    client
        .execute("document.querySelector('[data-testid=mailbox-grid]').scrollIntoView()", Vec::new())
        .await
        .unwrap();
    screenshot(&client, "panel-demo-grid.png").await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel&theme=dark")).await.unwrap();
    let dark = wait_attr_eq(&client, "html", "data-theme", "dark", 10).await;
    wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    screenshot(&client, "panel-demo-dark.png").await;
    h.console("panel (demo, dark)", &[]).await;

    // Web-app mode: the same build served by the org's host, reading it with the page's own session.
    client.goto("https://demo.crm.dynamics.com/syncready/index.html?surface=app").await.unwrap();
    let web_app = wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    let web_app_org = text(&client, "[data-testid=org-name]").await;
    a11y.extend(a11y_problems(&client, "web app").await);
    h.console("web app", &[]).await;

    // The session expires: the panel must say so instead of showing stale or empty results.
    sim.set_session_expired(true);
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.unwrap();
    let expired = wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    let expired_error = text(&client, "[data-testid=error]").await;
    screenshot(&client, "panel-session-expired.png").await;
    a11y.extend(a11y_problems(&client, "panel (session expired)").await);
    h.console("panel (session expired)", &["status of 401"]).await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
    wait_attr(&client, "[data-testid=opt-save]", "data-testid").await;
    a11y.extend(a11y_problems(&client, "options").await);
    h.console("options", &[]).await;

    // Options keep the admin's own app registration: a bad id is explained, a good one saved and
    // offered by the panel's sign-in form.
    let field = client.find(Locator::Css("[data-testid=opt-client-id]")).await.unwrap();
    field.send_keys("not-a-guid").await.unwrap();
    click(&client, "[data-testid=opt-sign-in-save]").await;
    let refused = wait_text(&client, "[data-testid=opt-sign-in-status]", "Application (client) ID", 5).await;
    field.clear().await.unwrap();
    field.send_keys("6731DE76-14A6-49AE-97BC-6EBA6914391E").await.unwrap();
    click(&client, "[data-testid=opt-sign-in-save]").await;
    let saved = wait_text(&client, "[data-testid=opt-sign-in-status]", "saved", 5).await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.unwrap();
    wait_attr(&client, "[data-testid=sign-in-client-id]", "data-testid").await;
    let prefilled = client
        .execute("return document.querySelector('[data-testid=sign-in-client-id]').value", Vec::new())
        .await
        .unwrap();
    h.console("options and panel (saved registration, session still expired)", &["status of 401"]).await;

    let console = h.finish().await;

    assert_eq!((contoso_name.as_str(), contoso.as_str()), ("Contoso", "pass"));
    assert_eq!((fabrikam_name.as_str(), fabrikam.as_str()), ("Fabrikam", "fail"));
    assert_eq!(demo, "pass", "the demo org has its Exchange Online profile");
    assert_eq!(dark, "dark", "?theme=dark shows the panel in the dark theme");
    assert_eq!(chart_total, "292", "the demo org's active user and queue mailboxes");
    assert_eq!((web_app_org.as_str(), web_app.as_str()), ("Contoso", "pass"), "web-app mode");
    // Step 7 ("Mailboxes keep synchronising") compares the last synchronization with the browser's
    // clock; this simulator's virtual clock stands still at 2026-11-20, so it reads "delayed".
    assert_eq!((popup_org.as_str(), popup.as_str()), ("Contoso", "6 of 7 steps done"));
    assert_eq!(expired, "unknown");
    assert!(a11y.is_empty(), "accessibility problems:\n{}", a11y.join("\n"));
    assert!(refused.contains("Application (client) ID: an application (client) id looks like"), "{refused}");
    assert!(saved.contains("Sign-in settings saved"), "{saved}");
    assert_eq!(prefilled, "6731de76-14a6-49ae-97bc-6eba6914391e", "the panel offers the saved registration");
    assert_eq!(guide, "mailboxes mailbox-configuration=pass mailbox-approval=pass test-and-enable=pass");
    assert!(no_guide, "the guide must not appear on pages outside the procedure");
    assert!(expired_error.contains("Sign in again"), "{expired_error}");
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_org_becomes_ready_through_one_click_bulk_actions() {
    let sim = Sim::builder().org("northwind", Scenario::fresh("Northwind")).build();
    // Simulated time runs 60x faster than the test, so Test & Enable (90 s in the simulator) finishes.
    let ticking = sim.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            ticking.advance(Duration::from_secs(15));
        }
    });

    let h = Harness::extension(sim.clone(), &["northwind.crm.dynamics.com"]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    // The admin checks Test & Enable results every second (Options).
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
    let poll = client.wait().for_element(Locator::Css("[data-testid=opt-poll]")).await.unwrap();
    poll.clear().await.unwrap();
    poll.send_keys("1").await.unwrap();
    click(&client, "[data-testid=opt-save]").await;
    wait_attr(&client, "[data-testid=opt-status]", "data-testid").await;
    // The value itself was saved: a fresh options page reads it back from storage.
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
    client.wait().for_element(Locator::Css("[data-testid=opt-poll]")).await.unwrap();
    let mut saved = serde_json::Value::Null;
    for _ in 0..25 {
        saved = client
            .execute("return document.querySelector('[data-testid=opt-poll]').value", Vec::new())
            .await
            .unwrap();
        if saved == "1" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(saved, "1", "the saved poll interval is read back by a fresh options page");

    let before = profile_step_for(&client, &ext, "northwind.crm.dynamics.com").await;
    assert_eq!(before, "pass", "the fresh org has its Exchange Online profile");
    let approval_before = wait_attr(&client, "[data-testid=step-mailbox-approval]", "data-status").await;
    screenshot(&client, "flow-1-before.png").await;

    // Fix what the checklist offers, one remedy at a time, until nothing is left to fix.
    let mut runs = Vec::new();
    let mut a11y = Vec::new();
    h.console("options and panel (northwind)", &[]).await;
    for _ in 0..8 {
        let loaded_at = wait_attr(&client, "[data-testid=report]", "data-loaded-at").await;
        let mut next = None;
        for remedy in ["approve-mailboxes", "apply-default-settings", "test-and-enable"] {
            let css = format!("[data-testid=remedy-{remedy}]");
            if client.find(Locator::Css(&css)).await.is_ok() {
                next = Some((remedy, css));
                break;
            }
        }
        let Some((remedy, css)) = next else { break };
        click(&client, &css).await;
        let writes = wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await;
        screenshot(&client, &format!("flow-{}-preview-{remedy}.png", runs.len())).await;
        a11y.extend(a11y_problems(&client, &format!("bulk preview ({remedy})")).await);
        h.console(&format!("bulk preview ({remedy})"), &[]).await;
        click(&client, "[data-testid=bulk-confirm]").await;
        let phase = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 90).await;
        let failed = wait_attr(&client, "[data-testid=bulk-progress]", "data-failed").await;
        let succeeded = wait_attr(&client, "[data-testid=bulk-progress]", "data-succeeded").await;
        screenshot(&client, &format!("flow-{}-done-{remedy}.png", runs.len())).await;
        a11y.extend(a11y_problems(&client, &format!("bulk results ({remedy})")).await);
        h.console(&format!("bulk results ({remedy})"), &[]).await;
        // Wait for the checklist to be read again after the run; the next remedy must come from the
        // new reading, so a checklist that never reloads fails the test here.
        let reloaded = wait_reloaded(&client, &loaded_at).await;
        assert!(reloaded, "the checklist was not read again within 20 s after the {remedy} run");
        runs.push((remedy, writes, phase, failed, succeeded));
    }

    // After the runs the checklist was read again: every step is done.
    let mut statuses = Vec::new();
    for step in [
        "exchange-online-profile",
        "org-email-defaults",
        "mailbox-configuration",
        "mailbox-approval",
        "test-and-enable",
        "mailbox-alerts",
    ] {
        let status =
            wait_attr_eq(&client, &format!("[data-testid=step-{step}]"), "data-status", "pass", 20).await;
        statuses.push((step, status));
    }
    screenshot(&client, "flow-2-after.png").await;
    h.console("panel after the runs", &[]).await;

    ticker.abort();
    let console = h.finish().await;

    assert_ne!(approval_before, "pass", "the fresh org starts with unapproved mailboxes");
    assert!(runs.iter().any(|r| r.0 == "approve-mailboxes"), "no approve remedy was offered: {runs:?}");
    for (remedy, writes, phase, failed, succeeded) in &runs {
        assert_eq!(phase, "finished", "{remedy} did not finish");
        assert_eq!(failed, "0", "{remedy} had failures");
        assert_eq!(succeeded, writes, "{remedy}: every planned write verified");
    }
    assert!(statuses.iter().all(|(_, s)| s == "pass"), "{statuses:?}");
    assert!(a11y.is_empty(), "accessibility problems:\n{}", a11y.join("\n"));
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_paused_by_an_expired_session_resumes_after_signing_in_again_without_repeating_writes() {
    let sim = Sim::builder().org("tailspin", Scenario::fresh("Tailspin")).build();
    let h = Harness::extension(sim.clone(), &["tailspin.crm.dynamics.com"]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    // Small batches, so the approval run takes several requests.
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
    let batch = client.wait().for_element(Locator::Css("[data-testid=opt-batch]")).await.unwrap();
    batch.clear().await.unwrap();
    batch.send_keys("4").await.unwrap();
    click(&client, "[data-testid=opt-save]").await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    profile_step_for(&client, &ext, "tailspin.crm.dynamics.com").await;
    click(&client, "[data-testid=remedy-approve-mailboxes]").await;
    let writes: usize =
        wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await.parse().unwrap();
    // The session expires two requests into the run.
    sim.inject(dataverse_sim::Fault::expire_session_after(2));
    click(&client, "[data-testid=bulk-confirm]").await;
    wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 60).await;
    // The halt line follows the phase; wait for it rather than read it at once (it raced once).
    let halt = wait_text(&client, "[data-testid=bulk-halt]", "session expired", 20).await;
    let paused_succeeded: usize =
        wait_attr(&client, "[data-testid=bulk-progress]", "data-succeeded").await.parse().unwrap();
    screenshot(&client, "resume-1-paused.png").await;

    // The admin signs in again in the Dynamics tab and reopens SyncReady: the run is offered for resume.
    let ops_before: usize =
        sim.journal().iter().filter(|j| j.path.contains("$batch")).map(|j| j.batch_operations).sum();
    profile_step_for(&client, &ext, "tailspin.crm.dynamics.com").await;
    click(&client, "[data-testid=bulk-resume]").await;
    let phase = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 60).await;
    let succeeded: usize =
        wait_attr(&client, "[data-testid=bulk-progress]", "data-succeeded").await.parse().unwrap();
    let failed = wait_attr(&client, "[data-testid=bulk-progress]", "data-failed").await;
    screenshot(&client, "resume-2-done.png").await;
    // The expired session answers 401 on purpose; nothing else may fail.
    h.console("paused and resumed run", &["status of 401"]).await;
    let ops_after: usize =
        sim.journal().iter().filter(|j| j.path.contains("$batch")).map(|j| j.batch_operations).sum();

    let console = h.finish().await;

    assert!(halt.contains("session expired"), "{halt}");
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
    assert!(paused_succeeded < writes, "the run was paused part-way ({paused_succeeded} of {writes})");
    assert_eq!(phase, "finished");
    assert_eq!((succeeded, failed.as_str()), (writes, "0"), "every approval verified after the resume");
    // The resumed run only sent what was left: each remaining write once with its read-back (at most
    // one read per write, as batches shrink to spread the tail over the lanes), plus at most two reads
    // to settle writes the pause left unconfirmed. Repeating the applied writes would exceed that.
    let remaining = writes - paused_succeeded;
    let resumed_ops = ops_after - ops_before;
    assert!(
        (remaining..=2 * remaining + 2).contains(&resumed_ops),
        "{resumed_ops} operations for {remaining} remaining approvals"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_panel_follows_the_admin_to_another_orgs_tab() {
    let sim = Sim::builder()
        .org("contoso", Scenario::healthy("Contoso"))
        .org("fabrikam", Scenario::missing_profile("Fabrikam"))
        .build();
    let hosts = ["contoso.crm.dynamics.com", "fabrikam.crm.dynamics.com"];
    let h = Harness::extension(sim.clone(), &hosts).await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    // Tab 1: Dynamics (Contoso). Tab 2: the panel, which stays open from here on.
    let dynamics_tab = client.window().await.unwrap();
    let first = profile_step_for(&client, &ext, "contoso.crm.dynamics.com").await;
    let panel_tab = client.new_window(true).await.unwrap().handle;
    client.switch_to_window(panel_tab.clone()).await.unwrap();
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.unwrap();
    wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    let before = text(&client, "[data-testid=org-name]").await;

    // The admin moves the Dynamics tab to Fabrikam; the panel is not reloaded by anyone.
    client.switch_to_window(dynamics_tab).await.unwrap();
    client.goto("https://fabrikam.crm.dynamics.com/main.aspx").await.unwrap();
    wait_attr(&client, "html[data-syncready]", "data-syncready").await;
    client.switch_to_window(panel_tab).await.unwrap();
    let mut after = String::new();
    for _ in 0..100 {
        if let Ok(el) = client.find(Locator::Css("[data-testid=org-name]")).await {
            after = el.text().await.unwrap_or_default();
        }
        if after == "Fabrikam" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status =
        wait_attr_eq(&client, "[data-testid=step-exchange-online-profile]", "data-status", "fail", 20).await;
    h.console("panel following the admin", &[]).await;

    let console = h.finish().await;

    assert_eq!((first.as_str(), before.as_str()), ("pass", "Contoso"));
    assert_eq!((after.as_str(), status.as_str()), ("Fabrikam", "fail"));
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
}

/// Points the panel at `org` the way the service worker does (`storage.session`), from the panel page.
async fn show_org(client: &Client, org: &str) {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         chrome.storage.session.set({{'syncready.activeOrg': 'https://{org}'}}).then(() => done(true))"
    );
    client.execute_async(&script, Vec::new()).await.unwrap();
}

/// Waits until the panel names `name` as its org; returns the last name seen.
async fn wait_org_name(client: &Client, name: &str) -> String {
    wait_text(client, "[data-testid=org-name]", name, 20).await
}

/// Issue 12: the bulk panel's state belongs to one org. When the panel follows the admin from Contoso
/// to Fabrikam, a finished run's results and its Undo disappear, and so does a preview.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_12_the_bulk_panel_drops_its_state_when_the_panel_follows_another_org() {
    let sim = Sim::builder()
        .org("contoso", Scenario::fresh("Contoso"))
        .org("fabrikam", Scenario::fresh("Fabrikam"))
        .build();
    let hosts = ["contoso.crm.dynamics.com", "fabrikam.crm.dynamics.com"];
    let h = Harness::extension(sim.clone(), &hosts).await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    // Signed in to both orgs (the simulator's sign-in page sets the session cookie).
    for host in hosts {
        client.goto(&format!("https://{host}/main.aspx")).await.unwrap();
    }
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel")).await.unwrap();
    show_org(&client, "contoso.crm.dynamics.com").await;
    let contoso = wait_org_name(&client, "Contoso").await;

    // A run on Contoso finishes; its results offer Undo.
    click(&client, "[data-testid=remedy-approve-mailboxes]").await;
    wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await;
    click(&client, "[data-testid=bulk-confirm]").await;
    let finished = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 60).await;
    let undo_on_contoso = client.find(Locator::Css("[data-testid=bulk-undo]")).await.is_ok();
    let writes_before = sim.journal().iter().filter(|j| j.path.contains("$batch")).count();

    // The admin moves to Fabrikam: the results and their Undo go.
    show_org(&client, "fabrikam.crm.dynamics.com").await;
    let fabrikam = wait_org_name(&client, "Fabrikam").await;
    let after_switch = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "idle", 10).await;
    let undo_on_fabrikam = client.find(Locator::Css("[data-testid=bulk-undo]")).await.is_ok();

    // A preview made on Fabrikam goes too when the admin moves back to Contoso.
    click(&client, "[data-testid=remedy-approve-mailboxes]").await;
    let previewed = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "preview", 10).await;
    show_org(&client, "contoso.crm.dynamics.com").await;
    let back = wait_org_name(&client, "Contoso").await;
    let after_return = wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "idle", 10).await;
    let confirm_left = client.find(Locator::Css("[data-testid=bulk-confirm]")).await.is_ok();
    let writes_after = sim.journal().iter().filter(|j| j.path.contains("$batch")).count();

    h.finish().await;

    assert_eq!((contoso.as_str(), finished.as_str(), undo_on_contoso), ("Contoso", "finished", true));
    assert_eq!(fabrikam, "Fabrikam");
    assert_eq!(
        (after_switch.as_str(), undo_on_fabrikam),
        ("idle", false),
        "Contoso's results stayed on Fabrikam"
    );
    assert_eq!(previewed, "preview");
    assert_eq!((back.as_str(), after_return.as_str(), confirm_left), ("Contoso", "idle", false));
    assert_eq!(writes_before, writes_after, "nothing was written after the run");
}
