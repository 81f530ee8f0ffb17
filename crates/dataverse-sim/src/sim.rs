//! The state engine handle: [`Sim`], its builder, and the shared [`State`] behind a mutex.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::config::Config;
use crate::faults::{Fault, FaultQueue};
use crate::ids::{Guid, Rng};
use crate::journal::JournalEntry;
use crate::limits::Limiter;
use crate::oauth::Authority;
use crate::scenario::Scenario;
use crate::store::{ExchangeFacts, Org};
use crate::time::Clock;

/// A running simulator: a cheap, cloneable handle to shared state.
#[derive(Clone, Debug)]
pub struct Sim {
    pub(crate) inner: Arc<Mutex<State>>,
}

/// A browser session (the `CrmOwinAuth` cookie).
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) org: usize,
    pub(crate) user: Guid,
    pub(crate) serial: u64,
}

/// Everything the simulator knows.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) orgs: Vec<Org>,
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) session_serial: u64,
    /// While set, sessions with a serial at or below it are expired.
    pub(crate) expired_upto: Option<u64>,
    pub(crate) clock: Clock,
    pub(crate) static_dir: Option<PathBuf>,
    pub(crate) rng: Rng,
    pub(crate) journal: Vec<JournalEntry>,
    pub(crate) faults: FaultQueue,
    pub(crate) limiter: Limiter,
    pub(crate) authority: Authority,
    /// API requests seen so far (for "expire the session after N requests").
    pub(crate) api_requests: u64,
    /// Bumped by every outage: a request that arrived under an older value loses its answer.
    pub(crate) outage_epoch: u64,
    /// While true, every request fails at the transport ([`Sim::set_network_down`]).
    pub(crate) network_down: bool,
    /// (org, row id) → successful API writes (PATCH) of the row, for tests that count doubled writes.
    pub(crate) api_writes: HashMap<(usize, Guid), u32>,
    /// How discovery lists each org, and which refuse the caller (issue 15).
    pub(crate) tenant: crate::tenant::Tenant,
    /// The Microsoft Graph stand-in answering `graph.microsoft.com` ([`Sim::attach_graph`]).
    pub(crate) graph: Option<crate::graph::GraphSim>,
}

impl State {
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Runs background work that is due (Test & Enable jobs).
    pub(crate) fn tick(&mut self) {
        let now = self.now();
        let config = self.config.clone();
        for org in &mut self.orgs {
            crate::ops::test_enable::tick(org, now, &config);
            crate::ops::sync::tick(org, now);
        }
    }

    pub(crate) fn new_session(&mut self, org: usize) -> String {
        let token = self.rng.token();
        self.session_serial += 1;
        let user = self.orgs.get(org).map(|o| o.caller).unwrap_or(Guid(0));
        self.sessions.insert(token.clone(), Session { org, user, serial: self.session_serial });
        token
    }

    pub(crate) fn session_valid(&self, s: &Session) -> bool {
        self.expired_upto.is_none_or(|upto| s.serial > upto)
    }
}

/// Builds a [`Sim`].
#[derive(Debug, Default)]
pub struct SimBuilder {
    orgs: Vec<(String, Scenario)>,
    config: Config,
    static_dir: Option<PathBuf>,
}

impl SimBuilder {
    /// Adds an org reachable at `<prefix>.crm.dynamics.com` (any `*.dynamics.com` suffix): the Host header's
    /// first label selects the org. Requests to 127.0.0.1 / localhost go to the first org added.
    pub fn org(mut self, host_prefix: &str, scenario: Scenario) -> Self {
        self.orgs.push((host_prefix.to_ascii_lowercase(), scenario));
        self
    }

    /// Replaces the configuration.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Serves files from `dir` under `/syncready/` (the web-app mode of the extension build).
    pub fn static_dir(mut self, dir: PathBuf) -> Self {
        self.static_dir = Some(dir);
        self
    }

    /// Builds the simulator. With no org added, a demo org "contoso" is added.
    pub fn build(self) -> Sim {
        let clock = Clock::new(self.config.clock.clone());
        let now = clock.now_ms();
        let mut orgs_in = self.orgs;
        if orgs_in.is_empty() {
            orgs_in.push(("contoso".to_string(), Scenario::demo()));
        }
        let orgs = orgs_in.iter().map(|(prefix, sc)| sc.build(prefix, now, &self.config)).collect();
        let rng = Rng::new(self.config.seed);
        let state = State {
            limiter: Limiter::default(),
            authority: Authority::default(),
            orgs,
            sessions: HashMap::new(),
            session_serial: 0,
            expired_upto: None,
            clock,
            static_dir: self.static_dir,
            rng,
            journal: Vec::new(),
            faults: FaultQueue::default(),
            api_requests: 0,
            outage_epoch: 0,
            network_down: false,
            api_writes: HashMap::new(),
            tenant: crate::tenant::Tenant::default(),
            graph: None,
            config: self.config,
        };
        Sim { inner: Arc::new(Mutex::new(state)) }
    }
}

