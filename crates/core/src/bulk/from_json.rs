//! Reading a format 1 saved run back: [`FromJson`] for the plan, the journal and the run configuration.
//!
//! Versions before issue 19 saved a run (plan, journal, configuration) with serde's derived
//! `Serialize`; the panel reads such a run through these readers (via [`SavedRun`](super::SavedRun),
//! which writes format 2 of its own), so a run saved before an update still resumes. They accept
//! exactly what `Serialize` writes, including what earlier versions wrote: enum variants in kebab case
//! (`"approve"`, `{"edit-profile-and-methods": {...}}`), model enums in their Rust names
//! (`"ServerSideSync"`, `{"Unknown": 7}`), tuples as arrays, and [`Duration`] as
//! `{"secs": …, "nanos": …}`. A [`RunConfig`] field that is missing (saved before the field existed)
//! takes its default. Format 2 reads its plan items' changes, skips and blocks with these readers too
//! (those parts have the same shape in both formats).

use super::action::{Action, Entity, Field};
use super::plan::{Blocked, Change, Plan, PlanItem, Skipped};
use super::run::{Journal, RunConfig};
use crate::json::{FromJson, JsonError, Obj, array, items, tagged, unknown_variant};
use crate::model::{ActDeliveryMethod, DeliveryMethod, MailboxKind};
use serde_json::Value;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------------
// Helpers for what serde writes beyond plain structs (tuples, durations, enums)

/// The items of an array of exactly `len` items (a serialised tuple).
fn tuple(value: &Value, len: usize) -> Result<&[Value], JsonError> {
    let items = array(value)?;
    if items.len() == len {
        Ok(items)
    } else {
        Err(JsonError::new(format!("expected an array of {len} items, got {}", items.len())))
    }
}

/// Item `i` of a tuple read by [`tuple()`].
fn item<T: FromJson>(items: &[Value], i: usize) -> Result<T, JsonError> {
    match items.get(i) {
        Some(value) => T::from_json(value).map_err(|e| e.at_index(i)),
        None => Err(missing_item(i)),
    }
}

#[cold]
#[inline(never)]
fn missing_item(i: usize) -> JsonError {
    JsonError::new(format!("missing item {i}"))
}

/// A required array field whose items `read` reads (for item types that are not [`FromJson`]).
pub(super) fn list<T>(o: &Obj<'_>, key: &str, read: fn(&Value) -> Result<T, JsonError>) -> Result<Vec<T>, JsonError> {
    items(o.field(key)?, read).map_err(|e| e.at_key(key))
}

/// The required field `key`, read by `read` (shared with format 2).
pub(super) fn req_with<T>(o: &Obj<'_>, key: &str, read: fn(&Value) -> Result<T, JsonError>) -> Result<T, JsonError> {
    read(o.field(key)?).map_err(|e| e.at_key(key))
}

/// The optional field `key` (missing and null are `None`), read by `read` (shared with format 2).
pub(super) fn opt_with<T>(
    o: &Obj<'_>,
    key: &str,
    read: fn(&Value) -> Result<T, JsonError>,
) -> Result<Option<T>, JsonError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => read(value).map(Some).map_err(|e| e.at_key(key)),
    }
}

/// A field that takes `default` when it is missing or null.
fn or<T: FromJson>(o: &Obj<'_>, key: &str, default: T) -> Result<T, JsonError> {
    Ok(o.opt(key)?.unwrap_or(default))
}

/// A [`Duration`] as serde writes it: `{"secs": u64, "nanos": u32}`.
fn duration(value: &Value) -> Result<Duration, JsonError> {
    let o = Obj::of(value)?;
    let secs: u64 = o.req("secs")?;
    let nanos: u32 = o.req("nanos")?;
    // `Duration::new` carries whole seconds out of `nanos`; refuse what would overflow (as serde does).
    if secs.checked_add(u64::from(nanos / 1_000_000_000)).is_none() {
        return Err(JsonError::new("overflow deserializing Duration"));
    }
    Ok(Duration::new(secs, nanos))
}

/// A unit variant from `table` (an enum whose variants carry no data), by its serialised name.
fn unit<T: Copy>(value: &Value, table: &[(&str, T)]) -> Result<T, JsonError> {
    let (tag, _) = tagged(value)?;
    match table.iter().find(|(name, _)| *name == tag) {
        Some((_, variant)) => Ok(*variant),
        None => Err(unknown_variant(tag, &table.iter().map(|(name, _)| *name).collect::<Vec<_>>())),
    }
}

