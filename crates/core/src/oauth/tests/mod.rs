//! The protocol's tests, one file per seam of `oauth`; shared fixtures and the fake transport here.

use super::*;
use crate::encoding::base64url;
use crate::http::{Method, Request, Response, Transport, TransportError};
use crate::json::FromJson;
use crate::model::{HostPolicy, Timestamp};
use expect_test::{Expect, expect};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
const REDIRECT: &str = "https://abcdefghijklmnop.chromiumapp.org/oauth";
const ORG: &str = "https://contoso.crm.dynamics.com";

/// The octets of RFC 7636 Appendix B.
const RFC7636_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240,
    91, 88, 5, 88, 83, 132, 141, 121,
];

fn config() -> OAuthConfig {
    OAuthConfig::new(DEFAULT_AUTHORITY, CLIENT, REDIRECT, ORG).unwrap()
}

fn response(status: u16, body: &str) -> Response {
    Response { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into() }
}

fn jwt(claims: &str) -> String {
    format!("{}.{}.sig", base64url(br#"{"typ":"JWT","alg":"RS256"}"#), base64url(claims.as_bytes()))
}

fn tokens_json(access: &str, refresh: Option<&str>, extra: &str) -> String {
    let refresh = refresh.map(|r| format!(r#","refresh_token":"{r}""#)).unwrap_or_default();
    format!(r#"{{"token_type":"Bearer","scope":"s","expires_in":3599,"access_token":"{access}"{refresh}{extra}}}"#)
}

fn error_json(error: &str, description: &str, codes: &[u32]) -> String {
    serde_json::json!({"error": error, "error_description": description, "error_codes": codes}).to_string()
}

fn check_config(authority: &str, client: &str, redirect: &str, org: &str, expect: Expect) {
    let actual = match OAuthConfig::new(authority, client, redirect, org) {
        Ok(c) => format!("ok {} {} {} {} [{}]", c.authority, c.client_id, c.redirect_uri, c.org, c.scope),
        Err(errors) => errors.iter().map(|e| format!("{:?}: {}", e.field(), e.reason())).collect::<Vec<_>>().join("\n"),
    };
    expect.assert_eq(&actual);
}

// --- a transport that answers from a closure ---------------------------------------------------------

type Handler = Box<dyn Fn(&Request) -> Response>;

/// Answers from a closure; every answer waits one poll, like a real network call.
struct Fake {
    handler: Handler,
    sent: RefCell<Vec<Request>>,
}

impl Fake {
    fn new(handler: impl Fn(&Request) -> Response + 'static) -> Self {
        Self { handler: Box::new(handler), sent: RefCell::new(Vec::new()) }
    }

    fn paths(&self) -> Vec<String> {
        self.sent
            .borrow()
            .iter()
            .map(|r| {
                let auth = r.headers.iter().find(|(n, _)| n == "Authorization").map_or("-", |(_, v)| v.as_str());
                let grant = r.body.as_deref().and_then(|b| b.split('&').find(|kv| kv.starts_with("refresh_token=")));
                format!("{} {}", r.path.rsplit('/').next().unwrap(), grant.unwrap_or(auth))
            })
            .collect()
    }
}

impl Transport for Fake {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        YieldOnce(false).await;
        self.sent.borrow_mut().push(request.clone());
        Ok((self.handler)(&request))
    }
}

struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

mod bearer;
mod config;
mod pending;
mod requests;
mod responses;
