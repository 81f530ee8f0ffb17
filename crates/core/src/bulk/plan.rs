//! Planning: exact field writes per record, no-ops skipped, permission pre-flight, dry run, undo.

use super::action::{Action, Entity, Field, Selection};
use super::note::Note;
use crate::collect::Snapshot;
use crate::http::{Method, Request};
use crate::i18n::Lang;
use crate::model::{ApprovalState, Mailbox, MailboxKind, RecordState, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field change of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The column.
    pub field: Field,
    /// Value in the snapshot (`null` when empty or unknown).
    pub before: Value,
    /// Value to write.
    pub after: Value,
}

/// The writes to one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanItem {
    /// Table.
    pub entity: Entity,
    /// Record id (lower case).
    pub id: String,
    /// Display name (mailbox owner, org or profile name).
    pub name: String,
    /// Mailbox kind, for mailboxes.
    pub kind: Option<MailboxKind>,
    /// The changes, in body order.
    pub changes: Vec<Change>,
    /// Whether the write schedules Test & Enable, which is then tracked to its result.
    pub tracks_test: bool,
    /// `testmailboxaccesscompletedon` in the snapshot (Unix seconds): a later value shows the test ran.
    pub test_completed_before: Option<i64>,
}

impl PlanItem {
    /// The `PATCH` for this record. `If-Match: *` stops PATCH from creating a record that vanished.
    pub fn request(&self) -> Request {
        let mut body = serde_json::Map::new();
        for change in &self.changes {
            change.field.write_into(&mut body, &change.after);
        }
        Request {
            method: Method::Patch,
            path: format!("{}({})", self.entity.set(), self.id),
            headers: vec![
                ("Content-Type".to_owned(), "application/json; type=entry".to_owned()),
                ("If-Match".to_owned(), "*".to_owned()),
            ],
            body: Some(Value::Object(body).to_string()),
        }
    }
}

/// A selected record that needs no write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Record id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Why nothing is written.
    pub reason: Note,
}

/// A selected record the caller cannot change (found before anything is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    /// Record id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Why, and who can do it.
    pub reason: Note,
}

/// Everything a run will write, and what it will not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The action planned.
    pub action: Action,
    /// Records to write, in order.
    pub items: Vec<PlanItem>,
    /// Selected records already in the wanted state (or not applicable).
    pub skipped: Vec<Skipped>,
    /// Selected records the caller cannot change.
    pub blocked: Vec<Blocked>,
    /// Things the admin should know before confirming.
    pub warnings: Vec<Note>,
    /// Profile id → name, for labels.
    pub profile_names: Vec<(String, String)>,
    /// The org the plan was made for ([`Plan::bound_to`]); nothing runs it against another
    /// ([`Plan::check_target`]). `None` only for plans saved by versions before issue 12.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<crate::model::OrgUrl>,
}

/// One row of the dry-run preview table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRunRow {
    /// Record id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Column.
    pub field: &'static str,
    /// Current value, as the UI shows it.
    pub before: String,
    /// New value, as the UI shows it.
    pub after: String,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The snapshot has no mailboxes (they could not be read).
    NoMailboxes,
    /// The snapshot has no organization row.
    NoOrgSettings,
    /// "Apply Default Email Settings" needs a default profile.
    NoDefaultProfile,
    /// "Apply Default Email Settings" needs readable default email settings.
    NoDefaultSettings(String),
    /// "Apply Default Email Settings" needs default email settings, and the column is empty.
    EmptyDefaultSettings,
    /// The named profile is not in the snapshot.
    UnknownProfile(String),
    /// A mailbox action was given `Selection::Org`.
    SelectMailboxes,
    /// The action is not planned here (a caller's mistake).
    BadSelection(String),
}

