//! A Microsoft Graph stand-in for exactly what SyncReady's Exchange-side checks use (issue 16):
//! `GET /v1.0/users?$filter=mail eq '…' or proxyAddresses/any(x:x eq 'smtp:…')&$select=…`,
//! `GET /v1.0/organization?$select=id,verifiedDomains`, JSON `POST /v1.0/$batch` (at most 20
//! requests), `@odata.nextLink` paging with `$skiptoken`, the identity service's throttling (a
//! resource-unit budget per app and tenant over 10 s, `429` with `Retry-After` per sub-request), the
//! token's audience and scope, and a tenant where nobody consented to `User.Read.All`.
//!
//! It keeps its own state and shares no types with the client. [`GraphSim::matching`] seeds one user
//! per mailbox of a simulated org from that org's Exchange facts; tests then set each case with
//! [`GraphSim::set_user`]. Facts and their sources are in the README's fidelity table; what no
//! public source settles is a field of [`GraphConfig`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};

use crate::message::{Req, Resp};

/// Whether a Host header names Graph (with or without a port).
pub(crate) fn is_graph_host(host: &str) -> bool {
    let name =
        host.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(host, |(h, _)| h);
    name.trim_end_matches('.').eq_ignore_ascii_case("graph.microsoft.com")
}

/// Answers a request to `graph.microsoft.com` on the sim's listener, at sim time `now_ms`. Graph
/// allows cross-origin calls from single-page applications, so a preflight is answered and every
/// answer carries `Access-Control-Allow-Origin`.
pub(crate) fn serve(graph: &GraphSim, now_ms: i64, req: &Req) -> Resp {
    graph.set_now_ms(u64::try_from(now_ms).unwrap_or(0));
    let origin = req.header("origin").unwrap_or("*").to_owned();
    let cors = |r: Resp| {
        r.header("Access-Control-Allow-Origin", origin.clone())
            .header("Access-Control-Expose-Headers", "Retry-After, request-id")
            .header("Vary", "Origin")
    };
    if req.method == "OPTIONS" {
        return cors(
            Resp::new(204)
                .header("Access-Control-Allow-Methods", "GET, POST")
                .header(
                    "Access-Control-Allow-Headers",
                    "authorization, content-type, accept, consistencylevel",
                )
                .header("Access-Control-Max-Age", "600"),
        );
    }
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let path = if req.query.is_empty() {
        crate::url::decode_path(&req.path)
    } else {
        format!("{}?{}", crate::url::decode_path(&req.path), req.query)
    };
    let body = String::from_utf8_lossy(&req.body);
    let (status, hdrs, text) = graph.handle(&req.method, &path, &headers, &body);
    let mut resp = Resp::new(status);
    for (k, v) in hdrs {
        resp = resp.header(&k, v);
    }
    cors(resp.body(text.into_bytes()))
}

/// The authority's answer to a refresh-token request with Graph scopes: a Graph token, or
/// `consent_required` (AADSTS65001) while nobody consented.
pub(crate) fn token_answer(graph: &GraphSim, scope: &str) -> Resp {
    match graph.issue_token(scope) {
        Ok(token) => {
            let granted: Vec<String> = scope
                .split_whitespace()
                .filter(|s| s.starts_with("https://graph.microsoft.com/"))
                .map(str::to_owned)
                .collect();
            let body = json!({
                "token_type": "Bearer",
                "scope": granted.join(" "),
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            });
            Resp::text(200, "application/json; charset=utf-8", body.to_string())
                .header("Cache-Control", "no-store")
        }
        Err(body) => Resp::text(400, "application/json; charset=utf-8", body.to_string()),
    }
}

/// The Exchange Online (Plan 2) service plan id (`EXCHANGE_S_ENTERPRISE`), from Microsoft's
/// "Product names and service plan identifiers for licensing".
pub const EXCHANGE_PLAN_ID: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";

// The delegated permission the lookups need.
const USER_READ_ALL: &str = "User.Read.All";

