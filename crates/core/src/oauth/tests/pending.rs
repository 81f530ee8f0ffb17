//! One sign-in across the redirect, and reading saved sessions back.

use super::*;

// --- a pending sign-in ---------------------------------------------------------------------------

fn pending() -> PendingSignIn {
    PendingSignIn::new(config(), &RFC7636_OCTETS, &[1; 16], &[2; 16], "https://app/?surface=app")
}

#[test]
fn a_pending_sign_in_survives_serialisation_without_showing_secrets_in_debug() {
    let p = pending();
    assert_eq!(p.state, "AQEBAQEBAQEBAQEBAQEBAQ");
    assert_eq!(p.nonce, "AgICAgICAgICAgICAgICAg");
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(crate::json::decode::<PendingSignIn>(&json).unwrap(), p);
    let debug = format!("{p:?}");
    assert!(!debug.contains(p.verifier.expose()) && !debug.contains(&p.state), "{debug}");
    let url = p.authorize_url().unwrap();
    assert!(url.contains("state=AQEBAQEBAQEBAQEBAQEBAQ&nonce=AgICAgICAgICAgICAgICAg&code_challenge=E9Melhoa2Ow"));
}

/// A token answer whose ID token carries `nonce` (or no ID token at all for `None`).
fn answer_with_nonce(nonce: Option<&str>) -> Response {
    let id = match nonce {
        Some(n) => format!(r#","id_token":"{}""#, jwt(&format!(r#"{{"preferred_username":"a@b.c","nonce":"{n}"}}"#))),
        None => String::new(),
    };
    response(200, &tokens_json("x", Some("r"), &id))
}

#[test]
fn finishing_refuses_an_id_token_with_another_nonce() {
    let p = pending();
    assert_eq!(p.finish(&answer_with_nonce(Some("forged")), Timestamp(0)), Err(OAuthError::NonceMismatch));
    assert_eq!(p.finish(&answer_with_nonce(Some(&p.nonce)), Timestamp(0)).unwrap().user.as_deref(), Some("a@b.c"));
}

#[test]
fn issue_12_finishing_refuses_an_answer_without_an_id_token_or_without_its_nonce() {
    let p = pending();
    assert_eq!(p.finish(&answer_with_nonce(None), Timestamp(0)), Err(OAuthError::NonceMismatch));
    let id = jwt(r#"{"preferred_username":"a@b.c"}"#);
    let no_nonce = response(200, &tokens_json("x", Some("r"), &format!(r#","id_token":"{id}""#)));
    assert_eq!(p.finish(&no_nonce, Timestamp(0)), Err(OAuthError::NonceMismatch));
    let garbled = response(200, &tokens_json("x", Some("r"), r#","id_token":"not-a-jwt""#));
    assert_eq!(p.finish(&garbled, Timestamp(0)), Err(OAuthError::NonceMismatch));
}

#[test]
fn issue_12_the_code_is_asked_for_and_read_only_in_the_fragment() {
    let p = pending();
    assert!(p.authorize_url().unwrap().contains("&response_mode=fragment&"));
    let code_in_query = format!("{REDIRECT}?code=c&state={}", p.state);
    assert_eq!(parse_redirect(&code_in_query, &p.state), Err(OAuthError::StateMismatch));
    let code_in_fragment = format!("{REDIRECT}?x=1#code=c&state={}", p.state);
    assert_eq!(parse_redirect(&code_in_fragment, &p.state).map(|c| c.0.expose().to_owned()), Ok("c".to_owned()));
}

#[test]
fn issue_12_an_authority_on_a_lookalike_host_is_refused_and_nothing_is_sent_to_it() {
    let evil = "https://login.microsoftonline.com.evil.example/x";
    check_config(
        evil,
        CLIENT,
        REDIRECT,
        ORG,
        expect!["Authority: the authority must be https://login.microsoftonline.com/<tenant>"],
    );
    for bad in [
        "https://evil.example/organizations",
        "https://login.microsoftonline.com:8443/organizations",
        "https://login.microsoftonline.com@evil.example/organizations",
        "https://evil.example\\@login.microsoftonline.com/organizations",
        "http://127.0.0.1:8443/organizations",
    ] {
        assert!(Authority::parse(bad).is_err(), "{bad}");
    }
    assert!(Authority::parse_with("http://127.0.0.1:8443/organizations", HostPolicy::AllowLoopback).is_ok());
    assert!(
        Authority::parse("https://login.microsoftonline.us/organizations").unwrap_err().reason().contains("sovereign")
    );
    // A sign-in kept across the redirect with the authority swapped is not read back, so its code and
    // PKCE verifier never reach the lookalike host.
    let mut value = serde_json::to_value(pending()).unwrap();
    value["config"]["authority"] = serde_json::json!(evil);
    let err = PendingSignIn::from_json(&value).unwrap_err().to_string();
    assert!(err.starts_with("config.authority:"), "{err}");
    // Even a configuration built around the check sends nothing but to Entra ID's host.
    let t = Fake::new(|_| answer_with_nonce(Some("AgICAgICAgICAgICAgICAg")));
    let p = pending();
    block_on(p.complete(&t, &format!("{REDIRECT}#code=c&state={}", p.state), Timestamp(0))).unwrap();
    assert!(t.sent.borrow().iter().all(|r| r.path.starts_with("https://login.microsoftonline.com/")));
}

#[test]
fn completing_checks_the_state_before_sending_anything() {
    let p = pending();
    let t = Fake::new(|_| answer_with_nonce(Some("AgICAgICAgICAgICAgICAg")));
    let out = block_on(p.complete(&t, &format!("{REDIRECT}#code=c&state=wrong"), Timestamp(0)));
    assert_eq!(out, Err(OAuthError::StateMismatch));
    assert!(t.sent.borrow().is_empty());
    let ok = block_on(p.complete(&t, &format!("{REDIRECT}#code=c&state={}", p.state), Timestamp(0))).unwrap();
    assert_eq!(ok.access_token.expose(), "x");
    assert!(
        t.sent.borrow()[0]
            .body
            .as_deref()
            .unwrap()
            .contains("code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    );
}

// --- reading saved sessions back -------------------------------------------------------------------

/// `from_json(to_value(x)) == x`.
fn round_trips<T: FromJson + Serialize + PartialEq + std::fmt::Debug>(x: &T) {
    let value = serde_json::to_value(x).unwrap();
    assert_eq!(T::from_json(&value).as_ref(), Ok(x), "{value}");
}

fn tokens(refresh: Option<&str>, user: Option<&str>, nonce: Option<&str>) -> Tokens {
    Tokens {
        access_token: "a.b.c".into(),
        refresh_token: refresh.map(Into::into),
        expires_at: Timestamp(-5),
        scope: "openid".into(),
        user: user.map(Into::into),
        nonce: nonce.map(Into::into),
    }
}

#[test]
fn saved_configurations_tokens_and_pending_sign_ins_round_trip() {
    round_trips(&config());
    round_trips(&config().with_scope(""));
    let loopback = OAuthConfig::new_with(
        "http://127.0.0.1:8443/tenant-1",
        CLIENT,
        "http://localhost:3000/",
        "http://localhost:9",
        HostPolicy::AllowLoopback,
    )
    .unwrap();
    round_trips(&loopback);
    round_trips(&tokens(None, None, None));
    round_trips(&tokens(Some("r"), Some("alex@contoso.com"), Some("n")));
    round_trips(&pending());
    round_trips(&PendingSignIn { return_to: String::new(), config: loopback, ..pending() });
}

#[test]
fn a_malformed_saved_session_names_what_is_wrong() {
    let mut value = serde_json::to_value(pending()).unwrap();
    value["config"]["org"] = serde_json::json!("ftp://contoso");
    let err = PendingSignIn::from_json(&value).unwrap_err().to_string();
    assert_eq!(err, "config.org: `ftp://contoso` is not an org URL: the scheme must be https");
    value["config"]["org"] = serde_json::json!(null);
    let err = PendingSignIn::from_json(&value).unwrap_err().to_string();
    assert_eq!(err, "config.org: expected a string, got null");
    let err = Tokens::from_json(&serde_json::json!({"access_token": "a", "expires_at": "soon"})).unwrap_err();
    assert_eq!(err.to_string(), "expires_at: expected an integer, got a string");
    let err = Tokens::from_json(&serde_json::json!({"access_token": "a", "expires_at": 1})).unwrap_err();
    assert_eq!(err.to_string(), "missing field `scope`");
}

#[test]
fn a_token_response_that_is_not_one_says_which_field() {
    let decode = |body: &str| match parse_token_response(&response(200, body), Timestamp(0)) {
        Err(OAuthError::Decode { reason, .. }) => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(decode(r#"{"token_type":"Bearer","expires_in":60}"#), "missing field `access_token`");
    assert_eq!(decode(r#"{"access_token":"a"}"#), "missing field `expires_in`");
    assert_eq!(
        decode(r#"{"access_token":"a","expires_in":59.5}"#),
        "expires_in: expected a whole number of seconds, got a decimal number"
    );
    assert_eq!(decode(r#"{"access_token":"a","expires_in":60,"scope":7}"#), "scope: expected a string, got an integer");
    assert!(decode("<html>").contains("line 1 column 1"));
    // An ID token whose payload is not the claims JSON only loses the user's name.
    let body = tokens_json("opaque", None, r#","id_token":"x.bm90IGpzb24.y""#);
    assert_eq!(parse_token_response(&response(200, &body), Timestamp(0)).unwrap().user, None);
    // An error body with null or missing optional parts is still an Entra error.
    let r = response(400, r#"{"error":"invalid_grant","error_description":null}"#);
    assert!(matches!(parse_token_response(&r, Timestamp(0)), Err(OAuthError::Entra(e)) if e.error == "invalid_grant"));
}