/// Plans every action but [`Action::SetEmailAddress`] (`bulk::plan` sends that one to
/// `address.rs`). Pure.
pub(super) fn plan(snapshot: &Snapshot, selection: &Selection, action: &Action) -> Result<Plan, PlanError> {
    let profile_names: Vec<(String, String)> =
        snapshot.profiles.iter().flatten().map(|p| (p.id.clone(), p.name.clone())).collect();
    let mut plan = Plan {
        action: action.clone(),
        items: Vec::new(),
        skipped: Vec::new(),
        blocked: Vec::new(),
        warnings: Vec::new(),
        profile_names,
        org: None,
    };
    let profile_known =
        |id: &str| snapshot.profiles.as_ref().is_none_or(|ps| ps.iter().any(|p| p.id.eq_ignore_ascii_case(id)));
    match action {
        Action::SetOrgDefaultProfile { .. }
        | Action::SetOrgDefaultEmailSettings { .. }
        | Action::SetApprovalRequirement { .. } => {
            plan_org(snapshot, action, &mut plan, &profile_known)?;
            return Ok(plan);
        }
        Action::ActivateProfile { profile_id } => {
            let profile = snapshot
                .profiles
                .iter()
                .flatten()
                .find(|p| p.id.eq_ignore_ascii_case(profile_id))
                .ok_or_else(|| PlanError::UnknownProfile(profile_id.clone()))?;
            if profile.state == RecordState::Active {
                plan.skipped.push(Skipped {
                    id: profile.id.clone(),
                    name: profile.name.clone(),
                    reason: Note::ProfileActive,
                });
            } else {
                let before = match profile.state {
                    RecordState::Inactive => Value::from(1),
                    RecordState::Unknown(n) => Value::from(n),
                    RecordState::Active => Value::from(0),
                };
                plan.items.push(PlanItem {
                    entity: Entity::Profile,
                    id: profile.id.clone(),
                    name: profile.name.clone(),
                    kind: None,
                    changes: vec![Change { field: Field::ProfileState, before, after: Value::from(0) }],
                    tracks_test: false,
                    test_completed_before: None,
                });
            }
            return Ok(plan);
        }
        Action::SetEmailAddress { .. } => {
            return Err(PlanError::BadSelection("address changes are planned by bulk::plan".to_owned()));
        }
        Action::Undo => {
            return Err(PlanError::BadSelection("an undo plan is made from evidence with Plan::undo".to_owned()));
        }
        _ => {}
    }

    let mailboxes = snapshot.mailboxes.as_ref().ok_or(PlanError::NoMailboxes)?;
    let selected: Vec<&Mailbox> = match selection {
        Selection::Ids(ids) => {
            // One index, so that a selection of tens of thousands is linear (ids are lower case in the
            // model; the selection's are folded the same way).
            let index: std::collections::HashMap<&str, &Mailbox> =
                mailboxes.iter().map(|m| (m.id.as_str(), m)).collect();
            let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
            let mut out = Vec::new();
            for id in ids {
                match index.get(id.to_ascii_lowercase().as_str()).copied() {
                    Some(m) if seen.insert(m.id.as_str()) => out.push(m),
                    Some(_) => {}
                    None => plan.skipped.push(Skipped {
                        id: id.to_ascii_lowercase(),
                        name: id.to_ascii_lowercase(),
                        reason: Note::NotInSnapshot,
                    }),
                }
            }
            out
        }
        Selection::Matching(filter) => mailboxes.iter().filter(|m| filter.matches(m)).collect(),
        Selection::Org => {
            return Err(PlanError::SelectMailboxes);
        }
    };

    // Values "Apply Default Email Settings" writes.
    let defaults = if let Action::ApplyDefaultSettings { .. } = action {
        let org = snapshot.org.as_ref().ok_or(PlanError::NoOrgSettings)?;
        let profile = org.default_profile.clone().ok_or(PlanError::NoDefaultProfile)?;
        let settings = match &org.default_email_settings {
            Some(Ok(s)) => *s,
            Some(Err(e)) => return Err(PlanError::NoDefaultSettings(e.to_string())),
            None => return Err(PlanError::EmptyDefaultSettings),
        };
        Some((profile, settings))
    } else {
        None
    };
    if let Action::EditProfileAndMethods { profile_id: Some(p), .. } = action
        && !profile_known(p)
    {
        return Err(PlanError::UnknownProfile(p.clone()));
    }

    let approval_block = if action.is_approval() { approval_preflight(snapshot, &mut plan.warnings) } else { None };

    for m in selected {
        if let Action::TestAndEnableProfile { profile_id } = action
            && !m.profile.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(profile_id))
        {
            continue;
        }
        let skip = |plan: &mut Plan, reason: Note| {
            plan.skipped.push(Skipped { id: m.id.clone(), name: m.name.clone(), reason })
        };
        let is_mailbox_setup = !action.is_approval();
        if is_mailbox_setup && !matches!(m.kind, MailboxKind::User | MailboxKind::Queue) {
            skip(&mut plan, Note::NotUserOrQueue);
            continue;
        }
        let changes = mailbox_changes(m, action, defaults.as_ref());
        let tracks_test = changes.iter().any(|c| c.field == Field::TestScheduled && c.after == Value::Bool(true));
        if tracks_test && m.state != RecordState::Active {
            skip(&mut plan, Note::Inactive);
            continue;
        }
        if changes.is_empty() {
            let reason = match action {
                Action::Approve => Note::AlreadyApproved,
                Action::Reject => Note::AlreadyRejected,
                Action::TestAndEnable { .. } | Action::TestAndEnableProfile { .. } => Note::TestScheduled,
                _ => Note::SameSettings,
            };
            skip(&mut plan, reason);
            continue;
        }
        if let Some(reason) = &approval_block {
            // One's own mailbox may be self-approved (EXO "Approve your own user mailbox"). Without the
            // approval privilege Microsoft documents that only through Test & Enable ("the Approve Email
            // button doesn't appear"); whether a direct update is accepted is unsettled (simulator switch
            // `self_approval_without_privilege`), so SyncReady does not send it and says what works.
            let without_privilege = snapshot.approve_privilege.as_ref().is_some_and(|p| !p.held);
            if !is_own_mailbox(snapshot, m) {
                plan.blocked.push(Blocked { id: m.id.clone(), name: m.name.clone(), reason: reason.clone() });
                continue;
            }
            if without_privilege {
                plan.blocked.push(Blocked { id: m.id.clone(), name: m.name.clone(), reason: Note::OwnMailbox });
                continue;
            }
        }
        plan.items.push(PlanItem {
            entity: Entity::Mailbox,
            id: m.id.clone(),
            name: m.name.clone(),
            kind: Some(m.kind.clone()),
            changes,
            tracks_test,
            test_completed_before: m.test_completed_on.map(|t| t.unix_secs()),
        });
    }
    Ok(plan)
}