impl Sim {
    /// Serves `graph` on `graph.microsoft.com` (by Host, like the orgs) and lets the built-in
    /// authority issue Graph tokens from a refresh token (issue 16).
    pub fn attach_graph(&self, graph: crate::graph::GraphSim) {
        self.lock().graph = Some(graph);
    }

    /// The attached Graph stand-in.
    pub fn graph(&self) -> Option<crate::graph::GraphSim> {
        self.lock().graph.clone()
    }

    /// A builder.
    pub fn builder() -> SimBuilder {
        SimBuilder::default()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent-enough test data; keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// While `expired` is true, every session that exists now is invalid (new sign-ins still work).
    pub fn set_session_expired(&self, expired: bool) {
        let mut st = self.lock();
        st.expired_upto = expired.then_some(st.session_serial);
    }

    /// While `down` is true, every request fails at the transport: those in flight when it is switched
    /// on (their operations already ran) and every new one (not run). In-process the answers carry the
    /// drop marker; [`crate::serve`] drops the connections, so a browser's `fetch` rejects.
    pub fn set_network_down(&self, down: bool) {
        let mut st = self.lock();
        if down {
            st.outage_epoch += 1;
        }
        st.network_down = down;
    }

    /// How many times the API wrote each row (successful `PATCH`, direct or in a `$batch`), by row id,
    /// in the org with this prefix: the simulator's own count, independent of what any client decoded.
    pub fn api_writes(&self, host_prefix: &str) -> HashMap<String, u32> {
        let st = self.lock();
        let Some(idx) = st.orgs.iter().position(|o| o.prefix == host_prefix) else {
            return HashMap::new();
        };
        st.api_writes
            .iter()
            .filter(|((o, _), _)| *o == idx)
            .map(|((_, id), n)| (id.to_string(), *n))
            .collect()
    }

    /// Moves the clock forward and runs background work that became due.
    pub fn advance(&self, by: Duration) {
        let mut st = self.lock();
        st.clock.advance(by);
        st.tick();
    }

    /// Now, as the Web API would write it (`2026-11-20T09:00:00Z`).
    pub fn now(&self) -> String {
        crate::time::iso(self.lock().now())
    }

    /// Queues a fault; faults fire in the order added, each on the requests it matches.
    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Every request seen so far, in order.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.lock().journal.clone()
    }

    /// Requests nothing answered (404 from the simulator's fallback). Tests should assert it is empty.
    pub fn unexpected_requests(&self) -> Vec<JournalEntry> {
        self.lock().journal.iter().filter(|j| j.unexpected).cloned().collect()
    }

    /// Faults still waiting to fire (all their `times`).
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.lock().faults.pending()
    }

    /// Checks the run the wiremock way: no request hit the loud 404 and every injected fault fired.
    /// The error lists what went wrong, one line each.
    pub fn verify(&self) -> Result<(), String> {
        let mut problems: Vec<String> = self
            .unexpected_requests()
            .iter()
            .map(|j| {
                format!(
                    "unexpected request: {} {}{}{} → {}",
                    j.method,
                    j.path,
                    if j.query.is_empty() { "" } else { "?" },
                    j.query,
                    j.status
                )
            })
            .collect();
        problems.extend(self.pending_faults().iter().map(|f| format!("fault never fired: {f:?}")));
        if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
    }

    /// A new session cookie value for the org with this prefix (as if the user opened `/main.aspx`).
    pub fn sign_in(&self, host_prefix: &str) -> Option<String> {
        let mut st = self.lock();
        let idx = st.orgs.iter().position(|o| o.prefix == host_prefix)?;
        Some(st.new_session(idx))
    }

    /// Sets the Exchange-side facts of the mailbox with this address (case-insensitive) in the org with
    /// this prefix; they decide how the next Test & Enable ends. Returns false when there is no such
    /// mailbox.
    pub fn set_exchange_facts(&self, host_prefix: &str, email: &str, facts: ExchangeFacts) -> bool {
        let mut st = self.lock();
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
        org.exchange.insert(id, facts);
        true
    }

    /// The org's id, business unit id, tenant id and caller id, for assertions.
    pub fn org_ids(&self, host_prefix: &str) -> Option<OrgIds> {
        let st = self.lock();
        let o = st.orgs.iter().find(|o| o.prefix == host_prefix)?;
        Some(OrgIds {
            organization_id: o.org_id.to_string(),
            business_unit_id: o.bu_id.to_string(),
            tenant_id: o.tenant_id.to_string(),
            caller_id: o.caller.to_string(),
        })
    }
}

/// Well-known ids of one org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgIds {
    /// `organizationid`.
    pub organization_id: String,
    /// The root business unit.
    pub business_unit_id: String,
    /// The Entra ID tenant.
    pub tenant_id: String,
    /// The signed-in caller's `systemuserid`.
    pub caller_id: String,
}
