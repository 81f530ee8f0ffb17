//! Issue 11: runs that survive the field. Requests that are never answered, a network that fails
//! every request at the transport, the service's recommended parallelism, and Test & Enable that takes
//! the service's whole retry window — all in virtual time.

use super::*;
use crate::bulk::drive::{Clock, drive as drive_async};
use crate::http::Transport;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("the driven run hung: no progress after a million polls");
}

/// A virtual clock: sleeping moves it on at once.
#[derive(Default)]
struct VirtualClock(Cell<u64>);

impl Clock for VirtualClock {
    fn now(&self) -> Millis {
        Millis(self.0.get())
    }
    fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
        self.0.set(self.0.get() + u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        std::future::ready(())
    }
}

/// A network that swallows every request until `heal_at`, and then answers through the fake.
struct Swallowing<'a> {
    fake: RefCell<&'a mut Fake>,
    clock: &'a VirtualClock,
    /// Before this time nothing is ever answered.
    heal_at: Millis,
    /// Each request instead fails at once with a reset connection (rather than never answering).
    reset: bool,
    sent: Cell<u32>,
}

impl Transport for Swallowing<'_> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        self.sent.set(self.sent.get() + 1);
        let now = self.clock.now();
        if now < self.heal_at {
            if self.reset {
                return Err(TransportError::Network("TypeError: Failed to fetch".into()));
            }
            return std::future::pending().await;
        }
        self.fake.borrow_mut().answer(now, &request)
    }
}

#[test]
fn a_request_never_answered_is_abandoned_at_its_deadline_and_read_back_before_any_resend() {
    let cfg = config();
    let mut run = Run::new(approvals(5), cfg.clone());
    let mut fake = Fake::with(&ids(5));
    let (id, request) = run.poll_request(Millis(0)).unwrap();
    // The batch reaches the service and runs, but its answer never arrives.
    let _lost = fake.answer(Millis(0), &request);
    assert_eq!(run.waiting_since(), None, "not slow yet");
    // The run wakes when the request turns slow, and says since when it waits.
    assert_eq!(run.poll_timeout(), Some(Millis(0).plus(cfg.slow_after)));
    run.handle_timeout(Millis(0).plus(cfg.slow_after));
    assert_eq!(run.progress().waiting_since, Some(Millis(0)));
    // Then at its deadline: abandoned, outcome unknown.
    let deadline = Millis(0).plus(cfg.request_timeout);
    assert_eq!(run.poll_timeout(), Some(deadline));
    assert!(run.poll_request(deadline).is_none(), "nothing is sent while backing off");
    assert!(!run.is_in_flight(id), "the shell drops an abandoned request");
    assert_eq!(run.progress().unknown, 5);
    // A late answer to the abandoned request changes nothing.
    run.handle_response(deadline, id, Ok(Response { status: 204, headers: vec![], body: String::new() }));
    assert_eq!(run.progress().unknown, 5);
    let end = drive(&mut run, &mut fake, deadline, 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed, p.halt.clone(), p.waiting_since), (5, 0, None, None), "{}", counts(&run));
    assert!(fake.patches.values().all(|n| *n == 1), "settled by the read-back, never resent: {:?}", fake.patches);
    assert!(fake.log[1].starts_with("GET "), "the next request reads back only: {:?}", fake.log);
    assert!(end > deadline);
}

