//! Issue 19: the timer table. `handle_timeout` acts on what is due, and `poll_timeout` names the next
//! deadline from the table and the per-item queue.

use super::*;

#[test]
fn handle_timeout_alone_ends_a_pause_that_is_over_so_poll_timeout_never_names_a_past_time() {
    let mut run = Run::new(approvals(10), config());
    let mut fake = Fake::with(&ids(10));
    fake.script.push_back(Script::Throttle(5));
    let (id, request) = run.poll_request(Millis(0)).unwrap();
    let answer = fake.answer(Millis(0), &request);
    run.handle_response(Millis(100), id, answer);
    assert_eq!(run.poll_timeout(), Some(Millis(5_100)), "the Retry-After pause");
    run.handle_timeout(Millis(6_000));
    assert_eq!(run.poll_timeout(), None, "nothing is in flight or timed once the pause is over");
    assert!(run.poll_request(Millis(6_000)).is_some(), "and the run sends again");
}

#[test]
fn tests_are_declared_stuck_by_handle_timeout_at_their_own_deadlines_earliest_first() {
    let config = RunConfig {
        stuck_after: Duration::from_secs(600),
        // Polls later than every deadline, so that `poll_timeout` names the deadlines.
        poll_interval: Duration::from_secs(100_000),
        ..config()
    };
    let mut run = Run::new(test_and_enable(30), config);
    let mut fake = Fake::with(&ids(30));
    for id in ids(30) {
        fake.test_done_at.insert(id, Millis(u64::MAX));
    }
    // Three batches of ten, 100 ms apart: three groups of tests with their own start.
    let mut now = Millis(0);
    while let Some((id, request)) = run.poll_request(now) {
        let answer = fake.answer(now, &request);
        now = now.plus(Duration::from_millis(100));
        run.handle_response(now, id, answer);
    }
    assert_eq!(run.progress().testing, 30, "{}", counts(&run));
    let first = Millis(100 + 600_000);
    assert_eq!(run.poll_timeout(), Some(first));
    run.handle_timeout(Millis(first.0 - 1));
    assert_eq!(run.progress().stuck, 0, "not before its deadline");
    run.handle_timeout(first);
    assert_eq!((run.progress().stuck, run.progress().testing), (10, 20), "the first group only");
    assert_eq!(run.poll_timeout(), Some(Millis(200 + 600_000)), "then the second group's deadline");
    run.handle_timeout(Millis(300 + 600_000));
    assert_eq!(run.progress().stuck, 30);
}
