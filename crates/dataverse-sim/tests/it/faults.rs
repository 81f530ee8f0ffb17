use std::time::Duration;

use dataverse_sim::{Fault, Scenario, Sim, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Client, api};

const HOST: &str = "contoso.crm.dynamics.com";

fn sim() -> Sim {
    Sim::builder().org("contoso", Scenario::healthy("Contoso")).build()
}

#[tokio::test]
async fn a_status_fault_answers_the_matching_requests_then_stops() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    sim.inject(Fault::status(503).times(2).on_method("GET").on_path("mailboxes"));
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200, "not matching the path");
    assert_eq!(c.get(&api("mailboxes?$top=1")).await.status, 503);
    assert_eq!(c.get(&api("mailboxes?$top=1")).await.status, 503);
    assert_eq!(c.get(&api("mailboxes?$top=1")).await.status, 200);
    let faulted: Vec<u16> = sim.journal().iter().filter(|j| j.faulted).map(|j| j.status).collect();
    assert_eq!(faulted, vec![503, 503]);
}

#[tokio::test]
async fn after_lets_the_first_matching_requests_through() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    sim.inject(Fault::status(500).after(1));
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 500);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
}

#[tokio::test]
async fn a_throttle_burst_answers_429_with_retry_after() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    sim.inject(Fault::throttle(Duration::from_secs(7)).times(3));
    for _ in 0..3 {
        let r = c.get(&api("WhoAmI")).await;
        assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
        assert_eq!(r.json()["error"]["code"], "0x80072322");
    }
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
}

#[tokio::test]
async fn sessions_expire_after_n_more_requests() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    sim.inject(Fault::expire_session_after(2));
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200, "the request that arms the fault");
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 401);
    let fresh = Client::signed_in(&sim, HOST).await;
    assert_eq!(fresh.get(&api("WhoAmI")).await.status, 200);
}

#[tokio::test]
async fn a_dropped_connection_is_a_marked_502_in_process_and_a_closed_socket_when_served() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    sim.inject(Fault::drop_connection());
    let r = c.get(&api("WhoAmI")).await;
    assert_eq!((r.status, r.header("x-dataverse-sim-fault")), (502, Some("drop-connection")));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, sim.clone(), false, async move {
        let _ = rx.await;
    }));
    sim.inject(Fault::drop_connection());
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET /main.aspx HTTP/1.1\r\nHost: contoso.crm.dynamics.com\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let n =
        tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut buf)).await.unwrap().unwrap_or(0);
    assert_eq!(n, 0, "no answer: {}", String::from_utf8_lossy(&buf));
    let _ = tx.send(());
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    sim.inject(Fault::latency(Duration::from_millis(150)));
    let t = std::time::Instant::now();
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn the_journal_records_every_request_in_order() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    c.get(&api("WhoAmI")).await;
    c.get(&api("mailboxes?$select=name")).await;
    let j = sim.journal();
    let paths: Vec<(&str, &str, u16)> =
        j.iter().map(|e| (e.method.as_str(), e.path.as_str(), e.status)).collect();
    assert_eq!(
        paths,
        vec![
            ("GET", "/main.aspx", 200),
            ("GET", "/api/data/v9.2/WhoAmI", 200),
            ("GET", "/api/data/v9.2/mailboxes", 200)
        ]
    );
    assert_eq!(j[2].query, "$select=name");
    assert_eq!(j[2].at, "2026-11-20T09:00:00Z");
    assert!(sim.unexpected_requests().is_empty());
}

#[tokio::test]
async fn verify_reports_unexpected_requests_and_faults_that_never_fired() {
    let sim = sim();
    let c = Client::signed_in(&sim, HOST).await;
    assert_eq!(sim.verify(), Ok(()));
    sim.inject(Fault::status(500).on_path("never-called"));
    c.get("/no/such/page").await;
    let report = sim.verify().unwrap_err();
    assert!(report.contains("unexpected request: GET /no/such/page → 404"), "{report}");
    assert!(report.contains("fault never fired"), "{report}");
    sim.clear_faults();
    assert_eq!(sim.pending_faults(), vec![]);
}
