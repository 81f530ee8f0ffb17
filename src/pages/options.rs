//! The options page: theme, bulk-run preferences, and the own sign-in's app registration.

use crate::components::managed::ManagedNotice;
use crate::components::on_click;
use crate::platform::{chrome, dom};
use crate::state::settings::{ManagedSettings, SETTINGS_KEY, SIGN_IN_KEY, Settings, SignInSettings};
use leptos::prelude::*;
use syncready_core::tr;

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
    let lang = crate::platform::dom::ui_lang();
    let status = RwSignal::new(String::new());
    let batch = RwSignal::new(None::<String>);
    let poll = RwSignal::new(None::<String>);
    let choose = move |theme: &'static str, label: &'static str| {
        leptos::task::spawn_local(async move {
            let ok = chrome::local_set(THEME_KEY, theme).await;
            if ok {
                dom::apply_theme(theme);
            }
            status.set(if ok {
                tr!(lang, "options.status.theme-set", theme = lang.t(label))
            } else {
                lang.t("options.status.not-saved").to_owned()
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
                    status.set(
                        lang.t(if ok {
                            "options.status.bulk-saved"
                        } else {
                            "options.status.bulk-not-saved"
                        })
                        .to_owned(),
                    );
                });
            }
            (Err(e), _) | (_, Err(e)) => status.set(e.text_in(lang)),
        }
    });
    const THEMES: [(&str, &str); 3] = [
        ("system", "ui.options.theme.system"),
        ("light", "ui.options.theme.light"),
        ("dark", "ui.options.theme.dark"),
    ];
    let theme_label = move |theme: &str| {
        THEMES.iter().find(|(t, _)| *t == theme).map_or(theme.to_owned(), |(_, key)| lang.t(key).to_owned())
    };
    view! {
        <h1>{lang.t("ui.options.title")}</h1>
        <ManagedNotice managed=managed />
        <fieldset class="sr-options">
            <legend>{lang.t("ui.options.theme")}</legend>
            <p>{move || tr!(lang, "ui.options.current", theme = theme_label(&saved.get().unwrap_or_else(|| "system".to_owned())))}</p>
            {THEMES
                .into_iter()
                .map(|(theme, text)| view! { <button class="sr-button" on:click=on_click(Callback::new(move |()| choose(theme, text)))>{lang.t(text)}</button> }.into_any())
                .collect_view()}
        </fieldset>
        <fieldset class="sr-options">
            <legend>{lang.t("ui.options.bulk")}</legend>
            {option_input(
                lang.t("ui.options.batch"),
                "opt-batch",
                true,
                batch,
                Signal::derive(move || current().batch_size.to_string()),
            )}
            {option_input(
                lang.t("ui.options.poll"),
                "opt-poll",
                true,
                poll,
                Signal::derive(move || current().poll_seconds.to_string()),
            )}
            <button class="sr-button sr-button--primary" data-testid="opt-save" on:click=on_click(save)>{lang.t("ui.options.save")}</button>
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
    let lang = crate::platform::dom::ui_lang();
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
                    let key =
                        if ok { "options.status.sign-in-saved" } else { "options.status.sign-in-not-saved" };
                    message.set(vec![lang.t(key).to_owned()]);
                    if ok {
                        reload();
                    }
                });
            }
            Err(problems) => message.set(problems.iter().map(|p| p.text_in(lang)).collect()),
        }
    });
    let clear = Callback::new(move |()| {
        leptos::task::spawn_local(async move {
            let ok = chrome::local_set_value(SIGN_IN_KEY, &SignInSettings::default()).await;
            client_id.set(None);
            authority.set(None);
            reload();
            let key =
                if ok { "options.status.sign-in-cleared" } else { "options.status.sign-in-not-cleared" };
            message.set(vec![lang.t(key).to_owned()]);
        });
    });
    view! {
        <fieldset class="sr-options">
            <legend>{lang.t("ui.options.sign-in")}</legend>
            <p>{lang.t("ui.options.sign-in.help")}</p>
            {option_input(lang.t("ui.options.client-id"), "opt-client-id", false, client_id, saved_client)}
            {option_input(lang.t("ui.options.authority"), "opt-authority", false, authority, saved_authority)}
            <button class="sr-button sr-button--primary" data-testid="opt-sign-in-save" on:click=on_click(save)>{lang.t("ui.options.sign-in.save")}</button>
            <button class="sr-button" data-testid="opt-sign-in-clear" on:click=on_click(clear)>{lang.t("ui.options.sign-in.clear")}</button>
            <ul class="sr-options__messages" role="status" data-testid="opt-sign-in-status">
                {move || message.get().into_iter().map(|m| view! { <li>{m}</li> }.into_any()).collect_view().into_any()}
            </ul>
        </fieldset>
    }
}
