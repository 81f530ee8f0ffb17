//! Test & Enable: scheduling by PATCH, and the background job that turns a scheduled mailbox into
//! per-direction results, enabled flags and an alert (§7, §8).
//!
//! The outcome is decided by the scenario's facts: approval (when required), the profile (missing,
//! inactive, not Exchange), Exchange-side facts (unknown address, no licence, ACT synced with another
//! org unless `orgmarkedasprimaryforexchangesync`), and transient errors that are retried
//! `testemailconfigurationretrycount` times, `retry_interval` apart, before the mailbox is disabled.

use crate::config::Config;
use crate::ids::Guid;
use crate::store::{Org, V};

/// Why a direction failed.
#[derive(Debug, Clone)]
struct Failure {
    code: i64,
    text: String,
}

/// Runs every scheduled test whose postpone time has passed.
pub(crate) fn tick(org: &mut Org, now: i64, config: &Config) {
    if org.scheduled.is_empty() || now < org.next_due {
        return;
    }
    let mut due: Vec<(i64, Guid)> = Vec::new();
    let mut gone = Vec::new();
    let mut next = i64::MAX;
    for id in &org.scheduled {
        match org.row("mailbox", *id) {
            Some(m) if m.bool("testemailconfigurationscheduled") => {
                // Inactive mailboxes are not processed; they stay scheduled (a "stuck" test). A write that
                // reactivates one resets `next_due`.
                if m.int("statecode") != 0 {
                    continue;
                }
                let at = match m.get("postponetestemailconfigurationuntil") {
                    V::Time(t) => *t,
                    _ => now,
                };
                if at <= now {
                    due.push((at, *id));
                } else {
                    next = next.min(at);
                }
            }
            _ => gone.push(*id),
        }
    }
    for id in gone {
        org.scheduled.remove(&id);
    }
    org.next_due = next;
    due.sort();
    for (at, id) in due {
        run_test(org, id, at, config);
    }
}

/// Marks a mailbox as scheduled (after a PATCH set `testemailconfigurationscheduled` to true).
pub(crate) fn schedule(org: &mut Org, id: Guid, by: Guid, now: i64, config: &Config) {
    let delay = config.test_enable.delay.as_millis() as i64;
    let mut fields = vec![
        ("testemailconfigurationretrycount", V::Int(config.test_enable.max_retries)),
        ("postponetestemailconfigurationuntil", V::Time(now + delay)),
        ("testandenablelastattemptedby", V::lookup("systemuser", by)),
        ("testandenablelastattemptedon", V::Time(now)),
    ];
    if config.quirks.test_resets_statuses {
        fields.extend([
            ("incomingemailstatus", V::Int(0)),
            ("outgoingemailstatus", V::Int(0)),
            ("actstatus", V::Int(0)),
            ("mailboxstatus", V::Int(0)),
        ]);
    }
    org.update("mailbox", id, fields, now);
    org.scheduled.insert(id);
    org.next_due = org.next_due.min(now + delay);
    if config.quirks.async_operation_rows {
        open_job(org, id, by, now);
    }
}

/// §7 \[U\]: a "Mailbox Test Access" system job (operation type 52) per scheduled test.
fn open_job(org: &mut Org, mailbox: Guid, by: Guid, now: i64) {
    let Some(def) = crate::schema::by_logical("asyncoperation") else {
        return;
    };
    let job = org.rng.guid();
    org.insert(
        def,
        job,
        vec![
            ("name", V::str("Mailbox Test Access")),
            ("operationtype", V::Int(52)),
            ("statecode", V::Int(0)),
            ("statuscode", V::Int(10)),
            ("regardingobjectid", V::lookup("mailbox", mailbox)),
            ("ownerid", V::lookup("systemuser", by)),
            ("message", V::Null),
            ("completedon", V::Null),
        ],
        now,
    );
    org.open_jobs.insert(mailbox, job);
}

