//! Issue 15 against the in-process simulator: discovery and its token audience, several environments
//! read in parallel with one refusing, the conflict report against known overlaps, and fixes that
//! write only to the environment chosen (judged by the simulator's own journal).

use axum::body::Body;
use dataverse_sim::{Environment as SimEnv, Scenario, Sim};
use std::cell::Cell;
use std::collections::HashSet;
use std::time::Duration;
use syncready_core::bulk::{self, Clock, Control, Millis, RunConfig};
use syncready_core::http::{API_PATH, Method, Request, Response, Transport, TransportError};
use syncready_core::model::{HostPolicy, Timestamp};
use syncready_core::oauth::{OAuthConfig, PendingSignIn, parse_refresh_response};
use syncready_core::tenant::discovery::{self, DiscoveryError};
use syncready_core::tenant::{
    ActOwner, EnvKind, EnvState, Environment, Fix, ReadLimits, Refusal, TenantRead, find_conflicts, fix_plan, read_all,
};
use tower::ServiceExt;

const DISCO: &str = "https://globaldisco.crm.dynamics.com";

/// Sends core requests into the simulator as the browser would: relative paths to `host`'s Web
/// API, absolute URLs to the host they name; with the org's session cookie, if any.
struct HostTransport<'a> {
    router: axum::Router,
    host: String,
    cookie: Option<String>,
    in_flight: &'a Cell<usize>,
    max_in_flight: &'a Cell<usize>,
}

impl<'a> HostTransport<'a> {
    fn new(sim: &Sim, host: &str, cookie: Option<String>, counters: &'a (Cell<usize>, Cell<usize>)) -> Self {
        HostTransport {
            router: dataverse_sim::app(sim.clone()),
            host: host.to_owned(),
            cookie,
            in_flight: &counters.0,
            max_in_flight: &counters.1,
        }
    }
}

impl Transport for HostTransport<'_> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight.set(self.max_in_flight.get().max(self.in_flight.get()));
        // Let the other environments' reads run: a real request takes time.
        tokio::task::yield_now().await;
        let (host, uri) = match request.path.split_once("://") {
            Some((_, rest)) => {
                let i = rest.find('/').unwrap_or(rest.len());
                (rest[..i].to_owned(), rest[i..].to_owned())
            }
            None => (self.host.clone(), format!("{API_PATH}{}", request.path)),
        };
        let method = match request.method {
            Method::Get => "GET",
            Method::Patch => "PATCH",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        };
        let mut builder = axum::http::Request::builder().method(method).uri(uri).header("host", host);
        if let Some(c) = &self.cookie {
            builder = builder.header("cookie", format!("CrmOwinAuth={c}"));
        }
        for (k, v) in &request.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let http = builder.body(Body::from(request.body.clone().unwrap_or_default())).unwrap();
        let Ok(answer) = self.router.clone().oneshot(http).await;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX).await.unwrap();
        self.in_flight.set(self.in_flight.get() - 1);
        Ok(Response { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
    }
}

/// Virtual time shared with the simulator (its Test & Enable jobs run as the clock moves).
struct TestClock(Cell<u64>, Sim);

impl Clock for TestClock {
    fn now(&self) -> Millis {
        Millis(self.0.get())
    }

    async fn sleep(&self, d: Duration) {
        self.0.set(self.0.get() + d.as_millis() as u64);
        self.1.advance(d);
    }
}

/// contoso (production), its sandbox copy, fabrikam (production, three of contoso's people), an old
/// disabled trial and an org that refuses the caller.
fn tenant() -> (Sim, Vec<String>) {
    let sim = Sim::builder()
        .org("contoso", Scenario::healthy("Contoso"))
        .org("fabrikam", Scenario::healthy("Fabrikam"))
        .org("old", Scenario::fresh("Old trial"))
        .org("locked", Scenario::fresh("Locked"))
        .build();
    assert!(sim.copy_org("contoso", "contoso-dev", "Contoso (copy)"));
    sim.set_environment("contoso-dev", SimEnv::sandbox());
    sim.set_environment("old", SimEnv { organization_type: 14, ..SimEnv::production() }.disabled());
    sim.set_environment("locked", SimEnv::production().refusing());
    let shared = sim.share_addresses("contoso", "fabrikam", 3);
    assert_eq!(shared.len(), 3);
    // Fabrikam owns the first shared address's appointments, contacts and tasks ("this org only").
    assert!(sim.set_act("fabrikam", &shared[0], 1, 1, true));
    (sim, shared)
}