/// One user of the stand-in's tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphUserSpec {
    /// Primary SMTP address (`mail`, `SMTP:` proxy address, and the UPN).
    pub primary: String,
    /// Secondary SMTP addresses (`smtp:` proxy addresses).
    pub aliases: Vec<String>,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// `userType` Guest instead of Member.
    pub guest: bool,
    /// The Exchange plan's `capabilityStatus` in `assignedPlans` (`None`: no Exchange plan).
    pub exchange_plan: Option<String>,
    /// The Exchange entry's `provisioningStatus` in `provisionedPlans` (`None`: not listed).
    pub provisioning: Option<String>,
}

impl GraphUserSpec {
    /// A licensed member with a provisioned mailbox.
    pub fn licensed(primary: &str) -> Self {
        Self {
            primary: primary.to_owned(),
            aliases: Vec::new(),
            account_enabled: true,
            guest: false,
            exchange_plan: Some("Enabled".to_owned()),
            provisioning: Some("Success".to_owned()),
        }
    }

    /// A member without any Exchange plan.
    pub fn unlicensed(primary: &str) -> Self {
        Self { exchange_plan: None, provisioning: None, ..Self::licensed(primary) }
    }

    /// A shared mailbox: sign-in blocked, no licence, a mailbox.
    pub fn shared(primary: &str) -> Self {
        Self { account_enabled: false, ..Self::unlicensed(primary) }
    }

    /// With the account disabled.
    #[must_use]
    pub fn disabled(mut self) -> Self {
        self.account_enabled = false;
        self
    }

    /// As a guest.
    #[must_use]
    pub fn guest(mut self) -> Self {
        self.guest = true;
        self
    }

    /// With this Exchange plan state.
    #[must_use]
    pub fn plan(mut self, capability: &str) -> Self {
        self.exchange_plan = Some(capability.to_owned());
        self
    }

    /// With this provisioning state (`None`: Exchange not listed in `provisionedPlans`).
    #[must_use]
    pub fn provisioning(mut self, status: Option<&str>) -> Self {
        self.provisioning = status.map(str::to_owned);
        self
    }

    /// With a secondary address.
    #[must_use]
    pub fn alias(mut self, address: &str) -> Self {
        self.aliases.push(address.to_owned());
        self
    }
}

/// Behaviour of the stand-in. Fields marked \[U\] are not settled by a public source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphConfig {
    /// Users per page before an `@odata.nextLink` (Graph's default page size for users is 100).
    pub page_size: usize,
    /// Resource units per 10 s for the app in this tenant (identity service limits: 3,500 for a
    /// tenant under 50 users, 5,000 up to 500, 8,000 above).
    pub resource_units_per_10s: u32,
    /// Resource units one user query costs \[U\]: the table lists some endpoints, 1 otherwise; 2 here
    /// to stay on the safe side.
    pub cost_per_request: u32,
    /// Whether a `429` carries `Retry-After` \[U\]: Graph's guidance says it does; a third-party
    /// summary of the identity service says it may not.
    pub retry_after_header: bool,
    /// Whether `proxyAddresses/any(x:x eq 'smtp:…')` compares the `SMTP:`/`smtp:` prefix exactly \[U\].
    pub proxy_prefix_case_sensitive: bool,
    /// Whether an administrator consented to `User.Read.All` for the app. Without consent the
    /// authority refuses a token with that scope (`AADSTS65001`, `consent_required`).
    pub consented: bool,
}

impl Default for GraphConfig {
    fn default() -> Self {
        Self {
            page_size: 100,
            resource_units_per_10s: 3_500,
            cost_per_request: 2,
            retry_after_header: true,
            proxy_prefix_case_sensitive: false,
            consented: true,
        }
    }
}

