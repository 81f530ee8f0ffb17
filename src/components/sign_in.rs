//! "Sign in with Microsoft": authority, client id and org URL fields, and the sign-in status.
//!
//! The protocol is `syncready_core::oauth`; the sign-in service is `crate::session::SignInSession`.
//! This component only shows the fields and their problems (found by `OAuthConfig::new`), asks the
//! service to sign in and renders the status.

use super::handlers::on_click;
use crate::session::{SignInError, SignInSession, Status};
use leptos::prelude::*;
use syncready_core::oauth::{ConfigError, ConfigField, DEFAULT_AUTHORITY, OAuthError};

/// What the status box shows for a [`Status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    /// Stable key for tests and CSS (`signed-out`, `signing-in`, `signed-in`, `consent-required`,
    /// `wrong-tenant`, `expired`, `revoked`, …).
    pub key: &'static str,
    /// Heading.
    pub title: String,
    /// What to do.
    pub detail: String,
}

fn view_of(key: &'static str, title: &str, detail: impl Into<String>) -> StatusView {
    StatusView { key, title: title.to_owned(), detail: detail.into() }
}

/// The words for a sign-in status. The one place that explains sign-in failures to the admin.
pub fn describe_status(status: &Status) -> StatusView {
    describe_status_for(status, &|| None)
}

/// [`describe_status`], naming the redirect URI this page signs in with (asked of `redirect_uri` only
/// then) where the admin must register it.
pub fn describe_status_for(status: &Status, redirect_uri: &dyn Fn() -> Option<String>) -> StatusView {
    match status {
        Status::SignedOut => view_of(
            "signed-out",
            "Not signed in",
            "Sign in with your work account to let SyncReady read and change the org with your own token.",
        ),
        Status::SigningIn => {
            view_of("signing-in", "Signing in…", "Finish signing in in the Microsoft window.")
        }
        Status::SignedIn { user } => StatusView {
            key: "signed-in",
            title: format!("Signed in as {}", user.as_deref().unwrap_or("your account")),
            detail: "The token is kept in this tab only and renewed before it expires.".to_owned(),
        },
        Status::Failed(SignInError::IdentityUnavailable) => view_of(
            "unavailable",
            "Sign-in is not available here",
            "This browser does not let SyncReady open a Microsoft sign-in window (chrome.identity, which needs the extension's \"identity\" permission). Use your Dynamics 365 tab instead, or the SyncReady web app.",
        ),
        Status::Failed(SignInError::Browser(why)) => {
            view_of("error", "Sign-in did not finish", format!("{why}. Try again."))
        }
        Status::Failed(SignInError::OAuth(e)) => describe_oauth_error(e, redirect_uri),
    }
}