#[test]
fn a_network_that_fails_every_request_halts_the_run_visibly_and_resume_reads_back_first() {
    let cfg = config();
    let mut run = Run::new(approvals(5), cfg.clone());
    let mut fake = Fake::with(&ids(5));
    let (id, request) = run.poll_request(Millis(0)).unwrap();
    // The first batch ran on the service, then every connection dropped.
    let _lost = fake.answer(Millis(0), &request);
    run.handle_response(Millis(0), id, Err(TransportError::Network("connection reset".into())));
    let mut now = Millis(0);
    let mut first: Option<(RequestId, Millis)> = Some((id, now));
    for _ in 0..1000 {
        if run.halt().is_some() {
            break;
        }
        match run.poll_request(now) {
            Some((id, _)) => {
                first.get_or_insert((id, now));
                run.handle_response(now, id, Err(TransportError::Network("connection reset".into())));
            }
            None => now = run.poll_timeout().expect("a halted-free run always names a time").max(now),
        }
    }
    let failed_from = first.unwrap().1;
    let p = run.progress();
    match &p.halt {
        Some(Halt::Unreachable { since, error }) => {
            assert_eq!(*since, failed_from);
            assert!(error.contains("connection reset"), "{error}");
        }
        other => panic!("expected an unreachable halt, got {other:?}"),
    }
    assert!(now.since(failed_from) >= cfg.unreachable_after, "not before the configured time");
    assert!(now.since(failed_from) < cfg.unreachable_after + cfg.backoff_max + Duration::from_secs(1));
    assert_eq!((p.failed, p.unknown), (0, 5), "no item is failed for a network fault: {}", counts(&run));
    assert_eq!(p.waiting_since, Some(failed_from));
    assert!(run.is_finished() && run.poll_timeout().is_none(), "the run ends, halted");
    // Resume (in place, or from the journal): unknown outcomes are read back before anything is resent.
    let journal = run.journal();
    let mut resumed = Run::resume(approvals(5), &journal, cfg).unwrap();
    drive(&mut resumed, &mut fake, now, 100);
    assert_eq!(resumed.progress().succeeded, 5, "{}", counts(&resumed));
    run.session_renewed();
    assert_eq!(run.halt(), None);
    assert!(fake.patches.values().all(|n| *n == 1), "{:?}", fake.patches);
}

#[test]
fn drive_ends_in_a_visible_halt_when_no_request_is_ever_answered_and_completes_on_resume() {
    let clock = VirtualClock::default();
    let mut fake = Fake::with(&ids(30));
    let cfg = RunConfig { batch_size: 10, max_in_flight: 4, ..RunConfig::default() };
    let net = Swallowing {
        fake: RefCell::new(&mut fake),
        clock: &clock,
        heal_at: Millis(u64::MAX),
        reset: false,
        sent: Cell::new(0),
    };
    let mut waiting_seen = None;
    let out = block_on(drive_async(Run::new(approvals(30), cfg.clone()), &net, &clock, |p: &Progress| {
        waiting_seen = waiting_seen.or(p.waiting_since);
    }));
    assert!(matches!(out.progress.halt, Some(Halt::Unreachable { .. })), "halted, not hung: {:?}", out.progress.halt);
    assert_eq!(waiting_seen, Some(Millis(0)), "the callback heard 'waiting for Dataverse since' while it waited");
    let waited = clock.now().since(Millis(0));
    assert!(waited <= cfg.request_timeout * 2 + cfg.unreachable_after, "{waited:?}");
    assert_eq!(out.progress.failed, 0);
    // The network is back: the run resumes to completion.
    let journal = out.run.journal();
    let net = Swallowing { heal_at: clock.now(), ..net };
    let out = block_on(drive_async(Run::resume(approvals(30), &journal, cfg).unwrap(), &net, &clock, |_| ()));
    assert_eq!((out.progress.succeeded, out.progress.halt), (30, None));
}

#[test]
fn a_fetch_that_rejects_at_once_like_a_redirect_to_an_unreachable_sign_in_host_halts_then_resumes() {
    let clock = VirtualClock::default();
    let mut fake = Fake::with(&ids(12));
    let cfg = RunConfig { batch_size: 4, max_in_flight: 2, ..RunConfig::default() };
    let net = Swallowing {
        fake: RefCell::new(&mut fake),
        clock: &clock,
        heal_at: Millis(u64::MAX),
        reset: true,
        sent: Cell::new(0),
    };
    let out = block_on(drive_async(Run::new(approvals(12), cfg.clone()), &net, &clock, |_| ()));
    match &out.progress.halt {
        Some(Halt::Unreachable { error, .. }) => assert!(error.contains("Failed to fetch"), "{error}"),
        other => panic!("{other:?}"),
    }
    assert!(net.sent.get() < 40, "backs off rather than hammering: {} requests", net.sent.get());
    let mut run = out.run;
    run.session_renewed();
    let net = Swallowing { heal_at: clock.now(), ..net };
    let out = block_on(drive_async(run, &net, &clock, |_| ()));
    assert_eq!((out.progress.succeeded, out.progress.halt), (12, None));
}

