//! Signing in with Microsoft Entra ID: the OAuth 2.0 authorization code flow with PKCE (S256), as
//! values.
//!
//! SyncReady normally borrows the admin's Dynamics 365 browser session. Where that is impossible
//! (locked-down browsers, the plain web-app build, automation) it signs in itself and sends
//! `Authorization: Bearer <token>`. This module is the whole protocol, without I/O: the shell draws
//! the random bytes (`crypto.getRandomValues`), reads the clock, opens the sign-in page and sends the
//! [`Request`] values this module builds; this module builds URLs and form bodies and checks what
//! comes back.
//!
//! # The flow
//!
//! 1. [`OAuthConfig::new`] validates the authority (`https://login.microsoftonline.com/<tenant>` or
//!    `/organizations`), the admin's own SPA app registration's client id and the redirect URI.
//! 2. [`PendingSignIn::new`] takes 32 random bytes for the PKCE verifier ([`Pkce`]) and 16 each for
//!    `state` and `nonce`; the shell keeps it in `sessionStorage` (never in persistent storage) across
//!    the redirect, and sends the browser to [`PendingSignIn::authorize_url`].
//! 3. Back on the redirect URI, [`PendingSignIn::token_request`] checks `state` ([`parse_redirect`])
//!    and builds the form POST to `/oauth2/v2.0/token` with the `code_verifier`;
//!    [`PendingSignIn::finish`] turns the answer into [`Tokens`] (checking the ID token's `nonce`).
//! 4. [`BearerTransport`] wraps any [`Transport`]: it adds the bearer token, renews it with the refresh
//!    token shortly before it expires, renews once more on a 401, and falls back to
//!    [`SignInState::SignInRequired`] when renewal is refused.
//!
//! Microsoft's well-known public client (`51f81489-…`) is refused by [`OAuthConfig::new`]: it is not
//! registered as a single-page application, so Entra ID refuses to redeem its codes from a browser
//! (AADSTS9002326). `docs/oauth.md` explains how an admin registers their own.

//! # Layout
//!
//! - `config`: the validated settings ([`OAuthConfig`], [`Authority`]) and why a setting is refused.
//! - `secret`: [`Secret`], the one redacting wrapper for tokens, the PKCE verifier and the code.
//! - `pkce`: the verifier and its S256 challenge, and the random `state`/`nonce` values.
//! - `request`: the authorize URL and the token endpoint's form POSTs.
//! - `response`: the redirect, token answers, [`Tokens`] and every error Entra ID reports.
//! - `pending`: [`PendingSignIn`], one sign-in across the redirect.
//! - `bearer`: [`BearerTransport`], the transport that adds the token and renews it.
//!
//! Base64url and percent-encoding live in [`crate::encoding`].

mod bearer;
mod config;
mod pending;
mod pkce;
mod request;
mod response;
mod secret;
#[cfg(test)]
mod tests;

pub use bearer::{BearerTransport, SIGN_IN_REQUIRED, SignInState};
pub use config::{
    Authority, ConfigError, ConfigField, DATAVERSE_APP_ID, DEFAULT_AUTHORITY, ENTRA_HOST, OAuthConfig, SOVEREIGN_HOSTS,
    WELL_KNOWN_PUBLIC_CLIENT,
};
pub use pending::PendingSignIn;
pub use pkce::{Pkce, random_value};
pub use request::{authorize_url, refresh_request, token_request};
pub use response::{
    AuthCode, EntraError, OAuthError, REFRESH_MARGIN_SECS, Tokens, parse_redirect, parse_refresh_response,
    parse_token_response,
};
pub use secret::Secret;
