//! The sans-IO run: a state machine told the time, in the style of quinn-proto.
//!
//! The shell loops: [`Run::poll_request`] until it returns `None` (sending each request), then waits for
//! an answer or until [`Run::poll_timeout`], handing answers back with [`Run::handle_response`] and
//! telling the run the time with [`Run::handle_timeout`] when nothing came by then. Every
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
//!
//! # Layout
//!
//! Like quinn-proto's `Connection`, the state machine's public face is here and its parts are plain
//! types beside it, each importing only what is below it:
//!
//! - `config`: [`RunConfig`]. `request_id`: [`RequestId`].
//! - `timers`: the run-wide timers (pause, budget, polls) and the queue of per-item deadlines.
//! - `slots`: where every item stands, changed only through one `update` that keeps a census and the
//!   deadlines, so nothing that runs per call looks at every item.
//! - `concurrency`: batches in flight at most (throttling, `x-ms-dop-hint`) and the backoff.
//! - `ledger`: the run's account of the service protection limits.
//! - `batches`: what goes into the next `$batch`, and the read-back columns.
//! - `verify`: what the answers say (writes, read-backs, Test & Enable, alerts).
//! - `journal`: [`Journal`], resume and the plan's fingerprint.

use crate::bulk::evidence::Evidence;
use crate::bulk::millis::Millis;
use crate::bulk::note::Note;
use crate::bulk::plan::Plan;
use crate::bulk::progress::{Halt, ItemOutcome, ItemState, Progress};
use crate::error::Error;
use crate::http::{Request, Response, TransportError};
use crate::odata::batch;
use crate::odata::check_response;
use batches::{Batches, Outstanding, Role};
use concurrency::Concurrency;
use ledger::{Ledger, Sent, Verdict};
use slots::Slots;
use std::time::Duration;
use timers::{Timer, TimerTable};
use verify::{Answers, Consequence};

pub use config::RunConfig;
pub use journal::{Journal, ResumeError};
pub use request_id::RequestId;

mod batches;
mod concurrency;
mod config;
mod journal;
mod ledger;
mod request_id;
mod slots;
mod timers;
mod verify;

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

/// A bulk run in progress. See the module docs for the loop that drives it.
#[derive(Debug, Clone)]
pub struct Run {
    plan: Plan,
    config: RunConfig,
    slots: Slots,
    /// Requests sent and not yet answered, by id (a few: at most `max_in_flight`). A `Vec` rather than a
    /// map: a second `BTreeMap` instance (next to `serde_json`'s) costs the wasm more than a linear search.
    outstanding: Vec<(RequestId, Outstanding)>,
    /// The last request id handed out.
    last_id: RequestId,
    timers: TimerTable,
    concurrency: Concurrency,
    halt: Option<Halt>,
    approvals_stopped: Option<Note>,
    requests: u64,
    throttled: u64,
    retries: u64,
    /// The run's account of the service protection limits.
    ledger: Ledger,
    /// Since when every request has failed at the transport (no HTTP answer), with the last error.
    failing: Option<(Millis, String)>,
    /// The latest time the run was told.
    now: Millis,
}

impl Run {
    /// A run of `plan`.
    pub fn new(plan: Plan, config: RunConfig) -> Run {
        let outcomes = plan.items.iter().map(|item| ItemOutcome {
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
        });
        let slots = Slots::new(outcomes, config.stuck_after);
        Run {
            concurrency: Concurrency::new(&config),
            plan,
            config,
            slots,
            outstanding: Vec::new(),
            last_id: RequestId(0),
            timers: TimerTable::default(),
            halt: None,
            approvals_stopped: None,
            requests: 0,
            throttled: 0,
            retries: 0,
            ledger: Ledger::default(),
            failing: None,
            now: Millis(0),
        }
    }

    /// Continues a run from its journal: applied writes are not repeated, unknown outcomes are read back
    /// first, and tracking of running tests goes on. The ledger of the service protection limits starts
    /// empty (the journal's times belong to another clock): what the earlier run spent in the window is
    /// covered by the 429 handling and, when the service sends them, the ratelimit headers.
    pub fn resume(plan: Plan, journal: &Journal, config: RunConfig) -> Result<Run, ResumeError> {
        journal.fits(&plan)?;
        let mut run = Run::new(plan, config);
        run.approvals_stopped = journal.approvals_stopped.clone().map(Note::Verbatim);
        journal.restore(&mut run.slots);
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
        Journal::of(&self.plan, &self.slots, self.approvals_stopped.as_ref().map(Note::to_string))
    }

    /// The evidence so far: every planned field with its before, after and read-back value.
    pub fn evidence(&self) -> Evidence {
        Evidence::of(&self.plan, &self.progress())
    }

