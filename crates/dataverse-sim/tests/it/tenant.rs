//! Issue 15: several orgs in one tenant: the Global Discovery stand-in and its token audience, copies
//! with the same record ids, shared addresses, orgs that refuse or are disabled.

use dataverse_sim::{Environment, Scenario, Sim};

use crate::support::{Client, api};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/";
const DISCO: &str = "globaldisco.crm.dynamics.com";

fn tenant() -> Sim {
    let sim = Sim::builder()
        .org("contoso", Scenario::healthy("Contoso"))
        .org("fabrikam", Scenario::healthy("Fabrikam"))
        .org("old", Scenario::fresh("Old trial"))
        .org("locked", Scenario::fresh("Locked"))
        .build();
    assert!(sim.copy_org("contoso", "contoso-dev", "Contoso (copy)"));
    sim.set_environment("contoso-dev", Environment::sandbox());
    sim.set_environment("old", Environment { organization_type: 14, ..Environment::production() }.disabled());
    sim.set_environment("locked", Environment::production().refusing());
    sim
}

/// Signs in to contoso (code flow with PKCE) and returns the token answer.
async fn sign_in(c: &Client) -> serde_json::Value {
    let res = c
        .get(&format!(
            "/organizations/oauth2/v2.0/authorize?client_id=my-app&response_type=code&redirect_uri={REDIRECT}&scope=openid%20offline_access%20https%3A%2F%2Fcontoso.crm.dynamics.com%2Fuser_impersonation&state=s&code_challenge={CHALLENGE}&code_challenge_method=S256"
        ))
        .await;
    let location = res.header("location").unwrap().to_string();
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap().replace("%2E", ".");
    let form = format!(
        "grant_type=authorization_code&client_id=my-app&code={code}&redirect_uri={REDIRECT}&code_verifier={VERIFIER}"
    );
    let tok = c.send("POST", "/organizations/oauth2/v2.0/token", &[], &form).await;
    assert_eq!(tok.status, 200, "{}", tok.body);
    tok.json()
}

async fn refresh(c: &Client, refresh_token: &str, scope: &str) -> serde_json::Value {
    let form =
        format!("grant_type=refresh_token&client_id=my-app&refresh_token={refresh_token}&scope={scope}");
    let tok = c.send("POST", "/organizations/oauth2/v2.0/token", &[], &form).await;
    assert_eq!(tok.status, 200, "{}", tok.body);
    tok.json()
}

fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes: Vec<u8> = {
        const T: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let vals: Vec<u32> = payload.bytes().map(|b| T.find(b as char).unwrap() as u32).collect();
        let mut out = Vec::new();
        for chunk in vals.chunks(4) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, v)| n | (v << (18 - 6 * i)));
            for i in 0..chunk.len() - 1 {
                out.push((n >> (16 - 8 * i)) as u8);
            }
        }
        out
    };
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn discovery_lists_every_org_of_the_tenant_only_for_a_token_of_its_own_audience() {
    let sim = tenant();
    let login = Client::anonymous(&sim, "127.0.0.1:8080");
    let org_token = sign_in(&login).await;
    let disco = Client::anonymous(&sim, DISCO);
    let path = "/api/discovery/v2.0/Instances?$select=FriendlyName,Url,State,OrganizationType,Id,TenantId";

    let none = disco.get(path).await;
    assert_eq!(none.status, 401);
    let wrong = disco
        .get_with(
            path,
            &[("authorization", &format!("Bearer {}", org_token["access_token"].as_str().unwrap()))],
        )
        .await;
    assert_eq!(wrong.status, 401, "an org's token is for another audience: {}", wrong.body);
    let challenge = wrong.header("www-authenticate").unwrap();
    assert!(challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(challenge.contains("The audience 'https://contoso.crm.dynamics.com' is invalid"), "{challenge}");
    assert_eq!(wrong.json()["error"]["code"], "InvalidAuthenticationToken");

    let disco_token = refresh(
        &login,
        org_token["refresh_token"].as_str().unwrap(),
        "https%3A%2F%2Fglobaldisco.crm.dynamics.com%2Fuser_impersonation%20offline_access",
    )
    .await;
    let access = disco_token["access_token"].as_str().unwrap();
    assert_eq!(claims(access)["aud"], "https://globaldisco.crm.dynamics.com");
    let listed = disco
        .get_with(
            path,
            &[("authorization", &format!("Bearer {access}")), ("origin", "chrome-extension://abc")],
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.header("access-control-allow-origin"), Some("chrome-extension://abc"));
    let body = listed.json();
    assert_eq!(
        body["@odata.context"],
        "http://globaldisco.crm.dynamics.com/api/discovery/v2.0/$metadata#Instances(FriendlyName,Url,State,OrganizationType,Id,TenantId)"
    );
    let rows: Vec<String> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!("{} {} state={} type={}", i["FriendlyName"], i["Url"], i["State"], i["OrganizationType"])
        })
        .collect();
    assert_eq!(
        rows,
        [
            r#""Contoso" "https://contoso.crm.dynamics.com" state=0 type=0"#,
            r#""Fabrikam" "https://fabrikam.crm.dynamics.com" state=0 type=0"#,
            r#""Old trial" "https://old.crm.dynamics.com" state=1 type=14"#,
            r#""Locked" "https://locked.crm.dynamics.com" state=0 type=0"#,
            r#""Contoso (copy)" "https://contoso-dev.crm.dynamics.com" state=0 type=5"#,
        ]
    );
    let tenant_ids: Vec<&serde_json::Value> =
        body["value"].as_array().unwrap().iter().map(|i| &i["TenantId"]).collect();
    assert!(tenant_ids.iter().all(|t| *t == tenant_ids[0]), "one tenant");
    assert_eq!(body["value"][0]["Id"], sim.org_ids("contoso").unwrap().organization_id.as_str());
    assert_ne!(body["value"][4]["Id"], body["value"][0]["Id"], "a copy has its own organization id");

    // The discovery token is not accepted by an org's Web API.
    let contoso = Client::anonymous(&sim, "contoso.crm.dynamics.com");
    let who = contoso.get_with(&api("WhoAmI"), &[("authorization", &format!("Bearer {access}"))]).await;
    assert_eq!(who.status, 401);
    // The same sign-in redeems a token for another org of the tenant.
    let fab_token = refresh(
        &login,
        disco_token["refresh_token"].as_str().unwrap(),
        "https%3A%2F%2Ffabrikam.crm.dynamics.com%2Fuser_impersonation",
    )
    .await;
    let fab = Client::anonymous(&sim, "fabrikam.crm.dynamics.com");
    let who = fab
        .get_with(
            &api("WhoAmI"),
            &[("authorization", &format!("Bearer {}", fab_token["access_token"].as_str().unwrap()))],
        )
        .await;
    assert_eq!(who.status, 200, "{}", who.body);
    let bad = disco
        .get_with(
            "/api/discovery/v2.0/Instances?$select=Nope",
            &[("authorization", &format!("Bearer {access}"))],
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn a_copy_keeps_the_record_ids_and_refusing_and_disabled_orgs_answer_403_and_503() {
    let sim = tenant();
    let prod = Client::signed_in(&sim, "contoso.crm.dynamics.com").await;
    let copy = Client::signed_in(&sim, "contoso-dev.crm.dynamics.com").await;
    let ids = |rows: Vec<serde_json::Value>| -> Vec<String> {
        rows.iter().map(|r| r["mailboxid"].as_str().unwrap().to_owned()).collect()
    };
    let prod_ids = ids(prod.rows("mailboxes?$select=mailboxid").await);
    assert!(!prod_ids.is_empty());
    assert_eq!(ids(copy.rows("mailboxes?$select=mailboxid").await), prod_ids);
    let org = copy.first("organizations?$select=organizationid,name").await;
    assert_eq!(org["name"], "Contoso (copy)");
    assert_ne!(org["organizationid"], sim.org_ids("contoso").unwrap().organization_id.as_str());

    let locked = Client::signed_in(&sim, "locked.crm.dynamics.com").await;
    let who = locked.get(&api("WhoAmI")).await;
    assert_eq!(who.status, 403);
    assert_eq!(who.json()["error"]["message"], "The user is not a member of the organization.");
    let old = Client::signed_in(&sim, "old.crm.dynamics.com").await;
    assert_eq!(old.get(&api("WhoAmI")).await.status, 503);
}

#[tokio::test]
async fn shared_addresses_and_act_settings_are_set_across_orgs() {
    let sim = tenant();
    let shared = sim.share_addresses("contoso", "fabrikam", 3);
    assert_eq!(shared.len(), 3);
    let fab = Client::signed_in(&sim, "fabrikam.crm.dynamics.com").await;
    let addresses: Vec<String> = fab
        .rows("mailboxes?$select=emailaddress")
        .await
        .iter()
        .map(|r| r["emailaddress"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(shared.iter().all(|a| addresses.contains(a)), "{shared:?}");
    assert!(sim.set_act("fabrikam", &shared[0], 1, 1, true));
    let row = fab
        .first(&format!(
            "mailboxes?$select=actdeliverymethod,actstatus,orgmarkedasprimaryforexchangesync&$filter=emailaddress eq '{}'",
            shared[0]
        ))
        .await;
    assert_eq!(
        (row["actdeliverymethod"].as_i64(), row["orgmarkedasprimaryforexchangesync"].as_bool()),
        (Some(1), Some(true))
    );
    assert!(!sim.set_act("nowhere", &shared[0], 1, 1, true));
}
