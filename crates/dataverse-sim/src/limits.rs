//! Service protection limits (§10): a per-user sliding window of request count and execution time,
//! plus concurrency, answering 429 with `Retry-After` and the real codes and messages.

use std::collections::{HashMap, VecDeque};

use crate::config::Limits;
use crate::error::ApiError;
use crate::ids::Guid;

#[derive(Debug, Default)]
struct Window {
    requests: VecDeque<i64>,
    exec: VecDeque<(i64, i64)>,
    exec_total: i64,
    in_flight: u32,
    /// 429s in a row: Retry-After grows while the client keeps pushing (§10).
    refused: i64,
}

/// Per-user counters.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    users: HashMap<Guid, Window>,
}

fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl Limiter {
    fn prune(w: &mut Window, now: i64, window_ms: i64) {
        while w.requests.front().is_some_and(|t| *t <= now - window_ms) {
            w.requests.pop_front();
        }
        while let Some((t, cost)) = w.exec.front().copied() {
            if t > now - window_ms {
                break;
            }
            w.exec.pop_front();
            w.exec_total -= cost;
        }
    }

    /// Admits one request (counting it) or answers 429.
    pub(crate) fn admit(&mut self, user: Guid, now: i64, limits: &Limits) -> Result<(), ApiError> {
        let window_ms = limits.window.as_millis() as i64;
        let w = self.users.entry(user).or_default();
        Self::prune(w, now, window_ms);
        let secs = limits.window.as_secs();
        if w.in_flight >= limits.max_concurrent {
            return Err(ApiError::new(
                429,
                "0x80072326",
                format!("Number of concurrent requests exceeded the limit of {}.", limits.max_concurrent),
            )
            .with_header("Retry-After", "1"));
        }
        if w.requests.len() as u64 >= u64::from(limits.max_requests) {
            let oldest = w.requests.front().copied().unwrap_or(now);
            let wait = ((oldest + window_ms - now).max(1) + 999) / 1000 + w.refused;
            w.refused += 1;
            return Err(ApiError::new(
                429,
                "0x80072322",
                format!(
                    "Number of requests exceeded the limit of {} over time window of {secs} seconds.",
                    limits.max_requests
                ),
            )
            .with_header("Retry-After", wait.to_string()));
        }
        let max_exec = limits.max_execution.as_millis() as i64;
        if w.exec_total >= max_exec {
            // Wait until enough execution time leaves the window to get back under the limit.
            let mut excess = w.exec_total - max_exec;
            let mut until = now;
            for (t, cost) in &w.exec {
                until = *t + window_ms;
                if excess < *cost {
                    break;
                }
                excess -= cost;
            }
            let wait = ((until - now).max(1) + 999) / 1000 + w.refused;
            w.refused += 1;
            return Err(ApiError::new(
                429,
                "0x80072321",
                format!(
                    "Combined execution time of incoming requests exceeded limit of {} milliseconds over time window of {secs} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.",
                    thousands(max_exec)
                ),
            )
            .with_header("Retry-After", wait.to_string()));
        }
        w.requests.push_back(now);
        w.in_flight += 1;
        w.refused = 0;
        Ok(())
    }

    /// Ends a request admitted earlier, charging its execution time.
    pub(crate) fn finish(&mut self, user: Guid, now: i64, cost_ms: i64) {
        let w = self.users.entry(user).or_default();
        w.in_flight = w.in_flight.saturating_sub(1);
        if cost_ms > 0 {
            w.exec.push_back((now, cost_ms));
            w.exec_total += cost_ms;
        }
    }

    /// (requests left, execution ms left) for the debugging headers.
    pub(crate) fn remaining(&mut self, user: Guid, now: i64, limits: &Limits) -> (i64, i64) {
        let w = self.users.entry(user).or_default();
        Self::prune(w, now, limits.window.as_millis() as i64);
        (
            i64::from(limits.max_requests) - w.requests.len() as i64,
            limits.max_execution.as_millis() as i64 - w.exec_total,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn numbers_in_limit_messages_get_thousands_separators() {
        assert_eq!(thousands(1_200_000), "1,200,000");
        assert_eq!(thousands(52), "52");
    }
}
