//! Several orgs in one tenant (issue 15): the Global Discovery Service stand-in, copies of an org
//! with the same record ids, addresses shared between orgs, and orgs that refuse or are disabled.
//!
//! - `GET /api/discovery/v2.0/Instances` (any host; in production `globaldisco.crm.dynamics.com`)
//!   lists every org of the simulator as an `Instance` with the documented properties (Microsoft Learn,
//!   "Discover user organizations": `ApiUrl`, `FriendlyName`, `Id`, `OrganizationType`, `Region`,
//!   `State` 0 enabled / 1 disabled, `TenantId`, `UniqueName`, `UrlName`, `Url`, `Version`, …),
//!   honouring `$select`. It needs a bearer token issued for the discovery audience (a token request
//!   whose scope names `https://globaldisco.crm.dynamics.com`); any other token, an org's included, is
//!   answered `401` with `WWW-Authenticate: Bearer … error="invalid_token"` and an error body (the
//!   exact body is not documented: \[U\]). CORS is allowed (documented).
//! - [`Sim::set_environment`] says how an org is listed (type, disabled) and whether it refuses the
//!   caller (`403`, "not a member of the organization", on every API request: \[U\] wording).
//!   A disabled org answers `503` to API requests (\[U\]; discovery says it is disabled, and the
//!   client does not read it).
//! - [`Sim::copy_org`] makes an "Everything" copy: the same rows and record ids under another host,
//!   with its own organization id (Microsoft Learn, "Copy an environment").
//! - [`Sim::share_addresses`] gives mailboxes of one org the addresses of another's, as when the same
//!   people are users of both.
//!
//! Every org of the simulator belongs to one tenant: discovery reports the first org's tenant id.

use crate::http::{Req, Resp};
use crate::ids::Guid;
use crate::json::Json;
use crate::sim::{Sim, State};
use crate::store::V;
use serde_json::Value;

/// How discovery lists an org, and how it treats the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `OrganizationType`: 0 primary / 4 production, 5 sandbox, 12 default, 13 developer, 14 trial.
    pub organization_type: i64,
    /// `State` 1 (disabled); its API answers 503.
    pub disabled: bool,
    /// The caller is not a member: every API request answers 403.
    pub refuses: bool,
    /// `Region`.
    pub region: String,
}

impl Environment {
    /// A production environment (`OrganizationType` 0), enabled, in `NA`.
    pub fn production() -> Self {
        Environment { organization_type: 0, disabled: false, refuses: false, region: "NA".to_owned() }
    }

    /// A sandbox (`OrganizationType` 5).
    pub fn sandbox() -> Self {
        Environment { organization_type: 5, ..Environment::production() }
    }

    /// Disabled (`State` 1).
    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    /// Refuses the caller (403).
    pub fn refusing(mut self) -> Self {
        self.refuses = true;
        self
    }
}

/// The tenant's environments, by org prefix; orgs not listed are enabled production orgs.
#[derive(Debug, Default)]
pub(crate) struct Tenant {
    pub(crate) envs: Vec<(String, Environment)>,
}

impl Tenant {
    pub(crate) fn of(&self, prefix: &str) -> Environment {
        self.envs.iter().find(|(p, _)| p == prefix).map_or_else(Environment::production, |(_, e)| e.clone())
    }
}

/// The API answer of an org that refuses the caller or is disabled, if it does.
pub(crate) fn refusal(st: &State, org: usize) -> Option<Resp> {
    let prefix = &st.orgs.get(org)?.prefix;
    let env = st.tenant.of(prefix);
    if env.disabled {
        return Some(Resp::from(crate::error::ApiError::new(
            503,
            "0x80040225",
            "The organization is disabled. (dataverse-sim: an environment discovery lists with State 1)",
        )));
    }
    env.refuses.then(|| {
        Resp::from(crate::error::ApiError::new(
            403,
            "0x80072560",
            "The user is not a member of the organization.",
        ))
    })
}

/// True for the discovery service's paths.
pub(crate) fn is_discovery_path(path: &str) -> bool {
    path.starts_with("/api/discovery/")
}

fn cors(resp: Resp, req: &Req) -> Resp {
    match req.header("origin") {
        Some(o) => resp.header("Access-Control-Allow-Origin", o.to_string()).header("Vary", "Origin"),
        None => resp,
    }
}