/// Completes the open system job of a mailbox, if any.
fn close_job(org: &mut Org, mailbox: Guid, ok: bool, message: Option<&str>, now: i64) {
    if let Some(job) = org.open_jobs.remove(&mailbox) {
        org.update(
            "asyncoperation",
            job,
            vec![
                ("statecode", V::Int(3)),
                ("statuscode", V::Int(if ok { 30 } else { 31 })),
                ("message", message.map_or(V::Null, V::str)),
                ("completedon", V::Time(now)),
            ],
            now,
        );
    }
}

fn require_privilege_to_self_approve(org: &Org) -> bool {
    org.row("organization", org.org_id)
        .map(|o| o.text("orgdborgsettings").contains("<RequirePrivilegeToSelfApproveEmailAddress>true"))
        .unwrap_or(false)
}

/// Mailbox columns the test reads.
const MAILBOX_FIELDS: &[&str] = &[
    "name",
    "emailaddress",
    "regardingobjectid",
    "emailrouteraccessapproval",
    "isemailaddressapprovedbyo365admin",
    "testandenablelastattemptedby",
    "emailserverprofile",
    "incomingemaildeliverymethod",
    "outgoingemaildeliverymethod",
    "actdeliverymethod",
    "testemailconfigurationretrycount",
    "testemailconfigurationscheduled",
    "orgmarkedasprimaryforexchangesync",
];

/// Organization columns the test reads.
const ORG_FIELDS: &[&str] = &[
    "requireapprovalforuseremail",
    "requireapprovalforqueueemail",
    "generatealertsforerrors",
    "generatealertsforinformation",
];

