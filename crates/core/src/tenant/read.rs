//! Reading several environments at once: a sans-IO scheduler and the loop that drives it.
//!
//! The service protection limits count per user *per environment* (each org is its own service,
//! reference §10): a checklist read of one org costs a dozen requests, far inside one org's
//! allowance, and it is sent one request at a time, so one org never sees more than one request of
//! ours in flight. What bounds a tenant read is the admin's side: the browser, the admin's own
//! Dynamics tabs, and the fairness of not opening twenty orgs at once. [`ReadLimits`] caps the
//! environments read at the same time; each environment's reads go through their own
//! [`LimitsLedger`] and [`Patient::reads`], so a `429` from one org pauses that org only, for as long as
//! its `Retry-After` says.

use super::{Environment, Refusal};
use crate::bulk::{Clock, Control, Millis};
use crate::collect::{CollectError, Part, Snapshot, snapshot};
use crate::error::Error;
use crate::http::{Request, Response, Transport, TransportError};
use crate::limits::{LimitsLedger, Patient};
use serde::Serialize;
use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

/// How many environments are read at the same time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// At most this many environments at once (each with one request in flight).
    pub environments_at_once: usize,
}

impl Default for ReadLimits {
    /// Six: the number of connections a browser opens to one host over HTTP/1.1, a pace that leaves
    /// the admin's own tabs alone.
    fn default() -> Self {
        ReadLimits { environments_at_once: 6 }
    }
}

/// Where one environment's read stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum EnvState {
    /// Waiting for a free slot.
    Queued,
    /// Being read.
    Reading {
        /// Since when.
        since: Millis,
    },
    /// Read (perhaps with parts that could not be read: see the checklist's "unable to check").
    Read {
        /// When the read finished.
        at: Millis,
        /// How long it took.
        took_ms: u64,
    },
    /// Not read, or not usable, and why.
    Refused {
        /// Why.
        reason: Refusal,
    },
}

/// Progress of one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvProgress {
    /// Its state.
    pub state: EnvState,
    /// Requests answered so far.
    pub answered: u32,
    /// Parts of the snapshot reached so far (of [`PARTS`]), for the progress bar.
    pub parts: u32,
}

/// How many parts a read has, for the progress bar ([`part_of`] maps each request to one).
pub const PARTS: u32 = 9;

/// What a finished read of one environment produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    /// The snapshot (partial when parts failed).
    pub snapshot: Snapshot,
    /// What could not be read.
    pub errors: Vec<CollectError>,
}

/// The scheduler: which environment to read next, progress, refusals, cancel. See the module docs.
#[derive(Debug, Clone)]
pub struct TenantRead {
    envs: Vec<Environment>,
    progress: Vec<EnvProgress>,
    results: Vec<Option<EnvRead>>,
    limits: ReadLimits,
}

impl TenantRead {
    /// A read of `envs`. Those discovery already refused (disabled, not an org host) are refused
    /// without a request.
    pub fn new(envs: Vec<Environment>, limits: ReadLimits) -> Self {
        let progress = envs
            .iter()
            .map(|e| EnvProgress {
                state: match (&e.skip, &e.url) {
                    (Some(reason), _) => EnvState::Refused { reason: reason.clone() },
                    (None, None) => EnvState::Refused { reason: Refusal::NotDataverse("no address".to_owned()) },
                    (None, Some(_)) => EnvState::Queued,
                },
                answered: 0,
                parts: 0,
            })
            .collect();
        let results = vec![None; envs.len()];
        TenantRead {
            envs,
            progress,
            results,
            limits: ReadLimits { environments_at_once: limits.environments_at_once.max(1) },
        }
    }

    /// The environments, in the order given.
    pub fn environments(&self) -> &[Environment] {
        &self.envs
    }

    /// Progress per environment, in the same order.
    pub fn progress(&self) -> &[EnvProgress] {
        &self.progress
    }

    /// The finished read of environment `i`.
    pub fn result(&self, i: usize) -> Option<&EnvRead> {
        self.results.get(i).and_then(Option::as_ref)
    }

    /// How many are being read now.
    pub fn reading(&self) -> usize {
        self.progress.iter().filter(|p| matches!(p.state, EnvState::Reading { .. })).count()
    }

