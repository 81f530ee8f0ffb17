//! The content script's test hooks (README "Test hooks"; issue 12.8): off unless an extension page
//! sets `syncready.testHooks` in `storage.session`, which no web page can do.

use fantoccini::Client;

/// Turns the hooks on for this browser session (idempotent). Leaves the browser on the options page.
pub async fn enable_test_hooks(client: &Client, ext: &str) {
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
    let set = client
        .execute(
            "return chrome.storage.session.set({ 'syncready.testHooks': true }).then(() => true)",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(set, serde_json::Value::Bool(true), "could not turn the test hooks on");
}
