//! Chaos: 5,000 approvals against the simulator with 5 % 5xx, 429 bursts, connections dropped before
//! and after the sim ran the batch, failed batch items, an outage that fails every request in flight
//! at the transport followed by minutes of network down, a session expiry mid-run (a 401, or a redirect
//! to a sign-in host that cannot be reached, which `fetch` turns into a transport failure), and the
//! page's checklist reads, throttled, in the middle of it all. After every halt the "page" is closed:
//! the run is resumed from its serialised journal after signing in again and the network coming back.
//!
//! What happened is judged by the simulator alone: its per-row write count and its final state, never
//! by decoding its answers with the client's own code.

use crate::bulk_sim::{SimClock, SimTransport, approvals, snapshot};
use dataverse_sim::{Config, Fault, Scenario, Sim};
use std::cell::Cell;
use std::time::Duration;
use syncready_core::bulk::{self, Action, Clock, Halt, ItemState, Journal, MailboxFilter, RunConfig, Selection};
use syncready_core::error::Error;
use syncready_core::http::{Request, Response, Transport, TransportError};
use syncready_core::limits::{LimitsLedger, Patient};

const PLANNED: usize = 5000;

/// Injects the sim's own faults in front of each request, decided by a seeded generator.
struct Chaos<'a> {
    inner: &'a SimTransport,
    clock: &'a SimClock,
    ledger: &'a LimitsLedger,
    /// The session expires at this request (set once the outage is over and the run resumed).
    expire_at: Cell<u64>,
    outage_at: u64,
    /// How long the network stays down after the outage.
    down_for: Duration,
    down_since: Cell<Option<u64>>,
    /// The run's requests at which the page reads its checklist (with its reads throttled).
    reads_at: [u64; 3],
    reads_done: Cell<u32>,
    /// Parts of a checklist read that gave up on throttling.
    reads_gave_up: Cell<usize>,
}

impl Chaos<'_> {
    /// The checklist's read, through the page's shared ledger, with its first GETs throttled.
    async fn read_checklist(&self) {
        let sim = &self.inner.sim;
        sim.inject(Fault::throttle(Duration::from_secs(3)).on_method("GET").times(4));
        let (_, errors) = syncready_core::collect::snapshot(&Patient::reads(self.inner, self.clock, self.ledger)).await;
        let gave_up = errors.iter().filter(|e| matches!(e.error, Error::Throttled { .. })).count();
        self.reads_gave_up.set(self.reads_gave_up.get() + gave_up);
        self.reads_done.set(self.reads_done.get() + 1);
    }
}

impl Transport for Chaos<'_> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let n = self.inner.sent.get();
        let sim = &self.inner.sim;
        let down = self.down_since.get().is_some_and(|since| self.clock.now().0 < since + ms(self.down_for));
        let next_read = self.reads_at.get(self.reads_done.get() as usize);
        if next_read.is_some_and(|at| n >= *at) && !down {
            self.read_checklist().await;
        }
        let n = self.inner.sent.get();
        if n == self.expire_at.get() {
            sim.inject(Fault::expire_session_after(0));
        }
        if n == self.outage_at {
            // Everything in flight fails at the transport, then the network stays down for a while.
            sim.inject(Fault::outage());
            sim.set_network_down(true);
            self.down_since.set(Some(self.clock.now().0));
        }
        if let Some(since) = self.down_since.get()
            && self.clock.now().0 >= since + ms(self.down_for)
        {
            sim.set_network_down(false);
        }
        let roll = self.inner.rng.percent();
        match roll {
            0..5 => sim.inject(Fault::status(if roll.is_multiple_of(2) { 503 } else { 500 })),
            5..7 => sim.inject(Fault::drop_connection()),
            7..9 => sim.inject(Fault::throttle(Duration::from_secs(2 + roll)).times(3)),
            9..30 => sim.inject(Fault::fail_batch_item(1 + (n as usize * 7) % 25, 503)),
            _ => {}
        }
        self.inner.send(request).await
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap()
}

