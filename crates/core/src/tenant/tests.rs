use super::discovery::{self, DISCOVERY_ORIGIN, DISCOVERY_SCOPE};
use super::*;
use crate::bulk::{Action, Entity, Field, Millis, TargetError};
use crate::collect::{CollectError, Part, Snapshot};
use crate::error::{DataverseError, Error};
use crate::http::{Response, percent_decode};
use crate::model::{
    ActDeliveryMethod, Alert, AlertLevel, AlertSet, ApprovalState, Caller, DefaultEmailSettings, DeliveryMethod,
    HostPolicy, Mailbox, MailboxKind, OrgSettings, PrivilegeHolding, Profile, RecordState, Role,
    SYSTEM_ADMINISTRATOR_TEMPLATE, TestStatus,
};
use crate::oauth::{OAuthConfig, Tokens};
use crate::readiness::{checklist, evaluate};
use expect_test::expect;
use serde_json::Value;

const EXO: &str = "a0000000-0000-4000-8000-00000000e001";

/// The bulk tests' mailbox, on the Exchange Online profile of these orgs.
fn mailbox(n: u32, kind: MailboxKind, approval: ApprovalState) -> Mailbox {
    Mailbox { profile: Some(EXO.into()), ..crate::bulk::plan_fixtures::mailbox(n, kind, approval) }
}

fn snapshot(mailboxes: Vec<Mailbox>) -> Snapshot {
    Snapshot {
        caller: Some(Caller { user_id: "c0000000-0000-4000-8000-000000000999".into(), organization_id: "org".into() }),
        org: Some(OrgSettings {
            id: "d0000000-0000-4000-8000-000000000001".into(),
            name: "Contoso".into(),
            default_profile: Some(EXO.into()),
            default_email_settings_xml: None,
            default_email_settings: Some(Ok(DefaultEmailSettings {
                incoming: Some(DeliveryMethod::ServerSideSync),
                outgoing: Some(DeliveryMethod::ServerSideSync),
                act: Some(ActDeliveryMethod::ServerSideSync),
            })),
            connection_channel: Some(0),
            require_approval_users: true,
            require_approval_queues: true,
        }),
        profiles: Some(vec![Profile {
            id: EXO.into(),
            name: "Microsoft Exchange Online".into(),
            server_type: None,
            type_name: None,
            state: RecordState::Active,
            server_to_server: true,
            autodiscover: true,
            incoming_credentials: None,
        }]),
        mailboxes: Some(mailboxes),
        roles: Some(vec![Role {
            id: "sysadmin".into(),
            name: "System Administrator".into(),
            template_id: Some(SYSTEM_ADMINISTRATOR_TEMPLATE.into()),
            via_team: None,
        }]),
        team_roles: Some(Vec::new()),
        approve_privilege: Some(PrivilegeHolding {
            name: "prvApproveRejectEmailAddress".into(),
            held: true,
            depth: Some("Global".into()),
        }),
        alerts: None,
        monitoring: None,
        item_failures: None,
    }
}

fn tokens(access: &str) -> Tokens {
    Tokens {
        access_token: access.into(),
        refresh_token: Some("rt".into()),
        expires_at: crate::model::Timestamp(2_000_000_000),
        scope: String::new(),
        user: None,
        nonce: None,
    }
}

fn json(status: u16, body: &str) -> Response {
    Response { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into() }
}

const PROD: &str = "10000000-0000-4000-8000-000000000001";
const SANDBOX: &str = "10000000-0000-4000-8000-000000000002";

