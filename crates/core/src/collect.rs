//! Gathering one [`Snapshot`] of an org through a [`Transport`].
//!
//! Collection never fails as a whole: each part that cannot be read is recorded as a
//! [`CollectError`] and the rules that need it report "unable to check".

use crate::error::Error;
use crate::http::{DynTransport, Request, Transport};
use crate::json::{FromJson, JsonError, Obj};
use crate::model::{
    APPROVE_PRIVILEGE, Alert, AlertSet, Caller, Mailbox, OrgSettings, PrivilegeHolding, Profile, Role, TestStatus,
};
use crate::odata::{Query, decode_json, decode_page};
use crate::wire;

/// Upper bound on pages followed for one query; a service that keeps sending the same
/// `@odata.nextLink` must not trap the client in a loop.
pub const MAX_PAGES: usize = 10_000;

/// Which part of the snapshot a failure concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Part {
    /// `WhoAmI`.
    Caller,
    /// The organization row.
    Organization,
    /// Email server profiles.
    Profiles,
    /// Mailboxes.
    Mailboxes,
    /// The caller's own security roles.
    Roles,
    /// Roles the caller inherits through team membership.
    TeamRoles,
    /// Whether the caller holds `prvApproveRejectEmailAddress`.
    ApprovePrivilege,
    /// Alerts of failing mailboxes.
    Alerts,
    /// Item-level synchronization failures (`exchangesyncidmappings`).
    ItemFailures,
}

/// A part that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectError {
    /// The part.
    pub part: Part,
    /// The error.
    pub error: Error,
}

/// What the collector learned about one org.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// The signed-in caller, if `WhoAmI` answered.
    pub caller: Option<Caller>,
    /// Org-wide email settings.
    pub org: Option<OrgSettings>,
    /// All email server profiles.
    pub profiles: Option<Vec<Profile>>,
    /// All mailboxes (active and inactive, users, queues and forward mailboxes).
    pub mailboxes: Option<Vec<Mailbox>>,
    /// Security roles assigned to the caller directly.
    pub roles: Option<Vec<Role>>,
    /// Security roles the caller inherits from teams (`via_team` says which).
    pub team_roles: Option<Vec<Role>>,
    /// Whether the caller holds the approval privilege.
    pub approve_privilege: Option<PrivilegeHolding>,
    /// Recent alerts of failing mailboxes and of the Exchange Online profiles.
    pub alerts: Option<AlertSet>,
    /// The mailboxes' monitoring columns, read from the same mailbox rows (health step).
    pub monitoring: Option<Vec<crate::health::Monitoring>>,
    /// Item-level synchronization failures (health step).
    pub item_failures: Option<Vec<crate::health::ItemFailure>>,
}

impl Snapshot {
    /// Mailboxes by id, for showing the names behind a finding's `Subject::Mailboxes` ids. Build it
    /// once per snapshot: with 50,000 mailboxes a linear search per id is too slow for the UI.
    pub fn mailbox_index(&self) -> std::collections::HashMap<&str, &Mailbox> {
        self.mailboxes.iter().flatten().map(|m| (m.id.as_str(), m)).collect()
    }
}

/// How many failing mailboxes' alerts are read at most (in [`ALERT_CHUNK`]-sized requests).
pub const MAX_ALERT_MAILBOXES: usize = 250;
/// How many teams' roles are read one by one when the service refuses the expanded query.
pub const MAX_TEAMS: usize = 20;
/// How many record ids go into one alerts `$filter` (keeps the URL well under 8 KB).
pub const ALERT_CHUNK: usize = 25;

/// The first request of each part, in the order they are sent.
pub fn requests() -> Vec<(Part, Request)> {
    vec![
        (Part::Caller, Request::get("WhoAmI")),
        (Part::Organization, organization_query().request()),
        (Part::Profiles, profiles_query().request()),
        (Part::Mailboxes, mailboxes_query().request()),
    ]
}

fn organization_query() -> Query {
    Query::new("organizations").select(wire::ORGANIZATION_COLUMNS)
}

