//! The bulk engine against the simulator, in process: collect → plan → drive → verify the sim's state.
//!
//! [`SimTransport`] turns a core [`Request`] into an `http::Request` and `oneshot`s it into
//! `dataverse_sim::app`, with the session cookie of a sign-in. It can also lose answers after the sim
//! ran the request (the sim's own `DropConnection` fault drops before running), and it follows
//! redirects the way a browser's `fetch` does: one to another host (the sign-in page) cannot be
//! reached, so the request fails at the transport. How many times each write applied is the
//! simulator's own count (`Sim::api_writes`), never a decoding of its answers by the client's code.

use axum::body::Body;
use dataverse_sim::{Scenario, Sim};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Duration;
use syncready_core::bulk::{self, Action, Clock, ItemState, MailboxFilter, Millis, RunConfig, Selection};
use syncready_core::http::{API_PATH, Method, Request, Response, Transport, TransportError};
use tower::ServiceExt;

pub(crate) const HOST: &str = "contoso.crm.dynamics.com";

/// Deterministic pseudo-random numbers for fault decisions (tests only; the core has no RNG).
pub(crate) struct Lcg(Cell<u64>);

impl Lcg {
    pub(crate) fn new(seed: u64) -> Lcg {
        Lcg(Cell::new(seed))
    }

    /// A number in `0..100`.
    pub(crate) fn percent(&self) -> u64 {
        let x = self.0.get().wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0.set(x);
        (x >> 33) % 100
    }
}

pub(crate) struct SimTransport {
    pub(crate) sim: Sim,
    router: axum::Router,
    cookie: RefCell<String>,
    /// Percent of requests whose answer is lost after the sim ran them.
    pub(crate) lose_answers: Cell<u64>,
    pub(crate) rng: Lcg,
    pub(crate) sent: Cell<u64>,
    pub(crate) lost: Cell<u64>,
}

impl SimTransport {
    pub(crate) fn new(sim: &Sim) -> SimTransport {
        let cookie = sim.sign_in("contoso").unwrap_or_default();
        SimTransport {
            sim: sim.clone(),
            router: dataverse_sim::app(sim.clone()),
            cookie: RefCell::new(cookie),
            lose_answers: Cell::new(0),
            rng: Lcg::new(7),
            sent: Cell::new(0),
            lost: Cell::new(0),
        }
    }

    /// Signs in again (after a session expiry).
    pub(crate) fn sign_in(&self) {
        *self.cookie.borrow_mut() = self.sim.sign_in("contoso").unwrap_or_default();
    }
}

impl Transport for SimTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.sent.set(self.sent.get() + 1);
        let uri = if request.path.starts_with("http") {
            request.path.split_once(".com").map_or(request.path.clone(), |(_, p)| p.to_owned())
        } else {
            format!("{API_PATH}{}", request.path)
        };
        let method = match request.method {
            Method::Get => "GET",
            Method::Patch => "PATCH",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        };
        let mut builder = axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .header("host", HOST)
            .header("cookie", format!("CrmOwinAuth={}", self.cookie.borrow()));
        for (k, v) in &request.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let http = builder
            .body(Body::from(request.body.clone().unwrap_or_default()))
            .map_err(|e| TransportError::Network(e.to_string()))?;
        let Ok(answer) = self.router.clone().oneshot(http).await;
        if answer.headers().contains_key("x-dataverse-sim-fault") {
            return Err(TransportError::Network("connection dropped (injected)".into()));
        }
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX)
            .await
            .map_err(|e| TransportError::Network(e.to_string()))?;
        let response = Response { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() };
        if (300..400).contains(&status)
            && response.header("Location").is_some_and(|l| {
                let host = l.split("://").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or("");
                host != HOST
            })
        {
            // `fetch` follows the redirect to the sign-in host, which cannot be reached from here.
            return Err(TransportError::Network("TypeError: Failed to fetch (redirected to the sign-in page)".into()));
        }
        if self.rng.percent() < self.lose_answers.get() {
            self.lost.set(self.lost.get() + 1);
            return Err(TransportError::Network("connection reset after the request was sent (injected)".into()));
        }
        Ok(response)
    }
}

