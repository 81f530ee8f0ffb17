//! The saved run: what the panel keeps in `storage.session` (the plan, its journal and the run's
//! configuration) so that a reopened panel resumes without repeating applied writes.
//!
//! Its format is this module's own, versioned, and written and read here by hand: `{"format": 2,
//! "org": …, "plan": …, "journal": …, "config": …}` (see [`SavedRun::to_json`]). A run saved by an
//! earlier version has no `format`: it was serde's derived output of the same four fields (format 1,
//! read by the readers in `from_json`). Format 1 runs are still read; a format this version does not
//! know is refused with the reason. Whether a run read back may resume is [`SavedRun::check_target`]'s
//! business (a plan that names no org, as format 1 plans from before issue 12, is refused).
//!
//! Format 2 differs from format 1 where serde's output was an accident of the Rust types: durations
//! are whole milliseconds (`"stuck_after_ms"`), pairs and quadruples are objects with named fields,
//! delivery methods are their Dataverse option values, the plan's fingerprint is a hex string (exact
//! in any JSON reader), and mailbox kinds are lower case.

use super::action::{Action, Entity, Field};
use super::plan::{Blocked, Change, Plan, PlanItem, Skipped};
use super::run::{Journal, Run, RunConfig};
use super::target::TargetError;
use crate::json::{FromJson, JsonError, Obj, items, unknown_variant};
use crate::model::{ActDeliveryMethod, DeliveryMethod, HostPolicy, MailboxKind, OrgUrl};
use serde_json::{Map, Value, json};
use std::time::Duration;

/// The format this version writes.
pub const SAVED_RUN_FORMAT: u64 = 2;

/// A run as saved for resuming (see the module docs for its format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedRun {
    /// The org the run belongs to.
    pub org: String,
    /// The plan.
    pub plan: Plan,
    /// Where it got to.
    pub journal: Journal,
    /// Its configuration.
    pub config: RunConfig,
}

impl SavedRun {
    /// The resumable state of `run` on `org`.
    pub fn of(org: &str, run: &Run) -> Self {
        Self { org: org.to_owned(), plan: run.plan().clone(), journal: run.journal(), config: run.config().clone() }
    }

    /// Whether this saved run may be resumed on `current`: it must have been saved for that org, and
    /// its plan bound to it. A run saved before issue 12 has a plan that names no org; it is refused
    /// (not bound to the key's org), because its plan may have been made from another org's read.
    pub fn check_target(&self, current: &OrgUrl) -> Result<(), TargetError> {
        if self.org != current.as_str() {
            let planned = OrgUrl::parse_with(&self.org, HostPolicy::AllowLoopback)
                .map_err(|_| TargetError::Unbound { current: current.clone() })?;
            return Err(TargetError::OtherOrg { planned, current: current.clone() });
        }
        self.plan.check_target(current)
    }

    /// The saved run in format 2.
    pub fn to_json(&self) -> Value {
        json!({
            "format": SAVED_RUN_FORMAT,
            "org": self.org,
            "plan": write_plan(&self.plan),
            "journal": write_journal(&self.journal),
            "config": write_config(&self.config),
        })
    }
}