    /// The next environment to start at `now`, if a slot is free (marks it as being read).
    pub fn poll_start(&mut self, now: Millis) -> Option<usize> {
        if self.reading() >= self.limits.environments_at_once {
            return None;
        }
        let i = self.progress.iter().position(|p| p.state == EnvState::Queued)?;
        self.progress[i].state = EnvState::Reading { since: now };
        Some(i)
    }

    /// A request of environment `i` was answered; `part` is what it read ([`part_of`]).
    pub fn answered(&mut self, i: usize, part: Option<Part>) {
        if let Some(p) = self.progress.get_mut(i) {
            p.answered += 1;
            if let Some(part) = part {
                p.parts = p.parts.max(part_rank(part));
            }
        }
    }

    /// Environment `i`'s read finished at `now`: read, or refused for the reason [`refusal`] finds.
    pub fn finish(&mut self, i: usize, read: EnvRead, now: Millis) {
        let Some(p) = self.progress.get_mut(i) else { return };
        let EnvState::Reading { since } = p.state else { return };
        p.state = match refusal(&read.snapshot, &read.errors) {
            Some(reason) => EnvState::Refused { reason },
            None => {
                p.parts = PARTS;
                EnvState::Read { at: now, took_ms: now.since(since).as_millis().try_into().unwrap_or(u64::MAX) }
            }
        };
        self.results[i] = Some(read);
    }

    /// Cancels environment `i` (queued or being read); the driver drops its requests.
    pub fn cancel_env(&mut self, i: usize) {
        if let Some(p) = self.progress.get_mut(i)
            && matches!(p.state, EnvState::Queued | EnvState::Reading { .. })
        {
            p.state = EnvState::Refused { reason: Refusal::Cancelled };
        }
    }

    /// Cancels everything not finished.
    pub fn cancel(&mut self) {
        for i in 0..self.progress.len() {
            self.cancel_env(i);
        }
    }

    /// True while environment `i` is being read.
    pub fn is_reading(&self, i: usize) -> bool {
        self.progress.get(i).is_some_and(|p| matches!(p.state, EnvState::Reading { .. }))
    }

    /// True when nothing is queued or being read.
    pub fn is_finished(&self) -> bool {
        self.progress.iter().all(|p| matches!(p.state, EnvState::Read { .. } | EnvState::Refused { .. }))
    }
}

fn part_rank(part: Part) -> u32 {
    match part {
        Part::Caller => 1,
        Part::Organization => 2,
        Part::Profiles => 3,
        Part::Mailboxes => 4,
        Part::Roles => 5,
        Part::TeamRoles => 6,
        Part::ApprovePrivilege => 7,
        Part::Alerts => 8,
        Part::ItemFailures => 9,
    }
}

/// Which part of the snapshot a collector request reads (from its path), for progress.
pub fn part_of(request: &Request) -> Option<Part> {
    let path = request.path.split_once(crate::http::API_PATH).map_or(request.path.as_str(), |(_, p)| p);
    let first = path.split(['?', '(', '/']).next().unwrap_or("");
    Some(match first {
        "WhoAmI" => Part::Caller,
        "organizations" => Part::Organization,
        "emailserverprofiles" => Part::Profiles,
        "mailboxes" => Part::Mailboxes,
        "tracelogs" => Part::Alerts,
        "exchangesyncidmappings" => Part::ItemFailures,
        "teams" => Part::TeamRoles,
        "systemusers" if path.contains("teammembership") => Part::TeamRoles,
        "systemusers" if path.contains("Privilege") => Part::ApprovePrivilege,
        "systemusers" => Part::Roles,
        _ => return None,
    })
}