/// A virtual clock shared with the simulator: sleeping advances both at once.
pub(crate) struct SimClock {
    pub(crate) sim: Sim,
    pub(crate) now: Cell<u64>,
}

impl SimClock {
    pub(crate) fn new(sim: &Sim) -> SimClock {
        SimClock { sim: sim.clone(), now: Cell::new(0) }
    }
}

impl Clock for SimClock {
    fn now(&self) -> Millis {
        Millis(self.now.get())
    }

    /// Time moves when the sleep is first polled, not when it is made: the driver makes a sleep until
    /// its next deadline and polls it only when no answer is ready, and an answer that is ready must
    /// not arrive "after" a deadline that never came.
    async fn sleep(&self, d: Duration) {
        self.now.set(self.now.get() + u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.sim.advance(d);
    }
}

/// Collects a snapshot of the sim's org through the transport.
pub(crate) async fn snapshot(t: &SimTransport) -> syncready_core::collect::Snapshot {
    let (snap, errors) = syncready_core::collect::snapshot(t).await;
    assert!(errors.is_empty(), "{errors:?}");
    snap
}

/// Every mailbox's approval value, from the sim.
pub(crate) async fn approvals(t: &SimTransport) -> HashMap<String, i64> {
    let rows: Vec<serde_json::Value> = syncready_core::collect::fetch_all(
        t,
        &syncready_core::odata::Query::new("mailboxes").select(&["mailboxid", "emailrouteraccessapproval"]),
        "mailboxes",
    )
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r["mailboxid"].as_str().unwrap().to_owned(), r["emailrouteraccessapproval"].as_i64().unwrap()))
        .collect()
}

fn all() -> Selection {
    Selection::Matching(MailboxFilter::default())
}

#[tokio::test]
async fn approving_every_pending_mailbox_of_a_fresh_org_is_verified_against_the_simulator() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").mailboxes(450)).build();
    let t = SimTransport::new(&sim);
    let snap = snapshot(&t).await;
    let plan = bulk::plan(&snap, &all(), &Action::Approve).unwrap();
    let planned = plan.items.len();
    assert!(planned > 400, "{planned}");
    let before = t.sent.get();
    let out = bulk::drive(bulk::Run::new(plan, RunConfig::default()), &t, &SimClock::new(&sim), |_| ()).await;
    let p = &out.progress;
    assert_eq!((p.succeeded, p.failed, p.pending), (planned, 0, 0));
    // Fewer approvals than fill a full batch per lane: they spread over the lanes in batches of a fifth
    // of the batch size, each with its read-back.
    let config = RunConfig::default();
    assert!(planned < config.batch_size * config.max_in_flight);
    let batch = config.batch_size / 5;
    assert_eq!(
        t.sent.get() - before,
        planned.div_ceil(batch) as u64,
        "one $batch per {batch} approvals, read-back included"
    );
    let state = approvals(&t).await;
    assert!(p.items.iter().all(|i| state[&i.id] == 1));
    assert!(sim.api_writes("contoso").values().all(|n| *n == 1));
    assert!(sim.unexpected_requests().is_empty());
}

#[tokio::test]
async fn a_caller_without_a_tenant_admin_role_gets_one_refusal_and_an_explanation() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").approval_hostile()).build();
    let t = SimTransport::new(&sim);
    let snap = snapshot(&t).await;
    let plan = bulk::plan(&snap, &all(), &Action::Approve).unwrap();
    assert!(plan.warnings.iter().any(|w| w.to_string().contains("0x80040256")), "the plan warns: {:?}", plan.warnings);
    let config = RunConfig { batch_size: 5, max_in_flight: 4, ..RunConfig::default() };
    let out = bulk::drive(bulk::Run::new(plan, config), &t, &SimClock::new(&sim), |_| ()).await;
    let p = &out.progress;
    assert!(p.succeeded <= 1, "at most the caller's own mailbox (self-approval): {}", p.succeeded);
    assert!(p.failed >= 1 && p.failed <= 5 * 4, "only the batches in flight were refused: {}", p.failed);
    assert_eq!(p.succeeded + p.failed + p.skipped, p.items.len());
    let refused = p.items.iter().find(|i| i.state == ItemState::Failed).unwrap();
    assert_eq!((refused.status, refused.code.as_deref()), (Some(403), Some("0x80040256")));
    let why = p.approvals_stopped.clone().unwrap().to_string();
    assert!(why.contains("Exchange Administrator") && why.contains("Delegated Mailbox Approver"), "{why}");
}

