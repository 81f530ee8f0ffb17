//! How this page reaches the org ([`OrgTransport`]): the Dynamics session's cookies, or the own
//! sign-in's token. The signed-in mode is `fetch` without cookies, wrapped in the core's
//! [`BearerTransport`] (bearer header, silent renewal, sign-in prompt when renewal is refused).
//!
//! The session-reuse transport ([`FetchTransport`]) sends cookies
//! (`credentials: include`); a cross-origin call to the token endpoint must not, or the browser
//! demands `Access-Control-Allow-Credentials`, which Entra ID does not send. So the token endpoint and
//! the Web API are both reached with `credentials: omit` here; the bearer token does the
//! authentication.

use super::sign_in::{self, SignInError, Status};
use crate::platform::identity;
use crate::platform::transport::FetchTransport;
use std::cell::RefCell;
use std::rc::Rc;
use syncready_core::http::{Request, Response, Transport, TransportError};
use syncready_core::model::{OrgUrl, Timestamp};
use syncready_core::oauth::{BearerTransport, OAuthConfig, SignInState, Tokens};

/// `fetch` without cookies; relative paths go to `org`'s Web API.
pub type PlainFetch = FetchTransport;

/// The browser clock as the core wants it.
pub type Clock = fn() -> Timestamp;

/// The signed-in transport the app reads and writes the org with.
pub type Bearer = BearerTransport<PlainFetch, Clock>;

/// A signed-in transport for `config`'s org. Every renewal is saved to `sessionStorage`, and a refused
/// renewal clears it and publishes the reason (expired, revoked, …) to the sign-in UI.
pub fn transport(config: OAuthConfig, tokens: Tokens) -> Bearer {
    let mirrored = config.clone();
    let bearer =
        BearerTransport::new(PlainFetch::without_cookies(config.org.clone()), config, identity::now as Clock)
            .on_change(move |state| match state {
                SignInState::SignedIn(tokens) => {
                    sign_in::save_session(&mirrored, tokens);
                    if !matches!(sign_in::status(), Status::SignedIn { .. }) {
                        sign_in::publish(Status::SignedIn { user: tokens.user.clone() });
                    }
                }
                SignInState::SignInRequired(e) => {
                    sign_in::clear_session();
                    sign_in::publish(Status::Failed(SignInError::OAuth(e.clone())));
                }
                SignInState::SignedOut => sign_in::sign_out(),
            });
    bearer.sign_in(tokens);
    bearer
}

thread_local! {
    /// The one signed-in transport of this page. Sharing it matters: each renewal spends the refresh
    /// token, so two transports renewing on their own would trip over each other's rotated tokens.
    static SHARED: RefCell<Option<Rc<Bearer>>> = const { RefCell::new(None) };
}

/// The signed-in transport of this tab's session, if it has one (after [`sign_in::complete_redirect`]
/// on the web, or a `chrome.identity` sign-in in this page). The same instance is returned for as long
/// as the session is the one it holds, so the checklist and bulk actions share renewals.
pub fn restore() -> Option<Rc<Bearer>> {
    let (config, tokens) = sign_in::load_session()?;
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
    sign_in::load_session().map(|(config, _)| config.org)
}

/// How this page reaches the org: the Dynamics session (cookies), or the admin's own Entra ID token
/// when they signed in with it in this tab.
#[derive(Debug, Clone)]
pub enum OrgTransport {
    /// Session cookies of the Dynamics tab.
    Session(FetchTransport),
    /// Bearer token from the own sign-in (shared per page, renews itself).
    Bearer(Rc<Bearer>),
}

impl OrgTransport {
    /// The transport for `org`: the token if the own sign-in is for this org, else the session.
    pub fn for_org(org: &OrgUrl) -> Self {
        match restore() {
            Some(bearer) if &bearer.config().org == org => Self::Bearer(bearer),
            _ => Self::Session(FetchTransport::new(org.clone())),
        }
    }
}

impl Transport for OrgTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        match self {
            Self::Session(t) => t.send(request).await,
            Self::Bearer(t) => t.send(request).await,
        }
    }
}
