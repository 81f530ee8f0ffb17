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

use crate::http::{Method, Request, Response, Transport, TransportError, query_pairs};
use crate::json::{FromJson, JsonError, Obj};
use crate::model::{HostPolicy, OrgUrl, OrgUrlError, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

mod bearer;
#[cfg(test)]
mod tests;

pub use bearer::{BearerTransport, SIGN_IN_REQUIRED, SignInState};

/// The multi-tenant authority for work and school accounts.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/organizations";

/// Microsoft's well-known public client id from the Power Apps samples. Not a single-page application,
/// so a browser cannot redeem its codes (AADSTS9002326).
pub const WELL_KNOWN_PUBLIC_CLIENT: &str = "51f81489-12ee-4a9e-aaae-a2591f45987d";

/// The application id of the Dataverse API itself (the resource, never a client).
pub const DATAVERSE_APP_ID: &str = "00000007-0000-0000-c000-000000000000";

/// Tokens are renewed this many seconds before they expire, so a request never leaves with a token
/// that dies on the way (and clocks a little apart do not matter).
pub const REFRESH_MARGIN_SECS: i64 = 300;

// ---------------------------------------------------------------------------------------------------
// Configuration

/// Microsoft Entra ID's sign-in host for the public cloud (which also serves Dataverse's regional
/// `crm<N>` hosts, GCC included):
/// <https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud>.
pub const ENTRA_HOST: &str = "login.microsoftonline.com";

/// The sign-in hosts of the national clouds (same page as [`ENTRA_HOST`]), refused by name.
pub const SOVEREIGN_HOSTS: [&str; 4] = [
    "login.microsoftonline.us",
    "login.partner.microsoftonline.cn",
    "login.chinacloudapi.cn",
    "login.microsoftonline.de",
];

/// A validated authority: `https://login.microsoftonline.com/<tenant>` without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Authority(String);

impl Authority {
    /// Parses an authority under [`HostPolicy::Production`]: only Microsoft Entra ID's public cloud,
    /// `https://login.microsoftonline.com/<tenant>`. A bare tenant (`contoso.onmicrosoft.com`, a
    /// tenant id, `organizations`) is placed under that host.
    pub fn parse(input: &str) -> Result<Self, ConfigError> {
        Self::parse_with(input, HostPolicy::Production)
    }

    /// Parses an authority. The host must be [`ENTRA_HOST`] (issue 12: the code and the PKCE verifier
    /// are posted to it, so any other host could redeem them); loopback hosts (`http` too) are
    /// accepted only under [`HostPolicy::AllowLoopback`] (the simulator, tests, a local web app).
    /// Sovereign clouds are refused by name: their Dataverse orgs live on hosts outside SyncReady's
    /// host permissions.
    pub fn parse_with(input: &str, policy: HostPolicy) -> Result<Self, ConfigError> {
        let trimmed = input.trim();
        let err = |reason| ConfigError::Authority { input: input.to_owned(), reason };
        if trimmed.is_empty() {
            return Err(err("it is empty; use https://login.microsoftonline.com/<tenant id> or /organizations"));
        }
        if trimmed.contains('\\') {
            return Err(err("it contains a backslash"));
        }
        let full = if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{ENTRA_HOST}/{trimmed}") };
        let (scheme, rest) = full.split_once("://").ok_or_else(|| err("it has no scheme"))?;
        if rest.contains(['?', '#']) {
            return Err(err("it must not have a query or fragment"));
        }
        let rest = rest.trim_end_matches('/');
        let (host, tenant) = rest
            .split_once('/')
            .ok_or_else(|| err("it names no tenant; add /<tenant id>, /<domain> or /organizations after the host"))?;
        if host.is_empty()
            || host.contains('@')
            || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        {
            return Err(err("the host is malformed"));
        }
        let host = host.to_ascii_lowercase();
        let scheme = scheme.to_ascii_lowercase();
        let (hostname, port) = crate::model::split_port(&host);
        if crate::model::is_loopback_host(hostname) {
            if policy != HostPolicy::AllowLoopback {
                return Err(err("a loopback authority is allowed only in the simulator and test builds"));
            }
            if !matches!(scheme.as_str(), "http" | "https") {
                return Err(err("the scheme must be https"));
            }
        } else {
            match scheme.as_str() {
                "https" => {}
                "http" => return Err(err("only https is allowed for a remote host")),
                _ => return Err(err("the scheme must be https")),
            }
            if SOVEREIGN_HOSTS.contains(&hostname) {
                return Err(err(
                    "sovereign clouds (US Government, China) are not supported: their Dataverse orgs are outside SyncReady's host permissions",
                ));
            }
            if hostname != ENTRA_HOST || !matches!(port, None | Some("443")) {
                return Err(err("the authority must be https://login.microsoftonline.com/<tenant>"));
            }
        }
        if tenant.contains('/') {
            return Err(err("give only https://<host>/<tenant>, without /oauth2/v2.0/… after it"));
        }
        if tenant.is_empty() || !tenant.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')) {
            return Err(err("the tenant must be a tenant id, a domain name or `organizations`"));
        }
        if tenant.eq_ignore_ascii_case("consumers") {
            return Err(err("personal Microsoft accounts cannot use Dataverse; use your tenant or `organizations`"));
        }
        let host = if port == Some("443") { hostname } else { host.as_str() };
        Ok(Self(format!("{scheme}://{host}/{tenant}")))
    }

    /// The authority URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tenant segment (`organizations`, a tenant id or a domain).
    pub fn tenant(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or_default()
    }

    /// `<authority>/oauth2/v2.0/authorize`.
    pub fn authorize_endpoint(&self) -> String {
        format!("{}/oauth2/v2.0/authorize", self.0)
    }

    /// `<authority>/oauth2/v2.0/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}/oauth2/v2.0/token", self.0)
    }
}

