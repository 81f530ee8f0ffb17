//! DOM behaviour of the key components, in headless Chromium (`wasm-bindgen-test`).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use syncready::components::{Checklist, ErrorView};
use syncready_core::collect::Snapshot;
use syncready_core::json::FromJson;
use syncready_core::model::{OrgSettings, Profile};
use syncready_core::readiness;
use syncready_core::wire;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

use wasm_bindgen::JsCast;

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&el).unwrap();
    el
}

/// Builds model values the way the collector does: from Web API JSON through the wire types.
fn snapshot(profiles: &[serde_json::Value], default: Option<&str>) -> Snapshot {
    let org = wire::Organization::from_json(&serde_json::json!({
        "organizationid": "o",
        "name": "Contoso",
        "_defaultemailserverprofileid_value": default,
        "emailconnectionchannel": 0
    }))
    .unwrap();
    let profiles =
        profiles.iter().map(|p| Profile::from(wire::EmailServerProfile::from_json(p).unwrap())).collect();
    Snapshot { org: Some(OrgSettings::from(org)), profiles: Some(profiles), ..Snapshot::default() }
}

fn exo() -> serde_json::Value {
    serde_json::json!({
        "emailserverprofileid": "p1",
        "name": "Microsoft Exchange Online",
        "servertype": 0,
        "emailservertypename": "Exchange Online",
        "statecode": 0,
        "incomingcredentialretrieval": 2,
        "outgoingcredentialretrieval": 2,
        "useautodiscover": true
    })
}

#[wasm_bindgen_test]
fn the_checklist_row_carries_the_status_of_the_profile_step() {
    for (snap, expected) in [(snapshot(&[exo()], Some("p1")), "pass"), (snapshot(&[], None), "fail")] {
        let el = container();
        let report = readiness::evaluate(&snap, &[]);
        let handle =
            leptos::mount::mount_to(el.clone(), move || view! { <Checklist report=report.clone() /> });
        let row = el.query_selector("[data-testid=step-exchange-online-profile]").unwrap().unwrap();
        assert_eq!(row.get_attribute("data-status").as_deref(), Some(expected));
        let badge = row.query_selector("[data-testid=step-status]").unwrap().unwrap();
        assert!(!badge.text_content().unwrap_or_default().is_empty());
        drop(handle);
    }
}

#[wasm_bindgen_test]
fn hostile_text_is_rendered_as_text_not_html() {
    let el = container();
    let hostile = "<img src=x onerror=alert(1)>Mailbox".to_owned();
    let detail = hostile.clone();
    let _handle = leptos::mount::mount_to(el.clone(), move || {
        view! { <ErrorView title="t".to_owned() detail=detail.clone() /> }
    });
    assert!(el.query_selector("img").unwrap().is_none(), "no element may be created from data");
    assert!(el.text_content().unwrap_or_default().contains(&hostile));
}

fn mailboxes(n: usize) -> Vec<syncready_core::model::Mailbox> {
    (0..n)
        .map(|i| {
            let w = wire::Mailbox::from_json(&serde_json::json!({
                "mailboxid": format!("m{i}"),
                "name": format!("User {i}"),
                "emailaddress": format!("user{i}@contoso.com"),
                "_regardingobjectid_value": "u",
                "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": if i % 10 == 0 { "queue" } else { "systemuser" },
                "statecode": 0,
                "emailrouteraccessapproval": 1
            }))
            .unwrap();
            syncready_core::model::Mailbox::from(w)
        })
        .collect()
}

/// Mounts a mailbox grid over `n` mailboxes (kept mounted for the rest of the test run).
async fn mount_grid(n: usize) -> (web_sys::HtmlElement, RwSignal<syncready::state::grid::GridFilter>) {
    use std::sync::Arc;
    use syncready::components::MailboxGrid;
    use syncready::state::grid::{GridFilter, rows};
    let snap = Snapshot { mailboxes: Some(mailboxes(n)), ..Snapshot::default() };
    let all = Arc::new(rows(&snap));
    let el = container();
    let filter = RwSignal::new(GridFilter::default());
    let handle = leptos::mount::mount_to(el.clone(), move || {
        view! { <MailboxGrid rows=all.clone() filter=filter title=RwSignal::new("All".to_owned()) /> }
    });
    std::mem::forget(handle);
    leptos::task::tick().await;
    (el, filter)
}

#[wasm_bindgen_test]
async fn the_grid_renders_only_the_rows_in_view_of_fifty_thousand() {
    let (el, filter) = mount_grid(50_000).await;
    let rendered = el.query_selector_all("[data-testid=grid-row]").unwrap().length();
    assert!((10..60).contains(&rendered), "{rendered} rows in the DOM");
    let count = el.query_selector("[data-testid=grid-count]").unwrap().unwrap().text_content().unwrap();
    assert_eq!(count, "50000 mailboxes");
    filter.update(|f| f.search = "user 4999".into());
    leptos::task::tick().await;
    let count = el.query_selector("[data-testid=grid-count]").unwrap().unwrap().text_content().unwrap();
    assert_eq!(count, "11 mailboxes", "User 4999 and User 49990..49999");
}

