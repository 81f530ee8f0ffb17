//! Scripted faults in the wiremock style: each [`Fault`] matches requests (optionally by method and
//! path) and fires a number of times.

use std::time::Duration;

/// What a fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer with this status (e.g. 500, 502, 503) and a Dataverse error body.
    Status(u16),
    /// Delay the answer by this much real time (the request still runs).
    Latency(Duration),
    /// Close the connection without answering. In-process (`app()`), the answer is a 502 with the
    /// header `x-dataverse-sim-fault: drop-connection`; [`crate::serve`] drops the socket instead.
    DropConnection,
    /// Answer 429 with `Retry-After` (seconds) and the request-count error (a throttling burst).
    Throttle {
        /// Value of `Retry-After`.
        retry_after: Duration,
    },
    /// Inside the next `$batch`, operation number `item` (1-based, counting every operation in order)
    /// fails with `status` instead of running.
    FailBatchItem {
        /// 1-based position in the batch.
        item: usize,
        /// Status of the failed operation.
        status: u16,
    },
    /// An outage: every request in flight when this fires (already run by the engine, its answer not
    /// yet sent) and the request it fires on fail at the transport, as when a laptop sleeps, a VPN
    /// switches or a proxy resets connections. In-process the answers carry the drop marker (as
    /// [`FaultKind::DropConnection`]); [`crate::serve`] drops the sockets. [`crate::Sim::set_network_down`]
    /// is the same for as long as it is on.
    Outage,
    /// Every session that exists when this fires expires after `requests` more API requests (not
    /// counting the request it fires on).
    ExpireSessionAfter {
        /// API requests still allowed.
        requests: u64,
    },
}

/// A scripted fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// How many matching requests it fires on (default 1).
    pub times: u32,
    /// Only requests whose path contains this (e.g. `"mailboxes"`, `"$batch"`).
    pub path_contains: Option<String>,
    /// Only this method (e.g. `"PATCH"`).
    pub method: Option<String>,
    /// Let this many matching requests pass first.
    pub after: u32,
}

impl Fault {
    fn of(kind: FaultKind) -> Fault {
        Fault { kind, times: 1, path_contains: None, method: None, after: 0 }
    }

    /// Answer with `status` (5xx usually).
    pub fn status(status: u16) -> Fault {
        Fault::of(FaultKind::Status(status))
    }

    /// Delay answers.
    pub fn latency(delay: Duration) -> Fault {
        Fault::of(FaultKind::Latency(delay))
    }

    /// Drop the connection.
    pub fn drop_connection() -> Fault {
        Fault::of(FaultKind::DropConnection)
    }

    /// A burst of 429s.
    pub fn throttle(retry_after: Duration) -> Fault {
        Fault::of(FaultKind::Throttle { retry_after })
    }

    /// Fail operation `item` (1-based) of the next batch with `status`.
    pub fn fail_batch_item(item: usize, status: u16) -> Fault {
        Fault::of(FaultKind::FailBatchItem { item, status })
    }

    /// Every request in flight, and the one this fires on, fail at the transport.
    pub fn outage() -> Fault {
        Fault::of(FaultKind::Outage)
    }

    /// Expire current sessions after `requests` more API requests.
    pub fn expire_session_after(requests: u64) -> Fault {
        Fault::of(FaultKind::ExpireSessionAfter { requests })
    }

    /// Fire on `n` matching requests.
    pub fn times(mut self, n: u32) -> Fault {
        self.times = n;
        self
    }

    /// Only match paths containing `s`.
    pub fn on_path(mut self, s: &str) -> Fault {
        self.path_contains = Some(s.to_string());
        self
    }

    /// Only match this method.
    pub fn on_method(mut self, m: &str) -> Fault {
        self.method = Some(m.to_ascii_uppercase());
        self
    }

    /// Skip the first `n` matching requests.
    pub fn after(mut self, n: u32) -> Fault {
        self.after = n;
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self.path_contains.as_deref().is_none_or(|p| path.contains(p))
    }
}

/// Queued faults.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    faults: Vec<Fault>,
    /// Sessions expire when the API request counter reaches this.
    pub(crate) expire_at: Option<u64>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, f: Fault) {
        self.faults.push(f);
    }

    /// Faults that have not fired all their times yet.
    pub(crate) fn pending(&self) -> Vec<Fault> {
        self.faults.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.faults.clear();
        self.expire_at = None;
    }

    /// Takes the request-level faults that fire for this request (batch-item faults are left alone).
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Vec<FaultKind> {
        let mut fired = Vec::new();
        for f in &mut self.faults {
            if matches!(f.kind, FaultKind::FailBatchItem { .. }) || f.times == 0 || !f.matches(method, path) {
                continue;
            }
            if f.after > 0 {
                f.after -= 1;
                continue;
            }
            f.times -= 1;
            fired.push(f.kind.clone());
        }
        self.faults.retain(|f| f.times > 0);
        fired
    }

    /// Takes the batch-item faults for one batch: (1-based item, status).
    pub(crate) fn take_batch_items(&mut self) -> Vec<(usize, u16)> {
        let mut fired = Vec::new();
        for f in &mut self.faults {
            if let FaultKind::FailBatchItem { item, status } = f.kind
                && f.times > 0
            {
                f.times -= 1;
                fired.push((item, status));
            }
        }
        self.faults.retain(|f| f.times > 0);
        fired
    }
}
