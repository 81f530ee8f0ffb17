use dataverse_sim::{Scenario, Sim};
use sha2::{Digest, Sha256};

use crate::support::{Client, Res, api};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/";

fn sim() -> Sim {
    Sim::builder()
        .org("contoso", Scenario::healthy("Contoso"))
        .org("fabrikam", Scenario::missing_profile("Fabrikam"))
        .build()
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let q = location.split_once('?')?.1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .map(|v| v.replace("%2E", ".").replace("%2D", "-"))
}

async fn authorize(c: &Client, extra: &str) -> Res {
    c.get(&format!(
        "/organizations/oauth2/v2.0/authorize?client_id=my-app&response_type=code&redirect_uri={REDIRECT}&scope=https%3A%2F%2Ffabrikam.crm.dynamics.com%2F.default%20offline_access&state=xyz&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}"
    ))
    .await
}

async fn redeem(c: &Client, code: &str, verifier: &str) -> Res {
    let form = format!(
        "grant_type=authorization_code&client_id=my-app&code={code}&redirect_uri={REDIRECT}&code_verifier={verifier}"
    );
    c.send(
        "POST",
        "/organizations/oauth2/v2.0/token",
        &[("content-type", "application/x-www-form-urlencoded"), ("origin", "chrome-extension://abc")],
        &form,
    )
    .await
}

#[tokio::test]
async fn the_pkce_example_challenge_is_the_s256_of_the_verifier() {
    let digest = Sha256::digest(VERIFIER.as_bytes());
    assert_eq!(digest.len(), 32);
}

#[tokio::test]
async fn the_code_flow_with_pkce_yields_a_bearer_token_the_api_accepts_for_the_scoped_org() {
    let sim = sim();
    let c = Client::anonymous(&sim, "127.0.0.1:8080");
    let res = authorize(&c, "").await;
    assert_eq!(res.status, 302, "{}", res.body);
    let location = res.header("location").unwrap().to_string();
    assert!(location.starts_with(&format!("{REDIRECT}?code=")), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("xyz"));
    let code = query_param(&location, "code").unwrap();

    let tok = redeem(&c, &code, VERIFIER).await;
    assert_eq!(tok.status, 200, "{}", tok.body);
    assert_eq!(tok.header("access-control-allow-origin"), Some("chrome-extension://abc"));
    let t = tok.json();
    assert_eq!((&t["token_type"], &t["expires_in"]), (&"Bearer".into(), &3599.into()));
    let access = t["access_token"].as_str().unwrap().to_string();
    assert_eq!(access.split('.').count(), 3, "JWT-shaped");

    let fab = Client::anonymous(&sim, "fabrikam.crm.dynamics.com");
    let who = fab.get_with(&api("WhoAmI"), &[("authorization", &format!("Bearer {access}"))]).await;
    assert_eq!(who.status, 200, "{}", who.body);
    assert_eq!(who.json()["UserId"], sim.org_ids("fabrikam").unwrap().caller_id.as_str());
    let contoso = Client::anonymous(&sim, "contoso.crm.dynamics.com");
    let other = contoso.get_with(&api("WhoAmI"), &[("authorization", &format!("Bearer {access}"))]).await;
    assert_eq!(other.status, 401, "a token is for one org only");

    let again = redeem(&c, &code, VERIFIER).await;
    assert_eq!(again.status, 400, "a code is redeemed once");
}

#[tokio::test]
async fn a_wrong_code_verifier_is_refused_with_aadsts501481() {
    let sim = sim();
    let c = Client::anonymous(&sim, "localhost");
    let location = authorize(&c, "").await.header("location").unwrap().to_string();
    let code = query_param(&location, "code").unwrap();
    let res = redeem(&c, &code, "not-the-verifier").await;
    assert_eq!(res.status, 400);
    let v = res.json();
    assert_eq!(v["error"], "invalid_grant");
    assert!(
        v["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS501481: The Code_Verifier does not match")
    );
}

#[tokio::test]
async fn authorize_without_pkce_redirects_back_with_an_error() {
    let sim = sim();
    let c = Client::anonymous(&sim, "localhost");
    let res = c.get(&format!("/common/oauth2/v2.0/authorize?client_id=my-app&response_type=code&redirect_uri={REDIRECT}&state=s")).await;
    assert_eq!(res.status, 302);
    assert!(res.header("location").unwrap().contains("error=invalid_request"));
}

