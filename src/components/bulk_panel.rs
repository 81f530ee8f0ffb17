//! The bulk action flow: dry-run preview → confirm → progress with cancel → results with failures
//! explained → evidence export → undo; and the offer to resume a run interrupted by an expired
//! session or a closed panel. Render only: the run itself is `crate::session::BulkRun`.

use super::error_view::ErrorView;
use super::handlers::on_click;
use super::lang::use_lang;
use crate::session::{BulkPhase as Phase, BulkRun};
use crate::state::bulk::{action_title_in, bar};
use crate::state::field::resumable_in_place;
use leptos::prelude::*;
use syncready_core::bulk::{ItemState, Plan};
use syncready_core::i18n::Lang;
use syncready_core::tr;

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
    let lang = use_lang();

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
                            <p>{tr!(lang, "ui.bulk.interrupted", title = title, left = left)}</p>
                            <button class="sr-button sr-button--primary" data-testid="bulk-resume" on:click=on_click(resume)>{lang.t("ui.bulk.resume")}</button>
                            <button class="sr-button" on:click=on_click(discard)>{lang.t("ui.bulk.discard")}</button>
                        </div>
                    }
                    .into_any()
                }
            }}
            {move || match run.phase() {
                Phase::Idle => ().into_any(),
                Phase::Problem(why) => view! { <ErrorView title=lang.t("ui.bulk.cannot-plan").to_owned() detail=why /> }.into_any(),
                Phase::Preview(plan) => preview(&plan, confirm, close, lang).into_any(),
                Phase::Running | Phase::Finished => {
                    let running = matches!(run.phase(), Phase::Running);
                    view! {
                        <ProgressView run=run />
                        {if running {
                            view! {
                                <button class="sr-button" data-testid="bulk-cancel" on:click=on_click(Callback::new(move |()| run.cancel()))>{lang.t("ui.cancel")}</button>
                            }
                            .into_any()
                        } else if progress.with(|p| p.as_ref().and_then(|p| p.halt.as_ref()).is_some_and(resumable_in_place)) {
                            view! {
                            <div class="sr-toolbar">
                                <button class="sr-button sr-button--primary" data-testid="bulk-signed-in-again" on:click=on_click(signed_in_again)>{lang.t("ui.bulk.signed-in-again")}</button>
                                <button class="sr-button" on:click=on_click(close)>{lang.t("ui.close")}</button>
                            </div>
                            {move || run.recheck().map(|m| view! { <p class="sr-muted" data-testid="bulk-recheck" role="status">{m}</p> }.into_any())}
                            }
                            .into_any()
                        } else {
                            view! {
                            <div class="sr-toolbar">
                                <button class="sr-button" data-testid="bulk-export-csv" on:click=on_click(Callback::new(move |()| export(false)))>{lang.t("ui.bulk.export-csv")}</button>
                                <button class="sr-button" data-testid="bulk-export-json" on:click=on_click(Callback::new(move |()| export(true)))>{lang.t("ui.bulk.export-json")}</button>
                                <button class="sr-button" data-testid="bulk-undo" on:click=on_click(undo)>{lang.t("ui.bulk.undo")}</button>
                                <button class="sr-button" on:click=on_click(close)>{lang.t("ui.close")}</button>
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
fn preview(plan: &Plan, confirm: Callback<()>, close: Callback<()>, lang: Lang) -> impl IntoView {
    const SHOWN: usize = 200;
    let rows = plan.dry_run_in(lang);
    let total_rows = rows.len();
    let writes = plan.items.len();
    let more = total_rows.saturating_sub(SHOWN);
    let blocked = plan
        .blocked
        .iter()
        .map(|b| view! { <li>{format!("{}: {}", b.name, b.reason.text(lang))}</li> }.into_any())
        .collect_view();
    let warnings = plan.warnings.iter().map(|w| view! { <li>{w.text(lang)}</li> }.into_any()).collect_view();
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
            <h2 class="sr-bulk__title">{action_title_in(&plan.action, lang)}</h2>
            <p data-testid="bulk-summary">
                {tr!(lang, "ui.bulk.summary", writes = writes, fine = plan.skipped.len(), blocked = plan.blocked.len())}
            </p>
            <ul class="sr-warnings">{warnings}</ul>
            <ul class="sr-blocked">{blocked}</ul>
            <table class="sr-table">
                <thead><tr><th>{lang.t("ui.bulk.column.record")}</th><th>{lang.t("ui.bulk.column.field")}</th><th>{lang.t("ui.bulk.column.now")}</th><th>{lang.t("ui.bulk.column.after")}</th></tr></thead>
                <tbody>{body}</tbody>
            </table>
            {(more > 0).then(|| view! { <p class="sr-muted">{tr!(lang, "ui.bulk.more", more = more)}</p> }.into_any())}
            <div class="sr-bulk__actions">
                <button class="sr-button sr-button--primary" data-testid="bulk-confirm" disabled=writes == 0 on:click=on_click(confirm)>
                    {tr!(lang, "ui.bulk.apply", writes = writes)}
                </button>
                <button class="sr-button" on:click=on_click(close)>{lang.t("ui.cancel")}</button>
            </div>
        </div>
    }
}

/// Progress bar, counts and the per-item failures.
#[component]
fn ProgressView(run: BulkRun) -> impl IntoView {
    let lang = use_lang();
    view! { {move || run.progress().with(|p| match p {
        None => ().into_any(),
        Some(p) => {
            let b = bar(p, lang);
            let failures = p
                .items
                .iter()
                .filter(|i| matches!(i.state, ItemState::Failed | ItemState::Stuck))
                .take(500)
                .map(|i| {
                    let why = match (&i.code, &i.message) {
                        (Some(code), Some(m)) => format!("{} ({code})", m.text(lang)),
                        (None, Some(m)) => m.text(lang),
                        (Some(code), None) => code.clone(),
                        (None, None) => lang.t("bulk.no-reason").to_owned(),
                    };
                    view! { <li data-testid="bulk-failure">{format!("{}: {why}", i.name)}</li> }.into_any()
                })
                .collect_view();
            let halt = run.halt_text(p, lang);
            let waiting = run.waiting_text(p, lang);
            let stopped = p.approvals_stopped.as_ref().map(|s| s.text(lang));
            let o365 = crate::state::bulk::o365_unset_note(p, lang);
            view! {
                <div class="sr-progress" data-testid="bulk-progress" data-percent=b.percent data-succeeded=p.succeeded data-failed=p.failed>
                    <progress max=b.total value=b.done aria-label=lang.t("ui.bulk.progress")></progress>
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
