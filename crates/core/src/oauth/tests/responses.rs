//! The redirect and the token endpoint's answers.

use super::*;

// --- the redirect --------------------------------------------------------------------------------

fn check_redirect(url: &str, expect: Expect) {
    let actual = match parse_redirect(url, "xyz") {
        Ok(code) => format!("code {}", code.0.expose()),
        Err(e) => format!("{e:?}"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn the_redirect_yields_the_code_only_when_the_state_matches() {
    check_redirect(&format!("{REDIRECT}#code=0.AbC%2Bd&state=xyz&session_state=1"), expect!["code 0.AbC+d"]);
    check_redirect(&format!("{REDIRECT}#code=frag&state=xyz"), expect!["code frag"]);
    check_redirect(&format!("{REDIRECT}#code=0.AbC&state=other"), expect!["StateMismatch"]);
    check_redirect(&format!("{REDIRECT}#code=0.AbC"), expect!["StateMismatch"]);
    check_redirect(&format!("{REDIRECT}#state=xyz"), expect!["MissingCode"]);
    assert_eq!(parse_redirect(&format!("{REDIRECT}#code=c&state="), ""), Err(OAuthError::StateMismatch));
}

#[test]
fn an_error_redirect_with_a_foreign_state_is_refused_before_its_error_is_believed() {
    check_redirect(&format!("{REDIRECT}#error=consent_required&state=evil"), expect!["StateMismatch"]);
}

#[test]
fn error_redirects_map_to_consent_tenant_interaction_and_denial() {
    let cases = [
        "error=consent_required&error_description=AADSTS65001%3A+The+user+or+administrator+has+not+consented",
        "error=invalid_request&error_description=AADSTS65001:+consent",
        "error=access_denied&error_description=AADSTS50020%3A+User+account+from+identity+provider+does+not+exist+in+tenant",
        "error=invalid_request&error_description=AADSTS90072%3A+User+account+does+not+exist+in+tenant",
        "error=interaction_required&error_description=AADSTS50076%3A+MFA",
        "error=login_required&error_description=",
        "error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent",
        "error=access_denied&error_description=the+user+cancelled",
        "error=unauthorized_client&error_description=AADSTS700016%3A+Application+not+found+in+the+directory",
        "error=invalid_request&error_description=AADSTS50011%3A+The+redirect+URI+does+not+match",
        "error=invalid_resource&error_description=AADSTS500011%3A+The+resource+principal+was+not+found",
        "error=server_error&error_description=AADSTS90000%3A+something",
    ];
    let actual: Vec<String> = cases
        .iter()
        .map(|q| {
            let e = parse_redirect(&format!("{REDIRECT}#{q}&state=xyz"), "xyz").unwrap_err();
            let name = format!("{e:?}");
            let codes = match &e {
                OAuthError::ConsentRequired(x)
                | OAuthError::WrongTenant(x)
                | OAuthError::InteractionRequired(x)
                | OAuthError::Denied(x)
                | OAuthError::AppNotFound(x)
                | OAuthError::RedirectUriMismatch(x)
                | OAuthError::ResourceNotFound(x)
                | OAuthError::Entra(x) => format!("{:?}", x.codes),
                _ => String::new(),
            };
            format!("{} {codes}", name.split('(').next().unwrap())
        })
        .collect();
    expect![[r#"
        ConsentRequired [65001]
        ConsentRequired [65001]
        WrongTenant [50020]
        WrongTenant [90072]
        InteractionRequired [50076]
        InteractionRequired []
        Denied [65004]
        Denied []
        AppNotFound [700016]
        RedirectUriMismatch [50011]
        ResourceNotFound [500011]
        Entra [90000]"#]]
    .assert_eq(&actual.join("\n"));
}

#[test]
fn an_error_description_keeps_its_text_with_plus_signs_decoded() {
    let e = parse_redirect(
        &format!("{REDIRECT}#error=consent_required&error_description=AADSTS65001%3A+Admin+consent&state=xyz"),
        "xyz",
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "consent is required: consent_required: AADSTS65001: Admin consent");
}

// --- token responses -----------------------------------------------------------------------------

#[test]
fn a_token_response_gives_tokens_expiring_expires_in_seconds_from_now() {
    let access = jwt(r#"{"aud":"https://contoso.crm.dynamics.com","upn":"admin@contoso.com"}"#);
    let body = tokens_json(&access, Some("1.Aref"), "");
    let tokens = parse_token_response(&response(200, &body), Timestamp(1_000)).unwrap();
    assert_eq!(tokens.access_token.expose(), access);
    assert_eq!(tokens.refresh_token.as_ref().map(Secret::expose), Some("1.Aref"));
    assert_eq!(tokens.expires_at, Timestamp(4_599));
    assert_eq!(tokens.user.as_deref(), Some("admin@contoso.com"));
    assert_eq!(tokens.authorization(), format!("Bearer {access}"));
    let debug = format!("{tokens:?}");
    assert!(!debug.contains(&access) && !debug.contains("1.Aref"), "Debug hides tokens: {debug}");
}

#[test]
fn the_id_token_names_the_user_and_carries_the_nonce() {
    let id = jwt(r#"{"preferred_username":"alex@contoso.com","name":"Alex","nonce":"n1"}"#);
    let body = tokens_json("opaque", None, &format!(r#","id_token":"{id}""#));
    let tokens = parse_token_response(&response(200, &body), Timestamp(0)).unwrap();
    assert_eq!((tokens.user.as_deref(), tokens.nonce.as_deref()), (Some("alex@contoso.com"), Some("n1")));
    assert_eq!(tokens.refresh_token, None);
}

#[test]
fn expires_in_may_be_a_string_but_not_a_non_bearer_type_or_garbage() {
    let body = r#"{"token_type":"Bearer","expires_in":"60","access_token":"a"}"#;
    assert_eq!(parse_token_response(&response(200, body), Timestamp(0)).unwrap().expires_at, Timestamp(60));
    let pop = r#"{"token_type":"pop","expires_in":60,"access_token":"a"}"#;
    assert!(matches!(parse_token_response(&response(200, pop), Timestamp(0)), Err(OAuthError::Decode { .. })));
    let html = "<html>sign in</html>";
    assert!(matches!(parse_token_response(&response(200, html), Timestamp(0)), Err(OAuthError::Decode { .. })));
    assert_eq!(
        parse_token_response(&response(502, html), Timestamp(0)),
        Err(OAuthError::Http { status: 502, body_excerpt: html.into() })
    );
}

fn check_token_error(status: u16, error: &str, description: &str, codes: &[u32], refresh: bool, expect: Expect) {
    let r = response(status, &error_json(error, description, codes));
    let previous = Tokens {
        access_token: "a".into(),
        refresh_token: Some("r".into()),
        expires_at: Timestamp(0),
        scope: String::new(),
        user: None,
        nonce: None,
    };
    let e = if refresh {
        parse_refresh_response(&r, &previous, Timestamp(0))
    } else {
        parse_token_response(&r, Timestamp(0))
    }
    .unwrap_err();
    expect.assert_eq(format!("{e:?}").split('(').next().unwrap());
}

#[test]
fn token_errors_map_by_aadsts_code_before_the_oauth_code() {
    check_token_error(
        400,
        "invalid_grant",
        "AADSTS501481: The Code_Verifier does not match",
        &[501_481],
        false,
        expect!["PkceMismatch"],
    );
    check_token_error(400, "invalid_grant", "AADSTS70008: The code has expired", &[70_008], false, expect!["Expired"]);
    check_token_error(400, "invalid_grant", "AADSTS65001: consent", &[65_001], false, expect!["ConsentRequired"]);
    check_token_error(
        400,
        "invalid_request",
        "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
        &[9_002_326],
        false,
        expect!["NotSinglePageApp"],
    );
    check_token_error(
        400,
        "invalid_grant",
        "AADSTS50148: redirect_uri mismatch",
        &[50_148],
        false,
        expect!["RedirectUriMismatch"],
    );
    check_token_error(400, "invalid_grant", "AADSTS9002313: Invalid request", &[9_002_313], false, expect!["Entra"]);
}

#[test]
fn on_refresh_a_plain_invalid_grant_means_revoked_and_inactivity_means_expired() {
    check_token_error(
        400,
        "invalid_grant",
        "AADSTS9002313: unknown or revoked refresh token",
        &[9_002_313],
        true,
        expect!["Revoked"],
    );
    check_token_error(
        400,
        "invalid_grant",
        "AADSTS700082: expired due to inactivity",
        &[700_082],
        true,
        expect!["Expired"],
    );
    check_token_error(
        400,
        "invalid_grant",
        "AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00",
        &[700_084],
        true,
        expect!["Expired"],
    );
    check_token_error(400, "interaction_required", "AADSTS50076: MFA", &[50_076], true, expect!["InteractionRequired"]);
    check_token_error(400, "invalid_grant", "AADSTS50020: wrong tenant", &[50_020], true, expect!["WrongTenant"]);
}

#[test]
fn a_refresh_answer_without_a_refresh_token_keeps_the_previous_one_and_the_user() {
    let previous = Tokens {
        access_token: "old".into(),
        refresh_token: Some("keep".into()),
        expires_at: Timestamp(0),
        scope: String::new(),
        user: Some("admin@contoso.com".into()),
        nonce: None,
    };
    let t = parse_refresh_response(&response(200, &tokens_json("new", None, "")), &previous, Timestamp(10)).unwrap();
    assert_eq!((t.access_token.expose(), t.refresh_token.as_ref().map(Secret::expose)), ("new", Some("keep")));
    assert_eq!(t.user.as_deref(), Some("admin@contoso.com"));
    assert_eq!(t.expires_at, Timestamp(3_609));
}

#[test]
fn tokens_need_refresh_five_minutes_before_they_expire() {
    let t = parse_token_response(&response(200, &tokens_json("a", None, "")), Timestamp(0)).unwrap();
    assert!(!t.needs_refresh(Timestamp(3_599 - REFRESH_MARGIN_SECS - 1)));
    assert!(t.needs_refresh(Timestamp(3_599 - REFRESH_MARGIN_SECS)));
    assert!(!t.is_expired(Timestamp(3_598)));
    assert!(t.is_expired(Timestamp(3_599)));
}