    /// Counts and outcomes.
    pub fn progress(&self) -> Progress {
        let p = Progress {
            requests: self.requests,
            throttled: self.throttled,
            retries: self.retries,
            approvals_stopped: self.approvals_stopped.clone(),
            halt: self.halt.clone(),
            waiting_since: self.waiting_since(),
            watching_stuck: self.slots.watching(),
            items: self.slots.iter().map(|s| s.outcome.clone()).collect(),
            pending: self.slots.count(ItemState::Pending),
            sent: self.slots.count(ItemState::Sent),
            unknown: self.slots.count(ItemState::Unknown),
            written: self.slots.count(ItemState::Written),
            testing: self.slots.count(ItemState::Testing),
            succeeded: self.slots.count(ItemState::Succeeded),
            failed: self.slots.count(ItemState::Failed),
            skipped: self.slots.count(ItemState::Skipped),
            stuck: self.slots.count(ItemState::Stuck),
            ..Progress::default()
        };
        let o365_unset =
            p.items.iter().filter(|o| o.state == ItemState::Succeeded && o.o365_admin_approved == Some(false)).count();
        Progress { o365_unset, ..p }
    }

    /// True when every item is final (including fetching alerts of failed tests) or the run halted.
    pub fn is_finished(&self) -> bool {
        self.halt.is_some()
            || (self.outstanding.is_empty()
                && self.slots.unfinished() == 0
                && self.slots.want_alert() == 0
                && self.slots.watching() == 0)
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
        self.outstanding.iter().any(|(k, _)| *k == id)
    }

    /// Batches in flight at most now: [`RunConfig::max_in_flight`], lowered to the service's
    /// recommended degree of parallelism (`x-ms-dop-hint`) once an answer carried one.
    pub fn max_in_flight(&self) -> usize {
        self.concurrency.max_in_flight()
    }

    /// Why the run is paused or stopped, if it is.
    pub fn halt(&self) -> Option<&Halt> {
        self.halt.as_ref()
    }

    /// Requests handed out and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.outstanding.len()
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

    /// Stops scheduling. Items not sent become skipped; items in unanswered requests become unknown (a
    /// resume reads them back). Answers that still arrive are used.
    pub fn cancel(&mut self) {
        self.halt = Some(Halt::Cancelled);
        for i in 0..self.slots.len() {
            self.slots.update(i, |s| match s.outcome.state {
                ItemState::Pending => {
                    s.outcome.state = ItemState::Skipped;
                    s.outcome.message = Some(Note::Cancelled);
                }
                ItemState::Sent => s.outcome.state = ItemState::Unknown,
                _ => {}
            });
        }
    }

    /// After the admin signed in again (or the network is back): clears a session-expiry or
    /// unreachable halt so the run continues; items whose outcome is unknown are read back first.
    pub fn session_renewed(&mut self) {
        if matches!(self.halt, Some(Halt::SessionExpired { .. } | Halt::Unreachable { .. })) {
            self.halt = None;
            self.timers.stop(Timer::Pause);
            self.failing = None;
            self.concurrency.renewed();
        }
    }

