//! Writes (§9.5): PATCH (update or upsert), POST (create), DELETE, single-property PUT/DELETE and
//! `$ref` unbinding, with conditional headers, `@odata.bind`, validation of every property, privilege
//! checks and the business rules that follow a write (approval kept in step, Test & Enable scheduling).

use serde_json::{Map, Value};

use crate::config::BindNull;
use crate::error::ApiError;
use crate::ids::Guid;
use crate::message::Resp;
use crate::ops::call::{Call, Ctx, Outcome};
use crate::ops::retrieve::{parse_key, parse_options};
use crate::ops::{approval, security, test_enable};
use crate::render;
use crate::schema::{self, Access, Kind, TableDef};
use crate::sim::State;
use crate::store::{Org, V};

fn org_mut<'a>(st: &'a mut State, ctx: &Ctx) -> Result<&'a mut Org, ApiError> {
    st.orgs.get_mut(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))
}

fn not_updatable(def: &TableDef, verb: &str) -> ApiError {
    ApiError::new(
        400,
        "0x80040800",
        format!("The '{verb}' method does not support entities of type '{}'.", def.logical),
    )
}

/// Parses `/set(id)`, `set(id)` or an absolute URL ending in `set(id)`.
fn parse_bind(value: &str) -> Option<(String, Guid)> {
    let last = value.trim_end_matches('/').rsplit('/').next()?;
    let open = last.find('(')?;
    let set = &last[..open];
    let id = Guid::parse(last[open + 1..].strip_suffix(')')?)?;
    Some((set.to_string(), id))
}

fn json_to_v(set: &str, col: &schema::Col, v: &Value, wrap: bool) -> Result<V, ApiError> {
    let edm = match col.kind {
        Kind::Str | Kind::Memo | Kind::EntityName => "Edm.String",
        Kind::Int | Kind::Choice(_) => "Edm.Int32",
        Kind::Bool => "Edm.Boolean",
        Kind::Time => "Edm.DateTimeOffset",
        _ => "Edm.Guid",
    };
    let bad = || {
        ApiError::payload(
            set,
            &format!(
                "Cannot convert the literal '{}' to the expected type '{edm}'.",
                v.to_string().trim_matches('"')
            ),
            wrap,
        )
    };
    if v.is_null() {
        return Ok(V::Null);
    }
    Ok(match col.kind {
        Kind::Str | Kind::Memo | Kind::EntityName => V::Str(v.as_str().ok_or_else(bad)?.to_string()),
        Kind::Int | Kind::Choice(_) => V::Int(v.as_i64().ok_or_else(bad)?),
        Kind::Bool => V::Bool(v.as_bool().ok_or_else(bad)?),
        Kind::Time => V::Time(v.as_str().and_then(crate::time::parse_iso).ok_or_else(bad)?),
        Kind::Pk | Kind::Uniqueidentifier => V::Guid(v.as_str().and_then(Guid::parse).ok_or_else(bad)?),
        Kind::Lookup(_) => return Err(bad()),
    })
}