fn env(sim: &Sim, prefix: &str, kind: EnvKind) -> Environment {
    let url = syncready_core::model::OrgUrl::parse(&format!("https://{prefix}.crm.dynamics.com")).unwrap();
    Environment { id: sim.org_ids(prefix).unwrap().organization_id, kind, ..Environment::from_url(url) }
}

fn host_of(e: &Environment) -> String {
    e.url.as_ref().unwrap().host().to_owned()
}

#[tokio::test]
async fn discovery_needs_a_token_for_its_own_audience_and_lists_the_tenants_environments() {
    let (sim, _) = tenant();
    let counters = (Cell::new(0), Cell::new(0));
    let login = HostTransport::new(&sim, "127.0.0.1:8080", None, &counters);
    let config = OAuthConfig::new_with(
        "http://127.0.0.1:8080/organizations",
        "11111111-2222-4333-8444-555555555555",
        "https://app.example/",
        "https://contoso.crm.dynamics.com",
        HostPolicy::AllowLoopback,
    )
    .unwrap();
    let pending = PendingSignIn::new(config.clone(), &[7; 32], &[8; 16], &[9; 16], "/");
    let authorize = Request::get(pending.authorize_url().unwrap());
    let redirect = login.send(authorize).await.unwrap();
    assert_eq!(redirect.status, 302);
    let token_request = pending.token_request(redirect.header("Location").unwrap()).unwrap();
    let now = Timestamp(1_800_000_000);
    let org_tokens = pending.finish(&login.send(token_request).await.unwrap(), now).unwrap();

    // The org's own token is refused: its audience is the org.
    let refused = login.send(discovery::instances_request(DISCO, &org_tokens)).await.unwrap();
    let error = discovery::parse_instances(&refused).unwrap_err();
    assert!(
        matches!(&error, DiscoveryError::Unauthorized { www_authenticate: Some(w), .. } if w.contains("invalid_token")),
        "{error:?}"
    );

    // The second token request of the same sign-in, for the discovery audience.
    let refresh = org_tokens.refresh_token.clone().unwrap();
    let answer = login.send(discovery::discovery_token_request(&config, refresh.expose())).await.unwrap();
    let disco_tokens = parse_refresh_response(&answer, &org_tokens, now).unwrap();
    let listed = login.send(discovery::instances_request(DISCO, &disco_tokens)).await.unwrap();
    let instances = discovery::parse_instances(&listed).unwrap();
    let envs = discovery::environments(&instances, HostPolicy::Production);
    let shown: Vec<String> = envs
        .iter()
        .map(|e| format!("{} {} {:?} {:?}", e.name, e.kind.label(), e.url.as_ref().map(|u| u.host()), e.skip))
        .collect();
    assert_eq!(
        shown,
        [
            "Contoso Production Some(\"contoso.crm.dynamics.com\") None",
            "Fabrikam Production Some(\"fabrikam.crm.dynamics.com\") None",
            "Old trial Trial Some(\"old.crm.dynamics.com\") Some(Disabled)",
            "Locked Production Some(\"locked.crm.dynamics.com\") None",
            "Contoso (copy) Sandbox Some(\"contoso-dev.crm.dynamics.com\") None",
        ]
    );
    assert_eq!(envs[0].id, sim.org_ids("contoso").unwrap().organization_id);
    assert_eq!(envs[0].tenant_id.as_deref(), Some(sim.org_ids("contoso").unwrap().tenant_id.as_str()));

    // And a token for another environment from the same sign-in reads it.
    let fab = envs[1].url.clone().unwrap();
    let answer = login
        .send(discovery::org_token_request(&config, &fab, disco_tokens.refresh_token.clone().unwrap().expose()))
        .await
        .unwrap();
    let fab_tokens = parse_refresh_response(&answer, &disco_tokens, now).unwrap();
    let who = login
        .send(
            Request::get(format!("{}{API_PATH}WhoAmI", fab.as_str()))
                .header("Authorization", fab_tokens.authorization()),
        )
        .await
        .unwrap();
    assert_eq!(who.status, 200, "{}", who.body);
    assert!(sim.unexpected_requests().is_empty());
}

/// Reads `envs` with a session cookie per org, `limit` at a time.
async fn read(sim: &Sim, envs: Vec<Environment>, limit: usize, counters: &(Cell<usize>, Cell<usize>)) -> TenantRead {
    let clock = TestClock(Cell::new(0), sim.clone());
    let open = |e: &Environment| {
        let host = host_of(e);
        let prefix = host.split('.').next().unwrap().to_owned();
        HostTransport::new(sim, &host, sim.sign_in(&prefix), counters)
    };
    read_all(TenantRead::new(envs, ReadLimits { environments_at_once: limit }), open, &clock, |_: &TenantRead| ()).await
}

