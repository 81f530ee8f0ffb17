//! The browser side of signing in with Microsoft Entra ID (the protocol itself is
//! `syncready_core::oauth`, which is pure).
//!
//! This module draws the random values (`crypto.getRandomValues`), reads the clock, and runs the
//! interactive leg:
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
//! sign-in component) from every source: the redirect's return, the extension flow, and silent
//! renewals by [`super::bearer`].

use crate::platform::dom;
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use syncready_core::json::{FromJson, JsonError, Obj};
use syncready_core::model::Timestamp;
use syncready_core::oauth::{OAuthConfig, OAuthError, PendingSignIn, Tokens};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

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

/// Now, in Unix seconds.
pub fn now() -> Timestamp {
    Timestamp((js_sys::Date::now() / 1000.0) as i64)
}

fn get(target: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn identity() -> Option<JsValue> {
    get(&get(&js_sys::global().into(), "chrome")?, "identity")
}

/// `N` random bytes from `crypto.getRandomValues`.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], SignInError> {
    let unavailable = || SignInError::Browser("this browser offers no crypto.getRandomValues".to_owned());
    let crypto = get(&js_sys::global().into(), "crypto").ok_or_else(unavailable)?;
    let fill: Function =
        get(&crypto, "getRandomValues").and_then(|f| f.dyn_into().ok()).ok_or_else(unavailable)?;
    let array = Uint8Array::new_with_length(N as u32);
    fill.call1(&crypto, &array).map_err(|e| SignInError::Browser(dom::js_error_text(&e)))?;
    let mut out = [0u8; N];
    array.copy_to(&mut out);
    Ok(out)
}

/// Whether this page signs in with `chrome.identity` (extension pages) rather than a redirect.
pub fn uses_identity_flow() -> bool {
    dom::is_extension_page()
}

/// The redirect URI this page signs in with: `https://<extension-id>.chromiumapp.org/oauth` on
/// extension pages, the page's own address without query on the web.
pub fn redirect_uri() -> Result<String, SignInError> {
    if uses_identity_flow() {
        let identity = identity().ok_or(SignInError::IdentityUnavailable)?;
        let f: Function = get(&identity, "getRedirectURL")
            .and_then(|f| f.dyn_into().ok())
            .ok_or(SignInError::IdentityUnavailable)?;
        return f
            .call1(&identity, &JsValue::from_str(EXTENSION_REDIRECT_PATH))
            .ok()
            .and_then(|v| v.as_string())
            .ok_or(SignInError::IdentityUnavailable);
    }
    let location =
        web_sys::window().map(|w| w.location()).ok_or_else(|| SignInError::Browser("no window".into()))?;
    let origin = location.origin().map_err(|e| SignInError::Browser(dom::js_error_text(&e)))?;
    let path = location.pathname().map_err(|e| SignInError::Browser(dom::js_error_text(&e)))?;
    Ok(format!("{origin}{path}"))
}

fn session_storage() -> Result<web_sys::Storage, SignInError> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten()).ok_or_else(|| {
        SignInError::Browser("sessionStorage is not available (private mode or blocked storage)".into())
    })
}

fn storage_set(key: &str, value: &str) -> Result<(), SignInError> {
    session_storage()?.set_item(key, value).map_err(|e| SignInError::Browser(dom::js_error_text(&e)))
}

fn storage_take(key: &str) -> Option<String> {
    let storage = session_storage().ok()?;
    let value = storage.get_item(key).ok().flatten();
    let _ = storage.remove_item(key);
    value
}

/// Saves this tab's session (settings and tokens) in `sessionStorage`.
pub fn save_session(config: &OAuthConfig, tokens: &Tokens) {
    let stored = StoredSession { config: config.clone(), tokens: tokens.clone() };
    if let Ok(json) = super::chrome::json_text(&stored) {
        let _ = storage_set(SESSION_KEY, &json);
    }
}

/// This tab's session, if it has one.
pub fn load_session() -> Option<(OAuthConfig, Tokens)> {
    let json = session_storage().ok()?.get_item(SESSION_KEY).ok().flatten()?;
    let stored: StoredSession = syncready_core::json::decode(&json).ok()?;
    Some((stored.config, stored.tokens))
}

/// Forgets this tab's session.
pub fn clear_session() {
    if let Ok(storage) = session_storage() {
        let _ = storage.remove_item(SESSION_KEY);
    }
}

/// Signs out: forgets the tokens (Entra's own browser session is left alone).
pub fn sign_out() {
    clear_session();
    publish(Status::SignedOut);
}

