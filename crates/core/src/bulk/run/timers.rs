//! The run's timers, in the manner of quinn-proto's `TimerTable`: one entry per run-wide timer, and a
//! queue of per-item deadlines (when a test is declared stuck, when a stuck mailbox stops being
//! watched). [`Run::poll_timeout`](crate::bulk::Run::poll_timeout) reads the earliest of each without
//! looking at every item, and [`Run::handle_timeout`](crate::bulk::Run::handle_timeout) acts on what
//! is due.

use crate::bulk::millis::Millis;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A run-wide timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Timer {
    /// Nothing new is sent before it: a `Retry-After`, or a backoff after a failure.
    Pause = 0,
    /// The ledger of the service protection limits lets the next request go.
    Budget = 1,
    /// The next Test & Enable poll is due.
    Poll = 2,
    /// The next slow look at stuck mailboxes still watched is due.
    StuckPoll = 3,
}

impl Timer {
    const COUNT: usize = 4;
}

/// When each run-wide [`Timer`] expires, if it is set.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TimerTable {
    data: [Option<Millis>; Timer::COUNT],
}

impl TimerTable {
    /// When `timer` expires, if it is set.
    pub(super) fn get(&self, timer: Timer) -> Option<Millis> {
        self.data[timer as usize]
    }

    /// Sets `timer` to expire at `at`.
    pub(super) fn set(&mut self, timer: Timer, at: Millis) {
        self.data[timer as usize] = Some(at);
    }

    /// Sets `timer` to expire at `at`, unless it is set to expire later.
    pub(super) fn extend(&mut self, timer: Timer, at: Millis) {
        let slot = &mut self.data[timer as usize];
        *slot = Some(slot.map_or(at, |t| t.max(at)));
    }

    /// Unsets `timer`.
    pub(super) fn stop(&mut self, timer: Timer) {
        self.data[timer as usize] = None;
    }

    /// True when `timer` is set and expired at `now`.
    pub(super) fn is_expired(&self, timer: Timer, now: Millis) -> bool {
        self.get(timer).is_some_and(|t| now >= t)
    }

    /// True when `timer` is unset or expired at `now` (what is waited for is due).
    pub(super) fn is_due(&self, timer: Timer, now: Millis) -> bool {
        self.get(timer).is_none_or(|t| now >= t)
    }
}

/// Per-item deadlines, earliest first. An entry may be stale (its item has moved on); the owner
/// ([`Slots`](super::slots::Slots)) removes stale entries from the front after every change, so the
/// front entry is always current.
#[derive(Debug, Clone, Default)]
pub(super) struct Deadlines {
    heap: BinaryHeap<Reverse<(Millis, usize)>>,
}

impl Deadlines {
    /// Item `item` has a deadline at `at`.
    pub(super) fn push(&mut self, at: Millis, item: usize) {
        self.heap.push(Reverse((at, item)));
    }

    /// The earliest entry.
    pub(super) fn peek(&self) -> Option<(Millis, usize)> {
        self.heap.peek().map(|Reverse(entry)| *entry)
    }

    /// Removes the earliest entry.
    pub(super) fn pop(&mut self) -> Option<(Millis, usize)> {
        self.heap.pop().map(|Reverse(entry)| entry)
    }
}
