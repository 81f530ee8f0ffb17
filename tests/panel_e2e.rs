//! End-to-end, issue 13: the side panel at the side panel's real size. The built extension (`dist/`)
//! in headless Chromium against the simulator, with the extension's real CSP: the mailbox grid scrolls
//! to its last row (wheel and keyboard), nothing overflows sideways at 320 px, the bulk confirm button
//! is in reach at 360 px, and no page logs a CSP violation or a failed load.
//!
//! Needs `dist/` (`cargo xtask build`) and Debian's `chromium` + `chromedriver`.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use dataverse_sim::{Scenario, Sim};
use fantoccini::{Client, Locator};
use std::time::Duration;
use support::*;

const END: char = '\u{E010}';
const HOME: char = '\u{E011}';
const PAGE_UP: char = '\u{E00E}';
const PAGE_DOWN: char = '\u{E00F}';
const VIEWPORT: &str = "[data-testid=grid-viewport]";

/// Opens the org's Dynamics page (the content script reports the org), then the side panel page,
/// and waits for the checklist.
async fn open_panel(client: &Client, ext: &str, host: &str, query: &str) {
    enable_test_hooks(client, ext).await;
    client.goto(&format!("https://{host}/main.aspx")).await.unwrap();
    wait_attr(client, "html[data-syncready]", "data-syncready").await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=panel{query}")).await.unwrap();
    wait_attr(client, "[data-testid=step-exchange-online-profile]", "data-status").await;
}

async fn js(client: &Client, script: &str) -> serde_json::Value {
    client.execute(script, Vec::new()).await.unwrap()
}

/// What the grid shows now: `(scrollTop, clientHeight, scrollHeight, spacer height in px, the
/// aria-rowindex of the last rendered row that is wholly inside the grid's viewport, its text)`.
async fn grid_state(client: &Client) -> (i64, i64, i64, i64, i64, String) {
    let v = js(
        client,
        "const vp = document.querySelector('[data-testid=grid-viewport]'); \
         const box = vp.getBoundingClientRect(); \
         const spacer = vp.firstElementChild; \
         let last = [0, '']; \
         for (const row of vp.querySelectorAll('[data-testid=grid-row]')) { \
           const r = row.getBoundingClientRect(); \
           if (r.top >= box.top - 1 && r.bottom <= box.bottom + 1) last = [Number(row.getAttribute('aria-rowindex')), row.textContent]; \
         } \
         return [Math.round(vp.scrollTop), vp.clientHeight, vp.scrollHeight, \
                 Math.round(parseFloat(getComputedStyle(spacer).height)), last[0], last[1]]",
    )
    .await;
    let n = |i: usize| v[i].as_i64().unwrap_or(-1);
    (n(0), n(1), n(2), n(3), n(4), v[5].as_str().unwrap_or_default().to_owned())
}

