//! Where every planned item stands: its outcome, plus what the run needs to schedule it.
//!
//! Every change to an item goes through [`Slots::update`], which keeps a census (items per state, items
//! free to be polled, items watched, alerts wanted) and the items' deadlines up to date. The run asks
//! the census instead of looking at every item: `poll_timeout` and `is_finished` cost the same for ten
//! items and for fifty thousand.

use super::request_id::RequestId;
use super::timers::Deadlines;
use crate::bulk::millis::Millis;
use crate::bulk::note::Note;
use crate::bulk::progress::{ItemOutcome, ItemState};
use std::time::Duration;

/// One planned item as the run tracks it.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    /// What is reported.
    pub(super) outcome: ItemOutcome,
    /// The request the item is in (a write or a read-back), if any.
    pub(super) in_request: Option<RequestId>,
    /// When tracking of its Test & Enable started.
    pub(super) testing_since: Option<Millis>,
    /// Its latest alert is to be read (a failed or stuck test).
    pub(super) want_alert: bool,
    /// Failed read-backs so far.
    pub(super) read_failures: u32,
    /// While a stuck item is still watched: until when.
    pub(super) watch_until: Option<Millis>,
}

impl Slot {
    /// A pending item.
    pub(super) fn new(outcome: ItemOutcome) -> Slot {
        Slot { outcome, in_request: None, testing_since: None, want_alert: false, read_failures: 0, watch_until: None }
    }

    /// Not in any request.
    pub(super) fn is_free(&self) -> bool {
        self.in_request.is_none()
    }

    /// The item's deadline: when its test is declared stuck, or when a stuck item stops being watched.
    fn deadline(&self, stuck_after: Duration) -> Option<Millis> {
        match self.outcome.state {
            ItemState::Testing => self.testing_since.map(|since| since.plus(stuck_after)),
            ItemState::Stuck => self.watch_until,
            _ => None,
        }
    }
}

/// Counts the run reads instead of looking at every item.
#[derive(Debug, Clone, Copy, Default)]
struct Census {
    /// Items per [`ItemState`] (in declaration order).
    states: [usize; 9],
    /// Testing items not in a request.
    testing_free: usize,
    /// Testing items whose tracking has no start yet (from a journal that did not say).
    unstamped: usize,
    /// Items still watched after they were declared stuck.
    watching: usize,
    /// Stuck items still watched and not in a request.
    watched_free: usize,
    /// Items whose alert is to be read.
    want_alert: usize,
}

fn state_index(state: ItemState) -> usize {
    match state {
        ItemState::Pending => 0,
        ItemState::Sent => 1,
        ItemState::Unknown => 2,
        ItemState::Written => 3,
        ItemState::Testing => 4,
        ItemState::Succeeded => 5,
        ItemState::Failed => 6,
        ItemState::Skipped => 7,
        ItemState::Stuck => 8,
    }
}

impl Census {
    /// Adds (`add`) or removes `slot`'s contribution.
    fn count(&mut self, slot: &Slot, add: bool) {
        let state = slot.outcome.state;
        let testing = state == ItemState::Testing;
        let watched = state == ItemState::Stuck && slot.watch_until.is_some();
        let counters = [
            (&mut self.states[state_index(state)], true),
            (&mut self.testing_free, testing && slot.is_free()),
            (&mut self.unstamped, testing && slot.testing_since.is_none()),
            (&mut self.watching, slot.watch_until.is_some()),
            (&mut self.watched_free, watched && slot.is_free()),
            (&mut self.want_alert, slot.want_alert),
        ];
        for (counter, applies) in counters {
            if applies {
                *counter = if add { *counter + 1 } else { counter.saturating_sub(1) };
            }
        }
    }
}

/// Every item of the run, by plan index.
#[derive(Debug, Clone)]
pub(super) struct Slots {
    slots: Vec<Slot>,
    census: Census,
    deadlines: Deadlines,
    /// [`RunConfig::stuck_after`](super::config::RunConfig::stuck_after), for the deadlines.
    stuck_after: Duration,
}

impl Slots {
    /// Items with these outcomes.
    pub(super) fn new(outcomes: impl IntoIterator<Item = ItemOutcome>, stuck_after: Duration) -> Slots {
        let slots: Vec<Slot> = outcomes.into_iter().map(Slot::new).collect();
        let mut census = Census::default();
        for slot in &slots {
            census.count(slot, true);
        }
        Slots { slots, census, deadlines: Deadlines::default(), stuck_after }
    }

    /// Number of items.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Item `i`.
    pub(super) fn get(&self, i: usize) -> Option<&Slot> {
        self.slots.get(i)
    }

