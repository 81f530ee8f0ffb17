use super::*;
use expect_test::{Expect, expect};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/oauth";
const ORG: &str = "https://contoso.crm.dynamics.com";

/// The octets of RFC 7636 Appendix B.
const RFC7636_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
    91, 88, 5, 88, 83, 132, 141, 121,
];

fn config() -> OAuthConfig {
    OAuthConfig::new(DEFAULT_AUTHORITY, CLIENT, REDIRECT, ORG).unwrap()
}

fn response(status: u16, body: &str) -> Response {
    Response { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into() }
}

fn jwt(claims: &str) -> String {
    format!("{}.{}.sig", base64url(br#"{"typ":"JWT","alg":"RS256"}"#), base64url(claims.as_bytes()))
}

fn tokens_json(access: &str, refresh: Option<&str>, extra: &str) -> String {
    let refresh = refresh.map(|r| format!(r#","refresh_token":"{r}""#)).unwrap_or_default();
    format!(r#"{{"token_type":"Bearer","scope":"s","expires_in":3599,"access_token":"{access}"{refresh}{extra}}}"#)
}

fn error_json(error: &str, description: &str, codes: &[u32]) -> String {
    serde_json::json!({"error": error, "error_description": description, "error_codes": codes}).to_string()
}

// --- configuration -------------------------------------------------------------------------------

fn check_config(authority: &str, client: &str, redirect: &str, org: &str, expect: Expect) {
    let actual = match OAuthConfig::new(authority, client, redirect, org) {
        Ok(c) => format!("ok {} {} {} {} [{}]", c.authority, c.client_id, c.redirect_uri, c.org, c.scope),
        Err(errors) => errors.iter().map(|e| format!("{:?}: {}", e.field(), e.reason())).collect::<Vec<_>>().join("\n"),
    };
    expect.assert_eq(&actual);
}

#[test]
fn a_valid_configuration_gets_the_default_scope_with_offline_access() {
    check_config(
        " https://login.microsoftonline.com/organizations/ ",
        "6731DE76-14A6-49AE-97BC-6EBA6914391E",
        REDIRECT,
        "https://Contoso.crm.dynamics.com/main.aspx",
        expect![[
            r#"ok https://login.microsoftonline.com/organizations 6731de76-14a6-49ae-97bc-6eba6914391e https://abcdefghijklmnop.chromiumapp.org/oauth https://contoso.crm.dynamics.com [openid profile offline_access https://contoso.crm.dynamics.com/user_impersonation]"#
        ]],
    );
}

#[test]
fn a_bare_tenant_is_placed_under_the_microsoft_login_host() {
    check_config(
        "contoso.onmicrosoft.com",
        CLIENT,
        "http://127.0.0.1:8080/syncready/index.html",
        ORG,
        expect![[
            r#"ok https://login.microsoftonline.com/contoso.onmicrosoft.com 6731de76-14a6-49ae-97bc-6eba6914391e http://127.0.0.1:8080/syncready/index.html https://contoso.crm.dynamics.com [openid profile offline_access https://contoso.crm.dynamics.com/user_impersonation]"#
        ]],
    );
}

#[test]
fn every_invalid_field_is_reported_at_once() {
    check_config(
        "http://login.example.com/organizations",
        "not-a-guid",
        "https://app.example.com/#frag",
        "contoso",
        expect![[r#"
            Authority: only https is allowed for a remote host
            ClientId: an application (client) id looks like 00000000-0000-0000-0000-000000000000
            RedirectUri: it must not have a fragment
            Org: it has no scheme"#]],
    );
}

#[test]
fn the_registration_alone_is_checked_and_normalised_before_any_org_is_known() {
    let (authority, client) =
        OAuthConfig::check_registration(" contoso.onmicrosoft.com ", &CLIENT.to_uppercase()).unwrap();
    assert_eq!(authority.as_str(), "https://login.microsoftonline.com/contoso.onmicrosoft.com");
    assert_eq!(client, CLIENT);
    let problems = OAuthConfig::check_registration("consumers", "").unwrap_err();
    let fields: Vec<ConfigField> = problems.iter().map(ConfigError::field).collect();
    assert_eq!(fields, vec![ConfigField::Authority, ConfigField::ClientId]);
}

#[test]
fn authorities_with_endpoint_paths_no_tenant_or_consumers_are_refused() {
    check_config(
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
        CLIENT,
        REDIRECT,
        ORG,
        expect!["Authority: give only https://<host>/<tenant>, without /oauth2/v2.0/… after it"],
    );
    check_config(
        "https://login.microsoftonline.com",
        CLIENT,
        REDIRECT,
        ORG,
        expect!["Authority: it names no tenant; add /<tenant id>, /<domain> or /organizations after the host"],
    );
    check_config(
        "consumers",
        CLIENT,
        REDIRECT,
        ORG,
        expect!["Authority: personal Microsoft accounts cannot use Dataverse; use your tenant or `organizations`"],
    );
}

#[test]
fn the_well_known_public_client_and_the_dataverse_app_id_are_refused_as_client_ids() {
    check_config(
        DEFAULT_AUTHORITY,
        WELL_KNOWN_PUBLIC_CLIENT,
        REDIRECT,
        ORG,
        expect![
            "ClientId: Microsoft's public sample client is not a single-page application, so a browser cannot redeem its sign-ins (AADSTS9002326); register your own"
        ],
    );
    check_config(
        DEFAULT_AUTHORITY,
        DATAVERSE_APP_ID,
        REDIRECT,
        ORG,
        expect!["ClientId: this is the id of the Dataverse API itself; use your own app registration's id"],
    );
}

#[test]
fn the_authority_names_the_v2_endpoints_and_its_tenant() {
    let a = Authority::parse("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap();
    assert_eq!(a.tenant(), "72f988bf-86f1-41af-91ab-2d7cd011db47");
    assert_eq!(
        a.authorize_endpoint(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize"
    );
    assert_eq!(
        a.token_endpoint(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    );
}

// --- PKCE and encodings --------------------------------------------------------------------------

#[test]
fn pkce_matches_the_rfc_7636_appendix_b_example() {
    let pkce = Pkce::from_verifier_bytes(&RFC7636_OCTETS);
    assert_eq!(pkce.verifier(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(pkce.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assert_eq!(Pkce::from_verifier(pkce.verifier()), Some(pkce.clone()));
    assert!(!format!("{pkce:?}").contains(pkce.verifier()), "Debug hides the verifier");
}

#[test]
fn a_stored_verifier_must_be_43_to_128_unreserved_characters() {
    assert_eq!(Pkce::from_verifier("short"), None);
    assert_eq!(Pkce::from_verifier(&"a".repeat(129)), None);
    assert_eq!(Pkce::from_verifier(&format!("{}+", "a".repeat(43))), None);
    assert!(Pkce::from_verifier(&"a~._-".repeat(10)).is_some());
}

#[test]
fn base64url_round_trips_every_length_without_padding() {
    assert_eq!(base64url(b""), "");
    assert_eq!(base64url(b"f"), "Zg");
    assert_eq!(base64url(b"fo"), "Zm8");
    assert_eq!(base64url(b"foo"), "Zm9v");
    assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    for n in 0..40u8 {
        let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(200)).collect();
        assert_eq!(base64url_decode(&base64url(&bytes)).unwrap(), bytes);
    }
    assert_eq!(base64url_decode("Zm8="), Some(b"fo".to_vec()));
    assert_eq!(base64url_decode("Zm8*"), None);
}

#[test]
fn percent_encoding_keeps_only_unreserved_characters_and_decoding_reverses_it() {
    let text = "https://x.crm.dynamics.com/user_impersonation a+b/c?d=e&f~é%";
    assert_eq!(encode(text), "https%3A%2F%2Fx.crm.dynamics.com%2Fuser_impersonation%20a%2Bb%2Fc%3Fd%3De%26f~%C3%A9%25");
    assert_eq!(crate::http::percent_decode(&encode(text)), text);
    assert_eq!(crate::http::percent_decode("a+b%20c%zz%4"), "a b c%zz%4");
}

// --- requests ------------------------------------------------------------------------------------

#[test]
fn the_authorize_url_carries_the_s256_challenge_state_and_nonce_percent_encoded() {
    let pkce = Pkce::from_verifier_bytes(&RFC7636_OCTETS);
    let url = authorize_url(&config(), &pkce, "st/ate+1", "n o");
    expect![[
        r#"https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=6731de76-14a6-49ae-97bc-6eba6914391e&response_type=code&redirect_uri=https%3A%2F%2Fabcdefghijklmnop.chromiumapp.org%2Foauth&response_mode=fragment&scope=openid%20profile%20offline_access%20https%3A%2F%2Fcontoso.crm.dynamics.com%2Fuser_impersonation&state=st%2Fate%2B1&nonce=n%20o&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"#
    ]]
    .assert_eq(&url);
    assert!(!url.contains(pkce.verifier()), "the verifier never leaves with the authorize URL");
}

#[test]
fn the_code_redemption_is_a_form_post_with_the_verifier_to_the_absolute_token_url() {
    let pkce = Pkce::from_verifier_bytes(&RFC7636_OCTETS);
    let request = token_request(&config(), &AuthCode("0.A/b+c".into()), &pkce);
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.path, "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
    assert!(request.headers.contains(&("Content-Type".into(), "application/x-www-form-urlencoded".into())));
    assert!(!request.headers.iter().any(|(n, _)| n.starts_with("OData")), "not a Web API request");
    expect![[
        r#"client_id=6731de76-14a6-49ae-97bc-6eba6914391e&grant_type=authorization_code&code=0.A%2Fb%2Bc&redirect_uri=https%3A%2F%2Fabcdefghijklmnop.chromiumapp.org%2Foauth&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk&scope=openid%20profile%20offline_access%20https%3A%2F%2Fcontoso.crm.dynamics.com%2Fuser_impersonation"#
    ]]
    .assert_eq(request.body.as_deref().unwrap());
}

#[test]
fn the_refresh_request_sends_the_refresh_token_and_the_same_scope() {
    let request = refresh_request(&config().with_scope("https://contoso.crm.dynamics.com/.default"), "1.A+x");
    assert_eq!(request.path, "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
    expect![[
        r#"client_id=6731de76-14a6-49ae-97bc-6eba6914391e&grant_type=refresh_token&refresh_token=1.A%2Bx&scope=https%3A%2F%2Fcontoso.crm.dynamics.com%2F.default"#
    ]]
    .assert_eq(request.body.as_deref().unwrap());
}

// --- the redirect --------------------------------------------------------------------------------

fn check_redirect(url: &str, expect: Expect) {
    let actual = match parse_redirect(url, "xyz") {
        Ok(code) => format!("code {}", code.0),
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
    assert_eq!(tokens.access_token, access);
    assert_eq!(tokens.refresh_token.as_deref(), Some("1.Aref"));
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
    assert_eq!((t.access_token.as_str(), t.refresh_token.as_deref()), ("new", Some("keep")));
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
    assert!(!debug.contains(&p.verifier) && !debug.contains(&p.state), "{debug}");
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
    assert_eq!(parse_redirect(&code_in_fragment, &p.state).map(|c| c.0), Ok("c".to_owned()));
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
    assert_eq!(ok.access_token, "x");
    assert!(
        t.sent.borrow()[0]
            .body
            .as_deref()
            .unwrap()
            .contains("code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    );
}

// --- the bearer transport ------------------------------------------------------------------------

type Handler = Box<dyn Fn(&Request) -> Response>;

/// Answers from a closure; every answer waits one poll, like a real network call.
struct Fake {
    handler: Handler,
    sent: RefCell<Vec<Request>>,
}

impl Fake {
    fn new(handler: impl Fn(&Request) -> Response + 'static) -> Self {
        Self { handler: Box::new(handler), sent: RefCell::new(Vec::new()) }
    }

    fn paths(&self) -> Vec<String> {
        self.sent
            .borrow()
            .iter()
            .map(|r| {
                let auth = r.headers.iter().find(|(n, _)| n == "Authorization").map_or("-", |(_, v)| v.as_str());
                let grant = r.body.as_deref().and_then(|b| b.split('&').find(|kv| kv.starts_with("refresh_token=")));
                format!("{} {}", r.path.rsplit('/').next().unwrap(), grant.unwrap_or(auth))
            })
            .collect()
    }
}

impl Transport for Fake {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        YieldOnce(false).await;
        self.sent.borrow_mut().push(request.clone());
        Ok((self.handler)(&request))
    }
}

struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    let mut cx = Context::from_waker(Waker::noop());
    while ra.is_none() || rb.is_none() {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(&mut cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(&mut cx)
        {
            rb = Some(v);
        }
    }
    (ra.unwrap(), rb.unwrap())
}

/// A token server: access tokens `a<n>`, refresh tokens `r<n>` rotated on use; the API accepts only
/// the newest access token and refuses refresh tokens in `revoked`.
struct Server {
    issued: RefCell<u32>,
    revoked: RefCell<Vec<String>>,
}

fn server_fake(server: Rc<Server>) -> Fake {
    Fake::new(move |r| {
        if r.path.ends_with("/token") {
            let body = r.body.clone().unwrap_or_default();
            let old = body.split('&').find_map(|kv| kv.strip_prefix("refresh_token=")).unwrap_or("").to_owned();
            let current = format!("r{}", server.issued.borrow());
            if old != current || server.revoked.borrow().contains(&old) {
                return response(400, &error_json("invalid_grant", "AADSTS9002313: revoked", &[9_002_313]));
            }
            *server.issued.borrow_mut() += 1;
            let n = server.issued.borrow();
            return response(200, &tokens_json(&format!("a{n}"), Some(&format!("r{n}")), ""));
        }
        let newest = format!("Bearer a{}", server.issued.borrow());
        let ok = r.headers.iter().any(|(n, v)| n == "Authorization" && *v == newest);
        response(if ok { 200 } else { 401 }, "{}")
    })
}

fn signed_in(now: Rc<Cell<i64>>, fake: Fake) -> BearerTransport<Fake, impl Fn() -> Timestamp> {
    let t = BearerTransport::new(fake, config(), move || Timestamp(now.get()));
    t.sign_in(parse_token_response(&response(200, &tokens_json("a0", Some("r0"), "")), Timestamp(0)).unwrap());
    t
}

#[test]
fn requests_carry_the_bearer_token_and_no_refresh_happens_while_it_is_fresh() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let now = Rc::new(Cell::new(100));
    let t = signed_in(now, server_fake(server));
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(t.inner().paths(), ["WhoAmI Bearer a0"]);
}

#[test]
fn a_token_about_to_expire_is_renewed_silently_before_the_request() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let now = Rc::new(Cell::new(0));
    let t = signed_in(now.clone(), server_fake(server));
    now.set(3_400);
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(t.inner().paths(), ["token refresh_token=r0", "WhoAmI Bearer a1"]);
    assert_eq!(t.state().tokens().unwrap().expires_at, Timestamp(3_400 + 3_599));
}

#[test]
fn a_401_renews_once_and_retries_once() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let t = BearerTransport::new(server_fake(server), config(), || Timestamp(10));
    // A token the org no longer accepts although it has not expired yet (e.g. revoked sessions).
    t.sign_in(parse_token_response(&response(200, &tokens_json("stale", Some("r0"), "")), Timestamp(0)).unwrap());
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(t.inner().paths(), ["WhoAmI Bearer stale", "token refresh_token=r0", "WhoAmI Bearer a1"]);
}

#[test]
fn a_revoked_refresh_token_returns_the_401_and_asks_for_sign_in() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(vec!["r0".into()]) });
    let changes = Rc::new(RefCell::new(Vec::new()));
    let seen = changes.clone();
    let t = BearerTransport::new(server_fake(server), config(), || Timestamp(10)).on_change(move |s| {
        seen.borrow_mut().push(match s {
            SignInState::SignedOut => "signed out".to_owned(),
            SignInState::SignedIn(_) => "signed in".to_owned(),
            SignInState::SignInRequired(e) => {
                format!("sign-in required: {}", format!("{e:?}").split('(').next().unwrap())
            }
        })
    });
    t.sign_in(parse_token_response(&response(200, &tokens_json("stale", Some("r0"), "")), Timestamp(0)).unwrap());
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 401, "the org's own answer is passed on");
    assert_eq!(*changes.borrow(), ["signed in", "sign-in required: Revoked"]);
    let next = block_on(t.send(Request::get("WhoAmI")));
    assert_eq!(next, Err(TransportError::Unavailable(SIGN_IN_REQUIRED.to_owned())));
    assert_eq!(
        t.inner().paths(),
        ["WhoAmI Bearer stale", "token refresh_token=r0"],
        "nothing is sent once sign-in is required"
    );
}

#[test]
fn concurrent_requests_with_a_stale_token_share_one_refresh() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let now = Rc::new(Cell::new(0));
    let t = signed_in(now.clone(), server_fake(server));
    now.set(3_500);
    let (a, b) = join2(t.send(Request::get("WhoAmI")), t.send(Request::get("organizations")));
    assert_eq!((a.unwrap().status, b.unwrap().status), (200, 200));
    let paths = t.inner().paths();
    assert_eq!(paths.iter().filter(|p| p.starts_with("token")).count(), 1, "{paths:?}");
    assert_eq!(paths.len(), 3, "{paths:?}");
}

#[test]
fn a_sign_in_without_a_refresh_token_cannot_be_renewed_and_says_so() {
    let t = BearerTransport::new(Fake::new(|_| response(401, "{}")), config(), || Timestamp(10));
    t.sign_in(parse_token_response(&response(200, &tokens_json("a", None, "")), Timestamp(0)).unwrap());
    assert_eq!(block_on(t.send(Request::get("WhoAmI"))).unwrap().status, 401);
    assert!(matches!(t.state(), SignInState::SignInRequired(OAuthError::Expired(_))));
}

#[test]
fn a_network_failure_during_renewal_keeps_the_tokens() {
    struct Down;
    impl Transport for Down {
        async fn send(&self, _: Request) -> Result<Response, TransportError> {
            Err(TransportError::Network("offline".into()))
        }
    }
    let t = BearerTransport::new(Down, config(), || Timestamp(3_500));
    t.sign_in(parse_token_response(&response(200, &tokens_json("a", Some("r"), "")), Timestamp(0)).unwrap());
    assert_eq!(block_on(t.refresh()), Err(OAuthError::Transport(TransportError::Network("offline".into()))));
    assert!(t.state().tokens().is_some());
    assert_eq!(block_on(t.send(Request::get("WhoAmI"))), Err(TransportError::Network("offline".into())));
}

#[test]
fn signed_out_transports_send_nothing() {
    let fake = Fake::new(|_| response(200, "{}"));
    let t = BearerTransport::new(fake, config(), || Timestamp(0));
    assert_eq!(block_on(t.send(Request::get("WhoAmI"))), Err(TransportError::Unavailable(SIGN_IN_REQUIRED.into())));
    assert!(t.inner().sent.borrow().is_empty());
    assert_eq!(block_on(t.refresh()), Err(OAuthError::NotSignedIn));
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
