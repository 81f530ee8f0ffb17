//! The Web API dispatcher below `/api/data/v9.x/`: one call (a direct request or a `$batch` part) to
//! the operation that answers it.

use crate::error::ApiError;
use crate::ops::call::{Call, Ctx, Outcome, Resource, parse_resource};
use crate::ops::{functions, navigation, retrieve, whoami, write};
use crate::schema::{self, TableDef};
use crate::sim::State;
use crate::url;

/// Dispatches one API call (also used for each `$batch` part).
pub(crate) fn api(st: &mut State, ctx: &Ctx, call: &Call<'_>) -> Outcome {
    let res = parse_resource(call.path);
    let read_cost = st.config.limits.cost.read.as_millis() as i64;
    match res.name.as_str() {
        "WhoAmI" | "WhoAmI()" if res.rest.is_none() => {
            if call.method != "GET" {
                return ApiError::method_not_allowed(call.method, call.path).into();
            }
            Outcome { resp: whoami::whoami(st, ctx), cost_ms: read_cost }
        }
        _ => {
            let Some(def) = schema::by_set(&res.name) else {
                return ApiError::segment_not_found(&res.name).into();
            };
            retrieve::entity_set(st, ctx, call, def, &res)
                .unwrap_or_else(|| write_routes(st, ctx, call, def, &res))
        }
    }
}

/// Writes and the routes below a row (PATCH, POST, DELETE, properties, navigation, functions).
fn write_routes(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    res: &Resource<'_>,
) -> Outcome {
    let method = call.method;
    match (res.key.as_deref(), res.rest) {
        (None, None) if method == "POST" => write::create(st, ctx, call, def),
        (None, Some(action)) if method == "POST" && action.starts_with("Microsoft.Dynamics.CRM.") => {
            write::bulk(st, ctx, call, def, action.trim_start_matches("Microsoft.Dynamics.CRM."))
        }
        (Some(key), None) if method == "PATCH" => write::patch(st, ctx, call, def, key),
        (Some(key), None) if method == "DELETE" => write::delete(st, ctx, call, def, key),
        (Some(key), Some(rest)) => {
            let rest = url::decode_path(rest);
            let mut segs = rest.split('/');
            let first = segs.next().unwrap_or("");
            let second = segs.next();
            if segs.next().is_some() {
                return ApiError::segment_not_found(&rest).into();
            }
            match (method, second) {
                ("DELETE", Some("$ref")) => write::unbind(st, ctx, call, def, key, first),
                ("GET", None) if first.starts_with("Microsoft.Dynamics.CRM.") => {
                    functions::bound(st, ctx, call, def, key, first)
                }
                ("GET", None) => navigation::get(st, ctx, call, def, key, first),
                ("PUT" | "DELETE", None) => write::property(st, ctx, call, def, key, first),
                (_, Some(s)) => ApiError::segment_not_found(s).into(),
                _ => ApiError::method_not_allowed(method, call.path).into(),
            }
        }
        _ => ApiError::method_not_allowed(method, call.path).into(),
    }
}