/// Runs the test of one mailbox now and applies the result.
pub(crate) fn run_test(org: &mut Org, id: Guid, now: i64, config: &Config) {
    let Some(m) = org.row("mailbox", id).map(|r| r.project(MAILBOX_FIELDS)) else {
        return;
    };
    let Some(orgrow) = org.row("organization", org.org_id).map(|r| r.project(ORG_FIELDS)) else {
        return;
    };
    let name = m.text("name").to_string();
    let email = m.text("emailaddress").to_string();
    let regarding = m.lookup("regardingobjectid");
    let is_queue = regarding.map(|r| r.table == "queue").unwrap_or(false);
    let is_user = regarding.map(|r| r.table == "systemuser").unwrap_or(false);

    // Self-approval (§4, §5): the owner runs Test & Enable on a mailbox whose address equals their UPN.
    let mut approval = m.int("emailrouteraccessapproval");
    if config.quirks.self_approval_on_test
        && approval != 1
        && is_user
        && !require_privilege_to_self_approve(org)
    {
        let by = m.lookup("testandenablelastattemptedby").map(|l| l.id);
        let owner = regarding.map(|r| r.id);
        let upn_matches = owner
            .and_then(|o| org.row("systemuser", o))
            .map(|u| u.text("domainname").eq_ignore_ascii_case(&email))
            .unwrap_or(false);
        if by.is_some() && by == owner && upn_matches {
            if let Some(by) = by {
                crate::ops::approval::write_approval(org, id, 1, Some(by), now, config);
            }
            approval = 1;
        }
    }

    let requires = if is_queue {
        orgrow.bool("requireapprovalforqueueemail")
    } else if is_user {
        orgrow.bool("requireapprovalforuseremail")
    } else {
        false
    };
    let profile = m
        .lookup("emailserverprofile")
        .and_then(|l| org.row("emailserverprofile", l.id))
        .map(|r| r.project(&["name", "statecode", "servertype", "incomingserverlocation"]));
    let facts = org.exchange.get(&id).cloned().unwrap_or_default();

    let test_in = m.int("incomingemaildeliverymethod") == 2;
    let test_out = m.int("outgoingemaildeliverymethod") == 2;
    let test_act = m.int("actdeliverymethod") == 1 && !is_queue;

    let mut common: Option<Failure> = None;
    let mut transient = false;
    match &profile {
        None => {
            common = Some(Failure {
                code: 3,
                text: format!(
                    "Email cannot be received for the mailbox {name} because the mailbox does not have an email server profile associated with it. Associate an active email server profile with the mailbox and run Test & Enable again. Error code: InvalidIncomingEmailServerProfile."
                ),
            })
        }
        Some(p) if p.int("statecode") != 0 => {
            common = Some(Failure {
                code: 3,
                text: format!(
                    "Email cannot be received for the mailbox {name} because the email server profile {} associated with it is inactive. Activate the email server profile and run Test & Enable again. Error code: InvalidIncomingEmailServerProfile.",
                    p.text("name")
                ),
            })
        }
        _ => {}
    }
    if common.is_none() && requires && approval != 1 {
        let profile_name = profile.as_ref().map(|p| p.text("name").to_string()).unwrap_or_default();
        common = Some(Failure {
            code: 45,
            text: format!(
                "The email address {email} of the mailbox {name} is not approved. The mailbox has been disabled for sending and receiving email. The owner of the email server profile {profile_name} has been notified."
            ),
        });
    }
    // Issue 11 (`Quirks::o365_approval`): approved, but "approved by Microsoft 365 admin" left unset.
    if common.is_none()
        && requires
        && approval == 1
        && !m.bool("isemailaddressapprovedbyo365admin")
        && matches!(&config.quirks.o365_approval, crate::config::O365Approval::UnsetFor(list) if list.iter().any(|a| a.eq_ignore_ascii_case(&email)))
    {
        common = Some(Failure {
            code: 45,
            text: format!(
                "The email address {email} of the mailbox {name} requires an approval by a Microsoft 365 administrator. The mailbox has been disabled for sending and receiving email. Ask a Microsoft 365 Global or Exchange administrator to approve the email address, then run Test & Enable again."
            ),
        });
    }
    if common.is_none() && facts.unknown_address {
        common = Some(Failure {
            code: 60,
            text: format!(
                "Test and Enable failed because no user was found with the email address {email}. Verify the email address of the mailbox {name} in Exchange Online and run Test & Enable again."
            ),
        });
    }
    if common.is_none()
        && let Some(p) = &profile
        && (p.int("servertype") == 1 || p.int("servertype") == 4)
    {
        common = Some(Failure {
            code: 5,
            text: format!(
                "Email cannot be received for the mailbox {name} because a connection could not be established with the email server {}. Verify the server location and credentials in the email server profile {}.",
                p.text("incomingserverlocation"),
                p.text("name")
            ),
        });
    }
    if common.is_none() && facts.no_exchange_licence {
        common = Some(Failure {
            // `tracecode` is a plain integer (TRC: Int), not the HRESULT; that is only in the text. The
            // value is the simulator's own (\[U\]).
            code: 61,
            text: format!(
                "The mailbox {email} could not be found in Exchange Online. The user may not have an Exchange Online license. Assign a license in the Microsoft 365 admin center and run Test & Enable again. Error code: 0x8005E276."
            ),
        });
    }
    if common.is_none() && facts.transient_failures > 0 {
        transient = true;
    }

    if transient {
        if let Some(f) = org.exchange.get_mut(&id) {
            f.transient_failures -= 1;
        }
        let retries = m.int("testemailconfigurationretrycount");
        if retries > 0 && m.bool("testemailconfigurationscheduled") {
            let next = now + config.test_enable.retry_interval.as_millis() as i64;
            org.update(
                "mailbox",
                id,
                vec![
                    ("testemailconfigurationretrycount", V::Int(retries - 1)),
                    ("postponetestemailconfigurationuntil", V::Time(next)),
                ],
                now,
            );
            org.next_due = org.next_due.min(next);
            write_alert(
                org,
                id,
                2,
                20,
                false,
                format!(
                    "A temporary error occurred while connecting to Exchange Online for the mailbox {name}. The operation will be retried."
                ),
                now,
            );
            return;
        }
        common = Some(Failure {
            code: 21,
            text: format!(
                "The mailbox {name} has been disabled because connecting to Exchange Online failed repeatedly with a temporary error. Run Test & Enable again."
            ),
        });
    }

    let act_failure = if common.is_none()
        && test_act
        && facts.act_synced_elsewhere
        && !m.bool("orgmarkedasprimaryforexchangesync")
    {
        Some(Failure {
            code: 70,
            text: format!(
                "Appointments, contacts, and tasks can't be synchronized for the mailbox {name} because the mailbox is configured to synchronize with another organization. To synchronize from this organization, run Test & Enable and select \"Sync items with Exchange from this org only, even if Exchange was set to sync with a different org\"."
            ),
        })
    } else {
        None
    };

    let mut fields: Vec<(&'static str, V)> = Vec::new();
    let mut any_fail = false;
    let mut any_ok = false;
    for (tested, status, enabled, failure) in [
        (test_in, "incomingemailstatus", "enabledforincomingemail", common.clone()),
        (test_out, "outgoingemailstatus", "enabledforoutgoingemail", common.clone()),
        (test_act, "actstatus", "enabledforact", common.clone().or(act_failure.clone())),
    ] {
        if !tested {
            continue;
        }
        let ok = failure.is_none();
        any_fail |= !ok;
        any_ok |= ok;
        fields.push((status, V::Int(if ok { 1 } else { 2 })));
        fields.push((enabled, V::Bool(ok)));
    }
    let overall = if any_fail {
        2
    } else if any_ok {
        1
    } else {
        0
    };
    fields.extend([
        ("mailboxstatus", V::Int(overall)),
        ("testmailboxaccesscompletedon", V::Time(now)),
        ("testemailconfigurationscheduled", V::Bool(false)),
        ("testemailconfigurationretrycount", V::Int(0)),
        ("processinglastattemptedon", V::Time(now)),
    ]);
    if any_ok && !any_fail {
        fields.push(("lastsuccessfulsynccompletedon", V::Time(now)));
    }
    org.update("mailbox", id, fields, now);
    org.scheduled.remove(&id);
    let failure_text = common.as_ref().or(act_failure.as_ref()).map(|f| f.text.clone());
    close_job(org, id, failure_text.is_none(), failure_text.as_deref(), now);

    if let Some(f) = common.or(act_failure) {
        if orgrow.bool("generatealertsforerrors") {
            write_alert(org, id, 3, f.code, false, f.text, now);
        }
    } else if any_ok && orgrow.bool("generatealertsforinformation") {
        write_alert(
            org,
            id,
            1,
            41,
            true,
            format!(
                "The mailbox {name} has been tested and enabled successfully for synchronizing email, appointments, contacts, and tasks."
            ),
            now,
        );
    }
}

/// Writes an alert, merging repeats of the same code on the same mailbox (TRC: repeats update `modifiedon`).
pub(crate) fn write_alert(
    org: &mut Org,
    mailbox: Guid,
    level: i64,
    code: i64,
    ok: bool,
    text: String,
    now: i64,
) {
    // Repeats of the same alert on the same record are merged (TRC); the index keeps this O(1).
    let existing =
        org.alert_index.get(&(mailbox, code)).copied().filter(|t| org.row("tracelog", *t).is_some());
    if let Some(tid) = existing {
        org.update("tracelog", tid, vec![("text", V::Str(text)), ("level", V::Int(level))], now);
        return;
    }
    let Some(def) = crate::schema::by_logical("tracelog") else {
        return;
    };
    let tid = org.rng.guid();
    org.insert(
        def,
        tid,
        vec![
            ("level", V::Int(level)),
            ("text", V::Str(text)),
            ("regardingobjectid", V::lookup("mailbox", mailbox)),
            ("regardingobjecttypecode", V::str("mailbox")),
            ("tracecode", V::Int(code)),
            ("tracestatus", V::Bool(ok)),
            ("errordetails", V::Null),
            ("errortypedisplay", V::Null),
            ("machinename", V::str("SSS-WORKER-01")),
            ("isunique", V::Bool(false)),
            ("canbedeleted", V::Bool(true)),
        ],
        now,
    );
    org.alert_index.insert((mailbox, code), tid);
}