fn profiles_query() -> Query {
    Query::new("emailserverprofiles").select(wire::PROFILE_COLUMNS).page_size(crate::odata::query::MAX_PAGE_SIZE)
}

/// All mailboxes, only the columns the rules read, 5000 per page, with the lookup annotation that
/// tells user mailboxes from queue mailboxes.
pub fn mailboxes_query() -> Query {
    Query::new("mailboxes")
        .select(wire::MAILBOX_COLUMNS)
        // Health (issue 17): one extra column set in the same request.
        .select(wire::MAILBOX_MONITORING_COLUMNS)
        .annotations(crate::odata::query::LOOKUP_LOGICAL_NAME)
        .page_size(crate::odata::query::MAX_PAGE_SIZE)
}

/// Items that failed to synchronise, newest first: the `exchangesyncidmappings` rows with an error
/// time (the table behind the Item Monitoring dashboard; rows are kept for a few days). One paged query.
pub fn item_failures_query() -> Query {
    Query::new("exchangesyncidmappings")
        .select(wire::SYNC_ID_MAPPING_COLUMNS)
        .filter("lastsyncerroroccurredon ne null")
        .order_by("lastsyncerroroccurredon desc")
        .page_size(crate::odata::query::MAX_PAGE_SIZE)
}

/// The caller's directly assigned roles.
pub fn roles_query(user_id: &str) -> Query {
    Query::new(&format!("systemusers({user_id})/systemuserroles_association")).select(wire::ROLE_COLUMNS)
}

/// The caller's teams with their roles expanded (one request instead of one per team).
pub fn team_roles_query(user_id: &str) -> Query {
    Query::new(&format!("systemusers({user_id})/teammembership_association"))
        .select(wire::TEAM_COLUMNS)
        .expand(format!("teamroles_association($select={})", wire::ROLE_COLUMNS.join(",")))
}

/// `RetrieveUserPrivilegeByPrivilegeName` bound to the caller. The URL form is inferred from the
/// function's documentation; [`all_privileges_request`] is the fallback.
pub fn privilege_request(user_id: &str, privilege: &str) -> Request {
    Request::get(format!(
        "systemusers({user_id})/Microsoft.Dynamics.CRM.RetrieveUserPrivilegeByPrivilegeName(PrivilegeName={})",
        crate::odata::escape_literal(privilege)
    ))
}

/// `RetrieveUserPrivileges` bound to the caller: every privilege, larger answer.
pub fn all_privileges_request(user_id: &str) -> Request {
    Request::get(format!("systemusers({user_id})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()"))
}

/// Alerts about any of `ids` (mailboxes or profiles), newest first.
pub fn alerts_query(ids: &[&str]) -> Query {
    let filter = ids.iter().map(|id| format!("_regardingobjectid_value eq {id}")).collect::<Vec<_>>().join(" or ");
    Query::new("tracelogs")
        .select(wire::TRACELOG_COLUMNS)
        .filter(filter)
        .order_by("modifiedon desc")
        .page_size(crate::odata::query::MAX_PAGE_SIZE)
}

/// True for a mailbox whose alerts are worth reading: in scope and failed or disabled somewhere.
pub fn is_failing(m: &Mailbox) -> bool {
    let failed =
        [m.incoming_status, m.outgoing_status, m.act_status, m.mailbox_status].contains(&Some(TestStatus::Failure));
    m.is_in_scope() && (failed || !m.enabled_incoming || !m.enabled_outgoing || !m.enabled_act)
}

/// Ids are interpolated into URLs unquoted; only accept GUIDs (8-4-4-4-12 hex).
fn is_guid(s: &str) -> bool {
    crate::model::is_guid(s)
}