fn describe_oauth_error(error: &OAuthError, redirect_uri: &dyn Fn() -> Option<String>) -> StatusView {
    let evidence = |e: &dyn std::fmt::Display| format!(" ({e})");
    match error {
        OAuthError::ConsentRequired(e) => view_of(
            "consent-required",
            "Consent required",
            format!(
                "An administrator must grant the app registration the Dataverse user_impersonation permission (Entra ID › App registrations › API permissions › Grant admin consent), then sign in again.{}",
                evidence(e)
            ),
        ),
        OAuthError::WrongTenant(e) => view_of(
            "wrong-tenant",
            "Account from another tenant",
            format!(
                "The account you chose does not belong to this authority's tenant. Sign in with an account of the org's tenant, or set the authority to that tenant.{}",
                evidence(e)
            ),
        ),
        OAuthError::AppNotFound(e) => view_of(
            "app-not-found",
            "App registration not found",
            format!(
                "The client id is not registered in this tenant. Check the client id, or make the app registration multi-tenant and set the authority to your tenant.{}",
                evidence(e)
            ),
        ),
        OAuthError::NotSinglePageApp(e) => view_of(
            "not-spa",
            "App registration is not a single-page application",
            format!(
                "Add the redirect URI under the \"Single-page application\" platform of the app registration (not \"Web\" or \"Mobile and desktop\").{}",
                evidence(e)
            ),
        ),
        OAuthError::RedirectUriMismatch(e) => view_of(
            "redirect-uri",
            "Redirect URI not registered",
            format!(
                "Register {} as a single-page-application redirect URI of the app.{}",
                redirect_uri().unwrap_or_else(|| "this page's address".to_owned()),
                evidence(e)
            ),
        ),
        OAuthError::Expired(e) => view_of(
            "expired",
            "Sign-in expired",
            format!(
                "Sign in again. Browser sign-ins can be renewed silently for at most 24 hours.{}",
                evidence(e)
            ),
        ),
        OAuthError::Revoked(e) => view_of(
            "revoked",
            "Sign-in revoked",
            format!(
                "Your sign-in was revoked or replaced elsewhere, so it can no longer be renewed. Sign in again.{}",
                evidence(e)
            ),
        ),
        OAuthError::InteractionRequired(e) => view_of(
            "interaction-required",
            "Sign in again",
            format!(
                "Microsoft needs you at the sign-in page (for example for multi-factor authentication).{}",
                evidence(e)
            ),
        ),
        OAuthError::Denied(e) => view_of(
            "denied",
            "Sign-in cancelled",
            format!("The sign-in was cancelled or declined.{}", evidence(e)),
        ),
        OAuthError::ResourceNotFound(e) => view_of(
            "org-not-found",
            "Org not found in this tenant",
            format!("Check the org URL; the org must belong to the tenant you sign in to.{}", evidence(e)),
        ),
        OAuthError::StateMismatch | OAuthError::NonceMismatch => view_of(
            "error",
            "Sign-in answer refused",
            "The answer from Microsoft did not belong to the sign-in started here, so it was ignored. Start again.",
        ),
        OAuthError::NotSignedIn => view_of("signed-out", "Not signed in", "Sign in to continue."),
        OAuthError::Transport(e) => view_of(
            "error",
            "Cannot reach the sign-in service",
            format!("{e}. Check the network and try again."),
        ),
        other => view_of("error", "Sign-in failed", other.to_string()),
    }
}

/// The message for `field` among `errors`, if any.
pub fn field_error(errors: &[ConfigError], field: ConfigField) -> Option<String> {
    errors.iter().find(|e| e.field() == field).map(ConfigError::reason)
}

