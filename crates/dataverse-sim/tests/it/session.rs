use dataverse_sim::{Config, Quirks, Scenario, Sim};

use crate::support::{Client, api, two_orgs};

#[tokio::test]
async fn the_dynamics_page_names_the_org_and_sets_a_lax_session_cookie_over_http() {
    let sim = two_orgs();
    let c = Client::anonymous(&sim, "contoso.crm.dynamics.com");
    let page = c.get("/main.aspx").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>Contoso - Dynamics 365</title>"), "{}", page.body);
    assert!(page.body.contains("<a href=\"/syncready/index.html?surface=app\">Open SyncReady web app</a>"));
    let cookie = page.header("set-cookie").unwrap();
    assert!(cookie.starts_with("CrmOwinAuth="), "{cookie}");
    assert!(cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn the_host_prefix_selects_the_org_and_loopback_goes_to_the_first_one() {
    let sim = two_orgs();
    let fab = Client::anonymous(&sim, "fabrikam.crm4.dynamics.com").get("/").await;
    assert!(fab.body.contains("<h1>Fabrikam</h1>"), "{}", fab.body);
    let local = Client::anonymous(&sim, "127.0.0.1:8080").get("/main.aspx").await;
    assert!(local.body.contains("<h1>Contoso</h1>"));
    let unknown = Client::anonymous(&sim, "nowhere.crm.dynamics.com").get("/main.aspx").await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn an_api_call_without_a_session_gets_401_with_the_bearer_challenge() {
    let sim = two_orgs();
    let tenant = sim.org_ids("contoso").unwrap().tenant_id;
    let res = Client::anonymous(&sim, "contoso.crm.dynamics.com").get(&api("WhoAmI")).await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.header("www-authenticate").unwrap(),
        format!(
            "Bearer authorization_uri=https://login.microsoftonline.com/{tenant}/oauth2/authorize, resource_id=http://contoso.crm.dynamics.com/"
        )
    );
    assert_eq!(res.json()["error"]["code"], "0x80072182");
}

#[tokio::test]
async fn expiring_sessions_invalidates_existing_cookies_until_turned_off() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, "contoso.crm.dynamics.com").await;
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
    sim.set_session_expired(true);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 401);
    let fresh = Client::signed_in(&sim, "contoso.crm.dynamics.com").await;
    assert_eq!(
        fresh.get(&api("WhoAmI")).await.status,
        200,
        "a new sign-in works while old sessions are expired"
    );
    sim.set_session_expired(false);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
}

#[tokio::test]
async fn the_redirect_quirk_answers_an_expired_session_with_a_302_to_the_login_page() {
    let config = Config {
        quirks: Quirks { expired_session_redirect: true, ..Quirks::default() },
        ..Config::default()
    };
    let sim = Sim::builder().config(config).org("contoso", Scenario::healthy("Contoso")).build();
    let res = Client::anonymous(&sim, "contoso.crm.dynamics.com").get(&api("mailboxes")).await;
    assert_eq!(res.status, 302);
    assert!(res.header("location").unwrap().starts_with("https://login.microsoftonline.com/"));
}

#[tokio::test]
async fn a_cookie_from_one_org_does_not_open_another() {
    let sim = two_orgs();
    let mut c = Client::signed_in(&sim, "contoso.crm.dynamics.com").await;
    c.host = "fabrikam.crm.dynamics.com".to_string();
    assert_eq!(c.get(&api("WhoAmI")).await.status, 401);
}

#[tokio::test]
async fn the_pages_script_and_the_favicon_load_so_a_browser_console_stays_clean() {
    let sim = two_orgs();
    let c = Client::anonymous(&sim, "contoso.crm.dynamics.com");
    let page = c.get("/main.aspx").await;
    assert!(page.body.contains("<script src=\"/_static/_common/scripts/PageLoader.js\"></script>"));
    let script = c.get("/_static/_common/scripts/PageLoader.js").await;
    assert_eq!((script.status, script.header("content-type")), (200, Some("text/javascript; charset=utf-8")));
    assert_eq!(c.get("/favicon.ico").await.status, 204);
    assert!(sim.unexpected_requests().is_empty(), "{:?}", sim.unexpected_requests());
}

#[tokio::test]
async fn an_unknown_route_fails_loudly_and_is_journalled_as_unexpected() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, "contoso.crm.dynamics.com").await;
    let res = c.get("/nothing/here").await;
    assert_eq!(res.status, 404);
    assert!(res.body.contains("dataverse-sim: no route for GET /nothing/here"));
    let unexpected = sim.unexpected_requests();
    assert_eq!(unexpected.len(), 1);
    assert_eq!(unexpected[0].path, "/nothing/here");
}

#[tokio::test]
async fn static_files_are_served_under_syncready() {
    let dir = std::env::temp_dir().join(format!("dvsim-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<p>app</p>").unwrap();
    let sim = Sim::builder().org("contoso", Scenario::healthy("Contoso")).static_dir(dir.clone()).build();
    let c = Client::anonymous(&sim, "localhost");
    let res = c.get("/syncready/index.html?surface=app").await;
    assert_eq!((res.status, res.body.as_str()), (200, "<p>app</p>"));
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(c.get("/syncready/../secret").await.status, 404);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn an_absolute_https_uri_in_process_gets_https_urls_and_a_secure_cookie() {
    let sim = two_orgs();
    let c = Client::anonymous(&sim, "contoso.crm.dynamics.com");
    let page = c.get("https://contoso.crm.dynamics.com/main.aspx").await;
    assert!(page.header("set-cookie").unwrap().ends_with("; Secure; SameSite=None"));
    let mut c = c;
    c.cookie = Some(page.header("set-cookie").unwrap().split(';').next().unwrap().to_string());
    let who = c.get("https://contoso.crm.dynamics.com/api/data/v9.2/WhoAmI").await;
    assert!(
        who.body
            .starts_with(r#"{"@odata.context":"https://contoso.crm.dynamics.com/api/data/v9.2/$metadata#"#),
        "{}",
        who.body
    );
}
