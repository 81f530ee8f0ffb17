use crate::support::{Client, api, two_orgs};

const HOST: &str = "contoso.crm.dynamics.com";

async fn names(c: &Client, query: &str) -> Vec<serde_json::Value> {
    let res = c.get(&api(query)).await;
    assert_eq!(res.status, 200, "{query}: {}", res.body);
    res.json()["value"].as_array().unwrap().clone()
}

async fn error(c: &Client, query: &str) -> String {
    let res = c.get(&api(query)).await;
    assert_eq!(res.status, 400, "{query}: {}", res.body);
    res.json()["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn comparisons_and_boolean_logic_select_the_matching_rows() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let all = names(&c, "mailboxes?$select=emailrouteraccessapproval,statecode").await;
    let approved_active =
        all.iter().filter(|r| r["emailrouteraccessapproval"] == 1 && r["statecode"] == 0).count();
    let got =
        names(&c, "mailboxes?$select=name&$filter=emailrouteraccessapproval eq 1 and statecode eq 0").await;
    assert_eq!(got.len(), approved_active);
    let not_approved =
        names(&c, "mailboxes?$select=name&$filter=not (emailrouteraccessapproval eq 1) or statecode ne 0")
            .await;
    assert_eq!(got.len() + not_approved.len(), all.len());
    let ge = names(&c, "mailboxes?$select=name&$filter=emailrouteraccessapproval ge 2").await;
    assert_eq!(
        ge.len(),
        all.iter().filter(|r| r["emailrouteraccessapproval"].as_i64().unwrap() >= 2).count()
    );
}

#[tokio::test]
async fn string_functions_and_equality_ignore_case() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let a = names(&c, "emailserverprofiles?$select=name&$filter=name eq 'MICROSOFT exchange online'").await;
    assert_eq!(a.len(), 1);
    let b = names(&c, "emailserverprofiles?$select=name&$filter=contains(name,'EXCHANGE') and startswith(name,'micro') and endswith(name,'ONLINE')").await;
    assert_eq!(b.len(), 1);
}

#[tokio::test]
async fn lookups_filter_on_the_guid_without_quotes() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let org = names(&c, "organizations?$select=_defaultemailserverprofileid_value").await;
    let pid = org[0]["_defaultemailserverprofileid_value"].as_str().unwrap().to_string();
    let all = names(&c, "mailboxes?$select=_emailserverprofile_value").await;
    let expected = all.iter().filter(|r| r["_emailserverprofile_value"] == pid.as_str()).count();
    let got = names(&c, &format!("mailboxes?$select=name&$filter=_emailserverprofile_value eq {pid}")).await;
    assert_eq!(got.len(), expected);
    assert!(expected > 200);
    let none = names(&c, "mailboxes?$select=name&$filter=_emailserverprofile_value eq null").await;
    assert_eq!(none.len(), all.iter().filter(|r| r["_emailserverprofile_value"].is_null()).count());
    let quoted = error(&c, &format!("mailboxes?$filter=_emailserverprofile_value eq '{pid}'")).await;
    assert_eq!(
        quoted,
        "A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator kind 'Equal'."
    );
}

#[tokio::test]
async fn the_in_function_matches_any_listed_value() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let all = names(&c, "mailboxes?$select=emailrouteraccessapproval").await;
    let got = names(
        &c,
        "mailboxes?$select=name&$filter=Microsoft.Dynamics.CRM.In(PropertyName='emailrouteraccessapproval',PropertyValues=['0','2','3'])",
    )
    .await;
    assert_eq!(got.len(), all.iter().filter(|r| r["emailrouteraccessapproval"] != 1).count());
}

#[tokio::test]
async fn doubled_quotes_are_one_quote_inside_a_literal() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let got = names(&c, "systemusers?$select=fullname&$filter=fullname eq 'O''Brien'").await;
    assert!(got.is_empty());
    assert_eq!(
        error(&c, "systemusers?$filter=fullname eq 'O'Brien'").await,
        "There is an unterminated literal at position 20 in 'fullname eq 'O'Brien''."
    );
}

#[tokio::test]
async fn parse_errors_name_the_position() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    assert_eq!(
        error(&c, "mailboxes?$filter=name eq 'abc").await,
        "There is an unterminated literal at position 8 in 'name eq 'abc'."
    );
    assert_eq!(
        error(&c, "mailboxes?$filter=(name eq 'a'").await,
        "')' or operator expected at position 12 in '(name eq 'a''."
    );
    assert_eq!(
        error(&c, "mailboxes?$filter=nme eq 'a'").await,
        "Could not find a property named 'nme' on type 'Microsoft.Dynamics.CRM.mailbox'."
    );
}

#[tokio::test]
async fn navigation_paths_filter_on_the_related_row() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let via_nav =
        names(&c, "mailboxes?$select=name&$filter=emailserverprofile/name eq 'Microsoft Exchange Online'")
            .await;
    let pid = names(&c, "emailserverprofiles?$select=name&$filter=name eq 'Microsoft Exchange Online'").await
        [0]["emailserverprofileid"]
        .as_str()
        .unwrap()
        .to_string();
    let direct =
        names(&c, &format!("mailboxes?$select=name&$filter=_emailserverprofile_value eq {pid}")).await;
    assert_eq!(via_nav.len(), direct.len());
}

#[tokio::test]
async fn orderby_sorts_with_nulls_first_and_desc_reverses() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let asc = names(&c, "systemusers?$select=fullname&$orderby=fullname").await;
    let list: Vec<String> = asc.iter().map(|r| r["fullname"].as_str().unwrap().to_lowercase()).collect();
    let mut sorted = list.clone();
    sorted.sort();
    assert_eq!(list, sorted);
    let desc = names(&c, "systemusers?$select=fullname&$orderby=fullname desc").await;
    assert_eq!(desc.first().unwrap()["fullname"], asc.last().unwrap()["fullname"]);
    let dates =
        names(&c, "mailboxes?$select=testmailboxaccesscompletedon&$orderby=testmailboxaccesscompletedon asc")
            .await;
    assert!(dates[0]["testmailboxaccesscompletedon"].is_null());
}

#[tokio::test]
async fn non_ascii_literals_and_names_do_not_trip_the_lexer() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let got = names(&c, "systemusers?$select=fullname&$filter=fullname eq 'ääääääääääääääääääääääääääääääää' or contains(fullname,'Zoë')").await;
    assert!(got.is_empty());
    assert!(
        error(&c, "systemusers?$filter=ääääääääääääääääää eq 1")
            .await
            .contains("Could not find a property named")
    );
}
