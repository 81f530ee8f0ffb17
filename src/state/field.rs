//! What the panel says when Dataverse is slow, unreachable, throttling, or the session expired
//! (issue 11): plain functions of the run's progress and the page's limits ledger, tested natively.

use std::time::Duration;
use syncready_core::bulk::{Halt, Progress};

/// "Waiting for Dataverse since 14:32:05 (80 s)" while a run's requests are slow or failing; `clock`
/// formats a run time (Unix ms) as the admin's local time of day. `None` when nothing is waited for.
pub fn waiting_for_dataverse(
    progress: &Progress,
    now_ms: u64,
    clock: impl Fn(u64) -> String,
) -> Option<String> {
    if progress.halt.is_some() {
        return None;
    }
    let since = progress.waiting_since?;
    let secs = Duration::from_millis(now_ms.saturating_sub(since.0)).as_secs();
    Some(format!("Waiting for Dataverse since {} ({})", clock(since.0), span(secs)))
}

/// "2 min 5 s", "40 s".
fn span(secs: u64) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// What a halted run says, with what to do; `clock` as for [`waiting_for_dataverse`].
pub fn halt_text(halt: &Halt, clock: impl Fn(u64) -> String) -> String {
    match halt {
        Halt::SessionExpired { .. } => {
            "Paused: the Dynamics 365 session expired. Sign in again in the Dynamics tab, \
then choose \u{201c}I signed in again\u{201d} to resume here."
                .to_owned()
        }
        Halt::Cancelled => "Cancelled: nothing more was sent.".to_owned(),
        Halt::Unreachable { since, error } => format!(
            "Stopped: Dataverse could not be reached since {} ({error}). Nothing was lost: changes whose \
outcome is unknown are read back before anything is sent again. Check the network and that you are still \
signed in to Dynamics 365 in its tab, then choose \u{201c}I signed in again\u{201d} to resume.",
            clock(since.0)
        ),
    }
}

/// True when the admin can act and then resume in place (sign in again, or fix the network).
pub fn resumable_in_place(halt: &Halt) -> bool {
    matches!(halt, Halt::SessionExpired { .. } | Halt::Unreachable { .. })
}

/// "Waiting for Dataverse's limits (12 s)…" while the checklist's reads wait out a `Retry-After`.
pub fn limits_wait(left: Duration) -> String {
    format!("Waiting for Dataverse\u{2019}s limits ({} s)\u{2026}", left.as_secs().max(1))
}
