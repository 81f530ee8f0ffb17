//! The run state machine against a small fake org, with a virtual clock (plain `Millis` values).

use super::*;
use crate::bulk::Field;
use crate::bulk::plan::tests::{mailbox, snapshot};
use crate::bulk::{Action, MailboxFilter, Selection, plan};
use crate::model::{ApprovalState, MailboxKind, TestStatus};
use crate::odata::batch::{PartResponse, encode_response};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

/// What the fake does with the next batch.
#[derive(Debug, Clone)]
enum Script {
    /// 429 with this Retry-After (seconds); nothing runs.
    Throttle(u64),
    /// The envelope answers this status; nothing runs.
    Envelope(u16),
    /// Runs the batch, then the connection drops (no answer).
    DropAfterRun,
    /// The connection drops before the batch arrives.
    DropBeforeRun,
    /// Operation `n` (0-based) answers `status` with Dataverse `code` instead of running.
    FailOp(usize, u16, &'static str),
    /// Runs the batch, but writes to this record are silently reverted (read-back disagrees).
    Revert(String),
    /// 401: the session expired.
    Expired,
}

#[derive(Default)]
struct Fake {
    approval: HashMap<String, i64>,
    test_scheduled: HashMap<String, bool>,
    /// Test results appear when a poll comes at or after this time.
    test_done_at: HashMap<String, Millis>,
    test_fails: Vec<String>,
    script: VecDeque<Script>,
    patches: HashMap<String, u32>,
    log: Vec<String>,
}

fn ids_in(s: &str) -> Vec<String> {
    s.split('\'')
        .filter(|p| p.len() == 36 && p.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
        .map(str::to_owned)
        .collect()
}

fn json(status: u16, body: String) -> Response {
    Response { status, headers: vec![("Content-Type".into(), "application/json; odata.metadata=minimal".into())], body }
}

fn error(status: u16, code: &str) -> Response {
    json(status, format!(r#"{{"error":{{"code":"{code}","message":"refused by the fake"}}}}"#))
}

impl Fake {
    fn with(ids: &[String]) -> Fake {
        Fake { approval: ids.iter().map(|id| (id.clone(), 2)).collect(), ..Fake::default() }
    }

    fn row(&self, id: &str, now: Millis) -> serde_json::Value {
        let done = self.test_done_at.get(id).is_some_and(|t| now >= *t);
        let failed = self.test_fails.iter().any(|f| f == id);
        let status = if !done {
            0
        } else if failed {
            2
        } else {
            1
        };
        serde_json::json!({
            "mailboxid": id,
            "emailrouteraccessapproval": self.approval.get(id).copied().unwrap_or(0),
            "testemailconfigurationscheduled": self.test_scheduled.get(id).copied().unwrap_or(false) && !done,
            "incomingemailstatus": status,
            "outgoingemailstatus": status,
            "actstatus": status,
        })
    }

    fn answer(&mut self, now: Millis, request: &Request) -> Result<Response, TransportError> {
        let body = request.body.clone().unwrap_or_default();
        let lines: Vec<&str> = body.split("\r\n").collect();
        let mut ops = Vec::new();
        for (k, line) in lines.iter().enumerate() {
            if line.starts_with("PATCH ") || line.starts_with("GET ") {
                let json = lines[k..].iter().skip_while(|l| !l.is_empty()).nth(1).copied().unwrap_or("");
                ops.push((line.to_string(), json.to_string()));
            }
        }
        let script = self.script.pop_front();
        self.log.push(format!(
            "{} {}",
            ops.iter().map(|(l, _)| l.split(' ').next().unwrap_or("")).collect::<Vec<_>>().join(","),
            script.as_ref().map(|s| format!("{s:?}")).unwrap_or_default()
        ));
        match &script {
            Some(Script::Throttle(secs)) => {
                let mut r = error(429, "0x80072322");
                r.headers.push(("Retry-After".into(), secs.to_string()));
                return Ok(r);
            }
            Some(Script::Envelope(status)) => return Ok(error(*status, "0x80040216")),
            Some(Script::DropBeforeRun) => return Err(TransportError::Network("connection reset".into())),
            Some(Script::Expired) => return Ok(error(401, "0x80072182")),
            _ => {}
        }
        let mut parts = Vec::new();
        for (n, (line, json_body)) in ops.iter().enumerate() {
            if let Some(Script::FailOp(k, status, code)) = &script
                && *k == n
            {
                parts.push(vec![PartResponse { content_id: None, response: error(*status, code) }]);
                continue;
            }
            let id = ids_in(&line.replace(['(', ')'], "'"));
            let response = if line.starts_with("PATCH ") {
                let id = id.first().cloned().unwrap_or_default();
                *self.patches.entry(id.clone()).or_default() += 1;
                let v: serde_json::Value = serde_json::from_str(json_body).unwrap();
                let reverted = matches!(&script, Some(Script::Revert(r)) if *r == id);
                if let Some(a) = v.get("emailrouteraccessapproval").and_then(|a| a.as_i64())
                    && !reverted
                {
                    self.approval.insert(id.clone(), a);
                }
                if v.get("testemailconfigurationscheduled").is_some() {
                    self.test_scheduled.insert(id.clone(), true);
                    self.test_done_at.entry(id.clone()).or_insert(now.plus(Duration::from_secs(90)));
                }
                Response { status: 204, headers: vec![], body: String::new() }
            } else {
                let rows: Vec<serde_json::Value> = ids_in(line).iter().map(|id| self.row(id, now)).collect();
                json(200, serde_json::json!({ "value": rows }).to_string())
            };
            parts.push(vec![PartResponse { content_id: None, response }]);
        }
        if let Some(Script::DropAfterRun) = script {
            return Err(TransportError::Network("connection reset after send".into()));
        }
        Ok(encode_response(1, &parts))
    }
}

fn ids(n: u32) -> Vec<String> {
    (1..=n).map(|i| format!("b0000000-0000-4000-8000-{i:012}")).collect()
}

fn approvals(n: u32) -> Plan {
    let mbx = (1..=n).map(|i| mailbox(i, MailboxKind::User, ApprovalState::Pending)).collect();
    plan(&snapshot(mbx), &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap()
}

fn config() -> RunConfig {
    RunConfig { batch_size: 10, max_in_flight: 1, ..RunConfig::default() }
}

/// Drives `run` against `fake` one request at a time; time jumps to `poll_timeout` when idle.
/// Returns the time at the end. Stops after `limit` requests.
fn drive(run: &mut Run, fake: &mut Fake, mut now: Millis, limit: usize) -> Millis {
    for _ in 0..limit {
        if let Some((id, request)) = run.poll_request(now) {
            let answer = fake.answer(now, &request);
            now = now.plus(Duration::from_millis(100));
            run.handle_response(now, id, answer);
            continue;
        }
        if run.is_finished() {
            break;
        }
        match run.poll_timeout() {
            Some(t) => now = now.max(t),
            None => break,
        }
    }
    now
}

fn counts(run: &Run) -> String {
    let p = run.progress();
    format!(
        "pending {} sent {} unknown {} written {} testing {} succeeded {} failed {} skipped {} stuck {} | requests {} throttled {} retries {}",
        p.pending,
        p.sent,
        p.unknown,
        p.written,
        p.testing,
        p.succeeded,
        p.failed,
        p.skipped,
        p.stuck,
        p.requests,
        p.throttled,
        p.retries
    )
}

#[test]
fn every_write_is_verified_by_a_read_back_in_the_same_batch() {
    let mut run = Run::new(approvals(25), config());
    let mut fake = Fake::with(&ids(25));
    drive(&mut run, &mut fake, Millis(0), 100);
    assert_eq!(
        counts(&run),
        "pending 0 sent 0 unknown 0 written 0 testing 0 succeeded 25 failed 0 skipped 0 stuck 0 | requests 3 throttled 0 retries 0"
    );
    assert_eq!(
        fake.log,
        [
            "PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,GET ",
            "PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,PATCH,GET ",
            "PATCH,PATCH,PATCH,PATCH,PATCH,GET "
        ]
    );
    assert!(run.progress().items.iter().all(|i| i.observed == vec![(Field::Approval, Value::from(1))]));
    assert_eq!(run.journal().states, "S".repeat(25));
}

#[test]
fn a_429_is_waited_out_for_retry_after_with_one_batch_in_flight_and_never_fails_an_item() {
    let mut run = Run::new(approvals(30), RunConfig { max_in_flight: 3, ..config() });
    let mut fake = Fake::with(&ids(30));
    fake.script.push_back(Script::Throttle(7));
    let (id, request) = run.poll_request(Millis(0)).unwrap();
    let (id2, request2) = run.poll_request(Millis(0)).unwrap();
    let answer = fake.answer(Millis(0), &request);
    run.handle_response(Millis(100), id, answer);
    assert_eq!(run.poll_request(Millis(6_999)), None, "Retry-After is honoured: nothing new while throttled");
    assert_eq!(run.poll_timeout(), Some(Millis(7_100)));
    // Three were allowed and two were in flight when the 429 came: after the pause, two.
    assert!(run.poll_request(Millis(7_100)).is_some());
    assert_eq!(run.poll_request(Millis(7_100)), None, "one below the concurrency that hit the limit");
    assert_eq!(
        run.poll_timeout(),
        Some(Millis(0).plus(RunConfig::default().slow_after)),
        "a pause that is over is not reported again while waiting for answers (only the second request turning slow is)"
    );
    let answer2 = fake.answer(Millis(0), &request2);
    run.handle_response(Millis(7_200), id2, answer2);
    assert!(run.poll_request(Millis(7_200)).is_some(), "its place is taken again");
    assert_eq!(run.poll_request(Millis(7_200)), None, "answers to requests sent before the 429 do not widen it");
    run.cancel();
    let mut run = Run::new(approvals(30), RunConfig { max_in_flight: 3, ..config() });
    fake.script.push_back(Script::Throttle(7));
    drive(&mut run, &mut fake, Millis(10_000), 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed, p.throttled), (30, 0, 1));
    assert!(p.items.iter().all(|i| i.attempts == 1), "a throttled batch did not count as an attempt");
}

#[test]
fn a_5xx_envelope_is_ambiguous_so_the_items_are_read_back_before_they_are_resent() {
    let mut run = Run::new(approvals(5), config());
    let mut fake = Fake::with(&ids(5));
    fake.script.push_back(Script::Envelope(503));
    let (id, request) = run.poll_request(Millis(0)).unwrap();
    let answer = fake.answer(Millis(0), &request);
    run.handle_response(Millis(100), id, answer);
    assert_eq!(run.progress().unknown, 5);
    assert_eq!(run.poll_timeout(), Some(Millis(1_100)), "backoff of one second");
    assert_eq!(run.poll_request(Millis(500)), None);
    drive(&mut run, &mut fake, Millis(1_100), 100);
    assert_eq!(
        fake.log,
        ["PATCH,PATCH,PATCH,PATCH,PATCH,GET Envelope(503)", "GET ", "PATCH,PATCH,PATCH,PATCH,PATCH,GET "]
    );
    assert_eq!(run.progress().succeeded, 5);
}

#[test]
fn a_connection_dropped_after_the_writes_applied_is_settled_by_read_back_without_resending() {
    let mut run = Run::new(approvals(5), config());
    let mut fake = Fake::with(&ids(5));
    fake.script.push_back(Script::DropAfterRun);
    drive(&mut run, &mut fake, Millis(0), 100);
    assert_eq!(fake.log, ["PATCH,PATCH,PATCH,PATCH,PATCH,GET DropAfterRun", "GET "]);
    assert!(fake.patches.values().all(|n| *n == 1), "{:?}", fake.patches);
    assert_eq!(run.progress().succeeded, 5);
    assert_eq!(run.progress().retries, 1);
}

#[test]
fn a_connection_dropped_before_the_batch_arrived_leads_to_exactly_one_resend() {
    let mut run = Run::new(approvals(3), config());
    let mut fake = Fake::with(&ids(3));
    fake.script.push_back(Script::DropBeforeRun);
    drive(&mut run, &mut fake, Millis(0), 100);
    assert_eq!(fake.log, ["PATCH,PATCH,PATCH,GET DropBeforeRun", "GET ", "PATCH,PATCH,PATCH,GET "]);
    assert!(fake.patches.values().all(|n| *n == 1));
    assert_eq!(run.progress().succeeded, 3);
}

#[test]
fn one_failed_operation_is_that_items_failure_and_the_rest_of_the_batch_stands() {
    let mut run = Run::new(approvals(4), config());
    let mut fake = Fake::with(&ids(4));
    fake.script.push_back(Script::FailOp(1, 412, "0x80060882"));
    drive(&mut run, &mut fake, Millis(0), 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed), (3, 1));
    let failed = &p.items[1];
    assert_eq!((failed.status, failed.code.as_deref()), (Some(412), Some("0x80060882")));
    assert_eq!(failed.message.as_ref().map(ToString::to_string).as_deref(), Some("refused by the fake"));
    assert_eq!(fake.log.len(), 1, "a definitive refusal is not retried");
}

#[test]
fn a_retriable_failure_inside_a_batch_is_retried_up_to_max_attempts() {
    let mut run = Run::new(approvals(2), RunConfig { max_attempts: 2, ..config() });
    let mut fake = Fake::with(&ids(2));
    fake.script.push_back(Script::FailOp(0, 503, "0x80040216"));
    fake.script.push_back(Script::FailOp(0, 503, "0x80040216"));
    drive(&mut run, &mut fake, Millis(0), 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed), (1, 1));
    assert_eq!((p.items[0].attempts, p.items[0].status), (2, Some(503)));
}

#[test]
fn a_crm_security_refusal_stops_further_approvals_and_says_who_can_approve() {
    let mut run = Run::new(approvals(25), config());
    let mut fake = Fake::with(&ids(25));
    fake.script.push_back(Script::FailOp(0, 403, "0x80040256"));
    drive(&mut run, &mut fake, Millis(0), 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed, p.skipped), (9, 1, 15));
    assert_eq!(fake.log.len(), 1, "no approvals are sent after the refusal");
    let why = p.approvals_stopped.unwrap().to_string();
    assert!(why.contains("Global Administrator") && why.contains("Delegated Mailbox Approver"), "{why}");
    assert!(
        p.items[24]
            .message
            .as_ref()
            .map(ToString::to_string)
            .as_deref()
            .unwrap_or("")
            .starts_with("not sent: An approval was refused")
    );
}

#[test]
fn a_write_the_service_accepted_but_the_read_back_contradicts_fails_and_is_not_resent() {
    let mut run = Run::new(approvals(2), config());
    let mut fake = Fake::with(&ids(2));
    fake.script.push_back(Script::Revert(ids(1)[0].clone()));
    drive(&mut run, &mut fake, Millis(0), 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed), (1, 1));
    assert_eq!(
        p.items[0].message.as_ref().map(ToString::to_string).as_deref(),
        Some(
            "the service accepted the change but read back emailrouteraccessapproval = Pending Approval, expected Approved"
        )
    );
    assert_eq!(fake.patches[&ids(1)[0]], 1);
}

