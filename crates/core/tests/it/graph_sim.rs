//! The Exchange-side checks (issue 16) against the simulator's org and its Microsoft Graph stand-in,
//! in process: every verdict, the join with a "no user found" alert into an address fix run by the
//! bulk engine, throttling mid-lookup, and a tenant without consent.

use crate::bulk_sim::{SimClock, SimTransport, snapshot};
use dataverse_sim::{ExchangeFacts, GraphConfig, GraphFault, GraphSim, GraphUserSpec, Scenario, Sim};
use std::cell::Cell;
use std::collections::HashMap;
use std::time::Duration;
use syncready_core::bulk::{self, Action, Clock, Millis, RunConfig, Selection};
use syncready_core::graph::{self, Lookup, LookupConfig, LookupError, Verdict};
use syncready_core::http::{Method, Request, Response, Transport, TransportError};
use syncready_core::model::{MailboxKind, OrgUrl};

/// Sends Graph requests to the stand-in (its own origin), everything else to the org.
pub(crate) struct Both<'a> {
    pub(crate) org: &'a SimTransport,
    pub(crate) graph: GraphSim,
    pub(crate) graph_sent: Cell<u64>,
    /// Injects this fault before the n-th Graph request (1-based).
    pub(crate) fault_at: Option<(u64, GraphFault)>,
}

impl Transport for Both<'_> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let Some(path) = request.path.strip_prefix(graph::GRAPH_ORIGIN) else {
            return self.org.send(request).await;
        };
        self.graph_sent.set(self.graph_sent.get() + 1);
        if let Some((n, fault)) = self.fault_at
            && n == self.graph_sent.get()
        {
            self.graph.inject(fault);
        }
        let method = if request.method == Method::Post { "POST" } else { "GET" };
        let (status, headers, body) =
            self.graph.handle(method, path, &request.headers, request.body.as_deref().unwrap_or(""));
        Ok(Response { status, headers, body })
    }
}

/// The sim's virtual clock, moving the Graph stand-in's with it.
struct Clocks<'a> {
    org: &'a SimClock,
    graph: GraphSim,
}

impl Clock for Clocks<'_> {
    fn now(&self) -> Millis {
        self.org.now()
    }

    async fn sleep(&self, d: Duration) {
        self.graph.advance(d);
        self.org.sleep(d).await;
    }
}

fn token(g: &GraphSim) -> String {
    g.issue_token(&graph::graph_scope()).unwrap_or_default()
}

