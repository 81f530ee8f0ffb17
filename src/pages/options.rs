//! The options page: theme, bulk-run preferences, and the own sign-in's app registration.

use crate::components::managed::ManagedNotice;
use crate::components::on_click;
use crate::platform::{chrome, dom};
use crate::state::settings::{ManagedSettings, SETTINGS_KEY, SIGN_IN_KEY, Settings, SignInSettings};
use leptos::prelude::*;

/// Theme preference key in `chrome.storage.local` (a preference, not a secret).
pub const THEME_KEY: &str = "syncready.theme";

/// Options: theme and bulk-run preferences.
#[component]
pub fn OptionsPage() -> impl IntoView {
    let saved = RwSignal::new(None::<String>);
    let settings = RwSignal::new(None::<Settings>);
    leptos::task::spawn_local(async move {
        saved.try_set(chrome::local_get(THEME_KEY).await);
        settings.try_set(chrome::local_get_value::<Settings>(SETTINGS_KEY).await);
    });
    // Organisation presets (chrome.storage.managed) take precedence where the settings are used.
    let managed = RwSignal::new(ManagedSettings::default());
    leptos::task::spawn_local(async move {
        if let Some(m) = chrome::managed_get_value::<ManagedSettings>().await {
            managed.try_set(m);
        }
    });
    let status = RwSignal::new(String::new());
    let batch = RwSignal::new(None::<String>);
    let poll = RwSignal::new(None::<String>);
    let choose = move |theme: &'static str| {
        leptos::task::spawn_local(async move {
            let ok = chrome::local_set(THEME_KEY, theme).await;
            if ok {
                dom::apply_theme(theme);
            }
            status.set(if ok {
                format!("Theme set to {theme}.")
            } else {
                "Could not save the setting.".to_owned()
            });
        });
    };
    let current = move || settings.get().unwrap_or_default();
    let save = Callback::new(move |()| {
        let base = current();
        let batch_text = batch.get_untracked().unwrap_or_else(|| base.batch_size.to_string());
        let poll_text = poll.get_untracked().unwrap_or_else(|| base.poll_seconds.to_string());
        match (Settings::parse_batch_size(&batch_text), Settings::parse_poll_seconds(&poll_text)) {
            (Ok(batch_size), Ok(poll_seconds)) => {
                let new = Settings { batch_size, poll_seconds, ..base };
                leptos::task::spawn_local(async move {
                    let ok = chrome::local_set_value(SETTINGS_KEY, &new).await;
                    status.set(if ok {
                        "Bulk settings saved.".to_owned()
                    } else {
                        "Could not save the settings.".to_owned()
                    });
                });
            }
            (Err(e), _) => status.set(format!("Batch size: {e}")),
            (_, Err(e)) => status.set(format!("Test & Enable check interval: {e}")),
        }
    });
    const THEMES: [(&str, &str); 3] = [("system", "Follow system"), ("light", "Light"), ("dark", "Dark")];
    view! {
        <h1>"SyncReady options"</h1>
        <ManagedNotice managed=managed />
        <fieldset class="sr-options">
            <legend>"Theme"</legend>
            <p>{move || format!("Current: {}", saved.get().unwrap_or_else(|| "system".to_owned()))}</p>
            {THEMES
                .into_iter()
                .map(|(theme, text)| view! { <button class="sr-button" on:click=on_click(Callback::new(move |()| choose(theme)))>{text}</button> }.into_any())
                .collect_view()}
        </fieldset>
        <fieldset class="sr-options">
            <legend>"Bulk actions"</legend>
            {option_input(
                "Changes per batch (1–1000) ",
                "opt-batch",
                true,
                batch,
                Signal::derive(move || current().batch_size.to_string()),
            )}
            {option_input(
                " Seconds between Test & Enable checks (1–600) ",
                "opt-poll",
                true,
                poll,
                Signal::derive(move || current().poll_seconds.to_string()),
            )}
            <button class="sr-button sr-button--primary" data-testid="opt-save" on:click=on_click(save)>"Save"</button>
        </fieldset>
        <SignInOptions />
        <p role="status" data-testid="opt-status">{move || status.get()}</p>
    }
}

