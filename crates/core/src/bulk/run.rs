//! The sans-IO run: a state machine told the time, in the style of quinn-proto.
//!
//! The shell loops: [`Run::poll_request`] until it returns `None` (sending each request), then waits for
//! an answer or until [`Run::poll_timeout`], handing answers back with [`Run::handle_response`]. Every
//! write batch ends with read-back GETs of the records it wrote (requests in a batch run in order), so
//! verifying costs no extra round trip; a separate read-back settles ambiguous outcomes before any
//! resend. Requests are `$batch` POSTs with `Prefer: odata.continue-on-error`.
//!
//! # Pacing
//!
//! The service protection limits (reference §10) count, per user over a sliding window of 300 s,
//! requests (6000) and combined execution time (1,200,000 ms), and allow 52 concurrent requests. The run
//! keeps its own ledger of them (`ledger`): it sends at full concurrency
//! ([`RunConfig::max_in_flight`]) while what it spent in the window, plus what its requests in flight are
//! expected to cost, fits its share ([`RunConfig::execution_budget`], [`RunConfig::request_budget`]), and
//! otherwise sends nothing and reports in [`Run::poll_timeout`] when enough of the window will have slid
//! past. A run that fits one window's allowance therefore runs at full concurrency from start to end,
//! and a longer one spends the allowance and then paces itself, instead of waiting for 429s. The 429
//! handling stays as the safety net for when other tabs of the same user spent the allowance.

use super::action::{Entity, Field};
use super::plan::{Plan, PlanItem};
use super::progress::{Halt, ItemOutcome, ItemState, Progress, TestReport};
use super::{Millis, WHO_CAN_APPROVE};
use crate::error::{DataverseError, Error};
use crate::http::{Request, Response, TransportError};
use crate::model::TestStatus;
use crate::odata::batch::{self, BatchEntry};
use crate::odata::{Query, check_response, decode_collection, decode_json};
use ledger::{Ledger, Sent, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

mod ledger;

/// Tuning of a run. [`RunConfig::default`] suits the documented service protection limits.
///
/// Fields missing from a saved configuration (one saved by an older version) take their default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunConfig {
    /// Writes per `$batch` (at most 1000 operations per batch including read-backs). A batch counts once
    /// toward the 6000-requests limit, but its operations run one after another on the server, so very
    /// large batches only add latency, and their execution time arrives at the limit in large lumps.
    /// 75 writes (about 4.5 s of execution) measured best in `benches/bulk_approve.rs` once its
    /// ceiling counted busy time as the simulator does (arrival to completion; of 40, 50, 60, 75 and
    /// 100, at 10,000 approvals: 85, 85, 85, 87 and 85 % of the ceiling; at 50,000 the same as 50). When fewer
    /// writes are left than fill every batch in flight, batches shrink (down to a fifth of this) so the
    /// rest spreads over all of them instead of leaving the end of the run to a few full batches.
    pub batch_size: usize,
    /// Record ids per read-back GET (`Microsoft.Dynamics.CRM.In`); keeps URLs short.
    pub read_chunk: usize,
    /// Attempts per write before a retriable failure (429/5xx inside a batch) becomes the item's failure.
    pub max_attempts: u32,
    /// Batches in flight at most. The service allows 52 concurrent requests per user and refuses the
    /// 53rd at once; the default of 48 leaves 4 for the user's own Dynamics tabs, which count toward
    /// the same limit. The operations of a batch run one after another on the server, so each batch in
    /// flight spends up to one second of execution time per second: 48 in flight would spend the
    /// window's 1,200,000 ms in about 25 s, and it is the ledger ([`RunConfig::execution_budget`]) that
    /// then paces the run. After a 429 nothing new is sent until `Retry-After` has passed; then the run
    /// resumes one below the concurrency that hit the limit and widens by one per answer. Once an
    /// answer carries the service's recommended degree of parallelism (`x-ms-dop-hint`), that lowers
    /// this further ([`Run::max_in_flight`]).
    pub max_in_flight: usize,
    /// Send `Prefer: odata.continue-on-error` so one failed item does not stop its batch.
    pub continue_on_error: bool,
    /// Read every write back; without it a 2xx counts as success (not recommended).
    pub verify: bool,
    /// Test & Enable that has not finished after this long is declared stuck. The service retries a
    /// transient failure of the test up to 10 times, 5 minutes apart, before it gives up (reference
    /// §6), so the default of 55 minutes never calls a mailbox stuck while the service is still retrying.
    pub stuck_after: Duration,
    /// How often a stuck mailbox is still looked at: it is watched at this slower pace (rather than
    /// dropped) for [`RunConfig::stuck_watch`], and its result replaces "stuck" when one comes.
    pub stuck_poll_interval: Duration,
    /// How long a stuck mailbox is still watched after it was declared stuck.
    pub stuck_watch: Duration,
    /// A request unanswered after this long is abandoned (the shell drops it, which aborts the
    /// `fetch`): its outcome is then unknown, and its writes are read back before any resend. Without it
    /// a request the network swallowed (a laptop asleep, a VPN switch, a redirect to an unreachable
    /// sign-in host that never settles) would hold the run for ever. The default of 3 minutes is well
    /// above what a batch of writes takes (seconds), and above the 2 minutes after which the service
    /// itself gives up on an operation.
    pub request_timeout: Duration,
    /// When every request fails at the transport (no HTTP answer at all) for this long, the run halts
    /// with [`Halt::Unreachable`] and the reason, so that the admin sees it and can resume, instead of
    /// it retrying unseen.
    pub unreachable_after: Duration,
    /// A request older than this counts as slow: [`Progress::waiting_since`] then says since when the
    /// run has been waiting for Dataverse.
    pub slow_after: Duration,
    /// How often Test & Enable results are polled.
    pub poll_interval: Duration,
    /// First backoff after a 5xx or a dropped connection; doubles per consecutive failure.
    pub backoff_base: Duration,
    /// Longest backoff.
    pub backoff_max: Duration,
    /// The sliding window of the service protection limits (300 s).
    pub limit_window: Duration,
    /// Execution time the run may spend per window, counted as the time from sending each request to
    /// its answer (at least its execution time on the server). The service allows 1,200,000 ms per
    /// user; the default of 1,000,000 ms leaves 200 s per window to what else runs as the same user (the
    /// admin's own Dynamics tabs, other tools), so that the run does not push them into 429s. A run whose
    /// execution fits this runs at full concurrency; a longer one is paced by the window.
    pub execution_budget: Duration,
    /// Requests the run may send per window. The service allows 6000 per user; the default of 5000
    /// leaves 1000 (more than 3 a second) to the user's other tabs. A `$batch` counts once.
    pub request_budget: u32,
    /// Also respect the `x-ms-ratelimit-burst-remaining-xrm-requests` and
    /// `x-ms-ratelimit-time-remaining-xrm-requests` headers when the service sends them: they count what
    /// the user's other tabs spent too. They are documented as for debugging only and may change, so
    /// they only ever hold the run back further than its own ledger, never let it go faster, and a run
    /// without them works the same.
    pub use_ratelimit_headers: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            batch_size: 75,
            read_chunk: 100,
            max_attempts: 5,
            max_in_flight: 48,
            continue_on_error: true,
            verify: true,
            stuck_after: Duration::from_secs(55 * 60),
            stuck_poll_interval: Duration::from_secs(5 * 60),
            stuck_watch: Duration::from_secs(60 * 60),
            request_timeout: Duration::from_secs(180),
            unreachable_after: Duration::from_secs(120),
            slow_after: Duration::from_secs(10),
            poll_interval: Duration::from_secs(30),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            limit_window: Duration::from_secs(300),
            execution_budget: Duration::from_millis(1_000_000),
            request_budget: 5000,
            use_ratelimit_headers: true,
        }
    }
}

