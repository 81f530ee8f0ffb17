//! Bound functions on `systemusers(<id>)`: `RetrieveUserPrivileges` and
//! `RetrieveUserPrivilegeByPrivilegeName` (§6; the URL form of the latter is \[I\]).

use crate::error::ApiError;
use crate::json::Json;
use crate::message::Resp;
use crate::ops::call::{Call, Ctx, Outcome};
use crate::ops::retrieve::parse_key;
use crate::ops::security;
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
            || !matches!(
                fname,
                "RetrieveUserPrivileges" | "RetrieveUserPrivilegeByPrivilegeName" | "RetrievePrincipalAccess"
            )
        {
            return Err(ApiError::segment_not_found(seg));
        }
        if fname == "RetrievePrincipalAccess" {
            let user = parse_key(def, key)?;
            return principal_access(st, ctx, call, user, args);
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

/// `RetrievePrincipalAccess(Target=@t)?@t={"@odata.id":"mailboxes(<id>)"}` (§6): the rights the user's
/// privileges give on one row (Basic depth: only rows the user owns).
fn principal_access(
    st: &State,
    ctx: &Ctx,
    call: &Call<'_>,
    user: crate::ids::Guid,
    args: &str,
) -> Result<Resp, ApiError> {
    let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
    let target = param(args, "Target", call.query).ok_or_else(|| {
        ApiError::bad_query("The parameter 'Target' of the function 'RetrievePrincipalAccess' is missing.")
    })?;
    let parsed: serde_json::Value = serde_json::from_str(&target)
        .map_err(|_| ApiError::bad_query(format!("The value '{target}' is not a valid entity reference.")))?;
    let odata_id = parsed.get("@odata.id").and_then(|v| v.as_str()).unwrap_or("");
    let last = odata_id.rsplit('/').next().unwrap_or("");
    let (set, key) = last.split_once('(').map(|(s, k)| (s, k.trim_end_matches(')'))).unwrap_or(("", ""));
    let tdef = crate::schema::by_set(set).ok_or_else(|| ApiError::segment_not_found(set))?;
    let id = parse_key(tdef, key)?;
    let row = org.row(tdef.logical, id).ok_or_else(|| ApiError::row_not_found(tdef.logical, id))?;
    let noun = match tdef.logical {
        "mailbox" => "Mailbox",
        "emailserverprofile" => "EmailServerProfile",
        "organization" => "Organization",
        "systemuser" => "User",
        "queue" => "Queue",
        "tracelog" => "TraceLog",
        "role" => "Role",
        _ => "",
    };
    let owns = row.lookup("ownerid").is_some_and(|l| l.id == user)
        || (tdef.logical == "systemuser" && row.id == user);
    let held = security::privileges(org, user);
    let mut rights = Vec::new();
    for (verb, right) in [
        ("Read", "ReadAccess"),
        ("Write", "WriteAccess"),
        ("Append", "AppendAccess"),
        ("AppendTo", "AppendToAccess"),
        ("Create", "CreateAccess"),
        ("Delete", "DeleteAccess"),
        ("Share", "ShareAccess"),
        ("Assign", "AssignAccess"),
    ] {
        let name = format!("prv{verb}{noun}");
        if held.iter().any(|h| h.name == name && (h.depth != "Basic" || owns)) {
            rights.push(right);
        }
    }
    let rights = if rights.is_empty() { "None".to_string() } else { rights.join(", ") };
    let body = Json::obj()
        .with(
            "@odata.context",
            format!("{}Microsoft.Dynamics.CRM.RetrievePrincipalAccessResponse", ctx.metadata()),
        )
        .with("AccessRights", rights);
    Ok(Resp::json(200, body.render()))
}
