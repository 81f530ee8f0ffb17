use std::time::Duration;
use syncready::state::settings::{OutOfRange, Settings, SignInSettings};
use syncready_core::i18n::Lang;
use syncready_core::oauth::ConfigField;

#[test]
fn bulk_settings_accept_only_whole_numbers_in_range_and_clamp_into_the_run_config() {
    assert_eq!(Settings::parse_batch_size(" 200 "), Ok(200));
    for bad in ["0", "1001", "-1", "ten", "", "2.5"] {
        assert!(Settings::parse_batch_size(bad).is_err(), "{bad:?}");
    }
    assert_eq!(Settings::parse_poll_seconds("600"), Ok(600));
    assert_eq!(Settings::parse_poll_seconds("601"), Err(OutOfRange::PollSeconds { max: 600 }));
    assert_eq!(Settings::parse_batch_size("0"), Err(OutOfRange::BatchSize { max: 1000 }));
    let config = Settings { batch_size: 5000, poll_seconds: 0, ..Settings::default() }.run_config();
    assert_eq!((config.batch_size, config.poll_interval), (Settings::MAX_BATCH, Duration::from_secs(1)));
}

#[test]
fn sign_in_settings_are_normalised_or_every_problem_is_named_by_its_field() {
    let ok =
        SignInSettings::parse("contoso.onmicrosoft.com", " 6731DE76-14A6-49AE-97BC-6EBA6914391E ").unwrap();
    assert_eq!(ok.client_id, "6731de76-14a6-49ae-97bc-6eba6914391e");
    assert_eq!(ok.authority, "https://login.microsoftonline.com/contoso.onmicrosoft.com");
    let problems = SignInSettings::parse("http://login.example.com/organizations", "nope").unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!((problems[0].field(), problems[1].field()), (ConfigField::Authority, ConfigField::ClientId));
    let en = Lang::english();
    assert!(problems[0].text_in(en).starts_with("Authority: only https"), "{problems:?}");
    assert!(
        problems[1].text_in(en).starts_with("Application (client) ID: an application (client) id looks like"),
        "{problems:?}"
    );
}

#[test]
fn validation_errors_are_values_whose_texts_come_from_the_catalogue_in_both_languages() {
    let (en, de) = (Lang::english(), Lang::from_tag("de"));
    let batch = Settings::parse_batch_size("ten").unwrap_err();
    assert_eq!(batch.text_in(en), "Batch size: enter a whole number from 1 to 1000.");
    assert_eq!(batch.text_in(de), "Änderungen pro Batch: Geben Sie eine ganze Zahl von 1 bis 1000 ein.");
    let poll = Settings::parse_poll_seconds("0").unwrap_err();
    assert!(poll.text_in(en).contains("from 1 to 600"), "{}", poll.text_in(en));
    assert!(poll.text_in(de).contains("von 1 bis 600"), "{}", poll.text_in(de));
    let problems = SignInSettings::parse("contoso.onmicrosoft.com", "nope").unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].text_in(de).starts_with("Anwendungs-ID (Client): "), "{}", problems[0].text_in(de));
    assert!(
        problems[0].policy_text_in(de).starts_with("Richtlinie Ihrer Organisation: Anwendungs-ID (Client): "),
        "{}",
        problems[0].policy_text_in(de)
    );
    assert!(
        problems[0].policy_text_in(en).starts_with("Your organisation's policy: Application (client) ID: ")
    );
}

#[test]
fn saved_settings_read_back_what_was_written_and_refuse_other_shapes() {
    use syncready_core::json::FromJson;
    let settings = Settings { batch_size: 250, poll_seconds: 30, delayed_after_secs: 4 * 3600 };
    assert_eq!(Settings::from_json(&serde_json::to_value(settings).unwrap()), Ok(settings));
    let sign_in = SignInSettings {
        client_id: "11111111-2222-3333-4444-555555555555".into(),
        authority: "https://login.microsoftonline.com/organizations".into(),
    };
    assert_eq!(SignInSettings::from_json(&serde_json::to_value(&sign_in).unwrap()), Ok(sign_in));
    let wrong = Settings::from_json(&serde_json::json!({"batch_size": "250", "poll_seconds": 30}));
    assert_eq!(wrong.unwrap_err().to_string(), "batch_size: expected an integer, got a string");
    // Settings saved before issue 17 have no threshold: the default (1 hour) applies.
    let older = Settings::from_json(&serde_json::json!({"batch_size": 250, "poll_seconds": 30})).unwrap();
    assert_eq!(older, Settings { batch_size: 250, poll_seconds: 30, ..Settings::default() });
    assert_eq!(older.delayed_after_secs, 3600);
    let missing = SignInSettings::from_json(&serde_json::json!({"client_id": "x"}));
    assert_eq!(missing.unwrap_err().to_string(), "missing field `authority`");
}

mod managed {
    use syncready::state::settings::{MANAGED_POLICIES, ManagedSettings, Settings, SignInSettings};
    use syncready_core::json::FromJson;

    const CLIENT: &str = "11111111-2222-3333-4444-555555555555";
    const OTHER: &str = "66666666-7777-8888-9999-000000000000";

    fn managed(value: serde_json::Value) -> ManagedSettings {
        ManagedSettings::from_json(&value).unwrap()
    }

    fn local_sign_in() -> SignInSettings {
        SignInSettings {
            client_id: OTHER.into(),
            authority: "https://login.microsoftonline.com/fabrikam.com".into(),
        }
    }

