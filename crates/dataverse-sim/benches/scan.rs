//! `cargo bench -p dataverse-sim --bench scan`: builds the 50,000-mailbox scenario and times a full
//! mailbox scan (10 pages of 5000) in-process, then 52 concurrent clients over a real socket.
//! Prints the figures; it asserts nothing about time (that would be a flaky timed test).

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use dataverse_sim::{Scenario, Sim, app, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const HOST: &str = "contoso.crm.dynamics.com";

async fn get(sim: &Sim, cookie: &str, path: &str, prefer: &str) -> (u16, String) {
    let req = Request::builder()
        .uri(path)
        .header("host", HOST)
        .header("cookie", cookie)
        .header("prefer", prefer)
        .body(Body::empty())
        .expect("request");
    let res = app(sim.clone()).oneshot(req).await.expect("infallible");
    let status = res.status().as_u16();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::main]
async fn main() {
    let t = Instant::now();
    let sim = Sim::builder().org("contoso", Scenario::large("Contoso", 50_000)).build();
    println!("build 50,000-mailbox org: {:?}", t.elapsed());
    let cookie = format!("CrmOwinAuth={}", sim.sign_in("contoso").expect("org"));

    let select = "incomingemaildeliverymethod,outgoingemaildeliverymethod,actdeliverymethod,emailrouteraccessapproval,_emailserverprofile_value,incomingemailstatus,outgoingemailstatus,actstatus,statecode,_regardingobjectid_value";
    for round in 0..3 {
        let t = Instant::now();
        let mut url = format!("/api/data/v9.2/mailboxes?$select={select}");
        let (mut pages, mut rows) = (0, 0);
        loop {
            let (status, body) = get(&sim, &cookie, &url, "odata.maxpagesize=5000").await;
            assert_eq!(status, 200, "{body}");
            let v: serde_json::Value = serde_json::from_str(&body).expect("json");
            pages += 1;
            rows += v["value"].as_array().map_or(0, Vec::len);
            match v["@odata.nextLink"].as_str() {
                Some(next) => url = next.trim_start_matches(&format!("http://{HOST}")).to_string(),
                None => break,
            }
        }
        println!("full scan round {round}: {rows} rows in {pages} pages: {:?}", t.elapsed());
    }

    // 52 concurrent clients over a socket, each paging 2 pages of 1000.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(serve(listener, sim.clone(), false, std::future::pending()));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..52 {
        let cookie = cookie.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..2 {
                let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
                let req = format!(
                    "GET /api/data/v9.2/mailboxes?$select=name HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookie}\r\nPrefer: odata.maxpagesize=1000\r\nConnection: close\r\n\r\n"
                );
                tcp.write_all(req.as_bytes()).await.expect("write");
                let mut out = Vec::new();
                tcp.read_to_end(&mut out).await.expect("read");
                let head = String::from_utf8_lossy(&out[..out.len().min(12)]).into_owned();
                statuses.push(head.split_whitespace().nth(1).unwrap_or("?").to_string());
            }
            statuses
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let ok = all.iter().filter(|s| *s == "200").count();
    println!(
        "52 concurrent clients, {} requests: {ok} × 200, others {:?}, in {:?}",
        all.len(),
        all.iter().filter(|s| *s != "200").collect::<Vec<_>>(),
        t.elapsed()
    );
}