#[test]
fn cancel_skips_what_was_not_sent_and_leaves_in_flight_items_unknown() {
    let mut run = Run::new(approvals(25), config());
    let (_id, _request) = run.poll_request(Millis(0)).unwrap();
    run.cancel();
    assert_eq!(run.poll_request(Millis(0)), None);
    assert!(run.is_finished());
    assert_eq!(
        counts(&run),
        "pending 0 sent 0 unknown 10 written 0 testing 0 succeeded 0 failed 0 skipped 15 stuck 0 | requests 1 throttled 0 retries 0"
    );
    assert_eq!(run.journal().states, format!("{}{}", "U".repeat(10), "K".repeat(15)));
}

#[test]
fn a_run_resumed_from_its_journal_reads_back_unknown_items_and_never_repeats_applied_writes() {
    let plan = approvals(25);
    let mut run = Run::new(plan.clone(), config());
    let mut fake = Fake::with(&ids(25));
    fake.script.push_back(Script::Envelope(200)); // placeholder, replaced below
    fake.script.clear();
    // First batch verified, second applied but its answer lost, then the page closes.
    drive(&mut run, &mut fake, Millis(0), 1);
    fake.script.push_back(Script::DropAfterRun);
    let (id, request) = run.poll_request(Millis(1_000)).unwrap();
    let answer = fake.answer(Millis(1_000), &request);
    run.handle_response(Millis(1_100), id, answer);
    let journal = run.journal();
    assert_eq!(journal.states, format!("{}{}{}", "S".repeat(10), "U".repeat(10), "P".repeat(5)));
    // The page closes: the run is saved (format 2) and read back.
    let saved = crate::bulk::SavedRun {
        org: "https://contoso.crm.dynamics.com".into(),
        plan: plan.clone(),
        journal,
        config: config(),
    }
    .to_json();
    let text = saved["journal"].to_string();
    assert!(text.len() < 200, "the journal is compact: {text}");
    let journal: Journal = crate::json::decode::<crate::bulk::SavedRun>(&saved.to_string()).unwrap().journal;
    let mut resumed = Run::resume(plan, &journal, config()).unwrap();
    drive(&mut resumed, &mut fake, Millis(10_000), 100);
    assert_eq!(resumed.progress().succeeded, 25);
    assert!(fake.patches.values().all(|n| *n == 1), "{:?}", fake.patches);
    assert_eq!(fake.log[2..], ["GET ".to_owned(), "PATCH,PATCH,PATCH,PATCH,PATCH,GET ".to_owned()]);
}

