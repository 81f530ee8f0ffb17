//! Query values: entity set plus `$select`, `$filter`, `$top`; rendered into a [`Request`].

use crate::http::Request;

/// The page size the client asks for (the service's default and maximum is 5000).
pub const MAX_PAGE_SIZE: u32 = 5000;

/// A query against one entity set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    entity_set: String,
    select: Vec<&'static str>,
    filter: Option<String>,
    top: Option<u32>,
    order_by: Option<String>,
    expand: Option<String>,
    annotations: Option<String>,
    page_size: Option<u32>,
}

/// The lookup annotation that says which table a polymorphic lookup points to.
pub const LOOKUP_LOGICAL_NAME: &str = "Microsoft.Dynamics.CRM.lookuplogicalname";

impl Query {
    /// A query over `entity_set` (e.g. `mailboxes`).
    pub fn new(entity_set: &str) -> Self {
        Self { entity_set: entity_set.to_owned(), ..Self::default() }
    }

    /// Columns to return. Only ask for what a rule needs.
    #[must_use]
    pub fn select(mut self, columns: &[&'static str]) -> Self {
        self.select.extend_from_slice(columns);
        self
    }

    /// A `$filter` expression. Build string literals with [`escape_literal`].
    #[must_use]
    pub fn filter(mut self, expr: impl Into<String>) -> Self {
        self.filter = Some(expr.into());
        self
    }

    /// `$top`. Ignored by the service when a page size is also sent.
    #[must_use]
    pub fn top(mut self, n: u32) -> Self {
        self.top = Some(n);
        self
    }

    /// `$orderby`, e.g. `modifiedon desc`.
    #[must_use]
    pub fn order_by(mut self, expr: impl Into<String>) -> Self {
        self.order_by = Some(expr.into());
        self
    }

    /// `$expand`, e.g. `teamroles_association($select=name)`.
    #[must_use]
    pub fn expand(mut self, expr: impl Into<String>) -> Self {
        self.expand = Some(expr.into());
        self
    }

    /// Ask for formatted values and lookup annotations (`Prefer: odata.include-annotations="*"`).
    #[must_use]
    pub fn with_annotations(mut self) -> Self {
        self.annotations = Some("*".to_owned());
        self
    }

    /// Ask only for the named annotations (comma-separated), e.g. [`LOOKUP_LOGICAL_NAME`]. Cheaper than
    /// `*`, which adds a formatted value for every column of every row.
    #[must_use]
    pub fn annotations(mut self, names: &str) -> Self {
        self.annotations = Some(names.to_owned());
        self
    }

    /// Page size (`Prefer: odata.maxpagesize`).
    #[must_use]
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n.clamp(1, MAX_PAGE_SIZE));
        self
    }

    /// The path and query string, relative to the Web API root.
    pub fn path(&self) -> String {
        let mut params: Vec<String> = Vec::new();
        if !self.select.is_empty() {
            params.push(format!("$select={}", self.select.join(",")));
        }
        if let Some(filter) = &self.filter {
            params.push(format!("$filter={}", encode_query_value(filter)));
        }
        if let Some(expand) = &self.expand {
            params.push(format!("$expand={}", encode_query_value(expand)));
        }
        if let Some(order_by) = &self.order_by {
            params.push(format!("$orderby={}", encode_query_value(order_by)));
        }
        if let Some(top) = self.top {
            params.push(format!("$top={top}"));
        }
        if params.is_empty() { self.entity_set.clone() } else { format!("{}?{}", self.entity_set, params.join("&")) }
    }

    /// The request for the first page.
    pub fn request(&self) -> Request {
        let mut request = Request::get(self.path());
        if let Some(prefer) = self.prefer() {
            request = request.header("Prefer", prefer);
        }
        request
    }

    /// The request for a following page: the `@odata.nextLink` exactly as given, same preferences.
    pub fn next_page(&self, next_link: &str) -> Request {
        let mut request = Request::get(next_link);
        if let Some(prefer) = self.prefer() {
            request = request.header("Prefer", prefer);
        }
        request
    }

    fn prefer(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(names) = &self.annotations {
            parts.push(format!("odata.include-annotations=\"{names}\""));
        }
        if let Some(n) = self.page_size {
            parts.push(format!("odata.maxpagesize={n}"));
        }
        (!parts.is_empty()).then(|| parts.join(","))
    }
}

/// An OData string literal: quoted, with single quotes doubled (`O'Brien` → `'O''Brien'`).
pub fn escape_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Percent-encodes the characters that would break a query string value; OData's punctuation stays
/// readable.
fn encode_query_value(value: &str) -> String {
    crate::encoding::percent_encode_keeping(value, b"'(),/:$")
}

#[cfg(test)]
mod tests;
