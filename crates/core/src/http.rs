//! HTTP requests and responses as plain values, and the transport seam the shells implement.
//!
//! The core never executes a request. A [`Request`] is data: the browser serialises it through the
//! extension's transport, tests hand it to the in-process simulator. Paths are relative to the org's
//! Web API root (`/api/data/v9.2/`), so the same request works against any org URL.

use serde::{Deserialize, Serialize};

/// The Web API version this crate speaks.
pub const API_PATH: &str = "/api/data/v9.2/";

/// HTTP method of a [`Request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// Read.
    Get,
    /// Partial update (Dataverse update / upsert).
    Patch,
    /// Create, actions and `$batch`.
    Post,
    /// Delete.
    Delete,
}

impl Method {
    /// The method as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Patch => "PATCH",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// One HTTP request, described but not sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Path and query relative to the Web API root, e.g. `mailboxes?$select=name`. A full URL is also
    /// accepted (an `@odata.nextLink` is followed exactly as the service gave it).
    pub path: String,
    /// Headers beyond the standard OData ones (see [`Request::standard_headers`]).
    pub headers: Vec<(String, String)>,
    /// Body, if any (JSON or multipart text).
    pub body: Option<String>,
}

impl Request {
    /// A GET of `path` with the standard OData headers.
    pub fn get(path: impl Into<String>) -> Self {
        Self { method: Method::Get, path: path.into(), headers: Self::standard_headers(), body: None }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The headers every Dataverse request carries.
    pub fn standard_headers() -> Vec<(String, String)> {
        vec![
            ("Accept".to_owned(), "application/json".to_owned()),
            ("OData-MaxVersion".to_owned(), "4.0".to_owned()),
            ("OData-Version".to_owned(), "4.0".to_owned()),
        ]
    }

    /// The absolute URL of this request against `org` (e.g. `https://contoso.crm.dynamics.com`).
    pub fn url(&self, org: &crate::model::OrgUrl) -> String {
        if self.path.starts_with("https://") || self.path.starts_with("http://") {
            self.path.clone()
        } else {
            format!("{}{}{}", org.as_str(), API_PATH, self.path.trim_start_matches('/'))
        }
    }
}

/// One HTTP response as a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Response headers (names as received).
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl Response {
    /// The first header named `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why a request produced no HTTP response at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TransportError {
    /// The network request failed (DNS, TLS, connection reset, CORS rejection of a redirect to sign-in).
    #[error("the request could not be sent: {0}")]
    Network(String),
    /// The request was cancelled by the user.
    #[error("the request was cancelled")]
    Aborted,
    /// No answer came before the request's deadline (this many seconds); the request was abandoned.
    #[error("no answer from Dataverse after {0} s; the request was abandoned")]
    TimedOut(u64),
    /// No transport is available (e.g. no Dynamics tab to borrow a session from).
    #[error("no connection to a Dynamics 365 org is available: {0}")]
    Unavailable(String),
}

/// Executes [`Request`] values. Implemented by the browser shell and by test harnesses.
///
/// There is no `Send` bound: in the browser futures are single-threaded.
pub trait Transport {
    /// Sends one request and returns the response, or why there was none.
    fn send(&self, request: Request) -> impl std::future::Future<Output = Result<Response, TransportError>>;
}

/// Any [`Transport`] behind one type. Code generic over the transport is compiled once per transport
/// type; large code reached by several transports (the collector: the panel reads one org through its
/// session or bearer transport, the tenant view every environment through its own) takes this instead,
/// and is compiled once. Each request's future is boxed.
#[derive(Clone, Copy)]
pub struct DynTransport<'a>(&'a dyn BoxedSend);

impl<'a> DynTransport<'a> {
    /// `transport`, erased.
    pub fn new(transport: &'a impl Transport) -> Self {
        DynTransport(transport)
    }
}

impl Transport for DynTransport<'_> {
    fn send(&self, request: Request) -> impl std::future::Future<Output = Result<Response, TransportError>> {
        self.0.send_boxed(request)
    }
}

/// The object-safe form of [`Transport`] behind [`DynTransport`].
trait BoxedSend {
    fn send_boxed(&self, request: Request) -> BoxedAnswer<'_>;
}

type BoxedAnswer<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, TransportError>> + 'a>>;

impl<T: Transport> BoxedSend for T {
    fn send_boxed(&self, request: Request) -> BoxedAnswer<'_> {
        Box::pin(self.send(request))
    }
}

pub use crate::encoding::percent_decode;

/// The `name=value` pairs of a query string or form body (without the leading `?`), both sides
/// percent-decoded, in order; empty segments are skipped.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}
