//! `$orderby`: comma-separated columns with optional `asc`/`desc`; nulls sort first ascending, strings
//! compare without case, ties keep primary-key order.

use std::cmp::Ordering;

use crate::error::ApiError;
use crate::schema::{Col, TableDef};
use crate::store::{Row, V};

/// One sort key.
#[derive(Debug, Clone)]
pub(crate) struct OrderBy {
    pub(crate) col: &'static Col,
    pub(crate) desc: bool,
}

pub(crate) fn parse(raw: &str, def: &'static TableDef) -> Result<Vec<OrderBy>, ApiError> {
    let mut out = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let mut parts = item.split_whitespace();
        let name = parts.next().unwrap_or("");
        let desc = match parts.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ApiError::bad_query(format!(
                    "Syntax error: character '{other}' is not valid at position {} in '{raw}'.",
                    raw.find(other).unwrap_or(0)
                )));
            }
        };
        let col = def.wire_col(name).ok_or_else(|| ApiError::unknown_property(name, &def.type_name()))?;
        out.push(OrderBy { col, desc });
    }
    Ok(out)
}

/// Compares two stored values the way SQL Server would for ORDER BY.
pub(crate) fn cmp_values(a: &V, b: &V) -> Ordering {
    match (a, b) {
        (V::Null, V::Null) => Ordering::Equal,
        (V::Null, _) => Ordering::Less,
        (_, V::Null) => Ordering::Greater,
        (V::Int(x), V::Int(y)) => x.cmp(y),
        (V::Bool(x), V::Bool(y)) => x.cmp(y),
        (V::Time(x), V::Time(y)) => x.cmp(y),
        (V::Str(x), V::Str(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (V::Guid(x), V::Guid(y)) => x.cmp(y),
        (V::Lookup(x), V::Lookup(y)) => x.id.cmp(&y.id),
        _ => Ordering::Equal,
    }
}

pub(crate) fn sort(rows: &mut [&Row], keys: &[OrderBy]) {
    rows.sort_by(|a, b| {
        for k in keys {
            let o = cmp_values(a.get(k.col.name), b.get(k.col.name));
            let o = if k.desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}