fn new_pending(config: OAuthConfig, return_to: String) -> Result<PendingSignIn, SignInError> {
    Ok(PendingSignIn::new(
        config,
        &random_bytes::<32>()?,
        &random_bytes::<16>()?,
        &random_bytes::<16>()?,
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
    if uses_identity_flow() {
        sign_in_with_identity(config, true).await.map(|_| ())
    } else {
        start_redirect(config)
    }
}

/// Extension pages: runs the whole flow in `chrome.identity.launchWebAuthFlow`.
pub async fn sign_in_with_identity(config: OAuthConfig, interactive: bool) -> Result<Tokens, SignInError> {
    let identity = identity().ok_or_else(|| failed(SignInError::IdentityUnavailable))?;
    let launch: Function = get(&identity, "launchWebAuthFlow")
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| failed(SignInError::IdentityUnavailable))?;
    let pending = new_pending(config, String::new()).map_err(failed)?;
    let url = pending.authorize_url().map_err(|e| failed(e.into()))?;
    let details = Object::new();
    let _ = Reflect::set(&details, &JsValue::from_str("url"), &JsValue::from_str(&url));
    let _ = Reflect::set(&details, &JsValue::from_str("interactive"), &JsValue::from_bool(interactive));
    publish(Status::SigningIn);
    let promise: Promise = launch
        .call1(&identity, &details)
        .map_err(|e| failed(SignInError::Browser(dom::js_error_text(&e))))?
        .dyn_into()
        .map_err(|_| failed(SignInError::Browser("launchWebAuthFlow returned no promise".into())))?;
    // Rejected when the user closes the window or the authority never redirects to chromiumapp.org.
    let response_url = JsFuture::from(promise)
        .await
        .map_err(|e| failed(SignInError::Browser(dom::js_error_text(&e))))?
        .as_string()
        .ok_or_else(|| failed(SignInError::Browser("the sign-in window returned no address".into())))?;
    let transport = super::bearer::PlainFetch::without_cookies(pending.config.org.clone());
    let tokens = pending.complete(&transport, &response_url, now()).await.map_err(|e| failed(e.into()))?;
    signed_in(&pending.config, &tokens);
    Ok(tokens)
}

/// Web app: remembers the sign-in in `sessionStorage` and sends the browser to Entra ID.
pub fn start_redirect(config: OAuthConfig) -> Result<(), SignInError> {
    let location = web_sys::window()
        .map(|w| w.location())
        .ok_or_else(|| failed(SignInError::Browser("no window".into())))?;
    let here = location.href().unwrap_or_default();
    let pending = new_pending(config, here).map_err(failed)?;
    let url = pending.authorize_url().map_err(|e| failed(e.into()))?;
    let json = super::chrome::json_text(&pending).map_err(|e| failed(SignInError::Browser(e.to_string())))?;
    storage_set(PENDING_KEY, &json).map_err(failed)?;
    publish(Status::SigningIn);
    location.assign(&url).map_err(|e| failed(SignInError::Browser(dom::js_error_text(&e))))
}

fn replace_address(url: &str) {
    let Some(history) = web_sys::window().and_then(|w| get(&JsValue::from(w), "history")) else {
        return;
    };
    if let Some(f) = get(&history, "replaceState").and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = f.call3(&history, &JsValue::NULL, &JsValue::from_str(""), &JsValue::from_str(url));
    }
}

/// Whether this page load is the return from Entra ID with a sign-in still to redeem: `state` and a
/// `code` (or `error`) in the address's fragment and a pending sign-in in `sessionStorage`. Synchronous, so the
/// page can hold its first read until [`complete_redirect`] has settled instead of racing it.
pub fn returning_from_sign_in() -> bool {
    let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) else {
        return false;
    };
    is_return_address(&href)
        && session_storage().ok().and_then(|s| s.get_item(PENDING_KEY).ok().flatten()).is_some()
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
    let href = web_sys::window()?.location().href().ok()?;
    if !is_return_address(&href) {
        return None;
    }
    let json = storage_take(PENDING_KEY)?;
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
    replace_address(&back);
    publish(Status::SigningIn);
    let transport = super::bearer::PlainFetch::without_cookies(pending.config.org.clone());
    Some(match pending.complete(&transport, &href, now()).await {
        Ok(tokens) => {
            signed_in(&pending.config, &tokens);
            Ok(tokens)
        }
        Err(e) => Err(failed(e.into())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