/// The content of an `Unknown(i32)` variant, or the unit variant `known` names.
fn option_value<T: Copy>(
    value: &Value,
    known: &[(&str, T)],
    unknown: fn(i32) -> T,
    expected: &[&str],
) -> Result<T, JsonError> {
    let (tag, content) = tagged(value)?;
    if tag == "Unknown" {
        return i32::from_json(content).map(unknown).map_err(|e| e.at_key(tag));
    }
    match known.iter().find(|(name, _)| *name == tag) {
        Some((_, variant)) => Ok(*variant),
        None => Err(unknown_variant(tag, expected)),
    }
}

// ---------------------------------------------------------------------------------------------------
// Model enums

impl FromJson for DeliveryMethod {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        const KNOWN: &[(&str, DeliveryMethod)] = &[
            ("None", DeliveryMethod::None),
            ("Outlook", DeliveryMethod::Outlook),
            ("ServerSideSync", DeliveryMethod::ServerSideSync),
            ("ForwardMailbox", DeliveryMethod::ForwardMailbox),
        ];
        option_value(
            value,
            KNOWN,
            DeliveryMethod::Unknown,
            &["None", "Outlook", "ServerSideSync", "ForwardMailbox", "Unknown"],
        )
    }
}

impl FromJson for ActDeliveryMethod {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        const KNOWN: &[(&str, ActDeliveryMethod)] = &[
            ("Outlook", ActDeliveryMethod::Outlook),
            ("ServerSideSync", ActDeliveryMethod::ServerSideSync),
            ("None", ActDeliveryMethod::None),
        ];
        option_value(value, KNOWN, ActDeliveryMethod::Unknown, &["Outlook", "ServerSideSync", "None", "Unknown"])
    }
}

/// A [`MailboxKind`] (`"User"`, `"Queue"`, `"Forward"`, `{"Unknown": "…"}`). A private reader rather
/// than a [`FromJson`] impl: the model's own decoding is another module's business.
fn mailbox_kind(value: &Value) -> Result<MailboxKind, JsonError> {
    let (tag, content) = tagged(value)?;
    match tag {
        "User" => Ok(MailboxKind::User),
        "Queue" => Ok(MailboxKind::Queue),
        "Forward" => Ok(MailboxKind::Forward),
        "Unknown" => String::from_json(content).map(MailboxKind::Unknown).map_err(|e| e.at_key(tag)),
        _ => Err(unknown_variant(tag, &["User", "Queue", "Forward", "Unknown"])),
    }
}

// ---------------------------------------------------------------------------------------------------
// Actions and fields

/// Every action's serialised name (the same as [`Action::key`]).
pub(super) const ACTIONS: &[&str] = &[
    "approve",
    "reject",
    "apply-default-settings",
    "edit-profile-and-methods",
    "test-and-enable",
    "test-and-enable-profile",
    "set-org-default-profile",
    "set-org-default-email-settings",
    "set-approval-requirement",
    "activate-profile",
    "set-email-address",
    "undo",
];

impl FromJson for Action {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let (tag, content) = tagged(value)?;
        match tag {
            "approve" => Ok(Action::Approve),
            "reject" => Ok(Action::Reject),
            "undo" => Ok(Action::Undo),
            _ if ACTIONS.contains(&tag) => Obj::of(content)
                .and_then(|o| action_with_fields(tag, &o, DeliveryMethod::from_json, ActDeliveryMethod::from_json))
                .map_err(|e| e.at_key(tag)),
            _ => Err(unknown_variant(tag, ACTIONS)),
        }
    }
}