fn is_own_mailbox(snapshot: &Snapshot, m: &Mailbox) -> bool {
    let caller = snapshot.caller.as_ref().map(|c| c.user_id.as_str());
    m.kind == MailboxKind::User && caller.is_some() && m.regarding.as_deref() == caller
}

/// Whether approvals are certain to be refused, from the caller's roles and privilege. Approval also
/// depends on tenant roles Dataverse cannot show; that uncertainty becomes a warning, not a block.
fn approval_preflight(snapshot: &Snapshot, warnings: &mut Vec<Note>) -> Option<Note> {
    if let Some(p) = &snapshot.approve_privilege
        && !p.held
    {
        return Some(Note::NoPrivilege { privilege: p.name.clone() });
    }
    let roles: Option<Vec<&Role>> = match (&snapshot.roles, &snapshot.team_roles) {
        (Some(direct), Some(team)) => Some(direct.iter().chain(team).collect()),
        (Some(direct), None) => Some(direct.iter().collect()),
        _ => None,
    };
    let Some(roles) = roles else {
        warnings.push(Note::RolesUnread);
        return None;
    };
    let sysadmin = roles.iter().any(|r| r.is_system_administrator());
    let delegated = roles.iter().any(|r| r.is_delegated_mailbox_approver());
    if !sysadmin && snapshot.team_roles.is_some() {
        return Some(Note::NoSysadmin);
    }
    if !delegated {
        warnings.push(Note::TenantRoles);
    }
    None
}

fn int(n: i32) -> Value {
    Value::from(n)
}

fn opt_int(n: Option<i32>) -> Value {
    n.map_or(Value::Null, Value::from)
}