/// A scripted throttling answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFault {
    /// The next HTTP request is answered `429` as a whole.
    ThrottleBatch {
        /// Seconds in `Retry-After`.
        retry_after_secs: u64,
    },
    /// In the next batch, the sub-request at this position (1-based) is answered `429`.
    ThrottleItem {
        /// Position in the batch.
        position: usize,
        /// Seconds in `Retry-After`.
        retry_after_secs: u64,
    },
}

/// Counts, for tests and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GraphStats {
    /// HTTP requests received.
    pub http_requests: u64,
    /// Requests inside batches (and single GETs).
    pub sub_requests: u64,
    /// Whole requests answered `429`.
    pub throttled_requests: u64,
    /// Sub-requests answered `429`.
    pub throttled_items: u64,
    /// Largest batch seen.
    pub largest_batch: usize,
}

#[derive(Debug)]
struct State {
    config: GraphConfig,
    users: Vec<GraphUserSpec>,
    domains: Vec<String>,
    tenant_id: String,
    tokens: HashMap<String, Vec<String>>,
    next_token: u64,
    now_ms: u64,
    spent: VecDeque<(u64, u32)>,
    faults: VecDeque<GraphFault>,
    pages: HashMap<String, (Vec<usize>, usize, Vec<String>)>,
    next_page: u64,
    /// Addresses of the org's user and queue mailboxes ([`GraphSim::matching`]), sorted.
    mailbox_addresses: (Vec<String>, Vec<String>),
    /// Addresses of mailboxes whose Exchange facts say "unknown address" (no user seeded).
    unknown: Vec<String>,
    stats: GraphStats,
}

/// The stand-in (cheap to clone; clones share state).
#[derive(Debug, Clone)]
pub struct GraphSim(Arc<Mutex<State>>);

type Answer = (u16, Vec<(String, String)>, Value);

fn error(status: u16, code: &str, message: &str) -> Answer {
    (
        status,
        Vec::new(),
        json!({ "error": { "code": code, "message": message, "innerError": { "request-id": "sim" } } }),
    )
}

impl GraphSim {
    /// An empty tenant with these verified domains.
    pub fn new(domains: &[&str], config: GraphConfig) -> GraphSim {
        GraphSim(Arc::new(Mutex::new(State {
            config,
            users: Vec::new(),
            domains: domains.iter().map(|d| d.to_ascii_lowercase()).collect(),
            tenant_id: "6f1d3c2a-0000-4000-8000-000000000001".to_owned(),
            tokens: HashMap::new(),
            next_token: 1,
            now_ms: 0,
            spent: VecDeque::new(),
            faults: VecDeque::new(),
            pages: HashMap::new(),
            next_page: 1,
            mailbox_addresses: (Vec::new(), Vec::new()),
            unknown: Vec::new(),
            stats: GraphStats::default(),
        })))
    }

    /// A tenant seeded by [`GraphSim::matching`] (`graph_seed`): users, and the org's mailbox
    /// addresses (users', queues', unknown to Exchange), each sorted.
    pub(crate) fn seeded(
        domains: &[&str],
        config: GraphConfig,
        users: Vec<GraphUserSpec>,
        mut of_users: Vec<String>,
        mut of_queues: Vec<String>,
        mut unknown: Vec<String>,
    ) -> GraphSim {
        let graph = GraphSim::new(domains, config);
        of_users.sort();
        of_queues.sort();
        unknown.sort();
        {
            let mut st = graph.lock();
            st.users = users;
            st.mailbox_addresses = (of_users, of_queues);
            st.unknown = unknown;
        }
        graph
    }

    /// The addresses the org's Exchange facts call unknown (Test & Enable fails with "no user was
    /// found"), sorted; [`GraphSim::matching`] seeds no user for them.
    pub fn unknown_to_exchange(&self) -> Vec<String> {
        self.lock().unknown.clone()
    }

