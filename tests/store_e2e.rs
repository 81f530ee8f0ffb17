//! End-to-end, issue 18: the store screenshots. Both stores take 1280×800 screenshots; the side panel
//! is 320–500 px wide, so each screenshot shows the simulator's Dynamics page (880 px) with the side
//! panel beside it at 400 px, as an admin sees them, composed from two real screenshots of the built
//! extension (`dist/`) in headless Chromium against the simulator. They are written to
//! `target/e2e/store/`; `docs/store/screenshots/` holds the committed copies that
//! `cargo xtask package` checks and puts beside the zips (docs/store/listing.md).
//!
//! Also the German renderings: the panel with `?lang=de`, and a browser whose own language is German
//! (the panel and the in-page guide, no `?lang=`).
//!
//! Needs `dist/` (`cargo xtask build`) and Debian's `chromium` + `chromedriver`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use dataverse_sim::{Scenario, Sim};
use fantoccini::Client;
use std::path::PathBuf;
use support::*;

const WIDTH: u32 = 1_280;
const HEIGHT: u32 = 800;
/// The side panel's width in the screenshots (admins keep it 320–500 px).
const PANEL: u32 = 400;

fn dist() -> PathBuf {
    root().join("dist").canonicalize().expect("dist/ is missing: run `cargo xtask build`")
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(png.get(..8), Some(&b"\x89PNG\r\n\x1a\n"[..]), "a PNG");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= chunk.len() { char::from(ABC[((n >> shift) & 63) as usize]) } else { '=' });
        }
    }
    out
}

/// Opens the org's Dynamics page (the content script reports the org), then the side panel page at
/// the panel's width, and waits for the checklist.
async fn open_panel(client: &Client, ext: &str, host: &str, query: &str) {
    set_viewport(client, PANEL, HEIGHT).await;
    client.goto(&format!("https://{host}/main.aspx")).await.unwrap();
    wait_attr(client, "html[data-syncready]", "data-syncready").await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel{query}")).await.unwrap();
    wait_attr(client, "[data-testid=step-exchange-online-profile]", "data-status").await;
}

/// A screenshot of `url` (a Dynamics page of the simulator) at the width left of the panel.
async fn dynamics(client: &Client, url: &str, ready: &str) -> Vec<u8> {
    set_viewport(client, WIDTH - PANEL, HEIGHT).await;
    client.goto(url).await.unwrap();
    wait_attr(client, ready, ready.trim_start_matches("html[").trim_end_matches(']')).await;
    client.screenshot().await.unwrap()
}

/// `left` (Dynamics) and `right` (the panel) side by side on one 1280×800 page, with the one-pixel
/// divider Chrome draws between a tab and its side panel.
async fn compose(client: &Client, left: &[u8], right: &[u8]) -> Vec<u8> {
    assert_eq!(png_size(left), (WIDTH - PANEL, HEIGHT));
    assert_eq!(png_size(right), (PANEL, HEIGHT));
    set_viewport(client, WIDTH, HEIGHT).await;
    client.goto("about:blank").await.unwrap();
    let script = "const [left, right, split, height] = arguments;
        document.body.replaceChildren();
        document.body.style.margin = '0';
        const place = (el, x, w) => {
            el.style.position = 'absolute'; el.style.top = '0'; el.style.left = x + 'px';
            el.style.width = w + 'px'; el.style.height = height + 'px'; document.body.append(el);
        };
        const image = (png, x, w) => new Promise((ok, fail) => {
            const img = new Image(); img.onload = () => ok(true); img.onerror = fail;
            img.src = 'data:image/png;base64,' + png; place(img, x, w);
        });
        const line = document.createElement('div'); line.style.background = '#c8c6c4';
        return Promise.all([image(left, 0, split), image(right, split, 1280 - split)])
            .then(() => { place(line, split - 1, 1); return true; });";
    let args = vec![base64(left).into(), base64(right).into(), (WIDTH - PANEL).into(), HEIGHT.into()];
    client.execute(script, args).await.unwrap();
    client.screenshot().await.unwrap()
}

