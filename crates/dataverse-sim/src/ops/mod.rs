//! Operations, one module per Web API operation, behind one dispatcher.
//!
//! [`process`] is the engine's entry: journal, faults, org and session resolution, limits, then
//! [`route`] picks the operation. `$batch` calls [`api`] again for each part, so a batched request is
//! handled by exactly the same code as a direct one.

pub(crate) mod approval;
pub(crate) mod authority;
pub(crate) mod batch;
pub(crate) mod functions;
pub(crate) mod navigation;
pub(crate) mod page;
pub(crate) mod prefer;
pub(crate) mod retrieve;
pub(crate) mod security;
pub(crate) mod shell;
pub(crate) mod static_files;
pub(crate) mod sync;
pub(crate) mod test_enable;
pub(crate) mod whoami;
pub(crate) mod write;

use std::time::Duration;

use crate::error::ApiError;
use crate::faults::FaultKind;
use crate::http::{DROP_MARKER, Req, Resp};
use crate::ids::Guid;
use crate::journal::JournalEntry;
use crate::sim::{Sim, State};
use crate::url;
use prefer::Prefer;

/// Who is calling which org, and how URLs are written back.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) org: usize,
    pub(crate) user: Guid,
    /// `scheme://host`.
    pub(crate) base: String,
    /// `v9.2` (or whichever version the request used).
    pub(crate) version: String,
}

impl Ctx {
    /// `<base>/api/data/v9.2/`.
    pub(crate) fn api_root(&self) -> String {
        format!("{}/api/data/{}/", self.base, self.version)
    }

    /// `<base>/api/data/v9.2/$metadata#`.
    pub(crate) fn metadata(&self) -> String {
        format!("{}$metadata#", self.api_root())
    }
}

/// One API call (a direct request or a `$batch` part).
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub(crate) method: &'a str,
    /// Path after `/api/data/v9.2/`, still percent-encoded.
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a axum::http::HeaderMap,
    pub(crate) body: &'a [u8],
    pub(crate) prefer: Prefer,
}

impl Call<'_> {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What an operation returns: the response plus its sim-time execution cost in ms.
pub(crate) struct Outcome {
    pub(crate) resp: Resp,
    pub(crate) cost_ms: i64,
}

impl From<Resp> for Outcome {
    fn from(resp: Resp) -> Self {
        Outcome { resp, cost_ms: 0 }
    }
}

impl From<ApiError> for Outcome {
    fn from(e: ApiError) -> Self {
        Outcome { resp: e.into(), cost_ms: 0 }
    }
}

