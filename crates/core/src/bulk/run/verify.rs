//! What the answers say: a write's status, and the read-backs that verify writes, settle unknown
//! outcomes and track Test & Enable to its result.

use super::batches::Role;
use super::config::RunConfig;
use super::slots::{Slot, Slots};
use crate::bulk::action::Field;
use crate::bulk::millis::Millis;
use crate::bulk::note::{Mismatch, Note};
use crate::bulk::plan::Plan;
use crate::bulk::progress::{ItemState, TestReport};
use crate::error::{DataverseError, Error};
use crate::http::Response;
use crate::model::TestStatus;
use crate::odata::{check_response, decode_collection, decode_json};
use crate::wire;
use serde_json::Value;

/// What an answer asks of the run beyond its own items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Consequence {
    /// The session expired: the run halts until the admin signs in again.
    SessionExpired {
        /// The status that said so.
        status: u16,
    },
    /// An approval was refused with CrmSecurity: every further approval would be too.
    StopApprovals,
}

/// A CrmSecurity refusal (0x80040256): as the error's code (SUP, ERRCODES), or only in its message
/// under another outer code, as the UI dialog showed it (reference §5, §13.4; simulator switch
/// `crm_security_code_in_message`).
fn is_crm_security(e: &DataverseError) -> bool {
    e.code.eq_ignore_ascii_case("0x80040256")
        || e.message.contains("CrmSecurity")
        || crate::text::fold(&e.message).contains("0x80040256")
}

fn code_of(e: &Error) -> (Option<u16>, Option<String>, Note) {
    match e {
        Error::Http { status, dataverse: Some(d), .. } => {
            (Some(*status), Some(d.code.clone()), Note::Verbatim(d.message.clone()))
        }
        Error::Http { status, body, .. } => (Some(*status), None, Note::Verbatim(body.chars().take(300).collect())),
        Error::Throttled { retry_after_secs } => {
            (Some(429), None, Note::Throttled { retry_after_secs: *retry_after_secs })
        }
        Error::SessionExpired { status } => (Some(*status), None, Note::Verbatim(e.to_string())),
        other => (None, None, Note::Verbatim(other.to_string())),
    }
}

/// Applies answers to the items of a plan.
pub(super) struct Answers<'a> {
    /// The plan.
    pub(super) plan: &'a Plan,
    /// The run's configuration.
    pub(super) config: &'a RunConfig,
    /// Where its items stand.
    pub(super) slots: &'a mut Slots,
}

