//! The Global Discovery Service: which environments the signed-in user can reach.
//!
//! Facts (Microsoft Learn, "Discover user organizations",
//! <https://learn.microsoft.com/power-apps/developer/data-platform/discovery-service>): the commercial
//! cloud's service is `https://globaldisco.crm.dynamics.com`, an OData v4.0 endpoint separate from the
//! Web API; `GET /api/discovery/v2.0/Instances` lists the instances the caller can access (an empty
//! list when none; not the ones where the account is disabled, filtered out by a security group, or
//! reached as a delegated administrator); the caller sends an Entra ID token in the `Authorization`
//! header, and the service supports CORS. The token's resource is the discovery service itself (the
//! page's Postman set-up asks for `resource=https://globaldisco.crm.dynamics.com`), so the org's own
//! token (audience `https://<org>.crm.dynamics.com`) is not accepted: a second token is redeemed from
//! the same sign-in's refresh token for [`DISCOVERY_SCOPE`] ([`discovery_token_request`]).
//!
//! The other clouds' services (GCC `globaldisco.crm9.dynamics.com`, USG, DOD, China) are not asked:
//! sovereign sign-in is refused by [`crate::oauth::Authority`], and GCC orgs share the commercial
//! sign-in but are listed by their own service, which the extension does not call (documented limit).

use super::{EnvKind, Environment, Refusal};
use crate::http::{Method, Request, Response};
use crate::json::{FromJson, JsonError, Obj};
use crate::model::{HostPolicy, OrgUrl, is_guid};
use crate::oauth::{OAuthConfig, Tokens, refresh_request};
use serde_json::Value;

/// The commercial cloud's Global Discovery Service.
pub const DISCOVERY_ORIGIN: &str = "https://globaldisco.crm.dynamics.com";

/// The `Instances` entity set of its v2.0 endpoint.
pub const INSTANCES_PATH: &str = "/api/discovery/v2.0/Instances";

/// The delegated scope of the discovery token: the service's own resource with the Dataverse
/// `user_impersonation` permission (the resource is documented; the scope's form is Entra ID's
/// `<resource>/<permission>`, the same form as the org's `<org>/user_impersonation`).
pub const DISCOVERY_SCOPE: &str = "https://globaldisco.crm.dynamics.com/user_impersonation";

/// The columns read (names from the `Instance` entity table of the page above).
pub const INSTANCE_COLUMNS: &[&str] = &[
    "Id",
    "UniqueName",
    "UrlName",
    "FriendlyName",
    "Url",
    "ApiUrl",
    "State",
    "Version",
    "Region",
    "OrganizationType",
    "TenantId",
    "EnvironmentId",
    "IsUserSysAdmin",
];

/// `GET https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances?$select=…` with the
/// discovery token. `origin` is [`DISCOVERY_ORIGIN`] in production (a loopback origin for the
/// simulator); the path is absolute, so the shell sends it there, not to an org.
pub fn instances_request(origin: &str, token: &Tokens) -> Request {
    Request {
        method: Method::Get,
        path: format!("{}{INSTANCES_PATH}?$select={}", origin.trim_end_matches('/'), INSTANCE_COLUMNS.join(",")),
        headers: vec![
            ("Accept".to_owned(), "application/json".to_owned()),
            ("OData-MaxVersion".to_owned(), "4.0".to_owned()),
            ("OData-Version".to_owned(), "4.0".to_owned()),
            ("Authorization".to_owned(), token.authorization()),
        ],
        body: None,
    }
}

/// The second token request of the own sign-in: the refresh token redeemed for the discovery
/// service's audience ([`DISCOVERY_SCOPE`]). The answer is read with
/// [`crate::oauth::parse_refresh_response`]; the org's own tokens are not touched.
pub fn discovery_token_request(config: &OAuthConfig, refresh_token: &str) -> Request {
    refresh_request(&config.clone().with_scope(format!("{DISCOVERY_SCOPE} offline_access")), refresh_token)
}

