use std::collections::HashSet;
use std::sync::Arc;
use syncready::state::grid::{
    ApprovalFilter, GridFilter, KindFilter, TestOutcome, apply, choice, choice_options, profile_names, rows,
    rows_in, value_of, window,
};
use syncready_core::collect::Snapshot;
use syncready_core::i18n::Lang;
use syncready_core::json::FromJson;
use syncready_core::model::{Mailbox, Profile};
use syncready_core::wire;

fn mailbox(id: &str, name: &str, kind: &str, approval: i32, incoming_status: i32) -> Mailbox {
    let w = wire::Mailbox::from_json(&serde_json::json!({
        "mailboxid": id,
        "name": name,
        "emailaddress": format!("{}@contoso.com", name.to_lowercase().replace(' ', ".")),
        "_emailserverprofile_value": "p1",
        "_regardingobjectid_value": "u",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": kind,
        "statecode": 0,
        "emailrouteraccessapproval": approval,
        "incomingemailstatus": incoming_status,
        "outgoingemailstatus": 1,
        "actstatus": 0
    }))
    .unwrap();
    Mailbox::from(w)
}

fn snapshot(mailboxes: Vec<Mailbox>) -> Snapshot {
    let p = wire::EmailServerProfile::from_json(&serde_json::json!({
        "emailserverprofileid": "p1", "name": "Microsoft Exchange Online", "servertype": 0
    }))
    .unwrap();
    Snapshot { profiles: Some(vec![Profile::from(p)]), mailboxes: Some(mailboxes), ..Snapshot::default() }
}

#[test]
fn rows_show_profile_names_approval_and_test_marks() {
    let snap = snapshot(vec![mailbox("m1", "Ann Lee", "systemuser", 2, 2)]);
    let r = &rows(&snap)[0];
    assert_eq!(
        (r.kind, r.profile.as_str(), r.approval, r.tests.as_str(), r.failed),
        ("User", "Microsoft Exchange Online", "Pending approval", "In ✗ · Out ✓ · ACT –", true)
    );
}

#[test]
fn rows_render_their_detail_columns_in_german_and_filter_by_kind_whatever_the_language() {
    let de = Lang::from_tag("de");
    let snap =
        snapshot(vec![mailbox("m1", "Ann Lee", "systemuser", 2, 2), mailbox("q1", "Support", "queue", 1, 1)]);
    let german = rows_in(&snap, de);
    let r = &german[0];
    assert_eq!(
        (r.kind, r.approval, r.tests.as_str()),
        ("Benutzer", "Genehmigung ausstehend", "Ein ✗ · Aus ✓ · Termine/Kontakte/Aufgaben –")
    );
    assert_eq!(
        r.detail_in(de),
        "Ann Lee: Benutzer · Microsoft Exchange Online · Genehmigung ausstehend · Ein ✗ · Aus ✓ · Termine/Kontakte/Aufgaben –"
    );
    assert_eq!(german[1].kind, "Warteschlange");
    let queues = GridFilter { kind: KindFilter::Queue, ..GridFilter::default() };
    assert_eq!(apply(&german, &queues), apply(&rows(&snap), &queues));
    assert_eq!(apply(&german, &queues), vec![1]);
    assert_eq!(
        choice_options(&ApprovalFilter::CHOICES, de)[2],
        ("not-approved".to_owned(), "Nicht genehmigt".to_owned())
    );
}

#[test]
fn filters_combine_ids_kind_failures_and_case_insensitive_search() {
    let snap = snapshot(vec![
        mailbox("m1", "Ann Lee", "systemuser", 1, 1),
        mailbox("m2", "Support", "queue", 2, 2),
        mailbox("m3", "Bob Ray", "systemuser", 2, 2),
    ]);
    let all = rows(&snap);
    assert_eq!(apply(&all, &GridFilter::default()), vec![0, 1, 2]);
    assert_eq!(apply(&all, &GridFilter { kind: KindFilter::Queue, ..GridFilter::default() }), vec![1]);
    assert_eq!(apply(&all, &GridFilter { tests: TestOutcome::Failed, ..GridFilter::default() }), vec![1, 2]);
    assert_eq!(apply(&all, &GridFilter { search: "  BOB ".into(), ..GridFilter::default() }), vec![2]);
    let only = Arc::new(HashSet::from(["m1".to_owned(), "m3".to_owned()]));
    assert_eq!(
        apply(
            &all,
            &GridFilter {
                only: Some(only),
                kind: KindFilter::User,
                tests: TestOutcome::Failed,
                ..GridFilter::default()
            }
        ),
        vec![2]
    );
}

