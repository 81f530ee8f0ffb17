use super::batch::{AssignedPlan, ProvisionedPlan, next_link_url, user_query};
use super::lookup::ItemError;
use super::*;
use crate::bulk::Millis;
use crate::collect::Snapshot;
use crate::http::Response;
use crate::model::{Alert, AlertLevel, AlertSet, ApprovalState, MailboxKind, OrgUrl, TestStatus};
use serde_json::{Value, json};
use std::time::Duration;

fn user(mail: &str, enabled: bool, plan: Option<&str>, provisioning: Option<&str>) -> GraphUser {
    GraphUser {
        id: format!("id-{mail}"),
        user_principal_name: mail.to_owned(),
        mail: Some(mail.to_owned()),
        account_enabled: Some(enabled),
        user_type: Some("Member".to_owned()),
        proxy_addresses: vec![format!("SMTP:{mail}")],
        assigned_plans: plan
            .map(|s| AssignedPlan {
                service: "exchange".to_owned(),
                capability_status: s.to_owned(),
                service_plan_id: "efb87545-963c-4e0d-99df-69c6916d9eb0".to_owned(),
            })
            .into_iter()
            .collect(),
        provisioned_plans: provisioning
            .map(|s| ProvisionedPlan {
                service: "exchange".to_owned(),
                capability_status: "Enabled".to_owned(),
                provisioning_status: s.to_owned(),
            })
            .into_iter()
            .collect(),
    }
}

fn check(address: &str, kind: MailboxKind, no_user: bool, users: Vec<GraphUser>) -> String {
    let domains = vec!["contoso.com".to_owned()];
    verdict(address, &kind, no_user, &Ok(users), Some(&domains)).key().to_owned()
}

#[test]
fn verdict_per_case() {
    let ok = user("a@contoso.com", true, Some("Enabled"), Some("Success"));
    assert_eq!(check("a@contoso.com", MailboxKind::User, false, vec![ok.clone()]), "ok");
    assert_eq!(check("A@Contoso.com", MailboxKind::User, false, vec![ok.clone()]), "ok");
    assert_eq!(check("a@contoso.com", MailboxKind::User, false, vec![]), "user-missing");
    assert_eq!(check("a@fabrikam.com", MailboxKind::User, false, vec![]), "other-tenant");
    let mut guest = ok.clone();
    guest.user_type = Some("Guest".to_owned());
    assert_eq!(check("a@contoso.com", MailboxKind::User, false, vec![guest]), "other-tenant");
    assert_eq!(
        check(
            "a@contoso.com",
            MailboxKind::User,
            false,
            vec![user("a@contoso.com", false, Some("Enabled"), Some("Success"))]
        ),
        "account-disabled"
    );
    assert_eq!(
        check("a@contoso.com", MailboxKind::User, false, vec![user("a@contoso.com", true, None, None)]),
        "no-exchange-plan"
    );
    assert_eq!(
        check(
            "a@contoso.com",
            MailboxKind::User,
            false,
            vec![user("a@contoso.com", true, Some("Suspended"), Some("Success"))]
        ),
        "exchange-plan-disabled"
    );
    assert_eq!(
        check(
            "a@contoso.com",
            MailboxKind::User,
            false,
            vec![user("a@contoso.com", true, Some("Enabled"), Some("PendingInput"))]
        ),
        "mailbox-not-provisioned"
    );
    assert_eq!(
        check("a@contoso.com", MailboxKind::User, false, vec![user("a@contoso.com", true, Some("Enabled"), None)]),
        "mailbox-not-provisioned"
    );
    let shared = user("a@contoso.com", false, None, None);
    assert_eq!(check("a@contoso.com", MailboxKind::User, false, vec![shared.clone()]), "shared-mailbox-as-user");
    assert_eq!(check("a@contoso.com", MailboxKind::Queue, false, vec![shared]), "ok");
    assert_eq!(check("a@contoso.com", MailboxKind::User, false, vec![ok.clone(), ok.clone()]), "ambiguous");
    // Found under a secondary address: only the "no user found" alert makes it the verdict.
    let mut moved = user("new@contoso.com", true, Some("Enabled"), Some("Success"));
    moved.proxy_addresses.push("smtp:old@contoso.com".to_owned());
    assert_eq!(check("old@contoso.com", MailboxKind::User, true, vec![moved.clone()]), "address-not-primary");
    assert_eq!(check("old@contoso.com", MailboxKind::User, false, vec![moved]), "ok");
    // A user the service matched that does not carry the address does not count.
    assert_eq!(check("x@contoso.com", MailboxKind::User, false, vec![ok]), "user-missing");
    let err = Err(ItemError { status: 429, code: "Throttled".into(), message: "Retry-After 400 s".into() });
    assert_eq!(verdict("a@contoso.com", &MailboxKind::User, false, &err, None).key(), "unchecked");
}

