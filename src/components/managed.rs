//! "Set by your organisation": the options an organisation presets by policy (`chrome.storage.managed`),
//! shown on the options page above the user's own settings, which they take precedence over.

use super::lang::use_lang;
use crate::state::settings::ManagedSettings;
use leptos::prelude::*;

/// The presets in `managed` and any problem with them; renders nothing when the policy sets nothing.
#[component]
pub fn ManagedNotice(
    /// The organisation's presets, as read from `chrome.storage.managed`.
    #[prop(into)]
    managed: Signal<ManagedSettings>,
) -> impl IntoView {
    move || {
        let managed = managed.get();
        if managed.is_empty() {
            return ().into_any();
        }
        let lang = use_lang();
        let rows = managed.rows();
        let problems: Vec<String> = managed.problems().iter().map(|p| p.policy_text_in(lang)).collect();
        view! {
            <fieldset class="sr-options" data-testid="managed-settings">
                <legend>{lang.t("ui.managed.title")}</legend>
                <p>{lang.t("ui.managed.help")}</p>
                <ul>
                    {rows
                        .into_iter()
                        .map(|(preset, value)| view! { <li>{preset.label_in(lang)}": "<strong>{value}</strong></li> }.into_any())
                        .collect_view()}
                </ul>
                {(!problems.is_empty()).then(|| view! {
                    <ul class="sr-warn" role="alert" data-testid="managed-problems">
                        {problems.into_iter().map(|p| view! { <li>{p}</li> }.into_any()).collect_view()}
                    </ul>
                })}
            </fieldset>
        }
        .into_any()
    }
}
