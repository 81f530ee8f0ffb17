//! Operations, one module per Web API operation, behind one dispatcher.
//!
//! [`process`] is the engine's entry: journal, faults, org and session resolution, limits, then
//! [`route`] picks the operation. `$batch` calls [`api::api`] again for each part, so a batched request is
//! handled by exactly the same code as a direct one.

pub(crate) mod api;
pub(crate) mod approval;
pub(crate) mod authority;
pub(crate) mod batch;
pub(crate) mod call;
pub(crate) mod discovery;
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
use crate::ids::Guid;
use crate::journal::JournalEntry;
use crate::message::{DROP_MARKER, Req, Resp};
use crate::sim::{Sim, State};
use crate::url;
use api::api;
use call::{COOKIE, Call, Ctx};
use prefer::Prefer;

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
        let Routed { mut resp, admitted, unexpected, batch_operations } = match faulted {
            Some(r) => Routed::answer(r),
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
            batch_operations,
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
        if let Some(Admitted { cost_ms, .. }) = admitted
            && st.config.limits.cost_as_latency
        {
            latency += st.clock.to_real(Duration::from_millis(cost_ms.max(0) as u64));
        }
        let epoch = st.outage_epoch;
        (resp, admitted, epoch)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut st = sim.lock();
    if let Some(Admitted { user, cost_ms }) = admitted {
        let now = st.now();
        st.limiter.finish(user, now, cost_ms);
    }
    if resp.get_header(DROP_MARKER).is_none() && (st.outage_epoch != epoch || st.network_down) {
        // An outage began while the request was in flight: it ran, and its answer is lost.
        return Resp::new(502).header(DROP_MARKER, "outage");
    }
    resp
}

/// What [`route`] made of a request: the answer, and what [`process`] needs to know about it afterwards.
struct Routed {
    resp: Resp,
    /// Set for Web API calls the limiter admitted: they are finished (and their cost counted) after the
    /// answer.
    admitted: Option<Admitted>,
    /// No route knows this request: the journal marks it and the simulator says so on stderr.
    unexpected: bool,
    /// The operations of a `$batch` (0 otherwise), for the journal.
    batch_operations: usize,
}

/// A Web API call the limiter let in.
struct Admitted {
    user: Guid,
    /// Sim-time execution cost (ms).
    cost_ms: i64,
}

impl Routed {
    /// An answer outside the Web API's limits (pages, static files, the authority, refusals).
    fn answer(resp: Resp) -> Self {
        Routed { resp, admitted: None, unexpected: false, batch_operations: 0 }
    }

    /// An answer to a request the simulator has no route for.
    fn unexpected(resp: Resp) -> Self {
        Routed { unexpected: true, ..Routed::answer(resp) }
    }
}

/// Routes a request to the page, file, authority or Web API operation that answers it.
fn route(st: &mut State, req: &Req) -> Routed {
    let path = req.path.as_str();
    if path.starts_with("/syncready/") || path == "/syncready" {
        let r = static_files::serve(st, req);
        return if r.status == 404 { Routed::unexpected(r) } else { Routed::answer(r) };
    }
    if discovery::is_discovery_path(path) {
        return Routed::answer(discovery::discovery(st, req));
    }
    if let Some(graph) = st.graph.clone()
        && crate::graph::is_graph_host(&req.host)
    {
        return Routed::answer(crate::graph::serve(&graph, st.now(), req));
    }
    if path.contains("/oauth2/v2.0/") {
        let host_org = org_for_host(st, &req.host);
        let r = authority::handle(st, req, host_org);
        return Routed::answer(r);
    }
    let Some(org) = org_for_host(st, &req.host) else {
        return Routed::unexpected(Resp::text(
            404,
            "text/plain; charset=utf-8",
            format!("dataverse-sim: no org for host '{}'\n", req.host),
        ));
    };
    if path == "/" || path.eq_ignore_ascii_case("/main.aspx") {
        if req.method != "GET" {
            return Routed::answer(ApiError::method_not_allowed(&req.method, path).into());
        }
        return Routed::answer(page::main(st, req, org));
    }
    if req.method == "GET" && path == "/_static/_common/scripts/PageLoader.js" {
        return Routed::answer(page::page_loader());
    }
    if req.method == "GET" && path == "/favicon.ico" {
        return Routed::answer(page::favicon());
    }
    if shell::is_legacy_page(path) {
        if req.method != "GET" {
            return Routed::answer(ApiError::method_not_allowed(&req.method, path).into());
        }
        return Routed::answer(shell::legacy_page(st, req, org));
    }
    let Some(rest) = path.strip_prefix("/api/data/") else {
        return Routed::unexpected(loud_404(req));
    };
    let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if !matches!(version, "v9.0" | "v9.1" | "v9.2") {
        return Routed::unexpected(ApiError::segment_not_found(version).into());
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
        return Routed::answer(r);
    }

    // Authentication.
    st.api_requests += 1;
    if let Some(at) = st.faults.expire_at
        && st.api_requests > at
    {
        st.faults.expire_at = None;
        st.expired_upto = Some(st.session_serial);
    }
    // Refused before it runs: a cross-origin caller reads the answer only if it carries CORS headers.
    let refused = |st: &State, r: Resp| {
        Routed::answer(if st.config.quirks.cors_on_refusals { with_cors(r, req) } else { r })
    };
    let user = match authenticate(st, req, org) {
        Ok(u) => u,
        Err(r) => return refused(st, r),
    };
    if let Some(r) = discovery::refusal(st, org) {
        return refused(st, r);
    }

    let now = st.now();
    let limits = st.config.limits.clone();
    if limits.enabled
        && let Err(e) = st.limiter.admit(user, now, &limits)
    {
        return refused(st, e.into());
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
    out.resp = with_cors(out.resp, req);
    Routed {
        resp: out.resp,
        admitted: Some(Admitted { user, cost_ms: out.cost_ms }),
        unexpected,
        batch_operations: ops,
    }
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

/// The Web API's CORS headers for a cross-origin caller (§12): its origin allowed, and the headers the
/// client reads exposed (`Retry-After` and the limits among them).
fn with_cors(resp: Resp, req: &Req) -> Resp {
    match req.header("origin") {
        Some(origin) => resp
            .header("Access-Control-Allow-Origin", origin.to_string())
            .header("Vary", "Origin")
            .header(
                "Access-Control-Expose-Headers",
                "OData-EntityId, OData-Version, Preference-Applied, ETag, Retry-After, x-ms-ratelimit-burst-remaining-xrm-requests, x-ms-ratelimit-time-remaining-xrm-requests",
            ),
        None => resp,
    }
}

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