#[wasm_bindgen_test]
fn a_remedy_button_hands_its_remedy_to_the_bulk_flow() {
    use std::sync::{Arc, Mutex};
    use syncready_core::readiness::Remedy;
    let snap = snapshot(&[exo()], None);
    let report = readiness::evaluate(&snap, &[]);
    let picked: Arc<Mutex<Vec<Remedy>>> = Arc::default();
    let sink = picked.clone();
    let on_remedy = Callback::new(move |r: Remedy| sink.lock().unwrap().push(r));
    let el = container();
    let _handle = leptos::mount::mount_to(el.clone(), move || {
        view! { <Checklist report=report.clone() on_remedy=on_remedy /> }
    });
    let button: web_sys::HtmlElement = el
        .query_selector("[data-testid=remedy-set-default-profile]")
        .unwrap()
        .expect("a set-default-profile remedy for an EXO profile that is not the default")
        .dyn_into()
        .unwrap();
    button.click();
    assert_eq!(picked.lock().unwrap().as_slice(), [Remedy::SetDefaultProfile { profile_id: "p1".into() }]);
}

#[wasm_bindgen_test]
async fn the_grid_is_usable_from_the_keyboard() {
    let (el, _filter) = mount_grid(1_000).await;
    let viewport = el.query_selector("[data-testid=grid-viewport]").unwrap().unwrap();
    let press = |key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        viewport.dispatch_event(&ev).unwrap()
    };
    let selected = |el: &web_sys::HtmlElement| {
        el.query_selector("[data-testid=grid-row][aria-selected=true]")
            .unwrap()
            .and_then(|r| r.get_attribute("aria-rowindex"))
    };
    assert_eq!(selected(&el).as_deref(), Some("1"));
    assert!(!press("ArrowDown"), "the arrow key must not scroll the page");
    press("ArrowDown");
    leptos::task::tick().await;
    assert_eq!(selected(&el).as_deref(), Some("3"));
    press("End");
    leptos::task::tick().await;
    // Only a window of rows is in the DOM, so the last row being there means the window followed.
    assert_eq!(selected(&el).as_deref(), Some("1000"), "the last row is rendered and selected");
    let rendered = el.query_selector_all("[data-testid=grid-row]").unwrap().length();
    assert!(rendered < 60, "{rendered} rows in the DOM");
    assert!(press("Enter"), "other keys keep their default");
}

#[wasm_bindgen_test]
async fn the_grid_filters_by_test_result_approval_and_profile_from_its_selects() {
    let (el, _filter) = mount_grid(100).await;
    let count = |el: &web_sys::HtmlElement| {
        el.query_selector("[data-testid=grid-count]").unwrap().unwrap().text_content().unwrap()
    };
    let pick = |el: &web_sys::HtmlElement, testid: &str, value: &str| {
        let select = el.query_selector(&format!("[data-testid={testid}]")).unwrap().unwrap();
        js_sys::Reflect::set(&select, &"value".into(), &value.into()).unwrap();
        select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    };
    // Every generated mailbox is approved, untested and has no profile.
    pick(&el, "grid-approval", "not-approved");
    leptos::task::tick().await;
    let not_approved = count(&el);
    pick(&el, "grid-approval", "approved");
    pick(&el, "grid-tests", "not-run");
    leptos::task::tick().await;
    let approved_untested = count(&el);
    pick(&el, "grid-tests", "failed");
    leptos::task::tick().await;
    let failed = count(&el);
    pick(&el, "grid-tests", "any");
    pick(&el, "grid-profile", "(none)");
    leptos::task::tick().await;
    let no_profile = count(&el);
    let options = el.query_selector_all("[data-testid=grid-profile] option").unwrap().length();
    assert_eq!(
        (not_approved.as_str(), approved_untested.as_str(), failed.as_str(), no_profile.as_str()),
        ("0 mailboxes", "100 mailboxes", "0 mailboxes", "100 mailboxes")
    );
    assert_eq!(options, 2, "\"Any profile\" and \"(none)\"");
}