/// The struct variant `tag` of [`Action`] from its fields in `o`, delivery methods read by `method`
/// and `act` (shared with format 2, which writes the same fields but methods as option values).
pub(super) fn action_with_fields(
    tag: &str,
    o: &Obj<'_>,
    method: fn(&Value) -> Result<DeliveryMethod, JsonError>,
    act: fn(&Value) -> Result<ActDeliveryMethod, JsonError>,
) -> Result<Action, JsonError> {
    Ok(match tag {
        "apply-default-settings" => Action::ApplyDefaultSettings {
            test_and_enable: o.req("test_and_enable")?,
            this_org_only: o.req("this_org_only")?,
        },
        "edit-profile-and-methods" => Action::EditProfileAndMethods {
            profile_id: o.opt("profile_id")?,
            incoming: opt_with(o, "incoming", method)?,
            outgoing: opt_with(o, "outgoing", method)?,
            act: opt_with(o, "act", act)?,
        },
        "test-and-enable" => Action::TestAndEnable {
            this_org_only: o.req("this_org_only")?,
            process_email_after: o.opt("process_email_after")?,
        },
        "test-and-enable-profile" => Action::TestAndEnableProfile { profile_id: o.req("profile_id")? },
        "set-org-default-profile" => Action::SetOrgDefaultProfile { profile_id: o.req("profile_id")? },
        "set-org-default-email-settings" => Action::SetOrgDefaultEmailSettings {
            profile_id: o.opt("profile_id")?,
            incoming: req_with(o, "incoming", method)?,
            outgoing: req_with(o, "outgoing", method)?,
            act: req_with(o, "act", act)?,
            server_side_sync: o.req("server_side_sync")?,
        },
        "set-approval-requirement" => {
            Action::SetApprovalRequirement { users: o.req("users")?, queues: o.req("queues")? }
        }
        "activate-profile" => Action::ActivateProfile { profile_id: o.req("profile_id")? },
        "set-email-address" => Action::SetEmailAddress { changes: o.req("changes")? },
        _ => return Err(unknown_variant(tag, ACTIONS)),
    })
}

impl FromJson for Entity {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        unit(
            value,
            &[("mailbox", Entity::Mailbox), ("organization", Entity::Organization), ("profile", Entity::Profile)],
        )
    }
}

impl FromJson for Field {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        const FIELDS: &[(&str, Field)] = &[
            ("approval", Field::Approval),
            ("profile", Field::Profile),
            ("incoming-method", Field::IncomingMethod),
            ("outgoing-method", Field::OutgoingMethod),
            ("act-method", Field::ActMethod),
            ("test-scheduled", Field::TestScheduled),
            ("org-marked-primary", Field::OrgMarkedPrimary),
            ("process-email-after", Field::ProcessEmailAfter),
            ("default-profile", Field::DefaultProfile),
            ("default-email-settings", Field::DefaultEmailSettings),
            ("connection-channel", Field::ConnectionChannel),
            ("require-approval-users", Field::RequireApprovalUsers),
            ("require-approval-queues", Field::RequireApprovalQueues),
            ("profile-state", Field::ProfileState),
            ("email-address", Field::EmailAddress),
        ];
        unit(value, FIELDS)
    }
}

// ---------------------------------------------------------------------------------------------------
// The plan

impl FromJson for Change {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Change { field: o.req("field")?, before: o.req("before")?, after: o.req("after")? })
    }
}

impl FromJson for PlanItem {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        plan_item(value, mailbox_kind)
    }
}

/// A plan item whose mailbox kind `kind` reads (shared with format 2).
pub(super) fn plan_item(
    value: &Value,
    kind: fn(&Value) -> Result<MailboxKind, JsonError>,
) -> Result<PlanItem, JsonError> {
    let o = Obj::of(value)?;
    let kind = opt_with(&o, "kind", kind)?;
    Ok(PlanItem {
        entity: o.req("entity")?,
        id: o.req("id")?,
        name: o.req("name")?,
        kind,
        changes: o.req("changes")?,
        tracks_test: o.req("tracks_test")?,
        test_completed_before: o.opt("test_completed_before")?,
    })
}

impl FromJson for Skipped {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Skipped { id: o.req("id")?, name: o.req("name")?, reason: o.req("reason")? })
    }
}

impl FromJson for Blocked {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Blocked { id: o.req("id")?, name: o.req("name")?, reason: o.req("reason")? })
    }
}

/// A saved org URL, checked again (loopback too: a local web app saves loopback orgs).
fn org_url(value: &Value) -> Result<crate::model::OrgUrl, JsonError> {
    let text = String::from_json(value)?;
    crate::model::OrgUrl::parse_with(&text, crate::model::HostPolicy::AllowLoopback)
        .map_err(|e| JsonError::new(e.to_string()))
}

impl FromJson for Plan {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        plan(value, Action::from_json, PlanItem::from_json, |v| {
            let items = tuple(v, 2)?;
            Ok((item(items, 0)?, item(items, 1)?))
        })
    }
}