#[tokio::test]
async fn apply_default_settings_runs_test_and_enable_and_tracks_each_mailbox_to_a_result() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").users(12).queues(3)).build();
    let t = SimTransport::new(&sim);
    let clock = SimClock::new(&sim);
    let snap = snapshot(&t).await;
    // Approve first, so that the tests can pass.
    let approve = bulk::plan(&snap, &all(), &Action::Approve).unwrap();
    bulk::drive(bulk::Run::new(approve, RunConfig::default()), &t, &clock, |_| ()).await;
    let snap = snapshot(&t).await;
    let action = Action::ApplyDefaultSettings { test_and_enable: true, this_org_only: false };
    let plan = bulk::plan(&snap, &all(), &action).unwrap();
    assert!(!plan.items.is_empty());
    let config = RunConfig { poll_interval: Duration::from_secs(30), ..RunConfig::default() };
    let started = clock.now();
    let out = bulk::drive(bulk::Run::new(plan, config), &t, &clock, |_| ()).await;
    let p = &out.progress;
    assert!(p.is_done(), "{p:?}");
    assert_eq!(p.stuck, 0);
    assert!(clock.now().since(started) >= Duration::from_secs(90), "tracked until the sim's 90 s test ran");
    for item in &p.items {
        let report = item.test.clone().unwrap();
        assert!(!report.scheduled, "{item:?}");
        match item.state {
            ItemState::Succeeded => assert!(!report.failed()),
            ItemState::Failed => assert!(report.alert.is_some(), "a failed test carries its alert: {item:?}"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(p.succeeded > 0);
    assert!(sim.unexpected_requests().is_empty());
}

#[tokio::test]
async fn cancelling_from_the_progress_callback_stops_the_run_and_a_resume_finishes_it_without_repeats() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").mailboxes(300)).build();
    let t = SimTransport::new(&sim);
    let clock = SimClock::new(&sim);
    let snap = snapshot(&t).await;
    let plan = bulk::plan(&snap, &all(), &Action::Approve).unwrap();
    let config = RunConfig { batch_size: 20, max_in_flight: 2, ..RunConfig::default() };
    let mut answers = 0;
    let out = bulk::drive(bulk::Run::new(plan.clone(), config.clone()), &t, &clock, |_| {
        answers += 1;
        if answers == 3 { bulk::Control::Cancel } else { bulk::Control::Continue }
    })
    .await;
    let p = &out.progress;
    assert_eq!(p.halt, Some(bulk::Halt::Cancelled));
    assert!(p.succeeded >= 40 && p.skipped > 0, "{} succeeded, {} skipped", p.succeeded, p.skipped);
    assert_eq!(p.succeeded + p.skipped + p.unknown, p.items.len(), "in-flight items are unknown, not lost");

    // Resume: cancelled-before-sending items are skipped in the journal, so re-plan them from a fresh
    // snapshot, and settle the unknown ones by read-back.
    let resumed = bulk::Run::resume(plan, &out.run.journal(), config.clone()).unwrap();
    let out = bulk::drive(resumed, &t, &clock, |_| ()).await;
    assert_eq!(out.progress.unknown, 0);
    let snap = snapshot(&t).await;
    let rest = bulk::plan(&snap, &all(), &Action::Approve).unwrap();
    assert_eq!(rest.items.len(), out.progress.skipped, "what was cancelled is exactly what is left to approve");
    let out = bulk::drive(bulk::Run::new(rest, config), &t, &clock, |_| ()).await;
    assert_eq!(out.progress.failed, 0);
    let state = approvals(&t).await;
    assert!(state.values().all(|v| *v == 1));
    assert!(sim.api_writes("contoso").values().all(|n| *n == 1), "no write applied twice");
}

/// Drives `plan` to its end and returns the outcome, asserting nothing failed.
async fn run_ok(t: &SimTransport, clock: &SimClock, plan: bulk::Plan) -> bulk::RunOutcome {
    let out = bulk::drive(bulk::Run::new(plan, RunConfig::default()), t, clock, |_| ()).await;
    let failed: Vec<_> = out.progress.items.iter().filter(|i| i.state != ItemState::Succeeded).collect();
    assert!(failed.is_empty(), "{failed:#?}");
    out
}

#[tokio::test]
async fn every_action_writes_what_the_simulator_reads_back_and_undo_restores_the_org() {
    let sim =
        Sim::builder().org("contoso", Scenario::fresh("Contoso").users(6).queues(2).profile_not_default()).build();
    let t = SimTransport::new(&sim);
    let clock = SimClock::new(&sim);
    let snap = snapshot(&t).await;
    let exo = snap.profiles.iter().flatten().find(|p| p.is_exchange_online()).unwrap().id.clone();
    let old_default = snap.org.as_ref().unwrap().default_profile.clone().unwrap();

    // Org level: default profile, default email settings, approval requirement.
    let out = run_ok(
        &t,
        &clock,
        bulk::plan(&snap, &Selection::Org, &Action::SetOrgDefaultProfile { profile_id: exo.clone() }).unwrap(),
    )
    .await;
    let evidence = out.run.evidence();
    assert_eq!(evidence.rows[0].observed.as_ref().and_then(|v| v.as_str()), Some(exo.as_str()));
    let snap = snapshot(&t).await;
    assert_eq!(snap.org.as_ref().unwrap().default_profile.as_deref(), Some(exo.as_str()));
    let settings = Action::SetOrgDefaultEmailSettings {
        profile_id: None,
        incoming: syncready_core::model::DeliveryMethod::ServerSideSync,
        outgoing: syncready_core::model::DeliveryMethod::Outlook,
        act: syncready_core::model::ActDeliveryMethod::None,
        server_side_sync: true,
    };
    run_ok(&t, &clock, bulk::plan(&snap, &Selection::Org, &settings).unwrap()).await;
    let approval = Action::SetApprovalRequirement { users: false, queues: true };
    run_ok(&t, &clock, bulk::plan(&snap, &Selection::Org, &approval).unwrap()).await;

    // Mailboxes: approve, edit, test & enable with "this org only" and a start date.
    let snap = snapshot(&t).await;
    run_ok(&t, &clock, bulk::plan(&snap, &all(), &Action::Approve).unwrap()).await;
    let edit = Action::EditProfileAndMethods {
        profile_id: Some(exo.clone()),
        incoming: Some(syncready_core::model::DeliveryMethod::ServerSideSync),
        outgoing: Some(syncready_core::model::DeliveryMethod::ServerSideSync),
        act: Some(syncready_core::model::ActDeliveryMethod::ServerSideSync),
    };
    run_ok(&t, &clock, bulk::plan(&snap, &all(), &edit).unwrap()).await;
    let snap = snapshot(&t).await;
    let test = Action::TestAndEnable { this_org_only: true, process_email_after: Some("2026-11-01".into()) };
    let plan = bulk::plan(&snap, &all(), &test).unwrap();
    let out = bulk::drive(bulk::Run::new(plan, RunConfig::default()), &t, &clock, |_| ()).await;
    assert!(out.progress.is_done());
    assert!(out.progress.items.iter().all(|i| i.applied && i.test.as_ref().is_some_and(|r| !r.scheduled)));

    // Undo of the first org change puts the old default profile back.
    let undo = bulk::Plan::undo(&evidence);
    assert_eq!(undo.items.len(), 1);
    run_ok(&t, &clock, undo).await;
    let snap = snapshot(&t).await;
    assert_eq!(snap.org.as_ref().unwrap().default_profile.as_deref(), Some(old_default.as_str()));
    assert!(sim.unexpected_requests().is_empty());
}
