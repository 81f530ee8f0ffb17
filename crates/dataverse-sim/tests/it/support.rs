//! The in-process client.

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use dataverse_sim::{Scenario, Sim, app};
use tower::ServiceExt;

/// A response, with the body as text.
#[derive(Debug)]
pub(crate) struct Res {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Res {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The standard two-org sim: contoso (demo) and fabrikam (missing profile).
pub(crate) fn two_orgs() -> Sim {
    Sim::builder()
        .org("contoso", Scenario::demo())
        .org("fabrikam", Scenario::missing_profile("Fabrikam"))
        .build()
}

/// A browser-like client for one org host, signed in through `/main.aspx`.
pub(crate) struct Client {
    pub sim: Sim,
    pub host: String,
    pub cookie: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub(crate) fn anonymous(sim: &Sim, host: &str) -> Client {
        Client { sim: sim.clone(), host: host.to_string(), cookie: None, headers: Vec::new() }
    }

    pub(crate) async fn signed_in(sim: &Sim, host: &str) -> Client {
        let mut c = Client::anonymous(sim, host);
        let page = c.get("/main.aspx").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let set = page.header("set-cookie").expect("a session cookie").to_string();
        c.cookie = Some(set.split(';').next().unwrap_or("").to_string());
        c
    }

    pub(crate) async fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Res {
        let mut b = Request::builder().method(method).uri(encode_uri(path)).header("host", &self.host);
        if let Some(c) = &self.cookie {
            b = b.header("cookie", c);
        }
        for (k, v) in &self.headers {
            b = b.header(k, v);
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b.body(Body::from(body.to_string())).unwrap();
        let res = app(self.sim.clone()).oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        Res { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub(crate) async fn get(&self, path: &str) -> Res {
        self.send("GET", path, &[], "").await
    }

    pub(crate) async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Res {
        self.send("GET", path, headers, "").await
    }
}

/// `/api/data/v9.2/` + rest.
pub(crate) fn api(rest: &str) -> String {
    format!("/api/data/v9.2/{rest}")
}

/// Percent-encodes what a browser would (spaces, quotes, brackets) and leaves the rest as typed.
pub(crate) fn encode_uri(path: &str) -> String {
    let mut out = String::new();
    for ch in path.chars() {
        match ch {
            ' ' | '"' | '<' | '>' | '[' | ']' | '{' | '}' | '|' | '\\' | '^' | '`' => {
                out.push_str(&format!("%{:02X}", ch as u32))
            }
            _ => out.push(ch),
        }
    }
    out
}

impl Client {
    pub(crate) async fn patch(&self, path: &str, body: &str) -> Res {
        self.send("PATCH", path, &[("content-type", "application/json")], body).await
    }

    /// The first row of a query, as JSON.
    pub(crate) async fn first(&self, query: &str) -> serde_json::Value {
        let res = self.get(&api(query)).await;
        assert_eq!(res.status, 200, "{query}: {}", res.body);
        res.json()["value"][0].clone()
    }

    /// All rows of a query.
    pub(crate) async fn rows(&self, query: &str) -> Vec<serde_json::Value> {
        let res = self.get(&api(query)).await;
        assert_eq!(res.status, 200, "{query}: {}", res.body);
        res.json()["value"].as_array().cloned().unwrap_or_default()
    }
}
