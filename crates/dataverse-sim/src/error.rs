//! Dataverse error bodies: `{"error":{"code":"0x…","message":"…"}}` with the real codes (§9.6).

use crate::json::Json;
use crate::message::Resp;

/// An error the Web API answers with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
    /// Extra response headers (e.g. `Retry-After`).
    pub(crate) headers: Vec<(String, String)>,
    /// Inner message, rendered as `@Microsoft.PowerApps.CDS.InnerError.Message` inside `error`.
    pub(crate) inner: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError { status, code: code.to_string(), message: message.into(), headers: Vec::new(), inner: None }
    }

    /// 400, OData query syntax and unknown properties (0x80060888).
    pub(crate) fn bad_query(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "0x80060888", message)
    }

    /// 404 for a path segment that does not resolve (0x80060888).
    pub(crate) fn segment_not_found(segment: &str) -> ApiError {
        ApiError::new(404, "0x80060888", format!("Resource not found for the segment '{segment}'."))
    }

    /// 404 for a row that does not exist (0x80040217 ObjectDoesNotExist).
    pub(crate) fn row_not_found(logical: &str, id: impl std::fmt::Display) -> ApiError {
        ApiError::new(404, "0x80040217", format!("{logical} With Id = {id} Does Not Exist"))
    }

    /// 405 for a method the resource does not support.
    pub(crate) fn method_not_allowed(method: &str, path: &str) -> ApiError {
        ApiError::new(
            405,
            "0x80060888",
            format!("The HTTP verb '{method}' is not supported for the resource '{path}'."),
        )
    }

    /// `Could not find a property named 'x' on type 'Microsoft.Dynamics.CRM.mailbox'.`
    pub(crate) fn unknown_property(name: &str, type_name: &str) -> ApiError {
        ApiError::bad_query(format!("Could not find a property named '{name}' on type '{type_name}'."))
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> ApiError {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn with_inner(mut self, inner: impl Into<String>) -> ApiError {
        self.inner = Some(inner.into());
        self
    }

    /// A payload error: wrapped in 0x80048d19 as newer services do, or the bare OData text.
    pub(crate) fn payload(set: &str, odata_message: &str, wrap: bool) -> ApiError {
        if wrap {
            ApiError::new(
                400,
                "0x80048d19",
                format!(
                    "Error identified in Payload provided by the user for Entity :'{set}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : Microsoft.OData.ODataException: {odata_message}"
                ),
            )
        } else {
            ApiError::bad_query(odata_message.to_string())
        }
    }

    pub(crate) fn body(&self) -> String {
        let mut err = Json::obj().with("code", self.code.as_str()).with("message", self.message.as_str());
        if let Some(inner) = &self.inner {
            err.push("@Microsoft.PowerApps.CDS.InnerError.Message", inner.as_str());
        }
        Json::obj().with("error", err).render()
    }
}

impl From<ApiError> for Resp {
    fn from(e: ApiError) -> Resp {
        let mut r = Resp::json(e.status, e.body());
        for (k, v) in &e.headers {
            r = r.header(k, v.clone());
        }
        r
    }
}
