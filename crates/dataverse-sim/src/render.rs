//! Rendering rows as Web API JSON: values, `_x_value` lookups, etags and annotations (§9.2–9.4).

use serde_json::Value;

use crate::json::{self, Json};
use crate::ops::prefer::Prefer;
use crate::schema::{self, Col, Kind, TableDef};
use crate::store::{Org, Row, V};
use crate::time;

pub(crate) const FORMATTED: &str = "OData.Community.Display.V1.FormattedValue";
pub(crate) const NAVPROP: &str = "Microsoft.Dynamics.CRM.associatednavigationproperty";
pub(crate) const LOGICALNAME: &str = "Microsoft.Dynamics.CRM.lookuplogicalname";

/// An `$expand`: a single-valued lookup (`col` set) or a collection-valued navigation property.
#[derive(Debug, Clone)]
pub(crate) struct Expand {
    pub(crate) nav: String,
    /// The lookup column of a single-valued expand; `None` for a collection.
    pub(crate) col: Option<&'static Col>,
    pub(crate) target: &'static TableDef,
    pub(crate) select: Option<Vec<&'static Col>>,
}

/// The plain JSON of a stored value.
pub(crate) fn value_json(v: &V) -> Value {
    match v {
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(*b),
        V::Int(i) => Value::from(*i),
        V::Str(s) => Value::String(s.clone()),
        V::Guid(g) => Value::String(g.to_string()),
        V::Time(t) => Value::String(time::iso(*t)),
        V::Lookup(l) => Value::String(l.id.to_string()),
    }
}

pub(crate) fn thousands(n: i64) -> String {
    let neg = n < 0;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if neg { format!("-{out}") } else { out }
}

/// The FormattedValue of a value, when the Web API gives one.
pub(crate) fn formatted(org: &Org, col: &Col, v: &V) -> Option<String> {
    match (col.kind, v) {
        (_, V::Null) => None,
        (Kind::Choice(opts), V::Int(i)) => opts.iter().find(|(n, _)| n == i).map(|(_, l)| l.to_string()),
        (Kind::Bool, V::Bool(b)) => Some(if *b { "Yes" } else { "No" }.to_string()),
        (Kind::Int, V::Int(i)) => Some(thousands(*i)),
        (Kind::Time, V::Time(t)) => Some(time::formatted(*t)),
        (Kind::Lookup(_), V::Lookup(l)) => org.name_of(l.table, l.id),
        (Kind::EntityName, V::Str(s)) => Some(schema::display_name(s).to_string()),
        _ => None,
    }
}

/// `W/"<version>"`.
pub(crate) fn etag(row: &Row) -> String {
    format!("W/\"{}\"", row.version)
}

/// Writes `"key":` (keys are ASCII names and annotations; nothing to escape).
fn key(out: &mut String, k: &str) {
    if !out.ends_with('{') {
        out.push(',');
    }
    out.push('"');
    out.push_str(k);
    out.push_str("\":");
}

/// Writes a stored value as JSON.
pub(crate) fn write_value(out: &mut String, v: &V) {
    use std::fmt::Write;
    match v {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) => {
            let _ = write!(out, "{i}");
        }
        V::Str(s) => json::push_str_lit(out, s),
        V::Guid(g) => {
            let _ = write!(out, "\"{g}\"");
        }
        V::Lookup(l) => {
            let _ = write!(out, "\"{}\"", l.id);
        }
        V::Time(t) => {
            out.push('"');
            out.push_str(&time::iso(*t));
            out.push('"');
        }
    }
}