#[test]
fn verdicts_name_fix_and_actor() {
    use crate::readiness::report::Actor;
    let v = Verdict::NoExchangePlan;
    assert!(v.fix().contains("Assign Exchange Online"));
    assert_eq!(v.actor(), Actor::ExchangeAdmin);
    let v = Verdict::AddressNotPrimary { primary: "new@contoso.com".into() };
    assert!(v.fix().contains("Update the address in Dynamics 365 to new@contoso.com"));
    assert_eq!(v.actor(), Actor::DynamicsAdmin);
}

#[test]
fn user_query_is_a_default_query_on_mail_and_proxy_addresses() {
    let q = user_query("O'Neil@contoso.com");
    assert!(q.starts_with("/users?$select=id,userPrincipalName,mail,accountEnabled,userType,proxyAddresses,assignedPlans,provisionedPlans&$filter="), "{q}");
    assert!(
        q.contains(
            "mail%20eq%20'O''Neil%40contoso.com'%20or%20proxyAddresses/any(x:x%20eq%20'smtp:O''Neil%40contoso.com')"
        ),
        "{q}"
    );
    assert!(!q.contains("$count"), "no advanced query: {q}");
}

#[test]
fn next_links_must_stay_on_graph() {
    assert_eq!(
        next_link_url("https://graph.microsoft.com/v1.0/users?$skiptoken=x").as_deref(),
        Some("/users?$skiptoken=x")
    );
    assert_eq!(next_link_url("https://graph.microsoft.com.evil.test/v1.0/users"), None);
    assert_eq!(next_link_url("https://evil.test/v1.0/users"), None);
    assert_eq!(next_link_url("https://graph.microsoft.com/beta/users"), None);
}

fn targets(n: usize) -> Vec<Target> {
    (0..n).map(|i| Target { mailbox_id: format!("m{i}"), address: format!("u{i}@contoso.com") }).collect()
}