impl Answers<'_> {
    /// Item `i` failed with `err` (or, without one, for the reason `fallback`).
    pub(super) fn fail(&mut self, i: usize, err: Option<&Error>, fallback: Note) {
        let (status, code, message) = err.map(code_of).unwrap_or((None, None, fallback));
        self.slots.update(i, |s| {
            s.outcome.state = ItemState::Failed;
            s.outcome.status = status;
            s.outcome.code = code;
            s.outcome.message = Some(message);
        });
    }

    /// Counts a failed read-back; an item that cannot be read back after many tries is failed.
    pub(super) fn read_failed(&mut self, roles: &[Role]) {
        let limit = self.config.max_attempts.max(1) * 2;
        for &i in roles.iter().flat_map(Role::reads) {
            self.slots.update(i, |s| {
                if !matches!(s.outcome.state, ItemState::Unknown | ItemState::Written) {
                    return;
                }
                s.read_failures += 1;
                if s.read_failures >= limit {
                    s.outcome.state = ItemState::Failed;
                    s.outcome.message = Some(Note::Unreadable { tries: limit });
                }
            });
        }
    }

    /// Puts the writes among `roles` (of a batch without a readable answer) back: `Pending` when they
    /// surely did not apply (skipped instead once the run was `cancelled`), `Unknown` when they may
    /// have. `uncount` gives the attempt back (the batch never ran).
    pub(super) fn requeue_writes(&mut self, roles: &[Role], state: ItemState, uncount: bool, cancelled: bool) {
        for role in roles {
            let Role::Write(i) = role else { continue };
            self.slots.update(*i, |s| {
                if s.outcome.state != ItemState::Sent {
                    return;
                }
                if uncount {
                    s.outcome.attempts = s.outcome.attempts.saturating_sub(1);
                }
                s.outcome.state = if cancelled && state == ItemState::Pending {
                    s.outcome.message = Some(Note::Cancelled);
                    ItemState::Skipped
                } else {
                    state
                };
            });
        }
    }

    /// After a CrmSecurity refusal every further approval would be refused too: skips them all, and
    /// says why.
    pub(super) fn stop_approvals(&mut self) -> Note {
        for i in 0..self.slots.len() {
            self.slots.update(i, |s| {
                if s.outcome.state == ItemState::Pending {
                    s.outcome.state = ItemState::Skipped;
                    s.outcome.code = Some("0x80040256".to_owned());
                    s.outcome.message = Some(Note::NotSent);
                }
            });
        }
        Note::ApprovalsStopped
    }

    /// The answer to one part of a batch.
    pub(super) fn part(&mut self, now: Millis, role: Role, response: &Response) -> Option<Consequence> {
        match role {
            Role::Write(i) => return self.write(i, response),
            Role::ReadMailboxes(idxs) => match decode_collection::<Value>(response, "mailboxes read-back") {
                Ok(page) => {
                    for i in idxs {
                        let id = self.plan.items.get(i).map(|it| it.id.as_str()).unwrap_or_default();
                        let row = page.value.iter().find(|r| {
                            r.get(wire::mailbox::mailboxid)
                                .and_then(Value::as_str)
                                .is_some_and(|v| v.eq_ignore_ascii_case(id))
                        });
                        self.row(now, i, row);
                    }
                }
                Err(e) => return self.read_part_failed(&e, &[Role::ReadMailboxes(idxs)]),
            },
            Role::ReadOne(i) => match decode_json::<Value>(response, "read-back") {
                Ok(row) => self.row(now, i, Some(&row)),
                Err(e) => return self.read_part_failed(&e, &[Role::ReadOne(i)]),
            },
            Role::Alerts(idxs) => {
                if let Ok(page) = decode_collection::<wire::TraceLog>(response, "tracelogs") {
                    for i in idxs {
                        let id = self.plan.items.get(i).map(|it| it.id.as_str()).unwrap_or_default();
                        let alert = page
                            .value
                            .iter()
                            .find(|a| a.regarding.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(id)))
                            .and_then(|a| a.text.clone());
                        if let Some(text) = alert {
                            self.slots.update(i, |s| {
                                s.outcome.test.get_or_insert_with(TestReport::default).alert = Some(text.clone());
                                if matches!(s.outcome.state, ItemState::Failed | ItemState::Stuck) {
                                    let note =
                                        Box::new(s.outcome.message.take().unwrap_or(Note::Verbatim(String::new())));
                                    s.outcome.message = Some(Note::WithAlert { note, alert: text.clone() });
                                }
                            });
                        }
                    }
                }
            }
        }
        None
    }

    fn read_part_failed(&mut self, e: &Error, roles: &[Role]) -> Option<Consequence> {
        if let Error::SessionExpired { status } = e {
            return Some(Consequence::SessionExpired { status: *status });
        }
        self.read_failed(roles);
        None
    }

    fn write(&mut self, i: usize, response: &Response) -> Option<Consequence> {
        if self.slots.state(i)? != ItemState::Sent {
            return None;
        }
        let err = match check_response(response) {
            Ok(()) => {
                let verify = self.config.verify;
                self.slots.update(i, |s| {
                    s.outcome.applied = true;
                    s.outcome.state = if verify { ItemState::Written } else { ItemState::Succeeded };
                });
                return None;
            }
            Err(e) => e,
        };
        match &err {
            Error::SessionExpired { status } => {
                self.slots.update(i, |s| {
                    s.outcome.state = ItemState::Pending;
                    s.outcome.attempts = s.outcome.attempts.saturating_sub(1);
                });
                return Some(Consequence::SessionExpired { status: *status });
            }
            Error::Throttled { .. } | Error::Http { status: 500..=599, .. } => {
                // The operation did not run (or was rolled back): safe to send again.
                let attempts = self.slots.get(i).map_or(0, |s| s.outcome.attempts);
                if attempts < self.config.max_attempts {
                    self.slots.set_state(i, ItemState::Pending);
                } else {
                    self.fail(i, Some(&err), Note::Verbatim(String::new()));
                }
            }
            Error::Http { dataverse: Some(e), .. } if is_crm_security(e) && self.plan.action.is_approval() => {
                self.fail(i, Some(&err), Note::Verbatim(String::new()));
                return Some(Consequence::StopApprovals);
            }
            _ => self.fail(i, Some(&err), Note::Verbatim(String::new())),
        }
        None
    }

    /// Item `i` read back as `row` (`None`: the record is gone).
    fn row(&mut self, now: Millis, i: usize, row: Option<&Value>) {
        let Some(item) = self.plan.items.get(i) else { return };
        let (plan, max_attempts) = (self.plan, self.config.max_attempts);
        self.slots.update(i, |slot| {
            let state = slot.outcome.state;
            let Some(row) = row else {
                if matches!(state, ItemState::Written | ItemState::Unknown | ItemState::Testing) {
                    slot.outcome.state = ItemState::Failed;
                    slot.outcome.message = Some(Note::Gone);
                }
                return;
            };
            let completed_after = row
                .get(wire::mailbox::testmailboxaccesscompletedon)
                .and_then(Value::as_str)
                .and_then(crate::model::Timestamp::parse_iso8601)
                .map(|t| t.unix_secs());
            let test_ran = completed_after.is_some() && completed_after > item.test_completed_before;
            match state {
                ItemState::Written | ItemState::Unknown => {
                    let mut observed = Vec::new();
                    let mut mismatch = None;
                    for c in &item.changes {
                        let read = row.get(c.field.read_column()).cloned().unwrap_or(Value::Null);
                        let ok = if c.field == Field::TestScheduled {
                            read == Value::Bool(true) || test_ran
                        } else {
                            c.field.agrees(&c.after, &read)
                        };
                        if !ok && mismatch.is_none() {
                            mismatch = Some(Box::new(Mismatch {
                                field: c.field,
                                read: plan.named(c.field, &read),
                                expected: plan.named(c.field, &c.after),
                            }));
                        }
                        observed.push((c.field, read));
                    }
                    slot.outcome.observed = observed;
                    // Approvals: say whether "approved by Microsoft 365 admin" came along (issue 11).
                    if item.changes.iter().any(|c| c.field == Field::Approval && c.after == 1) {
                        slot.outcome.o365_admin_approved =
                            row.get(wire::mailbox::isemailaddressapprovedbyo365admin).and_then(Value::as_bool);
                    }
                    match (mismatch, state) {
                        (None, _) => {
                            slot.outcome.applied = true;
                            if item.tracks_test {
                                slot.outcome.state = ItemState::Testing;
                                slot.testing_since = Some(now);
                                slot.outcome.test = Some(TestReport { scheduled: true, ..TestReport::default() });
                                update_test(slot, row, test_ran);
                            } else {
                                slot.outcome.state = ItemState::Succeeded;
                            }
                        }
                        // Known applied, yet the record says otherwise: report, never resend.
                        (Some(m), ItemState::Written) => {
                            slot.outcome.state = ItemState::Failed;
                            slot.outcome.message = Some(Note::AcceptedBut(m));
                        }
                        // Did not apply: safe to send (again).
                        (Some(m), _) => {
                            if slot.outcome.attempts >= max_attempts {
                                slot.outcome.state = ItemState::Failed;
                                slot.outcome.message =
                                    Some(Note::GaveUp { attempts: slot.outcome.attempts, mismatch: m });
                            } else {
                                slot.outcome.state = ItemState::Pending;
                            }
                        }
                    }
                }
                ItemState::Testing => update_test(slot, row, test_ran),
                ItemState::Stuck if slot.watch_until.is_some() => {
                    update_test(slot, row, test_ran);
                    if slot.outcome.state != ItemState::Stuck {
                        // A late result: the mailbox is no longer stuck.
                        slot.watch_until = None;
                        if slot.outcome.state == ItemState::Succeeded {
                            slot.outcome.message = None;
                        }
                    }
                }
                _ => {}
            }
        });
    }
}

