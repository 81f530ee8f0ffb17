//! Reads wait out the service's pauses, in virtual time.

use super::*;
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A virtual clock that notes, at each sleep, what the ledger reported as the wait.
struct Virtual<'a> {
    now: Cell<u64>,
    ledger: &'a LimitsLedger,
    reported: RefCell<Vec<Option<Duration>>>,
}

impl Clock for Virtual<'_> {
    fn now(&self) -> Millis {
        Millis(self.now.get())
    }
    fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
        self.reported.borrow_mut().push(self.ledger.waiting(self.now()));
        self.now.set(self.now.get() + u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        std::future::ready(())
    }
}

/// Answers `429 Retry-After: secs` to the first `throttles` requests, then 200; notes send times.
struct Throttling<'a> {
    clock: &'a Virtual<'a>,
    throttles: Cell<u32>,
    secs: u64,
    sent_at: RefCell<Vec<Millis>>,
}

impl Transport for Throttling<'_> {
    async fn send(&self, _request: Request) -> Result<Response, TransportError> {
        self.sent_at.borrow_mut().push(self.clock.now());
        if self.throttles.get() > 0 {
            self.throttles.set(self.throttles.get() - 1);
            return Ok(Response {
                status: 429,
                headers: vec![("Retry-After".into(), self.secs.to_string())],
                body: r#"{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit"}}"#.into(),
            });
        }
        Ok(Response { status: 200, headers: vec![], body: "{}".into() })
    }
}

#[test]
fn a_read_waits_out_retry_after_reports_the_wait_and_sends_again() {
    let ledger = LimitsLedger::new();
    let clock = Virtual { now: Cell::new(1_000), ledger: &ledger, reported: RefCell::default() };
    let net = Throttling { clock: &clock, throttles: Cell::new(2), secs: 7, sent_at: RefCell::default() };
    let answer = block_on(Patient::reads(&net, &clock, &ledger).send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(*net.sent_at.borrow(), vec![Millis(1_000), Millis(8_000), Millis(15_000)], "retried after 7 s each");
    assert_eq!(*clock.reported.borrow(), vec![Some(Duration::from_secs(7)); 2], "the wait was reported");
    assert_eq!((ledger.throttled_count(), ledger.waiting(clock.now())), (2, None));
}

#[test]
fn a_read_gives_the_429_back_after_so_many_tries() {
    let ledger = LimitsLedger::new();
    let clock = Virtual { now: Cell::new(0), ledger: &ledger, reported: RefCell::default() };
    let net = Throttling { clock: &clock, throttles: Cell::new(100), secs: 1, sent_at: RefCell::default() };
    let answer = block_on(Patient::reads(&net, &clock, &ledger).send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(answer.status, 429);
    assert_eq!(net.sent_at.borrow().len(), MAX_THROTTLED_TRIES as usize);
}

#[test]
fn a_pause_a_bulk_run_ran_into_holds_the_pages_reads_back_and_the_run_gets_its_429_unchanged() {
    let ledger = LimitsLedger::new();
    let clock = Virtual { now: Cell::new(0), ledger: &ledger, reported: RefCell::default() };
    let run_net = Throttling { clock: &clock, throttles: Cell::new(1), secs: 30, sent_at: RefCell::default() };
    let answer = block_on(Patient::runs(&run_net, &clock, &ledger).send(Request::get("$batch"))).unwrap();
    assert_eq!((answer.status, run_net.sent_at.borrow().len()), (429, 1), "the run handles its own 429");
    assert_eq!(ledger.paused_until(clock.now()), Some(Millis(30_000)));
    let read_net = Throttling { clock: &clock, throttles: Cell::new(0), secs: 1, sent_at: RefCell::default() };
    let answer = block_on(Patient::reads(&read_net, &clock, &ledger).send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(*read_net.sent_at.borrow(), vec![Millis(30_000)], "the read waited for the run's pause to end");
}

#[test]
fn the_whole_checklist_read_survives_throttling_instead_of_reporting_unable_to_check() {
    let ledger = LimitsLedger::new();
    let clock = Virtual { now: Cell::new(0), ledger: &ledger, reported: RefCell::default() };
    // Every read is throttled twice before it is answered (with an empty body: decoding fails, but
    // not as "throttled").
    let net = Throttling { clock: &clock, throttles: Cell::new(6), secs: 2, sent_at: RefCell::default() };
    let (_, errors) = block_on(crate::collect::snapshot(&Patient::reads(&net, &clock, &ledger)));
    assert!(
        errors.iter().all(|e| !matches!(e.error, crate::error::Error::Throttled { .. })),
        "no part gave up on throttling: {errors:?}"
    );
    let (_, errors) = block_on(crate::collect::snapshot(&Throttling {
        clock: &clock,
        throttles: Cell::new(100),
        secs: 2,
        sent_at: RefCell::default(),
    }));
    assert!(errors.iter().any(|e| matches!(e.error, crate::error::Error::Throttled { .. })), "without it, it does");
}
