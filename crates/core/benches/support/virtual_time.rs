//! A virtual-time executor shared by the benchmarks that drive the core against the in-process
//! simulator (`bulk_approve`, `tenant_read`): sleeps wait for virtual time, and `run` moves it to the
//! next deadline whenever the future waits for nothing else. Included with `#[path]` (benches are
//! separate crates).

use std::cell::{Cell, RefCell};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// A duration in whole milliseconds.
pub(crate) fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}

/// Virtual time in ms: sleeps wait for it, [`VirtualTime::advance`] moves it to the next deadline.
#[derive(Default)]
pub(crate) struct VirtualTime {
    /// Virtual now, in ms.
    pub(crate) now: Cell<u64>,
    ids: Cell<u64>,
    deadlines: RefCell<BinaryHeap<Reverse<(u64, u64)>>>,
    wakers: RefCell<HashMap<u64, Waker>>,
}

impl VirtualTime {
    pub(crate) fn sleep(&self, d: Duration) -> VirtualSleep<'_> {
        self.ids.set(self.ids.get() + 1);
        VirtualSleep { time: self, until: self.now.get() + ms(d), id: self.ids.get(), registered: false }
    }

    /// Moves time to the earliest deadline and wakes what waits for it; false when nothing waits.
    pub(crate) fn advance(&self) -> bool {
        let Some(Reverse((first, _))) = self.deadlines.borrow().peek().copied() else { return false };
        self.now.set(self.now.get().max(first));
        let mut due = Vec::new();
        {
            let mut deadlines = self.deadlines.borrow_mut();
            while let Some(Reverse((t, id))) = deadlines.peek().copied() {
                if t > self.now.get() {
                    break;
                }
                deadlines.pop();
                due.push(id);
            }
        }
        for id in due {
            if let Some(w) = self.wakers.borrow_mut().remove(&id) {
                w.wake();
            }
        }
        true
    }

    /// Runs `fut`, moving time on whenever it waits for nothing but virtual sleeps (the sim in
    /// virtual mode answers without waiting for anything else).
    pub(crate) async fn run<F: Future>(&self, fut: F) -> F::Output {
        let mut fut = pin!(fut);
        poll_fn(|cx| {
            loop {
                if let Poll::Ready(out) = fut.as_mut().poll(cx) {
                    return Poll::Ready(out);
                }
                if !self.advance() {
                    return Poll::Pending;
                }
            }
        })
        .await
    }
}

pub(crate) struct VirtualSleep<'a> {
    time: &'a VirtualTime,
    until: u64,
    id: u64,
    registered: bool,
}

impl Future for VirtualSleep<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.time.now.get() >= this.until {
            return Poll::Ready(());
        }
        if !this.registered {
            this.time.deadlines.borrow_mut().push(Reverse((this.until, this.id)));
            this.registered = true;
        }
        this.time.wakers.borrow_mut().insert(this.id, cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for VirtualSleep<'_> {
    fn drop(&mut self) {
        self.time.wakers.borrow_mut().remove(&self.id);
    }
}
