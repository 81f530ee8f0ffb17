//! 10,000 approvals + verification against the simulator with its service protection limits on, time
//! scaled; compared with two baselines in the same run: a sequential one-PATCH-per-mailbox loop, and
//! a careful script (the same batches, as many in flight, `Retry-After` honoured, but no verification).
//!
//! `cargo bench -p syncready-core --bench bulk_approve` (arguments: `[approvals] [speed-up] [rtt-ms]
//! [batch-size] [in-flight] [execution-budget-ms]`, default `10000 0 100 50 48 1000000`, the last three
//! being the engine's [`RunConfig`] defaults).
//!
//! The simulator enforces the real limits (reference §10: per user, a sliding window of 300 s, 6,000
//! requests, 1,200,000 ms of combined execution, 52 concurrent) and each request takes its execution
//! cost (the sim's defaults: 60 ms per write, 20 ms per read + 0.05 ms per row, 10 ms per batch
//! envelope) plus a network round trip of `rtt-ms`. Before the loop and before the engine, the sim's
//! clock moves on by a window, so each starts from an empty window. Time is scaled in one of two ways:
//!
//! - `speed-up` > 0: the sim runs on the real clock sped up that many times and sleeps each request's
//!   cost (scaled). The sim's own CPU time then counts too, multiplied by the speed-up: with 48 batches
//!   in flight on one thread it inflates latencies, so figures are faithful only at small speed-ups
//!   (1–2 for 10,000 approvals on a small machine).
//! - `speed-up` = 0 (the default): virtual time. The sim's clock stands still while it computes and is
//!   moved on by the transport; each request reaches the sim half a round trip after it is sent, its
//!   answer comes back its execution cost (computed from the sim's `OperationCost` exactly as the sim
//!   charges it) plus half a round trip later. The sim charges the execution when it admits the request
//!   (its virtual clock does not move during it), and the transport enforces the 52 concurrent requests
//!   (from arrival to completion, answering 429 as the sim would). Runs take seconds, whatever their
//!   length in sim time.
//!
//! The ceiling the limits allow, for N verified approvals in batches of b starting from an empty
//! window, with X the execution per verified approval (a write, its share of the batch's read-back and
//! of the envelope): the run takes at least the longest of
//! - concurrency: N·X / 52 lanes. The simulator counts a request as running from its arrival to its
//!   completion (the round trip is not busy time at the server), so each of the 52 lanes is busy for a
//!   batch's execution only, and a client with more requests on the wire than running can keep all 52
//!   busy;
//! - execution time: the smallest T with N·X ≤ 1,200 s × ceil(T / 300 s) (the sliding window lets one
//!   window's allowance through at once, the next when it has slid past);
//! - requests: likewise with N / b requests ≤ 6,000 × ceil(T / 300 s).
//!
//! Printed: the engine's throughput, the ceiling, their ratio (a), and which bound binds (also against
//! the share of the limits the engine is configured to use, which leaves room for the admin's own
//! tabs); the loop's throughput and the ratio of the two (b); the careful script's throughput and the
//! ratio of the two (c); the service's recommended parallelism (`x-ms-dop-hint`, sent by the simulator)
//! and the concurrency the engine capped itself to; 429s the engine met and handled, and items that
//! failed for throttling (surfaced to the user).
// Host-only test code: the wasm size rules (clippy.toml) do not apply.
#![allow(clippy::disallowed_methods)]

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

