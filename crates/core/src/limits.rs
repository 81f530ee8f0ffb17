//! One page's account of the service protection limits, shared by its reads and its bulk runs.
//!
//! The limits count per user (reference §10): a bulk run that spends them, or the admin's other tabs,
//! make the checklist's reads answer `429 Too Many Requests` with `Retry-After`. A read must then wait
//! and try again rather than give up ("unable to check"), and it must not keep sending while another
//! part of the same page already knows the service asked for a pause. [`LimitsLedger`] is that shared
//! knowledge (when the service allows requests again), and [`Patient`] is the transport adapter that
//! honours it:
//!
//! - for reads ([`Patient::reads`]): before each request it waits while the ledger says the service
//!   asked for a pause; a `429` adds its `Retry-After` to the ledger, the wait is reported through the
//!   ledger ([`LimitsLedger::waiting`], for "waiting for Dataverse's limits (n s)"), and the request is
//!   sent again, up to [`MAX_THROTTLED_TRIES`] times;
//! - for bulk runs ([`Patient::runs`]): every `429` is recorded in the ledger, and the answer is passed
//!   on unchanged, because the run paces itself and handles `429` in its own state machine.
//!
//! Time comes from the shell's [`Clock`]; the core reads none.

use crate::bulk::{Clock, Millis};
use crate::http::{Request, Response, Transport, TransportError};
use std::cell::Cell;
use std::time::Duration;

/// How many times a read is sent while the service answers `429` before the `429` is reported.
pub const MAX_THROTTLED_TRIES: u32 = 8;

/// Longest single wait a read accepts; a longer `Retry-After` is reported instead of waited out.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

/// Shared by everything on one page that talks to the org. Single-threaded (the browser), hence
/// `Cell`s.
#[derive(Debug, Default)]
pub struct LimitsLedger {
    /// Until when the service asked for a pause (the latest `Retry-After` seen).
    until: Cell<Option<Millis>>,
    /// While a read waits: until when.
    waiting: Cell<Option<Millis>>,
    /// `429` answers seen.
    throttled: Cell<u64>,
}

impl LimitsLedger {
    /// A ledger with no pause.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a `429` at `now` that asked for `retry_after`.
    pub fn throttled(&self, now: Millis, retry_after: Duration) {
        let until = now.plus(retry_after);
        self.until.set(Some(self.until.get().map_or(until, |u| u.max(until))));
        self.throttled.set(self.throttled.get() + 1);
    }

    /// When requests may go again, if the service asked for a pause that is not over at `now`.
    pub fn paused_until(&self, now: Millis) -> Option<Millis> {
        self.until.get().filter(|u| *u > now)
    }

    /// While a read is waiting out a pause: the time left at `now`, for "waiting for Dataverse's
    /// limits (n s)".
    pub fn waiting(&self, now: Millis) -> Option<Duration> {
        self.waiting.get().filter(|u| *u > now).map(|u| u.since(now))
    }

    /// `429` answers recorded so far.
    pub fn throttled_count(&self) -> u64 {
        self.throttled.get()
    }
}

/// `Retry-After` of a `429` (whole seconds, at least 1; 5 when missing or unreadable).
pub fn retry_after(response: &Response) -> Duration {
    let secs = response.header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(5);
    Duration::from_secs(secs.max(1))
}

/// A transport that honours the page's [`LimitsLedger`]. See the module docs.
#[derive(Debug)]
pub struct Patient<'a, T, C> {
    inner: &'a T,
    clock: &'a C,
    ledger: &'a LimitsLedger,
    retry: bool,
}

impl<'a, T: Transport, C: Clock> Patient<'a, T, C> {
    /// For reads: waits out pauses and `429`s, then sends again.
    pub fn reads(inner: &'a T, clock: &'a C, ledger: &'a LimitsLedger) -> Self {
        Patient { inner, clock, ledger, retry: true }
    }

    /// For bulk runs: records `429`s in the ledger and passes every answer on.
    pub fn runs(inner: &'a T, clock: &'a C, ledger: &'a LimitsLedger) -> Self {
        Patient { inner, clock, ledger, retry: false }
    }

    async fn wait_until(&self, until: Millis) {
        let now = self.clock.now();
        if until > now {
            self.ledger.waiting.set(Some(until));
            self.clock.sleep(until.since(now)).await;
            self.ledger.waiting.set(None);
        }
    }
}

impl<T: Transport, C: Clock> Transport for Patient<'_, T, C> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        if !self.retry {
            let answer = self.inner.send(request).await;
            if let Ok(r) = &answer
                && r.status == 429
            {
                self.ledger.throttled(self.clock.now(), retry_after(r));
            }
            return answer;
        }
        let mut tries = 0;
        loop {
            if let Some(until) = self.ledger.paused_until(self.clock.now()) {
                self.wait_until(until).await;
            }
            let answer = self.inner.send(request.clone()).await?;
            if answer.status != 429 {
                return Ok(answer);
            }
            tries += 1;
            let wait = retry_after(&answer);
            self.ledger.throttled(self.clock.now(), wait);
            if tries >= MAX_THROTTLED_TRIES || wait > MAX_WAIT {
                return Ok(answer);
            }
        }
    }
}

#[cfg(test)]
mod tests;
