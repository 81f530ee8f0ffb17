//! The one place that turns errors into words for people.

use leptos::prelude::*;
use syncready_core::Error;
use syncready_core::http::TransportError;

/// Title and detail for an error, as shown to the admin.
pub fn describe_error(error: &Error) -> (String, String) {
    match error {
        Error::SessionExpired { .. } => (
            "Sign in again".to_owned(),
            "Your Dynamics 365 session has expired or is missing. Reload the Dynamics tab, sign in, then reopen SyncReady.".to_owned(),
        ),
        Error::Transport(TransportError::Network(detail)) => (
            "Cannot reach the org".to_owned(),
            format!("The request did not get an answer ({detail}). Check the network, or reload the Dynamics tab in case the session expired."),
        ),
        Error::Transport(other) => ("Cannot reach the org".to_owned(), other.to_string()),
        Error::Http { status: 403, dataverse, .. } => (
            "Not allowed".to_owned(),
            dataverse.as_ref().map_or_else(|| "Dataverse refused the request (HTTP 403).".to_owned(), |d| format!("{} ({})", d.message, d.code)),
        ),
        Error::Http { status, dataverse, .. } => (
            format!("Dataverse answered HTTP {status}"),
            dataverse.as_ref().map_or_else(String::new, |d| format!("{} ({})", d.message, d.code)),
        ),
        Error::Throttled { retry_after_secs } => (
            "Dataverse is busy".to_owned(),
            format!("The service asked to wait {retry_after_secs} s before the next request."),
        ),
        Error::Decode { path, reason, .. } => ("Unexpected answer".to_owned(), format!("{path}: {reason}")),
        other => ("Something went wrong".to_owned(), other.to_string()),
    }
}

/// A problem box. All text is rendered as text, never as HTML.
#[component]
pub fn ErrorView(
    /// Heading.
    title: String,
    /// Explanation.
    detail: String,
) -> impl IntoView {
    view! {
        <div class="sr-error" role="alert" data-testid="error">
            <strong class="sr-error__title">{title}</strong>
            <p class="sr-error__detail">{detail}</p>
        </div>
    }
}