fn save(name: &str, png: &[u8]) -> PathBuf {
    let dir = root().join("target/e2e/store");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, png).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_screenshots_are_1280_by_800_with_the_panel_beside_dynamics() {
    let dist = dist();
    let sim = Sim::builder()
        .org("contoso", Scenario::demo())
        .org("northwind", Scenario::fresh("Northwind"))
        .static_dir(dist.clone())
        .build();
    let (sim_port, stop, server) = start_sim(sim).await;
    let (_driver, driver_port) = start_chromedriver().await;
    let client =
        browser(driver_port, &dist, sim_port, &["contoso.crm.dynamics.com", "northwind.crm.dynamics.com"])
            .await;
    let ext = extension_id(&dist);
    enable_test_hooks(&client, &ext).await;
    let mut console = Vec::new();
    let mut shots = Vec::new();

    // 1. The checklist beside the mailbox list, with the in-page guide on it.
    open_panel(&client, &ext, "contoso.crm.dynamics.com", "&theme=light").await;
    let panel = client.screenshot().await.unwrap();
    console.extend(console_problems(&client, "panel", &[]).await);
    let guide = "html[data-syncready-guide]";
    let list = dynamics(
        &client,
        "https://contoso.crm.dynamics.com/main.aspx?pagetype=entitylist&etn=mailbox",
        guide,
    )
    .await;
    console.extend(console_problems(&client, "mailbox list with the guide", &[]).await);
    shots.push(save("1-checklist.png", &compose(&client, &list, &panel).await));

    // 2. The mailbox list of the panel, one mailbox selected.
    let home = dynamics(&client, "https://contoso.crm.dynamics.com/main.aspx", "html[data-syncready]").await;
    open_panel(&client, &ext, "contoso.crm.dynamics.com", "&theme=light").await;
    client
        .execute(
            "document.querySelector('[data-testid=mailbox-grid]').scrollIntoView(); \
             document.querySelector('[data-testid=grid-row]').click(); return null",
            Vec::new(),
        )
        .await
        .unwrap();
    let grid = client.screenshot().await.unwrap();
    shots.push(save("2-mailboxes.png", &compose(&client, &home, &grid).await));

    // 3. The dark theme.
    open_panel(&client, &ext, "contoso.crm.dynamics.com", "&theme=dark").await;
    wait_attr_eq(&client, "html", "data-theme", "dark", 10).await;
    let dark = client.screenshot().await.unwrap();
    shots.push(save("3-dark.png", &compose(&client, &home, &dark).await));

    // 4. A bulk preview on a fresh org: every field change before it is made.
    let fresh =
        dynamics(&client, "https://northwind.crm.dynamics.com/main.aspx", "html[data-syncready]").await;
    open_panel(&client, &ext, "northwind.crm.dynamics.com", "&theme=light").await;
    click(&client, "[data-testid=remedy-approve-mailboxes]").await;
    wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await;
    let preview = client.screenshot().await.unwrap();
    console.extend(console_problems(&client, "bulk preview", &[]).await);
    shots.push(save("4-bulk-preview.png", &compose(&client, &fresh, &preview).await));

    // 5. The web app at 1280×800 (the mailbox list as a table).
    set_viewport(&client, WIDTH, HEIGHT).await;
    client.goto("https://contoso.crm.dynamics.com/syncready/index.html?surface=app").await.unwrap();
    wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
    let app = client.screenshot().await.unwrap();
    console.extend(console_problems(&client, "web app", &[]).await);
    shots.push(save("5-web-app.png", &app));

    client.close().await.unwrap();
    let _ = stop.send(());
    let _ = server.await;

    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
    for path in &shots {
        let png = std::fs::read(path).unwrap();
        assert_eq!(png_size(&png), (WIDTH, HEIGHT), "{}", path.display());
    }
    assert_eq!(shots.len(), 5, "the Chrome Web Store takes at most 5 screenshots");
}