#[test]
fn a_journal_for_another_plan_is_refused() {
    let journal = Run::new(approvals(3), config()).journal();
    assert_eq!(Run::resume(approvals(4), &journal, config()).err(), Some(ResumeError::PlanMismatch));
}

#[test]
fn session_expiry_pauses_the_run_until_the_session_is_renewed() {
    let mut run = Run::new(approvals(15), config());
    let mut fake = Fake::with(&ids(15));
    drive(&mut run, &mut fake, Millis(0), 1);
    fake.script.push_back(Script::Expired);
    drive(&mut run, &mut fake, Millis(1_000), 100);
    assert_eq!(run.halt(), Some(&Halt::SessionExpired { status: 401 }));
    assert_eq!(run.poll_request(Millis(2_000)), None);
    assert_eq!(run.progress().pending, 5);
    run.session_renewed();
    drive(&mut run, &mut fake, Millis(3_000), 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.halt), (15, None));
    assert!(p.items.iter().all(|i| i.attempts == 1));
}

fn test_and_enable(n: u32) -> Plan {
    let mbx = (1..=n).map(|i| mailbox(i, MailboxKind::User, ApprovalState::Approved)).collect();
    let action = Action::TestAndEnable { this_org_only: false, process_email_after: None };
    plan(&snapshot(mbx), &Selection::Matching(MailboxFilter::default()), &action).unwrap()
}

