//! The sign-in settings: the authority, the admin's app registration, the redirect URI and the org,
//! each validated, and why a setting is refused.

use crate::i18n::Lang;
use crate::json::{FromJson, JsonError, Obj};
use crate::model::check_text;
use crate::model::{HostPolicy, OrgUrl, OrgUrlError};
use serde::{Deserialize, Serialize};

/// The multi-tenant authority for work and school accounts.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/organizations";

/// Microsoft's well-known public client id from the Power Apps samples. Not a single-page application,
/// so a browser cannot redeem its codes (AADSTS9002326).
pub const WELL_KNOWN_PUBLIC_CLIENT: &str = "51f81489-12ee-4a9e-aaae-a2591f45987d";

/// The application id of the Dataverse API itself (the resource, never a client).
pub const DATAVERSE_APP_ID: &str = "00000007-0000-0000-c000-000000000000";

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
            return Err(err("check.authority-empty"));
        }
        if trimmed.contains('\\') {
            return Err(err("check.backslash"));
        }
        let full = if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{ENTRA_HOST}/{trimmed}") };
        let (scheme, rest) = full.split_once("://").ok_or_else(|| err("check.no-scheme"))?;
        if rest.contains(['?', '#']) {
            return Err(err("check.no-query"));
        }
        let rest = rest.trim_end_matches('/');
        let (host, tenant) = rest.split_once('/').ok_or_else(|| err("check.no-tenant"))?;
        if host.is_empty()
            || host.contains('@')
            || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        {
            return Err(err("check.host-malformed"));
        }
        let host = host.to_ascii_lowercase();
        let scheme = scheme.to_ascii_lowercase();
        let (hostname, port) = crate::model::split_port(&host);
        if crate::model::is_loopback_host(hostname) {
            if policy != HostPolicy::AllowLoopback {
                return Err(err("check.loopback-authority"));
            }
            if !matches!(scheme.as_str(), "http" | "https") {
                return Err(err("check.https-only"));
            }
        } else {
            match scheme.as_str() {
                "https" => {}
                "http" => return Err(err("check.https-remote-host")),
                _ => return Err(err("check.https-only")),
            }
            if SOVEREIGN_HOSTS.contains(&hostname) {
                return Err(err("check.sovereign-cloud"));
            }
            if hostname != ENTRA_HOST || !matches!(port, None | Some("443")) {
                return Err(err("check.authority-host"));
            }
        }
        if tenant.contains('/') {
            return Err(err("check.authority-path"));
        }
        if tenant.is_empty() || !tenant.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')) {
            return Err(err("check.tenant-form"));
        }
        if tenant.eq_ignore_ascii_case("consumers") {
            return Err(err("check.consumers"));
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
        "http" => Err("check.https-remote-host"),
        _ => Err("check.https-only"),
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
    #[error("{}", check_text(Lang::english(), "check.authority", .input, .reason))]
    Authority {
        /// What was given.
        input: String,
        /// What is wrong with it: a message key (`check.…`).
        reason: &'static str,
    },
    /// The client id is not an app registration's application id.
    #[error("{}", check_text(Lang::english(), "check.client-id", .input, .reason))]
    ClientId {
        /// What was given.
        input: String,
        /// What is wrong with it: a message key (`check.…`).
        reason: &'static str,
    },
    /// The redirect URI is not an absolute https URL (or http on loopback).
    #[error("{}", check_text(Lang::english(), "check.redirect-uri", .input, .reason))]
    RedirectUri {
        /// What was given.
        input: String,
        /// What is wrong with it: a message key (`check.…`).
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

    /// The reason alone, in English.
    pub fn reason(&self) -> String {
        self.reason_in(Lang::english()).to_owned()
    }

    /// The reason alone in `lang`, for a message next to the field.
    pub fn reason_in(&self, lang: Lang) -> &'static str {
        match self {
            ConfigError::Authority { reason, .. }
            | ConfigError::ClientId { reason, .. }
            | ConfigError::RedirectUri { reason, .. } => lang.t(reason),
            ConfigError::Org(e) => e.reason_in(lang),
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
        return Err(err("check.client-id-empty"));
    }
    if !is_guid(&id) {
        return Err(err("check.client-id-form"));
    }
    if id == WELL_KNOWN_PUBLIC_CLIENT {
        return Err(err("check.sample-client"));
    }
    if id == DATAVERSE_APP_ID {
        return Err(err("check.dataverse-client"));
    }
    Ok(id)
}

fn parse_redirect_uri(input: &str) -> Result<String, ConfigError> {
    let uri = input.trim();
    let err = |reason| ConfigError::RedirectUri { input: input.to_owned(), reason };
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| err("check.absolute-url"))?;
    if uri.contains('#') {
        return Err(err("check.no-fragment"));
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') || uri.chars().any(char::is_whitespace) {
        return Err(err("check.host-malformed"));
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
