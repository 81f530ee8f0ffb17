//! [`PendingSignIn`]: one sign-in across the redirect to the sign-in page and back.

use super::{
    OAuthConfig, OAuthError, Pkce, Secret, Tokens, authorize_url, parse_redirect, parse_token_response, random_value,
    token_request,
};
use crate::http::{Request, Response, Transport};
use crate::json::{FromJson, JsonError, Obj};
use crate::model::Timestamp;
use serde::Serialize;

/// What survives the redirect to the sign-in page: the settings, the PKCE verifier, `state` and
/// `nonce`. The shell keeps it in `sessionStorage` only and removes it when the browser comes back.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PendingSignIn {
    /// The settings signed in with.
    pub config: OAuthConfig,
    /// `code_verifier`.
    pub verifier: Secret,
    /// `state` sent.
    pub state: String,
    /// `nonce` sent.
    pub nonce: String,
    /// Where the app was before the redirect (restored after sign-in).
    pub return_to: String,
}

/// Reads what the derived `Serialize` writes (the pending sign-in kept across the redirect).
impl FromJson for PendingSignIn {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            config: o.req("config")?,
            verifier: o.req("verifier")?,
            state: o.req("state")?,
            nonce: o.req("nonce")?,
            return_to: o.req("return_to")?,
        })
    }
}

impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn").field("config", &self.config).field("return_to", &self.return_to).finish()
    }
}

impl PendingSignIn {
    /// Starts a sign-in from random bytes the shell drew.
    pub fn new(
        config: OAuthConfig,
        verifier_bytes: &[u8; 32],
        state_bytes: &[u8; 16],
        nonce_bytes: &[u8; 16],
        return_to: impl Into<String>,
    ) -> Self {
        Self {
            config,
            verifier: Secret::new(Pkce::from_verifier_bytes(verifier_bytes).verifier()),
            state: random_value(state_bytes),
            nonce: random_value(nonce_bytes),
            return_to: return_to.into(),
        }
    }

    fn pkce(&self) -> Result<Pkce, OAuthError> {
        Pkce::from_verifier(self.verifier.expose()).ok_or_else(|| OAuthError::Decode {
            reason: "the stored PKCE verifier is malformed".to_owned(),
            body_excerpt: String::new(),
        })
    }

    /// The authorize URL for this sign-in.
    pub fn authorize_url(&self) -> Result<String, OAuthError> {
        Ok(authorize_url(&self.config, &self.pkce()?, &self.state, &self.nonce))
    }

    /// Checks the redirect and builds the code redemption request.
    pub fn token_request(&self, redirect_url: &str) -> Result<Request, OAuthError> {
        let code = parse_redirect(redirect_url, &self.state)?;
        Ok(token_request(&self.config, &code, &self.pkce()?))
    }

    /// Reads the token answer and checks the ID token's nonce. `openid` is always requested, so an
    /// answer without an ID token, or an ID token without a nonce, is refused like a wrong nonce
    /// (issue 12, item 7).
    pub fn finish(&self, response: &Response, now: Timestamp) -> Result<Tokens, OAuthError> {
        let tokens = parse_token_response(response, now)?;
        match &tokens.nonce {
            Some(nonce) if *nonce == self.nonce => Ok(tokens),
            _ => Err(OAuthError::NonceMismatch),
        }
    }

    /// Sends the code redemption through `transport` and finishes: the whole return leg in one call.
    pub async fn complete(
        &self,
        transport: &impl Transport,
        redirect_url: &str,
        now: Timestamp,
    ) -> Result<Tokens, OAuthError> {
        let request = self.token_request(redirect_url)?;
        let response = transport.send(request).await?;
        self.finish(&response, now)
    }
}