impl std::fmt::Display for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_loopback(host: &str) -> bool {
    crate::model::is_loopback_host(crate::model::split_port(&host.to_ascii_lowercase()).0)
}

fn check_scheme(scheme: &str, host: &str) -> Result<(), &'static str> {
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err("only https is allowed for a remote host"),
        _ => Err("the scheme must be https"),
    }
}

/// Which sign-in field a [`ConfigError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConfigField {
    /// The authority.
    Authority,
    /// The client (application) id.
    ClientId,
    /// The redirect URI.
    RedirectUri,
    /// The org URL.
    Org,
}

/// Why a sign-in setting is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The authority is not `https://<host>/<tenant>`.
    #[error("`{input}` is not an authority: {reason}")]
    Authority {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The client id is not an app registration's application id.
    #[error("`{input}` is not a usable client id: {reason}")]
    ClientId {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The redirect URI is not an absolute https URL (or http on loopback).
    #[error("`{input}` is not a redirect URI: {reason}")]
    RedirectUri {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The org URL is not valid.
    #[error(transparent)]
    Org(#[from] OrgUrlError),
}

impl ConfigError {
    /// The field this error is about.
    pub fn field(&self) -> ConfigField {
        match self {
            ConfigError::Authority { .. } => ConfigField::Authority,
            ConfigError::ClientId { .. } => ConfigField::ClientId,
            ConfigError::RedirectUri { .. } => ConfigField::RedirectUri,
            ConfigError::Org(_) => ConfigField::Org,
        }
    }

    /// The reason alone, for a message next to the field.
    pub fn reason(&self) -> String {
        match self {
            ConfigError::Authority { reason, .. }
            | ConfigError::ClientId { reason, .. }
            | ConfigError::RedirectUri { reason, .. } => (*reason).to_owned(),
            ConfigError::Org(e) => e.reason.to_owned(),
        }
    }
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn parse_client_id(input: &str) -> Result<String, ConfigError> {
    let id = input.trim().to_ascii_lowercase();
    let err = |reason| ConfigError::ClientId { input: input.to_owned(), reason };
    if id.is_empty() {
        return Err(err(
            "it is empty; register a single-page application in Entra ID and paste its application (client) id",
        ));
    }
    if !is_guid(&id) {
        return Err(err("an application (client) id looks like 00000000-0000-0000-0000-000000000000"));
    }
    if id == WELL_KNOWN_PUBLIC_CLIENT {
        return Err(err(
            "Microsoft's public sample client is not a single-page application, so a browser cannot redeem its sign-ins (AADSTS9002326); register your own",
        ));
    }
    if id == DATAVERSE_APP_ID {
        return Err(err("this is the id of the Dataverse API itself; use your own app registration's id"));
    }
    Ok(id)
}

fn parse_redirect_uri(input: &str) -> Result<String, ConfigError> {
    let uri = input.trim();
    let err = |reason| ConfigError::RedirectUri { input: input.to_owned(), reason };
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| err("it must be an absolute URL"))?;
    if uri.contains('#') {
        return Err(err("it must not have a fragment"));
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') || uri.chars().any(char::is_whitespace) {
        return Err(err("the host is malformed"));
    }
    check_scheme(scheme, host).map_err(err)?;
    Ok(uri.to_owned())
}

/// Everything needed to sign in to one org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OAuthConfig {
    /// Where to sign in.
    pub authority: Authority,
    /// The admin's own single-page-application registration (lower-case GUID).
    pub client_id: String,
    /// Where Entra ID sends the browser back; registered as a SPA redirect URI.
    pub redirect_uri: String,
    /// The org whose Web API the token is for.
    pub org: OrgUrl,
    /// Space-separated scopes; see [`OAuthConfig::default_scope`].
    pub scope: String,
}

impl OAuthConfig {
    /// Validates every field and reports every problem at once (one per field), under
    /// [`HostPolicy::Production`].
    pub fn new(authority: &str, client_id: &str, redirect_uri: &str, org: &str) -> Result<Self, Vec<ConfigError>> {
        Self::new_with(authority, client_id, redirect_uri, org, HostPolicy::Production)
    }

    /// [`OAuthConfig::new`] with loopback authorities and orgs allowed or not.
    pub fn new_with(
        authority: &str,
        client_id: &str,
        redirect_uri: &str,
        org: &str,
        policy: HostPolicy,
    ) -> Result<Self, Vec<ConfigError>> {
        let authority = Authority::parse_with(authority, policy);
        let client_id = parse_client_id(client_id);
        let redirect_uri = parse_redirect_uri(redirect_uri);
        let org = OrgUrl::parse_with(org, policy).map_err(ConfigError::from);
        match (authority, client_id, redirect_uri, org) {
            (Ok(authority), Ok(client_id), Ok(redirect_uri), Ok(org)) => {
                let scope = Self::default_scope(&org);
                Ok(Self { authority, client_id, redirect_uri, org, scope })
            }
            (a, c, r, o) => Err([a.err(), c.err(), r.err(), o.err()].into_iter().flatten().collect()),
        }
    }

    /// Validates just the app registration half (authority and client id), as the options page
    /// saves it before any org is known; returns them normalised, or every problem at once.
    pub fn check_registration(authority: &str, client_id: &str) -> Result<(Authority, String), Vec<ConfigError>> {
        match (Authority::parse(authority), parse_client_id(client_id)) {
            (Ok(a), Ok(c)) => Ok((a, c)),
            (a, c) => Err([a.err(), c.err()].into_iter().flatten().collect()),
        }
    }

    /// Replaces the scopes (e.g. `<org>/.default` instead of `user_impersonation`).
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// `openid profile offline_access <org>/user_impersonation`: an ID token (for the `nonce` check and
    /// the user's name), a refresh token (silent renewal), and delegated access to the org's Web API.
    pub fn default_scope(org: &OrgUrl) -> String {
        format!("openid profile offline_access {}/user_impersonation", org.as_str())
    }
}

/// A saved [`OrgUrl`]; it is checked again, so a tampered value cannot point the token elsewhere.
fn org_url(value: &serde_json::Value) -> Result<OrgUrl, JsonError> {
    let text = String::from_json(value)?;
    OrgUrl::parse_with(&text, HostPolicy::AllowLoopback).map_err(|e| JsonError::new(e.to_string()))
}

/// Reads what the derived `Serialize` writes (a saved session or pending sign-in). The org and the
/// authority are checked again: the authority must be Entra ID's, or loopback only for a loopback org
/// (the simulator), so a tampered value cannot send the code or the refresh token elsewhere.
impl FromJson for OAuthConfig {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        let saved: String = o.req("authority")?;
        let org = o
            .get("org")
            .map_or_else(|| Err(JsonError::new("missing field `org`")), |v| org_url(v).map_err(|e| e.at_key("org")))?;
        let policy = if org.is_loopback() { HostPolicy::AllowLoopback } else { HostPolicy::Production };
        let authority =
            Authority::parse_with(&saved, policy).map_err(|e| JsonError::new(e.to_string()).at_key("authority"))?;
        Ok(Self {
            authority,
            client_id: o.req("client_id")?,
            redirect_uri: o.req("redirect_uri")?,
            org,
            scope: o.req("scope")?,
        })
    }
}

// ---------------------------------------------------------------------------------------------------
// PKCE, encoding

/// A PKCE pair (RFC 7636): the secret `code_verifier` and its S256 `code_challenge`.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce").field("verifier", &"…").field("challenge", &self.challenge).finish()
    }
}

