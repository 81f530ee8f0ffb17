//! Pacing by the ledger of the service protection limits.

use super::*;

/// What [`drive_lanes`] saw.
#[derive(Debug, Default)]
struct Lanes {
    /// (sent at, cost, requests in flight once it was sent) of every request.
    sent: Vec<(Millis, u64, usize)>,
    /// (answered at, cost) of every answered request.
    answered: Vec<(Millis, u64)>,
    /// (from, until): the run held everything back with nothing in flight, and `poll_timeout` named `until`.
    waits: Vec<(Millis, Millis)>,
}

impl Lanes {
    fn most_in_flight(&self) -> usize {
        self.sent.iter().map(|s| s.2).max().unwrap_or(0)
    }

    /// Execution time (as the service would count it) of requests answered in `(t - window, t]`.
    fn charged(&self, t: Millis, window: u64) -> u64 {
        self.answered.iter().filter(|(a, _)| a.0 + window > t.0 && *a <= t).map(|(_, c)| c).sum()
    }
}

/// A request's time from sending to answer in [`drive_lanes`]: 100 ms of round trip plus 60 ms per write.
fn cost_of(request: &Request) -> u64 {
    let body = request.body.as_deref().unwrap_or("");
    100 + 60 * body.split("\r\n").filter(|l| l.starts_with("PATCH ")).count() as u64
}

/// Drives `run` with every request it lets go in flight at once, each answered [`cost_of`] after it
/// was sent (with `headers` added to 2xx answers); time jumps to the next answer or to `poll_timeout`.
/// Stops at the end, or at the first wait with nothing in flight when `stop_at_wait`.
fn drive_lanes(
    run: &mut Run,
    fake: &mut Fake,
    mut now: Millis,
    headers: &[(&str, &str)],
    stop_at_wait: bool,
) -> (Millis, Lanes) {
    let mut lanes = Lanes::default();
    let mut flights: Vec<(Millis, RequestId, Request, u64)> = Vec::new();
    for _ in 0..100_000 {
        while let Some((id, request)) = run.poll_request(now) {
            let cost = cost_of(&request);
            flights.push((now.plus(Duration::from_millis(cost)), id, request, cost));
            lanes.sent.push((now, cost, flights.len()));
        }
        if run.is_finished() && flights.is_empty() {
            break;
        }
        let timeout = run.poll_timeout();
        if let Some(t) = timeout {
            assert!(t > now, "poll_timeout never names a time already past: {t:?} at {now:?}");
        }
        let next = flights.iter().enumerate().min_by_key(|(_, f)| (f.0, f.1)).map(|(k, f)| (k, f.0));
        if let Some((k, _)) = next.filter(|(_, due)| timeout.is_none_or(|t| *due <= t)) {
            let (due, id, request, cost) = flights.swap_remove(k);
            now = due;
            let mut answer = fake.answer(now, &request);
            if let Ok(r) = &mut answer
                && r.status < 300
            {
                r.headers.extend(headers.iter().map(|(h, v)| (h.to_string(), v.to_string())));
            }
            run.handle_response(now, id, answer);
            lanes.answered.push((now, cost));
        } else if let Some(t) = timeout {
            if flights.is_empty() {
                lanes.waits.push((now, t));
                if stop_at_wait {
                    break;
                }
                assert_eq!(run.poll_request(Millis(t.0 - 1)), None, "nothing goes before the time it named");
            }
            now = t;
        } else {
            break;
        }
    }
    (now, lanes)
}

#[test]
fn a_run_whose_cost_fits_the_budget_keeps_max_in_flight_batches_in_flight_to_the_end() {
    let config = RunConfig { batch_size: 10, ..RunConfig::default() };
    assert_eq!(config.max_in_flight, 48);
    let mut run = Run::new(approvals(1000), config);
    let mut fake = Fake::with(&ids(1000));
    let (end, lanes) = drive_lanes(&mut run, &mut fake, Millis(0), &[], false);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed, p.throttled), (1000, 0, 0));
    assert!(fake.patches.values().all(|n| *n == 1));
    assert_eq!(lanes.sent.iter().filter(|s| s.0 == Millis(0)).count(), 48, "all 48 at once from the start");
    assert_eq!(lanes.most_in_flight(), 48);
    assert!(lanes.waits.is_empty(), "never held back: {:?}", lanes.waits);
    // 100 full batches of 700 ms over 48 lanes would take three rounds (2,100 ms); spreading the last
    // writes over every lane ends sooner, and nothing can end before the 1,000 writes at 60 ms each
    // plus a round trip per lane have run.
    let work: u64 = lanes.sent.iter().map(|s| s.1).sum();
    assert!(end < Millis(2_100), "{end:?}");
    assert!(end.0 >= work / 48, "{end:?} {work}");
    assert!(lanes.sent.iter().all(|s| (220..=700).contains(&s.1)), "batches of 2 to 10 writes");
    let (spent, reserved) = run.execution_in_window(end);
    assert_eq!((spent, reserved), (work, 0), "every answer charged its time from sending to answer");
}

