//! The sign-in service: signing in with Microsoft Entra ID (the protocol itself is
//! `syncready_core::oauth`, which is pure; the browser legs are `crate::platform::identity`).
//!
//! The interactive leg:
//!
//! - **Extension pages**: `chrome.identity.launchWebAuthFlow` with the redirect URI
//!   `chrome.identity.getRedirectURL("oauth")` (`https://<extension-id>.chromiumapp.org/oauth`). This
//!   needs the `identity` permission; without it every call fails with
//!   [`SignInError::IdentityUnavailable`] instead of throwing.
//! - **Web app**: a full-page redirect. The pending sign-in (settings, PKCE verifier, `state`,
//!   `nonce`) is kept in `sessionStorage` only, removed as soon as the browser comes back, and the
//!   code is scrubbed from the address bar before it is redeemed.
//!
//! Tokens live in memory and in `sessionStorage` (this tab only, gone when it closes), never in
//! `localStorage` or `chrome.storage.local`. The current [`Status`] is published to subscribers (the
//! sign-in component, through [`SignInSession`]) from every source: the redirect's return, the
//! extension flow, and silent renewals by [`super::bearer`].

use crate::platform::chrome::json_text;
use crate::platform::dom;
use crate::platform::identity::{self, IdentityError};
use crate::platform::transport::FetchTransport;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use syncready_core::json::{FromJson, JsonError, Obj};
use syncready_core::oauth::{ConfigError, OAuthConfig, OAuthError, PendingSignIn, Tokens};

/// `sessionStorage` key of the sign-in in flight (across the redirect).
pub const PENDING_KEY: &str = "syncready.oauth.pending";
/// `sessionStorage` key of the signed-in session (settings and tokens).
pub const SESSION_KEY: &str = "syncready.oauth.session";
/// The path of the extension's redirect URI (`https://<id>.chromiumapp.org/oauth`).
pub const EXTENSION_REDIRECT_PATH: &str = "oauth";

/// Why signing in did not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    /// Entra ID (or the check of its answer) refused.
    OAuth(OAuthError),
    /// `chrome.identity` is missing: the extension lacks the `identity` permission, or the browser
    /// has no such API.
    IdentityUnavailable,
    /// The browser could not do its part (no `crypto`, storage blocked, the sign-in window closed).
    Browser(String),
}

impl From<OAuthError> for SignInError {
    fn from(e: OAuthError) -> Self {
        Self::OAuth(e)
    }
}

impl From<IdentityError> for SignInError {
    fn from(e: IdentityError) -> Self {
        match e {
            IdentityError::Unavailable => Self::IdentityUnavailable,
            IdentityError::Browser(why) => Self::Browser(why),
        }
    }
}

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::OAuth(e) => e.fmt(f),
            Self::IdentityUnavailable => f.write_str("chrome.identity is not available to SyncReady"),
            Self::Browser(why) => f.write_str(why),
        }
    }
}

/// What the sign-in UI shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Nobody is signed in.
    SignedOut,
    /// The Microsoft sign-in is open, or its code is being redeemed.
    SigningIn,
    /// Signed in.
    SignedIn {
        /// Who, when the tokens say.
        user: Option<String>,
    },
    /// The last attempt (or a silent renewal) failed.
    Failed(SignInError),
}

/// The settings and tokens of this tab's sign-in.
#[derive(serde::Serialize)]
struct StoredSession {
    config: OAuthConfig,
    tokens: Tokens,
}

impl FromJson for StoredSession {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { config: o.req("config")?, tokens: o.req("tokens")? })
    }
}

type Listener = Rc<dyn Fn(&Status)>;

thread_local! {
    static STATUS: RefCell<Option<Status>> = const { RefCell::new(None) };
    static LISTENERS: RefCell<Vec<(usize, Listener)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: RefCell<usize> = const { RefCell::new(0) };
}

/// The current status (signed in when this tab holds a session).
pub fn status() -> Status {
    STATUS.with(|s| {
        s.borrow_mut()
            .get_or_insert_with(|| match load_session() {
                Some((_, tokens)) => Status::SignedIn { user: tokens.user },
                None => Status::SignedOut,
            })
            .clone()
    })
}

/// Calls `listener` on every status change; returns an id for [`unsubscribe`].
pub fn subscribe(listener: impl Fn(&Status) + 'static) -> usize {
    let id = NEXT_ID.with(|n| {
        let mut n = n.borrow_mut();
        *n += 1;
        *n
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, Rc::new(listener))));
    id
}

/// Stops calling a listener.
pub fn unsubscribe(id: usize) {
    LISTENERS.with(|l| l.borrow_mut().retain(|(i, _)| *i != id));
}

/// Sets the status and tells the subscribers (outside any borrow, so they may publish in turn).
pub fn publish(status: Status) {
    STATUS.with(|s| *s.borrow_mut() = Some(status.clone()));
    let listeners: Vec<Listener> = LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener(&status);
    }
}

