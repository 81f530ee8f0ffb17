//! End-to-end, issue 18: the bulk flow in the real panel on a German page (`?lang=de`). The preview's
//! values and warnings, the progress line and the finished run's counts come from the German
//! catalogue, and the page stays clean and, at the narrowest side panel (320 px), without sideways
//! scrolling (German words are longer than English ones).
//!
//! Needs `dist/` (`cargo xtask build`) and Debian's `chromium` + `chromedriver`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use dataverse_sim::{Scenario, Sim};
use support::*;

const HOST: &str = "tailspin.crm.dynamics.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_18_the_bulk_preview_and_progress_are_german_on_a_german_page() {
    let sim = Sim::builder().org("tailspin", Scenario::fresh("Tailspin")).build();
    let h = Harness::extension(sim, &[HOST]).await;
    let (client, ext) = (h.client.clone(), h.ext.clone());
    enable_test_hooks(&client, &ext).await;
    client.goto(&format!("https://{HOST}/main.aspx")).await.unwrap();
    wait_attr(&client, "html[data-syncready]", "data-syncready").await;
    set_viewport(&client, 320, 720).await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel&lang=de")).await.unwrap();
    wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    let checklist_overflow = horizontal_overflow(&client, "panel (de) 320").await;

    click(&client, "[data-testid=remedy-approve-mailboxes]").await;
    let writes: usize =
        wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await.parse().unwrap();
    let table = text(&client, "[data-testid=bulk-preview] .sr-table tbody").await;
    let warnings = text(&client, "[data-testid=bulk-preview] .sr-warnings").await;
    let preview_overflow = horizontal_overflow(&client, "bulk preview (de) 320").await;
    screenshot(&client, "bulk-de-320-preview.png").await;
    h.console("bulk preview (de)", &[]).await;

    click(&client, "[data-testid=bulk-confirm]").await;
    let done = wait_attr_eq(&client, "[data-testid=bulk-progress]", "data-percent", "100", 60).await;
    let label = wait_text(&client, "[data-testid=bulk-progress-label]", "erledigt", 10).await;
    let done_overflow = horizontal_overflow(&client, "bulk run (de) 320").await;
    h.console("bulk run (de)", &[]).await;
    let problems = h.finish().await;

    assert_eq!((checklist_overflow, preview_overflow, done_overflow), (None, None, None));
    assert!(writes > 0, "the fresh org has mailboxes to approve");
    // Every row's new value is "Genehmigt"; no English value is left.
    assert_eq!(table.matches("Genehmigt").count(), writes, "{table}");
    assert!(!table.contains("Approved") && !table.contains("Pending"), "{table}");
    // The warning that tenant roles cannot be seen (a fresh org's admin is System Administrator only).
    assert!(warnings.contains("Zum Genehmigen braucht man außerdem die Microsoft 365-Rolle"), "{warnings:?}");
    assert_eq!(done, "100");
    assert_eq!(label, format!("{writes} von {writes} erledigt: {writes} erfolgreich"));
    assert!(problems.is_empty(), "console:\n{}", problems.join("\n"));
}