/// Scrolls the grid to its end with the mouse wheel, then back to the top, then to the end with End,
/// Page Down and Page Up; returns one line per way that did not show row `total` in the viewport.
async fn scroll_to_the_end(client: &Client, total: i64, label: &str) -> Vec<String> {
    let mut failures = Vec::new();
    js(client, "document.querySelector('[data-testid=mailbox-grid]').scrollIntoView(); return null").await;
    let (_, _, scroll_height, spacer, _, _) = grid_state(client).await;
    if spacer != total * 44 || scroll_height < total * 44 {
        failures.push(format!("{label}: spacer {spacer} px, scrollHeight {scroll_height} for {total} rows"));
    }

    // Wheel: turn until the grid stops moving (the browser clamps each turn), at most 40 turns.
    let mut last_top = -1;
    for _ in 0..40 {
        wheel(client, VIEWPORT, 200_000).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let (top, height, scroll_height, ..) = grid_state(client).await;
        if top == last_top || top + height >= scroll_height {
            break;
        }
        last_top = top;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, _, _, _, shown, text) = grid_state(client).await;
    if shown != total {
        failures.push(format!("{label}: wheel to the end shows row {shown} ({text}), not {total}"));
    }

    // Keyboard: back to the top, then End.
    js(client, "document.querySelector('[data-testid=grid-viewport]').focus(); return null").await;
    press(client, &[HOME]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (top, ..) = grid_state(client).await;
    press(client, &[END]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, _, _, _, shown, text) = grid_state(client).await;
    let selected = js(
        client,
        "const r = document.querySelector('[data-testid=grid-row][aria-selected=true]'); \
         return r && Number(r.getAttribute('aria-rowindex'))",
    )
    .await;
    if top != 0 || shown != total || selected != total {
        failures.push(format!(
            "{label}: Home scrolled to {top}; End shows row {shown} ({text}), selected {selected}, not {total}"
        ));
    }

    // Page Down: from a few pages up (the whole way for the small org) back down to the end.
    let pages = if total < 2_000 { usize::try_from(total).unwrap() / 6 } else { 4 };
    if total < 2_000 {
        press(client, &[HOME]).await;
    } else {
        press(client, &[PAGE_UP; 4]).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, _, _, _, before, _) = grid_state(client).await;
    press(client, &vec![PAGE_DOWN; pages]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, _, _, _, shown, text) = grid_state(client).await;
    if before >= total || shown != total {
        failures
            .push(format!("{label}: Page Down from row {before} ends at row {shown} ({text}), not {total}"));
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_collector_catches_a_csp_violation_and_a_failed_load() {
    let sim = Sim::builder().org("contoso", Scenario::healthy("Contoso")).build();
    let h = Harness::extension(sim, &["contoso.crm.dynamics.com"]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();

    client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
    wait_attr(&client, "[data-testid=opt-save]", "data-testid").await;
    let clean = console_problems(&client, "options", &[]).await;
    // What the grid did before issue 13 (a `style` attribute string), and a file that is not there.
    js(
        &client,
        "document.body.setAttribute('style', 'height: 100px'); \
         const img = document.createElement('img'); img.alt = ''; img.src = 'public/missing.png'; \
         document.body.append(img); return null",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let broken = console_problems(&client, "options (broken on purpose)", &[]).await;
    // An expected response is excused; a CSP violation never is.
    js(&client, "document.body.setAttribute('style', 'height: 50px'); return null").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let excused = console_problems(&client, "options", &["Content Security Policy", "style"]).await;

    h.finish().await;

    assert!(clean.is_empty(), "the options page logs nothing: {clean:?}");
    assert!(broken.iter().any(|p| p.contains("Content Security Policy")), "{broken:?}");
    assert!(broken.iter().any(|p| p.contains("missing.png")), "{broken:?}");
    // Chromium may log one violation late or twice; what matters is that none is excused.
    assert!(
        !excused.is_empty() && excused.iter().all(|p| p.contains("Content Security Policy")),
        "a CSP violation is never excused: {excused:?}"
    );
}

/// The processes whose command line names Chromium's profile directory `profile` (the browser and
/// its helpers).
fn chromium_processes(profile: &std::path::Path) -> Vec<String> {
    let flag = format!("--user-data-dir={}", profile.display());
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let pid = entry.ok()?.file_name().into_string().ok()?;
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<String> =
                cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            args.contains(&flag).then(|| format!("{pid} {}", args[0]))
        })
        .collect()
}

/// The harness every browser test starts with ends what it started when a test stops half-way (a
/// failed assertion drops it without `finish`): Chromium quits and the simulator stops serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_harness_ends_the_browser_and_the_simulator() {
    let sim = Sim::builder().org("contoso", Scenario::healthy("Contoso")).build();
    let h = Harness::extension(sim, &["contoso.crm.dynamics.com"]).await;
    h.client.goto(&format!("chrome-extension://{}/index.html?surface=options", h.ext)).await.unwrap();
    wait_attr(&h.client, "[data-testid=opt-save]", "data-testid").await;
    let (profile, port) = (h.profile(), h.sim_port);
    let running = chromium_processes(&profile);
    let serving = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok();

    drop(h);
    let mut left = chromium_processes(&profile);
    let mut still_serving = true;
    for _ in 0..50 {
        still_serving = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok();
        if left.is_empty() && !still_serving {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        left = chromium_processes(&profile);
    }

    assert!(!running.is_empty() && serving, "the harness runs Chromium ({running:?}) and the simulator");
    assert!(left.is_empty(), "Chromium still runs after the harness was dropped: {left:?}");
    assert!(!still_serving, "the simulator still serves on port {port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_scrolls_to_the_last_of_1301_and_of_50000_mailboxes_by_wheel_and_keyboard() {
    let sim = Sim::builder()
        .org("adatum", Scenario::large("Adatum", 1_301))
        .org("big", Scenario::large("Big", 50_000))
        .build();
    let h = Harness::extension(sim, &["adatum.crm.dynamics.com", "big.crm.dynamics.com"]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();
    set_viewport(&client, 360, 640).await;

    let mut failures = Vec::new();
    let mut counts = Vec::new();
    for (host, total) in [("adatum.crm.dynamics.com", 1_301), ("big.crm.dynamics.com", 50_000)] {
        open_panel(&client, &ext, host, "").await;
        counts.push(text(&client, "[data-testid=grid-count]").await);
        failures.extend(scroll_to_the_end(&client, total, host).await);
        if total == 1_301 {
            screenshot(&client, "panel-grid-end-360.png").await;
        }
        h.console(host, &[]).await;
    }

    let console = h.finish().await;

    assert_eq!(counts, ["1301 mailboxes", "50000 mailboxes"]);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
}

/// Every surface at its real size, light and dark: panel at 320, 360 and 500 px, the popup at its own
/// size (Chrome caps popups at 800 x 600), options, and the web app at 1,280 px. Nothing overflows
/// sideways at 320 px, the audit passes, the console stays clean; README screenshots come from here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_surface_fits_its_real_size_without_overflow_csp_violations_or_failed_loads() {
    let sim = Sim::builder()
        .org("contoso", Scenario::demo())
        .org("northwind", Scenario::fresh("Northwind"))
        .static_dir(dist())
        .build();
    let h = Harness::extension(sim, &["contoso.crm.dynamics.com", "northwind.crm.dynamics.com"]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();
    let mut overflow = Vec::new();
    let mut a11y = Vec::new();
    let shots = root().join("target/e2e/readme");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = |name: &str| format!("readme/{name}");

    // The side panel, light and dark, at the widths admins keep it.
    for theme in ["light", "dark"] {
        for width in [320, 360, 500] {
            set_viewport(&client, width, 720).await;
            open_panel(&client, &ext, "contoso.crm.dynamics.com", &format!("&theme={theme}")).await;
            wait_attr_eq(&client, "html", "data-theme", theme, 10).await;
            let page = format!("panel {width} px {theme}");
            overflow.extend(horizontal_overflow(&client, &page).await);
            if width == 360 {
                screenshot(&client, &shot(&format!("panel-demo-{theme}.png"))).await;
                js(
                    &client,
                    "document.querySelector('[data-testid=mailbox-grid]').scrollIntoView(); return null",
                )
                .await;
                js(&client, "document.querySelector('[data-testid=grid-row]').click(); return null").await;
                if theme == "light" {
                    screenshot(&client, &shot("mailbox-grid.png")).await;
                }
                overflow.extend(horizontal_overflow(&client, &format!("{page}, grid")).await);
            }
            a11y.extend(a11y_problems(&client, &page).await);
            h.console(&page, &[]).await;
        }
    }

    // A bulk preview and its result at 320 px (the preview is a sheet at the bottom of the window).
    set_viewport(&client, 320, 640).await;
    open_panel(&client, &ext, "northwind.crm.dynamics.com", "").await;
    click(&client, "[data-testid=remedy-approve-mailboxes]").await;
    wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await;
    overflow.extend(horizontal_overflow(&client, "bulk preview 320 px").await);
    a11y.extend(a11y_problems(&client, "bulk preview 320 px").await);
    let confirm_in_view = in_viewport(&client, "[data-testid=bulk-confirm]").await;
    screenshot(&client, &shot("bulk-preview.png")).await;
    click(&client, "[data-testid=bulk-confirm]").await;
    wait_attr_eq(&client, "[data-testid=bulk]", "data-phase", "finished", 60).await;
    overflow.extend(horizontal_overflow(&client, "bulk results 320 px").await);
    a11y.extend(a11y_problems(&client, "bulk results 320 px").await);
    js(&client, "window.scrollTo(0, 0); return null").await;
    screenshot(&client, &shot("bulk-done.png")).await;
    h.console("bulk at 320 px", &[]).await;

    // The popup: at 320 px, and at its own size (the content decides; Chrome caps it at 800 x 600).
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=popup")).await.unwrap();
    wait_attr(&client, "[data-testid=headline]", "data-testid").await;
    overflow.extend(horizontal_overflow(&client, "popup 320 px").await);
    set_viewport(&client, 800, 600).await;
    client.goto(&format!("chrome-extension://{ext}/index.html?surface=popup")).await.unwrap();
    wait_attr(&client, "[data-testid=headline]", "data-testid").await;
    let popup_size = js(
        &client,
        "const m = document.querySelector('main').getBoundingClientRect(); \
         return [Math.ceil(m.width), Math.ceil(document.documentElement.scrollHeight)]",
    )
    .await;
    a11y.extend(a11y_problems(&client, "popup").await);
    h.console("popup", &[]).await;

    // Options at 320 and at a desktop tab's width.
    for width in [320, 1_280] {
        set_viewport(&client, width, 720).await;
        client.goto(&format!("chrome-extension://{ext}/index.html?surface=options")).await.unwrap();
        wait_attr(&client, "[data-testid=opt-save]", "data-testid").await;
        overflow.extend(horizontal_overflow(&client, &format!("options {width} px")).await);
        a11y.extend(a11y_problems(&client, &format!("options {width} px")).await);
        h.console(&format!("options {width} px"), &[]).await;
    }

    // The web app at 320 px and at 1,280 px (the table layout), served by the org's host.
    for width in [320, 1_280] {
        set_viewport(&client, width, 800).await;
        client.goto("https://contoso.crm.dynamics.com/main.aspx").await.unwrap();
        wait_attr(&client, "html[data-syncready]", "data-syncready").await;
        client.goto("https://contoso.crm.dynamics.com/syncready/index.html?surface=app").await.unwrap();
        wait_attr(&client, "[data-testid=step-exchange-online-profile]", "data-status").await;
        let page = format!("web app {width} px");
        overflow.extend(horizontal_overflow(&client, &page).await);
        a11y.extend(a11y_problems(&client, &page).await);
        if width == 1_280 {
            screenshot(&client, &shot("web-app-wide.png")).await;
        }
        h.console(&page, &[]).await;
    }
    let table_header =
        js(&client, "return getComputedStyle(document.querySelector('.sr-grid__head')).display").await;

    let console = h.finish().await;

    assert!(overflow.is_empty(), "horizontal overflow:\n{}", overflow.join("\n"));
    assert!(a11y.is_empty(), "accessibility problems:\n{}", a11y.join("\n"));
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
    assert!(confirm_in_view, "the bulk confirm button is in the viewport at 320 px");
    let (w, h) = (popup_size[0].as_i64().unwrap(), popup_size[1].as_i64().unwrap());
    assert!(w <= 800 && h <= 600, "the popup fits Chrome's 800 x 600 cap: {w} x {h}");
    assert_eq!(table_header, "grid", "the web app at 1,280 px shows the table");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_confirm_button_is_in_view_after_choosing_an_action_at_360_px() {
    let sim = Sim::builder().org("northwind", Scenario::fresh("Northwind").mailboxes(400)).build();
    let h = Harness::extension(sim, &["northwind.crm.dynamics.com"]).await;
    let client = h.client.clone();
    let ext = h.ext.clone();
    set_viewport(&client, 360, 640).await;
    open_panel(&client, &ext, "northwind.crm.dynamics.com", "").await;

    // From the grid: the admin scrolls down to the list and picks an action.
    js(&client, "document.querySelector('[data-testid=grid-viewport]').scrollIntoView(); return null").await;
    let select = client.find(Locator::Css("[data-testid=grid-bulk-action]")).await.unwrap();
    select.select_by_value("test").await.unwrap();
    let run_in_view = in_viewport(&client, "[data-testid=grid-bulk-run]").await;
    click(&client, "[data-testid=grid-bulk-run]").await;
    wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await;
    let confirm_from_grid = in_viewport(&client, "[data-testid=bulk-confirm]").await;
    let focused =
        js(&client, "return document.activeElement && document.activeElement.dataset.testid || null").await;
    screenshot(&client, "panel-bulk-confirm-360.png").await;
    click(&client, "[data-testid=bulk-preview] .sr-bulk__actions .sr-button:not([data-testid])").await;

    // From the checklist: a remedy far down the page.
    js(
        &client,
        "document.querySelector('[data-testid=remedy-approve-mailboxes]').scrollIntoView(); return null",
    )
    .await;
    click(&client, "[data-testid=remedy-approve-mailboxes]").await;
    wait_attr(&client, "[data-testid=bulk-preview]", "data-writes").await;
    let confirm_from_remedy = in_viewport(&client, "[data-testid=bulk-confirm]").await;
    let overflow = horizontal_overflow(&client, "preview 360 px").await;
    h.console("bulk at 360 px", &[]).await;

    let console = h.finish().await;

    assert!(run_in_view, "the grid's preview button is in view after choosing an action");
    assert!(confirm_from_grid, "the confirm button is in view after previewing from the grid");
    assert_eq!(focused, serde_json::json!("bulk-confirm"), "keyboard focus moves to the confirm button");
    assert!(confirm_from_remedy, "the confirm button is in view after picking a remedy");
    assert_eq!(overflow, None);
    assert!(console.is_empty(), "console:\n{}", console.join("\n"));
}
