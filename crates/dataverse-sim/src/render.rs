//! Rendering rows as Web API JSON: values, `_x_value` lookups, etags and annotations (§9.2–9.4).

use serde_json::Value;

use crate::json::Json;
use crate::ops::prefer::Prefer;
use crate::schema::{self, Col, Kind, TableDef};
use crate::store::{Org, Row, V};
use crate::time;

pub(crate) const FORMATTED: &str = "OData.Community.Display.V1.FormattedValue";
pub(crate) const NAVPROP: &str = "Microsoft.Dynamics.CRM.associatednavigationproperty";
pub(crate) const LOGICALNAME: &str = "Microsoft.Dynamics.CRM.lookuplogicalname";

/// A single-valued `$expand`.
#[derive(Debug, Clone)]
pub(crate) struct Expand {
    pub(crate) nav: String,
    pub(crate) col: &'static Col,
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

/// Appends one column (with its annotations) to `obj`.
pub(crate) fn push_col(obj: &mut Json, org: &Org, col: &Col, row: &Row, prefer: &Prefer) {
    let wire = col.wire();
    let v = if col.access == schema::Access::WriteOnly { &V::Null } else { row.get(col.name) };
    if prefer.wants(FORMATTED)
        && let Some(f) = formatted(org, col, v)
    {
        obj.push(format!("{wire}@{FORMATTED}"), f);
    }
    if let (Kind::Lookup(targets), V::Lookup(l)) = (col.kind, v) {
        if prefer.wants(NAVPROP)
            && let Some((_, nav)) = targets.iter().find(|(t, _)| *t == l.table)
        {
            obj.push(format!("{wire}@{NAVPROP}"), *nav);
        }
        if prefer.wants(LOGICALNAME) {
            obj.push(format!("{wire}@{LOGICALNAME}"), l.table);
        }
    }
    obj.push(wire, value_json(v));
}

/// The columns shown when there is no `$select`: every readable column, in schema order.
pub(crate) fn all_cols(def: &'static TableDef) -> Vec<&'static Col> {
    def.cols.iter().filter(|c| c.access != schema::Access::WriteOnly).collect()
}

/// One row as an object: etag, the selected columns (primary key appended when not selected), expands.
pub(crate) fn row_json(
    org: &Org,
    def: &'static TableDef,
    row: &Row,
    cols: &[&'static Col],
    prefer: &Prefer,
    expands: &[Expand],
) -> Json {
    let mut obj = Json::obj();
    obj.push("@odata.etag", etag(row));
    for col in cols {
        push_col(&mut obj, org, col, row, prefer);
    }
    if !cols.iter().any(|c| c.name == def.pk)
        && let Some(pk) = def.col(def.pk)
    {
        push_col(&mut obj, org, pk, row, prefer);
    }
    for e in expands {
        let related = row
            .lookup(e.col.name)
            .filter(|l| l.table == e.target.logical)
            .and_then(|l| org.row(l.table, l.id));
        let value = match related {
            Some(r) => {
                let cols = e.select.clone().unwrap_or_else(|| all_cols(e.target));
                row_json(org, e.target, r, &cols, prefer, &[])
            }
            None => Json::Val(Value::Null),
        };
        obj.push(e.nav.clone(), value);
    }
    obj
}
