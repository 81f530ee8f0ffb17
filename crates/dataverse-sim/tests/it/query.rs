use dataverse_sim::{Scenario, Sim};

use crate::support::{Client, api, two_orgs};

const HOST: &str = "contoso.crm.dynamics.com";

#[tokio::test]
async fn who_am_i_returns_the_callers_ids_in_the_documented_shape() {
    let sim = two_orgs();
    let ids = sim.org_ids("contoso").unwrap();
    let res = Client::signed_in(&sim, HOST).await.get(&api("WhoAmI")).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.body,
        format!(
            r#"{{"@odata.context":"http://contoso.crm.dynamics.com/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse","BusinessUnitId":"{}","UserId":"{}","OrganizationId":"{}"}}"#,
            ids.business_unit_id, ids.caller_id, ids.organization_id
        )
    );
    assert_eq!(res.header("content-type"), Some("application/json; odata.metadata=minimal"));
    assert_eq!(res.header("odata-version"), Some("4.0"));
}

#[tokio::test]
async fn a_select_returns_the_columns_asked_for_then_the_primary_key() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let res = c
        .get(&api(
            "organizations?$select=name,_defaultemailserverprofileid_value,requireapprovalforuseremail",
        ))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v = res.json();
    let row = &v["value"][0];
    let expected = format!(
        r#"{{"@odata.context":"http://contoso.crm.dynamics.com/api/data/v9.2/$metadata#organizations(name,_defaultemailserverprofileid_value,requireapprovalforuseremail)","value":[{{"@odata.etag":{},"name":"Contoso","_defaultemailserverprofileid_value":{},"requireapprovalforuseremail":true,"organizationid":"{}"}}]}}"#,
        row["@odata.etag"],
        row["_defaultemailserverprofileid_value"],
        sim.org_ids("contoso").unwrap().organization_id
    );
    assert_eq!(res.body, expected);
    assert!(row["@odata.etag"].as_str().unwrap().starts_with("W/\""));
}

#[tokio::test]
async fn the_exchange_online_profile_has_the_documented_shape_and_is_the_org_default() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let profiles = c
        .get(&api("emailserverprofiles?$select=name,servertype,emailservertypename,incomingcredentialretrieval,outgoingcredentialretrieval,useautodiscover,statecode,statuscode"))
        .await
        .json();
    let exo = profiles["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Microsoft Exchange Online")
        .unwrap();
    assert_eq!(
        (
            &exo["servertype"],
            &exo["emailservertypename"],
            &exo["incomingcredentialretrieval"],
            &exo["outgoingcredentialretrieval"]
        ),
        (&0.into(), &"Exchange Online".into(), &2.into(), &2.into())
    );
    assert_eq!(
        (&exo["useautodiscover"], &exo["statecode"], &exo["statuscode"]),
        (&true.into(), &0.into(), &1.into())
    );
    let org = c.get(&api("organizations?$select=_defaultemailserverprofileid_value,defaultemailsettings,emailconnectionchannel")).await.json();
    assert_eq!(org["value"][0]["_defaultemailserverprofileid_value"], exo["emailserverprofileid"]);
    assert_eq!(
        org["value"][0]["defaultemailsettings"],
        "<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>"
    );
    assert_eq!(org["value"][0]["emailconnectionchannel"], 0);
}

#[tokio::test]
async fn an_unknown_column_in_select_is_a_400_with_the_real_message() {
    let sim = two_orgs();
    let res = Client::signed_in(&sim, HOST).await.get(&api("mailboxes?$select=name,x")).await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        r#"{"error":{"code":"0x80060888","message":"Could not find a property named 'x' on type 'Microsoft.Dynamics.CRM.mailbox'."}}"#
    );
}

#[tokio::test]
async fn an_unknown_entity_set_is_a_404_naming_the_segment() {
    let sim = two_orgs();
    let res = Client::signed_in(&sim, HOST).await.get(&api("mailboxs")).await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body,
        r#"{"error":{"code":"0x80060888","message":"Resource not found for the segment 'mailboxs'."}}"#
    );
}

#[tokio::test]
async fn an_unsupported_method_on_a_collection_is_a_405() {
    let sim = two_orgs();
    let res = Client::signed_in(&sim, HOST).await.send("PUT", &api("mailboxes"), &[], "{}").await;
    assert_eq!(res.status, 405, "{}", res.body);
}

#[tokio::test]
async fn a_missing_row_is_a_404_with_object_does_not_exist() {
    let sim = two_orgs();
    let res = Client::signed_in(&sim, HOST)
        .await
        .get(&api("mailboxes(00000000-0000-0000-0000-000000000001)"))
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body,
        r#"{"error":{"code":"0x80040217","message":"mailbox With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist"}}"#
    );
}

#[tokio::test]
async fn a_single_row_has_the_entity_context_and_etag_and_answers_304_when_unchanged() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let list = c.get(&api("mailboxes?$select=name")).await.json();
    let id = list["value"][0]["mailboxid"].as_str().unwrap().to_string();
    let res = c.get(&api(&format!("mailboxes({id})?$select=name"))).await;
    let v = res.json();
    assert_eq!(
        res.body,
        format!(
            r#"{{"@odata.context":"http://contoso.crm.dynamics.com/api/data/v9.2/$metadata#mailboxes(name)/$entity","@odata.etag":{},"name":{},"mailboxid":"{id}"}}"#,
            v["@odata.etag"], v["name"]
        )
    );
    let etag = v["@odata.etag"].as_str().unwrap();
    let again = c.get_with(&api(&format!("mailboxes({id})?$select=name")), &[("if-none-match", etag)]).await;
    assert_eq!(again.status, 304);
}