#[tokio::test]
async fn a_refresh_token_is_rotated_and_a_revoked_or_used_one_is_refused() {
    let sim = sim();
    let c = Client::anonymous(&sim, "localhost");
    let location = authorize(&c, "").await.header("location").unwrap().to_string();
    let t = redeem(&c, &query_param(&location, "code").unwrap(), VERIFIER).await.json();
    let refresh = t["refresh_token"].as_str().unwrap().to_string();
    let form = |r: &str| format!("grant_type=refresh_token&client_id=my-app&refresh_token={r}");
    let ct = [("content-type", "application/x-www-form-urlencoded")];
    let next = c.send("POST", "/organizations/oauth2/v2.0/token", &ct, &form(&refresh)).await;
    assert_eq!(next.status, 200, "{}", next.body);
    let new_refresh = next.json()["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(new_refresh, refresh);
    assert_eq!(c.send("POST", "/organizations/oauth2/v2.0/token", &ct, &form(&refresh)).await.status, 400);
    assert_eq!(
        c.send("POST", "/organizations/oauth2/v2.0/revoke", &ct, &format!("token={new_refresh}"))
            .await
            .status,
        200
    );
    assert_eq!(
        c.send("POST", "/organizations/oauth2/v2.0/token", &ct, &form(&new_refresh)).await.status,
        400
    );
}

#[tokio::test]
async fn an_access_token_expires_with_the_sim_clock_and_with_expired_sessions() {
    let sim = sim();
    let c = Client::anonymous(&sim, "localhost");
    let location = authorize(&c, "").await.header("location").unwrap().to_string();
    let access = redeem(&c, &query_param(&location, "code").unwrap(), VERIFIER).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let fab = Client::anonymous(&sim, "fabrikam.crm.dynamics.com");
    let bearer = format!("Bearer {access}");
    assert_eq!(fab.get_with(&api("WhoAmI"), &[("authorization", &bearer)]).await.status, 200);
    sim.set_session_expired(true);
    assert_eq!(fab.get_with(&api("WhoAmI"), &[("authorization", &bearer)]).await.status, 401);
    sim.set_session_expired(false);
    sim.advance(std::time::Duration::from_secs(3600));
    assert_eq!(fab.get_with(&api("WhoAmI"), &[("authorization", &bearer)]).await.status, 401);
}

#[tokio::test]
async fn login_hint_signs_in_another_user_and_the_api_answers_cors_preflights() {
    let sim = sim();
    let c = Client::signed_in(&sim, "fabrikam.crm.dynamics.com").await;
    let other = c.first("systemusers?$select=domainname&$orderby=domainname desc&$top=1").await;
    let hint = other["domainname"].as_str().unwrap();
    let location = authorize(&Client::anonymous(&sim, "localhost"), &format!("&login_hint={hint}"))
        .await
        .header("location")
        .unwrap()
        .to_string();
    let t = redeem(&c, &query_param(&location, "code").unwrap(), VERIFIER).await.json();
    let who = Client::anonymous(&sim, "fabrikam.crm.dynamics.com")
        .get_with(
            &api("WhoAmI"),
            &[("authorization", &format!("Bearer {}", t["access_token"].as_str().unwrap()))],
        )
        .await
        .json();
    assert_eq!(who["UserId"], other["systemuserid"]);
    let pre = Client::anonymous(&sim, "fabrikam.crm.dynamics.com")
        .send(
            "OPTIONS",
            &api("mailboxes"),
            &[("origin", "chrome-extension://abc"), ("access-control-request-method", "PATCH")],
            "",
        )
        .await;
    assert_eq!(pre.status, 204);
    assert!(pre.header("access-control-allow-headers").unwrap().contains("Authorization"));
}

#[tokio::test]
async fn the_well_known_public_client_cannot_redeem_from_a_browser_origin() {
    let sim = sim();
    let c = Client::anonymous(&sim, "localhost");
    let form = "grant_type=authorization_code&client_id=51f81489-12ee-4a9e-aaae-a2591f45987d&code=x&redirect_uri=http://localhost&code_verifier=y";
    let res = c
        .send(
            "POST",
            "/organizations/oauth2/v2.0/token",
            &[("content-type", "application/x-www-form-urlencoded"), ("origin", "chrome-extension://abc")],
            form,
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.json()["error_description"].as_str().unwrap().starts_with("AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type."));
}

#[tokio::test]
async fn with_response_mode_fragment_the_code_comes_back_after_the_hash_and_the_id_token_carries_the_nonce() {
    let sim = sim();
    let c = Client::anonymous(&sim, "127.0.0.1:8080");
    let res = c
        .get(&format!(
            "/organizations/oauth2/v2.0/authorize?client_id=my-app&response_type=code&redirect_uri={REDIRECT}&scope=openid%20https%3A%2F%2Ffabrikam.crm.dynamics.com%2F.default&state=xyz&code_challenge={CHALLENGE}&code_challenge_method=S256&response_mode=fragment&nonce=n-1"
        ))
        .await;
    let location = res.header("location").unwrap().to_string();
    assert!(location.starts_with(&format!("{REDIRECT}#code=")), "{location}");
    let code =
        location.split_once('#').unwrap().1.split('&').find_map(|kv| kv.strip_prefix("code=")).unwrap();
    let code = code.replace("%2E", ".").replace("%2D", "-");
    let tok = redeem(&c, &code, VERIFIER).await;
    assert_eq!(tok.status, 200, "{}", tok.body);
    let id = tok.json()["id_token"].as_str().unwrap().to_owned();
    let payload = id.split('.').nth(1).unwrap();
    let claims = b64_decode(payload);
    assert!(claims.contains(r#""nonce":"n-1""#), "{claims}");
    // Without `openid` there is no ID token, as with Entra ID.
    let plain = authorize(&c, "").await.header("location").unwrap().to_string();
    let plain_code = query_param(&plain, "code").unwrap();
    assert!(redeem(&c, &plain_code, VERIFIER).await.json().get("id_token").is_none());
}

fn b64_decode(text: &str) -> String {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            _ => 63,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    String::from_utf8(out).unwrap()
}
