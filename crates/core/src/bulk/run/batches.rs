//! What goes into the next `$batch`: read-backs of unknown and unverified writes first, then writes
//! (each batch ending with the read-back of its own writes), then Test & Enable polls and alerts.

use super::config::RunConfig;
use super::ledger::Sent;
use super::slots::Slots;
use crate::bulk::action::Entity;
use crate::bulk::plan::{Plan, PlanItem};
use crate::bulk::progress::ItemState;
use crate::http::Request;
use crate::odata::Query;
use crate::odata::batch::{self, BatchEntry};
use crate::wire;

/// What a part of an outstanding batch is for.
#[derive(Debug, Clone)]
pub(super) enum Role {
    /// The write of item `.0`.
    Write(usize),
    /// One read of these mailboxes.
    ReadMailboxes(Vec<usize>),
    /// The read of one organization or profile.
    ReadOne(usize),
    /// The latest alerts of these mailboxes.
    Alerts(Vec<usize>),
}

impl Role {
    /// The items the part holds in its request (alerts hold none: an item may be read while its
    /// alert is fetched).
    pub(super) fn items(&self) -> &[usize] {
        match self {
            Role::Write(i) | Role::ReadOne(i) => std::slice::from_ref(i),
            Role::ReadMailboxes(v) => v,
            Role::Alerts(_) => &[],
        }
    }

    /// The items the part reads back.
    pub(super) fn reads(&self) -> &[usize] {
        match self {
            Role::ReadOne(i) => std::slice::from_ref(i),
            Role::ReadMailboxes(v) => v,
            Role::Write(_) | Role::Alerts(_) => &[],
        }
    }
}

/// A batch to send: its operations and what each is for, in order.
#[derive(Debug, Clone, Default)]
pub(super) struct Batch {
    /// The operations.
    pub(super) entries: Vec<BatchEntry>,
    /// What each is for.
    pub(super) roles: Vec<Role>,
}

impl Batch {
    /// Writes in the batch.
    pub(super) fn writes(&self) -> usize {
        self.roles.iter().filter(|r| matches!(r, Role::Write(_))).count()
    }
}

/// A batch handed out and not answered yet.
#[derive(Debug, Clone)]
pub(super) struct Outstanding {
    /// What each part is for.
    pub(super) roles: Vec<Role>,
    /// What the ledger reserved for it.
    pub(super) sent: Sent,
}

/// Columns read back from mailboxes: every column a bulk action writes plus the test results.
pub(super) const MAILBOX_READ: &[&str] = &[
    wire::mailbox::mailboxid,
    wire::mailbox::emailaddress,
    wire::mailbox::emailrouteraccessapproval,
    wire::mailbox::isemailaddressapprovedbyo365admin,
    wire::mailbox::email_server_profile,
    wire::mailbox::incomingemaildeliverymethod,
    wire::mailbox::outgoingemaildeliverymethod,
    wire::mailbox::actdeliverymethod,
    wire::mailbox::orgmarkedasprimaryforexchangesync,
    wire::mailbox::processemailreceivedafter,
    wire::mailbox::testemailconfigurationscheduled,
    wire::mailbox::testmailboxaccesscompletedon,
    wire::mailbox::incomingemailstatus,
    wire::mailbox::outgoingemailstatus,
    wire::mailbox::actstatus,
];

/// Columns read back from the organization: every column a bulk action writes.
pub(super) const ORG_READ: &[&str] = &[
    wire::organization::organizationid,
    wire::organization::default_email_server_profile,
    wire::organization::defaultemailsettings,
    wire::organization::emailconnectionchannel,
    wire::organization::requireapprovalforuseremail,
    wire::organization::requireapprovalforqueueemail,
];

/// Columns read back from a profile.
pub(super) const PROFILE_READ: &[&str] = &[wire::profile::emailserverprofileid, wire::profile::statecode];

/// Builds batches from the plan and where its items stand.
pub(super) struct Batches<'a> {
    /// The plan.
    pub(super) plan: &'a Plan,
    /// Where its items stand.
    pub(super) slots: &'a Slots,
    /// The run's configuration.
    pub(super) config: &'a RunConfig,
}

