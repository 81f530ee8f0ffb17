//! Transports for the signed-in mode: `fetch` without cookies, wrapped in the core's
//! [`BearerTransport`] (bearer header, silent renewal, sign-in prompt when renewal is refused).
//!
//! The session-reuse transport ([`super::transport::FetchTransport`]) sends cookies
//! (`credentials: include`); a cross-origin call to the token endpoint must not, or the browser
//! demands `Access-Control-Allow-Credentials`, which Entra ID does not send. So the token endpoint and
//! the Web API are both reached with `credentials: omit` here; the bearer token does the
//! authentication.

use super::oauth::{self, SignInError, Status};
use std::cell::RefCell;
use std::rc::Rc;
use syncready_core::model::{OrgUrl, Timestamp};
use syncready_core::oauth::{BearerTransport, OAuthConfig, SignInState, Tokens};

/// `fetch` without cookies; relative paths go to `org`'s Web API.
pub type PlainFetch = super::transport::FetchTransport;

/// The browser clock as the core wants it.
pub type Clock = fn() -> Timestamp;

/// The signed-in transport the app reads and writes the org with.
pub type Bearer = BearerTransport<PlainFetch, Clock>;

/// A signed-in transport for `config`'s org. Every renewal is saved to `sessionStorage`, and a refused
/// renewal clears it and publishes the reason (expired, revoked, …) to the sign-in UI.
pub fn transport(config: OAuthConfig, tokens: Tokens) -> Bearer {
    let mirrored = config.clone();
    let bearer =
        BearerTransport::new(PlainFetch::without_cookies(config.org.clone()), config, oauth::now as Clock)
            .on_change(move |state| match state {
                SignInState::SignedIn(tokens) => {
                    oauth::save_session(&mirrored, tokens);
                    if !matches!(oauth::status(), Status::SignedIn { .. }) {
                        oauth::publish(Status::SignedIn { user: tokens.user.clone() });
                    }
                }
                SignInState::SignInRequired(e) => {
                    oauth::clear_session();
                    oauth::publish(Status::Failed(SignInError::OAuth(e.clone())));
                }
                SignInState::SignedOut => oauth::sign_out(),
            });
    bearer.sign_in(tokens);
    bearer
}

thread_local! {
    /// The one signed-in transport of this page. Sharing it matters: each renewal spends the refresh
    /// token, so two transports renewing on their own would trip over each other's rotated tokens.
    static SHARED: RefCell<Option<Rc<Bearer>>> = const { RefCell::new(None) };
}

/// The signed-in transport of this tab's session, if it has one (after [`oauth::complete_redirect`]
/// on the web, or a `chrome.identity` sign-in in this page). The same instance is returned for as long
/// as the session is the one it holds, so the checklist and bulk actions share renewals.
pub fn restore() -> Option<Rc<Bearer>> {
    let (config, tokens) = oauth::load_session()?;
    let cached = SHARED.with(|s| s.borrow().clone());
    if let Some(bearer) = cached
        && bearer.state().tokens().is_some_and(|t| t.access_token == tokens.access_token)
    {
        return Some(bearer);
    }
    let bearer = Rc::new(transport(config, tokens));
    SHARED.with(|s| *s.borrow_mut() = Some(bearer.clone()));
    Some(bearer)
}

/// The org this tab is signed in to, if any (the web app has no Dynamics tab to take it from).
pub fn signed_in_org() -> Option<OrgUrl> {
    oauth::load_session().map(|(config, _)| config.org)
}