/// Validates a body into typed fields.
fn parse_fields(
    org: &Org,
    def: &'static TableDef,
    body: &Map<String, Value>,
    creating: bool,
    st_quirks: &crate::config::Quirks,
) -> Result<Vec<(&'static str, V)>, ApiError> {
    let wrap = st_quirks.wrap_payload_errors;
    let mut out = Vec::new();
    for (k, v) in body {
        if k.starts_with('@') {
            continue;
        }
        if let Some(nav) = k.strip_suffix("@odata.bind") {
            let Some((col, target)) = def.nav(nav) else {
                return Err(ApiError::payload(
                    def.set,
                    &format!(
                        "An undeclared property '{nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values."
                    ),
                    wrap,
                ));
            };
            if col.access == Access::Ro && st_quirks.reject_read_only_writes {
                return Err(read_only(def, nav));
            }
            let target_def = schema::by_logical(target)
                .ok_or_else(|| ApiError::unknown_property(nav, &def.type_name()))?;
            if v.is_null() {
                // Field reports (MicrosoftDocs/powerapps-docs#2720, #4268; rezanid/PSDataverse#27): the
                // documented `"<nav>@odata.bind": null` is refused or silently ignored; `"<nav>": null`
                // clears the lookup.
                match st_quirks.odata_bind_null {
                    BindNull::Refused => {
                        return Err(ApiError::payload(
                            def.set,
                            "The 'odata.bind' instance or property annotation has a null value. In OData, the 'odata.bind' instance or property annotation must have a non-null string value.",
                            wrap,
                        ));
                    }
                    BindNull::Ignored => continue,
                    BindNull::Clears => {
                        out.push((col.name, V::Null));
                        continue;
                    }
                }
            }
            let (set, id) = v.as_str().and_then(parse_bind).ok_or_else(|| {
                ApiError::payload(
                    def.set,
                    &format!(
                        "The URI '{}' is not valid for the navigation property '{nav}'.",
                        v.to_string().trim_matches('"')
                    ),
                    wrap,
                )
            })?;
            if set != target_def.set {
                return Err(ApiError::payload(
                    def.set,
                    &format!(
                        "The URI '{}' does not refer to an entity of type '{}'.",
                        v.to_string().trim_matches('"'),
                        target_def.type_name()
                    ),
                    wrap,
                ));
            }
            if org.row(target, id).is_none() {
                return Err(ApiError::row_not_found(target, id));
            }
            out.push((col.name, V::lookup(target_def.logical, id)));
            continue;
        }
        if k.contains('@') {
            continue;
        }
        // A single-valued navigation property set to null disassociates (documented:
        // associate-disassociate-entities-using-web-api#disassociate-with-a-single-valued-navigation-property).
        if let Some((col, _)) = def.nav(k) {
            if !v.is_null() {
                return Err(ApiError::payload(
                    def.set,
                    &format!(
                        "Invalid property '{k}' was found in entity '{}'. ---> Microsoft.OData.ODataException: Does not support untyped value in non-open type.",
                        def.type_name()
                    ),
                    wrap,
                ));
            }
            if col.access == Access::Ro && st_quirks.reject_read_only_writes {
                return Err(read_only(def, k));
            }
            if col.required {
                return Err(ApiError::new(
                    400,
                    "0x80044331",
                    format!(
                        "A validation error occurred. The value of '{k}' on record of type '{}' cannot be set to NULL.",
                        def.logical
                    ),
                ));
            }
            out.push((col.name, V::Null));
            continue;
        }
        if k.starts_with('_') && k.ends_with("_value") {
            return Err(ApiError::bad_query(
                "CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.",
            ));
        }
        let Some(col) = def.col(k).filter(|c| !matches!(c.kind, Kind::Lookup(_))) else {
            return Err(ApiError::payload(
                def.set,
                &format!(
                    "The property '{k}' does not exist on type '{}'. Make sure to only use property names that are defined by the type or mark the type as open type.",
                    def.type_name()
                ),
                wrap,
            ));
        };
        if col.name == def.pk {
            continue;
        }
        let read_only_here = col.access == Access::Ro || (creating && col.access == Access::NoCreate);
        if read_only_here {
            if st_quirks.reject_read_only_writes {
                return Err(read_only(def, k));
            }
            continue;
        }
        let value = json_to_v(def.set, col, v, wrap)?;
        if let (Kind::Choice(opts), V::Int(i)) = (col.kind, &value)
            && !opts.iter().any(|(n, _)| n == i)
        {
            return Err(ApiError::new(
                400,
                "0x80044331",
                format!(
                    "A validation error occurred. The value {i} of '{k}' on record of type '{}' is outside the valid range.",
                    def.logical
                ),
            ));
        }
        if col.required && value == V::Null {
            return Err(ApiError::new(
                400,
                "0x80044331",
                format!(
                    "A validation error occurred. The value of '{k}' on record of type '{}' cannot be set to NULL.",
                    def.logical
                ),
            ));
        }
        out.push((col.name, value));
    }
    Ok(out)
}

fn read_only(def: &TableDef, k: &str) -> ApiError {
    ApiError::new(
        400,
        "0x80048d19",
        format!(
            "Error identified in Payload provided by the user for Entity :'{}', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ---->  InnerException : The property '{k}' of type '{}' is read-only and cannot be set. (dataverse-sim: Quirks::reject_read_only_writes)",
            def.set,
            def.type_name()
        ),
    )
}

