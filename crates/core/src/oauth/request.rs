//! The requests of a sign-in: the authorize URL the browser opens, and the form POSTs to the token
//! endpoint (code redemption, silent renewal).

use super::{AuthCode, OAuthConfig, Pkce};
use crate::encoding::percent_encode;
use crate::http::{Method, Request};

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&")
}

/// The URL to send the browser to: `<authority>/oauth2/v2.0/authorize?…` with `response_type=code`,
/// `response_mode=fragment` (the code comes back after `#`, so it never reaches a server log or a
/// `Referer`), the S256 challenge, `state` and `nonce`, every value percent-encoded.
pub fn authorize_url(config: &OAuthConfig, pkce: &Pkce, state: &str, nonce: &str) -> String {
    let query = form(&[
        ("client_id", &config.client_id),
        ("response_type", "code"),
        ("redirect_uri", &config.redirect_uri),
        ("response_mode", "fragment"),
        ("scope", &config.scope),
        ("state", state),
        ("nonce", nonce),
        ("code_challenge", pkce.challenge()),
        ("code_challenge_method", "S256"),
    ]);
    format!("{}?{query}", config.authority.authorize_endpoint())
}

fn token_post(config: &OAuthConfig, body: String) -> Request {
    Request {
        method: Method::Post,
        path: config.authority.token_endpoint(),
        headers: vec![
            ("Accept".to_owned(), "application/json".to_owned()),
            ("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned()),
        ],
        body: Some(body),
    }
}

/// The code redemption: a form POST to the token endpoint (absolute URL in `path`) with the
/// `code_verifier`.
pub fn token_request(config: &OAuthConfig, code: &AuthCode, pkce: &Pkce) -> Request {
    token_post(
        config,
        form(&[
            ("client_id", &config.client_id),
            ("grant_type", "authorization_code"),
            ("code", code.0.expose()),
            ("redirect_uri", &config.redirect_uri),
            ("code_verifier", pkce.verifier()),
            ("scope", &config.scope),
        ]),
    )
}

/// Silent renewal: a form POST to the token endpoint with the refresh token.
pub fn refresh_request(config: &OAuthConfig, refresh_token: &str) -> Request {
    token_post(
        config,
        form(&[
            ("client_id", &config.client_id),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", &config.scope),
        ]),
    )
}