    /// The earliest time something is due without an answer arriving: a request's deadline (or the
    /// time it turns slow), the end of a throttle or backoff pause, the time the ledger of the service
    /// protection limits lets the next request go, the next Test & Enable poll, or a stuck deadline.
    /// `None` when nothing is timed. Looks at the requests in flight and the timer table, never at
    /// every item.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let mut t: Option<Millis> = None;
        let mut consider = |m: Option<Millis>| {
            if let Some(m) = m {
                t = Some(t.map_or(m, |x| x.min(m)));
            }
        };
        // Requests in flight, halted or not: one that is never answered is abandoned at its deadline,
        // and one that turns slow is reported (`waiting_since`).
        for (_, o) in &self.outstanding {
            consider(Some(o.sent.at.plus(self.config.request_timeout)));
            let slow = o.sent.at.plus(self.config.slow_after);
            consider((slow > self.now).then_some(slow));
        }
        if self.halt.is_some() {
            return t;
        }
        consider(self.timers.get(Timer::Pause));
        consider(self.timers.get(Timer::Budget));
        // The next poll only matters when a polled item is not already in a request.
        if self.slots.testing_free() > 0 {
            consider(self.timers.get(Timer::Poll));
        }
        if self.slots.watched_free() > 0 {
            consider(self.timers.get(Timer::StuckPoll));
        }
        // Tests declared stuck, and the end of each stuck item's watch.
        consider(self.slots.next_deadline());
        t
    }

    /// Tells the run the time without an answer, and does what is due by then: requests older than
    /// [`RunConfig::request_timeout`] are abandoned (their outcome is unknown and settled by a
    /// read-back before any resend), tests past [`RunConfig::stuck_after`] are declared stuck, watches
    /// that ended stop, and a pause that is over ends. [`Run::poll_request`] does this too.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.now = self.now.max(now);
        self.expire(now);
        self.tick(now);
        // A pause that is over is forgotten, so that `poll_timeout` never reports a time already past.
        self.end_pause(now);
    }

    /// Abandons the requests past their deadline.
    fn expire(&mut self, now: Millis) {
        let timeout = self.config.request_timeout;
        let expired: Vec<RequestId> =
            self.outstanding.iter().filter(|(_, o)| now >= o.sent.at.plus(timeout)).map(|(k, _)| *k).collect();
        for id in expired {
            self.handle_response(now, id, Err(TransportError::TimedOut(timeout.as_secs())));
        }
    }

    /// Test & Enable tracking: items whose deadline came are declared stuck, or stop being watched.
    fn tick(&mut self, now: Millis) {
        let newly_stuck = self.slots.tick(now, self.config.stuck_watch);
        if newly_stuck && self.timers.get(Timer::StuckPoll).is_none() {
            self.timers.set(Timer::StuckPoll, now.plus(self.config.stuck_poll_interval));
        }
    }

    /// Nothing new is sent before `until` (a `Retry-After`, a backoff); a pause to a later time stays.
    fn pause(&mut self, until: Millis) {
        self.timers.extend(Timer::Pause, until);
    }

    /// Ends a pause that is over at `now`: throttling is over, and concurrency returns to just below
    /// what ran into the limit.
    fn end_pause(&mut self, now: Millis) {
        if self.timers.is_expired(Timer::Pause, now) {
            self.timers.stop(Timer::Pause);
            self.concurrency.pause_over();
        }
    }

    /// A request failed (5xx, a dropped connection): wait before sending again.
    fn backoff(&mut self, now: Millis) {
        self.retries += 1;
        let wait = self.concurrency.failed(&self.config);
        self.pause(now.plus(wait));
    }

    /// A request failed at the transport (no HTTP answer): after [`RunConfig::unreachable_after`] of
    /// nothing but such failures the run halts, visibly, instead of retrying unseen.
    fn transport_failed(&mut self, now: Millis, error: &TransportError) {
        let since = self.failing.as_ref().map_or(now, |f| f.0);
        self.failing = Some((since, error.to_string()));
        if self.halt.is_none() && now.since(since) >= self.config.unreachable_after {
            self.halt = Some(Halt::Unreachable { since, error: error.to_string() });
            // What is still in flight will not be waited for: its outcome is unknown, read back on resume.
            for (id, out) in std::mem::take(&mut self.outstanding) {
                self.ledger.answered(now, &out.sent, self.last_id, false);
                self.release(&out, id);
                self.requeue_writes(&out, ItemState::Unknown, false);
            }
        }
    }

    /// Clears the items' marks of being in request `id`.
    fn release(&mut self, out: &Outstanding, id: RequestId) {
        for &i in out.roles.iter().flat_map(Role::items) {
            self.slots.update(i, |s| {
                if s.in_request == Some(id) {
                    s.in_request = None;
                }
            });
        }
    }

    /// The next request to send now, if any.
    pub fn poll_request(&mut self, now: Millis) -> Option<(RequestId, Request)> {
        self.timers.stop(Timer::Budget);
        self.handle_timeout(now);
        if self.halt.is_some()
            || self.timers.get(Timer::Pause).is_some()
            || !self.concurrency.allows(self.outstanding.len())
        {
            return None;
        }
        let batches = Batches { plan: &self.plan, slots: &self.slots, config: &self.config };
        let (batch, polled) = match batches.read_back().or_else(|| batches.writes(self.concurrency.cap())) {
            Some(batch) => (batch, false),
            None => {
                let poll_due = self.timers.is_due(Timer::Poll, now);
                let stuck_due = self.timers.is_due(Timer::StuckPoll, now);
                (batches.poll(poll_due, stuck_due)?, true)
            }
        };
        let writes = batch.writes();
        let estimate = self.ledger.estimate(writes, batch.roles.len());
        match self.ledger.check(now, estimate, self.outstanding.len(), &self.config) {
            Verdict::Send => {}
            Verdict::Until(t) => {
                self.timers.set(Timer::Budget, t);
                return None;
            }
            Verdict::Answers => return None,
        }
        if polled {
            self.polled(now, &batch.roles);
        }
        let id = self.last_id.next();
        self.last_id = id;
        let sent = Sent { id, at: now, estimate, writes, operations: batch.roles.len() };
        self.ledger.sent(&sent);
        for role in &batch.roles {
            let write = matches!(role, Role::Write(_));
            for &i in role.items() {
                self.slots.update(i, |s| {
                    s.in_request = Some(id);
                    if write {
                        s.outcome.state = ItemState::Sent;
                        s.outcome.attempts += 1;
                    }
                });
            }
        }
        self.outstanding.push((id, Outstanding { roles: batch.roles, sent }));
        self.requests += 1;
        Some((id, batch::encode(id.0, &batch.entries, self.config.continue_on_error)))
    }

    /// Records a poll batch of `roles` as sent at `now`: the next poll is due a poll interval later,
    /// and the alerts asked for are not asked again.
    fn polled(&mut self, now: Millis, roles: &[Role]) {
        let (mut testing, mut stuck) = (false, false);
        for &i in roles.iter().flat_map(Role::reads) {
            match self.slots.state(i) {
                Some(ItemState::Testing) => testing = true,
                Some(ItemState::Stuck) => stuck = true,
                _ => {}
            }
        }
        if testing {
            self.timers.set(Timer::Poll, now.plus(self.config.poll_interval));
        }
        if stuck {
            self.timers.set(Timer::StuckPoll, now.plus(self.config.stuck_poll_interval));
        }
        for role in roles {
            if let Role::Alerts(idxs) = role {
                for &i in idxs {
                    self.slots.update(i, |s| s.want_alert = false);
                }
            }
        }
    }

    /// Hands back the answer to request `id` (or why none came).
    pub fn handle_response(&mut self, now: Millis, id: RequestId, result: Result<Response, TransportError>) {
        self.now = self.now.max(now);
        let Some(pos) = self.outstanding.iter().position(|(k, _)| *k == id) else {
            return;
        };
        let (_, out) = self.outstanding.swap_remove(pos);
        self.release(&out, id);
        match &result {
            // Never sent: it does not count.
            Err(TransportError::Unavailable(_)) => self.ledger.unsent(&out.sent),
            answer => {
                let ran = matches!(answer, Ok(r) if (200..300).contains(&r.status));
                self.ledger.answered(now, &out.sent, self.last_id, ran);
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
            self.concurrency.dop_hint(hint);
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
            self.pause(now.plus(retry_after(&response)));
            self.concurrency.throttled(id, self.outstanding.len(), self.last_id);
            return;
        }
        let parts = match batch::decode(&response) {
            Ok(parts) => parts,
            Err(_) if response.status >= 500 || (200..300).contains(&response.status) => {
                self.requeue_writes(&out, ItemState::Unknown, false);
                self.answers().read_failed(&out.roles);
                self.backoff(now);
                return;
            }
            Err(_) => {
                // The service refused the whole batch (e.g. 400): every write failed as a whole.
                let err = check_response(&response).err();
                for role in &out.roles {
                    if let Role::Write(i) = role {
                        self.answers().fail(*i, err.as_ref(), Note::BatchRefused);
                    }
                }
                return;
            }
        };
        self.end_pause(now);
        self.concurrency.answered(id);
        let mut parts = parts.into_iter();
        for role in out.roles {
            let Some(part) = parts.next() else {
                // Fewer answers than operations: treat the rest as unanswered.
                if let Role::Write(i) = role {
                    self.slots.set_state(i, ItemState::Unknown);
                }
                continue;
            };
            match self.answers().part(now, role, &part.response) {
                Some(Consequence::SessionExpired { status }) => self.halt = Some(Halt::SessionExpired { status }),
                Some(Consequence::StopApprovals) => self.stop_approvals(),
                None => {}
            }
        }
        if self.timers.get(Timer::Poll).is_none() && self.slots.count(ItemState::Testing) > 0 {
            self.timers.set(Timer::Poll, now.plus(self.config.poll_interval));
        }
    }

    fn answers(&mut self) -> Answers<'_> {
        Answers { plan: &self.plan, config: &self.config, slots: &mut self.slots }
    }

    /// Puts the writes of an unanswered batch back: `Pending` when they surely did not apply, `Unknown`
    /// when they may have. `uncount` gives the attempt back (the batch never ran).
    fn requeue_writes(&mut self, out: &Outstanding, state: ItemState, uncount: bool) {
        let cancelled = self.halt == Some(Halt::Cancelled);
        self.answers().requeue_writes(&out.roles, state, uncount, cancelled);
    }

    /// After a CrmSecurity refusal every further approval would be refused too: skip them all.
    fn stop_approvals(&mut self) {
        self.approvals_stopped = Some(self.answers().stop_approvals());
    }
}

#[cfg(test)]
mod tests;
