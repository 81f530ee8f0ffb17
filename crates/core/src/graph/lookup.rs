//! The sans-IO lookup runner: which batch to send next, what an answer means, when to try again.
//!
//! [`Lookup`] is told the time (`poll_request(now)`, `handle_response(…, now)`, `poll_timeout()`),
//! like [`crate::bulk::Run`]. One batch is in flight at a time: a lookup of 5,000 mailboxes is 251
//! requests, far below Graph's limits (see `benches/graph_lookup.rs`), and one at a time keeps the
//! admin's other Graph use (the admin centre) unaffected.
//!
//! Throttling, mirroring [`crate::limits`]: a `429` on the whole batch, or on a sub-request (Graph
//! evaluates each one against the limits), pauses every request until its `Retry-After`, and the
//! throttled requests alone are sent again (the rest of the batch stands). Either is tried again up to
//! [`LookupConfig::max_tries`] times, and a wait longer than [`LookupConfig::max_wait`] is reported
//! instead of waited out. `@odata.nextLink` pages are followed only on Graph's v1.0 root.

use super::batch::{
    BatchItem, BatchResponse, GraphUser, MAX_BATCH, SubResponse, UsersPage, batch_request, graph_error, next_link_url,
    organization_query, user_query, verified_domains,
};
use crate::bulk::{Clock, Millis};
use crate::http::{Request, Response, Transport, TransportError};
use crate::json::FromJson;
use std::time::Duration;

/// A mailbox to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The Dataverse mailbox id.
    pub mailbox_id: String,
    /// Its SMTP address in Dynamics.
    pub address: String,
}

/// Limits of one lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupConfig {
    /// How often one request is sent while Graph answers `429` or drops it from a batch.
    pub max_tries: u32,
    /// Longest single wait accepted; a longer `Retry-After` ends the lookup with what it has.
    pub max_wait: Duration,
    /// Most pages followed for one address.
    pub max_pages: u32,
    /// Consecutive transport failures before the lookup stops.
    pub max_transport_failures: u32,
}

impl Default for LookupConfig {
    fn default() -> Self {
        Self { max_tries: 8, max_wait: Duration::from_secs(300), max_pages: 10, max_transport_failures: 3 }
    }
}

/// Why the lookup stopped before the end. The evidence is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// Graph refused for lack of permission: `403` with `Authorization_RequestDenied`
    /// ("Insufficient privileges to complete the operation"), i.e. nobody consented to
    /// `User.Read.All` for this app (or the token has no such scope). An administrator must consent.
    #[error("Microsoft Graph refused the lookup: an administrator must consent to User.Read.All ({code}: {message})")]
    ConsentMissing {
        /// Graph's error code.
        code: String,
        /// Graph's message.
        message: String,
    },
    /// `401`: the token expired, or is not for Graph (audience). Sign in again.
    #[error("Microsoft Graph did not accept the token ({code}: {message}); sign in again")]
    Unauthorized {
        /// Graph's error code (e.g. `InvalidAuthenticationToken`).
        code: String,
        /// Graph's message.
        message: String,
    },
    /// Graph asked for a pause longer than [`LookupConfig::max_wait`], or kept answering `429`.
    #[error("Microsoft Graph is throttling the lookup (Retry-After {retry_after_secs} s)")]
    Throttled {
        /// The last `Retry-After`.
        retry_after_secs: u64,
    },
    /// Any other non-success answer to a whole batch.
    #[error("Microsoft Graph answered HTTP {status}: {body_excerpt}")]
    Http {
        /// Status.
        status: u16,
        /// First part of the body.
        body_excerpt: String,
    },
    /// A success answer that is not a batch response.
    #[error("unexpected answer from Microsoft Graph: {reason}")]
    Decode {
        /// What was wrong (with its JSON path).
        reason: String,
        /// First part of the body.
        body_excerpt: String,
    },
    /// Graph could not be reached.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// Why one address could not be looked up (the others go on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// The sub-request's status (0: not sent or gave up).
    pub status: u16,
    /// Graph's error code, or what went wrong.
    pub code: String,
    /// Graph's message.
    pub message: String,
}

