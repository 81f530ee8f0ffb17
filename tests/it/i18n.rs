//! Issue 18: the UI's texts from the catalogue. Keys the UI computes (filter choices) exist in every
//! language, and the view-model labels render in German and stay English by default.

use syncready::state::bulk::{action_title, action_title_in, remedy_label, remedy_label_in};
use syncready::state::grid::{ApprovalFilter, KindFilter, Problem, TestOutcome};
use syncready_core::bulk::Action;
use syncready_core::i18n::Lang;
use syncready_core::readiness::Remedy;

#[test]
fn the_grid_filter_choices_have_a_label_in_every_language() {
    let values: Vec<(&str, &str)> = KindFilter::CHOICES
        .iter()
        .map(|(_, v, _)| ("kind", *v))
        .chain(TestOutcome::CHOICES.iter().map(|(_, v, _)| ("tests", *v)))
        .chain(ApprovalFilter::CHOICES.iter().map(|(_, v, _)| ("approval", *v)))
        .collect();
    for lang in Lang::all() {
        for (group, value) in &values {
            let key = format!("ui.grid.{group}.{value}");
            assert!(lang.own(&key).is_some(), "{}: {key}", lang.tag());
        }
    }
    // Each choice names its label's key: `ui.grid.<group>.<value>`.
    for (_, value, key) in KindFilter::CHOICES {
        assert_eq!(key, format!("ui.grid.kind.{value}"));
    }
    for (_, value, key) in ApprovalFilter::CHOICES {
        assert_eq!(key, format!("ui.grid.approval.{value}"));
    }
}

#[test]
fn remedy_action_and_problem_labels_render_in_german_and_default_to_english() {
    let de = Lang::from_tag("de");
    let approve = Remedy::ApproveMailboxes { mailbox_ids: vec!["a".into(), "b".into()] };
    assert_eq!(remedy_label(&approve), "Approve 2 mailboxes");
    assert_eq!(remedy_label_in(&approve, de), "2 Postfächer genehmigen");
    let one = Remedy::TestAndEnable { mailbox_ids: vec!["a".into()], this_org_only: true };
    assert_eq!(remedy_label(&one), "Test & enable 1 mailbox (this org only)");
    assert_eq!(remedy_label_in(&one, de), "1 Postfach testen und aktivieren (nur diese Organisation)");
    assert_eq!(action_title(&Action::Approve), "Approve email addresses");
    assert_eq!(action_title_in(&Action::Approve, de), "E-Mail-Adressen genehmigen");
    assert_eq!(Problem::NotApproved.label(), "Not approved");
    assert_eq!(Problem::NotApproved.label_in(de), "Nicht genehmigt");
}

#[test]
fn every_chart_slice_has_a_label_in_every_language() {
    use syncready::state::charts::{readiness_in, test_outcomes_in};
    let snap = syncready_core::collect::Snapshot::default();
    for lang in Lang::all() {
        let (readiness, tests) = (readiness_in(&snap, None, lang), test_outcomes_in(&snap, lang));
        for (chart, slices) in [("readiness", &readiness), ("tests", &tests)] {
            for s in slices.iter() {
                let key = format!("ui.chart.{chart}.{}", s.key);
                assert!(lang.own(&key).is_some(), "{}: {key}", lang.tag());
                assert_eq!(lang.t(&key), s.label, "{}: the slice is labelled by its own key", lang.tag());
            }
        }
    }
    let german = test_outcomes_in(&snap, Lang::from_tag("de"));
    assert_ne!(german[0].label, syncready::state::charts::test_outcomes(&snap)[0].label);
}

#[test]
fn a_failed_tenant_discovery_is_a_value_the_page_renders_in_its_language() {
    use syncready::session::tenant::Failure;
    let de = Lang::from_tag("de");
    assert_eq!(Failure::NotSignedIn.text_in(Lang::english()), "Sign in with Microsoft Entra ID first.");
    assert_eq!(Failure::NotSignedIn.text_in(de), "Melden Sie sich zuerst mit Microsoft Entra ID an.");
    assert_eq!(
        Failure::NoDiscoveryToken("AADSTS65001".into()).text_in(de),
        "Kein Token für den Global Discovery Service: AADSTS65001"
    );
    let http = syncready_core::tenant::DiscoveryError::Http { status: 500, body: String::new() };
    assert_eq!(
        Failure::Discovery(http.clone()).text_in(de),
        "Der Global Discovery Service hat mit HTTP 500 geantwortet"
    );
    assert_eq!(
        Failure::Discovery(http).text_in(Lang::english()),
        "The Global Discovery Service answered HTTP 500"
    );
    assert_eq!(
        Failure::Unreachable("Failed to fetch".into()).text_in(de),
        "Der Global Discovery Service ist nicht erreichbar: Failed to fetch"
    );
}