/// Budget of 10 s per 60 s window; 20 batches of 700 ms cost 14 s.
fn tight() -> RunConfig {
    RunConfig {
        batch_size: 10,
        max_in_flight: 4,
        execution_budget: Duration::from_secs(10),
        limit_window: Duration::from_secs(60),
        ..RunConfig::default()
    }
}

#[test]
fn a_run_over_the_execution_budget_pauses_until_the_window_slides_and_never_sends_over_it() {
    let mut run = Run::new(approvals(200), tight());
    let mut fake = Fake::with(&ids(200));
    let (end, lanes) = drive_lanes(&mut run, &mut fake, Millis(0), &[], false);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed, p.throttled), (200, 0, 0));
    assert_eq!(p.requests as usize, lanes.sent.len());
    // Each send fitted: what the window held plus what was in flight (at its real cost) ≤ 10 s.
    for (s, _, _) in &lanes.sent {
        let in_flight: u64 =
            lanes.sent.iter().filter(|(t, c, _)| t <= s && t.0 + c > s.0).map(|(_, c, _)| c).sum::<u64>();
        let held = lanes.charged(*s, 60_000) + in_flight;
        assert!(held <= 10_000, "sent at {s:?} with {held} ms in the window and in flight");
    }
    // It paused with nothing in flight until the first answers left the window, and said when.
    assert_eq!(lanes.waits.len(), 1, "{:?}", lanes.waits);
    let (from, until) = lanes.waits[0];
    let first_answer = lanes.answered[0].0;
    assert_eq!(first_answer, Millis(700));
    assert_eq!(until, first_answer.plus(Duration::from_secs(60)), "when the first charge leaves the window");
    assert!(lanes.sent.iter().all(|s| s.0 <= from || s.0 >= until), "nothing sent while over budget");
    let before: u64 = lanes.answered.iter().filter(|a| a.0 <= from).map(|a| a.1).sum();
    assert_eq!(lanes.charged(from, 60_000), before, "everything answered before the pause is still in the window");
    assert!(lanes.charged(from, 60_000) > 10_000 - 700, "it stopped only when the next batch would not fit");
    assert!(end > until, "{end:?}");
}

#[test]
fn a_run_over_the_request_budget_pauses_until_the_oldest_request_leaves_the_window() {
    let config = RunConfig {
        batch_size: 10,
        max_in_flight: 2,
        request_budget: 5,
        limit_window: Duration::from_secs(10),
        ..RunConfig::default()
    };
    let mut run = Run::new(approvals(100), config);
    let mut fake = Fake::with(&ids(100));
    let (end, lanes) = drive_lanes(&mut run, &mut fake, Millis(0), &[], false);
    assert_eq!(run.progress().succeeded, 100);
    assert_eq!(run.requests_in_window(end), lanes.sent.iter().filter(|s| s.0.0 + 10_000 > end.0).count());
    for (s, _, _) in &lanes.sent {
        let in_window = lanes.sent.iter().filter(|(t, _, _)| t <= s && t.0 + 10_000 > s.0).count();
        assert!(in_window <= 5, "{in_window} requests in the window at {s:?}");
    }
    // Two at 0, two at 700, one at 1,400: then the first two must leave the window (at 10 s).
    let times: Vec<u64> = lanes.sent.iter().map(|s| s.0.0).collect();
    assert_eq!(times[..5], [0, 0, 700, 700, 1_400]);
    assert_eq!(lanes.waits[0], (Millis(2_100), Millis(10_000)));
    assert_eq!(times[5], 10_000);
    assert!(end >= Millis(20_000), "the second five had to wait for the first window too: {end:?}");
}

#[test]
fn a_429_is_still_waited_out_when_the_ledger_had_room() {
    let mut run = Run::new(approvals(100), RunConfig { batch_size: 10, max_in_flight: 4, ..RunConfig::default() });
    let mut fake = Fake::with(&ids(100));
    fake.script.push_back(Script::Throttle(7));
    let (_, lanes) = drive_lanes(&mut run, &mut fake, Millis(0), &[], false);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed, p.throttled), (100, 0, 1));
    assert!(p.items.iter().all(|i| i.status != Some(429) && i.attempts == 1));
    // The 429 came at 700 (the first answer) with Retry-After 7 s: nothing new until 7,700.
    assert_eq!(lanes.answered[0].0, Millis(700));
    assert!(lanes.sent.iter().all(|s| s.0 <= Millis(700) || s.0 >= Millis(7_700)), "{:?}", lanes.sent);
    assert!(lanes.sent.iter().any(|s| s.0 == Millis(7_700)));
}

