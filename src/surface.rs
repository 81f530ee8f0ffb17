//! Which surface a page is, from its `?surface=` query parameter.

/// An extension surface, or the plain web app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// The side panel beside Dynamics (main surface).
    Panel,
    /// The toolbar popup: headline and "open side panel".
    Popup,
    /// The options page.
    Options,
    /// Plain client-side web app, outside the extension.
    App,
    /// Every environment of the tenant (issue 15), in the side panel or the web app.
    Tenant,
}

impl Surface {
    /// Parses the page's query string (with or without the leading `?`). Unknown or missing values
    /// mean the side panel, the surface that can do everything.
    pub fn from_query(query: &str) -> Self {
        let value = param(query, "surface").unwrap_or_default();
        match value.as_str() {
            "popup" => Self::Popup,
            "options" => Self::Options,
            "app" => Self::App,
            "tenant" => Self::Tenant,
            _ => Self::Panel,
        }
    }

    /// Stable name used in CSS classes and test hooks.
    pub fn key(self) -> &'static str {
        match self {
            Self::Panel => "panel",
            Self::Popup => "popup",
            Self::Options => "options",
            Self::App => "app",
            Self::Tenant => "tenant",
        }
    }
}

/// The percent-decoded value of query parameter `name`.
pub fn param(query: &str, name: &str) -> Option<String> {
    syncready_core::http::query_pairs(query.trim_start_matches('?'))
        .into_iter()
        .find_map(|(k, v)| (k == name).then_some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surfaces_are_read_from_the_query_and_default_to_the_panel() {
        assert_eq!(Surface::from_query("?surface=popup"), Surface::Popup);
        assert_eq!(Surface::from_query("x=1&surface=options"), Surface::Options);
        assert_eq!(Surface::from_query("surface=app"), Surface::App);
        assert_eq!(Surface::from_query("?surface=tenant"), Surface::Tenant);
        assert_eq!(Surface::from_query(""), Surface::Panel);
        assert_eq!(Surface::from_query("?surface=<script>"), Surface::Panel);
    }

    #[test]
    fn parameters_are_percent_decoded() {
        assert_eq!(
            param("?org=https%3A%2F%2Fcontoso.crm.dynamics.com&a=b", "org").as_deref(),
            Some("https://contoso.crm.dynamics.com")
        );
        assert_eq!(param("?org=%zz", "org").as_deref(), Some("%zz"));
        assert_eq!(param("?org=%4", "org").as_deref(), Some("%4"));
        assert_eq!(param("?a=1", "org"), None);
    }
}