/// A labelled Options text field: shows `edited` once the admin typed, else `saved`. One copy for
/// every field (the signal types are shared).
fn option_input(
    label: &'static str,
    testid: &'static str,
    numeric: bool,
    edited: RwSignal<Option<String>>,
    saved: Signal<String>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input class="sr-input" data-testid=testid
                inputmode=numeric.then_some("numeric")
                spellcheck=(!numeric).then_some("false")
                autocomplete=(!numeric).then_some("off")
                prop:value=move || edited.get().unwrap_or_else(|| saved.get())
                on:input=move |ev| edited.set(Some(event_target_value(&ev))) />
        </label>
    }
}

/// Options: the admin's own app registration for "Sign in with Microsoft Entra ID".
#[component]
fn SignInOptions() -> impl IntoView {
    let saved = RwSignal::new(None::<SignInSettings>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            saved.try_set(chrome::local_get_value::<SignInSettings>(SIGN_IN_KEY).await);
        });
    };
    reload();
    let client_id = RwSignal::new(None::<String>);
    let authority = RwSignal::new(None::<String>);
    let message = RwSignal::new(Vec::<String>::new());
    let current = move || saved.get().unwrap_or_default();
    let saved_client = Signal::derive(move || current().client_id);
    let saved_authority = Signal::derive(move || {
        let a = current().authority;
        if a.is_empty() { syncready_core::oauth::DEFAULT_AUTHORITY.to_owned() } else { a }
    });
    let value = move |edited: RwSignal<Option<String>>, saved: Signal<String>| {
        edited.get_untracked().unwrap_or_else(|| saved.get_untracked())
    };
    let save = Callback::new(move |()| {
        match SignInSettings::parse(&value(authority, saved_authority), &value(client_id, saved_client)) {
            Ok(settings) => {
                leptos::task::spawn_local(async move {
                    let ok = chrome::local_set_value(SIGN_IN_KEY, &settings).await;
                    message.set(vec![if ok {
                        "Sign-in settings saved. The side panel offers this sign-in under its heading."
                            .to_owned()
                    } else {
                        "Could not save the sign-in settings.".to_owned()
                    }]);
                    if ok {
                        reload();
                    }
                });
            }
            Err(problems) => message.set(problems),
        }
    });
    let clear = Callback::new(move |()| {
        leptos::task::spawn_local(async move {
            let ok = chrome::local_set_value(SIGN_IN_KEY, &SignInSettings::default()).await;
            client_id.set(None);
            authority.set(None);
            reload();
            message
                .set(vec![if ok { "Sign-in settings cleared." } else { "Could not clear them." }.to_owned()]);
        });
    });
    view! {
        <fieldset class="sr-options">
            <legend>"Own sign-in (optional)"</legend>
            <p>
                "For admins who cannot reuse the Dynamics session: your single-page app registration in Entra ID. "
                "These are public identifiers; tokens stay in the panel's memory and are never saved."
            </p>
            {option_input("Application (client) ID ", "opt-client-id", false, client_id, saved_client)}
            {option_input(" Authority ", "opt-authority", false, authority, saved_authority)}
            <button class="sr-button sr-button--primary" data-testid="opt-sign-in-save" on:click=on_click(save)>"Save sign-in settings"</button>
            <button class="sr-button" data-testid="opt-sign-in-clear" on:click=on_click(clear)>"Clear"</button>
            <ul class="sr-options__messages" role="status" data-testid="opt-sign-in-status">
                {move || message.get().into_iter().map(|m| view! { <li>{m}</li> }.into_any()).collect_view().into_any()}
            </ul>
        </fieldset>
    }
}