    /// The addresses of the org's user mailboxes and of its queue mailboxes, each sorted (for tests
    /// that give each a case).
    pub fn mailbox_addresses(&self) -> (Vec<String>, Vec<String>) {
        self.lock().mailbox_addresses.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a user, replacing any that has the same primary address or owns one of its addresses.
    pub fn set_user(&self, spec: GraphUserSpec) {
        let mut st = self.lock();
        let mine: Vec<String> =
            std::iter::once(&spec.primary).chain(&spec.aliases).map(|a| a.to_ascii_lowercase()).collect();
        st.users.retain(|u| {
            !std::iter::once(&u.primary).chain(&u.aliases).any(|a| mine.contains(&a.to_ascii_lowercase()))
        });
        st.users.push(spec);
    }

    /// Adds a user without removing others (for two users sharing an address).
    pub fn add_user(&self, spec: GraphUserSpec) {
        self.lock().users.push(spec);
    }

    /// Removes every user that owns `address`.
    pub fn remove_address(&self, address: &str) {
        self.lock().users.retain(|u| {
            !std::iter::once(&u.primary).chain(&u.aliases).any(|a| a.eq_ignore_ascii_case(address))
        });
    }

    /// Changes the configuration (e.g. withdraws consent).
    pub fn configure(&self, f: impl FnOnce(&mut GraphConfig)) {
        f(&mut self.lock().config);
    }

    /// Queues a scripted fault.
    pub fn inject(&self, fault: GraphFault) {
        self.lock().faults.push_back(fault);
    }

    /// Sets the stand-in's clock (the sim's, when served on its listener).
    pub(crate) fn set_now_ms(&self, now: u64) {
        let mut st = self.lock();
        st.now_ms = st.now_ms.max(now);
    }

    /// Moves the stand-in's clock forward (tests share a virtual clock with it).
    pub fn advance(&self, by: Duration) {
        self.lock().now_ms += u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
    }

    /// Counts so far.
    pub fn stats(&self) -> GraphStats {
        self.lock().stats
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> String {
        self.lock().tenant_id.clone()
    }

    /// Issues an access token for Graph with the delegated permissions in `scope` (space separated,
    /// full `https://graph.microsoft.com/<permission>` names or bare ones), as the authority's token
    /// endpoint would. Without consent to `User.Read.All`, asking for it is refused with Entra ID's
    /// `consent_required` body (`AADSTS65001`) instead.
    pub fn issue_token(&self, scope: &str) -> Result<String, Value> {
        let mut st = self.lock();
        let permissions: Vec<String> = scope
            .split_whitespace()
            .filter_map(|s| {
                let p = s.strip_prefix("https://graph.microsoft.com/").unwrap_or(s);
                (!matches!(p, "openid" | "profile" | "offline_access" | "email")).then(|| p.to_owned())
            })
            .collect();
        if permissions.iter().any(|p| p.eq_ignore_ascii_case(USER_READ_ALL)) && !st.config.consented {
            return Err(json!({
                "error": "invalid_grant",
                "error_description": "AADSTS65001: The user or administrator has not consented to use the application with ID \
                    'sim-client' named 'SyncReady'. Send an interactive authorization request for this user and resource.",
                "error_codes": [65001],
                "suberror": "consent_required",
            }));
        }
        let token = format!("graph-token-{}", st.next_token);
        st.next_token += 1;
        st.tokens.insert(token.clone(), permissions);
        Ok(token)
    }

    /// Handles one HTTP request (`path` with its query, e.g. `/v1.0/$batch`). Returns status,
    /// headers and body text.
    pub fn handle(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &str,
    ) -> (u16, Vec<(String, String)>, String) {
        let mut st = self.lock();
        st.stats.http_requests += 1;
        let (status, mut hdrs, body) = st.dispatch(method, path, headers, body);
        hdrs.push(("Content-Type".to_owned(), "application/json".to_owned()));
        (status, hdrs, body.to_string())
    }
}

impl State {
    fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn dispatch(&mut self, method: &str, path: &str, headers: &[(String, String)], body: &str) -> Answer {
        // The token: Graph's own (audience https://graph.microsoft.com), never another resource's.
        let token =
            Self::header(headers, "Authorization").and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("");
        if token.is_empty() {
            return error(401, "InvalidAuthenticationToken", "Access token is empty.");
        }
        let Some(permissions) = self.tokens.get(token).cloned() else {
            return error(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            );
        };
        if let Some(GraphFault::ThrottleBatch { retry_after_secs }) = self.faults.front().copied() {
            self.faults.pop_front();
            self.stats.throttled_requests += 1;
            let (s, mut h, b) = error(429, "TooManyRequests", "Too many requests.");
            if self.config.retry_after_header {
                h.push(("Retry-After".to_owned(), retry_after_secs.to_string()));
            }
            return (s, h, b);
        }
        match (method, path) {
            ("POST", "/v1.0/$batch") => self.batch(body, &permissions),
            ("GET", p) if p.starts_with("/v1.0/") => {
                self.stats.sub_requests += 1;
                self.get(&p["/v1.0".len()..], headers, &permissions, 1)
            }
            _ => error(400, "BadRequest", "Unsupported request in the Graph stand-in."),
        }
    }

    fn batch(&mut self, body: &str, permissions: &[String]) -> Answer {
        let Ok(parsed) = serde_json::from_str::<Value>(body) else {
            return error(400, "BadRequest", "Invalid batch payload format.");
        };
        let Some(requests) = parsed.get("requests").and_then(Value::as_array) else {
            return error(400, "BadRequest", "Invalid batch payload format.");
        };
        if requests.len() > 20 {
            return error(400, "BadRequest", "Too many requests in batch. Maximum of 20 requests allowed.");
        }
        self.stats.largest_batch = self.stats.largest_batch.max(requests.len());
        let mut throttle_at: HashMap<usize, u64> = HashMap::new();
        while let Some(GraphFault::ThrottleItem { position, retry_after_secs }) = self.faults.front().copied()
        {
            self.faults.pop_front();
            throttle_at.insert(position, retry_after_secs);
        }
        let mut responses = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            self.stats.sub_requests += 1;
            let id = r.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let url = r.get("url").and_then(Value::as_str).unwrap_or_default();
            let sub_headers: Vec<(String, String)> = r
                .get("headers")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect()
                })
                .unwrap_or_default();
            let (status, headers, body) = match throttle_at.get(&(i + 1)) {
                Some(secs) => {
                    self.stats.throttled_items += 1;
                    let (s, mut h, b) = error(429, "TooManyRequests", "Too many requests.");
                    if self.config.retry_after_header {
                        h.push(("Retry-After".to_owned(), secs.to_string()));
                    }
                    (s, h, b)
                }
                None if r.get("method").and_then(Value::as_str) != Some("GET") => {
                    error(400, "BadRequest", "Only GET is supported by the Graph stand-in.")
                }
                None => {
                    let url = if url.starts_with('/') { url.to_owned() } else { format!("/{url}") };
                    self.get(&url, &sub_headers, permissions, self.config.cost_per_request)
                }
            };
            let headers: serde_json::Map<String, Value> =
                headers.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
            responses.push(json!({ "id": id, "status": status, "headers": headers, "body": body }));
        }
        (200, Vec::new(), json!({ "responses": responses }))
    }

    /// Charges `cost` resource units now, or says how long until they fit the 10 s window.
    fn charge(&mut self, cost: u32) -> Result<(), u64> {
        let now = self.now_ms;
        while self.spent.front().is_some_and(|(t, _)| *t + 10_000 <= now) {
            self.spent.pop_front();
        }
        let used: u32 = self.spent.iter().map(|(_, c)| *c).sum();
        if used + cost <= self.config.resource_units_per_10s {
            self.spent.push_back((now, cost));
            return Ok(());
        }
        let oldest = self.spent.front().map_or(now, |(t, _)| *t);
        Err((oldest + 10_000 - now).div_ceil(1000).max(1))
    }

    fn get(&mut self, url: &str, headers: &[(String, String)], permissions: &[String], cost: u32) -> Answer {
        if let Err(secs) = self.charge(cost) {
            self.stats.throttled_items += 1;
            let (s, mut h, b) = error(429, "TooManyRequests", "Too many requests.");
            if self.config.retry_after_header {
                h.push(("Retry-After".to_owned(), secs.to_string()));
            }
            return (s, h, b);
        }
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let params: Vec<(String, String)> = crate::url::parse_query(query);
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        match path {
            "/organization" => (
                200,
                Vec::new(),
                json!({ "value": [{
                    "id": self.tenant_id,
                    "verifiedDomains": self.domains.iter().map(|d| json!({ "name": d, "isDefault": false, "isInitial": false, "type": "Managed" })).collect::<Vec<_>>(),
                }]}),
            ),
            "/users" => {
                if !permissions.iter().any(|p| p.eq_ignore_ascii_case(USER_READ_ALL)) {
                    return error(
                        403,
                        "Authorization_RequestDenied",
                        "Insufficient privileges to complete the operation.",
                    );
                }
                if let Some(token) = param("$skiptoken") {
                    return match self.pages.remove(&token) {
                        Some((ids, offset, select)) => self.page(ids, offset, select),
                        None => error(
                            400,
                            "Directory_ExpiredPageToken",
                            "The specified page token value has expired.",
                        ),
                    };
                }
                let filter = param("$filter").unwrap_or_default();
                let advanced = Self::header(headers, "ConsistencyLevel")
                    .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
                let lower = filter.to_ascii_lowercase();
                if !advanced
                    && (lower.contains("endswith(") || lower.contains("not(") || lower.contains(" ne "))
                {
                    return error(
                        400,
                        "Request_UnsupportedQuery",
                        "Unsupported or invalid query filter clause specified for property 'proxyAddresses' of resource 'User'.",
                    );
                }
                let (mail, proxy) = parse_filter(&filter);
                let case_sensitive = self.config.proxy_prefix_case_sensitive;
                let ids: Vec<usize> = self
                    .users
                    .iter()
                    .enumerate()
                    .filter(|(_, u)| {
                        mail.as_deref().is_some_and(|m| u.primary.eq_ignore_ascii_case(m))
                            || proxy
                                .as_deref()
                                .is_some_and(|p| proxies(u).iter().any(|x| proxy_eq(x, p, case_sensitive)))
                    })
                    .map(|(i, _)| i)
                    .collect();
                let select: Vec<String> = param("$select")
                    .map(|s| s.split(',').map(|c| c.trim().to_owned()).collect())
                    .unwrap_or_default();
                self.page(ids, 0, select)
            }
            _ => error(404, "Request_ResourceNotFound", "Resource not found in the Graph stand-in."),
        }
    }

    fn page(&mut self, ids: Vec<usize>, offset: usize, select: Vec<String>) -> Answer {
        let size = self.config.page_size.max(1);
        let end = (offset + size).min(ids.len());
        let value: Vec<Value> = ids[offset.min(end)..end]
            .iter()
            .filter_map(|i| self.users.get(*i))
            .map(|u| render(u, &select))
            .collect();
        let mut body =
            json!({ "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users", "value": value });
        if end < ids.len() {
            let token = format!("sim{}", self.next_page);
            self.next_page += 1;
            body["@odata.nextLink"] =
                json!(format!("https://graph.microsoft.com/v1.0/users?$skiptoken={token}"));
            self.pages.insert(token, (ids, end, select));
        }
        (200, Vec::new(), body)
    }
}

