//! Shared browser helpers for the end-to-end tests and the panel benchmark: Debian chromedriver +
//! headless Chromium with the built extension loaded, the simulator mapped to `*.crm.dynamics.com`.
//!
//! A test starts with [`Harness::extension`] (or [`Harness::web`] for the web-app mode), which owns
//! the simulator, chromedriver and the browser and ends them on drop; the functions below are the
//! waits, reads and inputs the tests share.
#![allow(dead_code, unreachable_pub)]

mod harness;
mod hooks;
#[allow(unused_imports)] // not every test binary needs `dist` itself
pub use harness::{Harness, dist};
#[allow(unused_imports)] // not every test binary turns the hooks on
pub use hooks::enable_test_hooks;

use fantoccini::{Client, ClientBuilder, Locator};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Chromium derives an unpacked extension's id from its absolute path: the first 32 hex digits of
/// SHA-256(path), with 0-f mapped to a-p.
pub fn extension_id(dist: &Path) -> String {
    let digest = Sha256::digest(dist.to_string_lossy().as_bytes());
    digest.iter().take(16).flat_map(|b| [b >> 4, b & 0xf]).map(|n| char::from(b'a' + n)).collect()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn start_chromedriver() -> (Driver, u16) {
    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: run `cargo xtask setup`"),
    );
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (driver, port);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening on port {port}");
}

/// The Chromium profile directory of a browser mapped to the simulator on `sim_port` (one per test).
pub fn profile_dir(sim_port: u16) -> PathBuf {
    std::env::temp_dir().join(format!("syncready-e2e-{}-{sim_port}", std::process::id()))
}

pub async fn browser(driver_port: u16, dist: &Path, sim_port: u16, hosts: &[&str]) -> Client {
    browser_with(driver_port, Some(dist), sim_port, hosts).await
}

/// Headless Chromium with `extension` loaded (or none: a plain browser for the web-app mode), and
/// `hosts` mapped to the simulator on `sim_port`, in the browser's default language (English).
pub async fn browser_with(
    driver_port: u16,
    extension: Option<&Path>,
    sim_port: u16,
    hosts: &[&str],
) -> Client {
    browser_in(driver_port, extension, sim_port, hosts, None).await
}

/// [`browser_with`], with Chromium's own language `lang` (a BCP 47 tag such as `de`) when given.
///
/// Two settings make a browser "German" as an admin's would be, and Debian's headless Chromium (156)
/// needs both, as tried one by one: `--lang=de` sets the application locale, which picks the
/// extension's `_locales/de` for `chrome.i18n` and `__MSG_…__`, even though Debian ships only the
/// `en-US` UI resources (so `chrome.i18n.getUILanguage()` still says `en-US`); the
/// `intl.accept_languages` preference sets `navigator.languages` (the pages' language negotiation),
/// which `--lang` alone leaves at `["en-US", "en"]`. The `LANGUAGE` (and `LANG`) environment variable
/// of the browser process changes neither. `tests/store_e2e.rs` asserts both effects.
pub async fn browser_in(
    driver_port: u16,
    extension: Option<&Path>,
    sim_port: u16,
    hosts: &[&str],
    lang: Option<&str>,
) -> Client {
    let profile = profile_dir(sim_port);
    let rules = hosts.iter().map(|h| format!("MAP {h} 127.0.0.1:{sim_port}")).collect::<Vec<_>>().join(", ");
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1100,900",
        "--ignore-certificate-errors",
    ]
    .map(String::from)
    .to_vec();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!("--host-resolver-rules={rules}"));
    if let Some(dir) = extension {
        args.push(format!("--load-extension={}", dir.display()));
        args.push(format!("--disable-extensions-except={}", dir.display()));
    }
    let mut options = serde_json::json!({ "binary": "/usr/bin/chromium" });
    if let Some(lang) = lang {
        args.push(format!("--lang={lang}"));
        options["prefs"] = serde_json::json!({ "intl.accept_languages": lang });
    }
    options["args"] = serde_json::json!(args);
    let caps = serde_json::json!({
        "acceptInsecureCerts": true,
        "goog:chromeOptions": options,
        // Every console message of every page, read back by `console_problems`.
        "goog:loggingPrefs": { "browser": "ALL" }
    });
    let serde_json::Value::Object(caps) = caps else { unreachable!() };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("could not start Chromium through chromedriver")
}

/// Starts `sim` over TLS on a free loopback port: `(port, stop, server)`; send on `stop` to end it.
pub async fn start_sim(
    sim: dataverse_sim::Sim,
) -> (u16, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dataverse_sim::serve(listener, sim, true, async move {
        let _ = stopped.await;
    }));
    (port, stop, server)
}

/// The application (client) id of the own app registration the web-app tests sign in with (the
/// simulator's authority accepts any single-page application id).
pub const OWN_CLIENT_ID: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";