impl Pkce {
    /// The verifier is the base64url of 32 random octets (43 characters, as RFC 7636 recommends); the
    /// challenge is `BASE64URL(SHA256(verifier))`.
    pub fn from_verifier_bytes(bytes: &[u8; 32]) -> Self {
        let verifier = base64url(bytes);
        let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
        Self { verifier, challenge }
    }

    /// Rebuilds the pair from a stored verifier; `None` unless it is 43–128 unreserved characters.
    pub fn from_verifier(verifier: &str) -> Option<Self> {
        let ok = (43..=128).contains(&verifier.len())
            && verifier.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'));
        ok.then(|| Self { verifier: verifier.to_owned(), challenge: base64url(&Sha256::digest(verifier.as_bytes())) })
    }

    /// `code_verifier`, sent only to the token endpoint.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// `code_challenge`, sent in the authorize URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

/// Base64url without padding of random octets, for `state` and `nonce` values.
pub fn random_value(bytes: &[u8]) -> String {
    base64url(bytes)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url with or without padding (also accepts `+` and `/`).
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// Percent-encodes everything but RFC 3986 unreserved characters (so `+`, `/`, `:` and spaces are
/// safe in both query strings and form bodies).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

// ---------------------------------------------------------------------------------------------------
// Requests

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
            ("code", &code.0),
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

// ---------------------------------------------------------------------------------------------------
// Responses

/// An authorization code from the redirect (single-use, useless without the PKCE verifier).
#[derive(Clone, PartialEq, Eq)]
pub struct AuthCode(pub String);

impl std::fmt::Debug for AuthCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthCode(…)")
    }
}

