//! Tuning of a run.

use serde::Serialize;
use std::time::Duration;

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
    /// this further ([`Run::max_in_flight`](crate::bulk::Run::max_in_flight)).
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
    /// with [`Halt::Unreachable`](crate::bulk::Halt::Unreachable) and the reason, so that the admin sees it and can resume, instead of
    /// it retrying unseen.
    pub unreachable_after: Duration,
    /// A request older than this counts as slow: [`Progress::waiting_since`](crate::bulk::Progress::waiting_since) then says since when the
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
