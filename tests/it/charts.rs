use syncready::state::charts::{Slice, readiness, segments, test_outcomes};
use syncready_core::collect::Snapshot;
use syncready_core::json::FromJson;
use syncready_core::model::Mailbox;
use syncready_core::wire;

fn mailbox(profile: &str, approval: i32, incoming: i32, outgoing: i32) -> Mailbox {
    let w = wire::Mailbox::from_json(&serde_json::json!({
        "mailboxid": format!("m{approval}{incoming}{outgoing}{profile}"),
        "name": "x",
        "_emailserverprofile_value": profile,
        "_regardingobjectid_value": "u",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
        "statecode": 0,
        "incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2, "actdeliverymethod": 1,
        "emailrouteraccessapproval": approval,
        "incomingemailstatus": incoming, "outgoingemailstatus": outgoing, "actstatus": 0
    }))
    .unwrap();
    Mailbox::from(w)
}

fn queue() -> Mailbox {
    let w = wire::Mailbox::from_json(&serde_json::json!({
        "mailboxid": "q", "name": "Support", "_emailserverprofile_value": "exo",
        "_regardingobjectid_value": "q",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "queue",
        "statecode": 0, "incomingemaildeliverymethod": 2, "outgoingemaildeliverymethod": 2,
        "emailrouteraccessapproval": 1, "incomingemailstatus": 1, "outgoingemailstatus": 1, "actstatus": 0
    }))
    .unwrap();
    Mailbox::from(w)
}

fn values(slices: &[Slice]) -> Vec<(&'static str, usize)> {
    slices.iter().map(|s| (s.key, s.value)).collect()
}

#[test]
fn each_mailbox_is_counted_once_at_its_first_blocking_problem() {
    let snap = Snapshot {
        mailboxes: Some(vec![
            mailbox("exo", 1, 1, 1), // ready
            mailbox("exo", 1, 0, 0), // not tested
            mailbox("exo", 1, 2, 1), // failed
            mailbox("exo", 2, 2, 1), // unapproved wins over failed
            mailbox("pop", 1, 1, 1), // wrong profile
            queue(),                 // two directions only
        ]),
        ..Snapshot::default()
    };
    assert_eq!(
        values(&readiness(&snap, Some("exo"))),
        [("ready", 2), ("untested", 1), ("failed", 1), ("unapproved", 1), ("unconfigured", 1)]
    );
    assert_eq!(values(&test_outcomes(&snap)), [("ready", 8), ("failed", 2), ("untested", 7)]);
}

#[test]
fn donut_segments_cover_the_circle_in_order_with_integer_thousandths() {
    let s = |v| Slice { key: "k", label: "l", value: v };
    assert_eq!(segments(&[s(1), s(1), s(2)]), [(250, 0), (250, 250), (500, 500)]);
    assert_eq!(segments(&[s(0), s(0)]), [(0, 0), (0, 0)]);
}