/// Reads Test & Enable's result from a mailbox row: failed (with the directions that failed, and its
/// alert to be fetched), succeeded, or still running.
fn update_test(slot: &mut Slot, row: &Value, test_ran: bool) {
    let status = |c: &str| row.get(c).and_then(Value::as_i64).and_then(|n| i32::try_from(n).ok()).map(TestStatus::from);
    let scheduled = row.get(wire::mailbox::testemailconfigurationscheduled).and_then(Value::as_bool).unwrap_or(false);
    let report = slot.outcome.test.get_or_insert_with(TestReport::default);
    report.incoming = status(wire::mailbox::incomingemailstatus);
    report.outgoing = status(wire::mailbox::outgoingemailstatus);
    report.act = status(wire::mailbox::actstatus);
    report.scheduled = scheduled;
    let any_result = [report.incoming, report.outgoing, report.act]
        .iter()
        .any(|s| matches!(s, Some(TestStatus::Success | TestStatus::Failure)));
    if scheduled || !(test_ran || any_result) {
        return;
    }
    if report.failed() {
        let failed = |s: Option<TestStatus>| s == Some(TestStatus::Failure);
        slot.outcome.state = ItemState::Failed;
        slot.outcome.message = Some(Note::TestFailed {
            incoming: failed(report.incoming),
            outgoing: failed(report.outgoing),
            act: failed(report.act),
        });
        slot.want_alert = true;
    } else {
        slot.outcome.state = ItemState::Succeeded;
    }
}
