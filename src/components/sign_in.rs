//! "Sign in with Microsoft": authority, client id and org URL fields, and the sign-in status.
//!
//! The protocol is `syncready_core::oauth`; the sign-in service is `crate::session::SignInSession`.
//! This component only shows the fields and their problems (found by `OAuthConfig::new`), asks the
//! service to sign in and renders the status.

use super::handlers::on_click;
use super::lang::use_lang;
use crate::session::{SignInError, SignInSession, Status};
use leptos::prelude::*;
use syncready_core::i18n::Lang;
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

/// The status `key` with the title and detail of catalogue id `id` (`ui.sign-in.<id>.title`,
/// `.detail`), the detail's `{evidence}` and `{uri}` filled.
fn view_of(key: &'static str, id: &str, lang: Lang, args: &[(&str, &dyn std::fmt::Display)]) -> StatusView {
    StatusView {
        key,
        title: lang.text(&format!("ui.sign-in.{id}.title"), args),
        detail: lang.text(&format!("ui.sign-in.{id}.detail"), args),
    }
}

/// The words for a sign-in status, in English. The one place that explains sign-in failures to the
/// admin.
pub fn describe_status(status: &Status) -> StatusView {
    describe_status_for(status, &|| None, Lang::english())
}

/// [`describe_status`] in `lang`, naming the redirect URI this page signs in with (asked of
/// `redirect_uri` only then) where the admin must register it.
pub fn describe_status_for(
    status: &Status,
    redirect_uri: &dyn Fn() -> Option<String>,
    lang: Lang,
) -> StatusView {
    match status {
        Status::SignedOut => view_of("signed-out", "signed-out", lang, &[]),
        Status::SigningIn => view_of("signing-in", "signing-in", lang, &[]),
        Status::SignedIn { user } => {
            let user = user.clone().unwrap_or_else(|| lang.t("ui.sign-in.your-account").to_owned());
            view_of("signed-in", "signed-in", lang, &[("user", &user)])
        }
        Status::Failed(SignInError::IdentityUnavailable) => view_of("unavailable", "unavailable", lang, &[]),
        Status::Failed(SignInError::Browser(why)) => view_of("error", "browser", lang, &[("why", why)]),
        Status::Failed(SignInError::OAuth(e)) => describe_oauth_error(e, redirect_uri, lang),
    }
}

fn describe_oauth_error(
    error: &OAuthError,
    redirect_uri: &dyn Fn() -> Option<String>,
    lang: Lang,
) -> StatusView {
    let evidence = |e: &dyn std::fmt::Display| format!(" ({e})");
    let with =
        |key: &'static str, e: &dyn std::fmt::Display| view_of(key, key, lang, &[("evidence", &evidence(e))]);
    match error {
        OAuthError::ConsentRequired(e) => with("consent-required", e),
        OAuthError::WrongTenant(e) => with("wrong-tenant", e),
        OAuthError::AppNotFound(e) => with("app-not-found", e),
        OAuthError::NotSinglePageApp(e) => with("not-spa", e),
        OAuthError::RedirectUriMismatch(e) => {
            let uri = redirect_uri().unwrap_or_else(|| lang.t("ui.sign-in.this-page").to_owned());
            view_of("redirect-uri", "redirect-uri", lang, &[("uri", &uri), ("evidence", &evidence(e))])
        }
        OAuthError::Expired(e) => with("expired", e),
        OAuthError::Revoked(e) => with("revoked", e),
        OAuthError::InteractionRequired(e) => with("interaction-required", e),
        OAuthError::Denied(e) => with("denied", e),
        OAuthError::ResourceNotFound(e) => {
            view_of("org-not-found", "org-not-found", lang, &[("evidence", &evidence(e))])
        }
        OAuthError::StateMismatch | OAuthError::NonceMismatch => {
            view_of("error", "answer-refused", lang, &[])
        }
        OAuthError::NotSignedIn => view_of("signed-out", "not-signed-in", lang, &[]),
        OAuthError::Transport(e) => view_of("error", "unreachable", lang, &[("error", e)]),
        other => view_of("error", "failed", lang, &[("error", other)]),
    }
}

/// The message for `field` among `errors`, if any, in `lang`.
pub fn field_error(errors: &[ConfigError], field: ConfigField, lang: Lang) -> Option<&'static str> {
    errors.iter().find(|e| e.field() == field).map(|e| e.reason_in(lang))
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
    // Described on each read (cheap) rather than memoised: a memo of this type is another copy of
    // the reactive machinery.
    let lang = use_lang();
    let message = move |field| errors.with(|e| field_error(e, field, lang)).unwrap_or_default().to_owned();
    let view = move || status.with(|s| describe_status_for(s, &|| session.redirect_uri(), lang));
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
                    <button class="sr-button" data-testid="sign-out-button" on:click=on_click(Callback::new(move |()| session.sign_out()))>{lang.t("ui.sign-in.sign-out")}</button>
                }
                .into_any()
            } else {
                view! {
                    <form class="sr-signin__form" on:submit=submit novalidate>
                        <label>
                            {lang.t("ui.sign-in.org-url")}
                            <input type="url" name="org" data-testid="sign-in-org" placeholder="https://contoso.crm.dynamics.com" prop:value=move || org.get() on:input=move |ev| org.set(event_target_value(&ev)) />
                            <span class="sr-field-error" data-testid="sign-in-org-error">{move || message(ConfigField::Org)}</span>
                        </label>
                        <label>
                            {lang.t("ui.sign-in.client-id")}
                            <input type="text" name="client_id" data-testid="sign-in-client-id" placeholder="00000000-0000-0000-0000-000000000000" prop:value=move || client_id.get() on:input=move |ev| client_id.set(event_target_value(&ev)) />
                            <span class="sr-field-error" data-testid="sign-in-client-id-error">{move || message(ConfigField::ClientId)}</span>
                        </label>
                        <label>
                            {lang.t("ui.sign-in.authority")}
                            <input type="text" name="authority" data-testid="sign-in-authority" prop:value=move || authority.get() on:input=move |ev| authority.set(event_target_value(&ev)) />
                            <span class="sr-field-error" data-testid="sign-in-authority-error">{move || message(ConfigField::Authority)}</span>
                        </label>
                        <span class="sr-field-error" data-testid="sign-in-redirect-error">{move || message(ConfigField::RedirectUri)}</span>
                        <button type="submit" class="sr-button sr-button--primary" data-testid="sign-in-button" disabled=move || matches!(status.get(), Status::SigningIn)>
                            {lang.t("ui.sign-in.button")}
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
        let en = Lang::english();
        assert!(field_error(&errors, ConfigField::Authority, en).unwrap().contains("empty"));
        assert!(field_error(&errors, ConfigField::ClientId, en).is_some());
        assert_eq!(field_error(&errors, ConfigField::Org, en), None);
        let de = field_error(&errors, ConfigField::Authority, Lang::from_tag("de")).unwrap();
        assert!(de.starts_with("sie ist leer"), "{de}");
    }
}