/// Opens the web app the simulator on `port` serves, for the org `org_host`, and waits until its
/// sign-in form shows it signed out; returns the page's address (without a query).
pub async fn open_web_app(client: &Client, port: u16, org_host: &str) -> String {
    let page = format!("https://127.0.0.1:{port}/syncready/index.html");
    client.goto(&format!("{page}?surface=app&org=https%3A%2F%2F{org_host}")).await.unwrap();
    wait_attr(client, "[data-testid=sign-in][data-state=signed-out]", "data-state").await;
    page
}

/// Signs the open web app in with the own registration ([`OWN_CLIENT_ID`]) against the simulator's
/// authority and waits until it is signed in.
pub async fn sign_in_own(client: &Client) {
    let field = client.find(Locator::Css("[data-testid=sign-in-client-id]")).await.unwrap();
    field.send_keys(OWN_CLIENT_ID).await.unwrap();
    click(client, "[data-testid=sign-in-button]").await;
    wait_attr(client, "[data-testid=sign-in][data-state=signed-in]", "data-state").await;
}

/// Waits for an element matching `css` and returns the value of `attr` once it is present.
pub async fn wait_attr(client: &Client, css: &str, attr: &str) -> String {
    let element = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
    element.attr(attr).await.unwrap().unwrap_or_else(|| panic!("{css} has no {attr}"))
}

/// Waits up to 20 s for the checklist to be read again after the reading stamped `loaded_at`
/// (`[data-testid=report]`'s `data-loaded-at`); true when it was.
pub async fn wait_reloaded(client: &Client, loaded_at: &str) -> bool {
    for _ in 0..100 {
        if let Ok(el) = client.find(Locator::Css("[data-testid=report]")).await
            && el.attr("data-loaded-at").await.ok().flatten().is_some_and(|v| v != loaded_at)
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

pub async fn text(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

pub async fn screenshot(client: &Client, name: &str) {
    let dir = root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

pub async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("could not click {css}: {e}"));
}

/// Waits until the element matching `css` has `attr` equal to `want`; returns the last value seen.
/// Waits up to `secs` for `css` to show text containing `want`; returns the last text seen (empty
/// when the element never appeared), so a failed wait can be asserted with what was there.
pub async fn wait_text(client: &Client, css: &str, want: &str, secs: u64) -> String {
    let mut last = String::new();
    for _ in 0..secs * 10 {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(want) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

pub async fn wait_attr_eq(client: &Client, css: &str, attr: &str, want: &str, secs: u64) -> String {
    let mut last = String::new();
    for _ in 0..secs * 5 {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.attr(attr).await.ok().flatten().unwrap_or_default();
            if last == want {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    last
}

/// A small accessibility audit of the current page, run in the page: what a screen-reader user would
/// miss. Returns one line per problem (empty when the page passes), prefixed with `page`.
///
/// Checked: `<html lang>`; an accessible name on every control (button, link, input, select,
/// textarea, summary, `role=button`), progress bar and `role=img`; labels and `aria-labelledby`
/// pointing at existing ids; unique ids; heading levels that do not skip going down; `aria-live`
/// regions and `role=status|alert` present where the page shows run state.
pub async fn a11y_problems(client: &Client, page: &str) -> Vec<String> {
    let script = r#"
const problems = [];
const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
const text = el => (el.textContent || '').replace(/\s+/g, ' ').trim();
const named = el => {
  if ((el.getAttribute('aria-label') || '').trim()) return true;
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(/\s+/).every(id => document.getElementById(id) && text(document.getElementById(id)));
  if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return true;
  if (el.closest('label') && text(el.closest('label'))) return true;
  if ((el.getAttribute('title') || '').trim()) return true;
  const tag = el.tagName.toLowerCase();
  if (tag === 'input' && ['submit', 'button', 'reset'].includes(el.type)) return !!el.value;
  if (['input', 'select', 'textarea', 'progress'].includes(tag)) return false;
  return text(el).length > 0;
};
const describe = el => {
  const id = el.getAttribute('data-testid') || el.id || el.className || '';
  return `<${el.tagName.toLowerCase()} ${id}> "${text(el).slice(0, 40)}"`;
};
if (!document.documentElement.getAttribute('lang')) problems.push('<html> has no lang');
const controls = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], progress, [role=img], svg[role=img]';
for (const el of document.querySelectorAll(controls)) {
  if (!visible(el) && el.tagName.toLowerCase() !== 'progress') continue;
  if (!named(el)) problems.push(`no accessible name: ${describe(el)}`);
}
for (const label of document.querySelectorAll('label[for]')) {
  if (!document.getElementById(label.htmlFor)) problems.push(`label for missing id "${label.htmlFor}"`);
}
const seen = new Map();
for (const el of document.querySelectorAll('[id]')) {
  if (seen.has(el.id)) problems.push(`duplicate id "${el.id}"`);
  seen.set(el.id, true);
}
let last = 0;
for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
  if (!visible(h)) continue;
  const level = Number(h.tagName[1]);
  if (last && level > last + 1) problems.push(`heading skips from h${last} to h${level}: "${text(h).slice(0, 40)}"`);
  last = level;
}
return problems;
"#;
    let value = client.execute(script, Vec::new()).await.unwrap();
    value
        .as_array()
        .map(|a| a.iter().filter_map(|p| p.as_str()).map(|p| format!("{page}: {p}")).collect())
        .unwrap_or_default()
}

// --- Console, CSP and real sizes (issue 13) --------------------------------------------------------

/// A raw WebDriver command on the session (chromedriver's own endpoints, which fantoccini does not
/// wrap: the browser log, DevTools commands, wheel input).
#[derive(Debug)]
struct Raw {
    method: http::Method,
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Raw {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/{}", session.unwrap_or_default(), self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (self.method.clone(), Some(self.body.to_string()))
    }
}

async fn raw(client: &Client, path: &'static str, body: serde_json::Value) -> serde_json::Value {
    client
        .issue_cmd(Raw { method: http::Method::POST, path, body })
        .await
        .unwrap_or_else(|e| panic!("chromedriver refused {path}: {e}"))
}

/// Drains the browser's console log (chromedriver's `goog:loggingPrefs`, every page since the last
/// call) and returns what must fail a test, each line prefixed with `page`: every Content Security
/// Policy violation (never allowed), and every other error (failed resource loads, uncaught
/// exceptions, `console.error`) unless its text contains one of `expected` (responses a flow provokes
/// on purpose, e.g. the 401 of an expired session).
///
/// Why the log and not a `securitypolicyviolation` listener: the log is written by the browser from
/// the first byte of every page (a listener installed by the test comes after the page's own
/// scripts and styles were applied), it covers failed loads of every kind, and it needs nothing in
/// the shipped pages. `the_console_collector_catches_a_csp_violation_and_a_failed_load` proves it.
pub async fn console_problems(client: &Client, page: &str, expected: &[&str]) -> Vec<String> {
    let log = raw(client, "se/log", serde_json::json!({ "type": "browser" })).await;
    log.as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let level = entry["level"].as_str().unwrap_or_default();
            let message = entry["message"].as_str().unwrap_or_default();
            let csp = message.contains("Content Security Policy");
            let error = level == "SEVERE";
            let excused = !csp && expected.iter().any(|e| message.contains(e));
            ((csp || error) && !excused).then(|| format!("{page}: [{level}] {message}"))
        })
        .collect()
}

/// Sets the page's viewport to exactly `width` x `height` CSS pixels (DevTools device metrics, so
/// media queries and `innerWidth` see that size; the window itself keeps its size). Applies to the
/// current tab across navigations; `0` x `0` clears it.
pub async fn set_viewport(client: &Client, width: u32, height: u32) {
    let (cmd, params) = if width == 0 {
        ("Emulation.clearDeviceMetricsOverride", serde_json::json!({}))
    } else {
        (
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        )
    };
    raw(client, "goog/cdp/execute", serde_json::json!({ "cmd": cmd, "params": params })).await;
}

/// One mouse-wheel turn of `delta_y` pixels with the pointer at the centre of the element matching
/// `css` (WebDriver wheel input: the browser scrolls what is under the pointer, as a user's wheel).
pub async fn wheel(client: &Client, css: &str, delta_y: i64) {
    let centre = client
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)]",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    let body = serde_json::json!({ "actions": [{
        "type": "wheel", "id": "wheel",
        "actions": [{ "type": "scroll", "origin": "viewport", "x": centre[0], "y": centre[1],
                      "deltaX": 0, "deltaY": delta_y, "duration": 0 }]
    }] });
    raw(client, "actions", body).await;
}

