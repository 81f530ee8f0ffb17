//! The side panel, which is also the web app (`?surface=app`): the org read, the checklist, the
//! health view, the mailbox grid and the bulk panel, and the own sign-in above them.

use super::org_problem_view;
use super::sign_in::SignInSection;
use crate::components::donut::Donut;
use crate::components::exchange::ExchangeSide;
use crate::components::{
    BulkPanel, Checklist, Drill, ErrorView, HealthView, MailboxGrid, OrgHeader, describe_error, on_click,
};
use crate::platform::{chrome, dom};
use crate::session::org::export_json;
use crate::session::sign_in::{self, Status};
use crate::session::{BulkRun, ExchangeCheck, OrgRead};
use crate::state::bulk::BulkRequest;
use crate::state::charts;
use crate::state::grid::{self, GridFilter};
use crate::state::guide::{FOCUS_ACTION_KEY, FocusAction};
use crate::state::settings::{SETTINGS_KEY, Settings};
use crate::surface;
use leptos::prelude::*;
use std::sync::Arc;
use syncready_core::collect::{CollectError, Part};
use syncready_core::model::Timestamp;
use syncready_core::readiness::Remedy;

/// The fatal collection error, if the session itself failed.
fn fatal(errors: &[CollectError]) -> Option<&CollectError> {
    errors.iter().find(|e| e.part == Part::Caller)
}

/// The step the in-page guide asked to open at, consumed once.
async fn take_focus_step() -> Option<String> {
    let step = chrome::session_get(chrome::FOCUS_STEP_KEY).await?;
    chrome::session_remove(chrome::FOCUS_STEP_KEY).await;
    Some(step)
}