impl Batches<'_> {
    fn item(&self, i: usize) -> Option<&PlanItem> {
        self.plan.items.get(i)
    }

    fn in_state(&self, i: usize, states: &[ItemState]) -> bool {
        self.slots.state(i).is_some_and(|s| states.contains(&s))
    }

    /// Adds the read-backs of items `idxs` to `batch`: one query per chunk of mailboxes, one GET per
    /// other record.
    fn reads_for(&self, idxs: &[usize], batch: &mut Batch) {
        let mailboxes: Vec<usize> =
            idxs.iter().copied().filter(|&i| self.item(i).is_some_and(|it| it.entity == Entity::Mailbox)).collect();
        for chunk in mailboxes.chunks(self.config.read_chunk.max(1)) {
            let ids: Vec<String> =
                chunk.iter().filter_map(|&i| self.item(i)).map(|it| format!("'{}'", it.id)).collect();
            let query = Query::new(Entity::Mailbox.set()).select(MAILBOX_READ).filter(format!(
                "Microsoft.Dynamics.CRM.In(PropertyName='{}',PropertyValues=[{}])",
                Entity::Mailbox.key(),
                ids.join(",")
            ));
            batch.entries.push(BatchEntry::Single(query.request()));
            batch.roles.push(Role::ReadMailboxes(chunk.to_vec()));
        }
        for &i in idxs {
            let Some(item) = self.item(i) else { continue };
            let columns = match item.entity {
                Entity::Mailbox => continue,
                Entity::Organization => ORG_READ,
                Entity::Profile => PROFILE_READ,
            };
            let path = format!("{}({})?$select={}", item.entity.set(), item.id, columns.join(","));
            batch.entries.push(BatchEntry::Single(Request::get(path)));
            batch.roles.push(Role::ReadOne(i));
        }
    }

    /// Read-backs of items whose write may have applied (unknown) or applied unverified (written).
    pub(super) fn read_back(&self) -> Option<Batch> {
        let limit = (self.config.read_chunk.max(1) * 10).min(batch::MAX_OPERATIONS * 10);
        let idxs: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots.is_free(i) && self.in_state(i, &[ItemState::Unknown, ItemState::Written]))
            .take(limit)
            .collect();
        if idxs.is_empty() {
            return None;
        }
        let mut batch = Batch::default();
        self.reads_for(&idxs, &mut batch);
        Some(batch)
    }

    /// The next writes, with their read-backs when the run verifies. `lanes` is the number of
    /// batches that may be in flight: near the end, what is left is spread over all of them.
    pub(super) fn writes(&self, lanes: usize) -> Option<Batch> {
        let full = self.config.batch_size.clamp(1, batch::MAX_OPERATIONS / 2);
        let pending = |i: &usize| self.slots.is_free(*i) && self.in_state(*i, &[ItemState::Pending]);
        // One scan, which stops once every lane could get a full batch (no count of all that is left).
        let lanes = lanes.max(1);
        let enough = full.saturating_mul(lanes);
        let mut idxs: Vec<usize> = (0..self.slots.len()).filter(pending).take(enough).collect();
        let left = idxs.len();
        let size = if left >= enough { full } else { left.div_ceil(lanes).clamp((full / 5).max(1), full) };
        idxs.truncate(size);
        if idxs.is_empty() {
            return None;
        }
        let mut batch = Batch::default();
        for &i in &idxs {
            if let Some(item) = self.item(i) {
                batch.entries.push(BatchEntry::Single(item.request()));
                batch.roles.push(Role::Write(i));
            }
        }
        if self.config.verify {
            self.reads_for(&idxs, &mut batch);
        }
        Some(batch)
    }

    /// The Test & Enable poll and alert fetch, if any: testing items when `poll_due`, stuck items
    /// still watched when `stuck_due`, and every alert wanted.
    pub(super) fn poll(&self, poll_due: bool, stuck_due: bool) -> Option<Batch> {
        if self.slots.count(ItemState::Testing) == 0 && self.slots.watching() == 0 && self.slots.want_alert() == 0 {
            return None;
        }
        let alerts: Vec<usize> = if self.slots.want_alert() == 0 {
            Vec::new()
        } else {
            (0..self.slots.len()).filter(|&i| self.slots.get(i).is_some_and(|s| s.want_alert && s.is_free())).collect()
        };
        let polled = |i: &usize| match self.slots.get(*i) {
            Some(s) if s.outcome.state == ItemState::Testing => poll_due,
            Some(s) if s.outcome.state == ItemState::Stuck => stuck_due && s.watch_until.is_some(),
            _ => false,
        };
        let testing: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots.is_free(i) && polled(&i))
            .take(self.config.read_chunk.max(1) * 50)
            .collect();
        if testing.is_empty() && alerts.is_empty() {
            return None;
        }
        let mut batch = Batch::default();
        if !testing.is_empty() {
            self.reads_for(&testing, &mut batch);
        }
        let ids: Vec<(usize, String)> = alerts.iter().filter_map(|&i| Some((i, self.item(i)?.id.clone()))).collect();
        for chunk in ids.chunks(crate::collect::ALERT_CHUNK) {
            let refs: Vec<&str> = chunk.iter().map(|(_, id)| id.as_str()).collect();
            batch.entries.push(BatchEntry::Single(crate::collect::alerts_query(&refs).request()));
            batch.roles.push(Role::Alerts(chunk.iter().map(|(i, _)| *i).collect()));
        }
        Some(batch)
    }
}