    #[test]
    fn the_policy_names_are_those_of_the_managed_schema() {
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/public/managed_schema.json"))
                .unwrap(),
        )
        .unwrap();
        let mut declared: Vec<&str> =
            schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        declared.sort_unstable();
        let mut ours = MANAGED_POLICIES.to_vec();
        ours.sort_unstable();
        assert_eq!(declared, ours);
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["properties"]["BatchSize"]["maximum"], Settings::MAX_BATCH);
    }

    #[test]
    fn managed_bulk_settings_take_precedence_over_local_ones_field_by_field() {
        let local = Settings { batch_size: 100, poll_seconds: 30, delayed_after_secs: 7200 };
        assert_eq!(ManagedSettings::default().apply(local), local);
        let policy = managed(serde_json::json!({"BatchSize": 250}));
        assert_eq!(
            policy.apply(local),
            Settings { batch_size: 250, poll_seconds: 30, delayed_after_secs: 7200 }
        );
        let policy = managed(serde_json::json!({"BatchSize": 250, "PollSeconds": 120}));
        assert_eq!(
            policy.apply(local),
            Settings { batch_size: 250, poll_seconds: 120, delayed_after_secs: 7200 }
        );
    }

    #[test]
    fn values_outside_the_schema_are_ignored_one_by_one() {
        let policy = managed(serde_json::json!({
            "BatchSize": 5000, "PollSeconds": "60", "SignInClientId": "  ", "SignInAuthority": 7, "Unknown": true
        }));
        assert!(policy.is_empty(), "{policy:?}");
        let policy = managed(serde_json::json!({"BatchSize": 0, "PollSeconds": 600}));
        assert_eq!(policy, ManagedSettings { poll_seconds: Some(600), ..ManagedSettings::default() });
        assert!(ManagedSettings::from_json(&serde_json::json!([])).is_err(), "not an object");
    }

    #[test]
    fn a_managed_sign_in_registration_replaces_the_users_and_fills_gaps_from_it() {
        let none = ManagedSettings::default();
        assert_eq!(none.sign_in(Some(local_sign_in())), (Some(local_sign_in()), vec![]));
        assert!(!none.sets_sign_in());

        let both = managed(
            serde_json::json!({"SignInClientId": CLIENT, "SignInAuthority": "contoso.onmicrosoft.com"}),
        );
        let (settings, problems) = both.sign_in(Some(local_sign_in()));
        assert!(problems.is_empty(), "{problems:?}");
        let settings = settings.unwrap();
        assert_eq!(settings.client_id, CLIENT);
        assert_eq!(settings.authority, "https://login.microsoftonline.com/contoso.onmicrosoft.com");

        // Only the client id preset: the user's authority stays, or the default when there is none.
        let client = managed(serde_json::json!({"SignInClientId": CLIENT}));
        let settings = client.sign_in(Some(local_sign_in())).0.unwrap();
        assert_eq!(
            (settings.client_id.as_str(), settings.authority.as_str()),
            (CLIENT, local_sign_in().authority.as_str())
        );
        let settings = client.sign_in(None).0.unwrap();
        assert_eq!(settings.authority, syncready_core::oauth::DEFAULT_AUTHORITY);

        // Only the authority preset and no client id anywhere: nothing to sign in with.
        let authority = managed(serde_json::json!({"SignInAuthority": "contoso.onmicrosoft.com"}));
        assert_eq!(authority.sign_in(None), (None, vec![]));
        assert!(authority.sets_sign_in());
    }

    #[test]
    fn an_invalid_managed_registration_is_ignored_and_reported() {
        let bad = managed(serde_json::json!({"SignInClientId": "not-a-guid"}));
        let (settings, problems) = bad.sign_in(Some(local_sign_in()));
        assert_eq!(settings, Some(local_sign_in()));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field(), syncready_core::oauth::ConfigField::ClientId, "{problems:?}");
        assert!(
            problems[0]
                .policy_text_in(syncready_core::i18n::Lang::english())
                .starts_with("Your organisation's policy: Application (client) ID:"),
            "{problems:?}"
        );
    }
}

mod managed_view {
    use syncready::state::settings::{ManagedSettings, Preset};
    use syncready_core::i18n::Lang;
    use syncready_core::oauth::ConfigField;

    #[test]
    fn the_options_page_lists_each_preset_and_judges_only_the_preset_parts() {
        assert!(ManagedSettings::default().rows().is_empty());
        let policy = ManagedSettings {
            sign_in_client_id: Some("11111111-2222-3333-4444-555555555555".into()),
            batch_size: Some(250),
            ..ManagedSettings::default()
        };
        assert_eq!(
            policy.rows(),
            [
                (Preset::SignInClientId, "11111111-2222-3333-4444-555555555555".to_owned()),
                (Preset::BatchSize, "250".to_owned())
            ]
        );
        assert!(policy.problems().is_empty());
        // Only the authority is preset: the missing client id is the user's business, not the policy's.
        let authority = ManagedSettings {
            sign_in_authority: Some("contoso.onmicrosoft.com".into()),
            ..ManagedSettings::default()
        };
        assert!(authority.problems().is_empty(), "{:?}", authority.problems());
        let bad = ManagedSettings {
            sign_in_authority: Some("http://evil.example".into()),
            ..ManagedSettings::default()
        };
        let problems = bad.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field(), ConfigField::Authority, "{problems:?}");
        assert!(
            problems[0].policy_text_in(Lang::english()).starts_with("Your organisation's policy: Authority:")
        );
        let de = Lang::from_tag("de");
        assert_eq!(Preset::SignInClientId.label_in(Lang::english()), "Own sign-in: application (client) ID");
        assert_eq!(Preset::BatchSize.label_in(de), "Änderungen pro Batch");
        assert_eq!(
            Preset::PollSeconds.label_in(de),
            "Sekunden zwischen den Prüfungen von „Testen und aktivieren“"
        );
    }
}