/// Identifies a request handed out by [`Run::poll_request`], to match its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId(pub u64);

/// What a part of an outstanding batch is for.
#[derive(Debug, Clone)]
enum Role {
    Write(usize),
    ReadMailboxes(Vec<usize>),
    ReadOne(usize),
    Alerts(Vec<usize>),
}

#[derive(Debug, Clone)]
struct Outstanding {
    roles: Vec<Role>,
    /// What the ledger reserved for it.
    sent: Sent,
}

#[derive(Debug, Clone)]
struct Slot {
    outcome: ItemOutcome,
    in_request: Option<u64>,
    testing_since: Option<Millis>,
    want_alert: bool,
    read_failures: u32,
    /// While a stuck item is still watched: until when.
    watch_until: Option<Millis>,
}

/// A bulk run in progress. See the module docs for the loop that drives it.
#[derive(Debug, Clone)]
pub struct Run {
    plan: Plan,
    config: RunConfig,
    slots: Vec<Slot>,
    /// Requests sent and not yet answered, by id (a few: at most `max_in_flight`). A `Vec` rather than a
    /// map: a second `BTreeMap` instance (next to `serde_json`'s) costs the wasm more than a linear search.
    outstanding: Vec<(u64, Outstanding)>,
    counter: u64,
    not_before: Option<Millis>,
    cap: usize,
    /// The last request id handed out when a 429 came; only answers to later requests widen `cap` again.
    throttle_mark: u64,
    /// Concurrency to return to once a throttle pause is over: one less than when the 429 came.
    after_throttle: Option<usize>,
    consecutive_failures: u32,
    next_poll: Option<Millis>,
    halt: Option<Halt>,
    approvals_stopped: Option<String>,
    requests: u64,
    throttled: u64,
    retries: u64,
    /// The run's account of the service protection limits.
    ledger: Ledger,
    /// When the ledger lets the next request go, if it holds one back now.
    budget_until: Option<Millis>,
    /// Since when every request has failed at the transport (no HTTP answer), with the last error.
    failing: Option<(Millis, String)>,
    /// The latest time the run was told.
    now: Millis,
    /// The degree of parallelism the service recommends (`x-ms-dop-hint`), once an answer carried it.
    dop_hint: Option<usize>,
    /// When stuck items are next looked at.
    next_stuck_poll: Option<Millis>,
}

/// A compact, serialisable record of a run, enough to resume it without repeating applied writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Journal {
    /// Fingerprint of the plan the journal belongs to.
    pub digest: u64,
    /// One letter per item: `P` pending, `U` unknown (read back before resending), `W` written (applied,
    /// not verified), `T` testing, `S` succeeded, `F` failed, `K` skipped, `X` stuck.
    pub states: String,
    /// Items whose write is known to have applied (by index), when their state does not say so.
    pub applied: Vec<u32>,
    /// Failures and skips with their reason: (index, status, code, message).
    pub reasons: Vec<(u32, Option<u16>, Option<String>, String)>,
    /// When tracking of each testing item started.
    pub testing_since: Vec<(u32, u64)>,
    /// The approval refusal explanation, if approvals were stopped.
    pub approvals_stopped: Option<String>,
}

/// Why a journal cannot resume a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// The journal was written for another plan.
    #[error("the journal belongs to another plan")]
    PlanMismatch,
}

/// Columns read back from mailboxes: every column a bulk action writes plus the test results.
const MAILBOX_READ: &[&str] = &[
    "mailboxid",
    "emailaddress",
    "emailrouteraccessapproval",
    "isemailaddressapprovedbyo365admin",
    "_emailserverprofile_value",
    "incomingemaildeliverymethod",
    "outgoingemaildeliverymethod",
    "actdeliverymethod",
    "orgmarkedasprimaryforexchangesync",
    "processemailreceivedafter",
    "testemailconfigurationscheduled",
    "testmailboxaccesscompletedon",
    "incomingemailstatus",
    "outgoingemailstatus",
    "actstatus",
];

const ORG_READ: &[&str] = &[
    "organizationid",
    "_defaultemailserverprofileid_value",
    "defaultemailsettings",
    "emailconnectionchannel",
    "requireapprovalforuseremail",
    "requireapprovalforqueueemail",
];

fn fnv(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

/// A fingerprint of the plan's writes.
fn digest(plan: &Plan) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325;
    fnv(&mut h, plan.action.key().as_bytes());
    for item in &plan.items {
        fnv(&mut h, item.entity.set().as_bytes());
        fnv(&mut h, item.id.as_bytes());
        for c in &item.changes {
            fnv(&mut h, c.field.column().as_bytes());
            fnv(&mut h, c.after.to_string().as_bytes());
        }
    }
    h
}

/// A CrmSecurity refusal (0x80040256): as the error's code (SUP, ERRCODES), or only in its message
/// under another outer code, as the UI dialog showed it (reference §5, §13.4; simulator switch
/// `crm_security_code_in_message`).
fn is_crm_security(e: &DataverseError) -> bool {
    e.code.eq_ignore_ascii_case("0x80040256")
        || e.message.contains("CrmSecurity")
        || crate::text::fold(&e.message).contains("0x80040256")
}

