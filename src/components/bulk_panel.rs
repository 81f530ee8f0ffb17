//! The bulk action flow: dry-run preview → confirm → progress with cancel → results with failures
//! explained → evidence export → undo; and resume of a run interrupted by an expired session or a
//! closed panel.

use crate::app::{Loaded, OrgProblem};
use crate::components::error_view::ErrorView;
use crate::components::on_click;
use crate::platform::{chrome, clock::BrowserClock, dom, transport::OrgTransport};
use crate::state::bulk::{BulkRequest, SavedRun, action_title, bar, saved_run_key};
use crate::state::field::{halt_text, resumable_in_place, waiting_for_dataverse};
use crate::state::settings::{SETTINGS_KEY, Settings};
use leptos::prelude::*;
use std::sync::Arc;
use syncready_core::bulk::{self, Control, Evidence, ItemState, Plan, Progress, Run};
use syncready_core::http::{Request, Transport};
use syncready_core::limits::Patient;

/// Where the flow is.
#[derive(Debug, Clone)]
enum Phase {
    Idle,
    Preview(Arc<Plan>),
    Running,
    Finished,
    Problem(String),
}

/// Minimum time between two progress repaints.
const REPAINT_MS: u64 = 150;
/// Minimum time between two saves of the run's journal.
const SAVE_MS: u64 = 2_000;