/// An org of `n` live mailboxes with monitoring rows (the last success spread over nine days), one
/// item failure and one alert for the first mailbox.
fn health_snapshot(n: usize, now: i64) -> Snapshot {
    use syncready_core::health::{ItemFailure, Monitoring};
    use syncready_core::model::{Alert, AlertLevel, AlertSet, Timestamp};
    let mailboxes = (0..n)
        .map(|i| {
            syncready_core::model::Mailbox::from(
                wire::Mailbox::from_json(&serde_json::json!({
                    "mailboxid": format!("m{i}"), "name": format!("User <b>{i}</b>"),
                    "_regardingobjectid_value": format!("u{i}"),
                    "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
                    "statecode": 0, "mailboxstatus": 1
                }))
                .unwrap(),
            )
        })
        .collect();
    let monitoring = (0..n)
        .map(|i| Monitoring {
            mailbox_id: format!("m{i}"),
            last_success: Some(Timestamp(now - (i as i64 * 61) % (9 * 86_400))),
            ..Monitoring::default()
        })
        .collect();
    let failures = (n > 0)
        .then(|| ItemFailure {
            owner: Some("u0".into()),
            code: None,
            error: "Boom".into(),
            occurred_on: Some(Timestamp(now)),
            subject: None,
            object_type: None,
        })
        .into_iter()
        .collect();
    let alerts = vec![Alert {
        level: AlertLevel::Error,
        text: "The email address is not approved".into(),
        code: None,
        created_on: Some(Timestamp(now - 86_400)),
        modified_on: None,
        regarding: Some("m0".into()),
    }];
    Snapshot {
        mailboxes: Some(mailboxes),
        monitoring: Some(monitoring),
        item_failures: Some(failures),
        alerts: Some(AlertSet { alerts, failing_mailboxes: 1, mailboxes_read: 1 }),
        ..Snapshot::default()
    }
}

#[wasm_bindgen_test]
async fn the_health_plots_render_for_zero_one_and_fifty_thousand_mailboxes_without_inline_styles() {
    use std::sync::Arc;
    use syncready::components::HealthView;
    use syncready_core::model::Timestamp;
    let now = 1_795_694_400;
    for n in [0_usize, 1, 50_000] {
        let snap = Arc::new(health_snapshot(n, now));
        let el = container();
        let handle = leptos::mount::mount_to(el.clone(), move || {
            view! { <HealthView snapshot=snap.clone() now=Timestamp(now) /> }
        });
        leptos::task::tick().await;
        let q = |s: &str| el.query_selector_all(s).unwrap().length();
        let live = el.query_selector("[data-testid=health-live]").unwrap().unwrap();
        assert_eq!(live.get_attribute("data-live"), Some(n.to_string()), "{n}");
        assert_eq!(q("[data-testid=health-histogram] svg"), 1, "{n}");
        assert_eq!(q("[data-testid=health-timeline] svg"), 1, "{n}");
        assert_eq!(q("[data-testid=health-top] svg"), 1, "{n}");
        assert_eq!(q("[data-testid=health-bucket]"), 7, "{n}");
        let sum: usize = (0..q("[data-testid=health-bucket]"))
            .map(|i| {
                let b = el.query_selector_all("[data-testid=health-bucket]").unwrap().get(i).unwrap();
                let b: web_sys::Element = b.dyn_into().unwrap();
                b.get_attribute("data-value").unwrap().parse::<usize>().unwrap()
            })
            .sum();
        assert_eq!(sum, n);
        assert_eq!(q("[data-testid=health-top-row]"), usize::from(n > 0) as u32);
        assert_eq!(q("[data-testid$=-csv]"), 3);
        // The CSP forbids inline styles: nothing in the view may carry a style attribute.
        assert_eq!(q("[style]"), 0, "{n}");
        // Names are text, never markup.
        assert_eq!(q("b"), 0);
        drop(handle);
    }
}

#[wasm_bindgen_test]
async fn issue_19_a_health_csv_button_offers_its_file_through_the_pages_downloads() {
    use std::sync::{Arc, Mutex};
    use syncready::components::{Download, Downloads, HealthView};
    use syncready_core::model::Timestamp;
    let now = 1_795_694_400;
    let snap = Arc::new(health_snapshot(3, now));
    let offered: Arc<Mutex<Vec<Download>>> = Arc::default();
    let seen = offered.clone();
    let el = container();
    let handle = leptos::mount::mount_to(el.clone(), move || {
        let seen = seen.clone();
        provide_context(Downloads(Callback::new(move |file: Download| seen.lock().unwrap().push(file))));
        view! { <HealthView snapshot=snap.clone() now=Timestamp(now) /> }
    });
    leptos::task::tick().await;
    let button: web_sys::HtmlElement =
        el.query_selector("[data-testid=health-histogram-csv]").unwrap().unwrap().dyn_into().unwrap();
    button.click();
    let files = offered.lock().unwrap().clone();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!((files[0].name.as_str(), files[0].mime), ("syncready-sync-age.csv", "text/csv"));
    assert!(files[0].text.lines().count() > 1, "{}", files[0].text);
    drop(handle);
}