#[test]
fn the_services_recommended_parallelism_caps_requests_in_flight() {
    let mut run = Run::new(approvals(200), RunConfig { batch_size: 5, max_in_flight: 10, ..RunConfig::default() });
    let mut fake = Fake::with(&ids(200));
    let mut in_flight: Vec<(RequestId, Request)> = Vec::new();
    let mut most_after_hint = 0;
    let mut hinted = false;
    let mut now = Millis(0);
    for _ in 0..10_000 {
        while let Some(r) = run.poll_request(now) {
            in_flight.push(r);
            if hinted {
                most_after_hint = most_after_hint.max(in_flight.len());
            }
        }
        if in_flight.is_empty() {
            if run.is_finished() {
                break;
            }
            now = run.poll_timeout().unwrap_or(now).max(now);
            continue;
        }
        let (id, request) = in_flight.remove(0);
        now = now.plus(Duration::from_millis(50));
        let mut answer = fake.answer(now, &request).unwrap();
        answer.headers.push(("x-ms-dop-hint".into(), "3".into()));
        run.handle_response(now, id, Ok(answer));
        hinted = true;
    }
    assert_eq!(run.progress().succeeded, 200);
    assert_eq!(run.max_in_flight(), 3);
    assert!(most_after_hint <= 3, "{most_after_hint} in flight after the hint said 3");
    assert!(most_after_hint == 3, "and it still uses what the hint allows: {most_after_hint}");
}

#[test]
fn a_test_is_not_called_stuck_within_the_services_retry_window_and_a_stuck_one_is_still_watched() {
    let cfg = RunConfig { batch_size: 10, max_in_flight: 1, ..RunConfig::default() };
    // The service retries a transient failure up to 10 times, 5 minutes apart.
    assert!(cfg.stuck_after > Duration::from_secs(10 * 5 * 60), "{:?}", cfg.stuck_after);
    let mut run = Run::new(test_and_enable(2), cfg.clone());
    let mut fake = Fake::with(&ids(2));
    // One finishes after 48 minutes (within the window), the other after 70 (past it).
    fake.test_done_at.insert(ids(2)[0].clone(), Millis(48 * 60_000));
    fake.test_done_at.insert(ids(2)[1].clone(), Millis(70 * 60_000));
    let mut now = Millis(0);
    let mut stuck_at = None;
    let mut polls_while_stuck = 0;
    for _ in 0..10_000 {
        if let Some((id, request)) = run.poll_request(now) {
            if run.progress().stuck > 0 {
                polls_while_stuck += 1;
            }
            let answer = fake.answer(now, &request);
            now = now.plus(Duration::from_millis(100));
            run.handle_response(now, id, answer);
        } else if run.is_finished() {
            break;
        } else {
            now = run.poll_timeout().unwrap().max(now);
        }
        if stuck_at.is_none() && run.progress().stuck > 0 {
            stuck_at = Some(now);
        }
    }
    let p = run.progress();
    assert_eq!(p.items[0].state, ItemState::Succeeded, "not stuck: it finished within the retry window");
    let stuck_at = stuck_at.expect("the second was declared stuck");
    assert!(stuck_at >= Millis(0).plus(cfg.stuck_after), "{stuck_at:?}");
    assert_eq!(p.items[1].state, ItemState::Succeeded, "still watched: its late result replaced 'stuck'");
    assert_eq!(p.items[1].message, None);
    assert_eq!(p.watching_stuck, 0);
    assert!((1..=4).contains(&polls_while_stuck), "watched at the slower pace: {polls_while_stuck} polls");
}

#[test]
fn a_stuck_test_is_watched_for_the_configured_time_and_then_the_run_ends() {
    let cfg = RunConfig { stuck_after: Duration::from_secs(60), ..config() };
    let mut run = Run::new(test_and_enable(1), cfg.clone());
    let mut fake = Fake::with(&ids(1));
    fake.test_done_at.insert(ids(1)[0].clone(), Millis(u64::MAX));
    let end = drive(&mut run, &mut fake, Millis(0), 1000);
    let p = run.progress();
    assert_eq!((p.stuck, p.watching_stuck), (1, 0));
    assert!(run.is_finished());
    assert!(end >= Millis(60_000).plus(cfg.stuck_watch), "{end:?}");
}