/// Counts for the progress line and the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// HTTP requests sent (batches).
    pub requests: u64,
    /// Requests inside them.
    pub sub_requests: u64,
    /// Whole batches answered `429`.
    pub throttled_batches: u64,
    /// Sub-requests answered `429`.
    pub throttled_items: u64,
    /// `@odata.nextLink` pages followed.
    pub pages_followed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Organization,
    Target(usize),
}

#[derive(Debug, Clone)]
struct Pending {
    key: Key,
    url: String,
    tries: u32,
    pages: u32,
    not_before: Millis,
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupOutcome {
    /// Per target, in order: the users that own its address, or why it could not be looked up.
    pub results: Vec<(Target, Result<Vec<GraphUser>, ItemError>)>,
    /// The tenant's verified domains (lower case), if read.
    pub domains: Option<Vec<String>>,
    /// Why it stopped early, if it did (the results then hold what came before).
    pub halted: Option<LookupError>,
    /// Counts.
    pub stats: Stats,
}

/// The lookup state machine. See the module docs.
#[derive(Debug, Clone)]
pub struct Lookup {
    config: LookupConfig,
    token: String,
    targets: Vec<Target>,
    found: Vec<Vec<GraphUser>>,
    errors: Vec<Option<ItemError>>,
    answered: Vec<bool>,
    domains: Option<Vec<String>>,
    /// Waiting to be sent, in order (a `Vec`: the wasm has no other `VecDeque`).
    queue: Vec<Pending>,
    in_flight: Option<Vec<Pending>>,
    paused_until: Option<Millis>,
    transport_failures: u32,
    halted: Option<LookupError>,
    stats: Stats,
}

fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}

fn retry_after_of(value: Option<&str>) -> Duration {
    let secs = value.and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(5);
    Duration::from_secs(secs.max(1))
}

fn is_consent_error(code: &str) -> bool {
    code == "Authorization_RequestDenied" || code == "ErrorAccessDenied" || code == "Forbidden"
}