/// An error as Entra ID reports it: the OAuth `error`, its description and the AADSTS codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraError {
    /// OAuth error code, e.g. `invalid_grant`.
    pub error: String,
    /// `error_description`, usually starting with `AADSTS<n>:`.
    pub description: String,
    /// `error_codes` from a token response, or the code read from the description.
    pub codes: Vec<u32>,
}

impl EntraError {
    /// Builds the error, reading the AADSTS code from the description when `codes` is empty.
    pub fn new(error: &str, description: &str, mut codes: Vec<u32>) -> Self {
        if codes.is_empty()
            && let Some(rest) = description.trim_start().strip_prefix("AADSTS")
            && let Ok(n) = rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse()
        {
            codes.push(n);
        }
        Self { error: error.to_owned(), description: description.to_owned(), codes }
    }

    fn has(&self, codes: &[u32]) -> bool {
        self.codes.iter().any(|c| codes.contains(c))
    }
}

impl std::fmt::Display for EntraError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.description.is_empty() {
            f.write_str(&self.error)
        } else {
            write!(f, "{}: {}", self.error, self.description)
        }
    }
}

/// Everything that can go wrong signing in or renewing a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The redirect's `state` is not the one this sign-in sent: it belongs to another sign-in, or was
    /// forged. Nothing from it is used.
    #[error("the sign-in response does not belong to this sign-in (state mismatch)")]
    StateMismatch,
    /// The ID token's `nonce` is not the one this sign-in sent, or the answer has no ID token or
    /// no nonce in it.
    #[error("the ID token is missing or does not belong to this sign-in (nonce mismatch)")]
    NonceMismatch,
    /// The redirect carried neither `code` nor `error`.
    #[error("the sign-in response carries neither a code nor an error")]
    MissingCode,
    /// An administrator (or the user) must first consent to the app's Dataverse permission
    /// (`consent_required`, AADSTS65001).
    #[error("consent is required: {0}")]
    ConsentRequired(EntraError),
    /// Entra ID wants the user at the sign-in page (`interaction_required`, `login_required`, MFA).
    #[error("interactive sign-in is required: {0}")]
    InteractionRequired(EntraError),
    /// The account is not in the authority's tenant (AADSTS50020, AADSTS90072).
    #[error("the account belongs to another tenant: {0}")]
    WrongTenant(EntraError),
    /// The client id is not registered in that tenant (AADSTS700016).
    #[error("the app registration was not found: {0}")]
    AppNotFound(EntraError),
    /// The app registration is not a single-page application (AADSTS9002326/9002327).
    #[error("the app registration is not a single-page application: {0}")]
    NotSinglePageApp(EntraError),
    /// The redirect URI is not registered for the app (AADSTS50011, AADSTS50148).
    #[error("the redirect URI is not registered: {0}")]
    RedirectUriMismatch(EntraError),
    /// The code verifier does not match the challenge (AADSTS501481).
    #[error("the PKCE code verifier was refused: {0}")]
    PkceMismatch(EntraError),
    /// The scope's resource (the org) is not known in the tenant (AADSTS500011).
    #[error("the org is not known in this tenant: {0}")]
    ResourceNotFound(EntraError),
    /// The code or the refresh token has expired (AADSTS70008, AADSTS700082, AADSTS700084).
    #[error("the sign-in has expired: {0}")]
    Expired(EntraError),
    /// The refresh token was refused: revoked, already used, or the password changed.
    #[error("the sign-in was revoked: {0}")]
    Revoked(EntraError),
    /// The user cancelled or declined (`access_denied`).
    #[error("the sign-in was cancelled or declined: {0}")]
    Denied(EntraError),
    /// Any other OAuth error.
    #[error("the sign-in failed: {0}")]
    Entra(EntraError),
    /// A non-success answer that is not an OAuth error body.
    #[error("the token endpoint answered HTTP {status}")]
    Http {
        /// Status code.
        status: u16,
        /// The first part of the body.
        body_excerpt: String,
    },
    /// A success answer that is not a token response.
    #[error("unexpected token response: {reason}")]
    Decode {
        /// What was wrong.
        reason: String,
        /// The first part of the body (never a token: only failed decodes land here).
        body_excerpt: String,
    },
    /// The token endpoint could not be reached.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// No sign-in has happened yet, or it was signed out.
    #[error("not signed in")]
    NotSignedIn,
}

