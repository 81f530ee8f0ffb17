//! The health step (issue 17) against the simulator: mailboxes drifting over virtual time, and the
//! request budget of the health read for 50,000 mailboxes.

use crate::bulk_sim::SimTransport;
use dataverse_sim::{Scenario, Sim};
use std::time::Duration;
use syncready_core::collect::snapshot;
use syncready_core::health::{self, HealthState};
use syncready_core::http::Transport;
use syncready_core::model::Timestamp;
use syncready_core::readiness::{EvaluateOptions, Status, StepId, evaluate_with};

async fn states(t: &SimTransport) -> (Vec<(HealthState, usize)>, Status, usize, usize) {
    let (snap, errors) = snapshot(t).await;
    assert!(errors.is_empty(), "{errors:?}");
    let now = Timestamp::parse_iso8601(&t.sim.now()).unwrap();
    let all = health::assess(snap.mailboxes.as_deref().unwrap(), snap.monitoring.as_deref().unwrap(), now, 3600);
    let counts = health::state_counts(&all).into_iter().filter(|(_, n)| *n > 0).collect();
    let report = evaluate_with(&snap, &errors, &EvaluateOptions::at(now));
    let step = report.step(StepId::KeepSynchronising).unwrap().status.clone();
    let alerts = snap.alerts.as_ref().map_or(0, |a| a.alerts.len());
    (counts, step, snap.item_failures.unwrap().len(), alerts)
}

#[tokio::test]
async fn drifting_mailboxes_go_from_normal_to_delayed_to_failing_to_disabled_over_virtual_time() {
    let sim = Sim::builder().org("contoso", Scenario::drifting("Contoso", 3)).build();
    let t = SimTransport::new(&sim);
    let (counts, status, items, _) = states(&t).await;
    assert_eq!(counts, vec![(HealthState::Normal, 24)]);
    assert_eq!((status, items), (Status::Pass, 0));

    // Cycles keep running: an hour later the healthy ones synchronised within the last cycle; the
    // drifting ones stopped 30 minutes in and have no success for more than an hour at 1h35.
    sim.advance(Duration::from_secs(95 * 60));
    let (counts, status, _, _) = states(&t).await;
    assert_eq!(counts, vec![(HealthState::Normal, 21), (HealthState::Delayed, 3)]);
    assert_eq!(status, Status::Warn);

    // Failing from two hours in: errors, item failures and alerts appear.
    sim.advance(Duration::from_secs(40 * 60));
    let (counts, status, items, alerts) = states(&t).await;
    assert_eq!(counts, vec![(HealthState::Normal, 21), (HealthState::Failing, 3)]);
    assert_eq!(status, Status::Fail);
    assert!(items >= 3, "{items}");
    assert!(alerts >= 3, "{alerts}");

    // After a dozen failed cycles (with back-off) the service disables them.
    // (The simulator runs cycles when it is asked something; ask every half hour.)
    for _ in 0..40 {
        sim.advance(Duration::from_secs(30 * 60));
        t.send(syncready_core::http::Request::get("WhoAmI")).await.unwrap();
    }
    let (counts, _, _, _) = states(&t).await;
    assert_eq!(counts, vec![(HealthState::Normal, 21), (HealthState::DisabledSincePassed, 3)]);
}

#[tokio::test]
async fn the_health_read_of_50000_mailboxes_adds_one_column_set_and_one_paged_query_not_a_request_per_mailbox() {
    let sim = Sim::builder().org("contoso", Scenario::large("Big", 50_000)).build();
    let t = SimTransport::new(&sim);
    let (snap, errors) = snapshot(&t).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(snap.monitoring.as_ref().map(Vec::len), Some(50_000));
    let journal = sim.journal();
    let to = |set: &str| journal.iter().filter(|e| e.path.ends_with(set)).count();
    // 5,000 rows per page: ten mailbox pages, the same as without the health columns.
    assert_eq!(to("/mailboxes"), 10);
    let first = journal.iter().find(|e| e.path.ends_with("/mailboxes")).unwrap();
    for col in syncready_core::wire::MAILBOX_MONITORING_COLUMNS {
        assert!(first.query.contains(col), "{col} missing from {}", first.query);
    }
    assert_eq!(to("/exchangesyncidmappings"), 1);
    // Nothing is read per mailbox: every request but the alert chunks is one of a fixed set.
    let total = journal.len();
    let alerts = to("/tracelogs");
    assert!(alerts <= syncready_core::collect::MAX_ALERT_MAILBOXES / syncready_core::collect::ALERT_CHUNK + 1);
    assert!(total - alerts <= 20, "{total} requests");
}
