use crate::support::{Client, two_orgs};

#[tokio::test]
async fn the_unified_interface_shell_navigates_with_push_state_and_lists_mailbox_records() {
    let sim = two_orgs();
    let c = Client::anonymous(&sim, "contoso.crm.dynamics.com");
    // A full load of a Power Platform admin center link renders the same shell.
    let page = c.get("/main.aspx?pagetype=entitylist&etn=mailbox").await;
    assert_eq!(page.status, 200);
    assert!(page.header("set-cookie").is_some(), "the shell signs the browser in");
    assert!(page.body.contains("history.pushState(null, '', a.getAttribute('href'))"), "{}", page.body);
    for link in [
        "href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=mailbox&amp;viewid=active\"",
        "href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=emailserverprofile\"",
        "href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=role\"",
        "href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=account\"",
        "href=\"#details\"",
    ] {
        assert!(page.body.contains(link), "{link} missing");
    }
    let record = page.body.split("data-mailbox=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
    assert_eq!(record.len(), 36, "{record}");
    assert!(page.body.contains(&format!("&amp;pagetype=entityrecord&amp;etn=mailbox&amp;id={record}\"")));
}

#[tokio::test]
async fn the_legacy_settings_shell_loads_its_pages_into_the_content_frame() {
    let sim = two_orgs();
    let c = Client::anonymous(&sim, "contoso.crm.dynamics.com");
    let shell = c.get("/main.aspx?settingsonly=true").await;
    assert_eq!(shell.status, 200);
    assert!(
        shell.body.contains("<iframe id=\"contentIFrame0\" name=\"contentIFrame0\" title=\"Content Area\"")
    );
    assert!(shell.body.contains(
        "target=\"contentIFrame0\" href=\"/_root/homepage.aspx?etc=9606&amp;pagemode=iframe&amp;sitemappath=Settings%7cEmailConfiguration%7cnav_mailboxes\""
    ));
    assert!(shell.body.contains("href=\"/tools/systemsettings/dialogs/systemsettings.aspx?selectedTab=2\""));
    assert!(!shell.body.contains("pushState"), "the legacy client loads whole pages");

    let list = c.get("/_root/homepage.aspx?etc=9606&pagemode=iframe").await;
    assert_eq!(list.status, 200);
    let record = list.body.split("data-mailbox=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
    assert!(
        list.body.contains(&format!(
            "href=\"/main.aspx?etc=9606&amp;id=%7b{record}%7d&amp;pagetype=entityrecord\""
        ))
    );
    for page in [
        "/_root/homepage.aspx?etc=9605&pagemode=iframe",
        "/tools/systemsettings/dialogs/systemsettings.aspx?selectedTab=2",
        "/tools/AdminSecurity/adminsecurity_area.aspx?pagemode=iframe",
    ] {
        assert_eq!(c.get(page).await.status, 200, "{page}");
    }
    assert!(sim.unexpected_requests().is_empty());
}
