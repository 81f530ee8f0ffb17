//! Chaos: 5,000 approvals against the simulator with 5 % 5xx, 429 bursts, connections dropped before
//! and after the sim ran the batch, failed batch items, and a session expiry mid-run that closes the
//! "page": the run is resumed from its serialised journal after signing in again.

use crate::bulk_sim::{SimClock, SimTransport, approvals, snapshot};
use dataverse_sim::{Fault, Scenario, Sim};
use std::time::Duration;
use syncready_core::bulk::{self, Action, Halt, ItemState, Journal, MailboxFilter, RunConfig, Selection};
use syncready_core::http::{Request, Response, Transport, TransportError};

/// Injects the sim's own faults in front of each request, decided by a seeded generator.
struct Chaos<'a> {
    inner: &'a SimTransport,
    expire_at: u64,
}

impl Transport for Chaos<'_> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let n = self.inner.sent.get();
        let roll = self.inner.rng.percent();
        let sim = &self.inner.sim;
        if n == self.expire_at {
            sim.inject(Fault::expire_session_after(0));
        }
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

#[tokio::test]
async fn five_thousand_approvals_under_chaos_end_verified_or_failed_with_a_reason_none_lost_or_doubled() {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso").mailboxes(5000)).build();
    let t = SimTransport::new(&sim);
    let snap = snapshot(&t).await;
    let plan = bulk::plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap();
    let planned = plan.items.len();
    assert!(planned >= 4900, "{planned}");

    t.lose_answers.set(3);
    let chaos = Chaos { inner: &t, expire_at: t.sent.get() + 90 };
    let clock = SimClock::new(&sim);
    // Small batches, so that faults hit many of them, at the default concurrency (48 in flight).
    let config = RunConfig { batch_size: 25, ..RunConfig::default() };
    let mut outcome = bulk::drive(bulk::Run::new(plan.clone(), config.clone()), &chaos, &clock, |_| ()).await;
    let mut resumes = 0;
    while let Some(Halt::SessionExpired { status }) = outcome.progress.halt.clone() {
        assert_eq!(status, 401);
        resumes += 1;
        assert!(resumes < 10, "too many session expiries");
        // The page was closed: only the serialised journal survives.
        let saved = serde_json::to_string(&outcome.run.journal()).unwrap();
        let journal: Journal = syncready_core::json::decode(&saved).unwrap();
        t.sign_in();
        let run = bulk::Run::resume(plan.clone(), &journal, config.clone()).unwrap();
        outcome = bulk::drive(run, &chaos, &clock, |_| ()).await;
    }
    assert!(resumes >= 1, "the session expired mid-run and the run was resumed");
    t.lose_answers.set(0);
    sim.clear_faults();

    let p = &outcome.progress;
    assert_eq!(p.items.len(), planned, "no item lost");
    for item in &p.items {
        match item.state {
            ItemState::Succeeded => {}
            ItemState::Failed => assert!(item.message.is_some(), "a failure has a reason: {item:?}"),
            other => panic!("{} ended {other:?}", item.id),
        }
    }
    assert!(p.throttled > 0 && p.retries > 0, "the chaos happened: {} throttled, {} retries", p.throttled, p.retries);
    assert!(t.lost.get() > 0, "answers were lost after the sim applied the writes");
    assert!(p.items.iter().all(|i| i.status != Some(429)), "no 429 surfaced as an item failure");

    // The sim's view: every succeeded item approved, every write applied at most once.
    let state = approvals(&t).await;
    let applied = t.applied.borrow();
    for item in &p.items {
        let times = applied.get(&item.id).copied().unwrap_or(0);
        assert!(times <= 1, "{} applied {times} times", item.id);
        if item.state == ItemState::Succeeded {
            assert_eq!((state[&item.id], times), (1, 1), "{}", item.id);
        }
    }
    let succeeded = p.items.iter().filter(|i| i.state == ItemState::Succeeded).count();
    assert!(succeeded * 100 >= planned * 99, "almost every approval succeeds: {succeeded} of {planned}");
    println!(
        "chaos: {planned} approvals, {succeeded} succeeded, {} failed, {} requests, {} throttled, {} retries, {} answers lost, {resumes} resume(s)",
        p.failed,
        t.sent.get(),
        p.throttled,
        p.retries,
        t.lost.get()
    );
}
