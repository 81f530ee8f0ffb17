//! Issue 15: 20 environments of 2,000 mailboxes each, read and evaluated against the in-process
//! simulator in virtual time; the tenant read's wall time against the sum of the single-environment
//! times (aim: at most 0.3 of the sum, within the limits).
//!
//! `cargo bench -p syncready-core --bench tenant_read` (arguments: `[environments] [mailboxes]
//! [rtt-ms] [at-once]`, default `20 2000 100 6`).
//!
//! Each request reaches the simulator half a round trip after it is sent and its answer comes back
//! its execution cost (the simulator's `OperationCost`: 20 ms per read plus 0.05 ms per row) plus half
//! a round trip later, all in virtual time, so the run takes seconds whatever its length in sim time.
//! The simulator's service protection limits are on (per user per org). Printed: the sum of the
//! environments read one at a time, the tenant read's wall time with `at-once` environments at a
//! time and their ratio, the most requests any one org saw in flight at once (the collector sends one
//! at a time), 429s met, and the CPU time of collect + evaluate on this machine.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/virtual_time.rs"]
mod virtual_time;

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/in_process.rs"]
mod in_process;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::in_process;
    use super::virtual_time::VirtualTime;
    use dataverse_sim::{Config, OperationCost, Scenario, Sim};
    use std::cell::{Cell, RefCell};
    use std::collections::HashMap;
    use std::future::Future;
    use std::time::{Duration, Instant};
    use syncready_core::bulk::{Clock, Millis};
    use syncready_core::http::{Request, Response, Transport, TransportError};
    use syncready_core::model::OrgUrl;
    use syncready_core::readiness::{checklist, evaluate};
    use syncready_core::tenant::{EnvState, Environment, ReadLimits, TenantRead, read_all, took};

    struct VClock<'a>(&'a VirtualTime);

    impl Clock for VClock<'_> {
        fn now(&self) -> Millis {
            Millis(self.0.now.get())
        }

        fn sleep(&self, d: Duration) -> impl Future<Output = ()> {
            self.0.sleep(d)
        }
    }

    /// Counters shared by every environment's transport.
    #[derive(Default)]
    struct Stats {
        requests: Cell<u64>,
        throttled: Cell<u64>,
        /// Requests in flight per org host, and the most at once per host.
        in_flight: RefCell<HashMap<String, u32>>,
        most_per_org: Cell<u32>,
        most_overall: Cell<u32>,
    }

    struct OrgTransport<'a> {
        router: axum::Router,
        host: String,
        cookie: String,
        time: &'a VirtualTime,
        rtt: Duration,
        cost: OperationCost,
        stats: &'a Stats,
    }

    impl Transport for OrgTransport<'_> {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            let s = self.stats;
            s.requests.set(s.requests.get() + 1);
            {
                let mut map = s.in_flight.borrow_mut();
                let n = map.entry(self.host.clone()).or_default();
                *n += 1;
                s.most_per_org.set(s.most_per_org.get().max(*n));
                let total: u32 = map.values().sum();
                s.most_overall.set(s.most_overall.get().max(total));
            }
            self.time.sleep(self.rtt / 2).await;
            let response = in_process::send(&self.router, &self.host, &self.cookie, request).await?;
            let status = response.status;
            if status == 429 {
                s.throttled.set(s.throttled.get() + 1);
            }
            let rows = serde_json::from_str::<serde_json::Value>(&response.body)
                .ok()
                .and_then(|v| v.get("value").and_then(|v| v.as_array()).map(Vec::len))
                .unwrap_or(0) as u64;
            let execution = self.cost.read + Duration::from_micros(rows * self.cost.per_row.as_micros() as u64);
            self.time.sleep(execution + self.rtt / 2).await;
            if let Some(n) = s.in_flight.borrow_mut().get_mut(&self.host) {
                *n -= 1;
            }
            Ok(response)
        }
    }

    fn arg(n: usize, default: u64) -> u64 {
        std::env::args().filter(|a| !a.starts_with('-')).nth(n).and_then(|a| a.parse().ok()).unwrap_or(default)
    }

    pub(super) fn main() {
        let count = arg(1, 20) as usize;
        let mailboxes = arg(2, 2000) as usize;
        let rtt = Duration::from_millis(arg(3, 100));
        let at_once = arg(4, 6) as usize;

        let started = Instant::now();
        let mut builder = Sim::builder().config(Config::default());
        let prefixes: Vec<String> = (0..count).map(|i| format!("env{i:02}")).collect();
        for (i, p) in prefixes.iter().enumerate() {
            builder = builder.org(p, Scenario::large(&format!("Environment {i}"), mailboxes).seed(1000 + i as u64));
        }
        let sim = builder.build();
        let cost = OperationCost::default();
        let envs: Vec<Environment> = prefixes
            .iter()
            .map(|p| Environment::from_url(OrgUrl::parse(&format!("https://{p}.crm.dynamics.com")).unwrap()))
            .collect();
        println!(
            "tenant_read: {count} environments x {mailboxes} mailboxes, round trip {} ms, built in {:.1} s",
            rtt.as_millis(),
            started.elapsed().as_secs_f64()
        );

        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let read = |envs: Vec<Environment>, limit: usize, stats: &Stats| -> (TenantRead, u64, Duration) {
            let time = VirtualTime::default();
            let clock = VClock(&time);
            let open = |e: &Environment| {
                let host = e.url.as_ref().unwrap().host().to_owned();
                let prefix = host.split('.').next().unwrap().to_owned();
                OrgTransport {
                    router: dataverse_sim::app(sim.clone()),
                    cookie: sim.sign_in(&prefix).unwrap(),
                    host,
                    time: &time,
                    rtt,
                    cost: cost.clone(),
                    stats,
                }
            };
            let cpu = Instant::now();
            let done = runtime.block_on(time.run(read_all(
                TenantRead::new(envs, ReadLimits { environments_at_once: limit }),
                open,
                &clock,
                |_: &TenantRead| (),
            )));
            // Evaluate every environment as the tenant view does.
            let lists: Vec<_> = (0..done.environments().len())
                .filter_map(|i| done.result(i).map(|r| checklist(&evaluate(&r.snapshot, &r.errors))))
                .collect();
            assert_eq!(lists.len(), done.environments().len());
            (done, time.now.get(), cpu.elapsed())
        };

        // One environment at a time, each read alone: the sum of single-environment times.
        let single_stats = Stats::default();
        let mut sum_ms = 0;
        let mut cpu_single = Duration::ZERO;
        for e in &envs {
            let (done, wall, cpu) = read(vec![e.clone()], 1, &single_stats);
            assert!(matches!(done.progress()[0].state, EnvState::Read { .. }), "{:?}", done.progress()[0]);
            assert_eq!(took(&done.progress()[0]).map(|d| d.as_millis() as u64), Some(wall));
            sum_ms += wall;
            cpu_single += cpu;
        }
        let stats = Stats::default();
        let (done, wall_ms, cpu) = read(envs.clone(), at_once, &stats);
        let read_ok = done.progress().iter().filter(|p| matches!(p.state, EnvState::Read { .. })).count();
        let ratio = wall_ms as f64 / sum_ms as f64;
        println!("  sum of single-environment reads:  {:>8.1} s sim time", sum_ms as f64 / 1000.0);
        println!(
            "  tenant read, {at_once} at a time:        {:>8.1} s sim time  ({read_ok}/{count} read)",
            wall_ms as f64 / 1000.0
        );
        println!(
            "  ratio wall / sum:                 {ratio:>8.3}  (aim <= 0.300: {})",
            if ratio <= 0.3 { "met" } else { "NOT met" }
        );
        println!(
            "  requests: {} ({} per environment), 429s: {}, most in flight per org: {}, overall: {}",
            stats.requests.get(),
            stats.requests.get() / count as u64,
            stats.throttled.get() + single_stats.throttled.get(),
            stats.most_per_org.get().max(single_stats.most_per_org.get()),
            stats.most_overall.get()
        );
        println!(
            "  CPU (collect + evaluate, this machine): {:.2} s tenant read, {:.2} s one at a time",
            cpu.as_secs_f64(),
            cpu_single.as_secs_f64()
        );
    }
}
