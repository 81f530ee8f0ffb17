//! An HTTP request and response as plain data: what the engine ([`crate::ops`]) reads and writes,
//! and what the adapter ([`crate::http`]) and `$batch` parts translate to and from. A leaf: it imports
//! nothing of the crate.

use axum::http::HeaderMap;

/// Header the in-process adapter uses to say "drop this connection"; [`serve`] turns it into a real drop.
pub(crate) const DROP_MARKER: &str = "x-dataverse-sim-fault";

/// An HTTP request as plain data.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) method: String,
    /// Raw (still percent-encoded) path.
    pub(crate) path: String,
    /// Raw query string without `?`.
    pub(crate) query: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) scheme: &'static str,
    /// Host header value (with port).
    pub(crate) host: String,
}

impl Req {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `scheme://host`, the base of every URL the org renders.
    pub(crate) fn base(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }
}

/// An HTTP response as plain data.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn new(status: u16) -> Resp {
        Resp { status, headers: Vec::new(), body: Vec::new() }
    }

    /// A JSON body with the OData response headers.
    pub(crate) fn json(status: u16, body: String) -> Resp {
        Resp::new(status)
            .header("Content-Type", "application/json; odata.metadata=minimal")
            .header("OData-Version", "4.0")
            .body(body.into_bytes())
    }

    /// 204 with the OData version header.
    pub(crate) fn no_content() -> Resp {
        Resp::new(204).header("OData-Version", "4.0")
    }

    pub(crate) fn text(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Resp {
        Resp::new(status).header("Content-Type", content_type).body(body.into())
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Resp {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: Vec<u8>) -> Resp {
        self.body = body;
        self
    }

    pub(crate) fn get_header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}
