//! DOM behaviour of the key components, in headless Chromium (`wasm-bindgen-test`).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use syncready::components::{Checklist, ErrorView};
use syncready_core::collect::Snapshot;
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
    let org: wire::Organization = serde_json::from_value(serde_json::json!({
        "organizationid": "o",
        "name": "Contoso",
        "_defaultemailserverprofileid_value": default,
        "emailconnectionchannel": 0
    }))
    .unwrap();
    let profiles = profiles
        .iter()
        .map(|p| Profile::from(serde_json::from_value::<wire::EmailServerProfile>(p.clone()).unwrap()))
        .collect();
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
