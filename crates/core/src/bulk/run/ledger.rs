//! The run's own account of the service protection limits (reference §10).
//!
//! The service counts, per user over a sliding window of 300 s, the requests (6000) and their combined
//! execution time (1,200,000 ms); a `$batch` counts once, but its execution time counts in full. It
//! charges a request's execution time when the request completes. The ledger mirrors that on the client:
//!
//! - every answered request is charged, at the time its answer came, the time from its sending to its
//!   answer. That is at least its execution time on the server (it adds the network and queueing), so
//!   the account errs on the safe side;
//! - every request in flight holds a reservation: its expected cost, from a moving average of what
//!   answered requests cost per write (or per read for batches without writes);
//! - every request sent counts toward the request budget while it is in the window.
//!
//! A request may go when what the window holds, plus the reservations, plus its own estimate fits the
//! run's share of the execution time, and one more request fits its share of the request count.
//! Otherwise the run sends nothing and waits, either until enough of the window has slid past (a time
//! the ledger can name) or for answers (when it is reservations of requests in flight that are in the
//! way). With nothing in flight and nothing charged in the window, one request always goes, so a budget
//! smaller than one batch cannot stall a run.
//!
//! The `x-ms-ratelimit-*` headers, when the service sends them and the run is configured to use them,
//! only ever tighten this (they are documented as for debugging only and may change).

use super::config::RunConfig;
use super::request_id::RequestId;
use crate::bulk::millis::Millis;
use crate::http::Response;
use std::time::Duration;

/// Header with the requests left in the window, as the service saw it when it admitted the request.
const REQUESTS_LEFT: &str = "x-ms-ratelimit-burst-remaining-xrm-requests";
/// Header with the execution time left in the window (seconds), as the service saw it on admission.
const TIME_LEFT: &str = "x-ms-ratelimit-time-remaining-xrm-requests";

/// Expected cost of a write before any answer came: a write runs about 60 ms on the service; its
/// share of the read-back, the envelope and the round trip are added and the sum rounded up.
const FIRST_PER_WRITE_MS: f64 = 100.0;
/// Expected cost per operation of a batch without writes (read-backs, Test & Enable polls).
const FIRST_PER_READ_MS: f64 = 100.0;
/// Weight of the newest observation in the moving averages.
const ALPHA: f64 = 0.25;

/// What the ledger says about sending one more request now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// It fits.
    Send,
    /// It fits once the window has slid past this time (always later than now).
    Until(Millis),
    /// It fits only once requests in flight have been answered.
    Answers,
}

/// Execution time charged to the window.
#[derive(Debug, Clone, Copy)]
struct Charge {
    /// When the answer came.
    at: Millis,
    /// Milliseconds from sending to answer.
    cost: u64,
    /// The last request id handed out when it was charged: the charge came after every request with
    /// an id up to this one was sent.
    after: RequestId,
}

/// A request handed out, as the ledger needs it back when its answer comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sent {
    /// Its id.
    pub(super) id: RequestId,
    /// When it was handed out.
    pub(super) at: Millis,
    /// Its reservation, in ms.
    pub(super) estimate: u64,
    /// Writes in it.
    pub(super) writes: usize,
    /// Operations in it.
    pub(super) operations: usize,
}

/// What the service's debugging headers said, on the answer to request `id`.
#[derive(Debug, Clone, Copy)]
struct Remaining {
    id: RequestId,
    sent_at: Millis,
    requests: Option<u64>,
    exec_ms: Option<u64>,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub(super) struct Ledger {
    /// Charges in the window, oldest first. `Vec`s rather than `VecDeque`s (here and `sent`): the
    /// windows hold a few hundred entries, and two more `VecDeque` instances cost the wasm ≈ 1 KB.
    charges: Vec<Charge>,
    /// Sum of `charges`.
    charged: u64,
    /// (request id, sent at) of requests sent in the window, oldest first.
    sent: Vec<(RequestId, Millis)>,
    /// Sum of the reservations of requests in flight.
    reserved: u64,
    /// Moving average of the cost per write of answered batches with writes, in ms.
    per_write: f64,
    /// Moving average of the cost per operation of answered batches without writes, in ms.
    per_read: f64,
    /// The freshest debugging headers.
    remaining: Option<Remaining>,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A header's non-negative decimal number in thousandths (`"1,199.5"` → 1,199,500; negative → 0).
/// Parsed by hand: parsing an `f64` with std would add ~14 KB of float parsing tables to the wasm.
fn header_thousandths(response: &Response, name: &str) -> Option<u64> {
    let text: String = response.header(name)?.chars().filter(|c| *c != ',').collect();
    let text = text.trim();
    if let Some(negative) = text.strip_prefix('-') {
        return negative.chars().all(|c| c.is_ascii_digit() || c == '.').then_some(0);
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let milli: u64 = format!("{:0<3}", fraction.get(..3).unwrap_or(fraction)).parse().ok()?;
    Some(whole.saturating_mul(1000).saturating_add(milli))
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            charges: Vec::new(),
            charged: 0,
            sent: Vec::new(),
            reserved: 0,
            per_write: FIRST_PER_WRITE_MS,
            per_read: FIRST_PER_READ_MS,
            remaining: None,
        }
    }
}

impl Ledger {
    /// The expected cost of a batch of `writes` writes and `operations` operations in all.
    pub(super) fn estimate(&self, writes: usize, operations: usize) -> u64 {
        let (n, per) = if writes > 0 { (writes, self.per_write) } else { (operations.max(1), self.per_read) };
        // Float to integer conversion saturates; the product is positive and finite.
        (n as f64 * per).ceil() as u64
    }