fn code_of(e: &Error) -> (Option<u16>, Option<String>, String) {
    match e {
        Error::Http { status, dataverse: Some(d), .. } => (Some(*status), Some(d.code.clone()), d.message.clone()),
        Error::Http { status, body, .. } => (Some(*status), None, body.chars().take(300).collect()),
        Error::Throttled { retry_after_secs } => {
            (Some(429), None, format!("throttled; retry after {retry_after_secs} s"))
        }
        Error::SessionExpired { status } => (Some(*status), None, e.to_string()),
        other => (None, None, other.to_string()),
    }
}

/// The service's recommended degree of parallelism for the environment: "use the integer value returned
/// from the `x-ms-dop-hint` response header"
/// (<https://learn.microsoft.com/en-us/power-apps/developer/data-platform/send-parallel-requests>).
const DOP_HINT: &str = "x-ms-dop-hint";

fn retry_after(response: &Response) -> Duration {
    let secs = response.header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(5);
    Duration::from_secs(secs.max(1))
}

fn is_sign_in(response: &Response) -> bool {
    matches!(check_response(response), Err(Error::SessionExpired { .. }))
        || response.header("Content-Type").is_some_and(|t| t.to_ascii_lowercase().contains("text/html"))
}

impl Run {
    /// A run of `plan`.
    pub fn new(plan: Plan, config: RunConfig) -> Run {
        let slots = plan
            .items
            .iter()
            .map(|item| Slot {
                outcome: ItemOutcome {
                    id: item.id.clone(),
                    name: item.name.clone(),
                    state: ItemState::Pending,
                    attempts: 0,
                    status: None,
                    code: None,
                    message: None,
                    observed: Vec::new(),
                    applied: false,
                    test: None,
                    o365_admin_approved: None,
                },
                in_request: None,
                testing_since: None,
                want_alert: false,
                read_failures: 0,
                watch_until: None,
            })
            .collect();
        let cap = config.max_in_flight.max(1);
        Run {
            plan,
            config,
            slots,
            outstanding: Vec::new(),
            counter: 0,
            not_before: None,
            cap,
            throttle_mark: 0,
            after_throttle: None,
            consecutive_failures: 0,
            next_poll: None,
            halt: None,
            approvals_stopped: None,
            requests: 0,
            throttled: 0,
            retries: 0,
            ledger: Ledger::default(),
            budget_until: None,
            failing: None,
            now: Millis(0),
            dop_hint: None,
            next_stuck_poll: None,
        }
    }

    /// Continues a run from its journal: applied writes are not repeated, unknown outcomes are read back
    /// first, and tracking of running tests goes on. The ledger of the service protection limits starts
    /// empty (the journal's times belong to another clock): what the earlier run spent in the window is
    /// covered by the 429 handling and, when the service sends them, the ratelimit headers.
    pub fn resume(plan: Plan, journal: &Journal, config: RunConfig) -> Result<Run, ResumeError> {
        if journal.digest != digest(&plan) || journal.states.len() != plan.items.len() {
            return Err(ResumeError::PlanMismatch);
        }
        let mut run = Run::new(plan, config);
        run.approvals_stopped = journal.approvals_stopped.clone();
        for (slot, letter) in run.slots.iter_mut().zip(journal.states.bytes()) {
            let o = &mut slot.outcome;
            o.state = match letter {
                b'U' => ItemState::Unknown,
                b'W' => ItemState::Written,
                b'T' => ItemState::Testing,
                b'S' => ItemState::Succeeded,
                b'F' => ItemState::Failed,
                b'K' => ItemState::Skipped,
                b'X' => ItemState::Stuck,
                _ => ItemState::Pending,
            };
            o.applied =
                matches!(o.state, ItemState::Written | ItemState::Testing | ItemState::Succeeded | ItemState::Stuck);
        }
        for &i in &journal.applied {
            if let Some(s) = run.slots.get_mut(i as usize) {
                s.outcome.applied = true;
            }
        }
        for (i, status, code, message) in &journal.reasons {
            if let Some(s) = run.slots.get_mut(*i as usize) {
                s.outcome.status = *status;
                s.outcome.code = code.clone();
                s.outcome.message = Some(message.clone());
            }
        }
        for (i, since) in &journal.testing_since {
            if let Some(s) = run.slots.get_mut(*i as usize) {
                s.testing_since = Some(Millis(*since));
                s.outcome.test = Some(TestReport { scheduled: true, ..TestReport::default() });
            }
        }
        Ok(run)
    }

    /// The plan being run.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The compact journal of where every item stands.
    pub fn journal(&self) -> Journal {
        let mut states = String::with_capacity(self.slots.len());
        let mut applied = Vec::new();
        let mut reasons = Vec::new();
        let mut testing_since = Vec::new();
        for (i, s) in self.slots.iter().enumerate() {
            let o = &s.outcome;
            let idx = u32::try_from(i).unwrap_or(u32::MAX);
            states.push(match o.state {
                ItemState::Pending => 'P',
                // In flight: whether it applied is unknown until read back.
                ItemState::Sent | ItemState::Unknown => 'U',
                ItemState::Written => 'W',
                ItemState::Testing => 'T',
                ItemState::Succeeded => 'S',
                ItemState::Failed => 'F',
                ItemState::Skipped => 'K',
                ItemState::Stuck => 'X',
            });
            if o.applied && matches!(o.state, ItemState::Failed | ItemState::Skipped) {
                applied.push(idx);
            }
            if let (true, Some(m)) =
                (matches!(o.state, ItemState::Failed | ItemState::Skipped | ItemState::Stuck), &o.message)
            {
                reasons.push((idx, o.status, o.code.clone(), m.clone()));
            }
            if let (ItemState::Testing, Some(t)) = (o.state, s.testing_since) {
                testing_since.push((idx, t.0));
            }
        }
        Journal {
            digest: digest(&self.plan),
            states,
            applied,
            reasons,
            testing_since,
            approvals_stopped: self.approvals_stopped.clone(),
        }
    }

    /// Counts and outcomes.
    pub fn progress(&self) -> Progress {
        let mut p = Progress {
            requests: self.requests,
            throttled: self.throttled,
            retries: self.retries,
            approvals_stopped: self.approvals_stopped.clone(),
            halt: self.halt.clone(),
            waiting_since: self.waiting_since(),
            watching_stuck: self.slots.iter().filter(|s| s.watch_until.is_some()).count(),
            items: self.slots.iter().map(|s| s.outcome.clone()).collect(),
            ..Progress::default()
        };
        for s in &self.slots {
            match s.outcome.state {
                ItemState::Pending => p.pending += 1,
                ItemState::Sent => p.sent += 1,
                ItemState::Unknown => p.unknown += 1,
                ItemState::Written => p.written += 1,
                ItemState::Testing => p.testing += 1,
                ItemState::Succeeded => p.succeeded += 1,
                ItemState::Failed => p.failed += 1,
                ItemState::Skipped => p.skipped += 1,
                ItemState::Stuck => p.stuck += 1,
            }
            if s.outcome.state == ItemState::Succeeded && s.outcome.o365_admin_approved == Some(false) {
                p.o365_unset += 1;
            }
        }
        p
    }

