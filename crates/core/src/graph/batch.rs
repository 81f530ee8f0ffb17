//! Graph requests as values: the per-address user query, the tenant's verified domains, JSON
//! `$batch` (at most [`MAX_BATCH`] requests) and what comes back, read through [`crate::json`].

use super::GRAPH_ROOT;
use crate::http::{Method, Request};
use crate::json::{FromJson, JsonError, Obj, items};
use crate::odata::query::{Query, escape_literal};
use serde_json::Value;

/// Graph takes at most 20 requests in one JSON batch.
/// <https://learn.microsoft.com/graph/json-batching>
pub const MAX_BATCH: usize = 20;

/// The user properties a lookup reads. `accountEnabled`, `proxyAddresses`, `assignedPlans`,
/// `provisionedPlans` and `userType` are returned only on `$select`.
pub const USER_SELECT: &[&str] = &[
    "id",
    "userPrincipalName",
    "mail",
    "accountEnabled",
    "userType",
    "proxyAddresses",
    "assignedPlans",
    "provisionedPlans",
];

/// One request inside a batch: a GET relative to the v1.0 root (`/users?...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    /// Correlates the answer with the request; unique in the batch.
    pub id: String,
    /// Path and query relative to [`GRAPH_ROOT`], starting with `/`.
    pub url: String,
}

impl BatchItem {
    fn to_json(&self) -> Value {
        serde_json::json!({ "id": self.id, "method": "GET", "url": self.url })
    }
}

/// The query for the users that own `address`: its primary address (`mail`) or any proxy address.
///
/// `proxyAddresses/any(x:x eq 'smtp:…')` is a default (not "advanced") query, so no
/// `ConsistencyLevel: eventual` is needed and a user created a minute ago is found. Whether the
/// comparison ignores the case of the `SMTP:`/`smtp:` prefix is not documented; `mail eq` finds the
/// primary address either way (simulator switch `proxy_prefix_case_sensitive`).
pub fn user_query(address: &str) -> String {
    let a = address.trim();
    let filter =
        format!("mail eq {} or proxyAddresses/any(x:x eq {})", escape_literal(a), escape_literal(&format!("smtp:{a}")));
    format!("/{}", Query::new("users").select(USER_SELECT).filter(filter).path())
}

/// The signed-in user's tenant and its verified domains (delegated `User.Read` suffices; it is
/// included in `User.Read.All`'s sign-in).
pub fn organization_query() -> String {
    "/organization?$select=id,verifiedDomains".to_owned()
}

/// The `POST $batch` carrying `items` with the Graph bearer token.
pub fn batch_request(items: &[BatchItem], token: &str) -> Request {
    let requests: Vec<Value> = items.iter().map(BatchItem::to_json).collect();
    Request {
        method: Method::Post,
        path: format!("{GRAPH_ROOT}/$batch"),
        headers: vec![
            ("Accept".to_owned(), "application/json".to_owned()),
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("Authorization".to_owned(), format!("Bearer {token}")),
        ],
        body: Some(serde_json::json!({ "requests": requests }).to_string()),
    }
}

/// A `@odata.nextLink` as a batch item's URL, only if it names Graph's v1.0 root: a link elsewhere
/// would carry the request (and, sent alone, the token) to another host.
pub fn next_link_url(link: &str) -> Option<String> {
    let rest = link.strip_prefix(GRAPH_ROOT)?;
    rest.starts_with('/').then(|| rest.to_owned())
}

/// One answer inside a batch response.
#[derive(Debug, Clone, PartialEq)]
pub struct SubResponse {
    /// The request's id.
    pub id: String,
    /// Its status.
    pub status: u16,
    /// Its headers (`Retry-After` of a throttled sub-request).
    pub headers: Vec<(String, String)>,
    /// Its JSON body (`Null` when none).
    pub body: Value,
}

impl SubResponse {
    /// The first header named `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// `error.code` and `error.message` of an error body.
    pub fn error(&self) -> (String, String) {
        graph_error(&self.body)
    }
}

/// `error.code` and `error.message` of a Graph error body (empty when absent).
pub fn graph_error(body: &Value) -> (String, String) {
    let e = body.get("error");
    let text = |k: &str| e.and_then(|e| e.get(k)).and_then(Value::as_str).unwrap_or_default().to_owned();
    (text("code"), text("message"))
}

