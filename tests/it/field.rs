use std::time::Duration;
use syncready::state::field::{halt_text, limits_wait, resumable_in_place, waiting_for_dataverse};
use syncready_core::bulk::{Halt, Millis, Progress};
use syncready_core::i18n::Lang;

fn en() -> Lang {
    Lang::english()
}

fn clock(ms: u64) -> String {
    format!("t{}", ms / 1000)
}

#[test]
fn a_slow_run_says_since_when_it_waits_for_dataverse_and_a_halted_one_does_not() {
    let mut p = Progress::default();
    assert_eq!(waiting_for_dataverse(&p, 10_000, en(), clock), None);
    p.waiting_since = Some(Millis(1_000));
    assert_eq!(
        waiting_for_dataverse(&p, 41_000, en(), clock).as_deref(),
        Some("Waiting for Dataverse since t1 (40 s)")
    );
    assert_eq!(
        waiting_for_dataverse(&p, 126_000, en(), clock).as_deref(),
        Some("Waiting for Dataverse since t1 (2 min 5 s)")
    );
    p.halt = Some(Halt::Unreachable { since: Millis(1_000), error: "x".into() });
    assert_eq!(waiting_for_dataverse(&p, 126_000, en(), clock), None, "the halt says it instead");
}

#[test]
fn an_unreachable_halt_names_the_error_and_the_time_and_offers_to_resume_in_place() {
    let halt = Halt::Unreachable { since: Millis(7_000), error: "TypeError: Failed to fetch".into() };
    let text = halt_text(&halt, en(), clock);
    assert!(text.contains("since t7 (TypeError: Failed to fetch)"), "{text}");
    assert!(text.contains("I signed in again"), "{text}");
    assert!(resumable_in_place(&halt));
    assert!(resumable_in_place(&Halt::SessionExpired { status: 401 }));
    assert!(!resumable_in_place(&Halt::Cancelled));
    assert!(halt_text(&Halt::SessionExpired { status: 302 }, en(), clock).contains("I signed in again"));
}

#[test]
fn the_waiting_and_halt_lines_are_german_on_a_german_page() {
    let de = Lang::from_tag("de");
    let mut p = Progress { waiting_since: Some(Millis(1_000)), ..Progress::default() };
    assert_eq!(
        waiting_for_dataverse(&p, 126_000, de, clock).as_deref(),
        Some("Warten auf Dataverse seit t1 (2 min 5 s)")
    );
    p.halt = Some(Halt::Unreachable { since: Millis(7_000), error: "TypeError: Failed to fetch".into() });
    let text = halt_text(p.halt.as_ref().unwrap(), de, clock);
    assert!(
        text.starts_with("Gestoppt: Dataverse ist seit t7 nicht erreichbar (TypeError: Failed to fetch)."),
        "{text}"
    );
    // It names the button as the German page labels it.
    let button = de.t("ui.bulk.signed-in-again");
    assert!(button.starts_with("Ich habe mich neu angemeldet"), "{button}");
    assert!(text.contains("„Ich habe mich neu angemeldet“"), "{text}");
    assert!(
        halt_text(&Halt::SessionExpired { status: 401 }, de, clock)
            .contains("„Ich habe mich neu angemeldet“")
    );
    assert_eq!(halt_text(&Halt::Cancelled, de, clock), "Abgebrochen: Es wurde nichts mehr gesendet.");
    assert_eq!(halt_text(&Halt::Cancelled, en(), clock), "Cancelled: nothing more was sent.");
}

#[test]
fn throttled_reads_say_how_long_they_wait() {
    assert_eq!(
        limits_wait(Duration::from_millis(12_400)),
        "Waiting for Dataverse\u{2019}s limits (12 s)\u{2026}"
    );
    assert_eq!(
        limits_wait(Duration::from_millis(300)),
        "Waiting for Dataverse\u{2019}s limits (1 s)\u{2026}"
    );
}
