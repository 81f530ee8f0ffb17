use super::*;

const STATES: [ItemState; 9] = [
    ItemState::Pending,
    ItemState::Sent,
    ItemState::Unknown,
    ItemState::Written,
    ItemState::Testing,
    ItemState::Succeeded,
    ItemState::Failed,
    ItemState::Skipped,
    ItemState::Stuck,
];

fn outcome(i: usize) -> ItemOutcome {
    ItemOutcome {
        id: i.to_string(),
        name: i.to_string(),
        state: ItemState::Pending,
        attempts: 0,
        status: None,
        code: None,
        message: None,
        observed: Vec::new(),
        applied: false,
        test: None,
        o365_admin_approved: None,
    }
}

/// The census and the next deadline, counted again from every item.
fn recount(slots: &Slots) -> (Vec<usize>, [usize; 5], Option<Millis>) {
    let states = STATES.iter().map(|st| slots.iter().filter(|s| s.outcome.state == *st).count()).collect();
    let testing = |s: &&Slot| s.outcome.state == ItemState::Testing;
    let watched = |s: &&Slot| s.outcome.state == ItemState::Stuck && s.watch_until.is_some();
    let flags = [
        slots.iter().filter(testing).filter(|s| s.is_free()).count(),
        slots.iter().filter(testing).filter(|s| s.testing_since.is_none()).count(),
        slots.iter().filter(|s| s.watch_until.is_some()).count(),
        slots.iter().filter(watched).filter(|s| s.is_free()).count(),
        slots.iter().filter(|s| s.want_alert).count(),
    ];
    let next = slots.iter().filter_map(|s| s.deadline(slots.stuck_after)).min();
    (states, flags, next)
}

fn census(slots: &Slots) -> (Vec<usize>, [usize; 5], Option<Millis>) {
    let states = STATES.iter().map(|st| slots.count(*st)).collect();
    let flags = [slots.testing_free(), slots.unstamped(), slots.watching(), slots.watched_free(), slots.want_alert()];
    (states, flags, slots.next_deadline())
}

#[test]
fn the_census_and_the_next_deadline_always_agree_with_a_recount_of_every_item() {
    let mut slots = Slots::new((0..40).map(outcome), Duration::from_secs(60));
    // A fixed pseudo-random walk (an LCG): every kind of change, to random items, many times.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    for step in 0..5_000u64 {
        let i = usize::try_from(next(40)).unwrap();
        let pick = next(6);
        let value = next(9);
        let at = Millis(next(1_000) * 1_000);
        let now = Millis(step * 200);
        if pick == 5 {
            for due in slots.due(now) {
                slots.update_due(due, |s| {
                    s.watch_until = None;
                    s.outcome.state = ItemState::Failed;
                });
            }
        } else {
            slots.update(i, |s| match pick {
                0 => s.outcome.state = STATES[usize::try_from(value).unwrap()],
                1 => s.in_request = (value % 2 == 0).then_some(RequestId(value)),
                2 => s.testing_since = (value % 3 != 0).then_some(at),
                3 => s.watch_until = (value % 3 != 0).then_some(at),
                _ => s.want_alert = value % 2 == 0,
            });
        }
        assert_eq!(census(&slots), recount(&slots), "after step {step}");
    }
}