/// The simulator (axum, tokio) only runs natively.
#[cfg(not(target_arch = "wasm32"))]
#[path = "support/virtual_time.rs"]
mod virtual_time;

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/in_process.rs"]
mod in_process;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::in_process;
    use super::virtual_time::{VirtualTime, ms};
    use dataverse_sim::{ClockMode, Config, Limits, OperationCost, Scenario, Sim};
    use std::cell::Cell;
    use std::collections::HashSet;
    use std::future::{Future, poll_fn};
    use std::pin::Pin;
    use std::task::Poll;
    use std::time::{Duration, Instant};
    use syncready_core::bulk::{self, Action, Clock, ItemState, Millis, RunConfig, Selection};
    use syncready_core::http::{Method, Request, Response, Transport, TransportError};
    use syncready_core::odata::batch::{self, BatchEntry};

    const HOST: &str = "contoso.crm.dynamics.com";

    /// Sim time for the engine and the loop.
    enum BenchClock<'a> {
        /// Real time since `start` times `factor`.
        Scaled {
            start: Instant,
            factor: f64,
        },
        Virtual(&'a VirtualTime),
    }

    impl Clock for BenchClock<'_> {
        fn now(&self) -> Millis {
            match self {
                BenchClock::Scaled { start, factor } => {
                    Millis((start.elapsed().as_secs_f64() * factor * 1000.0) as u64)
                }
                BenchClock::Virtual(time) => Millis(time.now.get()),
            }
        }

        fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
            let sleep: Pin<Box<dyn Future<Output = ()> + '_>> = match self {
                BenchClock::Scaled { factor, .. } => Box::pin(tokio::time::sleep(d.div_f64(*factor))),
                BenchClock::Virtual(time) => Box::pin(time.sleep(d)),
            };
            sleep
        }
    }

    /// Execution time the sim charges for `request` answered with `response` (its `OperationCost`
    /// model: a write; a read plus its rows; a batch's envelope plus its parts).
    fn execution(cost: &OperationCost, request: &Request, response: &Response) -> Duration {
        let op = |write: bool, answer: &Response| {
            if write {
                return cost.write;
            }
            let rows = serde_json::from_str::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|v| v.get("value").and_then(|v| v.as_array()).map(Vec::len))
                .unwrap_or(0) as u64;
            let per_row_ms = rows * cost.per_row.as_micros() as u64 / 1000;
            cost.read + Duration::from_millis(per_row_ms)
        };
        if response.status == 429 || response.status == 401 {
            return Duration::ZERO;
        }
        if request.path != "$batch" {
            return op(request.method != Method::Get, response);
        }
        let body = request.body.as_deref().unwrap_or("");
        let ops = body.split("\r\n").filter(|l| l.starts_with("PATCH ") || l.starts_with("GET "));
        let parts = batch::decode(response).unwrap_or_default();
        cost.batch
            + ops.zip(&parts).map(|(line, part)| op(line.starts_with("PATCH "), &part.response)).sum::<Duration>()
    }

    struct SimTransport<'a> {
        sim: Sim,
        router: axum::Router,
        cookie: String,
        clock: &'a BenchClock<'a>,
        /// Network round trip, sim time.
        rtt: Duration,
        cost: OperationCost,
        max_concurrent: u32,
        /// Virtual mode: sim time already given to the sim.
        synced: Cell<u64>,
        /// Virtual mode: requests the "server" is running, and the most at once.
        running: Cell<u32>,
        most_running: Cell<u32>,
        requests: Cell<u64>,
        throttled: Cell<u64>,
    }

    impl SimTransport<'_> {
        async fn call(&self, request: Request) -> Result<Response, TransportError> {
            in_process::send(&self.router, HOST, &self.cookie, request).await
        }

        /// Moves the sim's clock on by `d` (virtual mode: also to catch up with virtual time).
        fn advance(&self, d: Duration) {
            match self.clock {
                BenchClock::Scaled { .. } => self.sim.advance(d),
                BenchClock::Virtual(time) => {
                    let now = time.now.get() + ms(d);
                    time.now.set(now);
                    self.sync();
                }
            }
        }

        fn sync(&self) {
            if let BenchClock::Virtual(time) = self.clock {
                let now = time.now.get();
                if now > self.synced.get() {
                    self.sim.advance(Duration::from_millis(now - self.synced.get()));
                    self.synced.set(now);
                }
            }
        }
    }

    impl Transport for SimTransport<'_> {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.requests.set(self.requests.get() + 1);
            let answer = match self.clock {
                BenchClock::Scaled { factor, .. } => {
                    tokio::time::sleep(self.rtt.div_f64(*factor)).await;
                    self.call(request).await?
                }
                BenchClock::Virtual(time) => {
                    time.sleep(self.rtt / 2).await;
                    if self.running.get() >= self.max_concurrent {
                        time.sleep(self.rtt / 2).await;
                        self.throttled.set(self.throttled.get() + 1);
                        let body = format!(
                            r#"{{"error":{{"code":"0x80072326","message":"Number of concurrent requests exceeded the limit of {}."}}}}"#,
                            self.max_concurrent
                        );
                        return Ok(Response {
                            status: 429,
                            headers: vec![
                                ("Retry-After".into(), "1".into()),
                                ("Content-Type".into(), "application/json".into()),
                            ],
                            body,
                        });
                    }
                    self.running.set(self.running.get() + 1);
                    self.most_running.set(self.most_running.get().max(self.running.get()));
                    self.sync();
                    let answer = self.call(request.clone()).await?;
                    time.sleep(execution(&self.cost, &request, &answer)).await;
                    self.running.set(self.running.get() - 1);
                    time.sleep(self.rtt / 2).await;
                    answer
                }
            };
            if answer.status == 429 {
                self.throttled.set(self.throttled.get() + 1);
            }
            Ok(answer)
        }
    }

    fn arg(n: usize, default: f64) -> f64 {
        std::env::args().skip(1).filter(|a| !a.starts_with('-')).nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
    }

    /// Limits per window of `window_s` seconds, and concurrency.
    struct Caps {
        lanes: f64,
        window_s: f64,
        exec_ms: f64,
        requests: f64,
    }

    /// The least time `n` verified approvals in batches of `b` can take from an empty window under
    /// `caps`, with `x_ms` of execution per approval; and the bound that sets it.
    fn least_time(n: f64, b: f64, x_ms: f64, busy_rtt_ms: f64, caps: &Caps) -> (f64, &'static str) {
        let concurrency = n / (caps.lanes * b / ((b * x_ms + busy_rtt_ms) / 1000.0));
        let execution = caps.window_s * ((n * x_ms / caps.exec_ms).ceil() - 1.0).max(0.0);
        let requests = caps.window_s * (((n / b).ceil() / caps.requests).ceil() - 1.0).max(0.0);
        let mut bounds = [(concurrency, "concurrency"), (execution, "execution time"), (requests, "requests")];
        bounds.sort_by(|a, b| b.0.total_cmp(&a.0));
        bounds[0]
    }

    #[tokio::main(flavor = "current_thread")]
    pub(crate) async fn main() {
        let factor = arg(1, 0.0);
        let time = VirtualTime::default();
        let clock = if factor > 0.0 {
            BenchClock::Scaled { start: Instant::now(), factor }
        } else {
            BenchClock::Virtual(&time)
        };
        time.run(bench(&clock, factor)).await;
    }

    /// The fair baseline: what a careful script does. The same batches as the engine (PATCHes only, no
    /// read-back), `lanes` of them in flight, a 429 waited out for its `Retry-After` and the batch sent
    /// again; nothing verified. Returns the requests sent.
    async fn careful_script(
        transport: &SimTransport<'_>,
        clock: &BenchClock<'_>,
        ids: &[String],
        b: usize,
        lanes: usize,
    ) -> u64 {
        type Lane<'f> = Pin<Box<dyn Future<Output = (usize, Result<Response, TransportError>)> + 'f>>;
        let batches: Vec<Request> = ids
            .chunks(b.max(1))
            .enumerate()
            .map(|(k, chunk)| {
                let entries: Vec<BatchEntry> = chunk
                    .iter()
                    .map(|id| {
                        BatchEntry::Single(Request {
                            method: Method::Patch,
                            path: format!("mailboxes({id})"),
                            headers: vec![
                                ("Content-Type".into(), "application/json".into()),
                                ("If-Match".into(), "*".into()),
                            ],
                            body: Some(r#"{"emailrouteraccessapproval":1}"#.into()),
                        })
                    })
                    .collect();
                batch::encode(k as u64 + 1, &entries, true)
            })
            .collect();
        let send = |k: usize, wait: Duration| -> Lane<'_> {
            let request = batches[k].clone();
            Box::pin(async move {
                if !wait.is_zero() {
                    clock.sleep(wait).await;
                }
                (k, transport.send(request).await)
            })
        };
        let mut next = 0;
        let mut lanes_busy: Vec<Lane<'_>> = Vec::new();
        let mut sent = 0;
        loop {
            while lanes_busy.len() < lanes.max(1) && next < batches.len() {
                lanes_busy.push(send(next, Duration::ZERO));
                next += 1;
                sent += 1;
            }
            if lanes_busy.is_empty() {
                return sent;
            }
            let (i, (k, answer)) = poll_fn(|cx| {
                for (i, f) in lanes_busy.iter_mut().enumerate() {
                    if let Poll::Ready(out) = f.as_mut().poll(cx) {
                        return Poll::Ready((i, out));
                    }
                }
                Poll::Pending
            })
            .await;
            drop(lanes_busy.swap_remove(i));
            let retry = match &answer {
                Ok(r) if r.status == 429 => Some(syncready_core::limits::retry_after(r)),
                Ok(r) if r.status >= 500 => Some(Duration::from_secs(1)),
                Err(_) => Some(Duration::from_secs(1)),
                Ok(_) => None,
            };
            if let Some(wait) = retry {
                lanes_busy.push(send(k, wait));
                sent += 1;
            }
        }
    }

    async fn bench(clock: &BenchClock<'_>, factor: f64) {
        let defaults = RunConfig::default();
        let approvals = arg(0, 10_000.0) as usize;
        let rtt_ms = arg(2, 100.0);
        let batch_size = arg(3, defaults.batch_size as f64) as usize;
        let in_flight = arg(4, defaults.max_in_flight as f64) as usize;
        let budget_ms = arg(5, defaults.execution_budget.as_millis() as f64);
        let loop_n = 200usize;

        // The real limits; only the clock is scaled.
        let limits = Limits { cost_as_latency: true, ..Limits::default() };
        let cost = limits.cost.clone();
        let sim_clock = if factor > 0.0 { ClockMode::Real { factor } } else { ClockMode::default() };
        let config = Config { clock: sim_clock, limits: limits.clone(), ..Config::default() };
        let scenario = Scenario::fresh("Contoso").mailboxes(2 * approvals + loop_n + 100);
        let sim = Sim::builder().org("contoso", scenario).config(config).build();
        let transport = SimTransport {
            router: dataverse_sim::app(sim.clone()),
            cookie: sim.sign_in("contoso").unwrap_or_default(),
            sim: sim.clone(),
            clock,
            rtt: Duration::from_secs_f64(rtt_ms / 1000.0),
            cost: cost.clone(),
            max_concurrent: limits.max_concurrent,
            synced: Cell::new(0),
            running: Cell::new(0),
            most_running: Cell::new(0),
            requests: Cell::new(0),
            throttled: Cell::new(0),
        };

        let (snapshot, errors) = syncready_core::collect::snapshot(&transport).await;
        assert!(errors.is_empty(), "{errors:?}");
        let all = bulk::plan(&snapshot, &Selection::Matching(Default::default()), &Action::Approve).expect("plan");
        let ids: Vec<String> = all.items.iter().map(|i| i.id.clone()).collect();
        let (loop_ids, rest) = ids.split_at(loop_n.min(ids.len()));
        let (script_ids, engine_ids) = rest.split_at(approvals.min(rest.len()));
        let engine_ids: HashSet<String> = engine_ids.iter().take(approvals).cloned().collect();
        let time_mode = if factor > 0.0 { format!("real clock sped up {factor}x") } else { "virtual time".into() };
        println!(
            "bulk_approve: {} approvals by the engine ({batch_size} per batch, {in_flight} in flight, execution budget {budget_ms:.0} ms per window), {} by the sequential loop; real limits (300 s window: 6000 requests, 1,200,000 ms, 52 concurrent); {time_mode}; RTT {rtt_ms} ms",
            engine_ids.len(),
            loop_ids.len()
        );
        // Let the collection's execution time leave the sim's window.
        transport.advance(limits.window);

        // The sequential loop: one PATCH per mailbox, each awaited, no verification (what scripts do).
        let t0 = clock.now();
        let mut loop_ok = 0usize;
        for id in loop_ids {
            let request = Request {
                method: Method::Patch,
                path: format!("mailboxes({id})"),
                headers: vec![("Content-Type".into(), "application/json".into()), ("If-Match".into(), "*".into())],
                body: Some(r#"{"emailrouteraccessapproval":1}"#.into()),
            };
            if transport.send(request).await.is_ok_and(|r| r.status == 204) {
                loop_ok += 1;
            }
        }
        let loop_s = clock.now().since(t0).as_secs_f64();
        let loop_rate = loop_ok as f64 / loop_s;
        transport.advance(limits.window);

        // The careful script: batched and parallel like the engine, 429s waited out, nothing verified.
        // What it applied is the simulator's own count.
        let t_script = clock.now();
        let script_requests = careful_script(&transport, clock, script_ids, batch_size, in_flight).await;
        let script_s = clock.now().since(t_script).as_secs_f64();
        let writes = sim.api_writes("contoso");
        let script_ok = script_ids.iter().filter(|id| writes.get(*id).is_some_and(|n| *n >= 1)).count();
        let script_rate = script_ok as f64 / script_s;
        transport.advance(limits.window);

        // The engine: batches with in-batch read-back, paced by its ledger of the limits.
        let snapshot = {
            let mut s = snapshot;
            if let Some(m) = s.mailboxes.as_mut() {
                m.retain(|mb| engine_ids.contains(&mb.id));
            }
            s
        };
        let plan = bulk::plan(&snapshot, &Selection::Matching(Default::default()), &Action::Approve).expect("plan");
        let n = plan.items.len();
        let run_config = RunConfig {
            batch_size,
            max_in_flight: in_flight,
            execution_budget: Duration::from_secs_f64(budget_ms / 1000.0),
            ..defaults
        };
        let throttled_before = transport.throttled.get();
        let requests_before = transport.requests.get();
        transport.most_running.set(0);
        let t1 = clock.now();
        let wall = Instant::now();
        let trace = std::env::var_os("BULK_TRACE").is_some();
        let mut most_spent = 0u64;
        // `drive_with`, so that the progress is not built after every answer.
        let out = bulk::drive_with(bulk::Run::new(plan, run_config.clone()), &transport, clock, |run| {
            let now = clock.now();
            let (spent, reserved) = run.execution_in_window(now);
            most_spent = most_spent.max(spent);
            if trace {
                eprintln!(
                    "{:.1} s: {} in flight, {} requests and {spent} + {reserved} ms in the window, next {:?}",
                    now.since(t1).as_secs_f64(),
                    run.in_flight(),
                    run.requests_in_window(now),
                    run.poll_timeout().map(|t| t.since(t1).as_secs_f64()),
                );
            }
        })
        .await;
        let engine_s = clock.now().since(t1).as_secs_f64();
        let wall_s = wall.elapsed().as_secs_f64();
        let p = &out.progress;
        let verified = p.items.iter().filter(|i| i.state == ItemState::Succeeded).count();
        let failed = p.items.iter().filter(|i| i.state != ItemState::Succeeded).count();
        let surfaced_429 = p.items.iter().filter(|i| i.status == Some(429)).count();
        let engine_rate = verified as f64 / engine_s;
        let met_429 = transport.throttled.get() - throttled_before;

        // X: a write, plus the batch's read-back GET(s) and envelope shared over its writes.
        let msf = |d: Duration| d.as_secs_f64() * 1000.0;
        let b = run_config.batch_size as f64;
        let reads = (b / run_config.read_chunk as f64).ceil();
        let x = msf(cost.write) + (reads * msf(cost.read) + b * msf(cost.per_row) + msf(cost.batch)) / b;
        let window_s = limits.window.as_secs_f64();
        let limit_caps = Caps {
            lanes: f64::from(limits.max_concurrent),
            window_s,
            exec_ms: msf(limits.max_execution),
            requests: f64::from(limits.max_requests),
        };
        // The sim counts a request from arrival to completion: the round trip is no busy time.
        let (t_min, binds) = least_time(n as f64, b, x, 0.0, &limit_caps);
        let ceiling = n as f64 / t_min;
        // The same within the share the engine is configured to use (its ledger charges the time from
        // sending to answer, so X plus the round trip's share).
        let share_caps = Caps {
            lanes: in_flight as f64,
            window_s,
            exec_ms: budget_ms,
            requests: f64::from(run_config.request_budget),
        };
        let (t_share, binds_share) = least_time(n as f64, b, x + rtt_ms / b, rtt_ms, &share_caps);
        let share_ceiling = n as f64 / t_share;

        let running = match clock {
            BenchClock::Virtual(_) => {
                format!(", at most {} running at the server at once", transport.most_running.get())
            }
            BenchClock::Scaled { .. } => String::new(),
        };
        println!(
            "engine: {verified}/{n} verified in {engine_s:.1} s sim ({wall_s:.1} s wall): {engine_rate:.1} approvals/s; {} requests{running}; at most {most_spent} ms charged in its ledger's window; {met_429} 429s met and waited out; {failed} items not verified, {surfaced_429} failed for throttling (429s surfaced to the user)",
            transport.requests.get() - requests_before,
        );
        println!(
            "ceiling: {ceiling:.1} approvals/s (at least {t_min:.1} s for {n}; {binds} binds; X = {x:.2} ms of execution per verified approval)"
        );
        println!("(a) engine / ceiling: {:.0} %", 100.0 * engine_rate / ceiling);
        println!(
            "    within the configured share ({in_flight} in flight, {budget_ms:.0} ms and {} requests per window): {share_ceiling:.1} approvals/s ({t_share:.1} s; {binds_share} binds); engine / that: {:.0} %",
            run_config.request_budget,
            100.0 * engine_rate / share_ceiling
        );
        println!(
            "loop: {loop_ok} approvals in {loop_s:.1} s sim: {loop_rate:.2} approvals/s (RTT {rtt_ms} ms + {:.0} ms execution each)",
            msf(cost.write)
        );
        println!("(b) engine / loop: {:.1}x", engine_rate / loop_rate);
        println!(
            "careful script (batches of {batch_size}, {in_flight} in flight, 429s waited out, no verification): {script_ok}/{} applied in {script_s:.1} s sim: {script_rate:.1} approvals/s, {script_requests} requests; {:.0} % of the ceiling",
            script_ids.len(),
            100.0 * script_rate / ceiling
        );
        println!(
            "(c) engine / careful script: {:.2}x (the engine also reads every write back)",
            engine_rate / script_rate
        );
        println!(
            "parallelism: the service recommends {} (x-ms-dop-hint); the engine capped itself to {} in flight",
            limits.dop_hint.map_or_else(|| "nothing".to_owned(), |h| h.to_string()),
            out.run.max_in_flight()
        );
    }
}