#[test]
fn test_and_enable_is_tracked_until_each_direction_has_a_result() {
    let mut run = Run::new(test_and_enable(3), config());
    let mut fake = Fake::with(&ids(3));
    fake.test_fails.push(ids(3)[2].clone());
    let end = drive(&mut run, &mut fake, Millis(0), 100);
    let p = run.progress();
    assert_eq!((p.succeeded, p.failed), (2, 1));
    assert_eq!(
        p.items[2].message.as_ref().map(ToString::to_string).as_deref(),
        Some("Test & Enable failed for incoming email, outgoing email, appointments, contacts and tasks")
    );
    let report = p.items[0].test.clone().unwrap();
    assert_eq!((report.incoming, report.scheduled), (Some(TestStatus::Success), false));
    assert!(end >= Millis(90_000), "polled until the results came: {end:?}");
    assert!(p.items.iter().all(|i| i.applied));
}

#[test]
fn a_test_that_never_finishes_is_declared_stuck_after_the_configured_time() {
    let config = RunConfig { stuck_after: Duration::from_secs(60), stuck_watch: Duration::ZERO, ..config() };
    let mut run = Run::new(test_and_enable(2), config);
    let mut fake = Fake::with(&ids(2));
    fake.test_done_at.insert(ids(2)[0].clone(), Millis(u64::MAX));
    fake.test_done_at.insert(ids(2)[1].clone(), Millis(u64::MAX));
    let end = drive(&mut run, &mut fake, Millis(0), 100);
    let p = run.progress();
    assert_eq!(p.stuck, 2);
    assert_eq!(
        p.items[0].message.as_ref().map(ToString::to_string).as_deref(),
        Some("Test & Enable had not finished after 1 minute")
    );
    assert!(end >= Millis(60_000) && end < Millis(70_000), "{end:?}");
}

