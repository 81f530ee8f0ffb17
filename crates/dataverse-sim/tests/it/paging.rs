use std::collections::HashSet;

use crate::support::{Client, api, two_orgs};

const HOST: &str = "contoso.crm.dynamics.com";

#[tokio::test]
async fn maxpagesize_pages_through_every_mailbox_exactly_once() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let mut url = api("mailboxes?$select=name");
    let mut seen = HashSet::new();
    let mut pages = 0;
    loop {
        let res = c.get_with(&url, &[("prefer", "odata.maxpagesize=100")]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.header("preference-applied"), Some("odata.maxpagesize=100"));
        let v = res.json();
        pages += 1;
        for row in v["value"].as_array().unwrap() {
            assert!(seen.insert(row["mailboxid"].as_str().unwrap().to_string()), "a row came twice");
        }
        match v["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with("http://contoso.crm.dynamics.com/api/data/v9.2/mailboxes?$select=name&$skiptoken=%3Ccookie%20pagenumber%3D%22"));
                url = next.trim_start_matches("http://contoso.crm.dynamics.com").to_string();
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 300);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn the_skiptoken_is_a_url_encoded_paging_cookie() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let v = c.get_with(&api("mailboxes?$select=name"), &[("prefer", "odata.maxpagesize=10")]).await.json();
    let next = v["@odata.nextLink"].as_str().unwrap();
    let token = next.split("$skiptoken=").nth(1).unwrap();
    let last = v["value"][9]["mailboxid"].as_str().unwrap().to_uppercase();
    // Decoding once gives the cookie; its pagingcookie attribute is encoded twice more.
    assert!(token.starts_with("%3Ccookie%20pagenumber%3D%222%22%20pagingcookie%3D%22"));
    assert!(token.ends_with("%22%20istracking%3D%22False%22%20%2F%3E"));
    assert!(token.contains(&last[..8]));
}

#[tokio::test]
async fn top_limits_rows_without_a_next_link_but_is_ignored_with_maxpagesize() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let v = c.get(&api("mailboxes?$select=name&$top=5")).await.json();
    assert_eq!(v["value"].as_array().unwrap().len(), 5);
    assert!(v.get("@odata.nextLink").is_none());
    let v =
        c.get_with(&api("mailboxes?$select=name&$top=5"), &[("prefer", "odata.maxpagesize=20")]).await.json();
    assert_eq!(v["value"].as_array().unwrap().len(), 20);
    assert!(v["@odata.nextLink"].is_string());
}

#[tokio::test]
async fn a_page_size_above_5000_is_capped_at_5000() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let res = c.get_with(&api("mailboxes?$select=name"), &[("prefer", "odata.maxpagesize=9000")]).await;
    assert_eq!(res.header("preference-applied"), Some("odata.maxpagesize=5000"));
}

#[tokio::test]
async fn skip_is_not_supported() {
    let sim = two_orgs();
    let res = Client::signed_in(&sim, HOST).await.get(&api("mailboxes?$skip=10")).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("The query parameter $skip is not supported"));
}