fn unauthorized(reason: &str) -> Resp {
    let body = Json::obj().with(
        "error",
        Json::obj()
            .with("code", "InvalidAuthenticationToken")
            .with("message", format!("{reason} (dataverse-sim)")),
    );
    Resp::json(401, body.render()).header(
        "WWW-Authenticate",
        format!(
            "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, error=\"invalid_token\", error_description=\"{reason}\""
        ),
    )
}

/// The property order of an `Instance` (the documented table).
const PROPERTIES: [&str; 13] = [
    "ApiUrl",
    "EnvironmentId",
    "FriendlyName",
    "Id",
    "IsUserSysAdmin",
    "OrganizationType",
    "Region",
    "State",
    "TenantId",
    "UniqueName",
    "UrlName",
    "Url",
    "Version",
];

/// `GET /api/discovery/v2.0/Instances`.
pub(crate) fn discovery(st: &mut State, req: &Req) -> Resp {
    if req.method == "OPTIONS" {
        return cors(Resp::new(204), req)
            .header("Access-Control-Allow-Methods", "GET, OPTIONS")
            .header("Access-Control-Allow-Headers", "Authorization, Accept, OData-MaxVersion, OData-Version")
            .header("Access-Control-Max-Age", "3600");
    }
    let resp = instances(st, req);
    cors(resp, req)
}

fn instances(st: &mut State, req: &Req) -> Resp {
    let path = req.path.trim_end_matches('/');
    if req.method != "GET" || !(path == "/api/discovery/v2.0/Instances" || path == "/api/discovery/v2.0") {
        return Resp::text(
            404,
            "text/plain; charset=utf-8",
            format!("dataverse-sim: the discovery service has no {} {}\n", req.method, req.path),
        );
    }
    let now = st.now();
    let Some(token) = req.header("authorization").and_then(|a| a.strip_prefix("Bearer ")).map(str::trim)
    else {
        return unauthorized("No access token was sent");
    };
    match st.authority.access.get(token) {
        None => return unauthorized("The access token is unknown or revoked"),
        Some(g) if g.expires <= now => return unauthorized("The access token has expired"),
        Some(g) if !g.discovery => {
            let aud = st
                .orgs
                .get(g.org)
                .map(|o| format!("https://{}.crm.dynamics.com", o.prefix))
                .unwrap_or_default();
            return unauthorized(&format!(
                "The audience '{aud}' is invalid; this service accepts tokens for https://globaldisco.crm.dynamics.com"
            ));
        }
        Some(_) => {}
    }
    let select: Option<Vec<String>> = crate::url::parse_query(&req.query)
        .into_iter()
        .find(|(k, _)| k == "$select")
        .map(|(_, v)| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect());
    if let Some(bad) = select.iter().flatten().find(|s| !PROPERTIES.contains(&s.as_str())) {
        return Resp::json(
            400,
            Json::obj()
                .with(
                    "error",
                    Json::obj().with("code", "").with(
                        "message",
                        format!("Could not find a property named '{bad}' on type 'Instance'."),
                    ),
                )
                .render(),
        );
    }
    let tenant = st.orgs.first().map(|o| o.tenant_id).unwrap_or(Guid(0));
    let mut rows = Vec::new();
    for org in &st.orgs {
        let env = st.tenant.of(&org.prefix);
        let id = org.org_id.to_string();
        let values: Vec<(&str, Value)> = vec![
            ("ApiUrl", Value::from(format!("https://{}.api.crm.dynamics.com", org.prefix))),
            ("EnvironmentId", Value::from(format!("Default-{id}"))),
            ("FriendlyName", Value::from(org.name.clone())),
            ("Id", Value::from(id.clone())),
            ("IsUserSysAdmin", Value::from(!env.refuses)),
            ("OrganizationType", Value::from(env.organization_type)),
            ("Region", Value::from(env.region.clone())),
            ("State", Value::from(i64::from(env.disabled))),
            ("TenantId", Value::from(tenant.to_string())),
            ("UniqueName", Value::from(format!("unq{}", id.replace('-', "")))),
            ("UrlName", Value::from(org.prefix.clone())),
            ("Url", Value::from(format!("https://{}.crm.dynamics.com", org.prefix))),
            ("Version", Value::from("9.2.26011.00142")),
        ];
        let mut row = Json::obj();
        for (k, v) in values {
            if select.as_ref().is_none_or(|s| s.iter().any(|x| x == k)) {
                row.push(k, Json::Val(v));
            }
        }
        rows.push(row);
    }
    let context = match &select {
        Some(s) => format!("{}/api/discovery/v2.0/$metadata#Instances({})", req.base(), s.join(",")),
        None => format!("{}/api/discovery/v2.0/$metadata#Instances", req.base()),
    };
    let body = Json::obj().with("@odata.context", context).with("value", Json::Arr(rows));
    Resp::json(200, body.render()).header("OData-Version", "4.0")
}