fn instances_body() -> String {
    serde_json::json!({
        "@odata.context": "https://globaldisco.crm.dynamics.com/api/discovery/v2.0/$metadata#Instances",
        "value": [
            {"Id": PROD, "UniqueName": "unq1", "UrlName": "contoso", "FriendlyName": "Contoso",
             "Url": "https://contoso.crm.dynamics.com", "ApiUrl": "https://contoso.api.crm.dynamics.com",
             "State": 0, "Version": "9.2.25011.1", "Region": "NA", "OrganizationType": 0,
             "TenantId": "AAAAAAAA-0000-4000-8000-000000000000", "EnvironmentId": "e1", "IsUserSysAdmin": true},
            {"Id": SANDBOX, "FriendlyName": "Contoso (copy)", "ApiUrl": "https://contoso-dev.api.crm4.dynamics.com",
             "State": 0, "OrganizationType": 5},
            {"Id": "10000000-0000-4000-8000-000000000003", "FriendlyName": "Old", "Url": "https://old.crm.dynamics.com",
             "State": 1, "OrganizationType": 14},
            {"Id": "10000000-0000-4000-8000-000000000004", "FriendlyName": "BC", "Url": "https://bc.businesscentral.dynamics.com",
             "State": 0, "OrganizationType": 13},
            {"Id": "not-a-guid", "FriendlyName": "Evil", "Url": "https://evil.crm.dynamics.com", "State": 0},
            {"Id": PROD, "FriendlyName": "Repeat", "Url": "https://repeat.crm.dynamics.com", "State": 0}
        ]
    })
    .to_string()
}

