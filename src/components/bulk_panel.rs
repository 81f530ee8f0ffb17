//! The bulk action flow: dry-run preview → confirm → progress with cancel → results with failures
//! explained → evidence export → undo; and the offer to resume a run interrupted by an expired
//! session or a closed panel. Render only: the run itself is `crate::session::BulkRun`.

use super::error_view::ErrorView;
use super::handlers::on_click;
use crate::session::{BulkPhase as Phase, BulkRun};
use crate::state::bulk::{action_title, bar};
use crate::state::field::resumable_in_place;
use leptos::prelude::*;
use syncready_core::bulk::{ItemState, Plan};

/// The bulk action panel.
#[component]
pub fn BulkPanel(
    /// The page's bulk run: its state and actions.
    run: BulkRun,
) -> impl IntoView {
    let progress = run.progress();
    let resume = Callback::new(move |()| run.resume());
    let discard = Callback::new(move |()| run.discard());
    let confirm = Callback::new(move |()| run.confirm());
    let signed_in_again = Callback::new(move |()| run.signed_in_again());
    let undo = Callback::new(move |()| run.undo());
    let close = Callback::new(move |()| run.close());
    let export = move |json: bool| run.export(json);

    view! {
        <section class="sr-bulk" data-testid="bulk" data-phase=move || run.phase().key().to_owned() aria-live="polite">
            {move || {
                let offer = run.saved_offer();
                let Some((left, title)) = offer.filter(|_| matches!(run.phase(), Phase::Idle)) else {
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
            {move || match run.phase() {
                Phase::Idle => ().into_any(),
                Phase::Problem(why) => view! { <ErrorView title="Cannot plan this action".to_owned() detail=why /> }.into_any(),
                Phase::Preview(plan) => preview(&plan, confirm, close).into_any(),
                Phase::Running | Phase::Finished => {
                    let running = matches!(run.phase(), Phase::Running);
                    view! {
                        <ProgressView run=run />
                        {if running {
                            view! {
                                <button class="sr-button" data-testid="bulk-cancel" on:click=on_click(Callback::new(move |()| run.cancel()))>"Cancel"</button>
                            }
                            .into_any()
                        } else if progress.with(|p| p.as_ref().and_then(|p| p.halt.as_ref()).is_some_and(resumable_in_place)) {
                            view! {
                            <div class="sr-toolbar">
                                <button class="sr-button sr-button--primary" data-testid="bulk-signed-in-again" on:click=on_click(signed_in_again)>"I signed in again \u{2014} resume"</button>
                                <button class="sr-button" on:click=on_click(close)>"Close"</button>
                            </div>
                            {move || run.recheck().map(|m| view! { <p class="sr-muted" data-testid="bulk-recheck" role="status">{m}</p> }.into_any())}
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
            <div class="sr-bulk__actions">
                <button class="sr-button sr-button--primary" data-testid="bulk-confirm" disabled=writes == 0 on:click=on_click(confirm)>
                    {format!("Apply {writes} changes")}
                </button>
                <button class="sr-button" on:click=on_click(close)>"Cancel"</button>
            </div>
        </div>
    }
}

/// Progress bar, counts and the per-item failures.
#[component]
fn ProgressView(run: BulkRun) -> impl IntoView {
    view! { {move || run.progress().with(|p| match p {
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
            let halt = run.halt_text(p);
            let waiting = run.waiting_text(p);
            let stopped = p.approvals_stopped.clone();
            let o365 = crate::state::bulk::o365_unset_note(p);
            view! {
                <div class="sr-progress" data-testid="bulk-progress" data-percent=b.percent data-succeeded=p.succeeded data-failed=p.failed>
                    <progress max=b.total value=b.done aria-label="Bulk action progress"></progress>
                    <p data-testid="bulk-progress-label">{b.label}</p>
                    {waiting.map(|w| view! { <p class="sr-muted" data-testid="bulk-waiting" role="status">{w}</p> }.into_any())}
                    {halt.map(|h| view! { <p class="sr-warn" data-testid="bulk-halt">{h}</p> }.into_any())}
                    {stopped.map(|s| view! { <p class="sr-warn" data-testid="bulk-approvals-stopped">{s}</p> }.into_any())}
                    {o365.map(|s| view! { <p class="sr-warn" data-testid="bulk-o365-unset">{s}</p> }.into_any())}
                    <ul class="sr-failures">{failures}</ul>
                </div>
            }
            .into_any()
        }
    })} }
}
