//! PKCE and the requests a sign-in sends.

use super::*;

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
