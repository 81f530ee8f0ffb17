use std::time::Duration;
use syncready::state::field::{halt_text, limits_wait, resumable_in_place, waiting_for_dataverse};
use syncready_core::bulk::{Halt, Millis, Progress};
use syncready_core::i18n::Lang;

fn clock(ms: u64) -> String {
    format!("t{}", ms / 1000)
}

#[test]
fn a_slow_run_says_since_when_it_waits_for_dataverse_and_a_halted_one_does_not() {
    let mut p = Progress::default();
    assert_eq!(waiting_for_dataverse(&p, 10_000, clock), None);
    p.waiting_since = Some(Millis(1_000));
    assert_eq!(
        waiting_for_dataverse(&p, 41_000, clock).as_deref(),
        Some("Waiting for Dataverse since t1 (40 s)")
    );
    assert_eq!(
        waiting_for_dataverse(&p, 126_000, clock).as_deref(),
        Some("Waiting for Dataverse since t1 (2 min 5 s)")
    );
    p.halt = Some(Halt::Unreachable { since: Millis(1_000), error: "x".into() });
    assert_eq!(waiting_for_dataverse(&p, 126_000, clock), None, "the halt says it instead");
}

#[test]
fn an_unreachable_halt_names_the_error_and_the_time_and_offers_to_resume_in_place() {
    let halt = Halt::Unreachable { since: Millis(7_000), error: "TypeError: Failed to fetch".into() };
    let text = halt_text(&halt, clock);
    assert!(text.contains("since t7 (TypeError: Failed to fetch)"), "{text}");
    assert!(text.contains("I signed in again"), "{text}");
    assert!(resumable_in_place(&halt));
    assert!(resumable_in_place(&Halt::SessionExpired { status: 401 }));
    assert!(!resumable_in_place(&Halt::Cancelled));
    assert!(halt_text(&Halt::SessionExpired { status: 302 }, clock).contains("I signed in again"));
}

#[test]
fn throttled_reads_say_how_long_they_wait() {
    let en = Lang::english();
    assert_eq!(
        limits_wait(Duration::from_millis(12_400), en),
        "Waiting for Dataverse\u{2019}s limits (12 s)\u{2026}"
    );
    assert_eq!(
        limits_wait(Duration::from_millis(300), en),
        "Waiting for Dataverse\u{2019}s limits (1 s)\u{2026}"
    );
    assert_eq!(
        limits_wait(Duration::from_millis(12_400), Lang::from_tag("de")),
        "Warten auf die Grenzwerte von Dataverse (12 s)\u{2026}"
    );
}
