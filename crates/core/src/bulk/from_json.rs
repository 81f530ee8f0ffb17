//! Reading a saved run back (format 2, as [`SavedRun::to_json`](super::SavedRun::to_json) writes it):
//! the plan, the journal and the run configuration.
//!
//! Format 1 (serde's derived output, written before issue 19) is no longer read: the extension keeps
//! its saved run in `storage.session`, which Chrome clears when the extension is updated ("The
//! storage is cleared if the extension is disabled, reloaded or updated and when the browser
//! restarts", the `chrome.storage` reference), so no format 1 run can meet this version there; the web
//! app's tab keeps one across a reload, and [`SavedRun`](super::SavedRun) refuses it with the reason
//! (planning the action again reads the org as it is, so nothing is done twice).

use super::action::{Action, Entity, Field};
use super::plan::{Blocked, Change, Plan, PlanItem, Skipped};
use super::run::{Journal, RunConfig};
use crate::json::{FromJson, JsonError, Obj, items, tagged, unknown_variant};
use crate::model::{ActDeliveryMethod, DeliveryMethod, MailboxKind};
use serde_json::Value;
use std::time::Duration;

/// A reader of one value.
type Reader<T> = fn(&Value) -> Result<T, JsonError>;

// ---------------------------------------------------------------------------------------------------
// Helpers

/// A required array field whose items `read` reads (for item types that are not [`FromJson`]).
fn list<T>(o: &Obj<'_>, key: &str, read: Reader<T>) -> Result<Vec<T>, JsonError> {
    items(o.field(key)?, read).map_err(|e| e.at_key(key))
}

/// The required field `key`, read by `read`.
pub(super) fn req_with<T>(o: &Obj<'_>, key: &str, read: Reader<T>) -> Result<T, JsonError> {
    read(o.field(key)?).map_err(|e| e.at_key(key))
}

/// The optional field `key` (missing and null are `None`), read by `read`.
fn opt_with<T>(o: &Obj<'_>, key: &str, read: Reader<T>) -> Result<Option<T>, JsonError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => read(value).map(Some).map_err(|e| e.at_key(key)),
    }
}

/// A field that takes `default` when it is missing or null.
fn or<T: FromJson>(o: &Obj<'_>, key: &str, default: T) -> Result<T, JsonError> {
    Ok(o.opt(key)?.unwrap_or(default))
}

/// A unit variant from `table` (an enum whose variants carry no data), by its serialised name.
fn unit<T: Copy>(value: &Value, table: &[(&str, T)]) -> Result<T, JsonError> {
    let (tag, _) = tagged(value)?;
    match table.iter().find(|(name, _)| *name == tag) {
        Some((_, variant)) => Ok(*variant),
        None => Err(unknown_variant(tag, &table.iter().map(|(name, _)| *name).collect::<Vec<_>>())),
    }
}

// ---------------------------------------------------------------------------------------------------
// Model values

/// A mailbox kind: `"user"`, `"queue"`, `"forward"` or `{"unknown": "…"}`.
fn read_kind(value: &Value) -> Result<MailboxKind, JsonError> {
    match value {
        Value::String(s) => match s.as_str() {
            "user" => Ok(MailboxKind::User),
            "queue" => Ok(MailboxKind::Queue),
            "forward" => Ok(MailboxKind::Forward),
            other => Err(unknown_variant(other, &["user", "queue", "forward", "unknown"])),
        },
        other => Obj::of(other)?.req("unknown").map(MailboxKind::Unknown),
    }
}

/// A delivery method by its Dataverse option value.
fn read_method(value: &Value) -> Result<DeliveryMethod, JsonError> {
    i32::from_json(value).map(DeliveryMethod::from)
}

