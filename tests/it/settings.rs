use std::time::Duration;
use syncready::state::settings::{Settings, SignInSettings};

#[test]
fn bulk_settings_accept_only_whole_numbers_in_range_and_clamp_into_the_run_config() {
    assert_eq!(Settings::parse_batch_size(" 200 "), Ok(200));
    for bad in ["0", "1001", "-1", "ten", "", "2.5"] {
        assert!(Settings::parse_batch_size(bad).is_err(), "{bad:?}");
    }
    assert_eq!(Settings::parse_poll_seconds("600"), Ok(600));
    assert!(Settings::parse_poll_seconds("601").unwrap_err().contains("1 to 600"));
    let config = Settings { batch_size: 5000, poll_seconds: 0 }.run_config();
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
    assert!(problems[0].starts_with("Authority: only https"), "{problems:?}");
    assert!(
        problems[1].starts_with("Application (client) ID: an application (client) id looks like"),
        "{problems:?}"
    );
}

#[test]
fn saved_settings_read_back_what_was_written_and_refuse_other_shapes() {
    use syncready_core::json::FromJson;
    let settings = Settings { batch_size: 250, poll_seconds: 30 };
    assert_eq!(Settings::from_json(&serde_json::to_value(settings).unwrap()), Ok(settings));
    let sign_in = SignInSettings {
        client_id: "11111111-2222-3333-4444-555555555555".into(),
        authority: "https://login.microsoftonline.com/organizations".into(),
    };
    assert_eq!(SignInSettings::from_json(&serde_json::to_value(&sign_in).unwrap()), Ok(sign_in));
    let wrong = Settings::from_json(&serde_json::json!({"batch_size": "250", "poll_seconds": 30}));
    assert_eq!(wrong.unwrap_err().to_string(), "batch_size: expected an integer, got a string");
    let missing = SignInSettings::from_json(&serde_json::json!({"client_id": "x"}));
    assert_eq!(missing.unwrap_err().to_string(), "missing field `authority`");
}
