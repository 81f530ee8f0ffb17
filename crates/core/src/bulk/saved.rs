//! The saved run: what the panel keeps in `storage.session` (the plan, its journal and the run's
//! configuration) so that a reopened panel resumes without repeating applied writes.
//!
//! Its format is this module's own, versioned, and written here and read in `from_json` by hand:
//! `{"format": 2, "org": …, "plan": …, "journal": …, "config": …}` (see [`SavedRun::to_json`]). A run
//! saved by 0.1.0 has no `format`: it was serde's derived output of the same four fields (format 1).
//! Format 1 is no longer read (`from_json` says why), and neither is a format this version does not
//! know: both are refused with the reason. Whether a run read back may resume is
//! [`SavedRun::check_target`]'s business (a plan that names no org is refused).
//!
//! Format 2 differs from format 1 where serde's output was an accident of the Rust types: durations
//! are whole milliseconds (`"stuck_after_ms"`), pairs and quadruples are objects with named fields,
//! delivery methods are their Dataverse option values, the plan's fingerprint is a hex string (exact
//! in any JSON reader), and mailbox kinds are lower case.
//!
//! Texts (skip and block reasons, warnings, the journal's messages) are kept as their English text, as
//! in format 1: a [`Note`](super::Note) read back is [`Note::Verbatim`](super::Note::Verbatim), shown as
//! saved whatever the page's language (a saved run lives only as long as the browser session).

use super::action::{Action, Entity, Field};
use super::from_json::{config, journal, plan, req_with};
use super::plan::{Change, Plan, PlanItem};
use super::run::{Journal, Run, RunConfig};
use super::target::TargetError;
use crate::json::{FromJson, JsonError, Obj};
use crate::model::{ActDeliveryMethod, DeliveryMethod, HostPolicy, MailboxKind, OrgUrl};
use serde_json::{Map, Value};
use std::time::Duration;

/// `obj!(("key", value), …)`: an object, its fields put one by one (a call each, no array).
macro_rules! obj {
    ($(($key:expr, $value:expr $(,)?)),* $(,)?) => {{
        let mut m = Map::new();
        $(put(&mut m, $key, $value);)*
        Value::Object(m)
    }};
}

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
        obj!(
            ("format", nat(SAVED_RUN_FORMAT)),
            ("org", text(&self.org)),
            ("plan", write_plan(&self.plan)),
            ("journal", write_journal(&self.journal)),
            ("config", write_config(&self.config)),
        )
    }
}

/// Written as [`SavedRun::to_json`], so the shell can store it with any serde writer.
impl serde::Serialize for SavedRun {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

/// Reads format 2 (`from_json`); refuses another format with the reason.
impl FromJson for SavedRun {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        match o.opt::<u64>("format")? {
            Some(SAVED_RUN_FORMAT) => Ok(Self {
                org: o.req("org")?,
                plan: req_with(&o, "plan", plan)?,
                journal: req_with(&o, "journal", journal)?,
                config: req_with(&o, "config", config)?,
            }),
            None | Some(1) => Err(JsonError::new(format!(
                "this run was saved in format 1 by SyncReady 0.1.0, which this version no longer reads (it reads format {SAVED_RUN_FORMAT}); plan the action again: the plan is made from the org as it is now, so nothing is done twice"
            ))
            .at_key("format")),
            Some(n) => Err(JsonError::new(format!(
                "this run was saved in format {n} by a newer version of SyncReady; this version reads format {SAVED_RUN_FORMAT}"
            ))
            .at_key("format")),
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Writing format 2 (through a few non-generic builders rather than `json!`, which expands per field)

/// Puts `value` at `key` (non-generic: one call per field).
fn put(m: &mut Map<String, Value>, key: &str, value: Value) {
    m.insert(key.to_owned(), value);
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, text)
}

fn int(n: i64) -> Value {
    Value::from(n)
}

fn opt_int(n: Option<i64>) -> Value {
    n.map_or(Value::Null, int)
}

fn nat(n: u64) -> Value {
    Value::from(n)
}

fn list<T>(items: &[T], write: impl Fn(&T) -> Value) -> Value {
    Value::Array(items.iter().map(write).collect())
}

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
        MailboxKind::User => text("user"),
        MailboxKind::Queue => text("queue"),
        MailboxKind::Forward => text("forward"),
        MailboxKind::Unknown(code) => obj!(("unknown", text(code))),
    }
}