/// True when a token request's scope names the discovery service's resource.
pub(crate) fn scope_is_discovery(scope: &str) -> bool {
    scope.split_whitespace().any(|s| s.trim_start_matches("https://").starts_with("globaldisco."))
}

impl Sim {
    /// Says how discovery lists the org with this prefix and how it treats the caller.
    pub fn set_environment(&self, host_prefix: &str, env: Environment) {
        let mut st = self.lock();
        st.tenant.envs.retain(|(p, _)| p != host_prefix);
        st.tenant.envs.push((host_prefix.to_ascii_lowercase(), env));
    }

    /// An "Everything" copy of the org `from` at `<to>.crm.dynamics.com`, named `name`: every row with
    /// its record id, a new organization id. Returns false when `from` does not exist or `to` does.
    pub fn copy_org(&self, from: &str, to: &str, name: &str) -> bool {
        let mut st = self.lock();
        let to = to.to_ascii_lowercase();
        if st.orgs.iter().any(|o| o.prefix == to) {
            return false;
        }
        let Some(source) = st.orgs.iter().find(|o| o.prefix == from) else {
            return false;
        };
        let mut copy = source.clone();
        let old_id = copy.org_id;
        let new_id = st.rng.guid();
        copy.prefix = to;
        copy.name = name.to_owned();
        copy.org_id = new_id;
        if let Some(mut row) = copy.rows_mut("organization").remove(&old_id) {
            row.id = new_id;
            row.fields.insert("organizationid", V::Guid(new_id));
            row.fields.insert("name", V::str(name));
            copy.rows_mut("organization").insert(new_id, row);
        }
        st.orgs.push(copy);
        true
    }

    /// Gives the first `n` active user mailboxes of `to` (after its caller's own) the addresses of the
    /// first `n` of `from`, mailbox and user rows alike. Returns the shared addresses.
    pub fn share_addresses(&self, from: &str, to: &str, n: usize) -> Vec<String> {
        let mut st = self.lock();
        let now = st.now();
        let user_boxes = |o: &crate::store::Org| -> Vec<(Guid, Option<Guid>, String)> {
            o.rows("mailbox")
                .values()
                .filter(|m| m.int("statecode") == 0 && !m.bool("isforwardmailbox"))
                .filter_map(|m| {
                    let owner =
                        m.lookup("regardingobjectid").filter(|l| l.table == "systemuser").map(|l| l.id)?;
                    (owner != o.caller).then(|| (m.id, Some(owner), m.text("emailaddress").to_owned()))
                })
                .take(n)
                .collect()
        };
        let (Some(fi), Some(ti)) =
            (st.orgs.iter().position(|o| o.prefix == from), st.orgs.iter().position(|o| o.prefix == to))
        else {
            return Vec::new();
        };
        let sources = user_boxes(&st.orgs[fi]);
        let targets = user_boxes(&st.orgs[ti]);
        let mut shared = Vec::new();
        for ((_, _, address), (mailbox, owner, _)) in sources.iter().zip(&targets) {
            let org = &mut st.orgs[ti];
            org.update("mailbox", *mailbox, vec![("emailaddress", V::str(address.clone()))], now);
            if let Some(user) = owner {
                org.update("systemuser", *user, vec![("internalemailaddress", V::str(address.clone()))], now);
            }
            shared.push(address.clone());
        }
        shared
    }

    /// Sets the appointments, contacts and tasks columns of the mailbox with this address in the org
    /// with this prefix: delivery method, last test status, and "this org only". False when missing.
    pub fn set_act(
        &self,
        host_prefix: &str,
        email: &str,
        method: i64,
        status: i64,
        marked_primary: bool,
    ) -> bool {
        let mut st = self.lock();
        let now = st.now();
        let Some(org) = st.orgs.iter_mut().find(|o| o.prefix == host_prefix) else {
            return false;
        };
        let Some(id) = org
            .rows("mailbox")
            .values()
            .find(|m| m.text("emailaddress").eq_ignore_ascii_case(email))
            .map(|m| m.id)
        else {
            return false;
        };
        org.update(
            "mailbox",
            id,
            vec![
                ("actdeliverymethod", V::Int(method)),
                ("actstatus", V::Int(status)),
                ("orgmarkedasprimaryforexchangesync", V::Bool(marked_primary)),
            ],
            now,
        )
    }
}
