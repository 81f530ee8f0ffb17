//! The Global Discovery Service stand-in (issue 15): `GET /api/discovery/v2.0/Instances` and the
//! answers of orgs that refuse the caller or are disabled. See `crate::tenant` for what is modelled.

use crate::ids::Guid;
use crate::json::Json;
use crate::message::{Req, Resp};
use crate::sim::State;
use serde_json::Value;

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