#[tokio::test]
async fn every_exchange_side_case_gets_its_verdict_and_the_moved_address_is_fixed_in_dynamics() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").users(10).queues(2)).build();
    let t = SimTransport::new(&sim);
    let snap = snapshot(&t).await;
    let mut users: Vec<(String, String)> = Vec::new();
    let mut queues: Vec<String> = Vec::new();
    for m in snap.mailboxes.iter().flatten().filter(|m| m.is_in_scope()) {
        let address = m.email.clone().unwrap_or_default();
        match m.kind {
            MailboxKind::User => users.push((m.id.clone(), address)),
            MailboxKind::Queue => queues.push(address),
            _ => {}
        }
    }
    users.sort_by(|a, b| a.1.cmp(&b.1));
    assert!(users.len() >= 9 && !queues.is_empty(), "{users:?} {queues:?}");
    let a = |i: usize| users[i].1.clone();

    // The Dynamics side of the moved address: Exchange does not know the old one, so Test & Enable
    // ends with "no user was found with the email address".
    assert!(sim.set_exchange_facts(
        "contoso",
        &a(8),
        ExchangeFacts { unknown_address: true, ..ExchangeFacts::default() }
    ));
    let clock = SimClock::new(&sim);
    let only_8 = Selection::Ids(vec![users[8].0.clone()]);
    for action in [Action::Approve, Action::ApplyDefaultSettings { test_and_enable: true, this_org_only: false }] {
        let snap = snapshot(&t).await;
        let plan = bulk::plan(&snap, &only_8, &action).expect("plan");
        bulk::drive(bulk::Run::new(plan, RunConfig::default()), &t, &clock, |_| ()).await;
    }
    let snap = snapshot(&t).await;

    let g = GraphSim::matching(&sim, "contoso", GraphConfig::default());
    g.set_user(GraphUserSpec::licensed(&a(0)));
    g.remove_address(&a(1));
    g.set_user(GraphUserSpec::licensed(&a(2)).disabled());
    g.set_user(GraphUserSpec::unlicensed(&a(3)));
    g.set_user(GraphUserSpec::licensed(&a(4)).plan("Suspended"));
    g.set_user(GraphUserSpec::licensed(&a(5)).provisioning(Some("PendingInput")));
    g.set_user(GraphUserSpec::shared(&a(6)));
    g.set_user(GraphUserSpec::licensed(&a(7)).guest());
    let moved_to = format!("moved.{}", a(8));
    g.set_user(GraphUserSpec::licensed(&moved_to).alias(&a(8)));
    g.set_user(GraphUserSpec::shared(&queues[0]));

    let both = Both { org: &t, graph: g.clone(), graph_sent: Cell::new(0), fault_at: None };
    let clocks = Clocks { org: &clock, graph: g.clone() };
    let targets = graph::targets(&snap, true);
    let lookup = Lookup::new(targets, &token(&g), LookupConfig::default(), clocks.now());
    let outcome = graph::run(lookup, &both, &clocks, |_| ()).await;
    assert_eq!(outcome.halted, None);
    let checks = graph::checks(&snap, &outcome);
    let by_address: HashMap<String, Verdict> = checks.iter().map(|c| (c.address.clone(), c.verdict.clone())).collect();
    let key = |addr: &str| by_address.get(addr).map_or("absent", Verdict::key);
    assert_eq!(key(&a(0)), "ok");
    assert_eq!(key(&a(1)), "user-missing");
    assert_eq!(key(&a(2)), "account-disabled");
    assert_eq!(key(&a(3)), "no-exchange-plan");
    assert_eq!(key(&a(4)), "exchange-plan-disabled");
    assert_eq!(key(&a(5)), "mailbox-not-provisioned");
    assert_eq!(key(&a(6)), "shared-mailbox-as-user");
    assert_eq!(key(&a(7)), "other-tenant");
    assert_eq!(by_address.get(&a(8)), Some(&Verdict::AddressNotPrimary { primary: moved_to.clone() }));
    assert_eq!(key(&queues[0]), "ok", "a shared mailbox behind a queue is fine");
    assert_eq!(g.stats().largest_batch, 20.min(checks.len() + 1));

    // The export names the missing licence for the Microsoft 365 admin.
    let csv = graph::export_csv(&checks);
    assert!(csv.contains(&format!("\"{}\"", a(3))) && csv.contains("\"no-exchange-plan\""), "{csv}");
    assert!(!csv.contains(&format!("\"{}\"", a(0))), "fine mailboxes are not exported");

    // One click: the plan updates the address in Dynamics through the bulk engine, bound to the org.
    let org = OrgUrl::parse("https://contoso.crm.dynamics.com").expect("org");
    let plan = graph::address_fix_plan(&snap, &checks, &org).expect("plan");
    assert_eq!(plan.items.len(), 1);
    plan.check_target(&org).expect("bound to contoso");
    let out = bulk::drive(bulk::Run::new(plan, RunConfig::default()), &t, &clock, |_| ()).await;
    assert_eq!((out.progress.succeeded, out.progress.failed), (1, 0), "{:?}", out.progress.items);
    let after = snapshot(&t).await;
    let m = after.mailboxes.iter().flatten().find(|m| m.id == users[8].0).expect("mailbox");
    assert_eq!(m.email.as_deref(), Some(moved_to.as_str()));
}