/// A plan whose action, items and profile names `action`, `item` and `name` read (shared with format 2).
pub(super) fn plan(
    value: &Value,
    action: fn(&Value) -> Result<Action, JsonError>,
    item: fn(&Value) -> Result<PlanItem, JsonError>,
    name: fn(&Value) -> Result<(String, String), JsonError>,
) -> Result<Plan, JsonError> {
    let o = Obj::of(value)?;
    Ok(Plan {
        action: req_with(&o, "action", action)?,
        items: list(&o, "items", item)?,
        skipped: o.req("skipped")?,
        blocked: o.req("blocked")?,
        warnings: o.req("warnings")?,
        profile_names: list(&o, "profile_names", name)?,
        // Absent in plans saved before issue 12: such a plan is read, but refused by
        // `Plan::check_target`, because nothing says which org it was made for.
        org: opt_with(&o, "org", org_url)?,
    })
}

// ---------------------------------------------------------------------------------------------------
// The journal and the configuration

impl FromJson for Journal {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        journal(
            value,
            u64::from_json,
            |v| {
                let items = tuple(v, 4)?;
                Ok((item(items, 0)?, item(items, 1)?, item(items, 2)?, item(items, 3)?))
            },
            |v| {
                let items = tuple(v, 2)?;
                Ok((item(items, 0)?, item(items, 1)?))
            },
        )
    }
}

/// A journal entry's reason: item, HTTP status, error code, message.
pub(super) type Reason = (u32, Option<u16>, Option<String>, String);

/// A journal whose digest, reasons and test start times `digest`, `reason` and `since` read (shared
/// with format 2).
pub(super) fn journal(
    value: &Value,
    digest: fn(&Value) -> Result<u64, JsonError>,
    reason: fn(&Value) -> Result<Reason, JsonError>,
    since: fn(&Value) -> Result<(u32, u64), JsonError>,
) -> Result<Journal, JsonError> {
    let o = Obj::of(value)?;
    Ok(Journal {
        digest: req_with(&o, "digest", digest)?,
        states: o.req("states")?,
        applied: o.req("applied")?,
        reasons: list(&o, "reasons", reason)?,
        testing_since: list(&o, "testing_since", since)?,
        approvals_stopped: o.opt("approvals_stopped")?,
    })
}

impl FromJson for RunConfig {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        const DURATIONS: &[&str; 11] = &[
            "stuck_after",
            "stuck_poll_interval",
            "stuck_watch",
            "request_timeout",
            "unreachable_after",
            "slow_after",
            "poll_interval",
            "backoff_base",
            "backoff_max",
            "limit_window",
            "execution_budget",
        ];
        config(value, DURATIONS, duration)
    }
}

/// A run configuration whose durations are at `durations` (in field order) and read by `duration`
/// (shared with format 2). A field that is missing or null takes its default.
pub(super) fn config(
    value: &Value,
    durations: &[&str; 11],
    duration: fn(&Value) -> Result<Duration, JsonError>,
) -> Result<RunConfig, JsonError> {
    let o = Obj::of(value)?;
    let mut c = RunConfig::default();
    c.batch_size = or(&o, "batch_size", c.batch_size)?;
    c.read_chunk = or(&o, "read_chunk", c.read_chunk)?;
    c.max_attempts = or(&o, "max_attempts", c.max_attempts)?;
    c.max_in_flight = or(&o, "max_in_flight", c.max_in_flight)?;
    c.continue_on_error = or(&o, "continue_on_error", c.continue_on_error)?;
    c.verify = or(&o, "verify", c.verify)?;
    let slots = [
        &mut c.stuck_after,
        &mut c.stuck_poll_interval,
        &mut c.stuck_watch,
        &mut c.request_timeout,
        &mut c.unreachable_after,
        &mut c.slow_after,
        &mut c.poll_interval,
        &mut c.backoff_base,
        &mut c.backoff_max,
        &mut c.limit_window,
        &mut c.execution_budget,
    ];
    for (key, slot) in durations.iter().zip(slots) {
        if let Some(d) = opt_with(&o, key, duration)? {
            *slot = d;
        }
    }
    c.request_budget = or(&o, "request_budget", c.request_budget)?;
    c.use_ratelimit_headers = or(&o, "use_ratelimit_headers", c.use_ratelimit_headers)?;
    Ok(c)
}

#[cfg(test)]
mod tests;