fn batch_ids(request: &crate::http::Request) -> Vec<(String, String)> {
    let body: Value = serde_json::from_str(request.body.as_deref().unwrap_or("{}")).unwrap_or(Value::Null);
    body["requests"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| (r["id"].as_str().unwrap_or("").to_owned(), r["url"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn ok(body: Value) -> Result<Response, crate::http::TransportError> {
    Ok(Response { status: 200, headers: vec![], body: body.to_string() })
}

fn answer_all(ids: &[(String, String)], f: impl Fn(&str) -> Value) -> Value {
    json!({ "responses": ids.iter().map(|(id, url)| {
        let mut r = f(url);
        r["id"] = json!(id);
        r
    }).collect::<Vec<_>>() })
}

#[test]
fn batches_hold_at_most_twenty_and_carry_the_token() {
    let mut l = Lookup::new(targets(45), "tok", LookupConfig::default(), Millis(0));
    let r = l.poll_request(Millis(0)).expect("a batch");
    assert_eq!(r.path, "https://graph.microsoft.com/v1.0/$batch");
    assert!(r.headers.iter().any(|(k, v)| k == "Authorization" && v == "Bearer tok"));
    let ids = batch_ids(&r);
    assert_eq!(ids.len(), 20);
    assert_eq!(ids[0].1, "/organization?$select=id,verifiedDomains");
    assert!(l.poll_request(Millis(0)).is_none(), "one batch at a time");
    l.handle_response(ok(answer_all(&ids, |_| json!({"status": 200, "body": {"value": []}}))), Millis(10));
    assert_eq!(batch_ids(&l.poll_request(Millis(10)).expect("second")).len(), 20);
}

#[test]
fn a_throttled_batch_waits_for_retry_after_then_is_sent_again() {
    let mut l = Lookup::new(targets(3), "tok", LookupConfig::default(), Millis(0));
    let r = l.poll_request(Millis(0)).expect("batch");
    let ids = batch_ids(&r);
    l.handle_response(
        Ok(Response { status: 429, headers: vec![("Retry-After".into(), "7".into())], body: String::new() }),
        Millis(100),
    );
    assert!(l.poll_request(Millis(5000)).is_none(), "paused");
    assert_eq!(l.poll_timeout(), Some(Millis(7100)));
    let again = l.poll_request(Millis(7100)).expect("resent");
    assert_eq!(batch_ids(&again), ids);
    assert_eq!(l.stats().throttled_batches, 1);
}

#[test]
fn a_throttled_sub_request_alone_is_sent_again_after_its_retry_after() {
    let mut l = Lookup::new(targets(2), "tok", LookupConfig::default(), Millis(0));
    let ids = batch_ids(&l.poll_request(Millis(0)).expect("batch"));
    let body = answer_all(&ids, |url| {
        if url.contains("u1%40") || url.contains("u1@") {
            json!({"status": 429, "headers": {"Retry-After": "3"}, "body": {"error": {"code": "TooManyRequests"}}})
        } else if url.starts_with("/organization") {
            json!({"status": 200, "body": {"value": [{"verifiedDomains": [{"name": "contoso.com"}]}]}})
        } else {
            json!({"status": 200, "body": {"value": [{"id": "x", "mail": "u0@contoso.com", "accountEnabled": true}]}})
        }
    });
    l.handle_response(ok(body), Millis(50));
    assert!(l.poll_request(Millis(1000)).is_none());
    assert_eq!(l.poll_timeout(), Some(Millis(3050)));
    let again = batch_ids(&l.poll_request(Millis(3050)).expect("retry"));
    assert_eq!(again.len(), 1);
    assert!(again[0].1.contains("u1%40contoso.com"), "{again:?}");
    assert_eq!(l.stats().throttled_items, 1);
}

#[test]
fn pages_are_followed_on_graph_only() {
    let mut l = Lookup::new(targets(1), "tok", LookupConfig::default(), Millis(0));
    let ids = batch_ids(&l.poll_request(Millis(0)).expect("batch"));
    let body = answer_all(&ids, |url| {
        if url.starts_with("/users") {
            json!({"status": 200, "body": {"value": [], "@odata.nextLink": "https://graph.microsoft.com/v1.0/users?$skiptoken=abc"}})
        } else {
            json!({"status": 200, "body": {"value": []}})
        }
    });
    l.handle_response(ok(body), Millis(1));
    let next = batch_ids(&l.poll_request(Millis(1)).expect("next page"));
    assert_eq!(next[0].1, "/users?$skiptoken=abc");
    let body = answer_all(
        &next,
        |_| json!({"status": 200, "body": {"value": [], "@odata.nextLink": "https://evil.test/v1.0/users?$skiptoken=x"}}),
    );
    l.handle_response(ok(body), Millis(2));
    assert!(l.is_done());
    let out = l.outcome();
    assert_eq!(out.results[0].1.as_ref().map_err(|e| e.code.clone()), Err("NextLinkOffGraph".to_owned()));
    assert_eq!(out.stats.pages_followed, 1);
}

#[test]
fn missing_consent_halts_with_graphs_error() {
    let mut l = Lookup::new(targets(1), "tok", LookupConfig::default(), Millis(0));
    let ids = batch_ids(&l.poll_request(Millis(0)).expect("batch"));
    let body = answer_all(
        &ids,
        |_| json!({"status": 403, "body": {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}}),
    );
    l.handle_response(ok(body), Millis(1));
    assert!(l.is_done());
    assert_eq!(
        l.outcome().halted,
        Some(LookupError::ConsentMissing {
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges to complete the operation.".into()
        })
    );
}

#[test]
fn an_unreadable_batch_answer_halts_with_the_evidence() {
    let mut l = Lookup::new(targets(1), "tok", LookupConfig::default(), Millis(0));
    l.poll_request(Millis(0));
    l.handle_response(ok(json!({"nope": 1})), Millis(1));
    match l.outcome().halted {
        Some(LookupError::Decode { reason, .. }) => assert!(reason.contains("responses"), "{reason}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_long_retry_after_is_reported_not_waited() {
    let mut l = Lookup::new(targets(1), "tok", LookupConfig::default(), Millis(0));
    l.poll_request(Millis(0));
    l.handle_response(
        Ok(Response { status: 429, headers: vec![("Retry-After".into(), "900".into())], body: String::new() }),
        Millis(1),
    );
    assert_eq!(l.outcome().halted, Some(LookupError::Throttled { retry_after_secs: 900 }));
}

fn mailbox(n: u32, email: &str, status: Option<TestStatus>) -> crate::model::Mailbox {
    use crate::model::{ActDeliveryMethod, DeliveryMethod, RecordState};
    crate::model::Mailbox {
        id: format!("b0000000-0000-4000-8000-{n:012}"),
        etag: None,
        name: format!("Mailbox {n}"),
        email: Some(email.to_owned()),
        profile: None,
        regarding: Some(format!("c0000000-0000-4000-8000-{n:012}")),
        kind: MailboxKind::User,
        state: RecordState::Active,
        incoming: Some(DeliveryMethod::ServerSideSync),
        outgoing: Some(DeliveryMethod::ServerSideSync),
        act: Some(ActDeliveryMethod::ServerSideSync),
        incoming_status: None,
        outgoing_status: None,
        act_status: None,
        mailbox_status: status,
        approval: ApprovalState::Approved,
        enabled_incoming: true,
        enabled_outgoing: true,
        enabled_act: true,
        test_scheduled: false,
        test_completed_on: None,
        org_marked_primary: false,
        postpone_test_until: None,
        process_email_received_after: None,
        approved_by_o365_admin: None,
    }
}

#[test]
fn failed_and_never_run_mailboxes_by_default_all_on_demand() {
    let snap = Snapshot {
        mailboxes: Some(vec![
            mailbox(1, "a@contoso.com", Some(TestStatus::Success)),
            mailbox(2, "b@contoso.com", Some(TestStatus::Failure)),
            mailbox(3, "c@contoso.com", None),
        ]),
        ..Snapshot::default()
    };
    let pick = |all| targets_of(&snap, all);
    assert_eq!(pick(false), vec!["b@contoso.com", "c@contoso.com"]);
    assert_eq!(pick(true), vec!["a@contoso.com", "b@contoso.com", "c@contoso.com"]);
}

fn targets_of(snap: &Snapshot, all: bool) -> Vec<String> {
    super::targets(snap, all).into_iter().map(|t| t.address).collect()
}

#[test]
fn no_user_found_plus_another_primary_becomes_a_bound_address_plan() {
    let m = mailbox(2, "old@contoso.com", Some(TestStatus::Failure));
    let alert = Alert {
        level: AlertLevel::Error,
        text: "Test and Enable failed because no user was found with the email address old@contoso.com.".into(),
        code: None,
        created_on: None,
        modified_on: None,
        regarding: Some(m.id.clone()),
    };
    let snap = Snapshot {
        mailboxes: Some(vec![m.clone()]),
        alerts: Some(AlertSet { alerts: vec![alert], failing_mailboxes: 1, mailboxes_read: 1 }),
        ..Snapshot::default()
    };
    let mut moved = user("new@contoso.com", true, Some("Enabled"), Some("Success"));
    moved.proxy_addresses.push("smtp:old@contoso.com".into());
    let outcome = LookupOutcome {
        results: vec![(Target { mailbox_id: m.id.clone(), address: "old@contoso.com".into() }, Ok(vec![moved]))],
        domains: Some(vec!["contoso.com".into()]),
        halted: None,
        stats: Stats::default(),
    };
    let checks = checks(&snap, &outcome);
    assert_eq!(checks[0].verdict, Verdict::AddressNotPrimary { primary: "new@contoso.com".into() });
    let org = OrgUrl::parse("https://contoso.crm.dynamics.com").expect("org");
    let plan = address_fix_plan(&snap, &checks, &org).expect("plan");
    assert_eq!(plan.org.as_ref(), Some(&org));
    let rows = plan.dry_run();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].field, rows[0].before.as_str(), rows[0].after.as_str()),
        ("emailaddress", "old@contoso.com", "new@contoso.com")
    );
    let req = plan.items[0].request();
    assert_eq!(req.body.as_deref(), Some(r#"{"emailaddress":"new@contoso.com"}"#));
    // The action survives the saved run's round trip.
    let run = crate::bulk::Run::new(plan.clone(), crate::bulk::RunConfig::default());
    let saved = crate::bulk::SavedRun::of("https://contoso.crm.dynamics.com", &run).to_json();
    let back: crate::bulk::SavedRun = crate::json::decode(&saved.to_string()).expect("read");
    assert_eq!(back.plan.action, plan.action);
}

#[test]
fn export_lists_problems_with_every_cell_quoted_and_formula_safe() {
    let checks = vec![
        MailboxCheck {
            mailbox_id: "m1".into(),
            name: "=HYPERLINK(\"x\")".into(),
            address: "a@contoso.com".into(),
            kind: MailboxKind::User,
            user_principal_name: Some("a@contoso.com".into()),
            verdict: Verdict::NoExchangePlan,
        },
        MailboxCheck {
            mailbox_id: "m2".into(),
            name: "Fine".into(),
            address: "b@contoso.com".into(),
            kind: MailboxKind::User,
            user_principal_name: None,
            verdict: Verdict::Ok,
        },
    ];
    let csv = export_csv(&checks);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert_eq!(
        lines[0],
        r#""address","name","dynamics_kind","user_principal_name","problem","state","fix","who_acts""#
    );
    assert!(
        lines[1].starts_with(r#""a@contoso.com","'=HYPERLINK(""x"")","user","a@contoso.com","no-exchange-plan","#),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(r#""Microsoft 365 admin""#));
}

#[test]
fn graph_scope_asks_for_user_read_all_on_graph() {
    assert_eq!(graph_scope(), "openid profile offline_access https://graph.microsoft.com/User.Read.All");
    let _ = Duration::from_secs(1);
}

#[test]
fn a_failed_send_puts_its_batch_back_first_in_order_and_progress_counts_answered_targets() {
    let mut l = Lookup::new(targets(45), "tok", LookupConfig::default(), Millis(0));
    assert_eq!(l.progress(), (0, 45));
    let first = batch_ids(&l.poll_request(Millis(0)).expect("batch"));
    l.handle_response(Err(crate::http::TransportError::Network("offline".into())), Millis(100));
    assert_eq!(l.progress(), (0, 45), "nothing answered");
    assert_eq!(l.poll_timeout(), Some(Millis(0)), "the 25 others may go at once");
    let again = batch_ids(&l.poll_request(Millis(2100)).expect("resent"));
    assert_eq!(again, first, "the same requests, first and in their order");
    l.handle_response(ok(answer_all(&again, |_| json!({"status": 200, "body": {"value": []}}))), Millis(2200));
    assert_eq!(l.progress(), (19, 45), "the organization and 19 addresses answered");
}

#[test]
fn every_verdict_renders_its_problem_and_fix_in_german_and_the_csv_follows_the_language_but_its_header() {
    use crate::i18n::Lang;
    let de = Lang::from_tag("de");
    let all = [
        Verdict::Ok,
        Verdict::UserMissing,
        Verdict::OtherTenant { domain: "fabrikam.com".into(), guest: true },
        Verdict::OtherTenant { domain: "fabrikam.com".into(), guest: false },
        Verdict::AddressNotPrimary { primary: "new@contoso.com".into() },
        Verdict::AccountDisabled,
        Verdict::NoExchangePlan,
        Verdict::ExchangePlanDisabled { status: "Suspended".into() },
        Verdict::MailboxNotProvisioned { status: String::new() },
        Verdict::MailboxNotProvisioned { status: "PendingInput".into() },
        Verdict::SharedMailboxAsUser,
        Verdict::Ambiguous { count: 2 },
        Verdict::Unchecked { reason: "Throttled".into() },
    ];
    for v in &all {
        for lang in Lang::all() {
            for key in [format!("exchange.verdict.{}.fix", v.key()), format!("exchange.verdict.{}.summary", v.key())] {
                assert!(lang.own(&key).is_some(), "{}: {key}", lang.tag());
            }
        }
        assert_ne!(v.summary_in(de), v.summary(), "{v:?}: the German problem");
        assert_ne!(v.fix_in(de), v.fix(), "{v:?}: the German fix");
    }
    assert_eq!(Verdict::Unchecked { reason: "Throttled".into() }.summary(), "Not checked: Throttled");
    assert_eq!(Verdict::Unchecked { reason: "Throttled".into() }.summary_in(de), "Nicht geprüft: Throttled");
    assert_eq!(Verdict::NoExchangePlan.summary_in(de), "Der Benutzer hat keine Exchange Online-Lizenz");
    assert!(Verdict::AccountDisabled.fix_in(de).contains("Microsoft 365 Admin Center"));
    assert!(all[2].summary_in(de).starts_with("Nur ein Gastbenutzer"));
    assert!(all[4].fix_in(de).contains("new@contoso.com") && all[4].fix_in(de).contains("Testen und aktivieren"));
    assert!(all[9].summary_in(de).ends_with("(PendingInput)"));
    let checks = [MailboxCheck {
        mailbox_id: "m1".into(),
        name: "Ann".into(),
        address: "a@contoso.com".into(),
        kind: MailboxKind::User,
        user_principal_name: None,
        verdict: Verdict::NoExchangePlan,
    }];
    let csv = export_csv_in(&checks, de);
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], export_csv(&checks).split("\r\n").next().unwrap(), "the header stays English");
    assert!(lines[1].contains(r#""no-exchange-plan","Der Benutzer hat keine Exchange Online-Lizenz""#), "{csv}");
    assert!(lines[1].ends_with(r#""Microsoft 365-Administrator""#), "{csv}");
}