fn push_if_changed(out: &mut Vec<Change>, field: Field, before: Value, after: Value) {
    if !field.agrees(&after, &before) {
        out.push(Change { field, before, after });
    }
}

fn mailbox_changes(
    m: &Mailbox,
    action: &Action,
    defaults: Option<&(String, crate::model::DefaultEmailSettings)>,
) -> Vec<Change> {
    let mut out = Vec::new();
    let approval = |s: ApprovalState| match s {
        ApprovalState::Empty => 0,
        ApprovalState::Approved => 1,
        ApprovalState::Pending => 2,
        ApprovalState::Rejected => 3,
        ApprovalState::Unknown(n) => n,
    };
    let profile = m.profile.clone().map_or(Value::Null, Value::String);
    let incoming = opt_int(m.incoming.map(|d| d.value()));
    let outgoing = opt_int(m.outgoing.map(|d| d.value()));
    let act = opt_int(m.act.map(|d| d.value()));
    let is_queue = m.kind == MailboxKind::Queue;
    let test = |out: &mut Vec<Change>| {
        if !m.test_scheduled {
            out.push(Change { field: Field::TestScheduled, before: Value::Bool(false), after: Value::Bool(true) });
        }
    };
    let primary = |out: &mut Vec<Change>, on: bool| {
        if on {
            push_if_changed(out, Field::OrgMarkedPrimary, Value::Bool(m.org_marked_primary), Value::Bool(true));
        }
    };
    match action {
        Action::Approve => push_if_changed(&mut out, Field::Approval, int(approval(m.approval)), int(1)),
        Action::Reject => push_if_changed(&mut out, Field::Approval, int(approval(m.approval)), int(3)),
        Action::ApplyDefaultSettings { test_and_enable, this_org_only } => {
            if let Some((p, s)) = defaults {
                push_if_changed(&mut out, Field::Profile, profile, Value::String(p.clone()));
                if let Some(i) = s.incoming {
                    push_if_changed(&mut out, Field::IncomingMethod, incoming, int(i.value()));
                }
                if let Some(o) = s.outgoing {
                    push_if_changed(&mut out, Field::OutgoingMethod, outgoing, int(o.value()));
                }
                if let (Some(a), false) = (s.act, is_queue) {
                    push_if_changed(&mut out, Field::ActMethod, act, int(a.value()));
                }
            }
            primary(&mut out, *this_org_only);
            if *test_and_enable {
                test(&mut out);
            }
        }
        Action::EditProfileAndMethods { profile_id, incoming: i, outgoing: o, act: a } => {
            if let Some(p) = profile_id {
                push_if_changed(&mut out, Field::Profile, profile, Value::String(p.to_ascii_lowercase()));
            }
            if let Some(i) = i {
                push_if_changed(&mut out, Field::IncomingMethod, incoming, int(i.value()));
            }
            if let Some(o) = o {
                push_if_changed(&mut out, Field::OutgoingMethod, outgoing, int(o.value()));
            }
            if let (Some(a), false) = (a, is_queue) {
                push_if_changed(&mut out, Field::ActMethod, act, int(a.value()));
            }
        }
        Action::TestAndEnable { this_org_only, process_email_after } => {
            primary(&mut out, *this_org_only);
            if let Some(after) = process_email_after {
                let before = m.process_email_received_after.map_or(Value::Null, |t| Value::String(iso(t.unix_secs())));
                push_if_changed(&mut out, Field::ProcessEmailAfter, before, Value::String(after.clone()));
            }
            // Already scheduled: only the trigger is a no-op; other changes still apply.
            test(&mut out);
        }
        Action::TestAndEnableProfile { .. } => test(&mut out),
        _ => {}
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` from Unix seconds.
pub(crate) fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = crate::model::civil_from_days(days);
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}

fn plan_org(
    snapshot: &Snapshot,
    action: &Action,
    plan: &mut Plan,
    profile_known: &dyn Fn(&str) -> bool,
) -> Result<(), PlanError> {
    let org = snapshot.org.as_ref().ok_or(PlanError::NoOrgSettings)?;
    let default_profile = org.default_profile.clone().map_or(Value::Null, Value::String);
    let mut changes = Vec::new();
    let set_profile = |changes: &mut Vec<Change>, id: &str| -> Result<(), PlanError> {
        if !profile_known(id) {
            return Err(PlanError::UnknownProfile(id.to_owned()));
        }
        push_if_changed(
            changes,
            Field::DefaultProfile,
            default_profile.clone(),
            Value::String(id.to_ascii_lowercase()),
        );
        Ok(())
    };
    match action {
        Action::SetOrgDefaultProfile { profile_id } => set_profile(&mut changes, profile_id)?,
        Action::SetOrgDefaultEmailSettings { profile_id, incoming, outgoing, act, server_side_sync } => {
            if let Some(p) = profile_id {
                set_profile(&mut changes, p)?;
            }
            let xml = format!(
                "<EmailSettings><IncomingEmailDeliveryMethod>{}</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>{}</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>{}</ACTDeliveryMethod></EmailSettings>",
                incoming.value(),
                outgoing.value(),
                act.value()
            );
            let before = org.default_email_settings_xml.clone().map_or(Value::Null, Value::String);
            push_if_changed(&mut changes, Field::DefaultEmailSettings, before, Value::String(xml));
            if *server_side_sync {
                push_if_changed(&mut changes, Field::ConnectionChannel, opt_int(org.connection_channel), int(0));
            }
        }
        Action::SetApprovalRequirement { users, queues } => {
            push_if_changed(
                &mut changes,
                Field::RequireApprovalUsers,
                Value::Bool(org.require_approval_users),
                Value::Bool(*users),
            );
            push_if_changed(
                &mut changes,
                Field::RequireApprovalQueues,
                Value::Bool(org.require_approval_queues),
                Value::Bool(*queues),
            );
        }
        _ => {}
    }
    let sysadmin = snapshot.roles.as_ref().map(|r| r.iter().any(Role::is_system_administrator));
    if sysadmin == Some(false) {
        plan.warnings.push(Note::OrgNeedsSysadmin);
    }
    if changes.is_empty() {
        plan.skipped.push(Skipped { id: org.id.clone(), name: org.name.clone(), reason: Note::OrgSameSettings });
    } else {
        plan.items.push(PlanItem {
            entity: Entity::Organization,
            id: org.id.clone(),
            name: org.name.clone(),
            kind: None,
            changes,
            tracks_test: false,
            test_completed_before: None,
        });
    }
    Ok(())
}

impl Plan {
    /// The preview table: one row per field write, values in English ([`Plan::dry_run_in`]).
    pub fn dry_run(&self) -> Vec<DryRunRow> {
        self.dry_run_in(Lang::english())
    }

    /// The preview table with the values as `lang` shows them.
    pub fn dry_run_in(&self, lang: Lang) -> Vec<DryRunRow> {
        self.items
            .iter()
            .flat_map(|item| {
                item.changes.iter().map(move |c| DryRunRow {
                    id: item.id.clone(),
                    name: item.name.clone(),
                    field: c.field.column(),
                    before: self.label_in(c.field, &c.before, lang),
                    after: self.label_in(c.field, &c.after, lang),
                })
            })
            .collect()
    }

    /// A value's label in English, with profile ids shown as profile names.
    pub fn label(&self, field: Field, value: &Value) -> String {
        self.label_in(field, value, Lang::english())
    }

    /// A value's label in `lang`, with profile ids shown as profile names.
    pub fn label_in(&self, field: Field, value: &Value, lang: Lang) -> String {
        field.label_in(&self.named(field, value), lang)
    }

    /// `value`, a profile id replaced by the profile's name.
    pub(crate) fn named(&self, field: Field, value: &Value) -> Value {
        if let (Field::Profile | Field::DefaultProfile, Value::String(id)) = (field, value)
            && let Some((_, name)) = self.profile_names.iter().find(|(p, _)| p.eq_ignore_ascii_case(id))
        {
            return Value::String(name.clone());
        }
        value.clone()
    }

    /// Number of field writes.
    pub fn write_count(&self) -> usize {
        self.items.iter().map(|i| i.changes.len()).sum()
    }
}

#[cfg(test)]
pub(crate) mod tests;