    /// True when every item is final (including fetching alerts of failed tests) or the run halted.
    pub fn is_finished(&self) -> bool {
        self.halt.is_some()
            || (self.outstanding.is_empty()
                && self.slots.iter().all(|s| s.outcome.state.is_final() && !s.want_alert && s.watch_until.is_none()))
    }

    /// Since when the run has been waiting for Dataverse, when it is: every request has failed at the
    /// transport since then, or the oldest request in flight is older than [`RunConfig::slow_after`]
    /// (at the latest time the run was told).
    pub fn waiting_since(&self) -> Option<Millis> {
        if let Some((since, _)) = &self.failing {
            return Some(*since);
        }
        let oldest = self.outstanding.iter().map(|(_, o)| o.sent.at).min()?;
        (self.now.since(oldest) >= self.config.slow_after).then_some(oldest)
    }

    /// True while request `id` is in flight; false once it was answered or abandoned (the shell drops
    /// what it still holds for an abandoned request, which aborts it).
    pub fn is_in_flight(&self, id: RequestId) -> bool {
        self.outstanding.iter().any(|(k, _)| *k == id.0)
    }

    /// Batches in flight at most now: [`RunConfig::max_in_flight`], lowered to the service's
    /// recommended degree of parallelism (`x-ms-dop-hint`) once an answer carried one.
    pub fn max_in_flight(&self) -> usize {
        let most = self.config.max_in_flight.max(1);
        self.dop_hint.map_or(most, |hint| most.min(hint.max(1)))
    }