/// The request for a next page. The link must be an absolute URL on a Dataverse org host (or
/// loopback: the simulator) under the Web API root, on the same origin as the links before it; it is
/// then sent as a path relative to the Web API root, so the transport sends it to the org it is
/// reading, never to the host the link names: the session cookies or the token cannot be led to
/// another origin (issue 12, item 6). `origin` remembers the first link's origin.
pub fn next_page_request(query: &Query, link: &str, origin: &mut Option<String>) -> Result<Request, String> {
    if link.contains('\\') || link.chars().any(char::is_whitespace) {
        return Err("the next-page link is malformed".to_owned());
    }
    // The scheme is not what protects anything here (the link is sent as a path over the transport's
    // own connection to its org), and the in-process simulator renders `http` links.
    let (scheme, after_scheme) = link.split_once("://").ok_or("the next-page link is not an absolute URL")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err("the next-page link is not an http(s) URL".to_owned());
    }
    let org =
        crate::model::OrgUrl::parse_with(&format!("https://{after_scheme}"), crate::model::HostPolicy::AllowLoopback)
            .map_err(|e| format!("the next-page link does not lead to a Dataverse org: {}", e.reason))?;
    let after_host = after_scheme;
    let path = after_host.find('/').map_or("", |i| &after_host[i..]);
    let relative = path
        .strip_prefix(crate::http::API_PATH)
        .filter(|rest| {
            let path_only = rest.split('?').next().unwrap_or_default();
            !rest.is_empty() && !rest.starts_with('/') && !path_only.split('/').any(|seg| seg == "..")
        })
        .ok_or_else(|| format!("the next-page link leaves the Web API root {}", crate::http::API_PATH))?;
    match origin {
        Some(first) if first != org.as_str() => {
            return Err(format!("the next-page link leads to {org}, not to {first} where the pages came from"));
        }
        Some(_) => {}
        None => *origin = Some(org.as_str().to_owned()),
    }
    Ok(query.next_page(relative))
}

/// Reads every page of `query`, following `@odata.nextLink` (checked by [`next_page_request`]).
pub async fn fetch_all<T: FromJson>(transport: &impl Transport, query: &Query, what: &str) -> Result<Vec<T>, Error> {
    let mut rows = Vec::new();
    fetch_pages(transport, query, what, &mut |page| {
        rows.extend(page.req::<Vec<T>>("value")?);
        Ok(())
    })
    .await?;
    Ok(rows)
}

