//! The browser implementation of `syncready_core::http::Transport`: `fetch` with the signed-in
//! Dynamics session.
//!
//! From an extension page, `host_permissions` for `https://*.dynamics.com/*` let the request reach
//! the org without CORS, and `credentials: include` carries the session cookies (verified in
//! Chromium 156, see `ARCHITECTURE.md`). In web-app mode the page is same-origin with the org.

use gloo_net::http::{Headers, RequestBuilder};
use syncready_core::http::{Method, Request, Response, Transport, TransportError};
use syncready_core::model::OrgUrl;
use web_sys::RequestCredentials;

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
        let builder = RequestBuilder::new(&url)
            .method(match request.method {
                Method::Get => gloo_net::http::Method::GET,
                Method::Patch => gloo_net::http::Method::PATCH,
                Method::Post => gloo_net::http::Method::POST,
                Method::Delete => gloo_net::http::Method::DELETE,
            })
            .credentials(self.credentials)
            .headers(headers);
        let built = match request.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(|e| TransportError::Network(e.to_string()))?;
        let response = built.send().await.map_err(|e| TransportError::Network(e.to_string()))?;
        let headers = response.headers().entries().collect();
        let status = response.status();
        let body = response.text().await.map_err(|e| TransportError::Network(e.to_string()))?;
        Ok(Response { status, headers, body })
    }
}

/// How this page reaches the org: the Dynamics session (cookies), or the admin's own Entra ID token
/// when they signed in with it in this tab.
#[derive(Debug, Clone)]
pub enum OrgTransport {
    /// Session cookies of the Dynamics tab.
    Session(FetchTransport),
    /// Bearer token from the own sign-in (shared per page, renews itself).
    Bearer(std::rc::Rc<crate::platform::bearer::Bearer>),
}

impl OrgTransport {
    /// The transport for `org`: the token if the own sign-in is for this org, else the session.
    pub fn for_org(org: &OrgUrl) -> Self {
        match crate::platform::bearer::restore() {
            Some(bearer) if &bearer.config().org == org => Self::Bearer(bearer),
            _ => Self::Session(FetchTransport::new(org.clone())),
        }
    }
}

impl Transport for OrgTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        match self {
            Self::Session(t) => t.send(request).await,
            Self::Bearer(t) => t.send(request).await,
        }
    }
}
