//! What comes back: the redirect, token answers, [`Tokens`], and every error Entra ID reports.

use super::Secret;
use crate::encoding::base64url_decode;
use crate::http::{Response, TransportError, query_pairs};
use crate::json::{FromJson, JsonError, Obj};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// Tokens are renewed this many seconds before they expire, so a request never leaves with a token
/// that dies on the way (and clocks a little apart do not matter).
pub const REFRESH_MARGIN_SECS: i64 = 300;

/// An authorization code from the redirect (single-use, useless without the PKCE verifier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode(pub Secret);

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
        Some(code) if !code.is_empty() => Ok(AuthCode(Secret::new(code))),
        _ => Err(OAuthError::MissingCode),
    }
}

/// Tokens from the token endpoint. `Debug` never prints them (they are [`Secret`]s).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Tokens {
    /// The bearer token for the org's Web API.
    pub access_token: Secret,
    /// The refresh token (present when `offline_access` was granted).
    pub refresh_token: Option<Secret>,
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
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
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
        format!("Bearer {}", self.access_token.expose())
    }
}

struct TokenWire {
    access_token: Secret,
    token_type: Option<String>,
    expires_in: NumberOrText,
    refresh_token: Option<Secret>,
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
    let access = claims(wire.access_token.expose()).unwrap_or_default();
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