/// The redirect URI this page signs in with: `https://<extension-id>.chromiumapp.org/oauth` on
/// extension pages, the page's own address without query on the web.
pub fn redirect_uri() -> Result<String, SignInError> {
    if identity::uses_identity_flow() {
        return Ok(identity::extension_redirect_url(EXTENSION_REDIRECT_PATH)?);
    }
    Ok(identity::page_address()?)
}

/// Saves this tab's session (settings and tokens) in `sessionStorage`.
pub fn save_session(config: &OAuthConfig, tokens: &Tokens) {
    let stored = StoredSession { config: config.clone(), tokens: tokens.clone() };
    if let Ok(json) = json_text(&stored) {
        let _ = identity::tab_set(SESSION_KEY, &json);
    }
}

/// This tab's session, if it has one.
pub fn load_session() -> Option<(OAuthConfig, Tokens)> {
    let json = identity::tab_get(SESSION_KEY)?;
    let stored: StoredSession = syncready_core::json::decode(&json).ok()?;
    Some((stored.config, stored.tokens))
}

/// Forgets this tab's session.
pub fn clear_session() {
    identity::tab_remove(SESSION_KEY);
}

/// Signs out: forgets the tokens (Entra's own browser session is left alone).
pub fn sign_out() {
    clear_session();
    publish(Status::SignedOut);
}

fn new_pending(config: OAuthConfig, return_to: String) -> Result<PendingSignIn, SignInError> {
    Ok(PendingSignIn::new(
        config,
        &identity::random_bytes::<32>()?,
        &identity::random_bytes::<16>()?,
        &identity::random_bytes::<16>()?,
        return_to,
    ))
}

fn signed_in(config: &OAuthConfig, tokens: &Tokens) {
    save_session(config, tokens);
    publish(Status::SignedIn { user: tokens.user.clone() });
}

fn failed(error: SignInError) -> SignInError {
    publish(Status::Failed(error.clone()));
    error
}

/// Signs in the way this page can: `chrome.identity` on extension pages (resolves when done), a
/// full-page redirect on the web (the page navigates away; [`complete_redirect`] finishes on return).
pub async fn sign_in(config: OAuthConfig) -> Result<(), SignInError> {
    if identity::uses_identity_flow() {
        sign_in_with_identity(config, true).await.map(|_| ())
    } else {
        start_redirect(config)
    }
}

/// Extension pages: runs the whole flow in `chrome.identity.launchWebAuthFlow`.
pub async fn sign_in_with_identity(config: OAuthConfig, interactive: bool) -> Result<Tokens, SignInError> {
    if !identity::has_web_auth_flow() {
        return Err(failed(SignInError::IdentityUnavailable));
    }
    let pending = new_pending(config, String::new()).map_err(failed)?;
    let url = pending.authorize_url().map_err(|e| failed(e.into()))?;
    let response_url = identity::launch_web_auth_flow(&url, interactive, || publish(Status::SigningIn))
        .await
        .map_err(|e| failed(e.into()))?;
    let transport = FetchTransport::without_cookies(pending.config.org.clone());
    let tokens =
        pending.complete(&transport, &response_url, identity::now()).await.map_err(|e| failed(e.into()))?;
    signed_in(&pending.config, &tokens);
    Ok(tokens)
}

/// Web app: remembers the sign-in in `sessionStorage` and sends the browser to Entra ID.
pub fn start_redirect(config: OAuthConfig) -> Result<(), SignInError> {
    let here = identity::href().ok_or_else(|| failed(SignInError::Browser("no window".into())))?;
    let pending = new_pending(config, here).map_err(failed)?;
    let url = pending.authorize_url().map_err(|e| failed(e.into()))?;
    let json = json_text(&pending).map_err(|e| failed(SignInError::Browser(e.to_string())))?;
    identity::tab_set(PENDING_KEY, &json).map_err(|e| failed(e.into()))?;
    publish(Status::SigningIn);
    identity::navigate(&url).map_err(|e| failed(e.into()))
}

/// Whether this page load is the return from Entra ID with a sign-in still to redeem: `state` and a
/// `code` (or `error`) in the address's fragment and a pending sign-in in `sessionStorage`. Synchronous, so the
/// page can hold its first read until [`complete_redirect`] has settled instead of racing it.
pub fn returning_from_sign_in() -> bool {
    let Some(href) = identity::href() else {
        return false;
    };
    is_return_address(&href) && identity::tab_get(PENDING_KEY).is_some()
}

/// The sign-in answers in the fragment (`response_mode=fragment`): `#…state=…` with `code=` or `error=`.
fn is_return_address(href: &str) -> bool {
    let Some((_, fragment)) = href.split_once('#') else {
        return false;
    };
    let has = |name: &str| fragment.split('&').any(|kv| kv.starts_with(name));
    has("state=") && (has("code=") || has("error="))
}

