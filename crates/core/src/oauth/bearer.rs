//! A [`Transport`] that signs requests with a bearer token and renews it silently.

use super::{OAuthConfig, OAuthError, Tokens, parse_refresh_response, refresh_request};
use crate::http::{Request, Response, Transport, TransportError};
use crate::model::Timestamp;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// The message of the [`TransportError::Unavailable`] a [`BearerTransport`] returns while nobody is
/// signed in.
pub const SIGN_IN_REQUIRED: &str = "sign in with Microsoft Entra ID first";

/// Called after every change of [`SignInState`].
type Listener = Box<dyn Fn(&SignInState)>;

/// Where the sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInState {
    /// Nobody has signed in (or the admin signed out).
    SignedOut,
    /// Signed in; the tokens are current.
    SignedIn(Tokens),
    /// The tokens are gone and only an interactive sign-in helps; the error says why (expired,
    /// revoked, consent required, …).
    SignInRequired(OAuthError),
}

impl SignInState {
    /// The tokens, when signed in.
    pub fn tokens(&self) -> Option<&Tokens> {
        match self {
            SignInState::SignedIn(t) => Some(t),
            _ => None,
        }
    }
}

/// Wraps a transport (the one that reaches both the org and the authority, without cookies): adds
/// `Authorization: Bearer`, renews the token with the refresh token [`super::REFRESH_MARGIN_SECS`]
/// before it expires, renews once and retries once when the org answers 401, and moves to
/// [`SignInState::SignInRequired`] when renewal is refused (the 401 itself is then returned, so
/// callers report an expired session as usual).
///
/// Renewals are single-flight: concurrent requests that find the token stale wait for one refresh
/// instead of each spending the (rotating, single-use) refresh token.
pub struct BearerTransport<T, C> {
    inner: T,
    config: OAuthConfig,
    clock: C,
    state: RefCell<SignInState>,
    /// Bumped on every change of tokens, so a request that saw an older token knows someone already
    /// renewed it.
    generation: Cell<u64>,
    gate: Gate,
    on_change: Option<Listener>,
}

impl<T, C> std::fmt::Debug for BearerTransport<T, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerTransport")
            .field("config", &self.config)
            .field("state", &self.state.borrow())
            .field("generation", &self.generation.get())
            .finish_non_exhaustive()
    }
}

impl<T: Transport, C: Fn() -> Timestamp> BearerTransport<T, C> {
    /// A signed-out transport; `clock` tells the time (Unix seconds).
    pub fn new(inner: T, config: OAuthConfig, clock: C) -> Self {
        Self {
            inner,
            config,
            clock,
            state: RefCell::new(SignInState::SignedOut),
            generation: Cell::new(0),
            gate: Gate::default(),
            on_change: None,
        }
    }

    /// Calls `listener` after every change of state (to mirror it into the UI or `sessionStorage`).
    #[must_use]
    pub fn on_change(mut self, listener: impl Fn(&SignInState) + 'static) -> Self {
        self.on_change = Some(Box::new(listener));
        self
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The settings.
    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    /// The current state.
    pub fn state(&self) -> SignInState {
        self.state.borrow().clone()
    }

    /// Replaces the state (after a sign-in, a sign-out, or restoring tokens from `sessionStorage`).
    pub fn set_state(&self, state: SignInState) {
        *self.state.borrow_mut() = state;
        self.generation.set(self.generation.get().wrapping_add(1));
        if let Some(listener) = &self.on_change {
            listener(&self.state.borrow());
        }
    }

    /// Signs in with tokens from a completed sign-in.
    pub fn sign_in(&self, tokens: Tokens) {
        self.set_state(SignInState::SignedIn(tokens));
    }

    /// Forgets the tokens.
    pub fn sign_out(&self) {
        self.set_state(SignInState::SignedOut);
    }

    fn current(&self) -> Option<(String, u64, bool)> {
        let now = (self.clock)();
        self.state.borrow().tokens().map(|t| (t.authorization(), self.generation.get(), t.needs_refresh(now)))
    }

    /// Renews the tokens now with the refresh token.
    pub async fn refresh(&self) -> Result<(), OAuthError> {
        self.renew(self.generation.get()).await
    }

    /// Renews unless someone already did since `seen` (then their outcome counts).
    async fn renew(&self, seen: u64) -> Result<(), OAuthError> {
        let _turn = self.gate.acquire().await;
        if self.generation.get() != seen {
            return match &*self.state.borrow() {
                SignInState::SignedIn(_) => Ok(()),
                SignInState::SignInRequired(e) => Err(e.clone()),
                SignInState::SignedOut => Err(OAuthError::NotSignedIn),
            };
        }
        let previous = self.state.borrow().tokens().cloned();
        let Some(previous) = previous else {
            return Err(OAuthError::NotSignedIn);
        };
        let Some(refresh_token) = previous.refresh_token.as_ref().map(super::Secret::expose) else {
            let e = OAuthError::Expired(super::EntraError::new(
                "no_refresh_token",
                "The sign-in did not grant offline_access, so it cannot be renewed silently.",
                Vec::new(),
            ));
            self.set_state(SignInState::SignInRequired(e.clone()));
            return Err(e);
        };
        // A network failure says nothing about the tokens: keep them and let the caller retry.
        let response = self.inner.send(refresh_request(&self.config, refresh_token)).await?;
        match parse_refresh_response(&response, &previous, (self.clock)()) {
            Ok(tokens) => {
                self.set_state(SignInState::SignedIn(tokens));
                Ok(())
            }
            Err(e) if e.needs_sign_in() => {
                self.set_state(SignInState::SignInRequired(e.clone()));
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

fn with_authorization(mut request: Request, value: String) -> Request {
    request.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    request.headers.push(("Authorization".to_owned(), value));
    request
}

impl<T: Transport, C: Fn() -> Timestamp> Transport for BearerTransport<T, C> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        if let Some((_, generation, true)) = self.current() {
            // Silent renewal before expiry. If it fails for network reasons the old token may still
            // work; if it is refused, the state says so and the check below stops the request.
            let _ = self.renew(generation).await;
        }
        let Some((authorization, generation, _)) = self.current() else {
            return Err(TransportError::Unavailable(SIGN_IN_REQUIRED.to_owned()));
        };
        let response = self.inner.send(with_authorization(request.clone(), authorization)).await?;
        if response.status != 401 {
            return Ok(response);
        }
        // The org refused a token we thought valid (revoked sessions, clock skew): renew once, retry once.
        if self.renew(generation).await.is_err() {
            return Ok(response);
        }
        match self.current() {
            Some((authorization, _, _)) => self.inner.send(with_authorization(request, authorization)).await,
            None => Ok(response),
        }
    }
}

/// A single-threaded async lock: one renewal at a time, the others wait for it.
#[derive(Debug, Default)]
struct Gate {
    busy: Cell<bool>,
    waiters: RefCell<Vec<Waker>>,
}

impl Gate {
    fn acquire(&self) -> Acquire<'_> {
        Acquire(self)
    }
}

struct Acquire<'a>(&'a Gate);

impl<'a> Future for Acquire<'a> {
    type Output = Turn<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Turn<'a>> {
        let gate = self.0;
        if gate.busy.replace(true) {
            gate.waiters.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(Turn(gate))
        }
    }
}

struct Turn<'a>(&'a Gate);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.busy.set(false);
        for waker in self.0.waiters.take() {
            waker.wake();
        }
    }
}
