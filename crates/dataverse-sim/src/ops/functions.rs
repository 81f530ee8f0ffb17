//! Bound functions on `systemusers(<id>)`: `RetrieveUserPrivileges` and
//! `RetrieveUserPrivilegeByPrivilegeName` (§6; the URL form of the latter is \[I\]).

use crate::error::ApiError;
use crate::http::Resp;
use crate::json::Json;
use crate::ops::retrieve::parse_key;
use crate::ops::{Call, Ctx, Outcome, security};
use crate::schema::TableDef;
use crate::sim::State;
use crate::url;

/// Reads `Name='value'` or `Name=@alias` (resolved from the query string).
fn param(args: &str, name: &str, query: &str) -> Option<String> {
    let raw = args
        .split(',')
        .find_map(|kv| kv.split_once('=').filter(|(k, _)| k.trim() == name).map(|(_, v)| v.trim()))?;
    let raw = if let Some(alias) = raw.strip_prefix('@') {
        url::parse_query(query)
            .into_iter()
            .find(|(k, _)| k.strip_prefix('@') == Some(alias))
            .map(|(_, v)| v)?
    } else {
        raw.to_string()
    };
    Some(raw.trim().trim_matches('\'').replace("''", "'"))
}

pub(crate) fn bound(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    key: &str,
    seg: &str,
) -> Outcome {
    let read = st.config.limits.cost.read.as_millis() as i64;
    let result = (|| {
        let name = seg.strip_prefix("Microsoft.Dynamics.CRM.").unwrap_or(seg);
        let (fname, args) = match name.find('(') {
            Some(i) if name.ends_with(')') => (&name[..i], &name[i + 1..name.len() - 1]),
            _ => (name, ""),
        };
        if def.logical != "systemuser"
            || !matches!(fname, "RetrieveUserPrivileges" | "RetrieveUserPrivilegeByPrivilegeName")
        {
            return Err(ApiError::segment_not_found(seg));
        }
        let user = parse_key(def, key)?;
        let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
        if org.row("systemuser", user).is_none() {
            return Err(ApiError::row_not_found("systemuser", user));
        }
        let wanted = if fname == "RetrieveUserPrivilegeByPrivilegeName" {
            Some(param(args, "PrivilegeName", call.query).ok_or_else(|| {
                ApiError::bad_query("The parameter 'PrivilegeName' of the function 'RetrieveUserPrivilegeByPrivilegeName' is missing.")
            })?)
        } else {
            None
        };
        let privileges: Vec<Json> = security::privileges(org, user)
            .into_iter()
            .filter(|h| wanted.as_deref().is_none_or(|w| h.name.eq_ignore_ascii_case(w)))
            .map(|h| {
                Json::obj()
                    .with("Depth", h.depth)
                    .with("PrivilegeId", h.id.to_string())
                    .with("BusinessUnitId", org.bu_id.to_string())
                    .with("PrivilegeName", h.name)
            })
            .collect();
        let body = Json::obj()
            .with("@odata.context", format!("{}Microsoft.Dynamics.CRM.{fname}Response", ctx.metadata()))
            .with("RolePrivileges", Json::Arr(privileges));
        Ok(Resp::json(200, body.render()))
    })();
    match result {
        Ok(resp) => Outcome { resp, cost_ms: read },
        Err(e) => Outcome { resp: e.into(), cost_ms: read },
    }
}