async fn chaos(expiry_redirects: bool) {
    let mut config = Config::default();
    config.quirks.expired_session_redirect = expiry_redirects;
    config.quirks.sign_in_host = "sign-in.invalid".to_string();
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").mailboxes(PLANNED)).config(config).build();
    let t = SimTransport::new(&sim);
    let snap = snapshot(&t).await;
    let plan = bulk::plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap();
    assert_eq!(plan.items.len(), PLANNED, "every mailbox of the fresh org needs its approval");

    t.lose_answers.set(3);
    let clock = SimClock::new(&sim);
    let ledger = LimitsLedger::new();
    let start = t.sent.get();
    let chaos = Chaos {
        inner: &t,
        clock: &clock,
        ledger: &ledger,
        expire_at: Cell::new(u64::MAX),
        outage_at: start + 40,
        down_for: Duration::from_secs(150),
        down_since: Cell::new(None),
        reads_at: [start + 20, start + 60, start + 120],
        reads_done: Cell::new(0),
        reads_gave_up: Cell::new(0),
    };
    let run_transport = Patient::runs(&chaos, &clock, &ledger);
    // Small batches, so that faults hit many of them, at the default concurrency (48 in flight).
    let config = RunConfig { batch_size: 25, ..RunConfig::default() };
    let mut outcome = bulk::drive(bulk::Run::new(plan.clone(), config.clone()), &run_transport, &clock, |_| ()).await;
    let (mut expired, mut unreachable) = (0, 0);
    while let Some(halt) = outcome.progress.halt.clone() {
        match halt {
            Halt::SessionExpired { status } => {
                assert!(!expiry_redirects && status == 401, "{status}");
                expired += 1;
            }
            Halt::Unreachable { error, .. } => {
                assert!(error.contains("Failed to fetch") || error.contains("connection"), "{error}");
                unreachable += 1;
            }
            other => panic!("{other:?}"),
        }
        assert!(expired + unreachable < 10, "too many halts");
        // The page was closed: only the saved run (format 2) survives. The admin signs in again and the
        // network is back.
        let saved = bulk::SavedRun::of("https://contoso.crm.dynamics.com", &outcome.run).to_json().to_string();
        let journal: Journal = syncready_core::json::decode::<bulk::SavedRun>(&saved).unwrap().journal;
        t.sign_in();
        sim.set_network_down(false);
        if chaos.expire_at.get() == u64::MAX {
            chaos.expire_at.set(t.sent.get() + 30);
        }
        let run = bulk::Run::resume(plan.clone(), &journal, config.clone()).unwrap();
        outcome = bulk::drive(run, &run_transport, &clock, |_| ()).await;
    }
    assert!(unreachable >= 1, "the outage halted the run visibly");
    if expiry_redirects {
        assert!(unreachable >= 2, "the redirect to the sign-in host halted it too: {unreachable}");
    } else {
        assert!(expired >= 1, "the session expired mid-run and the run was resumed");
    }
    assert!(clock.now().0 < 3_600_000, "0 hung: the run ended within an hour of virtual time ({:?})", clock.now());
    t.lose_answers.set(0);
    sim.clear_faults();

    let p = &outcome.progress;
    assert!(p.throttled > 0 && p.retries > 0, "the chaos happened: {} throttled, {} retries", p.throttled, p.retries);
    assert!(t.lost.get() > 0, "answers were lost after the sim applied the writes");
    assert_eq!(chaos.reads_done.get(), 3, "the checklist was read during the run");
    assert_eq!(chaos.reads_gave_up.get(), 0, "no read gave up on throttling");
    let throttled_reads = sim.journal().iter().filter(|j| j.method == "GET" && j.status == 429).count();
    assert!(throttled_reads >= 3, "every read was throttled: {throttled_reads} 429s to reads");

    // The simulator's view of every item, succeeded and failed alike.
    let state = approvals(&t).await;
    let writes = sim.api_writes("contoso");
    assert_eq!(p.items.len(), PLANNED, "no item lost from the report");
    for item in &p.items {
        let times = writes.get(&item.id).copied().unwrap_or(0);
        let approved = state.get(&item.id).copied();
        match item.state {
            ItemState::Succeeded => assert_eq!((approved, times), (Some(1), 1), "{} reported succeeded", item.id),
            ItemState::Failed => {
                assert!(item.message.is_some(), "a failure has a reason: {item:?}");
                let expected = if item.applied { (Some(1), 1) } else { (Some(2), 0) };
                assert_eq!((approved, times), expected, "{} reported failed, applied = {}", item.id, item.applied);
            }
            other => panic!("{} ended {other:?}", item.id),
        }
    }
    assert!(p.items.iter().all(|i| i.status != Some(429)), "no 429 surfaced as an item failure");
    let total: u32 = writes.values().sum();
    assert_eq!(total as usize, PLANNED, "0 doubled and 0 stray: one write per planned mailbox, by the sim's count");
    let succeeded = p.items.iter().filter(|i| i.state == ItemState::Succeeded).count();
    assert_eq!(succeeded, PLANNED, "all 5,000 verified");
    println!(
        "chaos (expiry {}): {PLANNED} approvals, {succeeded} verified, 0 lost, 0 doubled, {} requests, {} throttled, {} retries, {} answers lost, {expired} expiry and {unreachable} unreachable halt(s), {throttled_reads} throttled reads waited out",
        if expiry_redirects { "redirects to sign-in" } else { "401" },
        t.sent.get(),
        p.throttled,
        p.retries,
        t.lost.get()
    );
}

#[tokio::test]
async fn five_thousand_approvals_under_chaos_all_verified_none_lost_doubled_or_hung_with_401_expiry() {
    chaos(false).await;
}

#[tokio::test]
async fn five_thousand_approvals_under_chaos_all_verified_none_lost_doubled_or_hung_with_sign_in_redirect() {
    chaos(true).await;
}