/// Handles one HTTP request end to end.
pub(crate) async fn process(sim: &Sim, req: Req) -> Resp {
    let mut latency = Duration::ZERO;
    let (resp, admitted, epoch) = {
        let mut st = sim.lock();
        st.tick();
        let faults = st.faults.take(&req.method, &req.path);
        let mut faulted = None;
        if st.network_down {
            faulted = Some(Resp::new(502).header(DROP_MARKER, "network-down"));
        }
        for f in faults {
            match f {
                FaultKind::Outage => {
                    st.outage_epoch += 1;
                    faulted = Some(Resp::new(502).header(DROP_MARKER, "outage"));
                }
                FaultKind::Latency(d) => latency += d,
                FaultKind::Status(s) => {
                    faulted = Some(Resp::from(ApiError::new(
                        s,
                        "0x80040216",
                        "An unexpected error occurred. (injected by dataverse-sim)",
                    )))
                }
                FaultKind::DropConnection => {
                    faulted = Some(Resp::new(502).header(DROP_MARKER, "drop-connection"));
                }
                FaultKind::Throttle { retry_after } => {
                    let limits = st.config.limits.clone();
                    faulted = Some(Resp::from(
                        ApiError::new(
                            429,
                            "0x80072322",
                            format!(
                                "Number of requests exceeded the limit of {} over time window of {} seconds.",
                                limits.max_requests,
                                limits.window.as_secs()
                            ),
                        )
                        .with_header("Retry-After", retry_after.as_secs().max(1).to_string()),
                    ));
                }
                FaultKind::ExpireSessionAfter { requests } => {
                    // The API request the fault fires on does not count itself.
                    let arming = u64::from(req.path.starts_with("/api/data/"));
                    st.faults.expire_at = Some(st.api_requests + arming + requests);
                }
                FaultKind::FailBatchItem { .. } => {}
            }
        }
        let now = st.now();
        let (mut resp, admitted, unexpected, ops) = match faulted {
            Some(r) => (r, None, false, 0),
            None => route(&mut st, &req),
        };
        if let (Some(hint), true) = (st.config.limits.dop_hint, admitted.is_some()) {
            resp = resp.header("x-ms-dop-hint", hint.to_string());
        }
        let faulted = resp.get_header(DROP_MARKER).is_some() || (admitted.is_none() && resp.status >= 500);
        st.journal.push(JournalEntry {
            method: req.method.clone(),
            host: req.host.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            status: resp.status,
            batch_operations: ops,
            at: crate::time::iso(now),
            unexpected,
            faulted,
        });
        if unexpected {
            eprintln!(
                "dataverse-sim: unexpected request {} {}?{} → {}",
                req.method, req.path, req.query, resp.status
            );
        }
        if let Some((_, _, cost)) = admitted
            && st.config.limits.cost_as_latency
        {
            latency += st.clock.to_real(Duration::from_millis(cost.max(0) as u64));
        }
        let epoch = st.outage_epoch;
        (resp, admitted, epoch)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut st = sim.lock();
    if let Some((org, user, cost)) = admitted {
        let now = st.now();
        let _ = org;
        st.limiter.finish(user, now, cost);
    }
    if resp.get_header(DROP_MARKER).is_none() && (st.outage_epoch != epoch || st.network_down) {
        // An outage began while the request was in flight: it ran, and its answer is lost.
        return Resp::new(502).header(DROP_MARKER, "outage");
    }
    resp
}

/// Routes a request. Returns the response, the admitted (org, user, cost) for the limiter, whether the
/// request was unexpected, and the number of batch operations.
fn route(st: &mut State, req: &Req) -> (Resp, Option<(usize, Guid, i64)>, bool, usize) {
    let path = req.path.as_str();
    if path.starts_with("/syncready/") || path == "/syncready" {
        let r = static_files::serve(st, req);
        let unexpected = r.status == 404;
        return (r, None, unexpected, 0);
    }
    if path.contains("/oauth2/v2.0/") {
        let host_org = org_for_host(st, &req.host);
        let r = authority::handle(st, req, host_org);
        return (r, None, false, 0);
    }
    let Some(org) = org_for_host(st, &req.host) else {
        return (
            Resp::text(
                404,
                "text/plain; charset=utf-8",
                format!("dataverse-sim: no org for host '{}'\n", req.host),
            ),
            None,
            true,
            0,
        );
    };
    if path == "/" || path.eq_ignore_ascii_case("/main.aspx") {
        if req.method != "GET" {
            return (ApiError::method_not_allowed(&req.method, path).into(), None, false, 0);
        }
        return (page::main(st, req, org), None, false, 0);
    }
    if req.method == "GET" && path == "/_static/_common/scripts/PageLoader.js" {
        return (page::page_loader(), None, false, 0);
    }
    if req.method == "GET" && path == "/favicon.ico" {
        return (page::favicon(), None, false, 0);
    }
    if shell::is_legacy_page(path) {
        if req.method != "GET" {
            return (ApiError::method_not_allowed(&req.method, path).into(), None, false, 0);
        }
        return (shell::legacy_page(st, req, org), None, false, 0);
    }
    let Some(rest) = path.strip_prefix("/api/data/") else {
        return (loud_404(req), None, true, 0);
    };
    let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if !matches!(version, "v9.0" | "v9.1" | "v9.2") {
        return (ApiError::segment_not_found(version).into(), None, true, 0);
    }

    // CORS preflight: the Web API allows CORS for registered SPA callers (§12).
    if req.method == "OPTIONS"
        && let Some(origin) = req.header("origin")
    {
        let r = Resp::new(204)
                .header("Access-Control-Allow-Origin", origin.to_string())
                .header("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS")
                .header(
                    "Access-Control-Allow-Headers",
                    "Authorization, Accept, Content-Type, OData-MaxVersion, OData-Version, Prefer, If-Match, If-None-Match, MSCRM.SuppressDuplicateDetection, MSCRM.BypassCustomPluginExecution, CallerObjectId, Consistency",
                )
                .header("Access-Control-Max-Age", "3600")
                .header("Vary", "Origin");
        return (r, None, false, 0);
    }

    // Authentication.
    st.api_requests += 1;
    if let Some(at) = st.faults.expire_at
        && st.api_requests > at
    {
        st.faults.expire_at = None;
        st.expired_upto = Some(st.session_serial);
    }
    let user = match authenticate(st, req, org) {
        Ok(u) => u,
        Err(r) => return (r, None, false, 0),
    };

    let now = st.now();
    let limits = st.config.limits.clone();
    if limits.enabled
        && let Err(e) = st.limiter.admit(user, now, &limits)
    {
        return (e.into(), None, false, 0);
    }
    let ctx = Ctx { org, user, base: req.base(), version: version.to_string() };
    let prefer = Prefer::parse(req.headers.get_all("prefer").iter().filter_map(|v| v.to_str().ok()));
    let call = Call {
        method: &req.method,
        path: rest,
        query: &req.query,
        headers: &req.headers,
        body: &req.body,
        prefer,
    };
    let (mut out, ops, unexpected) = if rest == "$batch" {
        let (out, ops) = batch::run(st, &ctx, req, &call.prefer);
        (out, ops, false)
    } else {
        let out = api(st, &ctx, &call);
        let unexpected =
            out.resp.status == 404 && out.resp.body.windows(17).any(|w| w == b"Resource not foun");
        (out, 0, unexpected)
    };
    if limits.enabled && st.config.quirks.ratelimit_headers {
        let (left, exec_left) = st.limiter.remaining(user, now, &limits);
        out.resp = out.resp.header("x-ms-ratelimit-burst-remaining-xrm-requests", left.to_string()).header(
            "x-ms-ratelimit-time-remaining-xrm-requests",
            format!("{:.2}", exec_left as f64 / 1000.0),
        );
    }
    if let Some(origin) = req.header("origin") {
        out.resp = out
            .resp
            .header("Access-Control-Allow-Origin", origin.to_string())
            .header("Vary", "Origin")
            .header(
                "Access-Control-Expose-Headers",
                "OData-EntityId, OData-Version, Preference-Applied, ETag, Retry-After, x-ms-ratelimit-burst-remaining-xrm-requests, x-ms-ratelimit-time-remaining-xrm-requests",
            );
    }
    (out.resp, Some((org, user, out.cost_ms)), unexpected, ops)
}

fn loud_404(req: &Req) -> Resp {
    Resp::text(
        404,
        "text/plain; charset=utf-8",
        format!("dataverse-sim: no route for {} {} (this request is unexpected)\n", req.method, req.path),
    )
}

/// The org a Host header selects: `<prefix>.<anything>.dynamics.com`, or the first org for loopback.
fn org_for_host(st: &State, host: &str) -> Option<usize> {
    let name =
        host.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(host, |(h, _)| h);
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name.ends_with(".dynamics.com") {
        let prefix = name.split('.').next().unwrap_or("");
        return st.orgs.iter().position(|o| o.prefix == prefix);
    }
    if matches!(name.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1") && !st.orgs.is_empty() {
        return Some(0);
    }
    None
}

/// The session cookie's name.
pub(crate) const COOKIE: &str = "CrmOwinAuth";

fn authenticate(st: &mut State, req: &Req, org: usize) -> Result<Guid, Resp> {
    let now = st.now();
    for v in req.headers.get_all("cookie").iter().filter_map(|v| v.to_str().ok()) {
        for pair in v.split(';') {
            if let Some((k, val)) = pair.trim().split_once('=')
                && k == COOKIE
                && let Some(s) = st.sessions.get(val)
                && s.org == org
                && st.session_valid(s)
            {
                return Ok(s.user);
            }
        }
    }
    if let Some(token) = req.header("authorization").and_then(|a| a.strip_prefix("Bearer "))
        && let Some(g) = st.authority.validate(token.trim(), org, now)
        && st.expired_upto.is_none_or(|upto| g.serial > upto)
    {
        return Ok(g.user);
    }
    Err(unauthenticated(st, req, org))
}

fn unauthenticated(st: &State, req: &Req, org: usize) -> Resp {
    let tenant = st.orgs.get(org).map(|o| o.tenant_id.to_string()).unwrap_or_default();
    let base = req.base();
    if st.config.quirks.expired_session_redirect {
        let location = format!(
            "https://{}/{tenant}/oauth2/authorize?client_id=00000007-0000-0000-c000-000000000000&response_mode=form_post&response_type=code%20id_token&scope=openid%20profile&redirect_uri={}",
            st.config.quirks.sign_in_host,
            url::encode(&format!("{base}/"))
        );
        return Resp::new(302).header("Location", location).header("Content-Length", "0");
    }
    Resp::from(ApiError::new(401, "0x80072182", "The user is not authenticated. The session has expired or no credentials were supplied."))
        .header(
            "WWW-Authenticate",
            format!("Bearer authorization_uri=https://login.microsoftonline.com/{tenant}/oauth2/authorize, resource_id={base}/"),
        )
}

/// A parsed resource path: `set`, `set(key)`, `set(key)/rest`.
#[derive(Debug, Clone)]
pub(crate) struct Resource<'a> {
    pub(crate) name: String,
    pub(crate) key: Option<String>,
    pub(crate) rest: Option<&'a str>,
}

