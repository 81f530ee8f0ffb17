//! The health view's numbers and SVG geometry (issue 17).

use syncready::state::health::{
    PLOT_HEIGHT, PLOT_WIDTH, TOP_BAR_MAX, columns, model, short_name, stacks, top_bars,
};
use syncready_core::collect::Snapshot;
use syncready_core::health::{AlertTimeline, MailboxFailures, Monitoring};
use syncready_core::json::FromJson;
use syncready_core::model::{Mailbox, Timestamp};
use syncready_core::wire;

const NOW: Timestamp = Timestamp(1_795_694_400);

fn mailbox(i: usize) -> Mailbox {
    Mailbox::from(
        wire::Mailbox::from_json(&serde_json::json!({
            "mailboxid": format!("m{i}"), "name": format!("User {i}"),
            "_regardingobjectid_value": format!("u{i}"),
            "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
            "statecode": 0, "mailboxstatus": 1, "incomingemailstatus": 1, "outgoingemailstatus": 1, "actstatus": 1
        }))
        .unwrap(),
    )
}

fn org(n: usize, ago: impl Fn(usize) -> i64) -> Snapshot {
    Snapshot {
        mailboxes: Some((0..n).map(mailbox).collect()),
        monitoring: Some(
            (0..n)
                .map(|i| Monitoring {
                    mailbox_id: format!("m{i}"),
                    last_success: Some(Timestamp(NOW.0 - ago(i))),
                    ..Monitoring::default()
                })
                .collect(),
        ),
        item_failures: Some(Vec::new()),
        ..Snapshot::default()
    }
}

#[test]
fn without_the_monitoring_columns_there_is_no_model() {
    assert_eq!(model(&Snapshot::default(), NOW, 3600), None);
}

#[test]
fn the_threshold_moves_mailboxes_between_normal_and_delayed() {
    let snap = org(4, |i| i as i64 * 3600 + 60);
    let count = |t: i64, key: &str| {
        model(&snap, NOW, t).unwrap().states.iter().find(|(s, _)| s.key() == key).map(|(_, n)| *n).unwrap()
    };
    assert_eq!((count(3600, "normal"), count(3600, "delayed")), (1, 3));
    assert_eq!((count(4 * 3600, "normal"), count(4 * 3600, "delayed")), (4, 0));
}

#[test]
fn columns_fit_the_plot_and_are_proportional_with_a_visible_minimum() {
    let r = columns(&[0, 1, 1000, 500]);
    assert_eq!(r.len(), 4);
    assert_eq!((r[0].h, r[1].h, r[2].h, r[3].h), (0, 1, PLOT_HEIGHT, PLOT_HEIGHT / 2));
    assert!(r.iter().all(|b| b.x + b.w <= PLOT_WIDTH && b.y + b.h == PLOT_HEIGHT));
    assert!(r.windows(2).all(|w| w[0].x + w[0].w <= w[1].x));
    assert_eq!(columns(&[]).len(), 0);
    assert!(columns(&[0, 0]).iter().all(|b| b.h == 0));
}

#[test]
fn plots_are_built_for_zero_one_and_fifty_thousand_mailboxes() {
    for n in [0, 1, 50_000] {
        let m = model(&org(n, |i| (i as i64 * 37) % (9 * 86_400)), NOW, 3600).unwrap();
        assert_eq!(m.live, n);
        assert_eq!(m.histogram.iter().map(|b| b.mailboxes).sum::<usize>(), n);
        let bars = columns(&m.histogram.iter().map(|b| b.mailboxes).collect::<Vec<_>>());
        assert_eq!(bars.len(), 7);
        assert!(bars.iter().all(|b| b.h <= PLOT_HEIGHT));
        assert_eq!(m.timeline.days.len(), 30);
    }
}

#[test]
fn stacked_days_never_overflow_the_plot() {
    let t = AlertTimeline {
        days: (0..3).map(|d| Timestamp(d * 86_400)).collect(),
        causes: vec!["a".into(), "b".into()],
        counts: vec![vec![3, 1], vec![0, 0], vec![1, 1]],
    };
    let s = stacks(&t);
    assert_eq!(s.len(), 3);
    assert_eq!(s[0].iter().map(|(_, r)| r.h).sum::<u32>(), PLOT_HEIGHT);
    assert!(s[1].is_empty());
    assert!(s.iter().flatten().all(|(_, r)| r.y + r.h <= PLOT_HEIGHT));
}

#[test]
fn top_bars_scale_to_the_largest_and_long_names_are_cut_on_characters() {
    let top = vec![
        MailboxFailures { id: "a".into(), name: "A".into(), items: 10 },
        MailboxFailures { id: "b".into(), name: "B".into(), items: 5 },
    ];
    let bars = top_bars(&top);
    assert_eq!((bars[0].w, bars[1].w), (TOP_BAR_MAX, TOP_BAR_MAX / 2));
    assert!(bars[1].y > bars[0].y);
    assert_eq!(short_name("Zoë Ångström-Lindqvist Söderberg").chars().count(), 22);
    assert_eq!(short_name("Short"), "Short");
}
