//! The plain-JS parts' unit tests, run in Node with a fake `chrome`: the service worker's message
//! validation (issue 12.3, 12.8, 12.9) and the guide's messages (`tests/js/background.test.mjs`), and
//! the content script's page recognition and navigation (issue 14, `tests/js/content.test.mjs`), and
//! that the guide renders every text from `_locales/` in English and German (issue 18: `chrome.i18n`
//! is `tests/js/i18n.mjs`, which reads the real catalogues).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_service_worker_and_the_content_script_pass_their_node_tests() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node")
        .arg("--test")
        .arg(root.join("tests/js/background.test.mjs"))
        .arg(root.join("tests/js/content.test.mjs"))
        .output()
        .expect("node is not installed (Node 20, see README \"The two commands\")");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "node --test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("# fail 0") && !stdout.contains("# pass 0"), "{stdout}");
}
