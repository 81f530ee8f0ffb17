//! GET below a row: a property's value, a single-valued navigation property, or the rows of a
//! collection-valued one (`tracelog_Mailbox`, `systemuserroles_association`, …).

use crate::error::ApiError;
use crate::json::Json;
use crate::message::Resp;
use crate::ops::call::{Call, Ctx, Outcome};
use crate::ops::retrieve::{Scope, collection, parse_key, parse_options};
use crate::relations::{COLLECTIONS, keep_for};
use crate::render;
use crate::schema::{self, TableDef};
use crate::sim::State;

pub(crate) fn get(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    key: &str,
    seg: &str,
) -> Outcome {
    let id = match parse_key(def, key) {
        Ok(id) => id,
        Err(e) => return e.into(),
    };
    let Some(org) = st.orgs.get(ctx.org) else {
        return ApiError::new(500, "0x80040216", "org missing").into();
    };
    let Some(row) = org.row(def.logical, id) else {
        return ApiError::row_not_found(def.logical, id).into();
    };
    let read = st.config.limits.cost.read.as_millis() as i64;

    if let Some((_, nav, target)) = COLLECTIONS.iter().find(|(t, n, _)| *t == def.logical && *n == seg) {
        let Some(tdef) = schema::by_logical(target) else {
            return ApiError::segment_not_found(seg).into();
        };
        let keep = keep_for(def.logical, nav, id);
        let scope = Scope { path: format!("{}({id})/{nav}", def.set), keep: keep.as_ref() };
        return collection(st, ctx, call, tdef, Some(&scope));
    }
    if let Some((col, target)) = def.nav(seg) {
        let Some(tdef) = schema::by_logical(target) else {
            return ApiError::segment_not_found(seg).into();
        };
        let Some(related) =
            row.lookup(col.name).filter(|l| l.table == target).and_then(|l| org.row(target, l.id))
        else {
            return Outcome { resp: Resp::no_content(), cost_ms: read };
        };
        let opts = match parse_options(tdef, call.query) {
            Ok(o) => o,
            Err(e) => return e.into(),
        };
        let cols = opts.select.clone().unwrap_or_else(|| render::all_cols(tdef));
        let ctx_cols = opts.select_raw.as_ref().map(|s| format!("({s})")).unwrap_or_default();
        let context = format!("{}{}{ctx_cols}/$entity", ctx.metadata(), tdef.set);
        let text = render::entity_text(&context, org, tdef, related, &cols, &call.prefer, &opts.expand);
        return Outcome { resp: Resp::json(200, text), cost_ms: read };
    }
    if let Some(col) = def.wire_col(seg) {
        let mut obj =
            Json::obj().with("@odata.context", format!("{}{}({id})/{seg}", ctx.metadata(), def.set));
        obj.push("value", render::value_json(row.get(col.name)));
        return Outcome { resp: Resp::json(200, obj.render()), cost_ms: read };
    }
    ApiError::segment_not_found(seg).into()
}
