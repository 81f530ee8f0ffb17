//! The one place that turns errors into words for people.

use leptos::prelude::*;
use syncready_core::Error;
use syncready_core::http::TransportError;
use syncready_core::i18n::Lang;
use syncready_core::tr;

/// Title and detail for an error, as shown to the admin, in the page's language.
pub fn describe_error(error: &Error) -> (String, String) {
    describe_error_in(error, super::lang::use_lang())
}

/// Title and detail for an error in `lang` (catalogue keys `ui.error.*`).
pub fn describe_error_in(error: &Error, lang: Lang) -> (String, String) {
    let t = |key: &str| lang.t(key).to_owned();
    let dataverse_text = |d: &syncready_core::error::DataverseError| {
        tr!(lang, "ui.error.dataverse", message = d.message, code = d.code)
    };
    match error {
        Error::SessionExpired { .. } => (t("ui.error.session.title"), t("ui.error.session.detail")),
        Error::Transport(TransportError::Network(detail)) => {
            (t("ui.error.unreachable.title"), tr!(lang, "ui.error.unreachable.detail", detail = detail))
        }
        Error::Transport(other) => (t("ui.error.unreachable.title"), other.to_string()),
        Error::Http { status: 403, dataverse, .. } => (
            t("ui.error.forbidden.title"),
            dataverse.as_ref().map_or_else(|| t("ui.error.forbidden.detail"), dataverse_text),
        ),
        Error::Http { status, dataverse, .. } => (
            tr!(lang, "ui.error.http.title", status = status),
            dataverse.as_ref().map_or_else(String::new, dataverse_text),
        ),
        Error::Throttled { retry_after_secs } => {
            (t("ui.error.busy.title"), tr!(lang, "ui.error.busy.detail", secs = retry_after_secs))
        }
        Error::Decode { path, reason, .. } => (t("ui.error.decode.title"), format!("{path}: {reason}")),
        other => (t("ui.error.other.title"), other.to_string()),
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