/// A token for another environment found by discovery: the same refresh token redeemed for
/// `<org>/user_impersonation` (each org is its own audience).
pub fn org_token_request(config: &OAuthConfig, org: &OrgUrl, refresh_token: &str) -> Request {
    refresh_request(
        &config.clone().with_scope(format!("{}/user_impersonation offline_access", org.as_str())),
        refresh_token,
    )
}

/// One row of `Instances`, as the service sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// `Id`: the organization id.
    pub id: String,
    /// `UniqueName`.
    pub unique_name: Option<String>,
    /// `UrlName`.
    pub url_name: Option<String>,
    /// `FriendlyName`.
    pub friendly_name: Option<String>,
    /// `Url`: the application URL.
    pub url: Option<String>,
    /// `ApiUrl`: the web services location.
    pub api_url: Option<String>,
    /// `State`: 0 enabled, 1 disabled.
    pub state: Option<i64>,
    /// `Version`.
    pub version: Option<String>,
    /// `Region`: a 2-3 letter code.
    pub region: Option<String>,
    /// `OrganizationType` (the `OrganizationType` enum).
    pub organization_type: Option<i64>,
    /// `TenantId`.
    pub tenant_id: Option<String>,
    /// `EnvironmentId`.
    pub environment_id: Option<String>,
    /// `IsUserSysAdmin`.
    pub is_user_sys_admin: Option<bool>,
}

impl FromJson for Instance {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            id: o.req("Id")?,
            unique_name: o.opt("UniqueName")?,
            url_name: o.opt("UrlName")?,
            friendly_name: o.opt("FriendlyName")?,
            url: o.opt("Url")?,
            api_url: o.opt("ApiUrl")?,
            state: o.opt("State")?,
            version: o.opt("Version")?,
            region: o.opt("Region")?,
            organization_type: o.opt("OrganizationType")?,
            tenant_id: o.opt("TenantId")?,
            environment_id: o.opt("EnvironmentId")?,
            is_user_sys_admin: o.opt("IsUserSysAdmin")?,
        })
    }
}

/// Why discovery gave no list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// 401: the token is missing, expired, or for another audience (an org's token instead of the
    /// discovery service's). Sign in again, or redeem the discovery token.
    #[error(
        "the Global Discovery Service refused the token (HTTP 401{}); it needs a token for {DISCOVERY_ORIGIN}, not an org's token",
        www_authenticate.as_ref().map(|w| format!(": {w}")).unwrap_or_default()
    )]
    Unauthorized {
        /// The `WWW-Authenticate` header, when sent.
        www_authenticate: Option<String>,
        /// The body, for the log.
        body: String,
    },
    /// Another non-success status.
    #[error("the Global Discovery Service answered HTTP {status}")]
    Http {
        /// Status.
        status: u16,
        /// The body, for the log.
        body: String,
    },
    /// The answer was not an `Instances` collection.
    #[error("the Global Discovery Service's answer could not be read at `{path}`: {reason}")]
    Decode {
        /// JSON path.
        path: String,
        /// Why.
        reason: String,
    },
}

impl DiscoveryError {
    /// Why discovery gave no list, in `lang` (`tenant.discovery.*`); `Display` stays English.
    pub fn text_in(&self, lang: crate::i18n::Lang) -> String {
        use crate::tr;
        match self {
            DiscoveryError::Unauthorized { www_authenticate, .. } => tr!(
                lang,
                "tenant.discovery.unauthorized",
                header = www_authenticate.as_ref().map(|w| format!(": {w}")).unwrap_or_default(),
                origin = DISCOVERY_ORIGIN
            ),
            DiscoveryError::Http { status, .. } => tr!(lang, "tenant.discovery.http", status = status),
            DiscoveryError::Decode { path, reason } => {
                tr!(lang, "tenant.discovery.decode", path = path, reason = reason)
            }
        }
    }
}

