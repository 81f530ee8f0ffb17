//! The generic async loop that runs a [`Run`] with any transport and clock.

use super::millis::Millis;
use super::progress::Progress;
use super::run::{RequestId, Run};
use crate::http::{DynTransport, Response, Transport, TransportError};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

/// Time for the driver: the browser's `performance.now()` + `setTimeout`, or a test's virtual clock.
pub trait Clock {
    /// Now, since the epoch the caller chose for the run.
    fn now(&self) -> Millis;
    /// Waits `d`.
    fn sleep(&self, d: Duration) -> impl Future<Output = ()>;
}

/// What the progress callback may ask for. A callback returning `()` means [`Control::Continue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// Keep going.
    #[default]
    Continue,
    /// Cancel: stop scheduling and abandon what is in flight.
    Cancel,
}

impl From<()> for Control {
    fn from((): ()) -> Self {
        Control::Continue
    }
}

/// How a driven run ended: the run itself (for evidence, the journal, or resuming after sign-in) and
/// its final progress.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The run, finished or halted.
    pub run: Run,
    /// Its progress at the end.
    pub progress: Progress,
}

type InFlight<'a> = Pin<Box<dyn Future<Output = (RequestId, Result<Response, TransportError>)> + 'a>>;

/// Runs `run` to its end (or until it halts: session expiry, cancel), with up to
/// [`RunConfig::max_in_flight`](super::RunConfig::max_in_flight) batches in flight. `on_progress` sees
/// every change; it returns `()` or a [`Control`].
pub async fn drive<R: Into<Control>>(
    run: Run,
    transport: &impl Transport,
    clock: &impl Clock,
    mut on_progress: impl FnMut(&Progress) -> R,
) -> RunOutcome {
    drive_with(run, transport, clock, |run: &Run| on_progress(&run.progress())).await
}

/// [`drive`], with the callback seeing the whole [`Run`] after every answer: the UI uses it to save
/// [`Run::journal`] as it goes, so a closed panel can resume without repeating applied writes.
pub async fn drive_with<R: Into<Control>>(
    run: Run,
    transport: &impl Transport,
    clock: &impl Clock,
    mut on_update: impl FnMut(&Run) -> R,
) -> RunOutcome {
    drive_loop(run, &DynTransport::new(transport), clock, &mut |run: &Run| on_update(run).into()).await
}

/// The loop of [`drive_with`], compiled once per clock: the panel's bulk runs and the tenant view's
/// fixes send through different transports and report to different callbacks.
async fn drive_loop(
    mut run: Run,
    transport: &DynTransport<'_>,
    clock: &impl Clock,
    on_update: &mut dyn FnMut(&Run) -> Control,
) -> RunOutcome {
    let mut in_flight: Vec<(RequestId, InFlight<'_>)> = Vec::new();
    loop {
        let now = clock.now();
        run.handle_timeout(now);
        while let Some((id, request)) = run.poll_request(now) {
            let send = transport.send(request);
            in_flight.push((id, Box::pin(async move { (id, send.await) })));
        }
        // Requests the run abandoned (past their deadline, or given up when it halted) are dropped,
        // which aborts them: a request the network swallowed never holds the run.
        let held = in_flight.len();
        in_flight.retain(|(id, _)| run.is_in_flight(*id));
        if in_flight.len() != held && on_update(&run) == Control::Cancel {
            run.cancel();
            in_flight.clear();
        }
        if run.is_finished() && (in_flight.is_empty() || run.halt() == Some(&super::Halt::Cancelled)) {
            break;
        }
        let timeout = run.poll_timeout().map(|t| t.since(now));
        if in_flight.is_empty() {
            match timeout {
                Some(d) => clock.sleep(d).await,
                // Nothing in flight, nothing timed, not finished: halted (e.g. session expired).
                None => break,
            }
            continue;
        }
        let mut sleep = timeout.map(|d| Box::pin(clock.sleep(d)));
        let done = poll_fn(|cx| {
            for (k, (_, f)) in in_flight.iter_mut().enumerate() {
                if let Poll::Ready(answer) = f.as_mut().poll(cx) {
                    return Poll::Ready(Some((k, answer)));
                }
            }
            match sleep.as_mut().map(|s| s.as_mut().poll(cx)) {
                Some(Poll::Ready(())) => Poll::Ready(None),
                _ => Poll::Pending,
            }
        })
        .await;
        match done {
            Some((k, (id, answer))) => {
                drop(in_flight.swap_remove(k));
                run.handle_response(clock.now(), id, answer);
            }
            // Woken by the clock: the callback hears of slow requests ("waiting since") too.
            None => run.handle_timeout(clock.now()),
        }
        if on_update(&run) == Control::Cancel {
            run.cancel();
            // Dropping the futures aborts the requests still in flight.
            in_flight.clear();
        }
    }
    on_update(&run);
    let progress = run.progress();
    RunOutcome { run, progress }
}