    /// Forgets what has left the window at `now`.
    fn prune(&mut self, now: Millis, window: Duration) {
        // Both are sorted by time: what left the window is a prefix.
        let gone = self.charges.partition_point(|c| c.at.plus(window) <= now);
        for c in self.charges.drain(..gone) {
            self.charged = self.charged.saturating_sub(c.cost);
        }
        let gone = self.sent.partition_point(|(_, at)| at.plus(window) <= now);
        self.sent.drain(..gone);
        if self.remaining.is_some_and(|r| r.sent_at.plus(window) <= now) {
            self.remaining = None;
        }
    }

    /// Execution time charged in the window at `now`, in ms.
    pub(super) fn spent(&self, now: Millis, window: Duration) -> u64 {
        self.charges.iter().filter(|c| c.at.plus(window) > now).map(|c| c.cost).sum()
    }

    /// Requests sent in the window at `now`.
    pub(super) fn requests(&self, now: Millis, window: Duration) -> usize {
        self.sent.iter().filter(|(_, at)| at.plus(window) > now).count()
    }

    /// Sum of the reservations of requests in flight, in ms.
    pub(super) fn reserved(&self) -> u64 {
        self.reserved
    }

    /// Whether a request expected to cost `estimate` ms may be sent at `now` with `outstanding`
    /// requests in flight.
    pub(super) fn check(&mut self, now: Millis, estimate: u64, outstanding: usize, config: &RunConfig) -> Verdict {
        let window = config.limit_window;
        self.prune(now, window);
        let mut until: Option<Millis> = None;

        // Requests: every request sent in the window counts, answered or not. Once the k oldest have
        // left the window, one more fits.
        let allowed = usize::try_from(config.request_budget.max(1)).unwrap_or(usize::MAX);
        if self.sent.len() >= allowed
            && let Some((_, at)) = self.sent.get(self.sent.len() - allowed)
        {
            until = Some(at.plus(window));
        }

        // Execution time: what the window holds, the reservations and this request.
        let idle = outstanding == 0 && self.charged == 0;
        let need = self.charged.saturating_add(self.reserved).saturating_add(estimate);
        let budget = ms(config.execution_budget);
        if !idle && need > budget {
            let excess = need - budget;
            let mut freed = 0u64;
            let mut fits_at = None;
            for c in &self.charges {
                freed = freed.saturating_add(c.cost);
                if freed >= excess {
                    fits_at = Some(c.at);
                    break;
                }
            }
            if fits_at.is_none() && outstanding == 0 {
                // Too big even for an empty window: it goes alone once the window is empty.
                fits_at = self.charges.last().map(|c| c.at);
            }
            match fits_at {
                Some(at) => until = Some(until.map_or(at.plus(window), |t| t.max(at.plus(window)))),
                None => return Verdict::Answers,
            }
        }

        // The service's own count (when it says): only ever a tighter bound. It counted as of when it
        // admitted request `r.id`; what was charged and sent after that comes off.
        if config.use_ratelimit_headers
            && outstanding > 0
            && let Some(r) = self.remaining
        {
            if let Some(left) = r.exec_ms {
                let since: u64 = self.charges.iter().filter(|c| c.after >= r.id).map(|c| c.cost).sum();
                if self.reserved.saturating_add(estimate) > left.saturating_sub(since) {
                    return Verdict::Answers;
                }
            }
            if let Some(left) = r.requests {
                let since = self.sent.iter().filter(|(id, _)| *id > r.id).count() as u64;
                if since >= left {
                    return Verdict::Answers;
                }
            }
        }

        until.map_or(Verdict::Send, Verdict::Until)
    }

    /// The request `sent` was handed out.
    pub(super) fn sent(&mut self, sent: &Sent) {
        let k = self.sent.partition_point(|(_, at)| *at <= sent.at);
        self.sent.insert(k, (sent.id, sent.at));
        self.reserved = self.reserved.saturating_add(sent.estimate);
    }

    /// The request `sent` never left the client: it does not count, and its reservation is released.
    pub(super) fn unsent(&mut self, sent: &Sent) {
        self.sent.retain(|(i, _)| *i != sent.id);
        self.reserved = self.reserved.saturating_sub(sent.estimate);
    }

    /// The request `sent` was answered (or its connection dropped) at `now`; `last_id` is the last
    /// request id handed out; `ran` says whether it ran (a 2xx envelope), so that its cost informs the
    /// estimates.
    pub(super) fn answered(&mut self, now: Millis, sent: &Sent, last_id: RequestId, ran: bool) {
        self.reserved = self.reserved.saturating_sub(sent.estimate);
        let cost = ms(now.since(sent.at));
        if cost > 0 {
            let k = self.charges.partition_point(|c| c.at <= now);
            self.charges.insert(k, Charge { at: now, cost, after: last_id });
            self.charged = self.charged.saturating_add(cost);
        }
        if ran {
            let (n, avg) = if sent.writes > 0 {
                (sent.writes, &mut self.per_write)
            } else {
                (sent.operations, &mut self.per_read)
            };
            if n > 0 {
                let observed = cost as f64 / n as f64;
                *avg += ALPHA * (observed - *avg);
            }
        }
    }

    /// Keeps what the debugging headers of the answer to the request `sent` say.
    pub(super) fn observe(&mut self, sent: &Sent, response: &Response) {
        let (id, sent_at) = (sent.id, sent.at);
        let requests = header_thousandths(response, REQUESTS_LEFT).map(|n| n / 1000);
        let exec_ms = header_thousandths(response, TIME_LEFT);
        if (requests.is_some() || exec_ms.is_some()) && self.remaining.is_none_or(|r| r.id < id) {
            self.remaining = Some(Remaining { id, sent_at, requests, exec_ms });
        }
    }
}

#[cfg(test)]
mod tests;
