//! The "Exchange Online side" view state (issue 16).

use syncready::state::exchange::{
    ExchangeView, address_fixes, by_mailbox, counts, fix_label, headline, problem_rows,
};
use syncready_core::graph::{MailboxCheck, Verdict};
use syncready_core::i18n::Lang;

fn en() -> Lang {
    Lang::english()
}
use syncready_core::model::MailboxKind;

fn check(id: &str, name: &str, verdict: Verdict) -> MailboxCheck {
    MailboxCheck {
        mailbox_id: id.into(),
        name: name.into(),
        address: format!("{name}@contoso.com"),
        kind: MailboxKind::User,
        user_principal_name: None,
        verdict,
    }
}

fn sample() -> Vec<MailboxCheck> {
    vec![
        check("m1", "zoe", Verdict::NoExchangePlan),
        check("m2", "adam", Verdict::Ok),
        check("m3", "bea", Verdict::AddressNotPrimary { primary: "bea.new@contoso.com".into() }),
        check("m4", "carl", Verdict::NoExchangePlan),
    ]
}

#[test]
fn rows_list_problems_only_grouped_by_verdict_with_fix_and_who_acts() {
    let rows = problem_rows(&sample(), en());
    let keys: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r.key, r.name.as_str(), r.actor)).collect();
    assert_eq!(
        keys,
        [
            ("address-not-primary", "bea", "Dynamics 365 admin"),
            ("no-exchange-plan", "carl", "Microsoft 365 admin"),
            ("no-exchange-plan", "zoe", "Microsoft 365 admin"),
        ]
    );
    assert!(rows[1].fix.contains("Assign Exchange Online"));
    assert_eq!(counts(&sample()).get("ok"), Some(&1));
    assert_eq!(address_fixes(&sample()), 1);
    let grid = by_mailbox(&sample(), en());
    assert!(!grid.contains_key("m2"), "the grid notes problems only");
    assert!(grid["m3"].0.contains("Update the address in Dynamics 365 to bea.new@contoso.com"));
}

#[test]
fn the_headline_offers_the_sign_in_and_counts_what_was_found() {
    assert!(
        headline(&ExchangeView::SignInNeeded, en()).starts_with("Sign in to check the Microsoft 365 side")
    );
    assert_eq!(
        headline(&ExchangeView::Checking { done: 20, total: 45, waiting_secs: Some(7) }, en()),
        "Checking 20 of 45… waiting for Microsoft Graph's limits (7 s)"
    );
    assert_eq!(
        headline(&ExchangeView::Done { checks: sample(), halted: None }, en()),
        "4 checked in Microsoft 365: 3 with a problem."
    );
    assert!(
        headline(&ExchangeView::ConsentMissing { detail: String::new() }, en()).contains("User.Read.All")
    );
}

#[test]
fn the_exchange_section_renders_in_german() {
    let de = Lang::from_tag("de");
    let rows = problem_rows(&sample(), de);
    assert_eq!(rows[0].actor, "Dynamics 365-Administrator");
    assert_eq!(rows[1].summary, "Der Benutzer hat keine Exchange Online-Lizenz");
    assert!(rows[1].fix.contains("Microsoft 365 Admin Center"), "{}", rows[1].fix);
    let grid = by_mailbox(&sample(), de);
    assert!(
        grid["m3"].0.contains("Ändern Sie die Adresse in Dynamics 365 in bea.new@contoso.com"),
        "{:?}",
        grid["m3"]
    );
    assert_eq!(
        headline(&ExchangeView::Done { checks: sample(), halted: None }, de),
        "4 in Microsoft 365 geprüft: 3 mit einem Problem."
    );
    assert_eq!(fix_label(1, de), "1 Adresse in Dynamics aktualisieren…");
    assert_eq!(fix_label(3, en()), "Update 3 addresses in Dynamics…");
}
