use dataverse_sim::{Scenario, Sim};

use crate::support::{Client, api};

const HOST: &str = "contoso.crm.dynamics.com";

async fn rows(sim: &Sim, query: &str) -> Vec<serde_json::Value> {
    let res = Client::signed_in(sim, HOST).await.get(&api(query)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_demo_org_mixes_users_queues_forward_mailboxes_and_every_kind_of_problem() {
    let sim = Sim::builder().org("contoso", Scenario::demo()).build();
    let m = rows(&sim, "mailboxes?$select=regardingobjecttypecode,isforwardmailbox,emailrouteraccessapproval,_emailserverprofile_value,incomingemaildeliverymethod,actdeliverymethod,incomingemailstatus,outgoingemailstatus,actstatus,statecode,testemailconfigurationscheduled").await;
    assert_eq!(m.len(), 300);
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| m.iter().filter(|r| f(r)).count();
    assert_eq!(count(&|r| r["isforwardmailbox"] == true), 2);
    assert!(count(&|r| r["regardingobjecttypecode"] == "queue") >= 20);
    for approval in 0..=3 {
        assert!(count(&|r| r["emailrouteraccessapproval"] == approval) > 0, "approval {approval}");
    }
    assert!(count(&|r| r["_emailserverprofile_value"].is_null()) > 0);
    assert!(count(&|r| r["incomingemaildeliverymethod"] == 1) > 0);
    assert!(count(&|r| r["actdeliverymethod"] == 0) > 0);
    assert!(count(&|r| r["incomingemailstatus"] == 1 && r["outgoingemailstatus"] == 1) > 100);
    assert!(count(&|r| r["incomingemailstatus"] == 2) > 10);
    assert!(count(&|r| r["actstatus"] == 2 && r["incomingemailstatus"] == 1) > 0, "ACT-only failures");
    assert!(count(&|r| r["incomingemailstatus"] == 0 && r["outgoingemailstatus"] == 0) > 10);
    assert!(count(&|r| r["statecode"] == 1) > 0);
    assert!(count(&|r| r["testemailconfigurationscheduled"] == true) > 0);
    let alerts = rows(&sim, "tracelogs?$select=level,text&$filter=level eq 3").await;
    assert!(alerts.len() > 10);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_org_and_another_seed_a_different_one() {
    let a = Sim::builder().org("contoso", Scenario::demo()).build();
    let b = Sim::builder().org("contoso", Scenario::demo()).build();
    let c = Sim::builder().org("contoso", Scenario::demo().seed(7)).build();
    let q = "mailboxes?$select=name,emailrouteraccessapproval&$top=20";
    assert_eq!(rows(&a, q).await, rows(&b, q).await);
    assert_ne!(rows(&a, q).await, rows(&c, q).await);
}

#[tokio::test]
async fn the_healthy_org_is_approved_on_sss_and_tested_ok() {
    let sim = Sim::builder().org("contoso", Scenario::healthy("Contoso")).build();
    let m = rows(&sim, "mailboxes?$select=emailrouteraccessapproval,incomingemailstatus,outgoingemailstatus,enabledforincomingemail").await;
    assert_eq!(m.len(), 24);
    assert!(m.iter().all(|r| r["emailrouteraccessapproval"] == 1
        && r["incomingemailstatus"] == 1
        && r["outgoingemailstatus"] == 1));
    let users = rows(&sim, "systemusers?$select=emailrouteraccessapproval").await;
    assert!(users.iter().all(|u| u["emailrouteraccessapproval"] == 1));
}

#[tokio::test]
async fn the_missing_profile_org_has_only_a_default_pop3_profile() {
    let sim = Sim::builder().org("contoso", Scenario::missing_profile("Fabrikam")).build();
    let p = rows(&sim, "emailserverprofiles?$select=name,servertype").await;
    assert_eq!(p.len(), 1);
    assert_eq!((&p[0]["name"], &p[0]["servertype"]), (&"POP3/SMTP Profile".into(), &1.into()));
    let org = rows(&sim, "organizations?$select=_defaultemailserverprofileid_value").await;
    assert_eq!(org[0]["_defaultemailserverprofileid_value"], p[0]["emailserverprofileid"]);
}

#[tokio::test]
async fn profile_modifiers_make_the_exchange_profile_inactive_or_not_default() {
    let sim = Sim::builder()
        .org("contoso", Scenario::healthy("Contoso").inactive_profile().profile_not_default())
        .build();
    let p = rows(&sim, "emailserverprofiles?$select=name,statecode&$orderby=name").await;
    assert_eq!(p.len(), 2);
    assert_eq!((&p[0]["name"], &p[0]["statecode"]), (&"Microsoft Exchange Online".into(), &1.into()));
    let org = rows(&sim, "organizations?$select=_defaultemailserverprofileid_value").await;
    assert_eq!(org[0]["_defaultemailserverprofileid_value"], p[1]["emailserverprofileid"]);
}

#[tokio::test]
async fn org_defaults_not_sss_write_outlook_into_the_email_settings_xml() {
    let sim = Sim::builder()
        .org("contoso", Scenario::healthy("Contoso").org_defaults_not_sss().approval_not_required())
        .build();
    let org = rows(
        &sim,
        "organizations?$select=defaultemailsettings,requireapprovalforuseremail,requireapprovalforqueueemail",
    )
    .await;
    assert_eq!(
        org[0]["defaultemailsettings"],
        "<EmailSettings><IncomingEmailDeliveryMethod>1</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>1</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>0</ACTDeliveryMethod></EmailSettings>"
    );
    assert_eq!(
        (&org[0]["requireapprovalforuseremail"], &org[0]["requireapprovalforqueueemail"]),
        (&false.into(), &false.into())
    );
}

#[tokio::test]
async fn queues_only_and_large_scenarios_have_the_asked_shape() {
    let q = Sim::builder().org("contoso", Scenario::queues_only("Contoso")).build();
    let m = rows(&q, "mailboxes?$select=regardingobjecttypecode").await;
    assert_eq!(m.iter().filter(|r| r["regardingobjecttypecode"] == "queue").count(), 12);
    assert_eq!(m.len(), 13, "plus the caller's own mailbox");
    let big = Sim::builder().org("contoso", Scenario::large("Contoso", 2_000)).build();
    let res = Client::signed_in(&big, HOST).await.get(&api("mailboxes/$count")).await;
    assert_eq!(res.body, "2000");
}
