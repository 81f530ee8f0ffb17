use std::time::Duration;

use dataverse_sim::{Config, Fault, Limits, Scenario, Sim};

use crate::support::{Client, api};

const HOST: &str = "contoso.crm.dynamics.com";

fn sim_with(limits: Limits) -> Sim {
    Sim::builder()
        .config(Config { limits, ..Config::default() })
        .org("contoso", Scenario::healthy("Contoso"))
        .build()
}

#[tokio::test]
async fn the_request_count_limit_answers_429_with_retry_after_until_the_window_slides() {
    let sim = sim_with(Limits { window: Duration::from_secs(10), max_requests: 5, ..Limits::default() });
    let c = Client::signed_in(&sim, HOST).await;
    for n in 0..5 {
        let r = c.get(&api("WhoAmI")).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("x-ms-ratelimit-burst-remaining-xrm-requests"),
            Some((4 - n).to_string().as_str())
        );
    }
    let r = c.get(&api("WhoAmI")).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("10"));
    assert_eq!(
        r.body,
        r#"{"error":{"code":"0x80072322","message":"Number of requests exceeded the limit of 5 over time window of 10 seconds."}}"#
    );
    let again = c.get(&api("WhoAmI")).await;
    assert_eq!(again.header("retry-after"), Some("11"), "Retry-After grows while the client keeps sending");
    sim.advance(Duration::from_secs(10));
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
}

#[tokio::test]
async fn a_batch_counts_once_toward_the_request_limit() {
    let sim = sim_with(Limits { max_requests: 2, ..Limits::default() });
    let c = Client::signed_in(&sim, HOST).await;
    let mut body = String::new();
    for _ in 0..10 {
        body.push_str("--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET WhoAmI HTTP/1.1\r\n\r\n");
    }
    body.push_str("--b--\r\n");
    let r = c.send("POST", &api("$batch"), &[("content-type", "multipart/mixed; boundary=b")], &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 200);
    assert_eq!(c.get(&api("WhoAmI")).await.status, 429);
}

#[tokio::test]
async fn the_execution_time_limit_counts_the_cost_of_writes() {
    let sim = sim_with(Limits { max_execution: Duration::from_millis(100), ..Limits::default() });
    let c = Client::signed_in(&sim, HOST).await;
    let id = c.first("mailboxes?$select=name&$top=1").await["mailboxid"].as_str().unwrap().to_string();
    assert_eq!(
        c.patch(&api(&format!("mailboxes({id})")), r#"{"verboseloggingenabled":1}"#).await.status,
        204
    );
    assert_eq!(
        c.patch(&api(&format!("mailboxes({id})")), r#"{"verboseloggingenabled":2}"#).await.status,
        204
    );
    let r = c.get(&api("WhoAmI")).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"]["code"], "0x80072321");
    assert!(r.body.contains("Combined execution time of incoming requests exceeded limit of 100 milliseconds over time window of 300 seconds."));
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn the_concurrency_limit_refuses_requests_beyond_the_limit_at_once() {
    let sim = sim_with(Limits { max_concurrent: 2, ..Limits::default() });
    let c = Client::signed_in(&sim, HOST).await;
    sim.inject(Fault::latency(Duration::from_millis(300)).times(2).on_path("WhoAmI"));
    let who = api("WhoAmI");
    let (a, b) = tokio::join!(c.get(&who), c.get(&who));
    assert_eq!((a.status, b.status), (200, 200));
    sim.inject(Fault::latency(Duration::from_millis(300)).times(2).on_path("WhoAmI"));
    let slow = async {
        let (a, b) = tokio::join!(c.get(&who), c.get(&who));
        (a.status, b.status)
    };
    let third = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.get(&api("mailboxes?$select=name&$top=1")).await
    };
    let ((a, b), t) = tokio::join!(slow, third);
    assert_eq!((a, b), (200, 200));
    assert_eq!(t.status, 429);
    assert_eq!(t.json()["error"]["message"], "Number of concurrent requests exceeded the limit of 2.");
}

#[tokio::test]
async fn limits_are_per_user() {
    let sim = sim_with(Limits { max_requests: 1, ..Limits::default() });
    let a = Client::signed_in(&sim, HOST).await;
    assert_eq!(a.get(&api("WhoAmI")).await.status, 200);
    assert_eq!(a.get(&api("WhoAmI")).await.status, 429);
    let other = Sim::builder()
        .config(Config { limits: Limits { max_requests: 1, ..Limits::default() }, ..Config::default() })
        .org("contoso", Scenario::healthy("Contoso"))
        .org("fabrikam", Scenario::healthy("Fabrikam"))
        .build();
    let x = Client::signed_in(&other, HOST).await;
    let y = Client::signed_in(&other, "fabrikam.crm.dynamics.com").await;
    assert_eq!(x.get(&api("WhoAmI")).await.status, 200);
    assert_eq!(y.get(&api("WhoAmI")).await.status, 200, "another org's user has their own window");
}

/// §12 \[U\] `cors_on_refusals`: a single-page app's request refused before it runs (429, 401, 403)
/// carries the CORS headers by default, so the browser lets the client read the status and
/// `Retry-After`; switched off, the same answers come without them (the browser then reports a
/// network failure). Answers to requests that ran carry them either way.
#[tokio::test]
async fn refusals_to_a_cross_origin_caller_carry_cors_headers_unless_switched_off() {
    const ORIGIN: &str = "https://syncready.example";
    for cors_on_refusals in [true, false] {
        let mut config = Config {
            limits: Limits { window: Duration::from_secs(10), max_requests: 1, ..Limits::default() },
            ..Config::default()
        };
        config.quirks.cors_on_refusals = cors_on_refusals;
        let sim = Sim::builder()
            .config(config)
            .org("contoso", Scenario::healthy("Contoso"))
            .org("locked", Scenario::fresh("Locked"))
            .build();
        sim.set_environment("locked", dataverse_sim::Environment::production().refusing());
        let origin = [("origin", ORIGIN)];
        let c = Client::signed_in(&sim, HOST).await;
        let ran = c.get_with(&api("WhoAmI"), &origin).await;
        assert_eq!(ran.status, 200);
        assert_eq!(ran.header("access-control-allow-origin"), Some(ORIGIN));
        let throttled = c.get_with(&api("WhoAmI"), &origin).await;
        let unsigned = Client::anonymous(&sim, HOST).get_with(&api("WhoAmI"), &origin).await;
        let locked =
            Client::signed_in(&sim, "locked.crm.dynamics.com").await.get_with(&api("WhoAmI"), &origin).await;
        for (what, res, status) in
            [("throttled", &throttled, 429), ("unsigned", &unsigned, 401), ("locked", &locked, 403)]
        {
            assert_eq!(res.status, status, "{what}");
            let allowed = res.header("access-control-allow-origin");
            assert_eq!(
                allowed,
                cors_on_refusals.then_some(ORIGIN),
                "{what}, cors_on_refusals {cors_on_refusals}"
            );
        }
        if cors_on_refusals {
            assert!(throttled.header("retry-after").is_some());
            assert!(throttled.header("access-control-expose-headers").unwrap().contains("Retry-After"));
        }
        // Without an origin (the extension's own pages are not cross-origin callers) nothing changes.
        assert_eq!(
            Client::anonymous(&sim, HOST).get(&api("WhoAmI")).await.header("access-control-allow-origin"),
            None
        );
    }
}