/// Written as [`SavedRun::to_json`], so the shell can store it with any serde writer.
impl serde::Serialize for SavedRun {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Reads format 2, and format 1 (no `format`: serde's output of earlier versions).
impl FromJson for SavedRun {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        match o.opt::<u64>("format")? {
            None | Some(1) => Ok(Self {
                org: o.req("org")?,
                plan: o.req("plan")?,
                journal: o.req("journal")?,
                config: o.req("config")?,
            }),
            Some(SAVED_RUN_FORMAT) => Ok(Self {
                org: o.req("org")?,
                plan: read(&o, "plan", read_plan)?,
                journal: read(&o, "journal", read_journal)?,
                config: read(&o, "config", read_config)?,
            }),
            Some(n) => Err(JsonError::new(format!(
                "this run was saved in format {n} by a newer version of SyncReady; this version reads formats 1 and {SAVED_RUN_FORMAT}"
            ))
            .at_key("format")),
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Writing format 2

fn entity_key(entity: Entity) -> &'static str {
    match entity {
        Entity::Mailbox => "mailbox",
        Entity::Organization => "organization",
        Entity::Profile => "profile",
    }
}

fn field_key(field: Field) -> &'static str {
    match field {
        Field::Approval => "approval",
        Field::Profile => "profile",
        Field::IncomingMethod => "incoming-method",
        Field::OutgoingMethod => "outgoing-method",
        Field::ActMethod => "act-method",
        Field::TestScheduled => "test-scheduled",
        Field::OrgMarkedPrimary => "org-marked-primary",
        Field::ProcessEmailAfter => "process-email-after",
        Field::DefaultProfile => "default-profile",
        Field::DefaultEmailSettings => "default-email-settings",
        Field::ConnectionChannel => "connection-channel",
        Field::RequireApprovalUsers => "require-approval-users",
        Field::RequireApprovalQueues => "require-approval-queues",
        Field::ProfileState => "profile-state",
        Field::EmailAddress => "email-address",
    }
}

fn write_kind(kind: &MailboxKind) -> Value {
    match kind {
        MailboxKind::User => json!("user"),
        MailboxKind::Queue => json!("queue"),
        MailboxKind::Forward => json!("forward"),
        MailboxKind::Unknown(code) => json!({ "unknown": code }),
    }
}

/// `{"key": "<Action::key>", …its fields}`; delivery methods as their option values.
fn write_action(action: &Action) -> Value {
    let mut o = Map::new();
    o.insert("key".to_owned(), json!(action.key()));
    let method = |m: Option<DeliveryMethod>| m.map(DeliveryMethod::value);
    let fields = match action {
        Action::Approve | Action::Reject | Action::Undo => json!({}),
        Action::ApplyDefaultSettings { test_and_enable, this_org_only } => {
            json!({ "test_and_enable": test_and_enable, "this_org_only": this_org_only })
        }
        Action::EditProfileAndMethods { profile_id, incoming, outgoing, act } => json!({
            "profile_id": profile_id, "incoming": method(*incoming), "outgoing": method(*outgoing),
            "act": act.map(ActDeliveryMethod::value),
        }),
        Action::TestAndEnable { this_org_only, process_email_after } => {
            json!({ "this_org_only": this_org_only, "process_email_after": process_email_after })
        }
        Action::TestAndEnableProfile { profile_id }
        | Action::SetOrgDefaultProfile { profile_id }
        | Action::ActivateProfile { profile_id } => json!({ "profile_id": profile_id }),
        Action::SetOrgDefaultEmailSettings { profile_id, incoming, outgoing, act, server_side_sync } => json!({
            "profile_id": profile_id, "incoming": incoming.value(), "outgoing": outgoing.value(),
            "act": act.value(), "server_side_sync": server_side_sync,
        }),
        Action::SetApprovalRequirement { users, queues } => json!({ "users": users, "queues": queues }),
        Action::SetEmailAddress { changes } => json!({
            "changes": changes.iter().map(|c| json!({ "mailbox_id": c.mailbox_id, "address": c.address })).collect::<Vec<_>>(),
        }),
    };
    if let Value::Object(fields) = fields {
        o.extend(fields);
    }
    Value::Object(o)
}

fn write_item(item: &PlanItem) -> Value {
    let changes: Vec<Value> = item
        .changes
        .iter()
        .map(|c| json!({ "field": field_key(c.field), "before": c.before, "after": c.after }))
        .collect();
    json!({
        "entity": entity_key(item.entity),
        "id": item.id,
        "name": item.name,
        "kind": item.kind.as_ref().map_or(Value::Null, write_kind),
        "changes": changes,
        "tracks_test": item.tracks_test,
        "test_completed_before": item.test_completed_before,
    })
}

fn write_plan(plan: &Plan) -> Value {
    let reasoned = |id: &str, name: &str, reason: &str| json!({ "id": id, "name": name, "reason": reason });
    json!({
        "action": write_action(&plan.action),
        "items": plan.items.iter().map(write_item).collect::<Vec<_>>(),
        "skipped": plan.skipped.iter().map(|s| reasoned(&s.id, &s.name, &s.reason)).collect::<Vec<_>>(),
        "blocked": plan.blocked.iter().map(|b| reasoned(&b.id, &b.name, &b.reason)).collect::<Vec<_>>(),
        "warnings": plan.warnings,
        "profile_names": plan.profile_names.iter().map(|(id, name)| json!({ "id": id, "name": name })).collect::<Vec<_>>(),
        "org": plan.org.as_ref().map(OrgUrl::as_str),
    })
}

fn write_journal(journal: &Journal) -> Value {
    json!({
        "digest": format!("{:016x}", journal.digest),
        "states": journal.states,
        "applied": journal.applied,
        "reasons": journal.reasons.iter().map(|(item, status, code, message)| {
            json!({ "item": item, "status": status, "code": code, "message": message })
        }).collect::<Vec<_>>(),
        "testing_since": journal.testing_since.iter().map(|(item, since)| json!({ "item": item, "since": since })).collect::<Vec<_>>(),
        "approvals_stopped": journal.approvals_stopped,
    })
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn write_config(c: &RunConfig) -> Value {
    json!({
        "batch_size": c.batch_size,
        "read_chunk": c.read_chunk,
        "max_attempts": c.max_attempts,
        "max_in_flight": c.max_in_flight,
        "continue_on_error": c.continue_on_error,
        "verify": c.verify,
        "stuck_after_ms": ms(c.stuck_after),
        "stuck_poll_interval_ms": ms(c.stuck_poll_interval),
        "stuck_watch_ms": ms(c.stuck_watch),
        "request_timeout_ms": ms(c.request_timeout),
        "unreachable_after_ms": ms(c.unreachable_after),
        "slow_after_ms": ms(c.slow_after),
        "poll_interval_ms": ms(c.poll_interval),
        "backoff_base_ms": ms(c.backoff_base),
        "backoff_max_ms": ms(c.backoff_max),
        "limit_window_ms": ms(c.limit_window),
        "execution_budget_ms": ms(c.execution_budget),
        "request_budget": c.request_budget,
        "use_ratelimit_headers": c.use_ratelimit_headers,
    })
}

// ---------------------------------------------------------------------------------------------------
// Reading format 2

/// The required field `key`, read by `read`.
fn read<T>(o: &Obj<'_>, key: &str, read: fn(&Value) -> Result<T, JsonError>) -> Result<T, JsonError> {
    read(o.field(key)?).map_err(|e| e.at_key(key))
}

/// The required array field `key`, each item read by `read`.
fn list<T>(o: &Obj<'_>, key: &str, read: fn(&Value) -> Result<T, JsonError>) -> Result<Vec<T>, JsonError> {
    items(o.field(key)?, read).map_err(|e| e.at_key(key))
}

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

fn read_action(value: &Value) -> Result<Action, JsonError> {
    let o = Obj::of(value)?;
    let key: String = o.req("key")?;
    let method = |k: &str| Ok::<_, JsonError>(o.opt::<i32>(k)?.map(DeliveryMethod::from));
    let act = |k: &str| Ok::<_, JsonError>(o.opt::<i32>(k)?.map(ActDeliveryMethod::from));
    Ok(match key.as_str() {
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "undo" => Action::Undo,
        "apply-default-settings" => Action::ApplyDefaultSettings {
            test_and_enable: o.req("test_and_enable")?,
            this_org_only: o.req("this_org_only")?,
        },
        "edit-profile-and-methods" => Action::EditProfileAndMethods {
            profile_id: o.opt("profile_id")?,
            incoming: method("incoming")?,
            outgoing: method("outgoing")?,
            act: act("act")?,
        },
        "test-and-enable" => Action::TestAndEnable {
            this_org_only: o.req("this_org_only")?,
            process_email_after: o.opt("process_email_after")?,
        },
        "test-and-enable-profile" => Action::TestAndEnableProfile { profile_id: o.req("profile_id")? },
        "set-org-default-profile" => Action::SetOrgDefaultProfile { profile_id: o.req("profile_id")? },
        "set-org-default-email-settings" => Action::SetOrgDefaultEmailSettings {
            profile_id: o.opt("profile_id")?,
            incoming: DeliveryMethod::from(o.req::<i32>("incoming")?),
            outgoing: DeliveryMethod::from(o.req::<i32>("outgoing")?),
            act: ActDeliveryMethod::from(o.req::<i32>("act")?),
            server_side_sync: o.req("server_side_sync")?,
        },
        "set-approval-requirement" => {
            Action::SetApprovalRequirement { users: o.req("users")?, queues: o.req("queues")? }
        }
        "activate-profile" => Action::ActivateProfile { profile_id: o.req("profile_id")? },
        "set-email-address" => Action::SetEmailAddress { changes: o.req("changes")? },
        other => {
            return Err(unknown_variant(
                other,
                &[
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
                ],
            )
            .at_key("key"));
        }
    })
}

fn read_item(value: &Value) -> Result<PlanItem, JsonError> {
    let o = Obj::of(value)?;
    let kind = match o.get("kind") {
        None | Some(Value::Null) => None,
        Some(kind) => Some(read_kind(kind).map_err(|e| e.at_key("kind"))?),
    };
    Ok(PlanItem {
        entity: o.req("entity")?,
        id: o.req("id")?,
        name: o.req("name")?,
        kind,
        // Field and change as in format 1 (kebab-case field names).
        changes: o.req::<Vec<Change>>("changes")?,
        tracks_test: o.req("tracks_test")?,
        test_completed_before: o.opt("test_completed_before")?,
    })
}

/// A saved org URL, checked again (loopback too: a local web app saves loopback orgs).
fn read_org(value: &Value) -> Result<OrgUrl, JsonError> {
    let text = String::from_json(value)?;
    OrgUrl::parse_with(&text, HostPolicy::AllowLoopback).map_err(|e| JsonError::new(e.to_string()))
}

fn read_plan(value: &Value) -> Result<Plan, JsonError> {
    let o = Obj::of(value)?;
    Ok(Plan {
        action: read(&o, "action", read_action)?,
        items: list(&o, "items", read_item)?,
        skipped: o.req::<Vec<Skipped>>("skipped")?,
        blocked: o.req::<Vec<Blocked>>("blocked")?,
        warnings: o.req("warnings")?,
        profile_names: list(&o, "profile_names", |v| {
            let o = Obj::of(v)?;
            Ok((o.req("id")?, o.req("name")?))
        })?,
        // A plan without an org is read, but refused by `Plan::check_target`.
        org: match o.get("org") {
            None | Some(Value::Null) => None,
            Some(v) => Some(read_org(v).map_err(|e| e.at_key("org"))?),
        },
    })
}

fn read_journal(value: &Value) -> Result<Journal, JsonError> {
    let o = Obj::of(value)?;
    let digest: String = o.req("digest")?;
    Ok(Journal {
        digest: u64::from_str_radix(&digest, 16)
            .map_err(|_| JsonError::new(format!("expected 16 hex digits, got `{digest}`")).at_key("digest"))?,
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

/// A configuration field that takes `default` when it is missing or null (saved before it existed).
fn or<T: FromJson>(o: &Obj<'_>, key: &str, default: T) -> Result<T, JsonError> {
    Ok(o.opt(key)?.unwrap_or(default))
}

/// A duration in whole milliseconds that takes `default` when it is missing or null.
fn ms_or(o: &Obj<'_>, key: &str, default: Duration) -> Result<Duration, JsonError> {
    Ok(o.opt::<u64>(key)?.map_or(default, Duration::from_millis))
}

fn read_config(value: &Value) -> Result<RunConfig, JsonError> {
    let o = Obj::of(value)?;
    let d = RunConfig::default();
    Ok(RunConfig {
        batch_size: or(&o, "batch_size", d.batch_size)?,
        read_chunk: or(&o, "read_chunk", d.read_chunk)?,
        max_attempts: or(&o, "max_attempts", d.max_attempts)?,
        max_in_flight: or(&o, "max_in_flight", d.max_in_flight)?,
        continue_on_error: or(&o, "continue_on_error", d.continue_on_error)?,
        verify: or(&o, "verify", d.verify)?,
        stuck_after: ms_or(&o, "stuck_after_ms", d.stuck_after)?,
        stuck_poll_interval: ms_or(&o, "stuck_poll_interval_ms", d.stuck_poll_interval)?,
        stuck_watch: ms_or(&o, "stuck_watch_ms", d.stuck_watch)?,
        request_timeout: ms_or(&o, "request_timeout_ms", d.request_timeout)?,
        unreachable_after: ms_or(&o, "unreachable_after_ms", d.unreachable_after)?,
        slow_after: ms_or(&o, "slow_after_ms", d.slow_after)?,
        poll_interval: ms_or(&o, "poll_interval_ms", d.poll_interval)?,
        backoff_base: ms_or(&o, "backoff_base_ms", d.backoff_base)?,
        backoff_max: ms_or(&o, "backoff_max_ms", d.backoff_max)?,
        limit_window: ms_or(&o, "limit_window_ms", d.limit_window)?,
        execution_budget: ms_or(&o, "execution_budget_ms", d.execution_budget)?,
        request_budget: or(&o, "request_budget", d.request_budget)?,
        use_ratelimit_headers: or(&o, "use_ratelimit_headers", d.use_ratelimit_headers)?,
    })
}

#[cfg(test)]
mod tests;