/// Splits the first segment of an API path.
pub(crate) fn parse_resource(path: &str) -> Resource<'_> {
    let (first, rest) = match path.find('/') {
        // Slashes inside parentheses (none in the keys we accept) would break this; keys are GUIDs.
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    };
    let first = url::decode_path(first);
    match first.find('(') {
        Some(i) if first.ends_with(')') => Resource {
            name: first[..i].to_string(),
            key: Some(first[i + 1..first.len() - 1].to_string()),
            rest,
        },
        _ => Resource { name: first, key: None, rest },
    }
}

/// Dispatches one API call (also used for each `$batch` part).
pub(crate) fn api(st: &mut State, ctx: &Ctx, call: &Call<'_>) -> Outcome {
    let res = parse_resource(call.path);
    let read_cost = st.config.limits.cost.read.as_millis() as i64;
    match res.name.as_str() {
        "WhoAmI" | "WhoAmI()" if res.rest.is_none() => {
            if call.method != "GET" {
                return ApiError::method_not_allowed(call.method, call.path).into();
            }
            Outcome { resp: whoami::whoami(st, ctx), cost_ms: read_cost }
        }
        _ => {
            let Some(def) = crate::schema::by_set(&res.name) else {
                return ApiError::segment_not_found(&res.name).into();
            };
            retrieve::entity_set(st, ctx, call, def, &res)
        }
    }
}