#[tokio::test]
async fn throttling_mid_lookup_is_waited_out_and_every_address_is_still_answered() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").users(120)).build();
    let t = SimTransport::new(&sim);
    let snap = snapshot(&t).await;
    // A small budget (60 resource units per 10 s: 30 user queries) and a whole-batch 429 on the
    // fourth request.
    let g = GraphSim::matching(&sim, "contoso", GraphConfig { resource_units_per_10s: 60, ..GraphConfig::default() });
    let both = Both {
        org: &t,
        graph: g.clone(),
        graph_sent: Cell::new(0),
        fault_at: Some((4, GraphFault::ThrottleBatch { retry_after_secs: 7 })),
    };
    let clock = SimClock::new(&sim);
    let clocks = Clocks { org: &clock, graph: g.clone() };
    let targets = graph::targets(&snap, true);
    let n = targets.len();
    let lookup = Lookup::new(targets, &token(&g), LookupConfig::default(), clocks.now());
    let outcome = graph::run(lookup, &both, &clocks, |_| ()).await;
    assert_eq!(outcome.halted, None);
    assert!(outcome.results.iter().all(|(_, r)| r.is_ok()), "{:?}", outcome.results.iter().find(|(_, r)| r.is_err()));
    let checks = graph::checks(&snap, &outcome);
    assert_eq!(checks.len(), n);
    assert!(checks.iter().all(|c| c.verdict == Verdict::Ok), "{:?}", checks.iter().find(|c| c.verdict != Verdict::Ok));
    let stats = g.stats();
    assert_eq!(stats.throttled_requests, 1);
    assert!(stats.throttled_items > 0, "{stats:?}");
    assert_eq!(outcome.stats.throttled_batches, 1);
    assert_eq!(outcome.stats.throttled_items, stats.throttled_items);
    // 121 queries at 30 per 10 s cannot take less than 30 s of (virtual) time.
    assert!(clock.now().0 >= 30_000, "{}", clock.now().0);
}

#[tokio::test]
async fn without_admin_consent_no_graph_token_is_issued_and_a_token_without_the_permission_is_refused() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").users(3)).build();
    let t = SimTransport::new(&sim);
    let snap = snapshot(&t).await;
    let g = GraphSim::matching(&sim, "contoso", GraphConfig { consented: false, ..GraphConfig::default() });
    // The token endpoint's answer, read by the core's OAuth code: consent is required.
    let body = g.issue_token(&graph::graph_scope()).expect_err("refused");
    let answer = Response { status: 400, headers: vec![], body: body.to_string() };
    let e =
        syncready_core::oauth::parse_token_response(&answer, syncready_core::model::Timestamp(0)).expect_err("error");
    assert!(matches!(e, syncready_core::oauth::OAuthError::ConsentRequired(_)), "{e:?}");
    // A token with only User.Read reaches Graph, which refuses the lookup.
    let weak = g.issue_token("openid https://graph.microsoft.com/User.Read").unwrap_or_default();
    let both = Both { org: &t, graph: g.clone(), graph_sent: Cell::new(0), fault_at: None };
    let clock = SimClock::new(&sim);
    let clocks = Clocks { org: &clock, graph: g.clone() };
    let lookup = Lookup::new(graph::targets(&snap, true), &weak, LookupConfig::default(), clocks.now());
    let outcome = graph::run(lookup, &both, &clocks, |_| ()).await;
    assert!(
        matches!(&outcome.halted, Some(LookupError::ConsentMissing { code, .. }) if code == "Authorization_RequestDenied"),
        "{:?}",
        outcome.halted
    );
    assert!(outcome.results.iter().all(|(_, r)| r.is_err()), "nothing is reported as 'no user' when Graph refused");
    // A Dataverse token (another audience) is refused with 401.
    let lookup = Lookup::new(graph::targets(&snap, true), "not-a-graph-token", LookupConfig::default(), clocks.now());
    let outcome = graph::run(lookup, &both, &clocks, |_| ()).await;
    assert!(matches!(&outcome.halted, Some(LookupError::Unauthorized { .. })), "{:?}", outcome.halted);
}