    /// Every item, in plan order.
    pub(super) fn iter(&self) -> std::slice::Iter<'_, Slot> {
        self.slots.iter()
    }

    /// Item `i`'s state.
    pub(super) fn state(&self, i: usize) -> Option<ItemState> {
        self.slots.get(i).map(|s| s.outcome.state)
    }

    /// True when item `i` exists and is in no request.
    pub(super) fn is_free(&self, i: usize) -> bool {
        self.slots.get(i).is_some_and(Slot::is_free)
    }

    /// Changes item `i` with `change`, keeping the census and the deadlines. `None` when there is no
    /// item `i`.
    pub(super) fn update<R>(&mut self, i: usize, change: impl FnOnce(&mut Slot) -> R) -> Option<R> {
        self.change(i, false, change)
    }

    /// Changes item `i`, which [`Slots::due`] returned (its deadline entry is gone), with `change`.
    pub(super) fn update_due<R>(&mut self, i: usize, change: impl FnOnce(&mut Slot) -> R) -> Option<R> {
        self.change(i, true, change)
    }

    fn change<R>(&mut self, i: usize, due: bool, change: impl FnOnce(&mut Slot) -> R) -> Option<R> {
        let slot = self.slots.get_mut(i)?;
        let before = if due { None } else { slot.deadline(self.stuck_after) };
        self.census.count(slot, false);
        let result = change(slot);
        self.census.count(slot, true);
        let after = slot.deadline(self.stuck_after);
        if after != before
            && let Some(at) = after
        {
            self.deadlines.push(at, i);
        }
        self.drop_stale();
        Some(result)
    }

    /// Sets item `i`'s state.
    pub(super) fn set_state(&mut self, i: usize, state: ItemState) {
        self.update(i, |s| s.outcome.state = state);
    }

    /// Items in `state`.
    pub(super) fn count(&self, state: ItemState) -> usize {
        self.census.states[state_index(state)]
    }

    /// Testing items not in a request.
    pub(super) fn testing_free(&self) -> usize {
        self.census.testing_free
    }

    /// Testing items whose tracking has no start yet.
    pub(super) fn unstamped(&self) -> usize {
        self.census.unstamped
    }

    /// Items still watched after they were declared stuck.
    pub(super) fn watching(&self) -> usize {
        self.census.watching
    }

    /// Stuck items still watched and not in a request.
    pub(super) fn watched_free(&self) -> usize {
        self.census.watched_free
    }

    /// Items whose alert is to be read.
    pub(super) fn want_alert(&self) -> usize {
        self.census.want_alert
    }

    /// Items not final yet.
    pub(super) fn unfinished(&self) -> usize {
        let finals = [ItemState::Succeeded, ItemState::Failed, ItemState::Skipped, ItemState::Stuck];
        self.len() - finals.iter().map(|s| self.count(*s)).sum::<usize>()
    }

    /// The earliest item deadline.
    pub(super) fn next_deadline(&self) -> Option<Millis> {
        self.deadlines.peek().map(|(at, _)| at)
    }

    /// The items whose deadline has come at `now`, in plan order, each once. Their deadline entries
    /// are removed: change each with [`Slots::update_due`].
    pub(super) fn due(&mut self, now: Millis) -> Vec<usize> {
        let mut due = Vec::new();
        while let Some((at, i)) = self.deadlines.peek()
            && at <= now
        {
            self.deadlines.pop();
            if self.is_current(at, i) {
                due.push(i);
            }
        }
        self.drop_stale();
        due.sort_unstable();
        due.dedup();
        due
    }

    fn is_current(&self, at: Millis, i: usize) -> bool {
        self.slots.get(i).and_then(|s| s.deadline(self.stuck_after)) == Some(at)
    }

    /// Removes stale entries from the front of the deadlines, so that the front one is current.
    fn drop_stale(&mut self) {
        while let Some((at, i)) = self.deadlines.peek() {
            if self.is_current(at, i) {
                break;
            }
            self.deadlines.pop();
        }
    }

    /// Test & Enable tracking at `now`: testing items without a start start now, tests whose deadline
    /// came are declared stuck (and watched for `stuck_watch` more), and watches that ended stop.
    /// True when an item was declared stuck.
    pub(super) fn tick(&mut self, now: Millis, stuck_watch: Duration) -> bool {
        if self.unstamped() > 0 {
            // Testing items a journal gave no start: tracking starts now.
            for i in 0..self.len() {
                self.update(i, |s| {
                    if s.outcome.state == ItemState::Testing && s.testing_since.is_none() {
                        s.testing_since = Some(now);
                    }
                });
            }
        }
        let stuck_after = self.stuck_after;
        let mut newly_stuck = false;
        for i in self.due(now) {
            newly_stuck |= self.update_due(i, |s| {
                if s.outcome.state == ItemState::Stuck && s.watch_until.is_some_and(|w| now >= w) {
                    s.watch_until = None;
                }
                let since = match (s.outcome.state, s.testing_since) {
                    (ItemState::Testing, Some(since)) => since,
                    _ => return false,
                };
                if now.since(since) < stuck_after {
                    return false;
                }
                s.outcome.state = ItemState::Stuck;
                s.outcome.message = Some(Note::Stuck { minutes: stuck_after.as_secs() / 60 });
                s.want_alert = true;
                // Still watched, at a slower pace: a late result replaces "stuck".
                s.watch_until = Some(now.plus(stuck_watch));
                true
            }) == Some(true);
        }
        newly_stuck
    }
}

#[cfg(test)]
mod tests;