/// An ACT delivery method by its Dataverse option value.
fn read_act(value: &Value) -> Result<ActDeliveryMethod, JsonError> {
    i32::from_json(value).map(ActDeliveryMethod::from)
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

/// An action: `{"key": "<action>", …its fields}`.
fn read_action(value: &Value) -> Result<Action, JsonError> {
    let o = Obj::of(value)?;
    let key: String = o.req("key")?;
    match key.as_str() {
        "approve" => Ok(Action::Approve),
        "reject" => Ok(Action::Reject),
        "undo" => Ok(Action::Undo),
        tag if ACTIONS.contains(&tag) => action_with_fields(tag, &o),
        other => Err(unknown_variant(other, ACTIONS).at_key("key")),
    }
}

/// The struct variant `tag` of [`Action`] from its fields in `o` (delivery methods as their Dataverse
/// option values).
fn action_with_fields(tag: &str, o: &Obj<'_>) -> Result<Action, JsonError> {
    Ok(match tag {
        "apply-default-settings" => Action::ApplyDefaultSettings {
            test_and_enable: o.req("test_and_enable")?,
            this_org_only: o.req("this_org_only")?,
        },
        "edit-profile-and-methods" => Action::EditProfileAndMethods {
            profile_id: o.opt("profile_id")?,
            incoming: opt_with(o, "incoming", read_method)?,
            outgoing: opt_with(o, "outgoing", read_method)?,
            act: opt_with(o, "act", read_act)?,
        },
        "test-and-enable" => Action::TestAndEnable {
            this_org_only: o.req("this_org_only")?,
            process_email_after: o.opt("process_email_after")?,
        },
        "test-and-enable-profile" => Action::TestAndEnableProfile { profile_id: o.req("profile_id")? },
        "set-org-default-profile" => Action::SetOrgDefaultProfile { profile_id: o.req("profile_id")? },
        "set-org-default-email-settings" => Action::SetOrgDefaultEmailSettings {
            profile_id: o.opt("profile_id")?,
            incoming: req_with(o, "incoming", read_method)?,
            outgoing: req_with(o, "outgoing", read_method)?,
            act: req_with(o, "act", read_act)?,
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

/// A plan item.
fn read_item(value: &Value) -> Result<PlanItem, JsonError> {
    let o = Obj::of(value)?;
    let kind = opt_with(&o, "kind", read_kind)?;
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

/// The plan.
pub(super) fn plan(value: &Value) -> Result<Plan, JsonError> {
    let o = Obj::of(value)?;
    Ok(Plan {
        action: req_with(&o, "action", read_action)?,
        items: list(&o, "items", read_item)?,
        skipped: o.req("skipped")?,
        blocked: o.req("blocked")?,
        warnings: o.req("warnings")?,
        profile_names: list(&o, "profile_names", |v| {
            let o = Obj::of(v)?;
            Ok((o.req("id")?, o.req("name")?))
        })?,
        // A plan that names no org is read, but refused by `Plan::check_target`: nothing says which
        // org it was made for.
        org: opt_with(&o, "org", org_url)?,
    })
}

// ---------------------------------------------------------------------------------------------------
// The journal and the configuration

/// The plan's fingerprint: 16 hex digits (exact in any JSON reader).
fn read_digest(value: &Value) -> Result<u64, JsonError> {
    let digest = String::from_json(value)?;
    u64::from_str_radix(&digest, 16).map_err(|_| JsonError::new(format!("expected 16 hex digits, got `{digest}`")))
}

/// The journal.
pub(super) fn journal(value: &Value) -> Result<Journal, JsonError> {
    let o = Obj::of(value)?;
    Ok(Journal {
        digest: req_with(&o, "digest", read_digest)?,
        states: o.req("states")?,
        applied: o.req("applied")?,
        reasons: list(&o, "reasons", |v| {
            let o = Obj::of(v)?;
            Ok((o.req("item")?, o.opt("status")?, o.opt("code")?, o.req("message")?))
        })?,
        testing_since: list(&o, "testing_since", |v| {
            let o = Obj::of(v)?;
            Ok((o.req("item")?, o.req("since")?))
        })?,
        approvals_stopped: o.opt("approvals_stopped")?,
    })
}

/// The run configuration; its durations are whole milliseconds (`…_ms`). A field that is missing or
/// null takes its default.
pub(super) fn config(value: &Value) -> Result<RunConfig, JsonError> {
    const DURATIONS: &[&str; 11] = &[
        "stuck_after_ms",
        "stuck_poll_interval_ms",
        "stuck_watch_ms",
        "request_timeout_ms",
        "unreachable_after_ms",
        "slow_after_ms",
        "poll_interval_ms",
        "backoff_base_ms",
        "backoff_max_ms",
        "limit_window_ms",
        "execution_budget_ms",
    ];
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
    for (key, slot) in DURATIONS.iter().zip(slots) {
        if let Some(d) = opt_with(&o, key, |v| u64::from_json(v).map(Duration::from_millis))? {
            *slot = d;
        }
    }
    c.request_budget = or(&o, "request_budget", c.request_budget)?;
    c.use_ratelimit_headers = or(&o, "use_ratelimit_headers", c.use_ratelimit_headers)?;
    Ok(c)
}

#[cfg(test)]
pub(super) mod tests;