#[test]
fn a_run_paused_by_the_budget_resumes_from_its_journal_without_repeating_writes() {
    let plan = approvals(200);
    let mut run = Run::new(plan.clone(), tight());
    let mut fake = Fake::with(&ids(200));
    let (at, lanes) = drive_lanes(&mut run, &mut fake, Millis(0), &[], true);
    assert_eq!(lanes.waits.len(), 1);
    let done = run.progress().succeeded;
    assert!(done > 100 && done < 200, "{done}");
    // The page closes during the pause: only the journal and the configuration survive.
    let saved = crate::bulk::SavedRun::of("https://contoso.crm.dynamics.com", &run).to_json();
    let crate::bulk::SavedRun { journal, config, .. } = crate::json::decode(&saved.to_string()).unwrap();
    assert_eq!(config, tight());
    let mut resumed = Run::resume(plan, &journal, config).unwrap();
    assert_eq!(resumed.progress().succeeded, done);
    drive_lanes(&mut resumed, &mut fake, at, &[], false);
    assert_eq!(resumed.progress().succeeded, 200);
    assert!(fake.patches.values().all(|n| *n == 1), "{:?}", fake.patches);
    assert_eq!(fake.patches.len(), 200);
}

#[test]
fn the_services_ratelimit_headers_only_ever_hold_the_run_back_and_can_be_switched_off() {
    let config = RunConfig { batch_size: 10, max_in_flight: 4, ..RunConfig::default() };
    // The service says 1.5 s of execution is left (other tabs spent the rest): after the first answer,
    // one batch at a time.
    let low = [("x-ms-ratelimit-time-remaining-xrm-requests", "1.50")];
    let mut run = Run::new(approvals(100), config.clone());
    let mut fake = Fake::with(&ids(100));
    let (_, lanes) = drive_lanes(&mut run, &mut fake, Millis(0), &low, false);
    assert_eq!(run.progress().succeeded, 100);
    let first_answer = lanes.answered[0].0;
    let full: Vec<usize> = lanes.sent.iter().filter(|s| s.0 > first_answer && s.1 == 700).map(|s| s.2).collect();
    assert!(full.len() >= 2 && full.iter().all(|n| *n == 1), "{:?}", lanes.sent);
    // No requests left: likewise.
    let mut run = Run::new(approvals(100), config.clone());
    let mut fake = Fake::with(&ids(100));
    let (_, lanes) =
        drive_lanes(&mut run, &mut fake, Millis(0), &[("x-ms-ratelimit-burst-remaining-xrm-requests", "0")], false);
    assert_eq!(run.progress().succeeded, 100);
    assert!(lanes.sent.iter().filter(|s| s.0 > Millis(700)).all(|s| s.2 == 1), "{:?}", lanes.sent);
    // Plenty left: the run's own ledger decides, exactly as without the headers.
    let high = [
        ("x-ms-ratelimit-time-remaining-xrm-requests", "1,199.50"),
        ("x-ms-ratelimit-burst-remaining-xrm-requests", "5999"),
    ];
    let mut run = Run::new(approvals(100), config.clone());
    let mut fake = Fake::with(&ids(100));
    let (_, with) = drive_lanes(&mut run, &mut fake, Millis(0), &high, false);
    let mut run = Run::new(approvals(100), config.clone());
    let mut fake = Fake::with(&ids(100));
    let (_, without) = drive_lanes(&mut run, &mut fake, Millis(0), &[], false);
    assert_eq!(with.sent, without.sent);
    assert_eq!(without.most_in_flight(), 4);
    // Switched off, the low header is ignored.
    let mut run = Run::new(approvals(100), RunConfig { use_ratelimit_headers: false, ..config });
    let mut fake = Fake::with(&ids(100));
    let (_, lanes) = drive_lanes(&mut run, &mut fake, Millis(0), &low, false);
    assert_eq!(lanes.most_in_flight(), 4);
    assert!(lanes.sent.iter().filter(|s| s.0 > Millis(700)).any(|s| s.2 == 4));
}

#[test]
fn a_configuration_saved_without_the_ledger_fields_loads_with_their_defaults() {
    let run = Run::new(approvals(1), RunConfig { batch_size: 25, max_in_flight: 4, ..RunConfig::default() });
    let mut saved = crate::bulk::SavedRun::of("https://contoso.crm.dynamics.com", &run).to_json();
    let fields = saved["config"].as_object_mut().unwrap();
    for key in ["limit_window_ms", "execution_budget_ms", "request_budget", "use_ratelimit_headers"] {
        assert!(fields.remove(key).is_some(), "{key}");
    }
    let config = crate::json::decode::<crate::bulk::SavedRun>(&saved.to_string()).unwrap().config;
    assert_eq!((config.batch_size, config.max_in_flight), (25, 4), "saved values are kept");
    assert_eq!(config.limit_window, Duration::from_secs(300));
    assert_eq!(config.execution_budget, Duration::from_millis(1_000_000));
    assert_eq!((config.request_budget, config.use_ratelimit_headers), (5000, true));
}