mod field;
mod pacing;
mod timers;

#[test]
fn issue_19_every_written_column_is_read_back_and_selected_by_the_collector_under_one_name() {
    use crate::bulk::Entity;
    let fields = [
        (Field::Approval, Entity::Mailbox),
        (Field::Profile, Entity::Mailbox),
        (Field::IncomingMethod, Entity::Mailbox),
        (Field::OutgoingMethod, Entity::Mailbox),
        (Field::ActMethod, Entity::Mailbox),
        (Field::TestScheduled, Entity::Mailbox),
        (Field::OrgMarkedPrimary, Entity::Mailbox),
        (Field::ProcessEmailAfter, Entity::Mailbox),
        (Field::DefaultProfile, Entity::Organization),
        (Field::DefaultEmailSettings, Entity::Organization),
        (Field::ConnectionChannel, Entity::Organization),
        (Field::RequireApprovalUsers, Entity::Organization),
        (Field::RequireApprovalQueues, Entity::Organization),
        (Field::ProfileState, Entity::Profile),
    ];
    for (field, entity) in fields {
        let (read_back, selected) = match entity {
            Entity::Mailbox => (batches::MAILBOX_READ, crate::wire::MAILBOX_COLUMNS),
            Entity::Organization => (batches::ORG_READ, crate::wire::ORGANIZATION_COLUMNS),
            Entity::Profile => (batches::PROFILE_READ, crate::wire::PROFILE_COLUMNS),
        };
        let column = field.read_column();
        assert!(read_back.contains(&column), "{field:?}: {column} is not read back");
        assert!(selected.contains(&column), "{field:?}: {column} is not in the snapshot");
        assert!(read_back.contains(&entity.key()) && selected.contains(&entity.key()), "{entity:?}");
    }
}