fn proxies(u: &GraphUserSpec) -> Vec<String> {
    std::iter::once(format!("SMTP:{}", u.primary))
        .chain(u.aliases.iter().map(|a| format!("smtp:{a}")))
        .collect()
}

fn proxy_eq(stored: &str, wanted: &str, prefix_case_sensitive: bool) -> bool {
    match (stored.split_once(':'), wanted.split_once(':')) {
        (Some((sp, sa)), Some((wp, wa))) => {
            let prefix = if prefix_case_sensitive { sp == wp } else { sp.eq_ignore_ascii_case(wp) };
            prefix && sa.eq_ignore_ascii_case(wa)
        }
        _ => stored.eq_ignore_ascii_case(wanted),
    }
}

/// The literal after `needle` (`'…'` with `''` for a quote).
fn literal_after(filter: &str, needle: &str) -> Option<String> {
    let start = filter.find(needle)? + needle.len();
    let rest = filter[start..].strip_prefix('\'')?;
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else {
                return Some(out);
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// `mail eq '…'` and `proxyAddresses/any(x:x eq '…')` of a filter.
fn parse_filter(filter: &str) -> (Option<String>, Option<String>) {
    (literal_after(filter, "mail eq "), literal_after(filter, "x:x eq "))
}

fn render(u: &GraphUserSpec, select: &[String]) -> Value {
    let all = json!({
        "id": format!("{:08x}-0000-4000-8000-000000000000", fnv(&u.primary)),
        "userPrincipalName": u.primary,
        "mail": u.primary,
        "displayName": u.primary.split('@').next().unwrap_or_default(),
        "accountEnabled": u.account_enabled,
        "userType": if u.guest { "Guest" } else { "Member" },
        "proxyAddresses": proxies(u),
        "assignedPlans": u.exchange_plan.iter().map(|s| json!({
            "assignedDateTime": "2026-01-05T09:00:00Z",
            "capabilityStatus": s,
            "service": "exchange",
            "servicePlanId": EXCHANGE_PLAN_ID,
        })).chain(std::iter::once(json!({
            "assignedDateTime": "2026-01-05T09:00:00Z",
            "capabilityStatus": "Enabled",
            "service": "SharePoint",
            "servicePlanId": "5dbe027f-2339-4123-9542-606e4d348a72",
        }))).collect::<Vec<_>>(),
        "provisionedPlans": u.provisioning.iter().map(|s| json!({
            "capabilityStatus": "Enabled",
            "provisioningStatus": s,
            "service": "exchange",
        })).collect::<Vec<_>>(),
    });
    // Without $select, Graph returns a default set that lacks most of these.
    let default = ["id", "userPrincipalName", "mail", "displayName"];
    let keep = |k: &str| {
        if select.is_empty() { default.contains(&k) } else { k == "id" || select.iter().any(|s| s == k) }
    };
    let mut out = serde_json::Map::new();
    if let Value::Object(map) = all {
        for (k, v) in map {
            if keep(&k) {
                out.insert(k, v);
            }
        }
    }
    Value::Object(out)
}

fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(g: &GraphSim, token: &str, body: Value) -> Value {
        let (s, _, b) = g.handle(
            "POST",
            "/v1.0/$batch",
            &[("Authorization".into(), format!("Bearer {token}"))],
            &body.to_string(),
        );
        assert_eq!(s, 200, "{b}");
        serde_json::from_str(&b).unwrap_or(Value::Null)
    }

    #[test]
    fn a_filter_finds_primary_and_secondary_addresses() {
        let g = GraphSim::new(&["contoso.com"], GraphConfig::default());
        g.set_user(GraphUserSpec::licensed("new@contoso.com").alias("old@contoso.com"));
        let t = g.issue_token("https://graph.microsoft.com/User.Read.All").unwrap_or_default();
        let url = "/users?$select=id,mail,proxyAddresses&$filter=mail%20eq%20'old%40contoso.com'%20or%20proxyAddresses/any(x:x%20eq%20'smtp:old%40contoso.com')";
        let out = call(&g, &t, json!({"requests": [{"id": "1", "method": "GET", "url": url}]}));
        assert_eq!(out["responses"][0]["body"]["value"][0]["mail"], "new@contoso.com");
        assert!(out["responses"][0]["body"]["value"][0].get("accountEnabled").is_none(), "not selected");
    }

    #[test]
    fn more_than_twenty_requests_are_refused() {
        let g = GraphSim::new(&["contoso.com"], GraphConfig::default());
        let t = g.issue_token("User.Read.All").unwrap_or_default();
        let reqs: Vec<Value> =
            (0..21).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/organization"})).collect();
        let (s, _, _) = g.handle(
            "POST",
            "/v1.0/$batch",
            &[("Authorization".into(), format!("Bearer {t}"))],
            &json!({"requests": reqs}).to_string(),
        );
        assert_eq!(s, 400);
    }

    #[test]
    fn without_consent_no_token_and_a_token_without_the_scope_is_refused() {
        let g = GraphSim::new(&["contoso.com"], GraphConfig { consented: false, ..GraphConfig::default() });
        let e =
            g.issue_token("openid https://graph.microsoft.com/User.Read.All").err().unwrap_or(Value::Null);
        assert_eq!(e["error_codes"][0], 65001);
        let t = g.issue_token("https://graph.microsoft.com/User.Read").unwrap_or_default();
        let out = call(
            &g,
            &t,
            json!({"requests": [{"id": "1", "method": "GET", "url": "/users?$filter=mail%20eq%20'a%40contoso.com'"}]}),
        );
        assert_eq!(out["responses"][0]["status"], 403);
        assert_eq!(out["responses"][0]["body"]["error"]["code"], "Authorization_RequestDenied");
        let (s, _, _) = g.handle(
            "POST",
            "/v1.0/$batch",
            &[("Authorization".into(), "Bearer dataverse-token".into())],
            "{}",
        );
        assert_eq!(s, 401, "a token of another audience");
    }

    #[test]
    fn the_resource_unit_budget_throttles_with_retry_after() {
        let g = GraphSim::new(
            &["contoso.com"],
            GraphConfig { resource_units_per_10s: 4, ..GraphConfig::default() },
        );
        let t = g.issue_token("User.Read.All").unwrap_or_default();
        let reqs: Vec<Value> = (1..=3).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users?$filter=mail%20eq%20'a%40contoso.com'"})).collect();
        let out = call(&g, &t, json!({"requests": reqs}));
        assert_eq!(out["responses"][2]["status"], 429);
        assert_eq!(out["responses"][2]["headers"]["Retry-After"], "10");
        g.advance(Duration::from_secs(10));
        let out = call(
            &g,
            &t,
            json!({"requests": [{"id": "1", "method": "GET", "url": "/users?$filter=mail%20eq%20'a%40contoso.com'"}]}),
        );
        assert_eq!(out["responses"][0]["status"], 200);
    }

    #[test]
    fn pages_link_to_graph_with_a_skiptoken() {
        let g = GraphSim::new(&["contoso.com"], GraphConfig { page_size: 1, ..GraphConfig::default() });
        g.add_user(GraphUserSpec::licensed("a@contoso.com"));
        g.add_user(GraphUserSpec::licensed("b@contoso.com").alias("a@contoso.com"));
        let t = g.issue_token("User.Read.All").unwrap_or_default();
        let url = "/users?$filter=mail%20eq%20'a%40contoso.com'%20or%20proxyAddresses/any(x:x%20eq%20'smtp:a%40contoso.com')";
        let out = call(&g, &t, json!({"requests": [{"id": "1", "method": "GET", "url": url}]}));
        let next = out["responses"][0]["body"]["@odata.nextLink"].as_str().unwrap_or_default().to_owned();
        assert!(next.starts_with("https://graph.microsoft.com/v1.0/users?$skiptoken="), "{next}");
        let rel = next.trim_start_matches("https://graph.microsoft.com/v1.0");
        let out = call(&g, &t, json!({"requests": [{"id": "1", "method": "GET", "url": rel}]}));
        assert_eq!(out["responses"][0]["body"]["value"][0]["mail"], "b@contoso.com");
    }
}
