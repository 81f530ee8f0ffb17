//! "Set by your organisation" on the options page, in headless Chromium (`wasm-bindgen-test`). Managed
//! storage cannot be set in a test browser without policy files, so the presets are injected into the
//! component; the merge itself is host-tested in `tests/it/settings.rs`.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use syncready::components::managed::ManagedNotice;
use syncready::state::settings::ManagedSettings;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&el).unwrap();
    el
}

fn render(managed: ManagedSettings) -> web_sys::HtmlElement {
    let el = container();
    let handle = leptos::mount::mount_to(el.clone(), move || {
        view! { <ManagedNotice managed=Signal::stored(managed.clone()) /> }
    });
    handle.forget();
    el
}

#[wasm_bindgen_test]
fn presets_are_listed_as_set_by_your_organisation() {
    let el = render(ManagedSettings {
        batch_size: Some(250),
        sign_in_client_id: Some("11111111-2222-3333-4444-555555555555".into()),
        ..ManagedSettings::default()
    });
    let notice = el.query_selector("[data-testid=managed-settings]").unwrap().expect("the notice is shown");
    let text = notice.text_content().unwrap_or_default();
    assert!(text.contains("Set by your organisation"), "{text}");
    assert!(text.contains("Changes per batch: 250"), "{text}");
    assert!(
        text.contains("Own sign-in: application (client) ID: 11111111-2222-3333-4444-555555555555"),
        "{text}"
    );
    assert!(el.query_selector("[data-testid=managed-problems]").unwrap().is_none());
}

#[wasm_bindgen_test]
fn nothing_is_shown_without_presets() {
    let el = render(ManagedSettings::default());
    assert!(el.query_selector("[data-testid=managed-settings]").unwrap().is_none());
}

#[wasm_bindgen_test]
fn an_invalid_preset_is_named_and_policy_text_is_rendered_as_text() {
    let el = render(ManagedSettings {
        sign_in_authority: Some("<img src=x>".into()),
        ..ManagedSettings::default()
    });
    let problems =
        el.query_selector("[data-testid=managed-problems]").unwrap().expect("the problem is shown");
    assert!(
        problems.text_content().unwrap_or_default().starts_with("Your organisation's policy: Authority:")
    );
    assert!(el.query_selector("img").unwrap().is_none(), "policy text became markup");
    assert!(el.text_content().unwrap_or_default().contains("<img src=x>"));
}