impl FromJson for SubResponse {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        let headers = match o.get("headers") {
            Some(Value::Object(map)) => {
                map.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect()
            }
            _ => Vec::new(),
        };
        Ok(Self {
            id: o.req("id")?,
            status: o.req("status")?,
            headers,
            body: o.get("body").cloned().unwrap_or(Value::Null),
        })
    }
}

/// A `$batch` answer: one [`SubResponse`] per request, in any order.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResponse {
    /// The answers.
    pub responses: Vec<SubResponse>,
}

impl FromJson for BatchResponse {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        Ok(Self { responses: Obj::of(value)?.req("responses")? })
    }
}

/// An entry of `assignedPlans`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedPlan {
    /// e.g. `exchange`.
    pub service: String,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted`, `LockedOut`.
    pub capability_status: String,
    /// The service plan GUID.
    pub service_plan_id: String,
}

impl FromJson for AssignedPlan {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            service: o.or_default("service")?,
            capability_status: o.or_default("capabilityStatus")?,
            service_plan_id: o.or_default("servicePlanId")?,
        })
    }
}

/// An entry of `provisionedPlans`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedPlan {
    /// e.g. `exchange`.
    pub service: String,
    /// `Enabled`, ….
    pub capability_status: String,
    /// `Success`, `Disabled`, `Error`, `PendingInput`, `PendingActivation`, `PendingProvisioning`.
    pub provisioning_status: String,
}

impl FromJson for ProvisionedPlan {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            service: o.or_default("service")?,
            capability_status: o.or_default("capabilityStatus")?,
            provisioning_status: o.or_default("provisioningStatus")?,
        })
    }
}

/// The user properties a lookup reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphUser {
    /// Object id.
    pub id: String,
    /// Sign-in name.
    pub user_principal_name: String,
    /// Primary SMTP address.
    pub mail: Option<String>,
    /// `None` when Graph did not return it.
    pub account_enabled: Option<bool>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// `SMTP:` (primary) and `smtp:` (secondary) addresses, among others.
    pub proxy_addresses: Vec<String>,
    /// Licensed service plans.
    pub assigned_plans: Vec<AssignedPlan>,
    /// Their provisioning state.
    pub provisioned_plans: Vec<ProvisionedPlan>,
}

impl FromJson for GraphUser {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            id: o.req("id")?,
            user_principal_name: o.or_default("userPrincipalName")?,
            mail: o.opt("mail")?,
            account_enabled: o.opt("accountEnabled")?,
            user_type: o.opt("userType")?,
            proxy_addresses: o.or_default("proxyAddresses")?,
            assigned_plans: o.or_default("assignedPlans")?,
            provisioned_plans: o.or_default("provisionedPlans")?,
        })
    }
}

impl GraphUser {
    /// The primary SMTP address: the `SMTP:` proxy address, else `mail`.
    pub fn primary_address(&self) -> Option<&str> {
        self.proxy_addresses.iter().find_map(|p| p.strip_prefix("SMTP:")).or(self.mail.as_deref())
    }

    /// Whether `address` is one of this user's addresses (ignoring case).
    pub fn has_address(&self, address: &str) -> bool {
        let a = address.trim();
        self.mail.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(a))
            || self.proxy_addresses.iter().any(|p| {
                p.split_once(':')
                    .is_some_and(|(kind, rest)| kind.eq_ignore_ascii_case("smtp") && rest.eq_ignore_ascii_case(a))
            })
    }
}

/// A page of `users`: the users and the link to the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsersPage {
    /// Users on this page.
    pub users: Vec<GraphUser>,
    /// `@odata.nextLink`.
    pub next_link: Option<String>,
}

impl FromJson for UsersPage {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { users: o.or_default("value")?, next_link: o.opt("@odata.nextLink")? })
    }
}

/// The tenant's verified domain names (lower case), from `organization`.
pub fn verified_domains(body: &Value) -> Result<Vec<String>, JsonError> {
    let o = Obj::of(body)?;
    let orgs = o.field("value").map_err(|e| e.at_key("value"))?;
    let mut out = Vec::new();
    for org in items(orgs, |v| Ok(v.clone())).map_err(|e| e.at_key("value"))? {
        let domains = Obj::of(&org)?.get("verifiedDomains").cloned().unwrap_or(Value::Null);
        if let Some(list) = domains.as_array() {
            for d in list {
                if let Some(name) = d.get("name").and_then(Value::as_str) {
                    out.push(name.to_ascii_lowercase());
                }
            }
        }
    }
    Ok(out)
}