#[test]
fn filters_by_test_outcome_approval_and_profile_and_lists_the_profiles() {
    let mut no_profile = mailbox("m4", "Dee Fox", "systemuser", 3, 1);
    no_profile.profile = None;
    let snap = snapshot(vec![
        mailbox("m1", "Ann Lee", "systemuser", 1, 1),
        mailbox("m2", "Support", "queue", 2, 2),
        mailbox("m3", "Bob Ray", "systemuser", 0, 0),
        no_profile,
    ]);
    let all = rows(&snap);
    let by = |f: GridFilter| apply(&all, &f);
    assert_eq!(by(GridFilter { tests: TestOutcome::Passed, ..GridFilter::default() }), vec![0, 3]);
    assert_eq!(by(GridFilter { tests: TestOutcome::NotRun, ..GridFilter::default() }), vec![2]);
    assert_eq!(by(GridFilter { tests: TestOutcome::Failed, ..GridFilter::default() }), vec![1]);
    assert_eq!(by(GridFilter { approval: ApprovalFilter::Approved, ..GridFilter::default() }), vec![0]);
    assert_eq!(by(GridFilter { approval: ApprovalFilter::NotApproved, ..GridFilter::default() }), vec![1, 2]);
    assert_eq!(by(GridFilter { approval: ApprovalFilter::Rejected, ..GridFilter::default() }), vec![3]);
    assert_eq!(by(GridFilter { profile: Some("(none)".into()), ..GridFilter::default() }), vec![3]);
    assert_eq!(
        by(GridFilter {
            profile: Some("Microsoft Exchange Online".into()),
            tests: TestOutcome::Passed,
            ..GridFilter::default()
        }),
        vec![0]
    );
    assert_eq!(profile_names(&all), vec!["(none)".to_owned(), "Microsoft Exchange Online".to_owned()]);
    // The <select> values map back to filters; an unknown value means "any".
    assert_eq!(choice(&TestOutcome::CHOICES, "not-run"), Some(TestOutcome::NotRun));
    assert_eq!(choice(&ApprovalFilter::CHOICES, "rejected"), Some(ApprovalFilter::Rejected));
    assert_eq!(choice(&ApprovalFilter::CHOICES, "bogus"), Some(ApprovalFilter::Any));
    assert_eq!(value_of(&KindFilter::CHOICES, KindFilter::Queue), "queue");
    assert_eq!(
        choice(&KindFilter::CHOICES, value_of(&KindFilter::CHOICES, KindFilter::User)),
        Some(KindFilter::User)
    );
    assert_eq!(
        choice_options(&TestOutcome::CHOICES, Lang::english())[2],
        ("not-run".to_owned(), "Not tested".to_owned())
    );
}

#[test]
fn search_ignores_case_in_accented_and_non_latin_names() {
    let snap = snapshot(vec![
        mailbox("m1", "Élodie Müller", "systemuser", 1, 1),
        mailbox("m2", "Иван Петров", "systemuser", 1, 1),
        mailbox("m3", "Ann Lee", "systemuser", 1, 1),
    ]);
    let all = rows(&snap);
    let find = |text: &str| apply(&all, &GridFilter { search: text.into(), ..GridFilter::default() });
    assert_eq!(find("ÉLODIE MÜ"), vec![0]);
    assert_eq!(find("иВАН"), vec![1]);
    assert_eq!(find("ann"), vec![2]);
}

#[test]
fn the_scroll_window_covers_the_viewport_plus_overscan_and_stays_in_bounds() {
    assert_eq!(window(50_000, 0.0, 400.0, 32.0, 5), (0, 19));
    assert_eq!(window(50_000, 3200.0, 400.0, 32.0, 5), (95, 119));
    assert_eq!(window(10, 3200.0, 400.0, 32.0, 5), (10, 10));
    assert_eq!(window(0, 0.0, 400.0, 32.0, 5), (0, 0));
    assert_eq!(window(100, -50.0, 400.0, 0.0, 5), (0, 0));
}

#[test]
fn the_keyboard_cursor_moves_by_row_page_and_end_and_stays_in_bounds() {
    use syncready::state::grid::move_cursor;
    assert_eq!(move_cursor(0, "ArrowDown", 100, 12), Some(1));
    assert_eq!(move_cursor(0, "ArrowUp", 100, 12), Some(0));
    assert_eq!(move_cursor(95, "PageDown", 100, 12), Some(99));
    assert_eq!(move_cursor(30, "PageUp", 100, 12), Some(18));
    assert_eq!(move_cursor(30, "Home", 100, 12), Some(0));
    assert_eq!(move_cursor(30, "End", 100, 12), Some(99));
    assert_eq!(move_cursor(30, "Enter", 100, 12), None);
    assert_eq!(move_cursor(0, "ArrowDown", 0, 12), None);
}

#[test]
fn scrolling_follows_the_cursor_only_when_it_leaves_the_viewport() {
    use syncready::state::grid::scroll_to_show;
    assert_eq!(scroll_to_show(5, 0.0, 384.0, 32.0), 0.0);
    assert_eq!(scroll_to_show(12, 0.0, 384.0, 32.0), 32.0);
    assert_eq!(scroll_to_show(3, 320.0, 384.0, 32.0), 96.0);
}

#[test]
fn each_row_names_the_first_unmet_step_as_its_one_problem() {
    use syncready::state::grid::Problem;
    let mut no_profile = mailbox("m4", "Dee Fox", "systemuser", 3, 2);
    no_profile.profile = None;
    let mut inactive = mailbox("m7", "Old Box", "systemuser", 2, 2);
    inactive.state = syncready_core::model::RecordState::Inactive;
    let snap = snapshot(vec![
        mailbox("m1", "Ann Lee", "systemuser", 1, 1),
        mailbox("m2", "Support", "queue", 2, 2),
        mailbox("m3", "Bob Ray", "systemuser", 3, 2),
        no_profile,
        mailbox("m5", "Cy Ng", "systemuser", 1, 2),
        mailbox("m6", "Eve Li", "systemuser", 1, 0),
        inactive,
    ]);
    let problems: Vec<(Problem, &str, &str)> =
        rows(&snap).iter().map(|r| (r.problem, r.problem.label(), r.problem.tone())).collect();
    assert_eq!(
        problems,
        vec![
            (Problem::Ready, "Ready", "pass"),
            (Problem::NotApproved, "Not approved", "warn"),
            (Problem::Rejected, "Rejected", "fail"),
            (Problem::NoProfile, "No profile", "fail"),
            (Problem::TestFailed, "Test failed", "fail"),
            (Problem::NotTested, "Not tested", "warn"),
            (Problem::Inactive, "Inactive", "unknown"),
        ]
    );
}