/// Web app, on every page load: if this load is the return from Entra ID (`state` in the address and
/// a pending sign-in in `sessionStorage`), redeems the code and returns the outcome; `None` otherwise.
/// The pending sign-in is used once, and the code leaves the address bar before it is redeemed.
pub async fn complete_redirect() -> Option<Result<Tokens, SignInError>> {
    let href = identity::href()?;
    if !is_return_address(&href) {
        return None;
    }
    let json = identity::tab_take(PENDING_KEY)?;
    let pending: PendingSignIn = match syncready_core::json::decode(&json) {
        Ok(p) => p,
        Err(e) => {
            return Some(Err(failed(SignInError::Browser(format!(
                "the pending sign-in is unreadable: {e}"
            )))));
        }
    };
    let back = if pending.return_to.is_empty() {
        redirect_uri().unwrap_or_default()
    } else {
        pending.return_to.clone()
    };
    identity::replace_address(&back);
    publish(Status::SigningIn);
    let transport = FetchTransport::without_cookies(pending.config.org.clone());
    Some(match pending.complete(&transport, &href, identity::now()).await {
        Ok(tokens) => {
            signed_in(&pending.config, &tokens);
            Ok(tokens)
        }
        Err(e) => Err(failed(e.into())),
    })
}

/// What the sign-in component works with: the status as a signal (fed by the status bus for as long
/// as the component lives), the redirect URI the page signs in with, and the actions.
#[derive(Debug, Clone, Copy)]
pub struct SignInSession {
    status: RwSignal<Status>,
}

impl SignInSession {
    /// Subscribes to the status for the current reactive owner, and on a web-app page load that
    /// returns from Microsoft, finishes the sign-in. `on_signed_in` runs after every successful
    /// sign-in (to reload the org).
    pub fn new(on_signed_in: Option<Callback<()>>) -> Self {
        let status = RwSignal::new(status());
        let id = subscribe(move |s| {
            status.try_set(s.clone());
            if matches!(s, Status::SignedIn { .. })
                && let Some(callback) = on_signed_in
            {
                callback.run(());
            }
        });
        on_cleanup(move || unsubscribe(id));
        leptos::task::spawn_local(async {
            complete_redirect().await;
        });
        Self { status }
    }

    /// The current status (tracked).
    pub fn status(&self) -> RwSignal<Status> {
        self.status
    }

    /// The redirect URI to name in a "not registered" message, if the browser tells it.
    pub fn redirect_uri(&self) -> Option<String> {
        redirect_uri().ok()
    }

    /// Checks the fields and starts signing in: `Some(Err(problems))` for fields to fix,
    /// `Some(Ok(()))` once started, `None` when this page has no redirect URI (published to the
    /// status, as every failure of the sign-in itself is).
    pub fn submit(
        &self,
        authority: &str,
        client_id: &str,
        org: &str,
    ) -> Option<Result<(), Vec<ConfigError>>> {
        let redirect = match redirect_uri() {
            Ok(uri) => uri,
            Err(e) => {
                publish(Status::Failed(e));
                return None;
            }
        };
        let policy = dom::host_policy();
        Some(OAuthConfig::new_with(authority, client_id, &redirect, org, policy).map(|config| {
            leptos::task::spawn_local(async move {
                // Failures are published to `status`.
                let _ = sign_in(config).await;
            });
        }))
    }

    /// Signs out.
    pub fn sign_out(&self) {
        sign_out();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncready_core::model::Timestamp;

    #[test]
    fn a_saved_session_reads_back_what_was_saved() {
        let config = OAuthConfig::new(
            "https://login.microsoftonline.com/organizations",
            "6731de76-14a6-49ae-97bc-6eba6914391e",
            "https://abcdefghijklmnop.chromiumapp.org/oauth",
            "https://contoso.crm.dynamics.com",
        )
        .unwrap();
        let tokens = Tokens {
            access_token: "a".into(),
            refresh_token: Some("r".into()),
            expires_at: Timestamp(1_700_000_000),
            scope: "s".into(),
            user: Some("alex@contoso.com".into()),
            nonce: None,
        };
        let text =
            serde_json::to_string(&StoredSession { config: config.clone(), tokens: tokens.clone() }).unwrap();
        let stored: StoredSession = syncready_core::json::decode(&text).unwrap();
        assert_eq!((stored.config, stored.tokens), (config, tokens));
        let err = syncready_core::json::decode::<StoredSession>(r#"{"config":{}}"#).map(drop).unwrap_err();
        assert_eq!(err.to_string(), "config: missing field `authority`");
    }

    #[test]
    fn issue_12_only_a_fragment_with_state_and_a_code_or_error_is_a_return_from_sign_in() {
        assert!(is_return_address("https://app/index.html?surface=app#code=c&state=s"));
        assert!(is_return_address("https://app/index.html#state=s&error=access_denied"));
        assert!(!is_return_address("https://app/index.html?surface=app&state=s&code=c"));
        assert!(!is_return_address("https://app/index.html#code=c"));
        assert!(!is_return_address("https://app/index.html#xstate=s&code=c"));
    }
}