/// Issue 18: the German catalogue renders in the real panel (`?lang=de`, which wins over the
/// browser's languages as `?theme=` does): `<html lang>`, step titles, statuses, the report's own
/// texts and the remedy buttons are German, and the page stays clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_renders_the_german_catalogue() {
    let dist = dist();
    let sim = Sim::builder().org("northwind", Scenario::fresh("Northwind")).static_dir(dist.clone()).build();
    let (sim_port, stop, server) = start_sim(sim).await;
    let (_driver, driver_port) = start_chromedriver().await;
    let client = browser(driver_port, &dist, sim_port, &["northwind.crm.dynamics.com"]).await;
    let ext = extension_id(&dist);
    enable_test_hooks(&client, &ext).await;
    open_panel(&client, &ext, "northwind.crm.dynamics.com", "&lang=de").await;
    let html_lang = wait_attr(&client, "html", "lang").await;
    let heading = text(&client, ".sr-section-title").await;
    let title = text(&client, "[data-testid=step-mailbox-approval] .sr-step__title").await;
    let status = text(&client, "[data-testid=step-mailbox-approval] [data-testid=step-status]").await;
    let summary = text(&client, "[data-testid=step-mailbox-approval] [data-testid=step-summary]").await;
    let remedy = text(&client, "[data-testid=remedy-approve-mailboxes]").await;
    let shot = client.screenshot().await.unwrap();
    save("de-panel-400.png", &shot);
    let console = console_problems(&client, "panel (de)", &[]).await;
    let a11y = a11y_problems(&client, "panel (de)").await;
    client.close().await.unwrap();
    let _ = stop.send(());
    let _ = server.await;

    assert_eq!(html_lang, "de");
    assert_eq!(heading, "Checkliste zur Bereitschaft");
    assert_eq!(title, "E-Mail-Adressen der Postfächer genehmigt");
    assert_eq!(status, "Blockiert");
    assert!(summary.contains("aktiven Postfächern genehmigt"), "{summary}");
    assert!(remedy.ends_with("Postfächer genehmigen") || remedy == "1 Postfach genehmigen", "{remedy}");
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
    assert!(a11y.is_empty(), "accessibility:\n{}", a11y.join("\n"));
}