/// Presses `keys` (WebDriver key codes, e.g. `\u{E010}` for End) one after another in the focused
/// element.
pub async fn press(client: &Client, keys: &[char]) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut actions = KeyActions::new("keys".to_owned());
    for &value in keys {
        actions = actions.then(KeyAction::Down { value }).then(KeyAction::Up { value });
    }
    client.perform_actions(actions).await.unwrap();
}

/// Horizontal overflow of the current page: `None` when `scrollWidth <= clientWidth`, otherwise the
/// widths and the elements that stick out (for the failure message), prefixed with `page`.
pub async fn horizontal_overflow(client: &Client, page: &str) -> Option<String> {
    let script = r#"
const root = document.scrollingElement || document.documentElement;
if (root.scrollWidth <= root.clientWidth) return null;
const out = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width && r.right > root.clientWidth + 0.5) {
    out.push(`<${el.tagName.toLowerCase()} ${el.getAttribute('data-testid') || el.className || ''}> right ${Math.round(r.right)}`);
  }
}
return `scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}: ${out.slice(0, 8).join('; ')}`;
"#;
    let value = client.execute(script, Vec::new()).await.unwrap();
    value.as_str().map(|s| format!("{page}: {s}"))
}

/// Whether the element matching `css` lies entirely inside the window's viewport.
pub async fn in_viewport(client: &Client, css: &str) -> bool {
    let script = "const el = document.querySelector(arguments[0]); if (!el) return false; \
                  const r = el.getBoundingClientRect(); \
                  return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth";
    client.execute(script, vec![serde_json::json!(css)]).await.unwrap() == serde_json::json!(true)
}
