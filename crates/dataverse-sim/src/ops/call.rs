//! One API call as the operations see it: who calls which org ([`Ctx`]), the request ([`Call`]),
//! the answer and its cost ([`Outcome`]), and the resource path ([`Resource`]).

use crate::error::ApiError;
use crate::ids::Guid;
use crate::message::Resp;
use crate::ops::prefer::Prefer;
use crate::url;

/// The session cookie's name.
pub(crate) const COOKIE: &str = "CrmOwinAuth";

/// Who is calling which org, and how URLs are written back.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) org: usize,
    pub(crate) user: Guid,
    /// `scheme://host`.
    pub(crate) base: String,
    /// `v9.2` (or whichever version the request used).
    pub(crate) version: String,
}

impl Ctx {
    /// `<base>/api/data/v9.2/`.
    pub(crate) fn api_root(&self) -> String {
        format!("{}/api/data/{}/", self.base, self.version)
    }

    /// `<base>/api/data/v9.2/$metadata#`.
    pub(crate) fn metadata(&self) -> String {
        format!("{}$metadata#", self.api_root())
    }
}

/// One API call (a direct request or a `$batch` part).
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub(crate) method: &'a str,
    /// Path after `/api/data/v9.2/`, still percent-encoded.
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a axum::http::HeaderMap,
    pub(crate) body: &'a [u8],
    pub(crate) prefer: Prefer,
}

impl Call<'_> {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What an operation returns: the response plus its sim-time execution cost in ms.
pub(crate) struct Outcome {
    pub(crate) resp: Resp,
    pub(crate) cost_ms: i64,
}

impl From<Resp> for Outcome {
    fn from(resp: Resp) -> Self {
        Outcome { resp, cost_ms: 0 }
    }
}

impl From<ApiError> for Outcome {
    fn from(e: ApiError) -> Self {
        Outcome { resp: e.into(), cost_ms: 0 }
    }
}

/// A parsed resource path: `set`, `set(key)`, `set(key)/rest`.
#[derive(Debug, Clone)]
pub(crate) struct Resource<'a> {
    pub(crate) name: String,
    pub(crate) key: Option<String>,
    pub(crate) rest: Option<&'a str>,
}

/// Splits the first segment of an API path.
pub(crate) fn parse_resource(path: &str) -> Resource<'_> {
    let (first, rest) = match path.find('/') {
        // Slashes inside parentheses (none in the keys we accept) would break this; keys are GUIDs.
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    };
    let first = url::decode_path(first);
    match first.find('(') {
        Some(i) if first.ends_with(')') => Resource {
            name: first[..i].to_string(),
            key: Some(first[i + 1..first.len() - 1].to_string()),
            rest,
        },
        _ => Resource { name: first, key: None, rest },
    }
}
