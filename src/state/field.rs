//! What the panel says when Dataverse is slow, unreachable, throttling, or the session expired
//! (issue 11): plain functions of the run's progress and the page's limits ledger, tested natively.

use std::time::Duration;
use syncready_core::bulk::{Halt, Progress};
use syncready_core::i18n::Lang;
use syncready_core::tr;

/// "Waiting for Dataverse since 14:32:05 (80 s)" while a run's requests are slow or failing; `clock`
/// formats a run time (Unix ms) as the admin's local time of day. `None` when nothing is waited for.
/// English ([`waiting_for_dataverse_in`]).
pub fn waiting_for_dataverse(
    progress: &Progress,
    now_ms: u64,
    clock: impl Fn(u64) -> String,
) -> Option<String> {
    waiting_for_dataverse_in(progress, now_ms, clock, Lang::english())
}

/// [`waiting_for_dataverse`] in `lang`.
pub fn waiting_for_dataverse_in(
    progress: &Progress,
    now_ms: u64,
    clock: impl Fn(u64) -> String,
    lang: Lang,
) -> Option<String> {
    if progress.halt.is_some() {
        return None;
    }
    let since = progress.waiting_since?;
    let secs = Duration::from_millis(now_ms.saturating_sub(since.0)).as_secs();
    Some(tr!(lang, "bulk.waiting", since = clock(since.0), span = span(secs, lang)))
}

/// "2 min 5 s", "40 s".
fn span(secs: u64, lang: Lang) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => tr!(lang, "bulk.span.s", s = s),
        (m, 0) => tr!(lang, "bulk.span.m", m = m),
        (m, s) => tr!(lang, "bulk.span.m-s", m = m, s = s),
    }
}

/// What a halted run says, with what to do; `clock` as for [`waiting_for_dataverse`]. English
/// ([`halt_text_in`]).
pub fn halt_text(halt: &Halt, clock: impl Fn(u64) -> String) -> String {
    halt_text_in(halt, clock, Lang::english())
}

/// [`halt_text`] in `lang`.
pub fn halt_text_in(halt: &Halt, clock: impl Fn(u64) -> String, lang: Lang) -> String {
    match halt {
        Halt::SessionExpired { .. } => lang.t("bulk.halt.session-expired").to_owned(),
        Halt::Cancelled => lang.t("bulk.halt.cancelled").to_owned(),
        Halt::Unreachable { since, error } => {
            tr!(lang, "bulk.halt.unreachable", since = clock(since.0), error = error)
        }
    }
}

/// True when the admin can act and then resume in place (sign in again, or fix the network).
pub fn resumable_in_place(halt: &Halt) -> bool {
    matches!(halt, Halt::SessionExpired { .. } | Halt::Unreachable { .. })
}

/// "Waiting for Dataverse's limits (12 s)…" in `lang`, while the checklist's reads wait out a
/// `Retry-After`.
pub fn limits_wait(left: Duration, lang: Lang) -> String {
    tr!(lang, "bulk.limits-wait", s = left.as_secs().max(1))
}