    /// Tells the run the time without an answer: requests older than [`RunConfig::request_timeout`]
    /// are abandoned (their outcome is unknown and settled by a read-back before any resend), and
    /// Test & Enable tracking moves on. [`Run::poll_request`] does this too.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.now = self.now.max(now);
        self.expire(now);
        self.tick(now);
    }

    fn expire(&mut self, now: Millis) {
        let timeout = self.config.request_timeout;
        let expired: Vec<u64> =
            self.outstanding.iter().filter(|(_, o)| now >= o.sent.at.plus(timeout)).map(|(k, _)| *k).collect();
        for id in expired {
            self.handle_response(now, RequestId(id), Err(TransportError::TimedOut(timeout.as_secs())));
        }
    }

    /// A request failed at the transport (no HTTP answer): after [`RunConfig::unreachable_after`] of
    /// nothing but such failures the run halts, visibly, instead of retrying unseen.
    fn transport_failed(&mut self, now: Millis, error: &TransportError) {
        let since = self.failing.as_ref().map_or(now, |f| f.0);
        self.failing = Some((since, error.to_string()));
        if self.halt.is_none() && now.since(since) >= self.config.unreachable_after {
            self.halt = Some(Halt::Unreachable { since, error: error.to_string() });
            // What is still in flight will not be waited for: its outcome is unknown, read back on resume.
            for (_, out) in std::mem::take(&mut self.outstanding) {
                self.ledger.answered(now, &out.sent, self.counter, false);
                self.release(&out, out.sent.id);
                self.requeue_writes(&out, ItemState::Unknown, false);
            }
        }
    }

    /// Clears the items' marks of being in request `id`.
    fn release(&mut self, out: &Outstanding, id: u64) {
        for role in &out.roles {
            let idxs: Vec<usize> = match role {
                Role::Write(i) | Role::ReadOne(i) => vec![*i],
                Role::ReadMailboxes(v) => v.clone(),
                Role::Alerts(_) => Vec::new(),
            };
            for i in idxs {
                if let Some(s) = self.slots.get_mut(i)
                    && s.in_request == Some(id)
                {
                    s.in_request = None;
                }
            }
        }
    }

    /// Why the run is paused or stopped, if it is.
    pub fn halt(&self) -> Option<&Halt> {
        self.halt.as_ref()
    }

    /// Requests handed out and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.outstanding.len()
    }

    /// Stops scheduling. Items not sent become skipped; items in unanswered requests become unknown (a
    /// resume reads them back). Answers that still arrive are used.
    pub fn cancel(&mut self) {
        self.halt = Some(Halt::Cancelled);
        for s in &mut self.slots {
            match s.outcome.state {
                ItemState::Pending => {
                    s.outcome.state = ItemState::Skipped;
                    s.outcome.message = Some("cancelled before it was sent".to_owned());
                }
                ItemState::Sent => s.outcome.state = ItemState::Unknown,
                _ => {}
            }
        }
    }

    /// After the admin signed in again (or the network is back): clears a session-expiry or
    /// unreachable halt so the run continues; items whose outcome is unknown are read back first.
    pub fn session_renewed(&mut self) {
        if matches!(self.halt, Some(Halt::SessionExpired { .. } | Halt::Unreachable { .. })) {
            self.halt = None;
            self.not_before = None;
            self.failing = None;
            self.consecutive_failures = 0;
        }
    }

    /// The earliest time something is due without an answer arriving: the end of a throttle or backoff
    /// pause, the time the ledger of the service protection limits lets the next request go, the next
    /// Test & Enable poll, or a stuck deadline. `None` when nothing is timed.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let mut t: Option<Millis> = None;
        let mut consider = |m: Millis| t = Some(t.map_or(m, |x| x.min(m)));
        // Requests in flight, halted or not: one that is never answered is abandoned at its deadline,
        // and one that turns slow is reported (`waiting_since`).
        for (_, o) in &self.outstanding {
            consider(o.sent.at.plus(self.config.request_timeout));
            let slow = o.sent.at.plus(self.config.slow_after);
            if slow > self.now {
                consider(slow);
            }
        }
        if self.halt.is_some() {
            return t;
        }
        if let Some(p) = self.not_before {
            consider(p);
        }
        if let Some(b) = self.budget_until {
            consider(b);
        }
        if self.slots.iter().any(|s| s.outcome.state == ItemState::Testing) {
            // The next poll only matters when a polled item is not already in a request.
            let free = self.slots.iter().any(|s| s.outcome.state == ItemState::Testing && s.in_request.is_none());
            if let (Some(p), true) = (self.next_poll, free) {
                consider(p);
            }
            for s in &self.slots {
                if let (ItemState::Testing, Some(since)) = (s.outcome.state, s.testing_since) {
                    consider(since.plus(self.config.stuck_after));
                }
            }
        }
        // Stuck items still watched: the next slow poll, and the end of each watch.
        let watched = self.slots.iter().filter(|s| s.outcome.state == ItemState::Stuck && s.watch_until.is_some());
        let mut free = false;
        for s in watched {
            free |= s.in_request.is_none();
            if let Some(w) = s.watch_until {
                consider(w);
            }
        }
        if let (true, Some(p)) = (free, self.next_stuck_poll) {
            consider(p);
        }
        t
    }

    fn tick(&mut self, now: Millis) {
        let stuck_after = self.config.stuck_after;
        for s in &mut self.slots {
            if s.outcome.state == ItemState::Stuck && s.watch_until.is_some_and(|w| now >= w) {
                s.watch_until = None;
            }
            if s.outcome.state != ItemState::Testing {
                continue;
            }
            let since = *s.testing_since.get_or_insert(now);
            if now.since(since) >= stuck_after {
                s.outcome.state = ItemState::Stuck;
                s.outcome.message =
                    Some(format!("Test & Enable had not finished after {} minutes", stuck_after.as_secs() / 60));
                s.want_alert = true;
                // Still watched, at a slower pace: a late result replaces "stuck".
                s.watch_until = Some(now.plus(self.config.stuck_watch));
                if self.next_stuck_poll.is_none() {
                    self.next_stuck_poll = Some(now.plus(self.config.stuck_poll_interval));
                }
            }
        }
    }

    /// Execution time (ms, send to answer) the run has spent in the limits' window at `now`, and what
    /// its requests in flight are expected to cost.
    pub fn execution_in_window(&self, now: Millis) -> (u64, u64) {
        (self.ledger.spent(now, self.config.limit_window), self.ledger.reserved())
    }

    /// Requests the run has sent in the limits' window at `now`.
    pub fn requests_in_window(&self, now: Millis) -> usize {
        self.ledger.requests(now, self.config.limit_window)
    }

    /// The next request to send now, if any.
    pub fn poll_request(&mut self, now: Millis) -> Option<(RequestId, Request)> {
        self.budget_until = None;
        self.now = self.now.max(now);
        self.expire(now);
        self.tick(now);
        // A pause that is over is forgotten, so that `poll_timeout` never reports a time already past.
        if self.not_before.is_some_and(|t| now >= t) {
            self.not_before = None;
            // Throttling is over: resume just below the concurrency that ran into the limit.
            if let Some(cap) = self.after_throttle.take() {
                self.cap = self.cap.max(cap);
            }
        }
        if self.halt.is_some() || self.not_before.is_some_and(|t| now < t) || self.outstanding.len() >= self.cap {
            return None;
        }
        let (entries, roles, polled) = match self.read_back_batch().or_else(|| self.write_batch()) {
            Some((entries, roles)) => (entries, roles, false),
            None => {
                let (entries, roles) = self.poll_batch(now)?;
                (entries, roles, true)
            }
        };
        let writes = roles.iter().filter(|r| matches!(r, Role::Write(_))).count();
        let estimate = self.ledger.estimate(writes, roles.len());
        match self.ledger.check(now, estimate, self.outstanding.len(), &self.config) {
            Verdict::Send => {}
            Verdict::Until(t) => {
                self.budget_until = Some(t);
                return None;
            }
            Verdict::Answers => return None,
        }
        if polled {
            self.polled(now, &roles);
        }
        self.counter += 1;
        let id = self.counter;
        let sent = Sent { id, at: now, estimate, writes, operations: roles.len() };
        self.ledger.sent(&sent);
        for role in &roles {
            let idxs: Vec<usize> = match role {
                Role::Write(i) | Role::ReadOne(i) => vec![*i],
                Role::ReadMailboxes(v) => v.clone(),
                Role::Alerts(_) => Vec::new(),
            };
            for i in idxs {
                if let Some(s) = self.slots.get_mut(i) {
                    s.in_request = Some(id);
                    if matches!(role, Role::Write(_)) {
                        s.outcome.state = ItemState::Sent;
                        s.outcome.attempts += 1;
                    }
                }
            }
        }
        let out = Outstanding { roles, sent };
        match self.outstanding.iter_mut().find(|(k, _)| *k == id) {
            Some((_, old)) => *old = out,
            None => self.outstanding.push((id, out)),
        }
        self.requests += 1;
        Some((RequestId(id), batch::encode(id, &entries, self.config.continue_on_error)))
    }

    fn free(&self, i: usize) -> bool {
        self.slots.get(i).is_some_and(|s| s.in_request.is_none())
    }

    fn reads_for(&self, idxs: &[usize], entries: &mut Vec<BatchEntry>, roles: &mut Vec<Role>) {
        let mailboxes: Vec<usize> =
            idxs.iter().copied().filter(|&i| self.item(i).is_some_and(|it| it.entity == Entity::Mailbox)).collect();
        for chunk in mailboxes.chunks(self.config.read_chunk.max(1)) {
            let ids: Vec<String> =
                chunk.iter().filter_map(|&i| self.item(i)).map(|it| format!("'{}'", it.id)).collect();
            let query = Query::new("mailboxes").select(MAILBOX_READ).filter(format!(
                "Microsoft.Dynamics.CRM.In(PropertyName='mailboxid',PropertyValues=[{}])",
                ids.join(",")
            ));
            entries.push(BatchEntry::Single(query.request()));
            roles.push(Role::ReadMailboxes(chunk.to_vec()));
        }
        for &i in idxs {
            let Some(item) = self.item(i) else { continue };
            let path = match item.entity {
                Entity::Mailbox => continue,
                Entity::Organization => format!("organizations({})?$select={}", item.id, ORG_READ.join(",")),
                Entity::Profile => format!("emailserverprofiles({})?$select=emailserverprofileid,statecode", item.id),
            };
            entries.push(BatchEntry::Single(Request::get(path)));
            roles.push(Role::ReadOne(i));
        }
    }

    fn item(&self, i: usize) -> Option<&PlanItem> {
        self.plan.items.get(i)
    }

    fn read_back_batch(&self) -> Option<(Vec<BatchEntry>, Vec<Role>)> {
        let limit = (self.config.read_chunk.max(1) * 10).min(batch::MAX_OPERATIONS * 10);
        let idxs: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.free(i) && matches!(self.slots[i].outcome.state, ItemState::Unknown | ItemState::Written))
            .take(limit)
            .collect();
        if idxs.is_empty() {
            return None;
        }
        let (mut entries, mut roles) = (Vec::new(), Vec::new());
        self.reads_for(&idxs, &mut entries, &mut roles);
        Some((entries, roles))
    }

    fn write_batch(&self) -> Option<(Vec<BatchEntry>, Vec<Role>)> {
        let full = self.config.batch_size.clamp(1, batch::MAX_OPERATIONS / 2);
        let pending = |i: &usize| self.free(*i) && self.slots[*i].outcome.state == ItemState::Pending;
        // Near the end, spread what is left over every batch that may be in flight.
        // One scan, which stops once every lane could get a full batch (no count of all that is left).
        let lanes = self.cap.max(1);
        let enough = full.saturating_mul(lanes);
        let mut idxs: Vec<usize> = (0..self.slots.len()).filter(pending).take(enough).collect();
        let left = idxs.len();
        let size = if left >= enough { full } else { left.div_ceil(lanes).clamp((full / 5).max(1), full) };
        idxs.truncate(size);
        if idxs.is_empty() {
            return None;
        }
        let mut entries = Vec::new();
        let mut roles = Vec::new();
        for &i in &idxs {
            if let Some(item) = self.item(i) {
                entries.push(BatchEntry::Single(item.request()));
                roles.push(Role::Write(i));
            }
        }
        if self.config.verify {
            self.reads_for(&idxs, &mut entries, &mut roles);
        }
        Some((entries, roles))
    }

    /// The Test & Enable poll (and alert fetch) due now, if any; [`Run::polled`] records it as sent.
    fn poll_batch(&self, now: Millis) -> Option<(Vec<BatchEntry>, Vec<Role>)> {
        let alerts: Vec<usize> = (0..self.slots.len()).filter(|&i| self.slots[i].want_alert && self.free(i)).collect();
        let due = self.next_poll.is_none_or(|t| now >= t);
        let stuck_due = self.next_stuck_poll.is_none_or(|t| now >= t);
        let polled = |i: &usize| match self.slots[*i].outcome.state {
            ItemState::Testing => due,
            ItemState::Stuck => stuck_due && self.slots[*i].watch_until.is_some(),
            _ => false,
        };
        let testing: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.free(i) && polled(&i))
            .take(self.config.read_chunk.max(1) * 50)
            .collect();
        if testing.is_empty() && alerts.is_empty() {
            return None;
        }
        let (mut entries, mut roles) = (Vec::new(), Vec::new());
        if !testing.is_empty() {
            self.reads_for(&testing, &mut entries, &mut roles);
        }
        let ids: Vec<(usize, String)> = alerts.iter().filter_map(|&i| Some((i, self.item(i)?.id.clone()))).collect();
        for chunk in ids.chunks(crate::collect::ALERT_CHUNK) {
            let refs: Vec<&str> = chunk.iter().map(|(_, id)| id.as_str()).collect();
            entries.push(BatchEntry::Single(crate::collect::alerts_query(&refs).request()));
            roles.push(Role::Alerts(chunk.iter().map(|(i, _)| *i).collect()));
        }
        Some((entries, roles))
    }

    /// Records a poll batch of `roles` as sent at `now`: the next poll is due a poll interval later,
    /// and the alerts asked for are not asked again.
    fn polled(&mut self, now: Millis, roles: &[Role]) {
        let read = roles.iter().flat_map(|r| match r {
            Role::ReadMailboxes(v) => v.clone(),
            Role::ReadOne(i) => vec![*i],
            _ => Vec::new(),
        });
        let (mut testing, mut stuck) = (false, false);
        for i in read {
            match self.slots.get(i).map(|s| s.outcome.state) {
                Some(ItemState::Testing) => testing = true,
                Some(ItemState::Stuck) => stuck = true,
                _ => {}
            }
        }
        if testing {
            self.next_poll = Some(now.plus(self.config.poll_interval));
        }
        if stuck {
            self.next_stuck_poll = Some(now.plus(self.config.stuck_poll_interval));
        }
        for role in roles {
            if let Role::Alerts(idxs) = role {
                for &i in idxs {
                    if let Some(s) = self.slots.get_mut(i) {
                        s.want_alert = false;
                    }
                }
            }
        }
    }

    fn backoff(&mut self, now: Millis) {
        self.retries += 1;
        let exp = self.consecutive_failures.min(16);
        self.consecutive_failures += 1;
        let wait = self.config.backoff_base.saturating_mul(1u32 << exp).min(self.config.backoff_max);
        let until = now.plus(wait);
        self.not_before = Some(self.not_before.map_or(until, |t| t.max(until)));
    }

    /// Hands back the answer to request `id` (or why none came).
    pub fn handle_response(&mut self, now: Millis, id: RequestId, result: Result<Response, TransportError>) {
        self.now = self.now.max(now);
        let Some(pos) = self.outstanding.iter().position(|(k, _)| *k == id.0) else {
            return;
        };
        let (_, out) = self.outstanding.swap_remove(pos);
        self.release(&out, id.0);
        match &result {
            // Never sent: it does not count.
            Err(TransportError::Unavailable(_)) => self.ledger.unsent(&out.sent),
            answer => {
                let ran = matches!(answer, Ok(r) if (200..300).contains(&r.status));
                self.ledger.answered(now, &out.sent, self.counter, ran);
                if let (Ok(r), true) = (answer, self.config.use_ratelimit_headers) {
                    self.ledger.observe(&out.sent, r);
                }
            }
        }
        let response = match result {
            Ok(r) => r,
            Err(e @ TransportError::Unavailable(_)) => {
                // Nothing was sent.
                self.requeue_writes(&out, ItemState::Pending, false);
                self.backoff(now);
                self.transport_failed(now, &e);
                return;
            }
            Err(e) => {
                // Sent, and no answer (dropped, reset, or abandoned at its deadline): the writes may have
                // applied. A failing network says nothing about the records, so this does not count
                // toward giving up on reading them back; the run halts instead if it lasts.
                self.requeue_writes(&out, ItemState::Unknown, false);
                self.backoff(now);
                self.transport_failed(now, &e);
                return;
            }
        };
        self.failing = None;
        if let Some(hint) = response.header(DOP_HINT).and_then(|v| v.trim().parse::<usize>().ok())
            && hint > 0
        {
            self.dop_hint = Some(hint);
            self.cap = self.cap.min(self.max_in_flight());
            self.after_throttle = self.after_throttle.map(|c| c.min(self.max_in_flight()));
        }
        if response.status == 401 || is_sign_in(&response) {
            self.requeue_writes(&out, ItemState::Pending, true);
            self.halt = Some(Halt::SessionExpired { status: response.status });
            return;
        }
        if response.status == 429 {
            // Refused before running: nothing applied. One batch at a time until it flows again.
            self.throttled += 1;
            self.requeue_writes(&out, ItemState::Pending, true);
            let until = now.plus(retry_after(&response));
            self.not_before = Some(self.not_before.map_or(until, |t| t.max(until)));
            if id.0 > self.throttle_mark {
                // The first 429 of an episode (answers to requests sent before it belong to it too).
                let before = self.cap.max(self.outstanding.len() + 1);
                self.after_throttle = Some(before.saturating_sub(1).max(1));
            }
            self.cap = 1;
            self.throttle_mark = self.counter;
            return;
        }
        let parts = match batch::decode(&response) {
            Ok(parts) => parts,
            Err(_) if response.status >= 500 || (200..300).contains(&response.status) => {
                self.requeue_writes(&out, ItemState::Unknown, false);
                self.read_failed(&out.roles);
                self.backoff(now);
                return;
            }
            Err(_) => {
                // The service refused the whole batch (e.g. 400): every write failed as a whole.
                let err = check_response(&response).err();
                for role in &out.roles {
                    if let Role::Write(i) = role {
                        self.fail(*i, err.as_ref(), "the batch was refused".to_owned());
                    }
                }
                return;
            }
        };
        self.consecutive_failures = 0;
        if self.not_before.is_some_and(|t| now >= t) {
            self.not_before = None;
            // Throttling is over: resume just below the concurrency that ran into the limit.
            if let Some(cap) = self.after_throttle.take() {
                self.cap = self.cap.max(cap);
            }
        }
        if id.0 > self.throttle_mark {
            self.cap = (self.cap + 1).min(self.max_in_flight());
        }
        let mut parts = parts.into_iter();
        for role in out.roles {
            let Some(part) = parts.next() else {
                // Fewer answers than operations: treat the rest as unanswered.
                if let Role::Write(i) = role {
                    self.set_state(i, ItemState::Unknown);
                }
                continue;
            };
            self.handle_part(now, role, &part.response);
        }
        if self.next_poll.is_none() && self.slots.iter().any(|s| s.outcome.state == ItemState::Testing) {
            self.next_poll = Some(now.plus(self.config.poll_interval));
        }
    }

    fn set_state(&mut self, i: usize, state: ItemState) {
        if let Some(s) = self.slots.get_mut(i) {
            s.outcome.state = state;
        }
    }

    /// Puts the writes of an unanswered batch back: `Pending` when they surely did not apply, `Unknown`
    /// when they may have. `uncount` gives the attempt back (the batch never ran).
    fn requeue_writes(&mut self, out: &Outstanding, state: ItemState, uncount: bool) {
        let cancelled = self.halt == Some(Halt::Cancelled);
        for role in &out.roles {
            if let Role::Write(i) = role
                && let Some(s) = self.slots.get_mut(*i)
                && s.outcome.state == ItemState::Sent
            {
                if uncount {
                    s.outcome.attempts = s.outcome.attempts.saturating_sub(1);
                }
                s.outcome.state = if cancelled && state == ItemState::Pending {
                    s.outcome.message = Some("cancelled before it was sent".to_owned());
                    ItemState::Skipped
                } else {
                    state
                };
            }
        }
    }

    /// Counts a failed read-back; an item that cannot be read back after many tries is failed.
    fn read_failed(&mut self, roles: &[Role]) {
        let limit = self.config.max_attempts.max(1) * 2;
        for role in roles {
            let idxs = match role {
                Role::ReadMailboxes(v) => v.clone(),
                Role::ReadOne(i) => vec![*i],
                _ => continue,
            };
            for i in idxs {
                let Some(s) = self.slots.get_mut(i) else { continue };
                if !matches!(s.outcome.state, ItemState::Unknown | ItemState::Written) {
                    continue;
                }
                s.read_failures += 1;
                if s.read_failures >= limit {
                    s.outcome.state = ItemState::Failed;
                    s.outcome.message = Some(format!(
                        "could not read the record back after {limit} tries; whether the change applied is unknown"
                    ));
                }
            }
        }
    }

    fn fail(&mut self, i: usize, err: Option<&Error>, fallback: String) {
        let Some(s) = self.slots.get_mut(i) else { return };
        let (status, code, message) = err.map(code_of).unwrap_or((None, None, fallback));
        s.outcome.state = ItemState::Failed;
        s.outcome.status = status;
        s.outcome.code = code;
        s.outcome.message = Some(message);
    }

    fn handle_part(&mut self, now: Millis, role: Role, response: &Response) {
        match role {
            Role::Write(i) => self.handle_write(i, response),
            Role::ReadMailboxes(idxs) => match decode_collection::<Value>(response, "mailboxes read-back") {
                Ok(page) => {
                    for i in idxs {
                        let id = self.item(i).map(|it| it.id.clone()).unwrap_or_default();
                        let row = page.value.iter().find(|r| {
                            r.get("mailboxid").and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(&id))
                        });
                        self.handle_row(now, i, row);
                    }
                }
                Err(e) => self.read_part_failed(&e, &[Role::ReadMailboxes(idxs)]),
            },
            Role::ReadOne(i) => match decode_json::<Value>(response, "read-back") {
                Ok(row) => self.handle_row(now, i, Some(&row)),
                Err(e) => self.read_part_failed(&e, &[Role::ReadOne(i)]),
            },
            Role::Alerts(idxs) => {
                if let Ok(page) = decode_collection::<crate::wire::TraceLog>(response, "tracelogs") {
                    for i in idxs {
                        let id = self.item(i).map(|it| it.id.clone()).unwrap_or_default();
                        let alert = page
                            .value
                            .iter()
                            .find(|a| a.regarding.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(&id)))
                            .and_then(|a| a.text.clone());
                        if let (Some(text), Some(s)) = (alert, self.slots.get_mut(i)) {
                            s.outcome.test.get_or_insert_with(TestReport::default).alert = Some(text.clone());
                            if matches!(s.outcome.state, ItemState::Failed | ItemState::Stuck) {
                                let m = s.outcome.message.take().unwrap_or_default();
                                s.outcome.message = Some(format!("{m}. Alert: {text}"));
                            }
                        }
                    }
                }
            }
        }
    }

    fn read_part_failed(&mut self, e: &Error, roles: &[Role]) {
        if let Error::SessionExpired { status } = e {
            self.halt = Some(Halt::SessionExpired { status: *status });
            return;
        }
        self.read_failed(roles);
    }

    fn handle_write(&mut self, i: usize, response: &Response) {
        let Some(state) = self.slots.get(i).map(|s| s.outcome.state) else { return };
        if state != ItemState::Sent {
            return;
        }
        let err = match check_response(response) {
            Ok(()) => {
                let verify = self.config.verify;
                if let Some(s) = self.slots.get_mut(i) {
                    s.outcome.applied = true;
                    s.outcome.state = if verify { ItemState::Written } else { ItemState::Succeeded };
                }
                return;
            }
            Err(e) => e,
        };
        match &err {
            Error::SessionExpired { status } => {
                self.set_state(i, ItemState::Pending);
                if let Some(s) = self.slots.get_mut(i) {
                    s.outcome.attempts = s.outcome.attempts.saturating_sub(1);
                }
                self.halt = Some(Halt::SessionExpired { status: *status });
            }
            Error::Throttled { .. } | Error::Http { status: 500..=599, .. } => {
                // The operation did not run (or was rolled back): safe to send again.
                let attempts = self.slots.get(i).map_or(0, |s| s.outcome.attempts);
                if attempts < self.config.max_attempts {
                    self.set_state(i, ItemState::Pending);
                } else {
                    self.fail(i, Some(&err), String::new());
                }
            }
            Error::Http { dataverse: Some(e), .. } if is_crm_security(e) && self.plan.action.is_approval() => {
                self.fail(i, Some(&err), String::new());
                self.stop_approvals();
            }
            _ => self.fail(i, Some(&err), String::new()),
        }
    }

    /// After a CrmSecurity refusal every further approval would be refused too: skip them all.
    fn stop_approvals(&mut self) {
        let why = format!("An approval was refused with 0x80040256 (CrmSecurity). {WHO_CAN_APPROVE}");
        self.approvals_stopped = Some(why.clone());
        for s in &mut self.slots {
            if s.outcome.state == ItemState::Pending {
                s.outcome.state = ItemState::Skipped;
                s.outcome.code = Some("0x80040256".to_owned());
                s.outcome.message = Some(format!("not sent: {why}"));
            }
        }
    }

    fn handle_row(&mut self, now: Millis, i: usize, row: Option<&Value>) {
        let Some(item) = self.plan.items.get(i) else { return };
        let Some(slot) = self.slots.get_mut(i) else { return };
        let state = slot.outcome.state;
        let Some(row) = row else {
            if matches!(state, ItemState::Written | ItemState::Unknown | ItemState::Testing) {
                slot.outcome.state = ItemState::Failed;
                slot.outcome.message = Some("the record no longer exists".to_owned());
            }
            return;
        };
        let completed_after = row
            .get("testmailboxaccesscompletedon")
            .and_then(Value::as_str)
            .and_then(crate::model::Timestamp::parse_iso8601)
            .map(|t| t.unix_secs());
        let test_ran = completed_after.is_some() && completed_after > item.test_completed_before;
        match state {
            ItemState::Written | ItemState::Unknown => {
                let mut observed = Vec::new();
                let mut mismatch = None;
                for c in &item.changes {
                    let read = row.get(c.field.read_column()).cloned().unwrap_or(Value::Null);
                    let ok = if c.field == Field::TestScheduled {
                        read == Value::Bool(true) || test_ran
                    } else {
                        c.field.agrees(&c.after, &read)
                    };
                    if !ok && mismatch.is_none() {
                        mismatch = Some(format!(
                            "read back {} = {}, expected {}",
                            c.field.column(),
                            self.plan.label(c.field, &read),
                            self.plan.label(c.field, &c.after)
                        ));
                    }
                    observed.push((c.field, read));
                }
                slot.outcome.observed = observed;
                // Approvals: say whether "approved by Microsoft 365 admin" came along (issue 11).
                if item.changes.iter().any(|c| c.field == Field::Approval && c.after == 1) {
                    slot.outcome.o365_admin_approved =
                        row.get("isemailaddressapprovedbyo365admin").and_then(Value::as_bool);
                }
                match (mismatch, state) {
                    (None, _) => {
                        slot.outcome.applied = true;
                        if item.tracks_test {
                            slot.outcome.state = ItemState::Testing;
                            slot.testing_since = Some(now);
                            slot.outcome.test = Some(TestReport { scheduled: true, ..TestReport::default() });
                            Self::update_test(slot, row, test_ran);
                        } else {
                            slot.outcome.state = ItemState::Succeeded;
                        }
                    }
                    // Known applied, yet the record says otherwise: report, never resend.
                    (Some(m), ItemState::Written) => {
                        slot.outcome.state = ItemState::Failed;
                        slot.outcome.message = Some(format!("the service accepted the change but {m}"));
                    }
                    // Did not apply: safe to send (again).
                    (Some(m), _) => {
                        if slot.outcome.attempts >= self.config.max_attempts {
                            slot.outcome.state = ItemState::Failed;
                            slot.outcome.message =
                                Some(format!("gave up after {} attempts; {m}", slot.outcome.attempts));
                        } else {
                            slot.outcome.state = ItemState::Pending;
                        }
                    }
                }
            }
            ItemState::Testing => Self::update_test(slot, row, test_ran),
            ItemState::Stuck if slot.watch_until.is_some() => {
                Self::update_test(slot, row, test_ran);
                if slot.outcome.state != ItemState::Stuck {
                    // A late result: the mailbox is no longer stuck.
                    slot.watch_until = None;
                    if slot.outcome.state == ItemState::Succeeded {
                        slot.outcome.message = None;
                    }
                }
            }
            _ => {}
        }
    }

    fn update_test(slot: &mut Slot, row: &Value, test_ran: bool) {
        let status =
            |c: &str| row.get(c).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok()).map(TestStatus::from);
        let scheduled = row.get("testemailconfigurationscheduled").and_then(Value::as_bool).unwrap_or(false);
        let report = slot.outcome.test.get_or_insert_with(TestReport::default);
        report.incoming = status("incomingemailstatus");
        report.outgoing = status("outgoingemailstatus");
        report.act = status("actstatus");
        report.scheduled = scheduled;
        let any_result = [report.incoming, report.outgoing, report.act]
            .iter()
            .any(|s| matches!(s, Some(TestStatus::Success | TestStatus::Failure)));
        if scheduled || !(test_ran || any_result) {
            return;
        }
        if report.failed() {
            let dirs: Vec<&str> = [
                ("incoming", report.incoming),
                ("outgoing", report.outgoing),
                ("appointments, contacts and tasks", report.act),
            ]
            .iter()
            .filter(|(_, s)| *s == Some(TestStatus::Failure))
            .map(|(d, _)| *d)
            .collect();
            slot.outcome.state = ItemState::Failed;
            slot.outcome.message = Some(format!("Test & Enable failed for {}", dirs.join(", ")));
            slot.want_alert = true;
        } else {
            slot.outcome.state = ItemState::Succeeded;
        }
    }
}

#[cfg(test)]
mod tests;