#[tokio::test]
async fn three_environments_are_read_in_parallel_and_the_refusing_one_gets_a_reason() {
    let (sim, _) = tenant();
    let envs = vec![
        env(&sim, "contoso", EnvKind::Production),
        env(&sim, "locked", EnvKind::Production),
        env(&sim, "fabrikam", EnvKind::Production),
    ];
    let counters = (Cell::new(0), Cell::new(0));
    let done = read(&sim, envs, 3, &counters).await;
    assert_eq!(counters.1.get(), 3, "one request of each environment was in flight at the same time");
    let states: Vec<String> = done
        .progress()
        .iter()
        .map(|p| match &p.state {
            EnvState::Read { .. } => format!("read ({} requests)", p.answered),
            EnvState::Refused { reason } => format!("refused: {reason}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(states[1], "refused: no access: The user is not a member of the organization.");
    assert!(states[0].starts_with("read") && states[2].starts_with("read"), "{states:?}");
    assert!(done.result(0).unwrap().snapshot.mailboxes.as_ref().is_some_and(|m| m.len() > 20));
    // Every request to the refusing org was refused; none of them was retried.
    let locked: Vec<_> = sim.journal().into_iter().filter(|j| j.host == "locked.crm.dynamics.com").collect();
    assert!(locked.iter().all(|j| j.status == 403) && locked.len() <= 6, "{locked:?}");

    // With a limit of one, reads do not overlap.
    let counters = (Cell::new(0), Cell::new(0));
    let envs = vec![env(&sim, "contoso", EnvKind::Production), env(&sim, "fabrikam", EnvKind::Production)];
    let one = read(&sim, envs, 1, &counters).await;
    assert_eq!(counters.1.get(), 1);
    assert!(one.is_finished());
}

#[tokio::test]
async fn a_cancelled_tenant_read_keeps_what_finished_and_never_asks_a_disabled_environment() {
    let (sim, _) = tenant();
    let mut envs = vec![env(&sim, "contoso", EnvKind::Production), env(&sim, "fabrikam", EnvKind::Production)];
    let mut old = env(&sim, "old", EnvKind::Trial);
    old.skip = Some(Refusal::Disabled);
    envs.insert(0, old);
    let counters = (Cell::new(0), Cell::new(0));
    let clock = TestClock(Cell::new(0), sim.clone());
    let open = |e: &Environment| {
        let host = host_of(e);
        HostTransport::new(&sim, &host, sim.sign_in(host.split('.').next().unwrap()), &counters)
    };
    let mut updates = 0;
    let done =
        read_all(TenantRead::new(envs, ReadLimits { environments_at_once: 1 }), open, &clock, |r: &TenantRead| {
            updates += 1;
            if r.progress()[1].state != EnvState::Queued && matches!(r.progress()[1].state, EnvState::Read { .. }) {
                Control::Cancel
            } else {
                Control::Continue
            }
        })
        .await;
    assert!(updates > 3, "progress is reported per answer");
    assert!(matches!(done.progress()[1].state, EnvState::Read { .. }));
    assert_eq!(done.progress()[2].state, EnvState::Refused { reason: Refusal::Cancelled });
    assert_eq!(done.progress()[0].state, EnvState::Refused { reason: Refusal::Disabled });
    assert!(sim.journal().iter().all(|j| j.host != "old.crm.dynamics.com" && j.host != "fabrikam.crm.dynamics.com"));
}

async fn read_tenant(sim: &Sim) -> TenantRead {
    let envs = vec![
        env(sim, "contoso", EnvKind::Production),
        env(sim, "contoso-dev", EnvKind::Sandbox),
        env(sim, "fabrikam", EnvKind::Production),
    ];
    let counters = (Cell::new(0), Cell::new(0));
    let done = read(sim, envs, 3, &counters).await;
    assert!(done.progress().iter().all(|p| matches!(p.state, EnvState::Read { .. })), "{:?}", done.progress());
    done
}

#[tokio::test]
async fn the_conflict_report_finds_the_known_overlaps() {
    let (sim, shared) = tenant();
    let done = read_tenant(&sim).await;
    let report = find_conflicts(&done);
    let prod = &done.result(0).unwrap().snapshot;
    // Every synchronised address of production is also in its copy; three are also at Fabrikam.
    let synced: HashSet<String> = prod
        .mailboxes
        .iter()
        .flatten()
        .filter(|m| m.is_in_scope() && m.uses_sss_everywhere())
        .filter_map(|m| m.email.clone())
        .map(|e| syncready_core::text::fold(&e))
        .collect();
    let found: HashSet<String> = report.addresses.iter().map(|a| syncready_core::text::fold(&a.address)).collect();
    assert_eq!(found, synced);
    let three: Vec<_> = report.addresses.iter().filter(|a| a.holders.len() == 3).collect();
    let mut three_addresses: Vec<String> = three.iter().map(|a| syncready_core::text::fold(&a.address)).collect();
    three_addresses.sort();
    let mut expected: Vec<String> = shared.iter().map(|a| syncready_core::text::fold(a)).collect();
    expected.sort();
    assert_eq!(three_addresses, expected);
    let first = report
        .addresses
        .iter()
        .find(|a| syncready_core::text::fold(&a.address) == syncready_core::text::fold(&shared[0]))
        .unwrap();
    assert_eq!(first.owner, ActOwner::Marked { env: 2 }, "Fabrikam is marked 'this org only'");
    let second = report
        .addresses
        .iter()
        .find(|a| syncready_core::text::fold(&a.address) == syncready_core::text::fold(&shared[1]))
        .unwrap();
    assert_eq!(second.owner, ActOwner::Unclear { candidates: vec![0, 1, 2] });
    // The copy shares every record id with production and still synchronises them.
    assert_eq!(report.copies.len(), 1);
    let copy = &report.copies[0];
    assert_eq!((copy.copy, copy.production), (1, 0));
    assert_eq!(copy.shared, prod.mailboxes.as_ref().unwrap().len());
    assert!(copy.enabled.len() >= synced.len());
}

fn writes_by_host(sim: &Sim) -> HashSet<String> {
    sim.journal()
        .into_iter()
        .filter(|j| j.method == "PATCH" || (j.method == "POST" && j.path.ends_with("$batch")))
        .map(|j| j.host)
        .collect()
}

#[tokio::test]
async fn a_conflict_fix_writes_only_to_the_environment_chosen() {
    let (sim, shared) = tenant();
    let done = read_tenant(&sim).await;
    let report = find_conflicts(&done);
    assert!(writes_by_host(&sim).is_empty());
    let clock = TestClock(Cell::new(0), sim.clone());
    let counters = (Cell::new(0), Cell::new(0));

    // Make Fabrikam the owner of the shared addresses.
    let own = fix_plan(&done, &report, &Fix::OwnIn { env: 2, addresses: shared.clone() }).unwrap();
    assert_eq!(own.items.len(), 3);
    let fabrikam = done.environments()[2].url.clone().unwrap();
    let copy_url = done.environments()[1].url.clone().unwrap();
    assert!(own.check_target(&copy_url).is_err());
    own.check_target(&fabrikam).unwrap();
    let t = HostTransport::new(&sim, fabrikam.host(), sim.sign_in("fabrikam"), &counters);
    let out = bulk::drive(bulk::Run::new(own, RunConfig::default()), &t, &clock, |_| ()).await;
    assert_eq!((out.progress.succeeded, out.progress.failed), (3, 0), "{:?}", out.progress);
    assert_eq!(writes_by_host(&sim), HashSet::from(["fabrikam.crm.dynamics.com".to_owned()]));

    // Switch the copy off: only the copy is written to; production's mailboxes are untouched.
    let before = sim.journal().len();
    let off = fix_plan(&done, &report, &Fix::DisableCopy { env: 1 }).unwrap();
    let t = HostTransport::new(&sim, copy_url.host(), sim.sign_in("contoso-dev"), &counters);
    let out = bulk::drive(bulk::Run::new(off, RunConfig::default()), &t, &clock, |_| ()).await;
    assert_eq!(out.progress.failed, 0, "{:?}", out.progress);
    let hosts: HashSet<String> =
        sim.journal()[before..].iter().filter(|j| j.method != "GET").map(|j| j.host.clone()).collect();
    assert_eq!(hosts, HashSet::from(["contoso-dev.crm.dynamics.com".to_owned()]));
    assert!(sim.api_writes("contoso").is_empty(), "production was not written to");
    assert!(!sim.api_writes("contoso-dev").is_empty());

    // Read again: the copy no longer conflicts, production still synchronises.
    let again = read_tenant(&sim).await;
    let report = find_conflicts(&again);
    assert!(report.copies.is_empty(), "{:?}", report.copies);
    assert!(report.addresses.iter().all(|a| a.holders.iter().all(|h| h.env != 1)));
    assert!(sim.unexpected_requests().is_empty());
}