/// Main surface: header, checklist and mailbox drill-down.
#[component]
pub fn ChecklistPage() -> impl IntoView {
    // On the return from Microsoft the first read waits for the code to be redeemed: read now, it
    // would go out without the token and show "unable to check" until the signed-in read replaced it.
    let read = OrgRead::new(sign_in::returning_from_sign_in());
    // A redirect that fails (refused, cancelled) releases the read too, as a cookie-session read.
    let settled = sign_in::subscribe(move |s| {
        if read.awaiting_sign_in() && matches!(s, Status::Failed(_) | Status::SignedOut) {
            read.stop_waiting();
        }
    });
    on_cleanup(move || sign_in::unsubscribe(settled));
    // Follow the admin: when a tab of another org becomes the active Dynamics tab, read that org.
    if surface::param(&dom::query_string(), "org").is_none() {
        chrome::watch_session(chrome::ACTIVE_ORG_KEY, move |org| {
            if org.is_some() && org != read.shown_org().map(|o| o.to_string()) {
                read.refetch();
            }
        });
    }
    // Read once, like the sign-in registration: a signal filled by one task rather than a resource
    // (every resource type is a large monomorphised copy of the async machinery).
    let focus = RwSignal::new(None::<String>);
    // The in-page guide's "Approve email…" / "Test & enable…" on a mailbox record (issue 14): the
    // preview of that action for that mailbox, once the org it was asked for is the one shown.
    let guide_action = RwSignal::new(None::<FocusAction>);
    leptos::task::spawn_local(async move {
        if let Some(step) = take_focus_step().await {
            focus.try_set(Some(step));
        }
        let key = FOCUS_ACTION_KEY;
        if let Some(action) = chrome::session_get_value::<FocusAction>(key).await {
            chrome::session_remove(key).await;
            guide_action.try_set(Some(action));
        }
    });
    let bulk_request = RwSignal::new(None::<BulkRequest>);
    // Once both the checklist and the requested step are known, bring that step into view.
    // One effect (each is its own monomorphised copy): marks the checklist shown (idempotent), brings
    // the step into view and hands the guide's action to the bulk panel.
    Effect::new(move |_| {
        if let Some(org) =
            read.signal().with(|l| l.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.org.to_string()))
        {
            if let Some(step) = focus.get() {
                dom::focus_testid(&format!("step-{step}"));
            }
            if let Some(request) = guide_action.get().and_then(|a| a.request_for(&org)) {
                guide_action.set(None);
                bulk_request.set(Some(request));
            }
            dom::mark_checklist_shown();
        }
    });
    let filter = RwSignal::new(GridFilter::default());
    let lang = dom::ui_lang();
    let grid_title = RwSignal::new(lang.t("ui.grid.all-mailboxes").to_owned());
    let on_remedy =
        Callback::new(move |remedy: Remedy| bulk_request.set(Some(BulkRequest::from_remedy(&remedy))));
    let on_bulk = Callback::new(move |req: BulkRequest| bulk_request.set(Some(req)));
    let on_finished = Callback::new(move |()| read.refetch());
    let bulk = BulkRun::new(read, bulk_request, on_finished);
    // The health view's "delayed after" choice is saved with the bulk preferences and the checklist is
    // read again, so step 7 uses the admin's threshold too (issue 17).
    let on_threshold = Callback::new(move |secs: i64| {
        leptos::task::spawn_local(async move {
            let mut saved = chrome::local_get_value::<Settings>(SETTINGS_KEY).await.unwrap_or_default();
            saved.delayed_after_secs = secs;
            if chrome::local_set_value(SETTINGS_KEY, &saved).await {
                read.refetch();
            }
        });
    });
    let on_drill = Callback::new(move |drill: Drill| {
        grid_title.set(drill.title);
        filter.set(GridFilter {
            only: Some(Arc::new(drill.ids.into_iter().collect())),
            ..GridFilter::default()
        });
    });
    let on_signed_in = Callback::new(move |()| read.stop_waiting());
    // The Microsoft 365 side (issue 16): prepared after each read, checked on demand.
    let exchange = ExchangeCheck::new();
    Effect::new(move |_| {
        if let Some(Ok(data)) = read.get() {
            exchange.prepare(&data.snapshot);
        }
    });
    let m365 = Memo::new(move |_| {
        exchange.view().with(|v| match v {
            crate::state::exchange::ExchangeView::Done { checks, .. } => {
                crate::state::exchange::by_mailbox(checks, lang)
            }
            _ => std::collections::BTreeMap::new(),
        })
    });
    let on_exchange_sign_in = Callback::new(move |()| {
        dom::focus_testid("sign-in");
    });
    let on_exchange_check = Callback::new(move |all: bool| {
        if let Some(Ok(data)) = read.signal().get_untracked() {
            exchange.check(
                data.org.clone(),
                Arc::new(data.snapshot.clone()),
                Arc::new(data.report.clone()),
                all,
            );
        }
    });
    let on_exchange_export = Callback::new(move |()| {
        let _ = dom::download("syncready-microsoft-365.csv", "text/csv", &exchange.export_csv(lang));
    });
    let on_exchange_fix = Callback::new(move |()| {
        if let Some(request) = exchange.address_request() {
            bulk_request.set(Some(request));
        }
    });
    view! {
        <SignInSection on_signed_in=on_signed_in />
        <BulkPanel run=bulk />
        {move || read.limits_wait().map(|text| view! { <p class="sr-loading" data-testid="limits-wait" role="status">{text}</p> }.into_any())}
        {move || match read.get() {
            None => view! { <p class="sr-loading" data-testid="loading">{lang.t("ui.reading-org")}</p> }.into_any(),
            Some(Err(problem)) => org_problem_view(problem),
            Some(Ok(data)) => {
                let name = data.snapshot.org.as_ref().map_or_else(|| data.org.host().to_owned(), |o| o.name.clone());
                let problem = fatal(&data.errors).map(|e| {
                    let (title, detail) = describe_error(&e.error);
                    view! { <ErrorView title=title detail=detail /> }
                });
                let rows = Arc::new(grid::rows_in(&data.snapshot, lang));
                let exo = data
                    .snapshot
                    .org
                    .as_ref()
                    .and_then(|o| o.default_profile.clone())
                    .filter(|d| data.snapshot.profiles.iter().flatten().any(|p| &p.id == d && p.is_exchange_online()));
                let charts = (!rows.is_empty()).then(|| {
                    view! {
                        <div class="sr-charts">
                            <Donut title=lang.t("ui.charts.mailboxes") slices=charts::readiness_in(&data.snapshot, exo.as_deref(), lang) />
                            <Donut title=lang.t("ui.charts.tests") slices=charts::test_outcomes_in(&data.snapshot, lang) />
                        </div>
                    }
                    .into_any()
                });
                let has_rows = !rows.is_empty();
                let json = export_json(&data);
                let host = data.org.host().to_owned();
                // Issue 15: every environment at once, in the same panel or web app.
                let tenant_href = if dom::is_extension_page() { "index.html?surface=tenant" } else { "?surface=tenant" };
                let export = Callback::new(move |()| {
                    let _ = dom::download(&format!("syncready-checklist-{host}.json"), "application/json", &json);
                });
                view! {
                    <OrgHeader name=name url=data.org.to_string() />
                    {problem}
                    {charts}
                    <div class="sr-toolbar">
                        <button class="sr-button" data-testid="export-checklist" on:click=on_click(export)>
                            {lang.t("ui.export-checklist")}
                        </button>
                        " "
                        <a class="sr-button" data-testid="open-tenant" href=tenant_href>
                            {lang.t("tenant.title")}
                        </a>
                    </div>
                    <div class="sr-report" data-testid="report" data-loaded-at=data.loaded_at>
                        <Checklist report=data.report.clone() on_drill=on_drill on_remedy=on_remedy />
                    </div>
                    <ExchangeSide
                        view=exchange.view()
                        on_sign_in=on_exchange_sign_in
                        on_check=on_exchange_check
                        on_export=on_exchange_export
                        on_fix_addresses=on_exchange_fix
                    />
                    <HealthView
                        snapshot=Arc::new(data.snapshot.clone())
                        now=Timestamp(i64::try_from(data.loaded_at / 1000).unwrap_or(0))
                        threshold_secs=data.delayed_after_secs
                        on_threshold=on_threshold
                    />
                    {has_rows.then(|| view! { <MailboxGrid rows=rows filter=filter title=grid_title on_bulk=on_bulk m365=Signal::from(m365) /> })}
                }
                .into_any()
            }
        }}
    }
}