impl Lookup {
    /// A lookup of `targets` (plus the tenant's domains) with the Graph `token`, starting at `now`.
    pub fn new(targets: Vec<Target>, token: &str, config: LookupConfig, now: Millis) -> Self {
        let mut queue = Vec::with_capacity(targets.len() + 1);
        queue.push(Pending { key: Key::Organization, url: organization_query(), tries: 0, pages: 0, not_before: now });
        for (i, t) in targets.iter().enumerate() {
            queue.push(Pending {
                key: Key::Target(i),
                url: user_query(&t.address),
                tries: 0,
                pages: 0,
                not_before: now,
            });
        }
        Self {
            config,
            token: token.to_owned(),
            found: vec![Vec::new(); targets.len()],
            errors: vec![None; targets.len()],
            answered: vec![false; targets.len()],
            targets,
            domains: None,
            queue,
            in_flight: None,
            paused_until: None,
            transport_failures: 0,
            halted: None,
            stats: Stats::default(),
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Addresses answered so far, and how many there are.
    pub fn progress(&self) -> (usize, usize) {
        let mut open = vec![false; self.targets.len()];
        for p in self.queue.iter().chain(self.in_flight.iter().flatten()) {
            if let Key::Target(i) = p.key {
                open[i] = true;
            }
        }
        (open.iter().filter(|o| !**o).count(), self.targets.len())
    }

    /// While Graph asked for a pause: until when.
    pub fn paused_until(&self, now: Millis) -> Option<Millis> {
        self.paused_until.filter(|u| *u > now)
    }

    /// True when nothing is left to send or the lookup halted.
    pub fn is_done(&self) -> bool {
        self.halted.is_some() || (self.queue.is_empty() && self.in_flight.is_none())
    }

    /// The next batch to send at `now`, if any may go.
    pub fn poll_request(&mut self, now: Millis) -> Option<Request> {
        if self.halted.is_some() || self.in_flight.is_some() || self.paused_until(now).is_some() {
            return None;
        }
        let mut batch = Vec::new();
        let mut rest = Vec::with_capacity(self.queue.len());
        for p in std::mem::take(&mut self.queue) {
            if batch.len() < MAX_BATCH && p.not_before <= now {
                batch.push(p);
            } else {
                rest.push(p);
            }
        }
        self.queue = rest;
        if batch.is_empty() {
            return None;
        }
        let items: Vec<BatchItem> =
            batch.iter().enumerate().map(|(i, p)| BatchItem { id: (i + 1).to_string(), url: p.url.clone() }).collect();
        self.stats.requests += 1;
        self.stats.sub_requests += items.len() as u64;
        self.in_flight = Some(batch);
        Some(batch_request(&items, &self.token))
    }

    /// When to poll again while nothing may be sent (a pause or a sub-request's `Retry-After`).
    pub fn poll_timeout(&self) -> Option<Millis> {
        if self.halted.is_some() || self.in_flight.is_some() {
            return None;
        }
        let earliest = self.queue.iter().map(|p| p.not_before).min()?;
        Some(self.paused_until.map_or(earliest, |u| u.max(earliest)))
    }

    fn give_up(&mut self, p: &Pending, error: ItemError) {
        if let Key::Target(i) = p.key {
            self.errors[i] = Some(error);
            self.answered[i] = true;
        }
    }

    /// Puts `p` back after a `429`, or gives up on it after too many tries.
    fn requeue_throttled(&mut self, mut p: Pending, wait: Duration, now: Millis) {
        p.tries += 1;
        if p.tries >= self.config.max_tries || wait > self.config.max_wait {
            let secs = wait.as_secs();
            self.give_up(
                &p,
                ItemError { status: 429, code: "Throttled".to_owned(), message: format!("Retry-After {secs} s") },
            );
            if wait > self.config.max_wait {
                self.halted = Some(LookupError::Throttled { retry_after_secs: secs });
            }
            return;
        }
        p.not_before = now.plus(wait);
        self.queue.push(p);
    }

    /// Takes the answer to the batch in flight.
    pub fn handle_response(&mut self, answer: Result<Response, TransportError>, now: Millis) {
        let Some(batch) = self.in_flight.take() else { return };
        let response = match answer {
            Ok(r) => r,
            Err(e) => {
                self.transport_failures += 1;
                if self.transport_failures >= self.config.max_transport_failures {
                    self.halted = Some(LookupError::Transport(e));
                } else {
                    // Back at the front, in their order.
                    let mut again = batch;
                    for p in &mut again {
                        p.not_before = now.plus(Duration::from_secs(2));
                    }
                    again.append(&mut self.queue);
                    self.queue = again;
                }
                return;
            }
        };
        self.transport_failures = 0;
        let body = || crate::json::parse(&response.body).unwrap_or(serde_json::Value::Null);
        match response.status {
            200 => {}
            429 => {
                self.stats.throttled_batches += 1;
                let wait = retry_after_of(response.header("Retry-After"));
                if wait > self.config.max_wait {
                    self.halted = Some(LookupError::Throttled { retry_after_secs: wait.as_secs() });
                    return;
                }
                let until = now.plus(wait);
                self.paused_until = Some(self.paused_until.map_or(until, |u| u.max(until)));
                let mut again = batch;
                for p in &mut again {
                    p.tries += 1;
                }
                again.append(&mut self.queue);
                self.queue = again;
                if self.queue.iter().any(|p| p.tries >= self.config.max_tries) {
                    self.halted = Some(LookupError::Throttled { retry_after_secs: wait.as_secs() });
                }
                return;
            }
            401 => {
                let (code, message) = graph_error(&body());
                self.halted = Some(LookupError::Unauthorized { code, message });
                return;
            }
            403 => {
                let (code, message) = graph_error(&body());
                self.halted = Some(LookupError::ConsentMissing { code, message });
                return;
            }
            status => {
                self.halted = Some(LookupError::Http { status, body_excerpt: excerpt(&response.body) });
                return;
            }
        }
        let parsed = crate::json::parse(&response.body).and_then(|v| BatchResponse::from_json(&v));
        let answers = match parsed {
            Ok(b) => b.responses,
            Err(e) => {
                self.halted =
                    Some(LookupError::Decode { reason: e.to_string(), body_excerpt: excerpt(&response.body) });
                return;
            }
        };
        for (i, p) in batch.into_iter().enumerate() {
            let id = (i + 1).to_string();
            match answers.iter().find(|a| a.id == id) {
                Some(a) => self.handle_sub(p, a, now),
                // A request the answer does not mention is sent again.
                None => self.requeue_throttled(p, Duration::from_secs(1), now),
            }
            if self.halted.is_some() {
                return;
            }
        }
    }

    fn handle_sub(&mut self, mut p: Pending, a: &SubResponse, now: Millis) {
        match a.status {
            200 => match p.key {
                Key::Organization => match verified_domains(&a.body) {
                    Ok(d) => self.domains = Some(d),
                    // The domains only sharpen "user missing" into "other tenant"; without them the
                    // lookup goes on.
                    Err(_) => self.domains = None,
                },
                Key::Target(i) => match UsersPage::from_json(&a.body) {
                    Ok(page) => {
                        self.found[i].extend(page.users);
                        self.answered[i] = true;
                        if let Some(link) = page.next_link {
                            match next_link_url(&link) {
                                Some(url) if p.pages + 1 < self.config.max_pages => {
                                    self.answered[i] = false;
                                    self.stats.pages_followed += 1;
                                    p.url = url;
                                    p.pages += 1;
                                    p.tries = 0;
                                    self.queue.push(p);
                                }
                                Some(_) => {}
                                None => self.give_up(
                                    &p,
                                    ItemError {
                                        status: 200,
                                        code: "NextLinkOffGraph".to_owned(),
                                        message: format!(
                                            "the next page's link does not name Graph: {}",
                                            excerpt(&link)
                                        ),
                                    },
                                ),
                            }
                        }
                    }
                    Err(e) => {
                        self.give_up(&p, ItemError { status: 200, code: "Decode".to_owned(), message: e.to_string() });
                    }
                },
            },
            429 => {
                self.stats.throttled_items += 1;
                let wait = retry_after_of(a.header("Retry-After"));
                // The budget is the app's in this tenant, not the request's: sending others meanwhile
                // would only spend it and meet more 429s. Everything waits, as `limits::Patient` does.
                let until = now.plus(wait);
                if wait <= self.config.max_wait {
                    self.paused_until = Some(self.paused_until.map_or(until, |u| u.max(until)));
                }
                self.requeue_throttled(p, wait, now);
            }
            401 => {
                let (code, message) = a.error();
                self.halted = Some(LookupError::Unauthorized { code, message });
            }
            403 => {
                let (code, message) = a.error();
                if is_consent_error(&code) || matches!(p.key, Key::Target(_)) {
                    self.halted = Some(LookupError::ConsentMissing { code, message });
                }
            }
            status => {
                let (code, message) = a.error();
                self.give_up(&p, ItemError { status, code, message });
            }
        }
    }

    /// The results so far (all of them once [`Lookup::is_done`]).
    pub fn outcome(&self) -> LookupOutcome {
        let results = self
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let r = match &self.errors[i] {
                    Some(e) => Err(e.clone()),
                    // Never answered (the lookup halted first, or is still running): not "no user".
                    None if !self.answered[i] => Err(ItemError {
                        status: 0,
                        code: "NotLookedUp".to_owned(),
                        message: "the lookup stopped before this address was answered".to_owned(),
                    }),
                    None => Ok(self.found[i].clone()),
                };
                (t.clone(), r)
            })
            .collect();
        LookupOutcome { results, domains: self.domains.clone(), halted: self.halted.clone(), stats: self.stats }
    }
}

/// Runs `lookup` to its end with any transport and clock; `on_progress` sees it after every answer.
pub async fn run(
    mut lookup: Lookup,
    transport: &impl Transport,
    clock: &impl Clock,
    mut on_progress: impl FnMut(&Lookup),
) -> LookupOutcome {
    loop {
        let now = clock.now();
        if let Some(request) = lookup.poll_request(now) {
            let answer = transport.send(request).await;
            lookup.handle_response(answer, clock.now());
            on_progress(&lookup);
        } else if let Some(at) = lookup.poll_timeout() {
            let now = clock.now();
            if at > now {
                clock.sleep(at.since(now)).await;
            }
        } else {
            break;
        }
    }
    lookup.outcome()
}
