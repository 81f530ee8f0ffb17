//! 5,000 Exchange-side lookups (issue 16) against the simulator's Microsoft Graph stand-in, in
//! virtual time, for a small, a medium and a large tenant; prints the HTTP requests sent, the
//! requests inside them, the `429`s met, the virtual time the lookup took and the wall time it cost,
//! against Graph's documented limits.
//!
//! `cargo bench -p syncready-core --bench graph_lookup` (arguments: `[lookups] [rtt-ms]`, default
//! `5000 150`).
//!
//! Limits (<https://learn.microsoft.com/graph/throttling-limits>, identity and access service):
//! per app and tenant 3,500 (under 50 users), 5,000 (50–500) or 8,000 (over 500) resource units per
//! 10 s ("tight": 500, to show the lookup riding out throttling at scale); per app across tenants 150,000 per 20 s; globally 130,000 requests per 10 s per app. A user
//! query is taken to cost 2 resource units (the stand-in's default; endpoints not in the cost table
//! cost 1). A `$batch` is one HTTP request, but each request inside it is evaluated against the limits
//! (<https://learn.microsoft.com/graph/json-batching>), so batching saves round trips, not budget.
//!
//! Virtual time: each HTTP request takes `rtt-ms` plus 4 ms per request inside it at the server; the
//! stand-in's clock moves with the lookup's clock, so its 10 s budget window slides as it would.
//! Wall time includes the stand-in's own work (a linear scan of its users per query).

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use dataverse_sim::{GraphConfig, GraphSim, GraphUserSpec};
    use std::cell::Cell;
    use std::time::{Duration, Instant};
    use syncready_core::bulk::{Clock, Millis};
    use syncready_core::graph::{self, Lookup, LookupConfig, Target};
    use syncready_core::http::{Method, Request, Response, Transport, TransportError};

    struct Virtual {
        now: Cell<u64>,
        graph: GraphSim,
    }

    impl Virtual {
        fn pass(&self, ms: u64) {
            self.now.set(self.now.get() + ms);
            self.graph.advance(Duration::from_millis(ms));
        }
    }

    impl Clock for Virtual {
        fn now(&self) -> Millis {
            Millis(self.now.get())
        }

        async fn sleep(&self, d: Duration) {
            self.pass(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        }
    }

    struct ToGraph<'a> {
        clock: &'a Virtual,
        rtt: u64,
    }

    impl Transport for ToGraph<'_> {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            let path = request.path.strip_prefix(graph::GRAPH_ORIGIN).unwrap_or(&request.path);
            let method = if request.method == Method::Post { "POST" } else { "GET" };
            let body = request.body.as_deref().unwrap_or("");
            let inner = body.matches("\"method\"").count() as u64;
            // Half the round trip there, the server's work, half back.
            self.clock.pass(self.rtt / 2);
            let (status, headers, text) = self.clock.graph.handle(method, path, &request.headers, body);
            self.clock.pass(4 * inner + self.rtt - self.rtt / 2);
            Ok(Response { status, headers, body: text })
        }
    }

    fn arg(i: usize, default: u64) -> u64 {
        std::env::args().nth(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    }

    pub(super) fn main() {
        let lookups = usize::try_from(arg(1, 5_000)).unwrap_or(5_000);
        let rtt = arg(2, 150);
        println!("graph_lookup: {lookups} lookups, {rtt} ms round trip, virtual time");
        println!(
            "{:<8} {:>9} {:>9} {:>6} {:>6} {:>11} {:>10} {:>12} {:>12}",
            "tenant", "requests", "inside", "429b", "429i", "virtual s", "wall ms", "RU/10s used", "RU/10s limit"
        );
        for (name, budget) in [("small", 3_500u32), ("medium", 5_000), ("large", 8_000), ("tight", 500)] {
            let g = GraphSim::new(
                &["contoso.com"],
                GraphConfig { resource_units_per_10s: budget, ..GraphConfig::default() },
            );
            for i in 0..lookups {
                g.add_user(GraphUserSpec::licensed(&format!("user{i}@contoso.com")));
            }
            let token = g.issue_token(&graph::graph_scope()).unwrap_or_default();
            let clock = Virtual { now: Cell::new(0), graph: g.clone() };
            let transport = ToGraph { clock: &clock, rtt };
            let targets: Vec<Target> = (0..lookups)
                .map(|i| Target { mailbox_id: format!("m{i}"), address: format!("user{i}@contoso.com") })
                .collect();
            let started = Instant::now();
            let lookup = Lookup::new(targets, &token, LookupConfig::default(), clock.now());
            let outcome = futures_lite_block_on(graph::run(lookup, &transport, &clock, |_| ()));
            let wall = started.elapsed();
            let ok = outcome.results.iter().filter(|(_, r)| r.as_ref().is_ok_and(|u| u.len() == 1)).count();
            assert_eq!(ok, lookups, "every address found ({:?})", outcome.halted);
            let s = outcome.stats;
            let virtual_ms = clock.now.get();
            let ru = (s.sub_requests - s.throttled_items) * 2;
            let per_10s = if virtual_ms == 0 { 0 } else { ru * 10_000 / virtual_ms.max(1) };
            println!(
                "{:<8} {:>9} {:>9} {:>6} {:>6} {:>11} {:>10} {:>12} {:>12}",
                name,
                s.requests,
                s.sub_requests,
                s.throttled_batches,
                s.throttled_items,
                format!("{}.{:03}", virtual_ms / 1000, virtual_ms % 1000),
                wall.as_millis(),
                per_10s,
                budget
            );
        }
        println!(
            "one GET per lookup would be {} HTTP requests; the global limit is 130,000 requests per 10 s per app",
            lookups + 1
        );
    }

    /// A minimal executor: the transport and clock above never pend, so one poll loop suffices.
    fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread().build();
        match rt {
            Ok(rt) => rt.block_on(f),
            Err(e) => panic!("no runtime: {e}"),
        }
    }
}