impl OAuthError {
    /// Maps an Entra error to the variant that names it. AADSTS codes win over the OAuth code, because
    /// `invalid_grant` alone covers expiry, consent, tenant and PKCE failures.
    pub fn from_entra(e: EntraError) -> Self {
        if e.has(&[65_001, 65_005]) {
            return Self::ConsentRequired(e);
        }
        if e.has(&[50_020, 90_072, 50_177, 500_212]) {
            return Self::WrongTenant(e);
        }
        if e.has(&[700_016]) {
            return Self::AppNotFound(e);
        }
        if e.has(&[9_002_326, 9_002_327]) {
            return Self::NotSinglePageApp(e);
        }
        if e.has(&[50_011, 50_148]) {
            return Self::RedirectUriMismatch(e);
        }
        if e.has(&[501_481]) {
            return Self::PkceMismatch(e);
        }
        if e.has(&[500_011]) {
            return Self::ResourceNotFound(e);
        }
        if e.has(&[70_008, 700_082, 700_084, 50_132]) {
            return Self::Expired(e);
        }
        if e.has(&[50_076, 50_079, 50_058, 50_126]) {
            return Self::InteractionRequired(e);
        }
        if e.has(&[65_004]) {
            return Self::Denied(e);
        }
        match e.error.as_str() {
            "consent_required" => Self::ConsentRequired(e),
            "interaction_required" | "login_required" | "account_selection_required" => Self::InteractionRequired(e),
            "access_denied" => Self::Denied(e),
            _ => Self::Entra(e),
        }
    }