/// Why a finished read does not count as a read of an org with email, if it does not: the caller
/// could not be identified (401 sign-in needed, 403 no access, 404 or a non-Web-API answer: not a
/// Dataverse org, no answer: unreachable), the mailboxes were refused, or the org has no user or
/// queue mailboxes. Other failed parts stay "unable to check" lines of the environment's checklist.
pub fn refusal(snapshot: &Snapshot, errors: &[CollectError]) -> Option<Refusal> {
    let of = |part: Part| errors.iter().find(|e| e.part == part).map(|e| &e.error);
    if let Some(error) = of(Part::Caller).or_else(|| of(Part::Mailboxes)) {
        return Some(match error {
            Error::SessionExpired { .. } => Refusal::SignInNeeded,
            Error::Http { status: 403, dataverse, .. } => {
                Refusal::NoAccess(dataverse.as_ref().map_or_else(|| "HTTP 403".to_owned(), |d| d.message.clone()))
            }
            Error::Http { status: 404, .. } | Error::Decode { .. } => Refusal::NotDataverse(error.to_string()),
            Error::Transport(TransportError::Aborted) => Refusal::Cancelled,
            Error::Transport(e) => Refusal::Unreachable(e.to_string()),
            other => Refusal::Unreachable(other.to_string()),
        });
    }
    let mailboxes = snapshot.mailboxes.as_ref()?;
    if !mailboxes.iter().any(crate::model::Mailbox::is_in_scope) {
        return Some(Refusal::NoEmail);
    }
    None
}

/// A transport that counts answers, for the progress of one environment.
struct Watch<'a, T> {
    inner: T,
    ticks: &'a Cell<u32>,
    last: &'a Cell<Option<Part>>,
}

impl<T: Transport> Transport for Watch<'_, T> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let part = part_of(&request);
        let answer = self.inner.send(request).await;
        self.ticks.set(self.ticks.get() + 1);
        self.last.set(part);
        answer
    }
}

type Reading<'a> = Pin<Box<dyn Future<Output = (usize, EnvRead)> + 'a>>;

/// Reads every environment of `read`, several at a time. `open` gives the transport that reaches
/// one environment (the browser's fetch bound to its org, with the session or that org's token; the
/// simulator in tests); each gets its own [`LimitsLedger`]. `on_update` sees every change of
/// progress and may cancel ([`Control::Cancel`]): what is queued is cancelled and what is in flight is
/// dropped (which aborts the requests). Environments that finished keep their results.
pub async fn read_all<T: Transport, C: Clock, R: Into<Control>>(
    mut read: TenantRead,
    open: impl Fn(&Environment) -> T,
    clock: &C,
    mut on_update: impl FnMut(&TenantRead) -> R,
) -> TenantRead {
    let n = read.envs.len();
    let ticks: Vec<Cell<u32>> = (0..n).map(|_| Cell::new(0)).collect();
    let lasts: Vec<Cell<Option<Part>>> = (0..n).map(|_| Cell::new(None)).collect();
    let seen: Vec<Cell<u32>> = (0..n).map(|_| Cell::new(0)).collect();
    let mut in_flight: Vec<Reading<'_>> = Vec::new();
    loop {
        while let Some(i) = read.poll_start(clock.now()) {
            let transport = open(&read.envs[i]);
            let (tick, last) = (&ticks[i], &lasts[i]);
            in_flight.push(Box::pin(async move {
                let ledger = LimitsLedger::new();
                let patient = Patient::reads(&transport, clock, &ledger);
                let watched = Watch { inner: patient, ticks: tick, last };
                let (snapshot, errors) = snapshot(&watched).await;
                (i, EnvRead { snapshot, errors })
            }));
        }
        if in_flight.is_empty() {
            break;
        }
        let done = poll_fn(|cx| {
            for (k, f) in in_flight.iter_mut().enumerate() {
                if let Poll::Ready(out) = f.as_mut().poll(cx) {
                    return Poll::Ready(Some((k, out)));
                }
            }
            if ticks.iter().zip(&seen).any(|(t, s)| t.get() != s.get()) { Poll::Ready(None) } else { Poll::Pending }
        })
        .await;
        for (i, (t, s)) in ticks.iter().zip(&seen).enumerate() {
            for _ in s.get()..t.get() {
                read.answered(i, lasts[i].get());
            }
            s.set(t.get());
        }
        if let Some((k, (i, result))) = done {
            drop(in_flight.swap_remove(k));
            read.finish(i, result, clock.now());
        }
        if on_update(&read).into() == Control::Cancel {
            read.cancel();
            // Dropping the futures aborts their requests.
            in_flight.clear();
        }
    }
    on_update(&read);
    read
}

/// The time a read of one environment took, for the benchmark's sum of single-environment times.
pub fn took(progress: &EnvProgress) -> Option<Duration> {
    match progress.state {
        EnvState::Read { took_ms, .. } => Some(Duration::from_millis(took_ms)),
        _ => None,
    }
}
