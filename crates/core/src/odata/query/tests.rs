use super::*;
use expect_test::expect;

#[test]
fn a_query_renders_select_filter_and_top_in_order() {
    let q = Query::new("emailserverprofiles")
        .select(&["name", "statecode"])
        .filter(format!("name eq {}", escape_literal("O'Brien & Co")))
        .top(3);
    expect![[r#"emailserverprofiles?$select=name,statecode&$filter=name%20eq%20'O''Brien%20%26%20Co'&$top=3"#]]
        .assert_eq(&q.path());
}

#[test]
fn page_size_and_annotations_go_into_one_prefer_header() {
    let r = Query::new("mailboxes").with_annotations().page_size(9000).request();
    let prefer: Vec<_> = r.headers.iter().filter(|(n, _)| n == "Prefer").map(|(_, v)| v.as_str()).collect();
    assert_eq!(prefer, vec!["odata.include-annotations=\"*\",odata.maxpagesize=5000"]);
}

#[test]
fn the_next_page_uses_the_link_unchanged_with_the_same_preferences() {
    let q = Query::new("mailboxes").page_size(2);
    let link = "https://contoso.crm.dynamics.com/api/data/v9.2/mailboxes?$skiptoken=%3Ccookie%20pagenumber=%222%22%3E";
    let r = q.next_page(link);
    assert_eq!(r.path, link);
    assert!(r.headers.contains(&("Prefer".to_owned(), "odata.maxpagesize=2".to_owned())));
}