/// Writes one column (with its annotations, which come just before it).
fn write_col(out: &mut String, org: &Org, col: &Col, row: &Row, prefer: &Prefer) {
    let v = if col.access == schema::Access::WriteOnly { &V::Null } else { row.get(col.name) };
    let lookup = matches!(col.kind, Kind::Lookup(_));
    let wire = |suffix: &str| {
        if lookup { format!("_{}_value{suffix}", col.name) } else { format!("{}{suffix}", col.name) }
    };
    if !prefer.annotations.is_empty() {
        if prefer.wants(FORMATTED)
            && let Some(f) = formatted(org, col, v)
        {
            key(out, &wire(&format!("@{FORMATTED}")));
            json::push_str_lit(out, &f);
        }
        if let (Kind::Lookup(targets), V::Lookup(l)) = (col.kind, v) {
            if prefer.wants(NAVPROP)
                && let Some((_, nav)) = targets.iter().find(|(t, _)| *t == l.table)
            {
                key(out, &wire(&format!("@{NAVPROP}")));
                json::push_str_lit(out, nav);
            }
            if prefer.wants(LOGICALNAME) {
                key(out, &wire(&format!("@{LOGICALNAME}")));
                json::push_str_lit(out, l.table);
            }
        }
    }
    if lookup {
        if !out.ends_with('{') {
            out.push(',');
        }
        out.push_str("\"_");
        out.push_str(col.name);
        out.push_str("_value\":");
    } else {
        key(out, col.name);
    }
    write_value(out, v);
}

/// The columns shown when there is no `$select`: every readable column, in schema order.
pub(crate) fn all_cols(def: &'static TableDef) -> Vec<&'static Col> {
    def.cols.iter().filter(|c| c.access != schema::Access::WriteOnly).collect()
}

/// One row as an object: `head` pairs (e.g. `@odata.context`), etag, the selected columns (primary key
/// appended when not selected), then expands.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_row(
    out: &mut String,
    head: &[(&str, &str)],
    org: &Org,
    def: &'static TableDef,
    row: &Row,
    cols: &[&'static Col],
    prefer: &Prefer,
    expands: &[Expand],
) {
    out.push('{');
    for (k, v) in head {
        key(out, k);
        json::push_str_lit(out, v);
    }
    key(out, "@odata.etag");
    json::push_str_lit(out, &etag(row));
    for col in cols {
        write_col(out, org, col, row, prefer);
    }
    if !cols.iter().any(|c| c.name == def.pk)
        && let Some(pk) = def.col(def.pk)
    {
        write_col(out, org, pk, row, prefer);
    }
    for e in expands {
        key(out, &e.nav);
        let cols = e.select.clone().unwrap_or_else(|| all_cols(e.target));
        match e.col {
            Some(col) => {
                let related = row
                    .lookup(col.name)
                    .filter(|l| l.table == e.target.logical)
                    .and_then(|l| org.row(l.table, l.id));
                match related {
                    Some(r) => write_row(out, &[], org, e.target, r, &cols, prefer, &[]),
                    None => out.push_str("null"),
                }
            }
            None => {
                let keep = crate::relations::keep_for(def.logical, &e.nav, row.id);
                out.push('[');
                let mut first = true;
                for r in org.rows(e.target.logical).values().filter(|r| keep(org, r)) {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    write_row(out, &[], org, e.target, r, &cols, prefer, &[]);
                }
                out.push(']');
            }
        }
    }
    out.push('}');
}

/// One row as pre-rendered JSON.
pub(crate) fn row_json(
    org: &Org,
    def: &'static TableDef,
    row: &Row,
    cols: &[&'static Col],
    prefer: &Prefer,
    expands: &[Expand],
) -> Json {
    let mut out = String::with_capacity(64 * (cols.len() + 2));
    write_row(&mut out, &[], org, def, row, cols, prefer, expands);
    Json::Raw(out)
}

/// One row as a top-level entity with `@odata.context` first.
#[allow(clippy::too_many_arguments)]
pub(crate) fn entity_text(
    context: &str,
    org: &Org,
    def: &'static TableDef,
    row: &Row,
    cols: &[&'static Col],
    prefer: &Prefer,
    expands: &[Expand],
) -> String {
    let mut out = String::new();
    write_row(&mut out, &[("@odata.context", context)], org, def, row, cols, prefer, expands);
    out
}
