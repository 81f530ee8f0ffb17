//! The readiness checklist: one row per step of Microsoft's procedure, with live counts, what blocks
//! the step, the findings and a way to drill into the affected mailboxes.

use super::handlers::on_click;
use crate::state::bulk::remedy_label;
use leptos::prelude::*;
use syncready_core::readiness::{Actor, Finding, Remedy, Report, Severity, Status, StepResult, Subject};

/// Human label of a status.
pub fn status_label(status: &Status) -> &'static str {
    match status {
        Status::Pass => "Done",
        Status::Warn => "Needs attention",
        Status::Fail => "Blocked",
        Status::Unknown(_) => "Unable to check",
    }
}

fn actor_label(actor: Actor) -> &'static str {
    match actor {
        Actor::DynamicsAdmin => "Dynamics 365 admin",
        Actor::ExchangeAdmin => "Exchange / Microsoft 365 admin",
    }
}

fn severity_key(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

/// A request to show some mailboxes in the grid: a heading and their ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    /// What the mailboxes have in common (the finding's message).
    pub title: String,
    /// Mailbox ids.
    pub ids: Vec<String>,
}

/// The mailbox ids a finding is about, if it is about mailboxes.
fn mailbox_ids(finding: &Finding) -> Option<Vec<String>> {
    match &finding.subject {
        Subject::Mailboxes(ids) if !ids.is_empty() => Some(ids.clone()),
        Subject::Mailbox(id) => Some(vec![id.clone()]),
        _ => None,
    }
}

/// The whole checklist, in the document's order.
#[component]
pub fn Checklist(
    /// The evaluated report.
    report: Report,
    /// Called when the admin asks to see a finding's mailboxes.
    #[prop(optional)]
    on_drill: Option<Callback<Drill>>,
    /// Called when the admin picks a finding's one-click fix.
    #[prop(optional)]
    on_remedy: Option<Callback<Remedy>>,
) -> impl IntoView {
    let titles: Vec<(String, &'static str)> =
        report.steps.iter().map(|s| (s.step.key().to_owned(), s.step.title())).collect();
    let failing: Vec<_> =
        report.steps.iter().filter(|s| matches!(s.status, Status::Fail)).map(|s| s.step).collect();
    view! {
        <h2 class="sr-section-title">"Readiness checklist"</h2>
        <ol class="sr-checklist" data-testid="checklist" aria-label="Server-side synchronization readiness">
            {report
                .steps
                .into_iter()
                .map(|step| {
                    let blocked_by: Vec<&'static str> = step
                        .step
                        .prerequisites()
                        .iter()
                        .filter(|p| failing.contains(p))
                        .filter_map(|p| titles.iter().find(|(k, _)| k == p.key()).map(|(_, t)| *t))
                        .collect();
                    view! { <StepRow step=step blocked_by=blocked_by on_drill=on_drill on_remedy=on_remedy /> }
                })
                .collect_view()}
        </ol>
    }
}

/// One checklist row.
#[component]
pub fn StepRow(
    /// The step's result.
    step: StepResult,
    /// Titles of failing earlier steps this one depends on.
    #[prop(optional)]
    blocked_by: Vec<&'static str>,
    /// Drill-down callback.
    on_drill: Option<Callback<Drill>>,
    /// Remedy callback.
    on_remedy: Option<Callback<Remedy>>,
) -> impl IntoView {
    let key = step.step.key();
    let status = step.status.key();
    let label = status_label(&step.status);
    let counts = step
        .counts
        .iter()
        .map(|c| {
            view! { <li class="sr-count" data-testid=format!("count-{}", c.key)>{c.to_string()}</li> }
                .into_any()
        })
        .collect_view();
    let blocked = (!blocked_by.is_empty()).then(|| {
        view! {
            <p class="sr-step__blocked" data-testid="step-blocked-by">
                {format!("Fix first: {}", blocked_by.join("; "))}
            </p>
        }
        .into_any()
    });
    let findings = step
        .findings
        .into_iter()
        .map(|f| {
            let class = format!("sr-finding sr-finding--{}", severity_key(f.severity));
            let drill = mailbox_ids(&f).zip(on_drill).map(|(ids, cb)| {
                let n = ids.len();
                let title = f.message.clone();
                view! {
                    <button
                        class="sr-button sr-button--subtle"
                        data-testid="drill"
                        on:click=on_click(Callback::new(move |()| cb.run(Drill { title: title.clone(), ids: ids.clone() })))
                    >
                        {if n == 1 { "Show the mailbox".to_owned() } else { format!("Show {n} mailboxes") }}
                    </button>
                }
                .into_any()
            });
            let fix = f.remedy.clone().zip(on_remedy).map(|(remedy, cb)| {
                let label = remedy_label(&remedy);
                let key = remedy.key();
                view! {
                    <button
                        class="sr-button sr-button--primary sr-button--small"
                        data-testid=format!("remedy-{key}")
                        on:click=on_click(Callback::new(move |()| cb.run(remedy.clone())))
                    >
                        {label}
                    </button>
                }
                .into_any()
            });
            let doc = f.doc_link.clone().map(|href| {
                view! {
                    <a class="sr-link" href=href target="_blank" rel="noopener noreferrer">
                        "How to fix"
                    </a>
                }
                .into_any()
            });
            view! {
                <li class=class>
                    <span class="sr-finding__message">{f.message}</span>
                    " "
                    <span class="sr-finding__actor">{format!("Who acts: {}", actor_label(f.actor))}</span>
                    " "
                    {fix}
                    {drill}
                    {doc}
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <li class=format!("sr-step sr-step--{status}") data-testid=format!("step-{key}") data-status=status>
            <span class=format!("sr-badge sr-badge--{status}") data-testid="step-status">
                {label}
            </span>
            <div class="sr-step__body">
                <h3 class="sr-step__title">{step.step.title()}</h3>
                <p class="sr-step__summary" data-testid="step-summary">{step.summary}</p>
                <ul class="sr-counts">{counts}</ul>
                {blocked}
                <ul class="sr-findings">{findings}</ul>
                <a class="sr-link" href=step.step.doc_link() target="_blank" rel="noopener noreferrer">
                    "Microsoft guidance"
                </a>
            </div>
        </li>
    }
}
