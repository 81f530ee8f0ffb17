//! The core's error type. Every variant keeps the evidence a support engineer would ask for.

use crate::http::TransportError;
use crate::json::{FromJson, JsonError, Obj};
use serde::Serialize;
use serde_json::Value;

/// The `error` object of a Dataverse error body: `{"error":{"code":"0x…","message":"…"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataverseError {
    /// Hex code such as `0x80040256` (may be empty on some older answers).
    pub code: String,
    /// Human-readable message from the service.
    pub message: String,
}

/// Both members are required strings; others (`innererror`, `@Microsoft.PowerApps.CDS.*`) are ignored.
impl FromJson for DataverseError {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { code: o.req("code")?, message: o.req("message")? })
    }
}

/// Everything that can go wrong talking to Dataverse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No HTTP response arrived.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The session is missing or expired (401, or a redirect to the sign-in page).
    #[error("the Dynamics 365 session has expired or is missing (HTTP {status})")]
    SessionExpired {
        /// Status that revealed it (401, or 200/302 with a sign-in page).
        status: u16,
    },
    /// The service answered with a non-success status.
    #[error("Dataverse answered HTTP {status}{}", dataverse.as_ref().map(|d| format!(" {}: {}", d.code, d.message)).unwrap_or_default())]
    Http {
        /// Status code.
        status: u16,
        /// Parsed Dataverse error, when the body was one.
        dataverse: Option<DataverseError>,
        /// The raw body, kept for the log.
        body: String,
    },
    /// Throttled by service protection limits.
    #[error("Dataverse is throttling requests; retry after {retry_after_secs} s")]
    Throttled {
        /// Seconds from `Retry-After`.
        retry_after_secs: u64,
    },
    /// The body was not what Dataverse sends for this request.
    #[error("unexpected response at `{path}`: {reason}")]
    Decode {
        /// JSON path (or a description of what was decoded) where decoding failed.
        path: String,
        /// Why decoding failed, including what arrived instead.
        reason: String,
        /// The first part of the body, for the log.
        body_excerpt: String,
    },
}
