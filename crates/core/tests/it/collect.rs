//! `collect::snapshot` against the fake org.

use crate::support::{FakeOrg, block_on, fixture, json, with_type};
use expect_test::{Expect, expect};
use syncready_core::collect::{Snapshot, snapshot};

/// Collects from `org` and renders what was read, what failed, and the requests sent.
fn check(org: FakeOrg, expect: Expect) {
    let (snap, errors) = block_on(snapshot(&org));
    let mut out = summary(&snap);
    for e in &errors {
        out.push_str(&format!("error {:?}: {}\n", e.part, e.error));
    }
    out.push_str("requests:\n");
    for p in org.paths() {
        let short: String = p.chars().take(90).collect();
        out.push_str(&format!("  {short}\n"));
    }
    expect.assert_eq(&out);
}

fn summary(snap: &Snapshot) -> String {
    let mut out = String::new();
    out.push_str(&format!("caller: {:?}\n", snap.caller.as_ref().map(|c| c.user_id.as_str())));
    if let Some(org) = &snap.org {
        out.push_str(&format!(
            "org: {} default={:?} settings={:?}\n",
            org.name,
            org.default_profile,
            org.default_email_settings.as_ref().map(|r| r.as_ref().map_err(|e| e.reason.clone()))
        ));
    }
    for p in snap.profiles.iter().flatten() {
        out.push_str(&format!(
            "profile: {} exo={} s2s={} state={:?}\n",
            p.name,
            p.is_exchange_online(),
            p.server_to_server,
            p.state
        ));
    }
    for m in snap.mailboxes.iter().flatten() {
        out.push_str(&format!(
            "mailbox: {} {:?} {:?} approval={:?} in={:?}/{:?} etag={:?}\n",
            m.name,
            m.kind,
            m.state,
            m.approval,
            m.incoming,
            m.incoming_status,
            m.etag.as_deref()
        ));
    }
    for r in snap.roles.iter().flatten().chain(snap.team_roles.iter().flatten()) {
        out.push_str(&format!(
            "role: {} sysadmin={} dma={} team={:?}\n",
            r.name,
            r.is_system_administrator(),
            r.is_delegated_mailbox_approver(),
            r.via_team
        ));
    }
    if let Some(p) = &snap.approve_privilege {
        out.push_str(&format!("privilege: {} held={} depth={:?}\n", p.name, p.held, p.depth));
    }
    if let Some(a) = &snap.alerts {
        out.push_str(&format!(
            "alerts: {} for {} of {} failing mailboxes\n",
            a.alerts.len(),
            a.mailboxes_read,
            a.failing_mailboxes
        ));
    }
    if let Some(m) = &snap.monitoring {
        let synced = m.iter().filter(|m| m.last_success.is_some()).count();
        out.push_str(&format!("monitoring: {} rows, {synced} with a last successful sync\n", m.len()));
    }
    for f in snap.item_failures.iter().flatten() {
        out.push_str(&format!("item failure: {:?} {:?} {}\n", f.owner, f.code, f.error));
    }
    out
}

