//! GET of entity sets and rows: `$select`, `$filter`, `$orderby`, `$top`, `$count`, `$expand`, paging
//! with `Prefer: odata.maxpagesize` and an opaque `$skiptoken` (§9.2–9.4).

use serde_json::Value;

use crate::error::ApiError;
use crate::ids::Guid;
use crate::json::Json;
use crate::message::Resp;
use crate::odata::filter::{self, Expr};
use crate::odata::orderby::{self, OrderBy};
use crate::ops::call::{Call, Ctx, Outcome, Resource};
use crate::render::{self, Expand};
use crate::schema::{self, Col, TableDef};
use crate::sim::State;
use crate::store::{Org, Row};
use crate::url;

/// Default and maximum page size (§9.3).
pub(crate) const MAX_PAGE: usize = 5000;

/// Parsed query options.
#[derive(Debug, Default)]
pub(crate) struct Options {
    pub(crate) select_raw: Option<String>,
    pub(crate) select: Option<Vec<&'static Col>>,
    pub(crate) filter: Option<Expr>,
    pub(crate) orderby: Vec<OrderBy>,
    pub(crate) top: Option<usize>,
    pub(crate) count: bool,
    pub(crate) expand: Vec<Expand>,
    pub(crate) expand_context: Vec<String>,
    pub(crate) skiptoken: Option<String>,
}

/// Resolves a `$select` list.
pub(crate) fn parse_select(def: &'static TableDef, raw: &str) -> Result<Vec<&'static Col>, ApiError> {
    let mut out = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let col = def.wire_col(name).ok_or_else(|| ApiError::unknown_property(name, &def.type_name()))?;
        if !out.iter().any(|c: &&Col| c.name == col.name) {
            out.push(col);
        }
    }
    Ok(out)
}

/// Splits on commas outside parentheses and quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, ch) in s.char_indices() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

fn parse_expand(def: &'static TableDef, raw: &str, opts: &mut Options) -> Result<(), ApiError> {
    for item in split_top_level(raw) {
        let (nav, inner) = match item.find('(') {
            Some(i) if item.ends_with(')') => (&item[..i], Some(&item[i + 1..item.len() - 1])),
            _ => (item, None),
        };
        let nav = nav.trim();
        let collection = crate::relations::COLLECTIONS
            .iter()
            .find(|(t, n, _)| *t == def.logical && *n == nav)
            .map(|(_, _, target)| *target);
        let (col, target) = match (def.nav(nav), collection) {
            (Some((col, target)), _) => (Some(col), target),
            (None, Some(target)) => (None, target),
            (None, None) => return Err(ApiError::unknown_property(nav, &def.type_name())),
        };
        let Some(target_def) = schema::by_logical(target) else {
            return Err(ApiError::unknown_property(nav, &def.type_name()));
        };
        let mut select = None;
        let mut select_raw = String::new();
        if let Some(inner) = inner {
            for part in inner.split(';') {
                let (k, v) = part.split_once('=').unwrap_or((part, ""));
                match k.trim() {
                    "$select" => {
                        select = Some(parse_select(target_def, v)?);
                        select_raw = v.to_string();
                    }
                    "" => {}
                    other => {
                        return Err(ApiError::bad_query(format!(
                            "The query option '{other}' is not supported inside $expand by dataverse-sim."
                        )));
                    }
                }
            }
        }
        opts.expand_context.push(format!("{nav}({select_raw})"));
        opts.expand.push(Expand { nav: nav.to_string(), col, target: target_def, select });
    }
    Ok(())
}

/// Parses the query string of a GET.
pub(crate) fn parse_options(def: &'static TableDef, query: &str) -> Result<Options, ApiError> {
    let mut opts = Options::default();
    for (k, v) in url::parse_query(query) {
        match k.as_str() {
            "$select" => {
                opts.select = Some(parse_select(def, &v)?);
                opts.select_raw = Some(v);
            }
            "$filter" => opts.filter = Some(filter::parse(&v, def)?),
            "$orderby" => opts.orderby = orderby::parse(&v, def)?,
            "$top" => {
                opts.top = Some(v.trim().parse().map_err(|_| {
                    ApiError::bad_query(format!("Invalid value '{v}' for $top query option found. The $top query option requires a non-negative integer value."))
                })?)
            }
            "$count" => opts.count = v.trim().eq_ignore_ascii_case("true"),
            "$expand" => parse_expand(def, &v, &mut opts)?,
            "$skiptoken" => opts.skiptoken = Some(v),
            "$skip" => return Err(ApiError::bad_query("The query parameter $skip is not supported")),
            k if k.starts_with('$') => {
                return Err(ApiError::bad_query(format!("The query parameter {k} is not supported")));
            }
            _ => {}
        }
    }
    Ok(opts)
}

