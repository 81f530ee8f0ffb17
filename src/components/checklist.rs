//! The readiness checklist: one row per step of Microsoft's procedure.

use leptos::prelude::*;
use syncready_core::readiness::{Actor, Report, Severity, Status, StepResult};

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

/// The whole checklist, in the document's order.
#[component]
pub fn Checklist(
    /// The evaluated report.
    report: Report,
) -> impl IntoView {
    view! {
        <ol class="sr-checklist" data-testid="checklist" aria-label="Server-side synchronization readiness">
            {report.steps.into_iter().map(|step| view! { <StepRow step=step /> }).collect_view()}
        </ol>
    }
}

/// One checklist row.
#[component]
pub fn StepRow(
    /// The step's result.
    step: StepResult,
) -> impl IntoView {
    let key = step.step.key();
    let status = step.status.key();
    let label = status_label(&step.status);
    let findings = step
        .findings
        .into_iter()
        .map(|f| {
            let class = format!("sr-finding sr-finding--{}", severity_key(f.severity));
            view! {
                <li class=class>
                    <span class="sr-finding__message">{f.message}</span>
                    " "
                    <span class="sr-finding__actor">{format!("Who acts: {}", actor_label(f.actor))}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <li class=format!("sr-step sr-step--{status}") data-testid=format!("step-{key}") data-status=status>
            <span class=format!("sr-badge sr-badge--{status}") data-testid="step-status">{label}</span>
            <div class="sr-step__body">
                <h3 class="sr-step__title">{step.step.title()}</h3>
                <p class="sr-step__summary" data-testid="step-summary">{step.summary}</p>
                <ul class="sr-findings">{findings}</ul>
                <a class="sr-link" href=step.step.doc_link() target="_blank" rel="noopener noreferrer">
                    "Microsoft guidance"
                </a>
            </div>
        </li>
    }
}
