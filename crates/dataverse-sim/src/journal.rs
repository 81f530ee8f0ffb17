//! The request journal: every request the simulator saw, for tests to assert on.

/// One journalled request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// HTTP method.
    pub method: String,
    /// Host header.
    pub host: String,
    /// Path, still percent-encoded.
    pub path: String,
    /// Raw query string (empty when none).
    pub query: String,
    /// Status answered (for a `$batch`, the outer status).
    pub status: u16,
    /// Number of operations inside a `$batch` (0 otherwise).
    pub batch_operations: usize,
    /// Sim time of the request (`2026-11-20T09:00:00Z`).
    pub at: String,
    /// True when no route matched: the simulator answered with its loud 404.
    pub unexpected: bool,
    /// True when an injected fault answered instead of the engine.
    pub faulted: bool,
}
