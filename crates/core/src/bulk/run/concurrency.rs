//! How many batches may be in flight: the configured most, lowered by the service's recommended degree
//! of parallelism, narrowed to one after a 429 and widened again one answer at a time; and the backoff
//! after failures.

use super::config::RunConfig;
use super::request_id::RequestId;
use std::time::Duration;

/// See the module docs.
#[derive(Debug, Clone)]
pub(super) struct Concurrency {
    /// [`RunConfig::max_in_flight`], at least 1.
    most: usize,
    /// Batches in flight at most now.
    cap: usize,
    /// The last request id handed out when a 429 came; only answers to later requests widen `cap` again.
    throttle_mark: RequestId,
    /// Concurrency to return to once a throttle pause is over: one less than when the 429 came.
    after_throttle: Option<usize>,
    /// The degree of parallelism the service recommends (`x-ms-dop-hint`), once an answer carried it.
    dop_hint: Option<usize>,
    /// Failures (5xx, dropped connections) since the last good answer.
    consecutive_failures: u32,
}

impl Concurrency {
    /// Full concurrency.
    pub(super) fn new(config: &RunConfig) -> Concurrency {
        let most = config.max_in_flight.max(1);
        Concurrency {
            most,
            cap: most,
            throttle_mark: RequestId(0),
            after_throttle: None,
            dop_hint: None,
            consecutive_failures: 0,
        }
    }

    /// The configured most, lowered to the service's recommendation once an answer carried one.
    pub(super) fn max_in_flight(&self) -> usize {
        self.dop_hint.map_or(self.most, |hint| self.most.min(hint.max(1)))
    }

    /// Batches in flight at most now.
    pub(super) fn cap(&self) -> usize {
        self.cap
    }

    /// Whether one more batch may go with `in_flight` in flight.
    pub(super) fn allows(&self, in_flight: usize) -> bool {
        in_flight < self.cap
    }

    /// An answer recommended `hint` batches in flight.
    pub(super) fn dop_hint(&mut self, hint: usize) {
        self.dop_hint = Some(hint);
        let most = self.max_in_flight();
        self.cap = self.cap.min(most);
        self.after_throttle = self.after_throttle.map(|c| c.min(most));
    }

    /// Request `id` was refused with a 429 while `in_flight` others were in flight; `last` is the last
    /// id handed out. One batch at a time until it flows again.
    pub(super) fn throttled(&mut self, id: RequestId, in_flight: usize, last: RequestId) {
        if id > self.throttle_mark {
            // The first 429 of an episode (answers to requests sent before it belong to it too).
            let before = self.cap.max(in_flight + 1);
            self.after_throttle = Some(before.saturating_sub(1).max(1));
        }
        self.cap = 1;
        self.throttle_mark = last;
    }

    /// A pause is over: resume just below the concurrency that ran into the limit.
    pub(super) fn pause_over(&mut self) {
        if let Some(cap) = self.after_throttle.take() {
            self.cap = self.cap.max(cap);
        }
    }

    /// Request `id` was answered with a readable batch.
    pub(super) fn answered(&mut self, id: RequestId) {
        self.consecutive_failures = 0;
        if id > self.throttle_mark {
            self.cap = (self.cap + 1).min(self.max_in_flight());
        }
    }

    /// A request failed (5xx, a dropped connection): how long to wait before sending again. Doubles
    /// per consecutive failure, from [`RunConfig::backoff_base`] up to [`RunConfig::backoff_max`].
    pub(super) fn failed(&mut self, config: &RunConfig) -> Duration {
        let exp = self.consecutive_failures.min(16);
        self.consecutive_failures += 1;
        config.backoff_base.saturating_mul(1u32 << exp).min(config.backoff_max)
    }

    /// The admin signed in again (or the network is back): failures so far are forgotten.
    pub(super) fn renewed(&mut self) {
        self.consecutive_failures = 0;
    }
}