/// The sign-in form and status of `session` (which finishes a sign-in that returns from Microsoft
/// and tells the page when someone signed in).
#[component]
pub fn SignIn(
    /// The page's sign-in service.
    session: SignInSession,
    /// Org URL to prefill.
    #[prop(optional, into)]
    org: String,
    /// Client id to prefill.
    #[prop(optional, into)]
    client_id: String,
    /// Authority to prefill (default `https://login.microsoftonline.com/organizations`).
    #[prop(optional, into)]
    authority: String,
) -> impl IntoView {
    let authority =
        RwSignal::new(if authority.is_empty() { DEFAULT_AUTHORITY.to_owned() } else { authority });
    let client_id = RwSignal::new(client_id);
    let org = RwSignal::new(org);
    let errors = RwSignal::new(Vec::<ConfigError>::new());
    let status = session.status();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match session.submit(&authority.get(), &client_id.get(), &org.get()) {
            Some(Err(problems)) => errors.set(problems),
            Some(Ok(())) => errors.set(Vec::new()),
            // No redirect URI: the failure is in the status.
            None => {}
        }
    };
    let message = move |field| errors.with(|e| field_error(e, field)).unwrap_or_default();
    // Described on each read (cheap) rather than memoised: a memo of this type is another copy of
    // the reactive machinery.
    let view = move || status.with(|s| describe_status_for(s, &|| session.redirect_uri()));
    // Memoised so the form is rebuilt only when the signed-in state flips (as `<Show>` did).
    let signed_in = Memo::new(move |_| matches!(status.get(), Status::SignedIn { .. }));

    view! {
        <section class="sr-signin" data-testid="sign-in" data-state=move || view().key.to_owned()>
            <div class="sr-signin__status" role="status" data-testid="sign-in-status">
                <strong>{move || view().title}</strong>
                <p>{move || view().detail}</p>
            </div>
            {move || if signed_in.get() {
                view! {
                    <button class="sr-button" data-testid="sign-out-button" on:click=on_click(Callback::new(move |()| session.sign_out()))>"Sign out"</button>
                }
                .into_any()
            } else {
                view! {
                    <form class="sr-signin__form" on:submit=submit novalidate>
                        <label>
                            "Org URL"
                            <input type="url" name="org" data-testid="sign-in-org" placeholder="https://contoso.crm.dynamics.com" prop:value=move || org.get() on:input=move |ev| org.set(event_target_value(&ev)) />
                            <span class="sr-field-error" data-testid="sign-in-org-error">{move || message(ConfigField::Org)}</span>
                        </label>
                        <label>
                            "Application (client) id"
                            <input type="text" name="client_id" data-testid="sign-in-client-id" placeholder="00000000-0000-0000-0000-000000000000" prop:value=move || client_id.get() on:input=move |ev| client_id.set(event_target_value(&ev)) />
                            <span class="sr-field-error" data-testid="sign-in-client-id-error">{move || message(ConfigField::ClientId)}</span>
                        </label>
                        <label>
                            "Authority"
                            <input type="text" name="authority" data-testid="sign-in-authority" prop:value=move || authority.get() on:input=move |ev| authority.set(event_target_value(&ev)) />
                            <span class="sr-field-error" data-testid="sign-in-authority-error">{move || message(ConfigField::Authority)}</span>
                        </label>
                        <span class="sr-field-error" data-testid="sign-in-redirect-error">{move || message(ConfigField::RedirectUri)}</span>
                        <button type="submit" class="sr-button sr-button--primary" data-testid="sign-in-button" disabled=move || matches!(status.get(), Status::SigningIn)>
                            "Sign in with Microsoft"
                        </button>
                    </form>
                }
                .into_any()
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncready_core::oauth::{EntraError, OAuthConfig};

    fn key(status: Status) -> &'static str {
        describe_status(&status).key
    }

    fn entra(code: u32) -> EntraError {
        EntraError::new("invalid_grant", &format!("AADSTS{code}: text"), Vec::new())
    }

    #[test]
    fn every_sign_in_state_the_issue_names_has_its_own_key() {
        assert_eq!(key(Status::SignedOut), "signed-out");
        assert_eq!(key(Status::SigningIn), "signing-in");
        assert_eq!(key(Status::SignedIn { user: Some("a@contoso.com".into()) }), "signed-in");
        let failed = |e| key(Status::Failed(SignInError::OAuth(OAuthError::from_entra(e))));
        assert_eq!(failed(entra(65_001)), "consent-required");
        assert_eq!(failed(entra(50_020)), "wrong-tenant");
        assert_eq!(failed(entra(700_084)), "expired");
        assert_eq!(key(Status::Failed(SignInError::OAuth(OAuthError::Revoked(entra(9_002_313))))), "revoked");
        assert_eq!(key(Status::Failed(SignInError::IdentityUnavailable)), "unavailable");
    }

    #[test]
    fn the_signed_in_title_names_the_user_and_failures_keep_the_aadsts_evidence() {
        let v = describe_status(&Status::SignedIn { user: Some("admin@contoso.com".into()) });
        assert_eq!(v.title, "Signed in as admin@contoso.com");
        let v =
            describe_status(&Status::Failed(SignInError::OAuth(OAuthError::ConsentRequired(entra(65_001)))));
        assert!(v.detail.contains("AADSTS65001"), "{}", v.detail);
    }

    #[test]
    fn field_errors_are_found_by_field() {
        let errors =
            OAuthConfig::new("", "x", "https://a.example/", "https://contoso.crm.dynamics.com").unwrap_err();
        assert!(field_error(&errors, ConfigField::Authority).unwrap().contains("empty"));
        assert!(field_error(&errors, ConfigField::ClientId).is_some());
        assert_eq!(field_error(&errors, ConfigField::Org), None);
    }
}