    /// True when only a new interactive sign-in can help (as opposed to a network retry).
    pub fn needs_sign_in(&self) -> bool {
        !matches!(self, Self::Transport(_) | Self::Http { status: 500..=599, .. })
    }
}

/// Checks the redirect that ended the sign-in (the fragment of `url`: SyncReady asks for
/// `response_mode=fragment`) and returns the code. Parameters in the query are ignored.
///
/// `state` is checked first: a response with another state is refused whatever else it says, so a
/// forged or stale redirect can neither sign in nor show an error.
pub fn parse_redirect(url: &str, expected_state: &str) -> Result<AuthCode, OAuthError> {
    let fragment = url.split_once('#').map_or("", |(_, f)| f);
    let pairs = query_pairs(fragment);
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if expected_state.is_empty() || get("state") != Some(expected_state) {
        return Err(OAuthError::StateMismatch);
    }
    if let Some(error) = get("error") {
        return Err(OAuthError::from_entra(EntraError::new(error, get("error_description").unwrap_or(""), Vec::new())));
    }
    match get("code") {
        Some(code) if !code.is_empty() => Ok(AuthCode(code.to_owned())),
        _ => Err(OAuthError::MissingCode),
    }
}

/// Tokens from the token endpoint. `Debug` never prints them.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Tokens {
    /// The bearer token for the org's Web API.
    pub access_token: String,
    /// The refresh token (present when `offline_access` was granted).
    pub refresh_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Timestamp,
    /// The scopes granted.
    pub scope: String,
    /// Who signed in (`preferred_username`, `upn` or `name`), for display only.
    pub user: Option<String>,
    /// The `nonce` claim of the ID token, when one came back.
    pub nonce: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"…")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("user", &self.user)
            .finish()
    }
}

/// Reads what the derived `Serialize` writes (a saved session).
impl FromJson for Tokens {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            access_token: o.req("access_token")?,
            refresh_token: o.opt("refresh_token")?,
            expires_at: Timestamp(o.req("expires_at")?),
            scope: o.req("scope")?,
            user: o.opt("user")?,
            nonce: o.opt("nonce")?,
        })
    }
}

impl Tokens {
    /// True from [`REFRESH_MARGIN_SECS`] before expiry on.
    pub fn needs_refresh(&self, now: Timestamp) -> bool {
        now.0 >= self.expires_at.0.saturating_sub(REFRESH_MARGIN_SECS)
    }

    /// True once the access token has expired.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.access_token)
    }
}

struct TokenWire {
    access_token: String,
    token_type: Option<String>,
    expires_in: NumberOrText,
    refresh_token: Option<String>,
    id_token: Option<String>,
    scope: Option<String>,
}

/// `expires_in` is a number in v2.0 answers and a string in some v1.0 ones.
enum NumberOrText {
    Number(i64),
    Text(String),
}

impl FromJson for TokenWire {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        let expires_in = match o.get("expires_in") {
            None => return Err(JsonError::new("missing field `expires_in`")),
            Some(serde_json::Value::String(text)) => NumberOrText::Text(text.clone()),
            Some(other) => NumberOrText::Number(
                other
                    .as_i64()
                    .ok_or_else(|| JsonError::expected("a whole number of seconds", other).at_key("expires_in"))?,
            ),
        };
        Ok(Self {
            access_token: o.req("access_token")?,
            token_type: o.opt("token_type")?,
            expires_in,
            refresh_token: o.opt("refresh_token")?,
            id_token: o.opt("id_token")?,
            scope: o.opt("scope")?,
        })
    }
}

struct ErrorWire {
    error: String,
    error_description: String,
    error_codes: Vec<u32>,
}

impl FromJson for ErrorWire {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            error: o.req("error")?,
            error_description: o.or_default("error_description")?,
            error_codes: o.or_default("error_codes")?,
        })
    }
}

#[derive(Default)]
struct Claims {
    preferred_username: Option<String>,
    upn: Option<String>,
    unique_name: Option<String>,
    name: Option<String>,
    nonce: Option<String>,
}

