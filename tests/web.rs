//! DOM behaviour of the key components, in headless Chromium (`wasm-bindgen-test`).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use syncready::components::{Checklist, ErrorView};
use syncready_core::collect::Snapshot;
use syncready_core::model::{OrgSettings, Profile, RecordState, ServerType};
use syncready_core::readiness;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&el).unwrap();
    el
}

use wasm_bindgen::JsCast;

fn snapshot(profiles: Vec<Profile>, default: Option<&str>) -> Snapshot {
    Snapshot {
        org: Some(OrgSettings {
            id: "o".into(),
            name: "Contoso".into(),
            default_profile: default.map(Into::into),
            default_email_settings_xml: None,
            connection_channel: Some(0),
            require_approval_users: true,
            require_approval_queues: true,
        }),
        profiles: Some(profiles),
        ..Snapshot::default()
    }
}

fn exo() -> Profile {
    Profile {
        id: "p1".into(),
        name: "Microsoft Exchange Online".into(),
        server_type: Some(ServerType::Exchange),
        type_name: Some("Exchange Online".into()),
        state: RecordState::Active,
        server_to_server: true,
        autodiscover: true,
    }
}

#[wasm_bindgen_test]
fn the_checklist_row_carries_the_status_of_the_profile_step() {
    for (snap, expected) in [(snapshot(vec![exo()], Some("p1")), "pass"), (snapshot(vec![], None), "fail")] {
        let el = container();
        let report = readiness::evaluate(&snap, &[]);
        let handle = leptos::mount::mount_to(el.clone(), move || view! { <Checklist report=report.clone() /> });
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