#[tokio::test]
async fn formatted_values_and_lookup_annotations_come_just_before_their_property_when_asked() {
    let sim = Sim::builder().org("contoso", Scenario::healthy("Contoso")).build();
    let c = Client::signed_in(&sim, HOST).await;
    let res = c
        .get_with(
            &api("mailboxes?$select=actdeliverymethod,_emailserverprofile_value,_regardingobjectid_value&$top=1"),
            &[("prefer", "odata.include-annotations=\"*\"")],
        )
        .await;
    assert_eq!(res.header("preference-applied"), Some("odata.include-annotations=\"*\""));
    let row = res.json()["value"][0].clone();
    let keys: Vec<&str> = row.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(keys.contains(&"_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname"));
    // Order is checked on the text: serde_json sorts keys.
    let text = &res.body;
    let f = text
        .find(
            "\"actdeliverymethod@OData.Community.Display.V1.FormattedValue\":\"Server-Side Synchronization\"",
        )
        .unwrap();
    let p = text.find("\"actdeliverymethod\":1").unwrap();
    assert!(f < p);
    let nav = text.find("\"_emailserverprofile_value@Microsoft.Dynamics.CRM.associatednavigationproperty\":\"emailserverprofile\"").unwrap();
    let val = text.find("\"_emailserverprofile_value\":").unwrap();
    assert!(nav < val);
    assert!(text.contains("\"_emailserverprofile_value@OData.Community.Display.V1.FormattedValue\":\"Microsoft Exchange Online\""));
    assert!(
        text.contains("\"_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname\":\"systemuser\"")
    );
}

#[tokio::test]
async fn without_the_prefer_header_there_are_no_annotations() {
    let sim = two_orgs();
    let res =
        Client::signed_in(&sim, HOST).await.get(&api("mailboxes?$select=actdeliverymethod&$top=1")).await;
    assert!(!res.body.contains("FormattedValue"));
    assert_eq!(res.header("preference-applied"), None);
}

#[tokio::test]
async fn expand_of_a_single_valued_lookup_nests_the_related_row() {
    let sim = Sim::builder().org("contoso", Scenario::healthy("Contoso")).build();
    let c = Client::signed_in(&sim, HOST).await;
    let res = c.get(&api("mailboxes?$select=name&$expand=emailserverprofile($select=name)&$top=1")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v = res.json();
    assert_eq!(
        v["@odata.context"],
        "http://contoso.crm.dynamics.com/api/data/v9.2/$metadata#mailboxes(name,emailserverprofile(name))"
    );
    assert_eq!(v["value"][0]["emailserverprofile"]["name"], "Microsoft Exchange Online");
    assert!(v["value"][0]["emailserverprofile"]["emailserverprofileid"].is_string());
}

#[tokio::test]
async fn count_true_puts_the_count_right_after_the_context() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let res = c.get(&api("queues?$select=name&$count=true")).await;
    let n = res.json()["value"].as_array().unwrap().len();
    assert!(res.body.starts_with(&format!(
        r#"{{"@odata.context":"http://contoso.crm.dynamics.com/api/data/v9.2/$metadata#queues(name)","@odata.count":{n},"value":["#
    )));
    let plain = c.get(&api("queues/$count")).await;
    assert_eq!(plain.body, n.to_string());
}

#[tokio::test]
async fn every_sss_mailbox_column_is_present_and_the_password_is_never_returned() {
    let sim = two_orgs();
    let row =
        Client::signed_in(&sim, HOST).await.get(&api("mailboxes?$top=1")).await.json()["value"][0].clone();
    for col in [
        "mailboxid",
        "name",
        "emailaddress",
        "_emailserverprofile_value",
        "_regardingobjectid_value",
        "regardingobjecttypecode",
        "incomingemaildeliverymethod",
        "outgoingemaildeliverymethod",
        "actdeliverymethod",
        "incomingemailstatus",
        "outgoingemailstatus",
        "actstatus",
        "mailboxstatus",
        "emailrouteraccessapproval",
        "isemailaddressapprovedbyo365admin",
        "enabledforincomingemail",
        "enabledforoutgoingemail",
        "enabledforact",
        "isforwardmailbox",
        "orgmarkedasprimaryforexchangesync",
        "isactsyncorgflagset",
        "testemailconfigurationscheduled",
        "testemailconfigurationretrycount",
        "postponetestemailconfigurationuntil",
        "testmailboxaccesscompletedon",
        "processingstatecode",
        "lastsuccessfulsynccompletedon",
        "statecode",
        "statuscode",
        "_ownerid_value",
        "verboseloggingenabled",
    ] {
        assert!(row.get(col).is_some(), "missing {col}");
    }
    assert!(row.get("password").is_none());
}

#[tokio::test]
async fn expand_of_a_collection_lists_the_related_rows() {
    let sim = two_orgs();
    let c = Client::signed_in(&sim, HOST).await;
    let alert = c.first("tracelogs?$select=_regardingobjectid_value&$top=1").await;
    let mid = alert["_regardingobjectid_value"].as_str().unwrap();
    let res = c
        .get(&api(&format!("mailboxes({mid})?$select=name&$expand=tracelog_Mailbox($select=level,text)")))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v = res.json();
    assert!(
        v["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#mailboxes(name,tracelog_Mailbox(level,text))/$entity")
    );
    let nested = v["tracelog_Mailbox"].as_array().unwrap();
    assert!(!nested.is_empty());
    assert!(nested.iter().all(|t| t.get("level").is_some() && t.get("tracelogid").is_some()));
}