impl FromJson for Claims {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            preferred_username: o.opt("preferred_username")?,
            upn: o.opt("upn")?,
            unique_name: o.opt("unique_name")?,
            name: o.opt("name")?,
            nonce: o.opt("nonce")?,
        })
    }
}

/// The claims of a JWT's payload, unverified: used only to show who signed in and to compare the
/// nonce (the token came straight from the token endpoint over TLS, which is what OIDC requires for
/// the code flow).
fn claims(jwt: &str) -> Option<Claims> {
    let payload = jwt.split('.').nth(1)?;
    let text = String::from_utf8(base64url_decode(payload)?).ok()?;
    crate::json::decode(&text).ok()
}

fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}

fn entra_failure(response: &Response) -> OAuthError {
    match crate::json::decode::<ErrorWire>(&response.body) {
        Ok(w) => OAuthError::from_entra(EntraError::new(&w.error, &w.error_description, w.error_codes)),
        Err(_) => OAuthError::Http { status: response.status, body_excerpt: excerpt(&response.body) },
    }
}

/// Turns a token endpoint answer into [`Tokens`] (`expires_at` = `now` + `expires_in`).
pub fn parse_token_response(response: &Response, now: Timestamp) -> Result<Tokens, OAuthError> {
    if !(200..300).contains(&response.status) {
        return Err(entra_failure(response));
    }
    let decode_error = |reason: String| OAuthError::Decode { reason, body_excerpt: String::new() };
    let wire: TokenWire = crate::json::decode(&response.body).map_err(|e| decode_error(e.to_string()))?;
    if let Some(kind) = &wire.token_type
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(decode_error(format!("token_type is `{kind}`, not Bearer")));
    }
    let expires_in = match wire.expires_in {
        NumberOrText::Number(n) => n,
        NumberOrText::Text(t) => t.trim().parse().map_err(|_| decode_error(format!("expires_in is `{t}`")))?,
    };
    if wire.access_token.is_empty() || expires_in <= 0 {
        return Err(decode_error("the access token is empty or already expired".to_owned()));
    }
    let id = wire.id_token.as_deref().and_then(claims).unwrap_or_default();
    let access = claims(&wire.access_token).unwrap_or_default();
    let user = [id.preferred_username, id.upn, access.upn, access.unique_name, access.preferred_username, id.name]
        .into_iter()
        .flatten()
        .find(|u| !u.is_empty());
    Ok(Tokens {
        access_token: wire.access_token,
        refresh_token: wire.refresh_token.filter(|r| !r.is_empty()),
        expires_at: Timestamp(now.0.saturating_add(expires_in)),
        scope: wire.scope.unwrap_or_default(),
        user,
        nonce: id.nonce,
    })
}

/// Turns a refresh answer into [`Tokens`]. A plain `invalid_grant` here means the refresh token is
/// dead ([`OAuthError::Revoked`]); the previous refresh token and user are kept when the answer omits
/// them.
pub fn parse_refresh_response(response: &Response, previous: &Tokens, now: Timestamp) -> Result<Tokens, OAuthError> {
    match parse_token_response(response, now) {
        Ok(mut tokens) => {
            if tokens.refresh_token.is_none() {
                tokens.refresh_token.clone_from(&previous.refresh_token);
            }
            if tokens.user.is_none() {
                tokens.user.clone_from(&previous.user);
            }
            Ok(tokens)
        }
        Err(OAuthError::Entra(e)) if e.error == "invalid_grant" || e.error == "bad_token" => {
            Err(OAuthError::Revoked(e))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------------
// One sign-in across the redirect

/// What survives the redirect to the sign-in page: the settings, the PKCE verifier, `state` and
/// `nonce`. The shell keeps it in `sessionStorage` only and removes it when the browser comes back.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct PendingSignIn {
    /// The settings signed in with.
    pub config: OAuthConfig,
    /// `code_verifier`.
    pub verifier: String,
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
            verifier: Pkce::from_verifier_bytes(verifier_bytes).verifier,
            state: random_value(state_bytes),
            nonce: random_value(nonce_bytes),
            return_to: return_to.into(),
        }
    }

    fn pkce(&self) -> Result<Pkce, OAuthError> {
        Pkce::from_verifier(&self.verifier).ok_or_else(|| OAuthError::Decode {
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
