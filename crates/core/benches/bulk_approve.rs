//! 10,000 approvals + verification against the simulator with its service protection limits on, time
//! scaled; compared with a sequential one-PATCH-per-mailbox loop in the same run.
//!
//! `cargo bench -p syncready-core --bench bulk_approve` (arguments: `[approvals] [speed-up] [rtt-ms] [batch-size]
//! [in-flight]`, default `10000 10 100 50 4`).
//!
//! Model: the simulator runs on a real clock sped up `speed-up` times; each request's execution cost
//! (the sim's defaults: 60 ms per write, 20 ms per read + 0.05 ms per row, 10 ms per batch envelope) is
//! spent as latency and counted against the limits (6,000 requests, 1,200,000 ms of execution per
//! window, 52 concurrent), and the transport adds a network round trip of `rtt-ms` per request. The
//! window is shortened to 30 s with the limits scaled by the same factor (600 requests, 120,000 ms),
//! so that the run spans several windows and measures the sustained rate rather than one burst.
//!
//! Printed: the engine's throughput; the ceiling the limits allow (the binding limit is execution time:
//! every approval costs a write whatever the batching); their ratio; the loop's throughput; the ratio
//! of the two; 429s received (handled by waiting) and 429s surfaced as item failures.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

/// The simulator (axum, tokio) only runs natively.
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use axum::body::Body;
    use dataverse_sim::{ClockMode, Config, Limits, Scenario, Sim};
    use std::cell::Cell;
    use std::time::{Duration, Instant};
    use syncready_core::bulk::{self, Action, Clock, ItemState, Millis, RunConfig, Selection};
    use syncready_core::http::{API_PATH, Method, Request, Response, Transport, TransportError};
    use tower::ServiceExt;

    const HOST: &str = "contoso.crm.dynamics.com";

    struct SimTransport {
        router: axum::Router,
        cookie: String,
        /// Real time per request for the network round trip.
        rtt: Duration,
        requests: Cell<u64>,
        throttled: Cell<u64>,
    }

    impl Transport for SimTransport {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.requests.set(self.requests.get() + 1);
            tokio::time::sleep(self.rtt).await;
            let method = match request.method {
                Method::Get => "GET",
                Method::Patch => "PATCH",
                Method::Post => "POST",
                Method::Delete => "DELETE",
            };
            let uri = if request.path.starts_with("http") {
                request.path.split_once(".com").map_or(request.path.clone(), |(_, p)| p.to_owned())
            } else {
                format!("{API_PATH}{}", request.path)
            };
            let mut builder = axum::http::Request::builder()
                .method(method)
                .uri(uri)
                .header("host", HOST)
                .header("cookie", format!("CrmOwinAuth={}", self.cookie));
            for (k, v) in &request.headers {
                builder = builder.header(k.as_str(), v.as_str());
            }
            let http = builder
                .body(Body::from(request.body.unwrap_or_default()))
                .map_err(|e| TransportError::Network(e.to_string()))?;
            let Ok(answer) = self.router.clone().oneshot(http).await;
            let status = answer.status().as_u16();
            if status == 429 {
                self.throttled.set(self.throttled.get() + 1);
            }
            let headers = answer
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX)
                .await
                .map_err(|e| TransportError::Network(e.to_string()))?;
            Ok(Response { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
        }
    }

    /// Sim time: real time since start-up times the speed-up.
    struct ScaledClock {
        start: Instant,
        factor: f64,
    }

    impl Clock for ScaledClock {
        fn now(&self) -> Millis {
            Millis((self.start.elapsed().as_secs_f64() * self.factor * 1000.0) as u64)
        }

        fn sleep(&self, d: Duration) -> impl std::future::Future<Output = ()> {
            tokio::time::sleep(d.div_f64(self.factor))
        }
    }

    fn arg(n: usize, default: f64) -> f64 {
        std::env::args().skip(1).filter(|a| !a.starts_with('-')).nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
    }

    #[tokio::main(flavor = "current_thread")]
    pub(crate) async fn main() {
        let approvals = arg(0, 10_000.0) as usize;
        let factor = arg(1, 10.0);
        let rtt_ms = arg(2, 100.0);
        let batch_size = arg(3, 50.0) as usize;
        let in_flight = arg(4, 4.0) as usize;
        let loop_n = 200usize;

        let limits = Limits {
            window: Duration::from_secs(30),
            max_requests: 600,
            max_execution: Duration::from_millis(120_000),
            cost_as_latency: true,
            ..Limits::default()
        };
        let cost = limits.cost.clone();
        let window_s = limits.window.as_secs_f64();
        let exec_rate = limits.max_execution.as_secs_f64() * 1000.0 / window_s; // ms of execution per second
        let request_rate = f64::from(limits.max_requests) / window_s;
        let config = Config { clock: ClockMode::Real { factor }, limits: limits.clone(), ..Config::default() };
        let scenario = Scenario::fresh("Contoso").mailboxes(approvals + loop_n + 100);
        let sim = Sim::builder().org("contoso", scenario).config(config).build();
        let transport = SimTransport {
            router: dataverse_sim::app(sim.clone()),
            cookie: sim.sign_in("contoso").unwrap_or_default(),
            rtt: Duration::from_secs_f64(rtt_ms / 1000.0 / factor),
            requests: Cell::new(0),
            throttled: Cell::new(0),
        };
        let clock = ScaledClock { start: Instant::now(), factor };

        let (snapshot, errors) = syncready_core::collect::snapshot(&transport).await;
        assert!(errors.is_empty(), "{errors:?}");
        let all = bulk::plan(&snapshot, &Selection::Matching(Default::default()), &Action::Approve).expect("plan");
        let ids: Vec<String> = all.items.iter().map(|i| i.id.clone()).collect();
        let (loop_ids, engine_ids) = ids.split_at(loop_n.min(ids.len()));
        let engine_ids: Vec<String> = engine_ids.iter().take(approvals).cloned().collect();
        println!(
            "bulk_approve: {} approvals by the engine ({batch_size} per batch, {in_flight} in flight), {} by the sequential loop; speed-up {factor}x, RTT {rtt_ms} ms (sim time)",
            engine_ids.len(),
            loop_ids.len()
        );
        // Let the collection's execution time leave the window.
        clock.sleep(limits.window).await;

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
        clock.sleep(limits.window).await;

        // The engine: batches with in-batch read-back, several in flight, Retry-After honoured.
        let snapshot = {
            let mut s = snapshot;
            if let Some(m) = s.mailboxes.as_mut() {
                m.retain(|mb| engine_ids.contains(&mb.id));
            }
            s
        };
        let plan = bulk::plan(&snapshot, &Selection::Matching(Default::default()), &Action::Approve).expect("plan");
        let n = plan.items.len();
        let run_config = RunConfig { batch_size, max_in_flight: in_flight, ..RunConfig::default() };
        let throttled_before = transport.throttled.get();
        let requests_before = transport.requests.get();
        let t1 = clock.now();
        let wall = Instant::now();
        let out = bulk::drive(bulk::Run::new(plan, run_config.clone()), &transport, &clock, |_| ()).await;
        let engine_s = clock.now().since(t1).as_secs_f64();
        let p = &out.progress;
        let verified = p.items.iter().filter(|i| i.state == ItemState::Succeeded).count();
        let surfaced_429 = p.items.iter().filter(|i| i.status == Some(429)).count();
        let engine_rate = verified as f64 / engine_s;

        // The ceiling: every approval costs one write; verification adds a read share and the envelope.
        let batch = run_config.batch_size as f64;
        let exec_per_item = cost.write.as_secs_f64() * 1000.0
            + (cost.read.as_secs_f64() * 1000.0 + batch * cost.per_row.as_secs_f64() * 1000.0) / batch
            + cost.batch.as_secs_f64() * 1000.0 / batch;
        let exec_ceiling = exec_rate / exec_per_item;
        let request_ceiling = request_rate * batch;
        let concurrency_ceiling = f64::from(limits.max_concurrent) * 1000.0 / (exec_per_item * batch + rtt_ms) * batch;
        let ceiling = exec_ceiling.min(request_ceiling).min(concurrency_ceiling);
        // Over a finite run the sliding window lets one extra window's worth through at the start.
        let ceiling_run = ceiling * (engine_s + window_s) / engine_s;

        println!(
            "engine: {verified}/{n} verified in {engine_s:.1} s sim ({:.1} s wall): {engine_rate:.1} approvals/s; {} requests, {} 429s received and waited out, {surfaced_429} surfaced to the user",
            wall.elapsed().as_secs_f64(),
            transport.requests.get() - requests_before,
            transport.throttled.get() - throttled_before,
        );
        println!(
            "ceiling: {ceiling:.1} approvals/s sustained (execution time {exec_ceiling:.1}/s at {exec_per_item:.2} ms per verified approval; requests {request_ceiling:.0}/s; concurrency {concurrency_ceiling:.0}/s); {ceiling_run:.1}/s for a run this long"
        );
        println!(
            "(a) throughput / ceiling: {:.0} % of the sustained ceiling, {:.0} % of the bound for this run length",
            100.0 * engine_rate / ceiling,
            100.0 * engine_rate / ceiling_run
        );
        println!(
            "loop: {loop_ok} approvals in {loop_s:.1} s sim: {loop_rate:.2} approvals/s (RTT {rtt_ms} ms + {:.0} ms execution each)",
            cost.write.as_secs_f64() * 1000.0
        );
        println!(
            "(b) engine / loop: {:.1}x (the execution-time limit caps any client at {:.1}x a sequential loop with this RTT)",
            engine_rate / loop_rate,
            exec_ceiling / loop_rate
        );
    }
}