fn body_object(call: &Call<'_>, def: &TableDef, wrap: bool) -> Result<Map<String, Value>, ApiError> {
    if call.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(call.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::payload(
            def.set,
            "A node of type 'StartArray' was read from the JSON reader when trying to read the start of an entry. A 'StartObject' node was expected.",
            wrap,
        )),
        Err(e) => Err(ApiError::payload(def.set, &format!("Invalid JSON. {e}"), wrap)),
    }
}

/// Checks `If-Match` / `If-None-Match` against the current row.
fn preconditions(call: &Call<'_>, def: &TableDef, id: Guid, current: Option<u64>) -> Result<(), ApiError> {
    if let Some(m) = call.header("if-match") {
        let m = m.trim();
        match current {
            None => return Err(ApiError::row_not_found(def.logical, id)),
            Some(v) if m != "*" && m != format!("W/\"{v}\"") => {
                return Err(ApiError::new(
                    412,
                    "0x80060882",
                    "The version of the existing record doesn't match the RowVersion property provided.",
                ));
            }
            _ => {}
        }
    }
    if call.header("if-none-match").map(str::trim) == Some("*") && current.is_some() {
        return Err(ApiError::new(412, "0x80040237", "A record with matching key values already exists."));
    }
    Ok(())
}

/// Runs permission checks and business rules, then stores the fields.
fn apply(
    st: &mut State,
    ctx: &Ctx,
    def: &'static TableDef,
    id: Guid,
    mut fields: Vec<(&'static str, V)>,
) -> Result<(), ApiError> {
    let config = st.config.clone();
    let now = st.now();
    let org = org_mut(st, ctx)?;
    let existing = org.row(def.logical, id).cloned();
    security::check_write(org, ctx.user, def, existing.as_ref())?;

    // statecode without statuscode gets the default status (§9.5).
    let state = fields.iter().find(|(k, _)| *k == "statecode").and_then(|(_, v)| v.as_int());
    let status = fields.iter().find(|(k, _)| *k == "statuscode").and_then(|(_, v)| v.as_int());
    if def.col("statuscode").is_some() {
        match (state, status) {
            (Some(s), None) => fields.push(("statuscode", V::Int(if s == 0 { 1 } else { 2 }))),
            (Some(s), Some(c)) if (s == 0) != (c == 1) => {
                return Err(ApiError::new(
                    400,
                    "0x80040203",
                    format!(
                        "{c} is not a valid status code for state code {}State.{}.",
                        def.logical,
                        if s == 0 { "Active" } else { "Inactive" }
                    ),
                ));
            }
            _ => {}
        }
    }

    // Approval: permission model and keeping mailbox and owner in step.
    let approval =
        fields.iter().find(|(k, _)| *k == "emailrouteraccessapproval").and_then(|(_, v)| v.as_int());
    let approval_mailbox = match def.logical {
        "mailbox" => Some(id),
        "systemuser" | "queue" => existing.as_ref().and_then(|r| r.lookup("defaultmailbox")).map(|l| l.id),
        _ => None,
    };
    let mut approval_change = None;
    if let Some(value) = approval {
        let current = existing.as_ref().map(|r| r.int("emailrouteraccessapproval"));
        if current != Some(value) && matches!(def.logical, "mailbox" | "systemuser" | "queue") {
            match approval_mailbox.and_then(|m| org.row("mailbox", m)) {
                Some(mrow) => security::check_approval(org, ctx.user, mrow, &config)?,
                None if security::holds(org, ctx.user, security::APPROVE).is_none() => {
                    return Err(security::privilege_denied(org, ctx.user, security::APPROVE, def.logical));
                }
                None => {}
            }
            approval_change = Some(value);
        }
    }
    // §1.3 [DISASM, weak]: a changed primary address puts approval back to Pending (or Empty when cleared).
    if config.quirks.reset_approval_on_address_change && approval.is_none() {
        let address_col = match def.logical {
            "systemuser" => Some("internalemailaddress"),
            "queue" | "mailbox" => Some("emailaddress"),
            _ => None,
        };
        if let (Some(col), Some(row)) = (address_col, existing.as_ref())
            && let Some((_, new)) = fields.iter().find(|(k, _)| *k == col)
            && new.as_str().unwrap_or("") != row.text(col)
        {
            let value = if new.as_str().is_some_and(|s| !s.is_empty()) { 2 } else { 0 };
            fields.push(("emailrouteraccessapproval", V::Int(value)));
            approval_change = Some(value);
        }
    }
    if fields.iter().any(|(k, v)| *k == "password" && *v != V::Null) && def.col("ispasswordset").is_some() {
        fields.push(("ispasswordset", V::Bool(true)));
    }
    let schedule = if def.logical == "mailbox" {
        fields.iter().find(|(k, _)| *k == "testemailconfigurationscheduled").and_then(|(_, v)| v.as_bool())
    } else {
        None
    };

    if existing.is_some() {
        org.update(def.logical, id, fields, now);
    } else {
        let mut all = defaults(def, ctx);
        all.retain(|(k, _)| !fields.iter().any(|(f, _)| f == k));
        all.extend(fields);
        org.insert(def, id, all, now);
        if def.logical == "queue" {
            create_queue_mailbox(org, id, ctx.user, now);
        }
    }

    if let Some(value) = approval_change {
        match def.logical {
            "mailbox" => approval::write_approval(org, id, value, Some(ctx.user), now, &config),
            _ if config.quirks.sync_approval_with_owner => {
                if let Some(m) = approval_mailbox {
                    approval::write_approval(org, m, value, Some(ctx.user), now, &config);
                }
            }
            _ => {}
        }
    }
    if def.logical == "mailbox" && org.scheduled.contains(&id) {
        // A write may reactivate a stuck mailbox or move its postpone time: look again on the next tick.
        org.next_due = i64::MIN;
    }
    match schedule {
        Some(true) => test_enable::schedule(org, id, ctx.user, now, &config),
        Some(false) => {
            org.scheduled.remove(&id);
        }
        None => {}
    }
    Ok(())
}

/// Column defaults for a row created through the API.
fn defaults(def: &TableDef, ctx: &Ctx) -> Vec<(&'static str, V)> {
    let mut out = Vec::new();
    for c in def.cols {
        let v = match (c.name, c.kind) {
            ("statecode", _) => V::Int(0),
            ("statuscode", _) => V::Int(1),
            ("ownerid" | "owninguser", _) => V::lookup("systemuser", ctx.user),
            ("enabledforincomingemail" | "enabledforoutgoingemail" | "enabledforact", _) => V::Bool(true),
            ("emailrouteraccessapproval", _) => V::Int(0),
            ("testemailconfigurationretrycount" | "processingstatecode", _) => V::Int(0),
            ("postponemailboxprocessinguntil", _) => V::Time(0),
            (_, Kind::Bool) => V::Bool(false),
            _ => continue,
        };
        out.push((c.name, v));
    }
    out
}

fn entity_id_header(ctx: &Ctx, def: &TableDef, id: Guid) -> String {
    format!("{}{}({id})", ctx.api_root(), def.set)
}

fn representation(
    st: &State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    id: Guid,
    status: u16,
) -> Result<Resp, ApiError> {
    let opts = parse_options(def, call.query)?;
    let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
    let row = org.row(def.logical, id).ok_or_else(|| ApiError::row_not_found(def.logical, id))?;
    let cols = opts.select.clone().unwrap_or_else(|| render::all_cols(def));
    let ctx_cols = opts.select_raw.as_ref().map(|s| format!("({s})")).unwrap_or_default();
    let context = format!("{}{}{ctx_cols}/$entity", ctx.metadata(), def.set);
    let text = render::entity_text(&context, org, def, row, &cols, &call.prefer, &[]);
    let mut applied = vec!["return=representation".to_string()];
    if let Some(a) = &call.prefer.annotations_raw {
        applied.push(format!("odata.include-annotations=\"{a}\""));
    }
    Ok(Resp::json(status, text)
        .header("Preference-Applied", applied.join(","))
        .header("OData-EntityId", entity_id_header(ctx, def, id))
        .header("ETag", render::etag(row)))
}

fn write_cost(st: &State) -> i64 {
    st.config.limits.cost.write.as_millis() as i64
}

fn finish(st: &State, r: Result<Resp, ApiError>) -> Outcome {
    let cost = write_cost(st);
    match r {
        Ok(resp) => Outcome { resp, cost_ms: cost },
        Err(e) => Outcome { resp: e.into(), cost_ms: cost },
    }
}

/// `PATCH <set>(<id>)`.
pub(crate) fn patch(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    key: &str,
) -> Outcome {
    let r = (|| {
        if !def.writable {
            return Err(not_updatable(def, "Update"));
        }
        let id = parse_key(def, key)?;
        let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
        let current = org.row(def.logical, id).map(|r| r.version);
        preconditions(call, def, id, current)?;
        if current.is_none() && !def.creatable {
            return Err(ApiError::row_not_found(def.logical, id));
        }
        let body = body_object(call, def, st.config.quirks.wrap_payload_errors)?;
        let fields = parse_fields(org, def, &body, current.is_none(), &st.config.quirks)?;
        apply(st, ctx, def, id, fields)?;
        *st.api_writes.entry((ctx.org, id)).or_default() += 1;
        if call.prefer.return_representation {
            return representation(st, ctx, call, def, id, 200);
        }
        Ok(Resp::no_content().header("OData-EntityId", entity_id_header(ctx, def, id)))
    })();
    finish(st, r)
}

/// `POST <set>`.
pub(crate) fn create(st: &mut State, ctx: &Ctx, call: &Call<'_>, def: &'static TableDef) -> Outcome {
    let r = (|| {
        if !def.creatable {
            return Err(not_updatable(def, "Create"));
        }
        let body = body_object(call, def, st.config.quirks.wrap_payload_errors)?;
        let org = st.orgs.get_mut(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
        let id = match body.get(def.pk).and_then(Value::as_str).and_then(Guid::parse) {
            Some(id) => id,
            None => org.rng.guid(),
        };
        if org.row(def.logical, id).is_some() {
            return Err(ApiError::new(
                412,
                "0x80040237",
                "A record with matching key values already exists.",
            ));
        }
        let org = &*org;
        let fields = parse_fields(org, def, &body, true, &st.config.quirks)?;
        apply(st, ctx, def, id, fields)?;
        if call.prefer.return_representation {
            return representation(st, ctx, call, def, id, 201);
        }
        Ok(Resp::no_content().header("OData-EntityId", entity_id_header(ctx, def, id)))
    })();
    finish(st, r)
}

/// `DELETE <set>(<id>)`.
pub(crate) fn delete(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    key: &str,
) -> Outcome {
    let r = (|| {
        if !(def.creatable || def.logical == "tracelog") {
            return Err(not_updatable(def, "Delete"));
        }
        let id = parse_key(def, key)?;
        let org = org_mut(st, ctx)?;
        let current = org.row(def.logical, id).map(|r| r.version);
        preconditions(call, def, id, current)?;
        if current.is_none() {
            return Err(ApiError::row_not_found(def.logical, id));
        }
        if def.logical != "tracelog" {
            let row = org.row(def.logical, id).cloned();
            security::check_write(org, ctx.user, def, row.as_ref())?;
        }
        // Deleting a queue cascades to its mailbox (mailbox_regarding_queue, §1.1).
        if def.logical == "queue"
            && let Some(m) = org.row("queue", id).and_then(|q| q.lookup("defaultmailbox"))
        {
            org.remove("mailbox", m.id);
        }
        org.remove(def.logical, id);
        Ok(Resp::no_content())
    })();
    finish(st, r)
}

/// `PUT <set>(<id>)/<prop>` with `{"value": …}`, or `DELETE` of the same (clears it).
pub(crate) fn property(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    key: &str,
    prop: &str,
) -> Outcome {
    let r = (|| {
        if !def.writable {
            return Err(not_updatable(def, "Update"));
        }
        let id = parse_key(def, key)?;
        let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
        let current = org.row(def.logical, id).map(|r| r.version);
        if current.is_none() {
            return Err(ApiError::row_not_found(def.logical, id));
        }
        preconditions(call, def, id, current)?;
        let value = if call.method == "DELETE" {
            Value::Null
        } else {
            let body = body_object(call, def, st.config.quirks.wrap_payload_errors)?;
            body.get("value").cloned().ok_or_else(|| {
                ApiError::payload(
                    def.set,
                    "The 'value' property is required.",
                    st.config.quirks.wrap_payload_errors,
                )
            })?
        };
        let mut m = Map::new();
        m.insert(prop.to_string(), value);
        let fields = parse_fields(org, def, &m, false, &st.config.quirks)?;
        apply(st, ctx, def, id, fields)?;
        Ok(Resp::no_content())
    })();
    finish(st, r)
}

/// `DELETE <set>(<id>)/<nav>/$ref`: clears a single-valued lookup.
pub(crate) fn unbind(
    st: &mut State,
    ctx: &Ctx,
    call: &Call<'_>,
    def: &'static TableDef,
    key: &str,
    nav: &str,
) -> Outcome {
    let r = (|| {
        let id = parse_key(def, key)?;
        let (col, _) = def.nav(nav).ok_or_else(|| ApiError::segment_not_found(nav))?;
        if col.access == Access::Ro {
            return Err(read_only(def, nav));
        }
        let org = st.orgs.get(ctx.org).ok_or_else(|| ApiError::new(500, "0x80040216", "org missing"))?;
        let current = org.row(def.logical, id).map(|r| r.version);
        if current.is_none() {
            return Err(ApiError::row_not_found(def.logical, id));
        }
        preconditions(call, def, id, current)?;
        apply(st, ctx, def, id, vec![(col.name, V::Null)])?;
        Ok(Resp::no_content())
    })();
    finish(st, r)
}

/// `POST <set>/Microsoft.Dynamics.CRM.UpdateMultiple` and friends (BULK). Not supported for mailbox
/// (§1.1), answered as the service answers a message without a processor; other tables are outside
/// what the simulator models, so it says so loudly.
pub(crate) fn bulk(
    st: &mut State,
    ctx: &Ctx,
    _call: &Call<'_>,
    def: &'static TableDef,
    action: &str,
) -> Outcome {
    let supported = st.orgs.get(ctx.org).is_some_and(|o| {
        o.rows("sdkmessagefilter").values().any(|f| {
            f.text("primaryobjecttypecode") == def.logical
                && f.lookup("sdkmessageid").and_then(|l| o.name_of("sdkmessage", l.id)).as_deref()
                    == Some(action)
        })
    });
    if supported {
        return ApiError::new(
            501,
            "0x80040800",
            format!("dataverse-sim does not model the '{action}' message."),
        )
        .into();
    }
    ApiError::new(
        400,
        "0x80040800",
        format!("The '{action}' method does not support entities of type '{}'. MessageProcessorCache returned MessageProcessor.Empty.", def.logical),
    )
    .into()
}

/// Every queue has a mailbox (§1.1); a new one gets the org's default email settings (§3.2: they apply when
/// a user or queue is created) and the default profile. Queues have no ACT, so that method is None.
fn create_queue_mailbox(org: &mut Org, queue: Guid, owner: Guid, now: i64) {
    let (Some(q), Some(o), Some(mbx_t)) = (
        org.row("queue", queue).cloned(),
        org.row("organization", org.org_id).cloned(),
        schema::by_logical("mailbox"),
    ) else {
        return;
    };
    let xml = o.text("defaultemailsettings").to_string();
    let incoming = crate::scenario::email_setting(&xml, "IncomingEmailDeliveryMethod").unwrap_or(0);
    let outgoing = crate::scenario::email_setting(&xml, "OutgoingEmailDeliveryMethod").unwrap_or(0);
    let email = q.text("emailaddress").to_string();
    // A new address waits for approval; without one there is nothing to approve [I].
    let approval = if email.is_empty() { 0 } else { 2 };
    let plan = crate::scenario::MailboxPlan::new_mailbox(approval, incoming, outgoing, 2);
    let seed = crate::scenario::MailboxSeed {
        name: q.text("name"),
        email: &email,
        regarding: Some(("queue", queue)),
        owner,
        bu: org.bu_id,
        profile: o.lookup("defaultemailserverprofileid").map(|l| l.id),
        state: &plan,
        forward: false,
    };
    let fields = crate::scenario::mailbox_fields(&seed);
    let mid = org.rng.guid();
    org.insert(mbx_t, mid, fields, now);
    org.update(
        "queue",
        queue,
        vec![("defaultmailbox", V::lookup("mailbox", mid)), ("emailrouteraccessapproval", V::Int(approval))],
        now,
    );
}