/// The paging loop of [`fetch_all`], the same for every row type: `read` takes each page's rows.
async fn fetch_pages(
    transport: &impl Transport,
    query: &Query,
    what: &str,
    read: &mut dyn FnMut(Obj<'_>) -> Result<(), JsonError>,
) -> Result<(), Error> {
    let mut request = query.request();
    let mut seen_links: Vec<String> = Vec::new();
    let mut origin = None;
    for _ in 0..MAX_PAGES {
        let response = transport.send(request).await?;
        match decode_page(&response, what, read)? {
            None => return Ok(()),
            Some(link) => {
                if seen_links.contains(&link) {
                    return Err(Error::Decode {
                        path: what.to_owned(),
                        reason: "the service sent the same next-page link twice".to_owned(),
                        body_excerpt: link,
                    });
                }
                request = next_page_request(query, &link, &mut origin).map_err(|reason| Error::Decode {
                    path: what.to_owned(),
                    reason,
                    body_excerpt: link.clone(),
                })?;
                seen_links.push(link);
            }
        }
    }
    Err(Error::Decode {
        path: what.to_owned(),
        reason: format!("more than {MAX_PAGES} pages"),
        body_excerpt: String::new(),
    })
}

/// Collects a snapshot. Never fails as a whole; see the module docs.
///
/// The collection itself is compiled once, for [`DynTransport`], whichever transport reads (the panel
/// and the tenant view read through different ones): a copy per transport cost ≈ 25 KB of wasm, ≈ 9 KB
/// gzipped.
pub async fn snapshot(transport: &impl Transport) -> (Snapshot, Vec<CollectError>) {
    collect_snapshot(&DynTransport::new(transport)).await
}

async fn collect_snapshot(transport: &DynTransport<'_>) -> (Snapshot, Vec<CollectError>) {
    let mut snap = Snapshot::default();
    let mut errors = Vec::new();

    match transport
        .send(Request::get("WhoAmI"))
        .await
        .map_err(Error::from)
        .and_then(|r| decode_json::<wire::WhoAmI>(&r, "WhoAmI"))
    {
        Ok(who) => snap.caller = Some(who.into()),
        Err(error) => {
            // Without a session nothing else can be read; say so once instead of three times.
            let fatal = matches!(error, Error::SessionExpired { .. } | Error::Transport(_));
            errors.push(CollectError { part: Part::Caller, error });
            if fatal {
                return (snap, errors);
            }
        }
    }

    match fetch_all::<wire::Organization>(transport, &organization_query(), "organizations").await {
        Ok(rows) => snap.org = rows.into_iter().next().map(OrgSettings::from),
        Err(error) => errors.push(CollectError { part: Part::Organization, error }),
    }
    match fetch_all::<wire::EmailServerProfile>(transport, &profiles_query(), "emailserverprofiles").await {
        Ok(rows) => snap.profiles = Some(rows.into_iter().map(Profile::from).collect()),
        Err(error) => errors.push(CollectError { part: Part::Profiles, error }),
    }
    // Each page's rows are read twice from the same JSON: the readiness columns and the health
    // monitoring columns (no extra request).
    let mut mailboxes = Vec::new();
    let mut monitoring = Vec::new();
    let read = fetch_pages(transport, &mailboxes_query(), "mailboxes", &mut |page| {
        mailboxes.extend(page.req::<Vec<wire::Mailbox>>("value")?.into_iter().map(Mailbox::from));
        monitoring.extend(
            page.req::<Vec<wire::MailboxMonitoring>>("value")?.into_iter().map(crate::health::Monitoring::from),
        );
        Ok(())
    })
    .await;
    match read {
        Ok(()) => {
            snap.mailboxes = Some(mailboxes);
            snap.monitoring = Some(monitoring);
        }
        Err(error) => errors.push(CollectError { part: Part::Mailboxes, error }),
    }
    if let Some(user_id) = snap.caller.as_ref().map(|c| c.user_id.clone()).filter(|id| is_guid(id)) {
        collect_permissions(transport, &user_id, &mut snap, &mut errors).await;
    }
    collect_alerts(transport, &mut snap, &mut errors).await;
    collect_item_failures(transport, &mut snap, &mut errors).await;
    (snap, errors)
}

async fn collect_permissions(
    transport: &impl Transport,
    user_id: &str,
    snap: &mut Snapshot,
    errors: &mut Vec<CollectError>,
) {
    match fetch_all::<wire::Role>(transport, &roles_query(user_id), "systemuserroles_association").await {
        Ok(rows) => snap.roles = Some(rows.into_iter().map(|r| Role::from_wire(r, None)).collect()),
        Err(error) => errors.push(CollectError { part: Part::Roles, error }),
    }
    match team_roles(transport, user_id).await {
        Ok(roles) => snap.team_roles = Some(roles),
        Err(error) => errors.push(CollectError { part: Part::TeamRoles, error }),
    }
    let what = "RetrieveUserPrivilegeByPrivilegeName";
    let first = send_json::<wire::UserPrivileges>(transport, privilege_request(user_id, APPROVE_PRIVILEGE), what).await;
    let result = match first {
        // The bound-function URL form is inferred; if the service rejects it, ask for all privileges.
        Err(Error::Http { status: 400 | 404 | 405 | 501, .. } | Error::Decode { .. }) => {
            send_json::<wire::UserPrivileges>(transport, all_privileges_request(user_id), "RetrieveUserPrivileges")
                .await
        }
        other => other,
    };
    match result {
        Ok(privileges) => snap.approve_privilege = Some(PrivilegeHolding::from_wire(APPROVE_PRIVILEGE, &privileges)),
        Err(error) => errors.push(CollectError { part: Part::ApprovePrivilege, error }),
    }
}

/// Roles inherited through teams: one request with the team roles expanded; if the service refuses
/// the collection-valued `$expand`, the teams and then each team's roles (at most [`MAX_TEAMS`]).
async fn team_roles(transport: &impl Transport, user_id: &str) -> Result<Vec<Role>, Error> {
    let what = "teammembership_association";
    let teams = match fetch_all::<wire::TeamWithRoles>(transport, &team_roles_query(user_id), what).await {
        Ok(teams) => teams,
        Err(Error::Http { status: 400 | 501, .. }) => {
            let plain =
                Query::new(&format!("systemusers({user_id})/teammembership_association")).select(wire::TEAM_COLUMNS);
            let mut teams = fetch_all::<wire::TeamWithRoles>(transport, &plain, what).await?;
            for team in teams.iter_mut().filter(|t| is_guid(&t.teamid)).take(MAX_TEAMS) {
                let query =
                    Query::new(&format!("teams({})/teamroles_association", team.teamid)).select(wire::ROLE_COLUMNS);
                team.teamroles_association = fetch_all(transport, &query, "teamroles_association").await?;
            }
            teams
        }
        Err(e) => return Err(e),
    };
    Ok(teams
        .into_iter()
        .flat_map(|t| {
            let team = t.name.clone().unwrap_or(t.teamid);
            t.teamroles_association.into_iter().map(move |r| Role::from_wire(r, Some(team.clone())))
        })
        .collect())
}

async fn collect_alerts(transport: &impl Transport, snap: &mut Snapshot, errors: &mut Vec<CollectError>) {
    let Some(mailboxes) = &snap.mailboxes else {
        return;
    };
    // Mailboxes whose synchronization cycles fail (health step) have alerts worth reading too.
    let streak: std::collections::HashSet<&str> = snap
        .monitoring
        .iter()
        .flatten()
        .filter(|m| m.error_count.unwrap_or(0) > 0)
        .map(|m| m.mailbox_id.as_str())
        .collect();
    let failing: Vec<&str> = mailboxes
        .iter()
        .filter(|m| is_failing(m) || (m.is_in_scope() && streak.contains(m.id.as_str())))
        .map(|m| m.id.as_str())
        .filter(|id| is_guid(id))
        .collect();
    let read = failing.len().min(MAX_ALERT_MAILBOXES);
    if read == 0 {
        snap.alerts = Some(AlertSet { alerts: Vec::new(), failing_mailboxes: 0, mailboxes_read: 0 });
        return;
    }
    // Profile alerts (e.g. an inactive profile) explain many mailbox failures at once.
    let profiles = snap.profiles.iter().flatten().filter(|p| p.is_exchange_online()).map(|p| p.id.as_str());
    let mut ids: Vec<&str> = profiles.filter(|id| is_guid(id)).collect();
    ids.extend(failing.iter().take(read));
    let mut alerts = Vec::new();
    for chunk in ids.chunks(ALERT_CHUNK) {
        match fetch_all::<wire::TraceLog>(transport, &alerts_query(chunk), "tracelogs").await {
            Ok(rows) => alerts.extend(rows.into_iter().map(Alert::from)),
            Err(error) => {
                errors.push(CollectError { part: Part::Alerts, error });
                return;
            }
        }
    }
    snap.alerts = Some(AlertSet { alerts, failing_mailboxes: failing.len(), mailboxes_read: read });
}

async fn collect_item_failures(transport: &impl Transport, snap: &mut Snapshot, errors: &mut Vec<CollectError>) {
    match fetch_all::<wire::ExchangeSyncIdMapping>(transport, &item_failures_query(), "exchangesyncidmappings").await {
        Ok(rows) => {
            snap.item_failures = Some(
                rows.into_iter().filter(crate::health::is_failure).map(crate::health::ItemFailure::from).collect(),
            );
        }
        Err(error) => errors.push(CollectError { part: Part::ItemFailures, error }),
    }
}

async fn send_json<T: FromJson>(transport: &impl Transport, request: Request, what: &str) -> Result<T, Error> {
    let response = transport.send(request).await?;
    decode_json(&response, what)
}