/// The in-page guide's texts on the current document (its shadow root is open with the test hooks on):
/// `[lang, heading, step lines, action, open button, dismiss label, facts, buttons]`, waiting up to
/// 20 s for it.
async fn guide_texts(client: &Client) -> serde_json::Value {
    let script = r#"
const host = document.getElementById('syncready-guide-host');
const box = host && host.shadowRoot && host.shadowRoot.querySelector('[data-testid=syncready-guide]');
if (!box) return null;
const all = (css) => [...box.querySelectorAll(css)].map((e) => e.textContent);
return [box.lang, box.querySelector('.head span').textContent, all('.step'), all('.action').join(''),
  box.querySelector('[data-testid=guide-open]').textContent,
  box.querySelector('[data-testid=guide-dismiss]').getAttribute('aria-label'), all('.fact'), all('.buttons button')];
"#;
    for _ in 0..100 {
        let v = client.execute(script, Vec::new()).await.unwrap();
        if !v.is_null() {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the guide never rendered on {}", client.current_url().await.unwrap());
}

/// Issue 18: a browser whose own language is German (`--lang=de` and `intl.accept_languages`, as
/// `support::browser_in` explains), no `?lang=` anywhere: the panel negotiates German from
/// `navigator.languages`, and the in-page guide on the simulator's Dynamics pages (Unified Interface
/// mailbox list and record, the legacy Advanced Settings' Security page in its content frame) shows
/// its German texts from `_locales/de` through `chrome.i18n`. The console stays clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_browser_gets_the_panel_and_the_in_page_guide_in_german() {
    const ORG: &str = "https://northwind.crm.dynamics.com";
    let sim = Sim::builder().org("northwind", Scenario::fresh("Northwind")).build();
    let h = Harness::extension_in(sim, &["northwind.crm.dynamics.com"], "de").await;
    let client = h.client.clone();
    enable_test_hooks(&client, &h.ext).await;

    // The panel, opened as the side panel opens it: no `?lang=`.
    client.goto(&format!("{ORG}/main.aspx")).await.unwrap();
    wait_attr(&client, "html[data-syncready]", "data-syncready").await;
    client.goto(&format!("chrome-extension://{}/index.html?surface=panel", h.ext)).await.unwrap();
    let approval = wait_attr(&client, "[data-testid=step-mailbox-approval]", "data-status").await;
    let languages = client.execute("return navigator.languages", Vec::new()).await.unwrap();
    let html_lang = wait_attr(&client, "html", "lang").await;
    let heading = text(&client, ".sr-section-title").await;
    let title = text(&client, "[data-testid=step-mailbox-approval] .sr-step__title").await;
    h.console("panel (German browser)", &[]).await;
    // The panel writes the guide's mailbox table after the checklist.
    let table = format!("syncready.mailboxes.{ORG}");
    let written =
        format!("return chrome.storage.session.get('{table}').then((i) => typeof i['{table}'] === 'string')");
    for _ in 0..100 {
        if client.execute(&written, Vec::new()).await.unwrap() == serde_json::json!(true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Unified Interface: the mailbox list, then a mailbox record.
    client.goto(&format!("{ORG}/main.aspx?pagetype=entitylist&etn=mailbox")).await.unwrap();
    let list = guide_texts(&client).await;
    save("de-guide-mailboxes.png", &client.screenshot().await.unwrap());
    h.console("mailbox list (German browser)", &[]).await;
    let id = wait_attr(&client, "a[data-mailbox]", "data-mailbox").await;
    client.goto(&format!("{ORG}/main.aspx?pagetype=entityrecord&etn=mailbox&id={id}")).await.unwrap();
    let record = guide_texts(&client).await;
    save("de-guide-record.png", &client.screenshot().await.unwrap());
    h.console("mailbox record (German browser)", &[]).await;

    // Legacy Advanced Settings: the Security area loads into the content frame.
    client.goto(&format!("{ORG}/main.aspx?settingsonly=true")).await.unwrap();
    wait_attr(&client, "html[data-syncready]", "data-syncready").await;
    client.execute("document.querySelector('#nav-security').click()", Vec::new()).await.unwrap();
    let frame = client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Id("contentIFrame0"))
        .await
        .unwrap();
    frame.enter_frame().await.unwrap();
    wait_attr(&client, "h2#page", "id").await;
    let security = guide_texts(&client).await;
    client.enter_parent_frame().await.unwrap();
    h.console("Advanced Settings, Security (German browser)", &[]).await;
    let console = h.finish().await;

    assert_eq!(languages, serde_json::json!(["de"]), "the browser's languages");
    assert_eq!(html_lang, "de");
    assert_eq!(heading, "Checkliste zur Bereitschaft");
    assert_eq!(title, "E-Mail-Adressen der Postfächer genehmigt");
    assert_eq!(approval, "fail");

    assert_eq!(list[0], "de", "the guide's lang: {list}");
    assert_eq!(list[1], "SyncReady: Schritte auf dieser Seite");
    let steps: Vec<&str> = list[2].as_array().unwrap().iter().filter_map(|s| s.as_str()).collect();
    assert_eq!(steps.len(), 3, "{steps:?}");
    // The status word is the guide's (`_locales/de`), the title and summary the panel's (German too).
    assert!(steps[1].starts_with("Blockiert E-Mail-Adressen der Postfächer genehmigt: "), "{steps:?}");
    assert!(steps[1].contains("aktiven Postfächern genehmigt"), "{steps:?}");
    let action = list[3].as_str().unwrap();
    assert!(
        action.starts_with("Wählen Sie Postfächer aus") && action.contains("„E-Mail genehmigen“"),
        "{action}"
    );
    assert!(action.contains("„Postfächer testen und aktivieren“"), "{action}");
    assert_eq!(list[4], "SyncReady bei diesem Schritt öffnen");
    assert_eq!(list[5], "SyncReady-Anleitung auf dieser Seite ausblenden");

    let facts: Vec<&str> = record[6].as_array().unwrap().iter().filter_map(|s| s.as_str()).collect();
    assert!(facts.len() >= 4 && facts[0].starts_with("Postfach: "), "{record}");
    assert!(facts[1].starts_with("Serverprofil: ") && facts[2].starts_with("E-Mail-Adresse: "), "{facts:?}");
    assert!(
        facts[3].starts_with("Eingehend: ") && facts[3].contains("Termine, Kontakte, Aufgaben: "),
        "{facts:?}"
    );
    let buttons = record[7].to_string();
    assert!(
        buttons.contains("Testen und aktivieren…") && buttons.contains("SyncReady bei diesem Schritt öffnen"),
        "{buttons}"
    );

    let security_action = security[3].as_str().unwrap();
    assert!(security_action.contains("Sicherheitsrolle"), "{security}");
    assert!(
        security_action.contains("„E-Mail-Adressen für Benutzer oder Warteschlangen genehmigen“"),
        "{security}"
    );
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
}

#[test]
fn base64_matches_rfc_4648_test_vectors() {
    let cases = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
    ];
    for (plain, encoded) in cases {
        assert_eq!(base64(plain.as_bytes()), encoded);
    }
}