#[test]
fn the_instances_request_goes_to_the_global_discovery_service_with_the_discovery_token() {
    let r = discovery::instances_request(DISCOVERY_ORIGIN, &tokens("disco-token"));
    assert_eq!(r.method, crate::http::Method::Get);
    expect![[r#"https://globaldisco.crm.dynamics.com/api/discovery/v2.0/Instances?$select=Id,UniqueName,UrlName,FriendlyName,Url,ApiUrl,State,Version,Region,OrganizationType,TenantId,EnvironmentId,IsUserSysAdmin"#]]
        .assert_eq(&r.path);
    assert!(r.headers.contains(&("Authorization".into(), "Bearer disco-token".into())));
}

#[test]
fn the_discovery_token_is_a_second_refresh_for_the_discovery_audience_not_the_org() {
    let config = OAuthConfig::new(
        "https://login.microsoftonline.com/organizations",
        "11111111-2222-4333-8444-555555555555",
        "https://app.example/",
        "https://contoso.crm.dynamics.com",
    )
    .unwrap();
    let request = discovery::discovery_token_request(&config, "the-refresh-token");
    let body = request.body.unwrap();
    let scope = crate::http::query_pairs(&body).into_iter().find(|(k, _)| k == "scope").unwrap().1;
    assert_eq!(scope, format!("{DISCOVERY_SCOPE} offline_access"));
    assert!(!scope.contains("contoso"), "{scope}");
    assert!(percent_decode(&body).contains("refresh_token=the-refresh-token"));
    assert_eq!(request.path, config.authority.token_endpoint());
    // The org's own configuration is unchanged.
    assert!(config.scope.contains("https://contoso.crm.dynamics.com/user_impersonation"));
    let other = crate::model::OrgUrl::parse("https://fabrikam.crm4.dynamics.com").unwrap();
    let body = discovery::org_token_request(&config, &other, "rt").body.unwrap();
    assert!(
        percent_decode(&body).contains("scope=https://fabrikam.crm4.dynamics.com/user_impersonation offline_access")
    );
}

#[test]
fn instances_become_environments_with_type_state_and_address_checked() {
    let instances = discovery::parse_instances(&json(200, &instances_body())).unwrap();
    assert_eq!(instances.len(), 6);
    let envs = discovery::environments(&instances, HostPolicy::Production);
    let shown: Vec<String> = envs
        .iter()
        .map(|e| {
            format!(
                "{} | {} | {} | {} | {:?}",
                e.name,
                e.kind.label(),
                e.url.as_ref().map_or("-", |u| u.as_str()),
                e.tenant_id.as_deref().unwrap_or("-"),
                e.skip
            )
        })
        .collect();
    expect![[r#"
        [
            "Contoso | Production | https://contoso.crm.dynamics.com | aaaaaaaa-0000-4000-8000-000000000000 | None",
            "Contoso (copy) | Sandbox | https://contoso-dev.crm4.dynamics.com | - | None",
            "Old | Trial | https://old.crm.dynamics.com | - | Some(Disabled)",
            "BC | Developer | - | - | Some(NotDataverse(\"`https://bc.businesscentral.dynamics.com` is not an org URL: it is not a Dataverse org host (https://<org>.crm.dynamics.com or a regional crm<N> host)\"))",
        ]
    "#]]
    .assert_debug_eq(&shown);
}

#[test]
fn a_token_for_another_audience_is_reported_as_unauthorized_with_the_services_header() {
    let mut r = json(401, r#"{"error":{"code":"InvalidAuthenticationToken","message":"audience"}}"#);
    r.headers.push(("WWW-Authenticate".into(), r#"Bearer error="invalid_token""#.into()));
    let e = discovery::parse_instances(&r).unwrap_err();
    assert!(
        matches!(&e, DiscoveryError::Unauthorized { www_authenticate: Some(w), .. } if w.contains("invalid_token"))
    );
    assert!(e.to_string().contains("needs a token for https://globaldisco.crm.dynamics.com"), "{e}");
    // Without a challenge header or body (the service's exact 401 is not documented) it is the same.
    let bare = Response { status: 401, headers: vec![], body: String::new() };
    assert!(matches!(
        discovery::parse_instances(&bare),
        Err(DiscoveryError::Unauthorized { www_authenticate: None, .. })
    ));
    assert!(matches!(discovery::parse_instances(&json(500, "{}")), Err(DiscoveryError::Http { status: 500, .. })));
    assert!(matches!(discovery::parse_instances(&json(200, "{}")), Err(DiscoveryError::Decode { .. })));
}

#[test]
fn organization_types_map_to_the_documented_kinds() {
    let kinds: Vec<String> =
        [0, 4, 5, 6, 12, 13, 14, 15, 7, 3].iter().map(|n| discovery::kind_of(Some(*n)).label()).collect();
    expect![[r#"["Production", "Production", "Sandbox", "Sandbox", "Default", "Developer", "Trial", "Teams", "Preview", "Type 3"]"#]]
        .assert_eq(&format!("{kinds:?}"));
}

fn env(name: &str, id: &str, url: &str, kind: EnvKind) -> Environment {
    Environment {
        id: id.into(),
        name: name.into(),
        unique_name: None,
        url: Some(crate::model::OrgUrl::parse(url).unwrap()),
        kind,
        version: None,
        region: None,
        tenant_id: None,
        is_sys_admin: None,
        skip: None,
    }
}

#[test]
fn the_scheduler_reads_at_most_the_limit_at_once_and_refuses_skipped_environments_without_a_request() {
    let mut envs: Vec<Environment> = (0..4)
        .map(|i| env(&format!("E{i}"), &format!("id{i}"), &format!("https://e{i}.crm.dynamics.com"), EnvKind::Sandbox))
        .collect();
    envs[1].skip = Some(Refusal::Disabled);
    let mut read = TenantRead::new(envs, ReadLimits { environments_at_once: 2 });
    assert_eq!(read.poll_start(Millis(0)), Some(0));
    assert_eq!(read.poll_start(Millis(0)), Some(2), "the disabled one is never started");
    assert_eq!(read.poll_start(Millis(0)), None, "two at once");
    read.answered(0, Some(Part::Mailboxes));
    assert_eq!(read.progress()[0].parts, 4);
    read.finish(
        0,
        EnvRead { snapshot: snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Approved)]), errors: vec![] },
        Millis(700),
    );
    assert_eq!(read.progress()[0].state, EnvState::Read { at: Millis(700), took_ms: 700 });
    assert_eq!(read.poll_start(Millis(700)), Some(3));
    read.cancel();
    assert!(read.is_finished());
    assert_eq!(read.progress()[3].state, EnvState::Refused { reason: Refusal::Cancelled });
    assert_eq!(read.progress()[1].state, EnvState::Refused { reason: Refusal::Disabled });
}

fn caller_error(error: Error) -> Vec<CollectError> {
    vec![CollectError { part: Part::Caller, error }]
}

#[test]
fn refusals_say_why_an_environment_could_not_be_read() {
    let empty = Snapshot::default();
    let forbidden = Error::Http {
        status: 403,
        dataverse: Some(DataverseError {
            code: "0x80072560".into(),
            message: "The user is not a member of the organization.".into(),
        }),
        body: String::new(),
    };
    let cases = [
        refusal(&empty, &caller_error(forbidden)),
        refusal(&empty, &caller_error(Error::SessionExpired { status: 401 })),
        refusal(&empty, &caller_error(Error::Http { status: 404, dataverse: None, body: String::new() })),
        refusal(&empty, &caller_error(Error::Transport(crate::http::TransportError::Network("dns".into())))),
        refusal(&snapshot(vec![]), &[]),
        refusal(&snapshot(vec![mailbox(1, MailboxKind::Queue, ApprovalState::Approved)]), &[]),
    ];
    let text: Vec<String> = cases.iter().map(|c| c.as_ref().map_or("read".to_owned(), ToString::to_string)).collect();
    expect![[r#"
        [
            "no access: The user is not a member of the organization.",
            "sign-in needed for this environment",
            "not a Dataverse org: Dataverse answered HTTP 404",
            "unreachable: the request could not be sent: dns",
            "no user or queue mailboxes: email is not used in this environment",
            "read",
        ]
    "#]]
    .assert_debug_eq(&text);
}

#[test]
fn requests_map_to_the_parts_of_the_progress_bar() {
    let parts: Vec<Option<Part>> = crate::collect::requests().iter().map(|(_, r)| part_of(r)).collect();
    assert_eq!(parts, vec![Some(Part::Caller), Some(Part::Organization), Some(Part::Profiles), Some(Part::Mailboxes)]);
    assert_eq!(part_of(&crate::collect::alerts_query(&["x"]).request()), Some(Part::Alerts));
    assert_eq!(part_of(&crate::collect::team_roles_query("u").request()), Some(Part::TeamRoles));
    assert_eq!(part_of(&crate::collect::privilege_request("u", "p")), Some(Part::ApprovePrivilege));
}

/// A ready user mailbox.
fn ready(n: u32, email: &str) -> crate::model::Mailbox {
    let mut m = mailbox(n, MailboxKind::User, ApprovalState::Approved);
    m.email = Some(email.into());
    m.incoming = Some(DeliveryMethod::ServerSideSync);
    m.outgoing = Some(DeliveryMethod::ServerSideSync);
    m.act = Some(ActDeliveryMethod::ServerSideSync);
    m.incoming_status = Some(TestStatus::Success);
    m.outgoing_status = Some(TestStatus::Success);
    m.act_status = Some(TestStatus::Success);
    m
}

/// Production (Contoso), its sandbox copy (same ids, still synchronising), and Fabrikam (another
/// production org) that synchronises one of Contoso's addresses.
fn tenant() -> TenantRead {
    let prod_boxes = vec![ready(1, "Ann@contoso.com"), ready(2, "bob@contoso.com"), ready(3, "cy@contoso.com")];
    let mut copy_boxes = prod_boxes.clone();
    copy_boxes[2].incoming = Some(DeliveryMethod::None);
    copy_boxes[2].outgoing = Some(DeliveryMethod::None);
    copy_boxes[2].act = Some(ActDeliveryMethod::None);
    copy_boxes[0].act_status = Some(TestStatus::Failure);
    let mut fab = ready(40, "ann@CONTOSO.com");
    fab.org_marked_primary = true;
    let mut fab_bob = ready(41, "bob@contoso.com");
    fab_bob.act = Some(ActDeliveryMethod::None);
    let envs = vec![
        env("Contoso", PROD, "https://contoso.crm.dynamics.com", EnvKind::Production),
        env("Contoso copy", SANDBOX, "https://contoso-dev.crm.dynamics.com", EnvKind::Sandbox),
        env(
            "Fabrikam",
            "10000000-0000-4000-8000-000000000005",
            "https://fabrikam.crm4.dynamics.com",
            EnvKind::Production,
        ),
    ];
    let mut copy = snapshot(copy_boxes);
    copy.alerts = Some(AlertSet {
        alerts: vec![Alert {
            level: AlertLevel::Error,
            text: "Appointments, contacts, and tasks can't be synchronized because the email address of the mailbox Mailbox 1 is configured with another organization.".into(),
            code: None,
            created_on: None,
            modified_on: None,
            regarding: Some(ready(1, "").id),
        }],
        failing_mailboxes: 1,
        mailboxes_read: 1,
    });
    let mut read = TenantRead::new(envs, ReadLimits::default());
    for (i, snap) in [snapshot(prod_boxes), copy, snapshot(vec![fab, fab_bob])].into_iter().enumerate() {
        assert_eq!(read.poll_start(Millis(0)), Some(i));
        read.finish(i, EnvRead { snapshot: snap, errors: vec![] }, Millis(1000 + i as u64));
    }
    read
}

#[test]
fn the_conflict_report_names_shared_addresses_their_act_owner_and_the_sandbox_copy() {
    let read = tenant();
    let report = find_conflicts(&read);
    let lines: Vec<String> = report
        .addresses
        .iter()
        .map(|a| {
            let holders: Vec<String> = a
                .holders
                .iter()
                .map(|h| {
                    format!(
                        "{}{}{}",
                        h.env_name,
                        if h.act_sss { " act" } else { "" },
                        if h.another_org_alert { " alert" } else { "" }
                    )
                })
                .collect();
            format!("{} in [{}] owner {:?}", a.address, holders.join(", "), a.owner)
        })
        .collect();
    expect![[r#"
        [
            "Ann@contoso.com in [Contoso act, Contoso copy act alert, Fabrikam act] owner Marked { env: 2 }",
            "bob@contoso.com in [Contoso act, Contoso copy act, Fabrikam] owner Unclear { candidates: [0, 1] }",
        ]
    "#]]
    .assert_debug_eq(&lines);
    assert_eq!(report.copies.len(), 1);
    let copy = &report.copies[0];
    assert_eq!((copy.copy, copy.production, copy.shared), (1, 0, 3));
    assert_eq!(copy.enabled, vec![ready(1, "").id, ready(2, "").id], "the third was already set to None");
}

#[test]
fn each_fix_is_one_plan_bound_to_the_environment_it_writes_to() {
    let read = tenant();
    let report = find_conflicts(&read);
    let contoso = read.environments()[0].url.clone().unwrap();
    let copy_url = read.environments()[1].url.clone().unwrap();

    let own = fix_plan(&read, &report, &Fix::OwnIn { env: 0, addresses: vec!["ann@contoso.com".into()] }).unwrap();
    assert_eq!(own.org.as_ref(), Some(&contoso));
    assert_eq!(own.action, Action::TestAndEnable { this_org_only: true, process_email_after: None });
    assert_eq!(own.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), vec![ready(1, "").id]);
    assert!(own.items[0].changes.iter().any(|c| c.field == Field::OrgMarkedPrimary && c.after == Value::Bool(true)));
    assert_eq!(own.check_target(&contoso), Ok(()));
    assert!(matches!(own.check_target(&copy_url), Err(TargetError::OtherOrg { .. })), "the copy has the same ids");

    let none = fix_plan(&read, &report, &Fix::ActNoneIn { env: 1, addresses: vec![] }).unwrap();
    assert_eq!(none.org.as_ref(), Some(&copy_url));
    let written: Vec<(String, Field, Value)> =
        none.items.iter().flat_map(|i| i.changes.iter().map(|c| (i.id.clone(), c.field, c.after.clone()))).collect();
    assert_eq!(
        written,
        vec![(ready(1, "").id, Field::ActMethod, Value::from(2)), (ready(2, "").id, Field::ActMethod, Value::from(2))]
    );
    assert!(none.items.iter().all(|i| i.entity == Entity::Mailbox));

    let disable = fix_plan(&read, &report, &Fix::DisableCopy { env: 1 }).unwrap();
    assert_eq!(disable.org.as_ref(), Some(&copy_url));
    assert_eq!(disable.items.len(), 2);
    assert!(matches!(fix_plan(&read, &report, &Fix::DisableCopy { env: 0 }), Err(FixError::NothingToFix(_))));
}

#[test]
fn without_types_two_environments_holding_the_same_records_are_an_uncertain_copy_fixable_in_either() {
    let known = tenant();
    let mut envs = known.environments().to_vec();
    for e in &mut envs {
        e.kind = EnvKind::Other(-1);
    }
    let mut read = TenantRead::new(envs, ReadLimits::default());
    for i in 0..3 {
        read.poll_start(Millis(0));
        read.finish(i, known.result(i).cloned().unwrap(), Millis(1));
    }
    let report = find_conflicts(&read);
    assert_eq!(report.copies.len(), 1);
    let c = &report.copies[0];
    assert_eq!((c.copy, c.production, c.certain, c.enabled.len(), c.other_enabled.len()), (1, 0, false, 2, 3));
    let in_first = fix_plan(&read, &report, &Fix::DisableCopy { env: 0 }).unwrap();
    assert_eq!(in_first.items.len(), 3);
    assert_eq!(in_first.org, read.environments()[0].url);
    let in_second = fix_plan(&read, &report, &Fix::DisableCopy { env: 1 }).unwrap();
    assert_eq!(in_second.items.len(), 2);
    assert_eq!(in_second.org, read.environments()[1].url);
}

#[test]
fn rows_carry_type_strip_ready_of_total_and_last_read_and_sort_and_filter() {
    let mut read = tenant();
    let mut envs = read.environments().to_vec();
    envs.push(env("=Refusing", "r", "https://refusing.crm.dynamics.com", EnvKind::Sandbox));
    let results: Vec<Option<EnvRead>> = (0..3).map(|i| read.result(i).cloned()).collect();
    read = TenantRead::new(envs, ReadLimits::default());
    for (i, r) in results.into_iter().enumerate() {
        read.poll_start(Millis(0));
        read.finish(i, r.unwrap(), Millis(5000 - i as u64 * 1000));
    }
    read.poll_start(Millis(0));
    read.finish(
        3,
        EnvRead {
            snapshot: Snapshot::default(),
            errors: caller_error(Error::Http { status: 403, dataverse: None, body: String::new() }),
        },
        Millis(9),
    );
    let lists: Vec<Option<crate::readiness::Checklist>> =
        (0..4).map(|i| read.result(i).map(|r| checklist(&evaluate(&r.snapshot, &r.errors)))).collect();
    let mut rows = read.rows(|i| lists[i].clone());
    assert_eq!(rows[0].steps.len(), 7);
    assert_eq!((rows[0].ready, rows[0].total, rows[0].last_read), (3, 3, Some(Millis(5000))));
    assert_eq!((rows[1].ready, rows[1].total), (1, 3), "one failed its ACT test, one is set to None");
    assert_eq!(rows[3].percent, 100);
    assert!(rows[3].steps.is_empty());
    sort_rows(&mut rows, SortKey::LastRead, false);
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Contoso", "Contoso copy", "Fabrikam", "=Refusing"]
    );
    sort_rows(&mut rows, SortKey::Ready, true);
    assert_eq!(rows[0].name, "=Refusing", "no mailboxes sorts first");
    sort_rows(&mut rows, SortKey::Name, true);
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["=Refusing", "Contoso", "Contoso copy", "Fabrikam"]
    );
    let sandboxes = TenantFilter { kind: Some(EnvKind::Sandbox), ..TenantFilter::default() };
    assert_eq!(rows.iter().filter(|r| sandboxes.matches(r)).count(), 2);
    let text = TenantFilter { text: Some("FABRIK".into()), ..TenantFilter::default() };
    assert_eq!(rows.iter().filter(|r| text.matches(r)).map(|r| r.name.clone()).collect::<Vec<_>>(), ["Fabrikam"]);
    let attention = TenantFilter { needs_attention: true, ..TenantFilter::default() };
    assert!(rows.iter().filter(|r| attention.matches(r)).all(|r| r.name != "Contoso" || r.done() < 7));

    let csv = rows_to_csv(&rows[..2], |m| format!("t+{}", m.0));
    let first_line = csv.lines().next().unwrap();
    assert!(
        first_line.starts_with(r#""environment","url","type","status","steps_done","steps","exchange-online-profile""#),
        "{first_line}"
    );
    let refusing = csv.lines().nth(1).unwrap();
    assert!(
        refusing.starts_with(
            r#""'=Refusing","https://refusing.crm.dynamics.com","Sandbox","no access: HTTP 403","0/0","""#
        ),
        "{refusing}"
    );
    assert!(csv.lines().skip(1).all(|l| l.starts_with('"') && l.ends_with('"')), "every cell quoted");
    let json: Value = serde_json::from_str(&rows_to_json(&rows)).unwrap();
    assert_eq!(json[1]["kind"], "production");
    assert_eq!(json[0]["state"]["state"], "refused");
}

#[test]
fn the_view_renders_types_refusals_and_fix_errors_in_german_while_the_exports_stay_english() {
    let de = crate::i18n::Lang::from_tag("de");
    assert_eq!(EnvKind::Sandbox.label_in(de), "Sandbox");
    assert_eq!(EnvKind::Other(9).label_in(de), "Typ 9");
    assert_eq!(EnvKind::Other(-1).label_in(de), "Unbekannt");
    assert_eq!(EnvKind::Other(9).label(), "Type 9", "the exports' English label");
    assert_eq!(Refusal::SignInNeeded.text_in(de), "Für diese Umgebung ist eine Anmeldung erforderlich");
    assert_eq!(Refusal::NoAccess("HTTP 403".into()).text_in(de), "Kein Zugriff: HTTP 403");
    assert_eq!(Refusal::NotDataverse("HTTP 404".into()).text_in(de), "Keine Dataverse-Organisation: HTTP 404");
    assert!(Refusal::NoEmail.text_in(de).starts_with("Keine Benutzer- oder Warteschlangenpostfächer"));
    assert_eq!(Refusal::Disabled.text_in(de), "Die Umgebung ist deaktiviert");
    assert_eq!(Refusal::NoAccess("x".into()).to_string(), "no access: x", "Display stays the export's English");
    assert_eq!(FixError::NoAddress("Contoso".into()).text_in(de), "Contoso hat keine Organisationsadresse");
    let english = crate::i18n::Lang::english();
    assert_eq!(
        FixError::NothingToFix("Contoso".into()).text_in(english),
        "No conflicting mailbox of Contoso matches this fix"
    );
    let row = |state| TenantRow {
        index: 0,
        id: "x".into(),
        name: "X".into(),
        url: None,
        kind: EnvKind::Sandbox,
        state,
        percent: 100,
        steps: Vec::new(),
        ready: 0,
        total: 0,
        last_read: None,
    };
    let refused = row(EnvState::Refused { reason: Refusal::SignInNeeded });
    assert_eq!(refused.status_text(), "sign-in needed for this environment");
    assert_eq!(refused.status_in(de), "Für diese Umgebung ist eine Anmeldung erforderlich");
    assert_eq!(row(EnvState::Queued).status_in(de), "In der Warteschlange");
    let csv = rows_to_csv(&[refused], |_| String::new());
    assert!(csv.contains(r#""Sandbox","sign-in needed for this environment""#), "{csv}");
}