fn context_cols(opts: &Options) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(raw) = &opts.select_raw {
        parts.extend(raw.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
    }
    parts.extend(opts.expand_context.iter().cloned());
    if parts.is_empty() { String::new() } else { format!("({})", parts.join(",")) }
}

/// The paging cookie inside `$skiptoken`, as Dataverse shapes it (the simulator only reads it back).
fn skiptoken(page: usize, first: Guid, last: Guid, pk: &str) -> String {
    let inner = format!(
        "<cookie page=\"{}\"><{pk} last=\"{}\" first=\"{}\" /></cookie>",
        page - 1,
        last.braced_upper(),
        first.braced_upper()
    );
    format!(
        "<cookie pagenumber=\"{page}\" pagingcookie=\"{}\" istracking=\"False\" />",
        url::encode(&url::encode(&inner))
    )
}

fn attr<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let start = s.find(&format!("{name}=\""))? + name.len() + 2;
    let end = s[start..].find('"')? + start;
    Some(&s[start..end])
}

/// Where a page starts: after the row named in the cookie, else by page number.
fn page_start(token: &str, rows: &[&Row], size: usize) -> Result<usize, ApiError> {
    let bad = || ApiError::bad_query("The $skiptoken is not valid.");
    let page: usize = attr(token, "pagenumber").and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let cookie = url::decode(&url::decode(attr(token, "pagingcookie").unwrap_or("")));
    if let Some(last) = attr(&cookie, "last").and_then(Guid::parse)
        && let Some(i) = rows.iter().position(|r| r.id == last)
    {
        return Ok(i + 1);
    }
    Ok(page.saturating_sub(1) * size)
}

/// Restricts a collection to the rows below a navigation property.
pub(crate) struct Scope<'a> {
    /// The URL path after the API root (for `@odata.nextLink`), e.g. `mailboxes(<id>)/tracelog_Mailbox`.
    pub(crate) path: String,
    pub(crate) keep: &'a dyn Fn(&Org, &Row) -> bool,
}

fn filtered<'o>(
    org: &'o Org,
    def: &'static TableDef,
    opts: &Options,
    scope: Option<&Scope<'_>>,
) -> Result<Vec<&'o Row>, ApiError> {
    let mut rows: Vec<&Row> = Vec::new();
    for row in org.rows(def.logical).values() {
        if scope.is_some_and(|s| !(s.keep)(org, row)) {
            continue;
        }
        let keep = match &opts.filter {
            Some(f) => filter::eval(f, row, org)?,
            None => true,
        };
        if keep {
            rows.push(row);
        }
    }
    if !opts.orderby.is_empty() {
        orderby::sort(&mut rows, &opts.orderby);
    }
    Ok(rows)
}

/// Handles a GET of `<set>`, `<set>/$count` or `<set>(<id>)`; `None` for anything else (writes and
/// the routes below a row, which the dispatcher sends elsewhere).
pub(crate) fn entity_set(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    res: &Resource<'_>,
) -> Option<Outcome> {
    Some(match (res.key.as_deref(), res.rest, call.method) {
        (None, None, "GET") => collection(st, ctx, call, def, None),
        (None, Some("$count"), "GET") => count(st, ctx, def),
        (Some(key), None, "GET") => single(st, ctx, call, def, key),
        _ => return None,
    })
}

fn count(st: &State, ctx: &Ctx, def: &'static TableDef) -> Outcome {
    let n = st.orgs.get(ctx.org).map(|o| o.rows(def.logical).len()).unwrap_or(0).min(MAX_PAGE);
    Resp::text(200, "text/plain", n.to_string()).header("OData-Version", "4.0").into()
}

/// Parses a row key: a GUID, with or without braces.
pub(crate) fn parse_key(def: &TableDef, key: &str) -> Result<Guid, ApiError> {
    Guid::parse(key).ok_or_else(|| {
        ApiError::bad_query(format!(
            "Bad Request - Error in query syntax. The key '{key}' is not a valid {} GUID.",
            def.logical
        ))
    })
}