/// `{"key": "<Action::key>", …its fields}`; delivery methods as their option values.
fn write_action(action: &Action) -> Value {
    let method = |m: DeliveryMethod| int(m.value().into());
    let act = |m: ActDeliveryMethod| int(m.value().into());
    let profile = |id: &Option<String>| opt_text(id.as_deref());
    let mut m = Map::new();
    let o = &mut m;
    put(o, "key", text(action.key()));
    match action {
        Action::Approve | Action::Reject | Action::Undo => {}
        Action::ApplyDefaultSettings { test_and_enable, this_org_only } => {
            put(o, "test_and_enable", Value::Bool(*test_and_enable));
            put(o, "this_org_only", Value::Bool(*this_org_only));
        }
        Action::EditProfileAndMethods { profile_id, incoming, outgoing, act: a } => {
            put(o, "profile_id", profile(profile_id));
            put(o, "incoming", incoming.map_or(Value::Null, method));
            put(o, "outgoing", outgoing.map_or(Value::Null, method));
            put(o, "act", a.map_or(Value::Null, act));
        }
        Action::TestAndEnable { this_org_only, process_email_after } => {
            put(o, "this_org_only", Value::Bool(*this_org_only));
            put(o, "process_email_after", opt_text(process_email_after.as_deref()));
        }
        Action::TestAndEnableProfile { profile_id }
        | Action::SetOrgDefaultProfile { profile_id }
        | Action::ActivateProfile { profile_id } => put(o, "profile_id", text(profile_id)),
        Action::SetOrgDefaultEmailSettings { profile_id, incoming, outgoing, act: a, server_side_sync } => {
            put(o, "profile_id", profile(profile_id));
            put(o, "incoming", method(*incoming));
            put(o, "outgoing", method(*outgoing));
            put(o, "act", act(*a));
            put(o, "server_side_sync", Value::Bool(*server_side_sync));
        }
        Action::SetApprovalRequirement { users, queues } => {
            put(o, "users", Value::Bool(*users));
            put(o, "queues", Value::Bool(*queues));
        }
        Action::SetEmailAddress { changes } => put(
            o,
            "changes",
            list(changes, |c| obj!(("mailbox_id", text(&c.mailbox_id)), ("address", text(&c.address)))),
        ),
    }
    Value::Object(m)
}

fn write_item(item: &PlanItem) -> Value {
    let change = |c: &Change| {
        obj!(("field", text(field_key(c.field))), ("before", c.before.clone()), ("after", c.after.clone()))
    };
    obj!(
        ("entity", text(entity_key(item.entity))),
        ("id", text(&item.id)),
        ("name", text(&item.name)),
        ("kind", item.kind.as_ref().map_or(Value::Null, write_kind)),
        ("changes", list(&item.changes, change)),
        ("tracks_test", Value::Bool(item.tracks_test)),
        ("test_completed_before", opt_int(item.test_completed_before)),
    )
}

/// `{"id", "name", "reason"}` (a skip or a block).
fn reasoned(id: &str, name: &str, reason: &str) -> Value {
    obj!(("id", text(id)), ("name", text(name)), ("reason", text(reason)))
}

fn write_plan(plan: &Plan) -> Value {
    obj!(
        ("action", write_action(&plan.action)),
        ("items", list(&plan.items, write_item)),
        ("skipped", list(&plan.skipped, |s| reasoned(&s.id, &s.name, &s.reason.to_string()))),
        ("blocked", list(&plan.blocked, |b| reasoned(&b.id, &b.name, &b.reason.to_string()))),
        ("warnings", list(&plan.warnings, |w| text(&w.to_string()))),
        ("profile_names", list(&plan.profile_names, |(id, name)| obj!(("id", text(id)), ("name", text(name))))),
        ("org", opt_text(plan.org.as_ref().map(OrgUrl::as_str))),
    )
}

fn write_journal(journal: &Journal) -> Value {
    let reason = |(item, status, code, message): &(u32, Option<u16>, Option<String>, String)| {
        obj!(
            ("item", nat((*item).into())),
            ("status", status.map_or(Value::Null, |s| nat(s.into()))),
            ("code", opt_text(code.as_deref())),
            ("message", text(message)),
        )
    };
    obj!(
        ("digest", Value::String(format!("{:016x}", journal.digest))),
        ("states", text(&journal.states)),
        ("applied", list(&journal.applied, |n| nat((*n).into()))),
        ("reasons", list(&journal.reasons, reason)),
        (
            "testing_since",
            list(&journal.testing_since, |(item, since)| {
                obj!(("item", nat((*item).into())), ("since", nat(*since)))
            }),
        ),
        ("approvals_stopped", opt_text(journal.approvals_stopped.as_deref())),
    )
}

fn ms(d: Duration) -> Value {
    nat(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn write_config(c: &RunConfig) -> Value {
    let size = Value::from;
    obj!(
        ("batch_size", size(c.batch_size)),
        ("read_chunk", size(c.read_chunk)),
        ("max_attempts", nat(c.max_attempts.into())),
        ("max_in_flight", size(c.max_in_flight)),
        ("continue_on_error", Value::Bool(c.continue_on_error)),
        ("verify", Value::Bool(c.verify)),
        ("stuck_after_ms", ms(c.stuck_after)),
        ("stuck_poll_interval_ms", ms(c.stuck_poll_interval)),
        ("stuck_watch_ms", ms(c.stuck_watch)),
        ("request_timeout_ms", ms(c.request_timeout)),
        ("unreachable_after_ms", ms(c.unreachable_after)),
        ("slow_after_ms", ms(c.slow_after)),
        ("poll_interval_ms", ms(c.poll_interval)),
        ("backoff_base_ms", ms(c.backoff_base)),
        ("backoff_max_ms", ms(c.backoff_max)),
        ("limit_window_ms", ms(c.limit_window)),
        ("execution_budget_ms", ms(c.execution_budget)),
        ("request_budget", nat(c.request_budget.into())),
        ("use_ratelimit_headers", Value::Bool(c.use_ratelimit_headers)),
    )
}

#[cfg(test)]
mod tests;
