//! The browser implementation of `syncready_core::http::Transport`: `fetch` with the signed-in
//! Dynamics session.
//!
//! From an extension page, `host_permissions` for `https://*.dynamics.com/*` let the request reach
//! the org without CORS, and `credentials: include` carries the session cookies (verified in
//! Chromium 156, see `ARCHITECTURE.md`). In web-app mode the page is same-origin with the org.
//!
//! Every `fetch` has an `AbortController`: it is aborted after [`FETCH_TIMEOUT`] (the answer is then
//! [`TransportError::TimedOut`]) and when the caller drops the request (a bulk run abandons a request
//! past its deadline), so a request the network swallowed never holds anything. A `fetch` that rejects
//! (`TypeError: Failed to fetch`: network down, connection reset) is a [`TransportError::Network`].
//! Redirects are not followed (`redirect: "manual"`): the Web API only redirects an expired session to
//! the sign-in page, and following it fails with a CORS or network error (or hangs) instead of saying
//! so; the opaque redirect is handed on as a `302` without `Location`, which the core reads as an
//! expired session.

use gloo_net::http::{Headers, RequestBuilder};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;
use syncready_core::http::{Method, Request, Response, Transport, TransportError};
use syncready_core::limits::LimitsLedger;
use syncready_core::model::OrgUrl;
use web_sys::{AbortController, RequestCredentials, RequestRedirect, ResponseType};

/// Longest a single `fetch` may take before it is aborted. A page of 5,000 mailboxes or a batch of 50
/// writes with their read-back take seconds; two minutes is far beyond that.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(120);

/// The page's one ledger of the service's throttling pauses, shared by the checklist's reads and the
/// bulk runs (see `syncready_core::limits`).
pub fn limits_ledger() -> &'static LimitsLedger {
    thread_local! {
        static LEDGER: &'static LimitsLedger = Box::leak(Box::new(LimitsLedger::new()));
    }
    LEDGER.with(|l| *l)
}

/// Aborts the `fetch` when dropped before it finished.
struct AbortOnDrop(Option<AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

/// Races `work` against the timeout.
async fn with_timeout<T>(work: impl Future<Output = T>, timeout: Duration) -> Option<T> {
    let mut work = pin!(work);
    let mut sleep = pin!(super::clock::sleep(timeout));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Sends requests to one org with `fetch`: with the browser's session cookies (session reuse), or
/// without them (own sign-in: the bearer token authenticates, and Entra ID refuses credentialed CORS).
#[derive(Debug, Clone)]
pub struct FetchTransport {
    org: OrgUrl,
    credentials: RequestCredentials,
}

impl FetchTransport {
    /// A transport for `org` that sends the session cookies.
    pub fn new(org: OrgUrl) -> Self {
        Self { org, credentials: RequestCredentials::Include }
    }

    /// A transport for `org` that sends no cookies.
    pub fn without_cookies(org: OrgUrl) -> Self {
        Self { org, credentials: RequestCredentials::Omit }
    }
}

impl Transport for FetchTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let url = request.url(&self.org);
        let headers = Headers::new();
        for (name, value) in &request.headers {
            headers.append(name, value);
        }
        if request.body.is_some()
            && !request.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.append("Content-Type", "application/json");
        }
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        let mut guard = AbortOnDrop(controller);
        let builder = RequestBuilder::new(&url)
            .method(match request.method {
                Method::Get => gloo_net::http::Method::GET,
                Method::Patch => gloo_net::http::Method::PATCH,
                Method::Post => gloo_net::http::Method::POST,
                Method::Delete => gloo_net::http::Method::DELETE,
            })
            .credentials(self.credentials)
            .redirect(RequestRedirect::Manual)
            .abort_signal(signal.as_ref())
            .headers(headers);
        let built = match request.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(|e| TransportError::Network(e.to_string()))?;
        let exchange = async {
            let response = built.send().await.map_err(|e| TransportError::Network(e.to_string()))?;
            if response.type_() == ResponseType::Opaqueredirect {
                // Redirected (to the sign-in page): the browser hides where; say so as a 302.
                return Ok(Response { status: 302, headers: Vec::new(), body: String::new() });
            }
            let headers = response.headers().entries().collect();
            let status = response.status();
            let body = response.text().await.map_err(|e| TransportError::Network(e.to_string()))?;
            Ok(Response { status, headers, body })
        };
        let answer = with_timeout(exchange, FETCH_TIMEOUT).await;
        match answer {
            Some(answer) => {
                // Finished: nothing to abort.
                guard.0 = None;
                answer
            }
            // The guard aborts the fetch.
            None => Err(TransportError::TimedOut(FETCH_TIMEOUT.as_secs())),
        }
    }
}