/// The bulk action panel.
#[component]
pub fn BulkPanel(
    /// The org read (the latest one): plans are made against its snapshot.
    context: RwSignal<Option<Result<Arc<Loaded>, OrgProblem>>>,
    /// Set by remedy buttons and the grid's "apply to all matching".
    request: RwSignal<Option<BulkRequest>>,
    /// Called after a run ends, to refresh the checklist.
    on_finished: Callback<()>,
) -> impl IntoView {
    let phase = RwSignal::new(Phase::Idle);
    let progress = RwSignal::new(None::<Progress>);
    let evidence = RwSignal::new(None::<Evidence>);
    let cancel = RwSignal::new(false);
    // After a session-expiry or unreachable halt: what the "I signed in again" check found.
    let recheck = RwSignal::new(None::<String>);
    let org = move || context.with_untracked(|c| shown(c).map(|d| d.org.clone()));
    // The interrupted run saved for the org shown: read again whenever the org's data changes (by
    // the effect below) and after a discard. A signal, not a resource: one resource type less.
    let saved = RwSignal::new(None::<SavedRun>);
    let read_saved = move || {
        let key = context.with_untracked(|c| shown(c).map(|d| saved_run_key(d.org.as_str())));
        leptos::task::spawn_local(async move {
            let run = match key {
                Some(key) => chrome::session_get_value::<SavedRun>(&key).await,
                None => None,
            };
            saved.try_set(run);
        });
    };

    // A new request is planned at once; nothing is sent before the admin confirms.
    Effect::new(move |_| {
        if let Some(req) = request.get() {
            evidence.set(None);
            progress.set(None);
            let planned = context
                .with_untracked(|c| shown(c).map(|d| bulk::plan(&d.snapshot, &req.selection, &req.action)));
            phase.set(match planned {
                Some(Ok(plan)) => Phase::Preview(Arc::new(plan)),
                Some(Err(e)) => Phase::Problem(e.to_string()),
                None => Phase::Problem("The org is still being read; try again in a moment.".to_owned()),
            });
        }
    });

    // A preview belongs to the org it was planned for: when the panel follows the admin to another
    // org, an unconfirmed preview is dropped (a running run keeps the org it started with).
    Effect::new(move |prev: Option<Option<String>>| {
        let current = context.with(|c| shown(c).map(|d| d.org.to_string()));
        read_saved();
        let before = prev.flatten();
        if let (Some(b), Some(c)) = (&before, &current)
            && b != c
            && matches!(phase.get_untracked(), Phase::Preview(_) | Phase::Problem(_))
        {
            phase.set(Phase::Idle);
        }
        // While the new org is being read the context is empty; remember the last org shown.
        current.or(before)
    });

    let start = {
        move |run: Run| {
            let Some(org) = org() else {
                phase.set(Phase::Problem("No org is open.".to_owned()));
                return;
            };
            cancel.set(false);
            phase.set(Phase::Running);
            leptos::task::spawn_local(async move {
                let session = OrgTransport::for_org(&org);
                // Its 429s go into the page's limits ledger, so the checklist's reads wait them out too.
                let transport =
                    Patient::runs(&session, &BrowserClock, crate::platform::transport::limits_ledger());
                let key = saved_run_key(org.as_str());
                let mut last_paint = 0_u64;
                let mut last_save = 0_u64;
                let outcome = bulk::drive_with(run, &transport, &BrowserClock, |run: &Run| {
                    let now = crate::platform::clock::now_ms();
                    let p = run.progress();
                    // A finished or halted run is settled after the loop; saving it here could land
                    // after that and resurrect a finished run.
                    let live = !p.is_done() && run.halt().is_none();
                    if now.saturating_sub(last_paint) >= REPAINT_MS || p.is_done() {
                        last_paint = now;
                        progress.set(Some(p));
                    }
                    // Keep a resumable copy in storage.session: if the panel is closed mid-run, a
                    // reopened panel resumes without repeating the writes already applied.
                    if live && now.saturating_sub(last_save) >= SAVE_MS {
                        last_save = now;
                        let saved = SavedRun::of(org.as_str(), run);
                        let key = key.clone();
                        leptos::task::spawn_local(async move {
                            chrome::session_set(&key, &saved).await;
                        });
                    }
                    if cancel.get_untracked() { Control::Cancel } else { Control::Continue }
                })
                .await;
                if outcome.progress.halt.as_ref().is_some_and(resumable_in_place) {
                    chrome::session_set(&key, &SavedRun::of(org.as_str(), &outcome.run)).await;
                } else {
                    chrome::session_remove(&key).await;
                }
                evidence.set(Some(outcome.run.evidence()));
                progress.set(Some(outcome.progress));
                phase.set(Phase::Finished);
                on_finished.run(());
            });
        }
    };

    let confirm = Callback::new(move |()| {
        if let Phase::Preview(plan) = phase.get_untracked() {
            leptos::task::spawn_local(async move {
                let settings: Settings = chrome::local_get_value(SETTINGS_KEY).await.unwrap_or_default();
                start(Run::new((*plan).clone(), settings.run_config()));
            });
        }
    });
    let resume = Callback::new(move |()| {
        let resumed =
            saved.with(|s| s.as_ref().map(|s| Run::resume(s.plan.clone(), &s.journal, s.config.clone())));
        match resumed {
            Some(Ok(run)) => start(run),
            Some(Err(e)) => phase.set(Phase::Problem(format!("The interrupted run cannot be resumed: {e}"))),
            None => {}
        }
    });
    // "I signed in again": WhoAmI answers with the session again, then the saved run resumes here.
    let signed_in_again = Callback::new(move |()| {
        let Some(org) = org() else { return };
        recheck.set(Some("Checking the Dynamics 365 session\u{2026}".to_owned()));
        leptos::task::spawn_local(async move {
            let answer = OrgTransport::for_org(&org).send(Request::get("WhoAmI")).await;
            let ok = answer.as_ref().is_ok_and(|r| {
                syncready_core::odata::check_response(r).is_ok()
                    && r.header("Content-Type").is_some_and(|t| t.contains("json"))
            });
            if !ok {
                recheck.try_set(Some(
                    "Still not signed in (or Dataverse is still unreachable): sign in again in the Dynamics tab, then try again."
                        .to_owned(),
                ));
                return;
            }
            recheck.try_set(None);
            let saved_run = chrome::session_get_value::<SavedRun>(&saved_run_key(org.as_str())).await;
            match saved_run.map(|s| Run::resume(s.plan, &s.journal, s.config)) {
                Some(Ok(run)) => start(run),
                Some(Err(e)) => {
                    phase.set(Phase::Problem(format!("The interrupted run cannot be resumed: {e}")))
                }
                None => phase
                    .set(Phase::Problem("The interrupted run was not saved; nothing to resume.".to_owned())),
            }
        });
    });
    let discard = Callback::new(move |()| {
        if let Some(org) = org() {
            let key = saved_run_key(org.as_str());
            leptos::task::spawn_local(async move {
                chrome::session_remove(&key).await;
                read_saved();
            });
        }
    });
    let undo = Callback::new(move |()| {
        if let Some(ev) = evidence.get_untracked() {
            phase.set(Phase::Preview(Arc::new(Plan::undo(&ev))));
            evidence.set(None);
            progress.set(None);
        }
    });
    let close = Callback::new(move |()| phase.set(Phase::Idle));
    let export = move |json: bool| {
        if let Some(ev) = evidence.get_untracked() {
            let (name, mime, text) = if json {
                ("syncready-changes.json", "application/json", ev.to_json())
            } else {
                ("syncready-changes.csv", "text/csv", ev.to_csv())
            };
            let _ = dom::download(name, mime, &text);
        }
    };

    view! {
        <section class="sr-bulk" data-testid="bulk" data-phase=move || phase_key(&phase.get()).to_owned() aria-live="polite">
            {move || {
                let offer = saved.with(|s| {
                    s.as_ref().map(|s| (s.plan.items.len(), action_title(&s.plan.action)))
                });
                let Some((left, title)) = offer.filter(|_| matches!(phase.get(), Phase::Idle)) else {
                    return ().into_any();
                };
                {
                    view! {
                        <div class="sr-bulk__resume" data-testid="bulk-resume-offer">
                            <p>{format!("A run of \u{201c}{}\u{201d} over {left} records was interrupted.", title)}</p>
                            <button class="sr-button sr-button--primary" data-testid="bulk-resume" on:click=on_click(resume)>"Resume"</button>
                            <button class="sr-button" on:click=on_click(discard)>"Discard"</button>
                        </div>
                    }
                    .into_any()
                }
            }}
            {move || match phase.get() {
                Phase::Idle => ().into_any(),
                Phase::Problem(why) => view! { <ErrorView title="Cannot plan this action".to_owned() detail=why /> }.into_any(),
                Phase::Preview(plan) => preview(&plan, confirm, close).into_any(),
                Phase::Running | Phase::Finished => {
                    let running = matches!(phase.get(), Phase::Running);
                    view! {
                        <ProgressView progress=progress />
                        {if running {
                            view! {
                                <button class="sr-button" data-testid="bulk-cancel" on:click=on_click(Callback::new(move |()| cancel.set(true)))>"Cancel"</button>
                            }
                            .into_any()
                        } else if progress.with(|p| p.as_ref().and_then(|p| p.halt.as_ref()).is_some_and(resumable_in_place)) {
                            view! {
                            <div class="sr-toolbar">
                                <button class="sr-button sr-button--primary" data-testid="bulk-signed-in-again" on:click=on_click(signed_in_again)>"I signed in again \u{2014} resume"</button>
                                <button class="sr-button" on:click=on_click(close)>"Close"</button>
                            </div>
                            {move || recheck.get().map(|m| view! { <p class="sr-muted" data-testid="bulk-recheck" role="status">{m}</p> }.into_any())}
                            }
                            .into_any()
                        } else {
                            view! {
                            <div class="sr-toolbar">
                                <button class="sr-button" data-testid="bulk-export-csv" on:click=on_click(Callback::new(move |()| export(false)))>"Export changes (CSV)"</button>
                                <button class="sr-button" data-testid="bulk-export-json" on:click=on_click(Callback::new(move |()| export(true)))>"Export changes (JSON)"</button>
                                <button class="sr-button" data-testid="bulk-undo" on:click=on_click(undo)>"Undo…"</button>
                                <button class="sr-button" on:click=on_click(close)>"Close"</button>
                            </div>
                            }
                            .into_any()
                        }}
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// The org read, if it succeeded.
fn shown(read: &Option<Result<Arc<Loaded>, OrgProblem>>) -> Option<&Loaded> {
    read.as_ref()?.as_ref().ok().map(|d| &**d)
}

/// The phase's `data-phase` value.
fn phase_key(phase: &Phase) -> &'static str {
    match phase {
        Phase::Idle => "idle",
        Phase::Preview(_) => "preview",
        Phase::Running => "running",
        Phase::Finished => "finished",
        Phase::Problem(_) => "problem",
    }
}

/// The dry-run preview and the confirm button.
fn preview(plan: &Plan, confirm: Callback<()>, close: Callback<()>) -> impl IntoView {
    const SHOWN: usize = 200;
    let rows = plan.dry_run();
    let total_rows = rows.len();
    let writes = plan.items.len();
    let more = total_rows.saturating_sub(SHOWN);
    let blocked = plan
        .blocked
        .iter()
        .map(|b| view! { <li>{format!("{}: {}", b.name, b.reason)}</li> }.into_any())
        .collect_view();
    let warnings = plan.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }.into_any()).collect_view();
    let body = rows
        .into_iter()
        .take(SHOWN)
        .map(|r| {
            view! { <tr><td>{r.name}</td><td>{r.field}</td><td>{r.before}</td><td>{r.after}</td></tr> }
                .into_any()
        })
        .collect_view();
    view! {
        <div class="sr-bulk__preview" data-testid="bulk-preview" data-writes=writes>
            <h2 class="sr-bulk__title">{action_title(&plan.action)}</h2>
            <p data-testid="bulk-summary">
                {format!(
                    "{writes} records will change; {} already fine; {} cannot be changed by you.",
                    plan.skipped.len(),
                    plan.blocked.len()
                )}
            </p>
            <ul class="sr-warnings">{warnings}</ul>
            <ul class="sr-blocked">{blocked}</ul>
            <table class="sr-table">
                <thead><tr><th>"Record"</th><th>"Field"</th><th>"Now"</th><th>"After"</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
            {(more > 0).then(|| view! { <p class="sr-muted">{format!("…and {more} more changes.")}</p> }.into_any())}
            <button class="sr-button sr-button--primary" data-testid="bulk-confirm" disabled=writes == 0 on:click=on_click(confirm)>
                {format!("Apply {writes} changes")}
            </button>
            <button class="sr-button" on:click=on_click(close)>"Cancel"</button>
        </div>
    }
}

/// Progress bar, counts and the per-item failures.
#[component]
fn ProgressView(progress: RwSignal<Option<Progress>>) -> impl IntoView {
    view! { {move || progress.with(|p| match p {
        None => ().into_any(),
        Some(p) => {
            let b = bar(p);
            let failures = p
                .items
                .iter()
                .filter(|i| matches!(i.state, ItemState::Failed | ItemState::Stuck))
                .take(500)
                .map(|i| {
                    let why = match (&i.code, &i.message) {
                        (Some(code), Some(m)) => format!("{m} ({code})"),
                        (None, Some(m)) => m.clone(),
                        (Some(code), None) => code.clone(),
                        (None, None) => "no reason given".to_owned(),
                    };
                    view! { <li data-testid="bulk-failure">{format!("{}: {why}", i.name)}</li> }.into_any()
                })
                .collect_view();
            let halt = p.halt.as_ref().map(|h| halt_text(h, crate::platform::clock::local_time));
            let waiting =
                waiting_for_dataverse(p, crate::platform::clock::now_ms(), crate::platform::clock::local_time);
            let stopped = p.approvals_stopped.clone();
            view! {
                <div class="sr-progress" data-testid="bulk-progress" data-percent=b.percent data-succeeded=p.succeeded data-failed=p.failed>
                    <progress max=b.total value=b.done aria-label="Bulk action progress"></progress>
                    <p data-testid="bulk-progress-label">{b.label}</p>
                    {waiting.map(|w| view! { <p class="sr-muted" data-testid="bulk-waiting" role="status">{w}</p> }.into_any())}
                    {halt.map(|h| view! { <p class="sr-warn" data-testid="bulk-halt">{h}</p> }.into_any())}
                    {stopped.map(|s| view! { <p class="sr-warn" data-testid="bulk-approvals-stopped">{s}</p> }.into_any())}
                    <ul class="sr-failures">{failures}</ul>
                </div>
            }
            .into_any()
        }
    })} }
}