/// Writes and the routes below a row (PATCH, POST, DELETE, properties, navigation, functions).
pub(crate) fn write_routes(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static crate::schema::TableDef,
    res: &Resource<'_>,
) -> Outcome {
    let method = call.method;
    match (res.key.as_deref(), res.rest) {
        (None, None) if method == "POST" => write::create(st, ctx, call, def),
        (None, Some(action)) if method == "POST" && action.starts_with("Microsoft.Dynamics.CRM.") => {
            write::bulk(st, ctx, call, def, action.trim_start_matches("Microsoft.Dynamics.CRM."))
        }
        (Some(key), None) if method == "PATCH" => write::patch(st, ctx, call, def, key),
        (Some(key), None) if method == "DELETE" => write::delete(st, ctx, call, def, key),
        (Some(key), Some(rest)) => {
            let rest = url::decode_path(rest);
            let mut segs = rest.split('/');
            let first = segs.next().unwrap_or("");
            let second = segs.next();
            if segs.next().is_some() {
                return ApiError::segment_not_found(&rest).into();
            }
            match (method, second) {
                ("DELETE", Some("$ref")) => write::unbind(st, ctx, call, def, key, first),
                ("GET", None) if first.starts_with("Microsoft.Dynamics.CRM.") => {
                    functions::bound(st, ctx, call, def, key, first)
                }
                ("GET", None) => navigation::get(st, ctx, call, def, key, first),
                ("PUT" | "DELETE", None) => write::property(st, ctx, call, def, key, first),
                (_, Some(s)) => ApiError::segment_not_found(s).into(),
                _ => ApiError::method_not_allowed(method, call.path).into(),
            }
        }
        _ => ApiError::method_not_allowed(method, call.path).into(),
    }
}