#[test]
fn a_healthy_session_reads_every_part_and_follows_the_next_link_unchanged() {
    let org = FakeOrg::contoso();
    check(
        org,
        expect![[r#"
            caller: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f")
            org: Contoso default=Some("3a1d2c4b-0000-4000-8000-00000000e002") settings=Some(Ok(DefaultEmailSettings { incoming: Some(ServerSideSync), outgoing: Some(ServerSideSync), act: Some(Outlook) }))
            profile: Microsoft Exchange Online exo=true s2s=true state=Active
            profile: Legacy POP3 exo=false s2s=false state=Active
            mailbox: Alex Wilber User Active approval=Approved in=Some(ServerSideSync)/Some(Success) etag=Some("W/\"5550101\"")
            mailbox: Megan Bowen User Active approval=Pending in=Some(ServerSideSync)/Some(Failure) etag=Some("W/\"5550102\"")
            mailbox: Support Queue Active approval=Empty in=Some(None)/Some(NotRun) etag=Some("W/\"5550103\"")
            mailbox: Forward Mailbox Forward Active approval=Approved in=Some(ServerSideSync)/Some(NotRun) etag=Some("W/\"5550104\"")
            mailbox: Former Employee User Inactive approval=Rejected in=Some(Outlook)/Some(NotRun) etag=Some("W/\"5550105\"")
            role: System Administrator sysadmin=true dma=false team=None
            role: Basic User sysadmin=false dma=false team=None
            role: Delegated Mailbox Approver sysadmin=false dma=true team=Some("Mail approvers")
            privilege: prvApproveRejectEmailAddress held=true depth=Some("Global")
            alerts: 2 for 1 of 1 failing mailboxes
            monitoring: 5 rows, 1 with a last successful sync
            item failure: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f") Some(-2147097998) Exchange returned 401 Unauthorized (8005E272).
            requests:
              WhoAmI
              organizations?$select=organizationid,name,_defaultemailserverprofileid_value,defaultemails
              emailserverprofiles?$select=emailserverprofileid,name,servertype,emailservertypename,state
              mailboxes?$select=mailboxid,name,emailaddress,_emailserverprofile_value,_regardingobjectid
              mailboxes?$select=mailboxid,name&$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/systemuserroles_association?$select=name
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/teammembership_association?$select=teami
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/Microsoft.Dynamics.CRM.RetrieveUserPrivi
              tracelogs?$select=level,text,tracecode,createdon,modifiedon,_regardingobjectid_value&$filt
              exchangesyncidmappings?$select=exchangesyncidmappingid,lastsyncerror,lastsyncerrorcode,las
        "#]],
    );
}

#[test]
fn the_next_link_is_requested_as_its_path_on_the_org_being_read() {
    let org = FakeOrg::contoso();
    let _ = block_on(snapshot(&org));
    let page1: serde_json::Value = serde_json::from_str(&fixture("mailboxes-page1.json")).unwrap();
    let link = page1["@odata.nextLink"].as_str().unwrap();
    let relative = link.strip_prefix("https://contoso.crm.dynamics.com/api/data/v9.2/").unwrap();
    let sent = org.sent.borrow();
    let next = sent.iter().find(|r| r.path == relative).expect("the nextLink's path and query, unchanged");
    let prefer: Vec<_> = next.headers.iter().filter(|(n, _)| n == "Prefer").map(|(_, v)| v.as_str()).collect();
    assert_eq!(
        prefer,
        ["odata.include-annotations=\"Microsoft.Dynamics.CRM.lookuplogicalname\",odata.maxpagesize=5000"]
    );
}

#[test]
fn a_403_on_roles_fails_only_the_roles_part() {
    let org = FakeOrg::contoso().route(
        "systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/systemuserroles_association",
        json(403, fixture("forbidden.json")),
    );
    check(
        org,
        expect![[r#"
            caller: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f")
            org: Contoso default=Some("3a1d2c4b-0000-4000-8000-00000000e002") settings=Some(Ok(DefaultEmailSettings { incoming: Some(ServerSideSync), outgoing: Some(ServerSideSync), act: Some(Outlook) }))
            profile: Microsoft Exchange Online exo=true s2s=true state=Active
            profile: Legacy POP3 exo=false s2s=false state=Active
            mailbox: Alex Wilber User Active approval=Approved in=Some(ServerSideSync)/Some(Success) etag=Some("W/\"5550101\"")
            mailbox: Megan Bowen User Active approval=Pending in=Some(ServerSideSync)/Some(Failure) etag=Some("W/\"5550102\"")
            mailbox: Support Queue Active approval=Empty in=Some(None)/Some(NotRun) etag=Some("W/\"5550103\"")
            mailbox: Forward Mailbox Forward Active approval=Approved in=Some(ServerSideSync)/Some(NotRun) etag=Some("W/\"5550104\"")
            mailbox: Former Employee User Inactive approval=Rejected in=Some(Outlook)/Some(NotRun) etag=Some("W/\"5550105\"")
            role: Delegated Mailbox Approver sysadmin=false dma=true team=Some("Mail approvers")
            privilege: prvApproveRejectEmailAddress held=true depth=Some("Global")
            alerts: 2 for 1 of 1 failing mailboxes
            monitoring: 5 rows, 1 with a last successful sync
            item failure: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f") Some(-2147097998) Exchange returned 401 Unauthorized (8005E272).
            error Roles: Dataverse answered HTTP 403 0x80040220: The user does not hold the necessary privileges. Principal user is missing prvReadRole privilege.
            requests:
              WhoAmI
              organizations?$select=organizationid,name,_defaultemailserverprofileid_value,defaultemails
              emailserverprofiles?$select=emailserverprofileid,name,servertype,emailservertypename,state
              mailboxes?$select=mailboxid,name,emailaddress,_emailserverprofile_value,_regardingobjectid
              mailboxes?$select=mailboxid,name&$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/systemuserroles_association?$select=name
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/teammembership_association?$select=teami
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/Microsoft.Dynamics.CRM.RetrieveUserPrivi
              tracelogs?$select=level,text,tracecode,createdon,modifiedon,_regardingobjectid_value&$filt
              exchangesyncidmappings?$select=exchangesyncidmappingid,lastsyncerror,lastsyncerrorcode,las
        "#]],
    );
}

#[test]
fn when_the_privilege_function_is_unknown_all_privileges_are_read_instead() {
    let org = FakeOrg::contoso().route(
        "systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/Microsoft.Dynamics.CRM.RetrieveUserPrivilegeByPrivilegeName",
        json(404, fixture("function-not-found.json")),
    );
    check(
        org,
        expect![[r#"
            caller: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f")
            org: Contoso default=Some("3a1d2c4b-0000-4000-8000-00000000e002") settings=Some(Ok(DefaultEmailSettings { incoming: Some(ServerSideSync), outgoing: Some(ServerSideSync), act: Some(Outlook) }))
            profile: Microsoft Exchange Online exo=true s2s=true state=Active
            profile: Legacy POP3 exo=false s2s=false state=Active
            mailbox: Alex Wilber User Active approval=Approved in=Some(ServerSideSync)/Some(Success) etag=Some("W/\"5550101\"")
            mailbox: Megan Bowen User Active approval=Pending in=Some(ServerSideSync)/Some(Failure) etag=Some("W/\"5550102\"")
            mailbox: Support Queue Active approval=Empty in=Some(None)/Some(NotRun) etag=Some("W/\"5550103\"")
            mailbox: Forward Mailbox Forward Active approval=Approved in=Some(ServerSideSync)/Some(NotRun) etag=Some("W/\"5550104\"")
            mailbox: Former Employee User Inactive approval=Rejected in=Some(Outlook)/Some(NotRun) etag=Some("W/\"5550105\"")
            role: System Administrator sysadmin=true dma=false team=None
            role: Basic User sysadmin=false dma=false team=None
            role: Delegated Mailbox Approver sysadmin=false dma=true team=Some("Mail approvers")
            privilege: prvApproveRejectEmailAddress held=true depth=Some("Local")
            alerts: 2 for 1 of 1 failing mailboxes
            monitoring: 5 rows, 1 with a last successful sync
            item failure: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f") Some(-2147097998) Exchange returned 401 Unauthorized (8005E272).
            requests:
              WhoAmI
              organizations?$select=organizationid,name,_defaultemailserverprofileid_value,defaultemails
              emailserverprofiles?$select=emailserverprofileid,name,servertype,emailservertypename,state
              mailboxes?$select=mailboxid,name,emailaddress,_emailserverprofile_value,_regardingobjectid
              mailboxes?$select=mailboxid,name&$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/systemuserroles_association?$select=name
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/teammembership_association?$select=teami
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/Microsoft.Dynamics.CRM.RetrieveUserPrivi
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/Microsoft.Dynamics.CRM.RetrieveUserPrivi
              tracelogs?$select=level,text,tracecode,createdon,modifiedon,_regardingobjectid_value&$filt
              exchangesyncidmappings?$select=exchangesyncidmappingid,lastsyncerror,lastsyncerrorcode,las
        "#]],
    );
}

#[test]
fn a_sign_in_page_on_the_second_mailbox_page_fails_only_the_mailboxes() {
    let org = FakeOrg::contoso().route(
        "mailboxes?$select=mailboxid,name&$skiptoken=",
        with_type(200, "text/html; charset=utf-8", fixture("signin.html")),
    );
    check(
        org,
        expect![[r#"
            caller: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f")
            org: Contoso default=Some("3a1d2c4b-0000-4000-8000-00000000e002") settings=Some(Ok(DefaultEmailSettings { incoming: Some(ServerSideSync), outgoing: Some(ServerSideSync), act: Some(Outlook) }))
            profile: Microsoft Exchange Online exo=true s2s=true state=Active
            profile: Legacy POP3 exo=false s2s=false state=Active
            role: System Administrator sysadmin=true dma=false team=None
            role: Basic User sysadmin=false dma=false team=None
            role: Delegated Mailbox Approver sysadmin=false dma=true team=Some("Mail approvers")
            privilege: prvApproveRejectEmailAddress held=true depth=Some("Global")
            item failure: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f") Some(-2147097998) Exchange returned 401 Unauthorized (8005E272).
            error Mailboxes: the Dynamics 365 session has expired or is missing (HTTP 200)
            requests:
              WhoAmI
              organizations?$select=organizationid,name,_defaultemailserverprofileid_value,defaultemails
              emailserverprofiles?$select=emailserverprofileid,name,servertype,emailservertypename,state
              mailboxes?$select=mailboxid,name,emailaddress,_emailserverprofile_value,_regardingobjectid
              mailboxes?$select=mailboxid,name&$skiptoken=%3Ccookie%20pagenumber=%222%22%20pagingcookie=
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/systemuserroles_association?$select=name
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/teammembership_association?$select=teami
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/Microsoft.Dynamics.CRM.RetrieveUserPrivi
              exchangesyncidmappings?$select=exchangesyncidmappingid,lastsyncerror,lastsyncerrorcode,las
        "#]],
    );
}

#[test]
fn an_expired_session_stops_collection_after_who_am_i() {
    let org = FakeOrg::contoso().route("WhoAmI", with_type(401, "text/plain", ""));
    check(
        org,
        expect![[r#"
        caller: None
        error Caller: the Dynamics 365 session has expired or is missing (HTTP 401)
        requests:
          WhoAmI
    "#]],
    );
}

#[test]
fn truncated_json_and_an_error_in_a_200_are_reported_per_part() {
    let org = FakeOrg::contoso()
        .route("mailboxes?", json(200, fixture("truncated.json")))
        .route("emailserverprofiles?", json(200, fixture("error-in-200.json")));
    check(
        org,
        expect![[r#"
            caller: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f")
            org: Contoso default=Some("3a1d2c4b-0000-4000-8000-00000000e002") settings=Some(Ok(DefaultEmailSettings { incoming: Some(ServerSideSync), outgoing: Some(ServerSideSync), act: Some(Outlook) }))
            role: System Administrator sysadmin=true dma=false team=None
            role: Basic User sysadmin=false dma=false team=None
            role: Delegated Mailbox Approver sysadmin=false dma=true team=Some("Mail approvers")
            privilege: prvApproveRejectEmailAddress held=true depth=Some("Global")
            item failure: Some("7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f") Some(-2147097998) Exchange returned 401 Unauthorized (8005E272).
            error Profiles: Dataverse answered HTTP 200 0x80040220: Principal user (Id=7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f, type=8, roleCount=1, privilegeCount=312, accessMode=0), is missing prvReadMailbox privilege (Id=1f1a8b4c-0000-4000-8000-000000000000) on OTC=9606 for entity 'mailbox'.
            error Mailboxes: unexpected response at `mailboxes: value[0].mailboxid`: EOF while parsing a string at line 6 column 37
            requests:
              WhoAmI
              organizations?$select=organizationid,name,_defaultemailserverprofileid_value,defaultemails
              emailserverprofiles?$select=emailserverprofileid,name,servertype,emailservertypename,state
              mailboxes?$select=mailboxid,name,emailaddress,_emailserverprofile_value,_regardingobjectid
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/systemuserroles_association?$select=name
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/teammembership_association?$select=teami
              systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/Microsoft.Dynamics.CRM.RetrieveUserPrivi
              exchangesyncidmappings?$select=exchangesyncidmappingid,lastsyncerror,lastsyncerrorcode,las
        "#]],
    );
}

#[test]
fn when_the_expanded_team_query_is_refused_each_teams_roles_are_read() {
    let user = "systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)/teammembership_association?$select=teamid,name";
    let org = FakeOrg::contoso()
        .route(
            &format!("{user}&$expand"),
            json(400, r#"{"error":{"code":"0x80060888","message":"The query option '$expand' is not supported."}}"#),
        )
        .route(
            user,
            json(200, r#"{"value":[{"teamid":"e1000000-0000-4000-8000-000000000001","name":"Mail approvers"}]}"#),
        )
        .route(
            "teams(e1000000-0000-4000-8000-000000000001)/teamroles_association",
            json(
                200,
                r#"{"value":[{"name":"Delegated Mailbox Approver","roleid":"c1000000-0000-4000-8000-000000000003"}]}"#,
            ),
        );
    let (snap, errors) = block_on(snapshot(&org));
    assert_eq!(errors, []);
    let team_roles = snap.team_roles.unwrap();
    assert_eq!(team_roles.len(), 1);
    assert_eq!(team_roles[0].via_team.as_deref(), Some("Mail approvers"));
    assert!(
        org.paths()
            .iter()
            .any(|p| p.starts_with("teams(e1000000-0000-4000-8000-000000000001)/teamroles_association?$select="))
    );
}

#[test]
fn the_mailbox_index_finds_the_names_behind_finding_ids() {
    let (snap, _) = block_on(snapshot(&FakeOrg::contoso()));
    let index = snap.mailbox_index();
    assert_eq!(index.len(), 5);
    assert_eq!(index.get("5b0e0000-0000-4000-8000-000000000003").map(|m| m.name.as_str()), Some("Support"));
}

#[test]
fn a_403_on_item_failures_fails_only_that_part_and_keeps_the_monitoring_columns() {
    let org = FakeOrg::contoso().route("exchangesyncidmappings?", json(403, fixture("forbidden.json")));
    let (snap, errors) = block_on(snapshot(&org));
    let parts: Vec<_> = errors.iter().map(|e| e.part).collect();
    assert_eq!(parts, [syncready_core::collect::Part::ItemFailures]);
    assert_eq!(snap.item_failures, None);
    assert_eq!(snap.monitoring.as_ref().map(Vec::len), Some(5));
    let first = &snap.monitoring.as_ref().unwrap()[0];
    assert_eq!((first.items_processed, first.items_failed, first.error_count), (Some(12), Some(1), Some(0)));
    // One mailbox request per page, with the monitoring columns in it: nothing per mailbox.
    let mailbox_requests: Vec<String> = org.paths().into_iter().filter(|p| p.starts_with("mailboxes?")).collect();
    assert_eq!(mailbox_requests.len(), 2);
    assert!(mailbox_requests[0].contains("lastsuccessfulsynccompletedon"), "{}", mailbox_requests[0]);
}

/// A first mailbox page whose `@odata.nextLink` is `link`.
fn mailboxes_linking_to(link: &str) -> FakeOrg {
    let mut page: serde_json::Value = serde_json::from_str(&fixture("mailboxes-page1.json")).unwrap();
    page["@odata.nextLink"] = serde_json::json!(link);
    FakeOrg::contoso().route("mailboxes?", json(200, page.to_string()))
}

#[test]
fn issue_12_a_next_link_to_another_host_is_refused_and_nothing_is_sent_there() {
    for link in [
        "https://evil.example/api/data/v9.2/mailboxes?$skiptoken=1",
        "https://contoso.crm.dynamics.com.evil.example/api/data/v9.2/mailboxes?$skiptoken=1",
        "https://evil.example\\@contoso.crm.dynamics.com/api/data/v9.2/mailboxes?$skiptoken=1",
        "https://contoso.crm.dynamics.com/api/data/v9.1/../../../x?$skiptoken=1",
        "https://contoso.crm.dynamics.com/api/data/v9.2/../../../evil?$skiptoken=1",
        "//evil.example/api/data/v9.2/mailboxes",
    ] {
        let org = mailboxes_linking_to(link);
        let (snap, errors) = block_on(snapshot(&org));
        assert!(snap.mailboxes.is_none(), "{link}");
        let error = errors.iter().find(|e| e.part == syncready_core::collect::Part::Mailboxes).unwrap();
        assert!(error.error.to_string().contains("next-page link"), "{link}: {}", error.error);
        let sent = org.sent.borrow();
        assert!(sent.iter().all(|r| !r.path.contains("evil") && !r.path.contains("://")), "{link}: {sent:?}");
    }
}

#[test]
fn issue_12_a_next_link_that_changes_origin_between_pages_is_refused() {
    use syncready_core::collect::{mailboxes_query, next_page_request};
    let q = mailboxes_query();
    let mut origin = None;
    let first =
        next_page_request(&q, "https://contoso.crm4.dynamics.com/api/data/v9.2/mailboxes?$skiptoken=1", &mut origin);
    assert_eq!(first.map(|r| r.path), Ok("mailboxes?$skiptoken=1".to_owned()));
    let other =
        next_page_request(&q, "https://fabrikam.crm4.dynamics.com/api/data/v9.2/mailboxes?$skiptoken=2", &mut origin);
    assert_eq!(
        other.map(|r| r.path),
        Err("the next-page link leads to https://fabrikam.crm4.dynamics.com, not to https://contoso.crm4.dynamics.com where the pages came from".to_owned())
    );
}

#[test]
fn issue_12_ids_that_are_not_guids_are_never_put_into_a_path_or_filter() {
    // 36 characters of hex digits and dashes passed the old check; only 8-4-4-4-12 passes now.
    let fake_id = "7F6C9B1E0D2A-4A3B-9C1D-1A2B3C4D5E6F-";
    let who = fixture("whoami.json").replace("7F6C9B1E-0D2A-4A3B-9C1D-1A2B3C4D5E6F", fake_id);
    let org = FakeOrg::contoso().route("WhoAmI", json(200, who));
    let _ = block_on(snapshot(&org));
    let paths = org.paths();
    assert!(paths.iter().all(|p| !p.contains(fake_id)), "{paths:#?}");
    assert!(paths.iter().all(|p| !p.starts_with("systemusers(")), "{paths:#?}");
}