/// Reads the `Instances` answer.
pub fn parse_instances(response: &Response) -> Result<Vec<Instance>, DiscoveryError> {
    match response.status {
        401 => {
            return Err(DiscoveryError::Unauthorized {
                www_authenticate: response.header("WWW-Authenticate").map(str::to_owned),
                body: response.body.clone(),
            });
        }
        200..=299 => {}
        status => return Err(DiscoveryError::Http { status, body: response.body.clone() }),
    }
    let decode = |e: JsonError| DiscoveryError::Decode { path: e.path(), reason: e.reason().to_owned() };
    let value = crate::json::parse(&response.body).map_err(decode)?;
    Obj::of(&value).and_then(|o| o.req::<Vec<Instance>>("value")).map_err(decode)
}

/// The environment type from `OrganizationType` (the `OrganizationType` enum reference:
/// <https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/organizationtype>):
/// 0 "Primary organization" and 4 "Production instances" are production, 5 and 6 sandboxes, 12
/// default, 13 developer, 9/11/14 trials, 15 Teams, 7 preview.
pub fn kind_of(organization_type: Option<i64>) -> EnvKind {
    match organization_type {
        Some(0 | 4) => EnvKind::Production,
        Some(5 | 6) => EnvKind::Sandbox,
        Some(12) => EnvKind::Default,
        Some(13) => EnvKind::Developer,
        Some(9 | 11 | 14) => EnvKind::Trial,
        Some(15) => EnvKind::Teams,
        Some(7) => EnvKind::Preview,
        Some(n) => EnvKind::Other(n),
        None => EnvKind::Other(-1),
    }
}

/// The org URL of an instance: `Url` (the application URL, which also serves the Web API), else
/// `ApiUrl` with its `.api` label removed. Only Dataverse org hosts are accepted (threat model 6);
/// `policy` admits loopback for the simulator.
fn org_url(instance: &Instance, policy: HostPolicy) -> Result<OrgUrl, String> {
    let from_api = instance.api_url.as_deref().map(|a| a.replacen(".api.crm", ".crm", 1));
    let candidate = instance.url.clone().or(from_api).ok_or("the service gave no URL for it")?;
    let url = OrgUrl::parse_with(&candidate, policy).map_err(|e| e.to_string())?;
    if url.host().starts_with("globaldisco.") {
        return Err(format!("{} is the discovery service, not an org", url.as_str()));
    }
    Ok(url)
}

/// The environments of a discovery answer, in the service's order. An instance the reader will not
/// read carries its reason ([`Environment::skip`]): disabled (`State` 1), or an address that is not a
/// Dataverse org host. Instances with an id that is not a GUID are dropped (ids go into comparisons
/// and storage keys), as are repeats of an id.
pub fn environments(instances: &[Instance], policy: HostPolicy) -> Vec<Environment> {
    let mut out: Vec<Environment> = Vec::new();
    for i in instances.iter().filter(|i| is_guid(&i.id)) {
        let id = i.id.to_ascii_lowercase();
        if out.iter().any(|e| e.id == id) {
            continue;
        }
        let url = org_url(i, policy);
        let skip = match (&url, i.state) {
            (Err(reason), _) => Some(Refusal::NotDataverse(reason.clone())),
            (Ok(_), Some(1)) => Some(Refusal::Disabled),
            _ => None,
        };
        let name = i
            .friendly_name
            .clone()
            .or_else(|| i.unique_name.clone())
            .or_else(|| i.url_name.clone())
            .unwrap_or_else(|| id.clone());
        out.push(Environment {
            id,
            name,
            unique_name: i.unique_name.clone(),
            url: url.ok(),
            kind: kind_of(i.organization_type),
            version: i.version.clone(),
            region: i.region.clone(),
            tenant_id: i.tenant_id.clone().map(|t| t.to_ascii_lowercase()),
            is_sys_admin: i.is_user_sys_admin,
            skip,
        });
    }
    out
}
