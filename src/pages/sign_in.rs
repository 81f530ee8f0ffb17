//! The own sign-in section of the panel and the web app: "Sign in with Microsoft Entra ID instead of
//! the Dynamics session", with the app registration saved in Options (or preset by the organisation).

use crate::components::sign_in::SignIn;
use crate::platform::{chrome, dom};
use crate::session::{SignInSession, bearer};
use crate::state::settings::{ManagedSettings, SIGN_IN_KEY, SignInSettings};
use crate::surface;
use leptos::prelude::*;

/// The sign-in section; `on_signed_in` runs after every successful sign-in (to read the org again).
#[component]
pub fn SignInSection(
    /// Runs after a successful sign-in.
    on_signed_in: Callback<()>,
) -> impl IntoView {
    let query = dom::query_string();
    // Open the own sign-in when it is what the page is for: a plain web page (web-app mode, also on
    // the way back from Microsoft), or this tab is signed in with a token.
    let open_sign_in = !dom::is_extension_page() || bearer::signed_in_org().is_some();
    // The org may be filled from the address (`?org=`, which the checklist reads too); the client id
    // and the authority only from the registration saved in Options or typed by the admin, never
    // from the address: a link could otherwise send the code and the PKCE verifier to another host
    // (issue 12).
    let saved_registration = RwSignal::new(None::<SignInSettings>);
    leptos::task::spawn_local(async move {
        let saved = chrome::local_get_value::<SignInSettings>(SIGN_IN_KEY).await;
        // An organisation's preset registration (chrome.storage.managed) takes precedence.
        let managed = chrome::managed_get_value::<ManagedSettings>().await.unwrap_or_default();
        saved_registration.try_set(Some(managed.sign_in(saved).0.unwrap_or_default()));
    });
    let prefill =
        move |name, fallback: &str| surface::param(&query, name).unwrap_or_else(|| fallback.to_owned());
    view! {
        <details class="sr-signin" prop:open=open_sign_in>
            <summary>"Sign in with Microsoft Entra ID instead of the Dynamics session"</summary>
            {move || match saved_registration.get() {
                None => ().into_any(),
                Some(saved) => {
                    // Made with the form, as the form's own: it listens to the status while shown
                    // and finishes a sign-in that returns from Microsoft.
                    let session = SignInSession::new(Some(on_signed_in));
                    view! {
                        <SignIn
                            session=session
                            org=prefill("org", "")
                            client_id=saved.client_id
                            authority=saved.authority
                        />
                    }
                    .into_any()
                }
            }}
        </details>
    }
}
