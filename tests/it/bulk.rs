use syncready::state::bulk::{bar, o365_unset_note};
use syncready::state::field::{halt_text_in, waiting_for_dataverse_in};
use syncready_core::bulk::{Halt, ItemOutcome, ItemState, Millis, Progress};
use syncready_core::i18n::Lang;

#[test]
fn issue_18_the_o365_note_is_a_counted_message_in_english_and_german() {
    let (en, de) = (Lang::english(), Lang::from_tag("de"));
    let mut p = Progress::default();
    assert_eq!(o365_unset_note(&p, en), None);
    p.o365_unset = 1;
    let one = o365_unset_note(&p, en).unwrap();
    assert!(one.starts_with("1 mailbox was approved, but the approval did not set"), "{one}");
    assert!(one.contains("It is counted as succeeded;"), "{one}");
    let ein = o365_unset_note(&p, de).unwrap();
    assert!(ein.starts_with("1 Postfach wurde genehmigt"), "{ein}");
    assert!(ein.contains("Es zählt als erfolgreich;"), "{ein}");
    p.o365_unset = 2;
    let two = o365_unset_note(&p, en).unwrap();
    assert!(two.starts_with("2 mailboxes were approved, but"), "{two}");
    assert!(two.contains("They are counted as succeeded;"), "{two}");
    let zwei = o365_unset_note(&p, de).unwrap();
    assert!(zwei.starts_with("2 Postfächer wurden genehmigt"), "{zwei}");
    assert!(zwei.contains("Sie zählen als erfolgreich;"), "{zwei}");
}

#[test]
fn issue_18_the_progress_line_names_only_the_states_that_occur_in_the_page_language() {
    let item = ItemOutcome {
        id: "m".into(),
        name: "M".into(),
        state: ItemState::Succeeded,
        attempts: 1,
        status: None,
        code: None,
        message: None,
        observed: Vec::new(),
        applied: true,
        test: None,
        o365_admin_approved: None,
    };
    let p = Progress {
        succeeded: 118,
        failed: 2,
        pending: 3,
        sent: 1,
        items: vec![item; 124],
        ..Progress::default()
    };
    let b = bar(&p, Lang::english());
    assert_eq!((b.done, b.total, b.percent), (120, 124, 96));
    assert_eq!(b.label, "120 of 124 done: 118 succeeded, 2 failed, 4 in progress");
    let b = bar(&p, Lang::from_tag("de"));
    assert_eq!(b.label, "120 von 124 erledigt: 118 erfolgreich, 2 fehlgeschlagen, 4 in Arbeit");
}

fn clock(ms: u64) -> String {
    format!("t{}", ms / 1000)
}

#[test]
fn issue_18_the_waiting_and_halt_lines_are_german_on_a_german_page() {
    let de = Lang::from_tag("de");
    let mut p = Progress { waiting_since: Some(Millis(1_000)), ..Progress::default() };
    assert_eq!(
        waiting_for_dataverse_in(&p, 126_000, clock, de).as_deref(),
        Some("Warten auf Dataverse seit t1 (2 min 5 s)")
    );
    assert_eq!(
        waiting_for_dataverse_in(&p, 126_000, clock, Lang::english()).as_deref(),
        Some("Waiting for Dataverse since t1 (2 min 5 s)")
    );
    p.halt = Some(Halt::Unreachable { since: Millis(7_000), error: "TypeError: Failed to fetch".into() });
    assert_eq!(waiting_for_dataverse_in(&p, 126_000, clock, de), None, "the halt says it instead");
    let text = halt_text_in(p.halt.as_ref().unwrap(), clock, de);
    assert!(
        text.starts_with("Gestoppt: Dataverse ist seit t7 nicht erreichbar (TypeError: Failed to fetch)."),
        "{text}"
    );
    // It names the button as the German page labels it.
    let button = de.t("ui.bulk.signed-in-again");
    assert!(button.starts_with("Ich habe mich neu angemeldet"), "{button}");
    assert!(text.contains("„Ich habe mich neu angemeldet“"), "{text}");
    let expired = halt_text_in(&Halt::SessionExpired { status: 401 }, clock, de);
    assert!(expired.contains("„Ich habe mich neu angemeldet“"), "{expired}");
    assert_eq!(halt_text_in(&Halt::Cancelled, clock, de), "Abgebrochen: Es wurde nichts mehr gesendet.");
    assert_eq!(halt_text_in(&Halt::Cancelled, clock, Lang::english()), "Cancelled: nothing more was sent.");
}