fn single(st: &mut State, ctx: &Ctx, call: &Call<'_>, def: &'static TableDef, key: &str) -> Outcome {
    let cost = st.config.limits.cost.read.as_millis() as i64;
    let result = (|| -> Result<Resp, ApiError> {
        let id = parse_key(def, key)?;
        let opts = parse_options(def, call.query)?;
        let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
        let row = org.row(def.logical, id).ok_or_else(|| ApiError::row_not_found(def.logical, id))?;
        let etag = render::etag(row);
        if opts.expand.is_empty()
            && call.prefer.annotations.is_empty()
            && call.header("if-none-match") == Some(etag.as_str())
        {
            return Ok(Resp::new(304).header("OData-Version", "4.0"));
        }
        let cols = opts.select.clone().unwrap_or_else(|| render::all_cols(def));
        let context = format!("{}{}{}/$entity", ctx.metadata(), def.set, context_cols(&opts));
        let text = render::entity_text(&context, org, def, row, &cols, &call.prefer, &opts.expand);
        let mut resp = Resp::json(200, text).header("ETag", etag);
        if let Some(a) = applied(&call.prefer, None) {
            resp = resp.header("Preference-Applied", a);
        }
        Ok(resp)
    })();
    match result {
        Ok(resp) => Outcome { resp, cost_ms: cost },
        Err(e) => Outcome { resp: e.into(), cost_ms: cost },
    }
}

/// The `Preference-Applied` value for what was honoured.
pub(crate) fn applied(prefer: &crate::ops::prefer::Prefer, page: Option<usize>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(p) = page {
        parts.push(format!("odata.maxpagesize={p}"));
    }
    if let Some(a) = &prefer.annotations_raw {
        parts.push(format!("odata.include-annotations=\"{a}\""));
    }
    if parts.is_empty() { None } else { Some(parts.join(",")) }
}

/// A collection GET (an entity set, or the rows below a collection-valued navigation property).
pub(crate) fn collection(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    scope: Option<&Scope<'_>>,
) -> Outcome {
    let cost = &st.config.limits.cost;
    let (read, per_row) = (cost.read.as_millis() as i64, cost.per_row.as_micros() as i64);
    let result = (|| -> Result<(Resp, i64), ApiError> {
        let opts = parse_options(def, call.query)?;
        let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
        let mut rows = filtered(org, def, &opts, scope)?;
        let total = rows.len();
        let page_pref = call.prefer.max_page_size.map(|n| n.clamp(1, MAX_PAGE));
        if page_pref.is_none()
            && let Some(top) = opts.top
        {
            rows.truncate(top);
        }
        let size = page_pref.unwrap_or(MAX_PAGE);
        let start = match &opts.skiptoken {
            Some(t) => page_start(t, &rows, size)?,
            None => 0,
        }
        .min(rows.len());
        let end = (start + size).min(rows.len());
        let page_rows = &rows[start..end];
        let cols = opts.select.clone().unwrap_or_else(|| render::all_cols(def));

        let mut body = Json::obj()
            .with("@odata.context", format!("{}{}{}", ctx.metadata(), def.set, context_cols(&opts)));
        if opts.count {
            body.push("@odata.count", (total.min(MAX_PAGE)) as i64);
            if call.prefer.wants("Microsoft.Dynamics.CRM.totalrecordcount") {
                body.push("@Microsoft.Dynamics.CRM.totalrecordcount", -1i64);
                body.push("@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded", total > MAX_PAGE);
            }
        }
        let values: Vec<Json> = page_rows
            .iter()
            .map(|r| render::row_json(org, def, r, &cols, &call.prefer, &opts.expand))
            .collect();
        body.push("value", Json::Arr(values));
        if end < rows.len() {
            let (Some(first), Some(last)) = (page_rows.first(), page_rows.last()) else {
                return Err(ApiError::new(500, "0x80040216", "empty page before the end"));
            };
            let page_number = start / size.max(1) + 2;
            let token = skiptoken(page_number, first.id, last.id, def.pk);
            let kept: Vec<&str> = call
                .query
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("$skiptoken=") && !p.starts_with("%24skiptoken="))
                .collect();
            let path = scope.map_or(def.set.to_string(), |s| s.path.clone());
            let mut link = format!("{}{path}?", ctx.api_root());
            for p in kept {
                link.push_str(p);
                link.push('&');
            }
            link.push_str("$skiptoken=");
            link.push_str(&url::encode(&token));
            body.push("@odata.nextLink", Json::Val(Value::String(link)));
        }
        let mut resp = Resp::json(200, body.render());
        if let Some(a) = applied(&call.prefer, page_pref) {
            resp = resp.header("Preference-Applied", a);
        }
        Ok((resp, page_rows.len() as i64))
    })();
    match result {
        Ok((resp, n)) => Outcome { resp, cost_ms: read + n * per_row / 1000 },
        Err(e) => Outcome { resp: e.into(), cost_ms: read },
    }
}
