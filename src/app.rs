//! Root component: resolves which org to look at, loads a snapshot and shows the checklist.

use crate::components::donut::Donut;
use crate::components::sign_in::SignIn;
use crate::components::{
    BulkPanel, Checklist, Drill, ErrorView, HealthView, MailboxGrid, OrgHeader, describe_error, on_click,
};
use crate::platform::{
    chrome, dom,
    transport::{FetchTransport, OrgTransport},
};
use crate::state::bulk::BulkRequest;
use crate::state::charts;
use crate::state::grid::{self, GridFilter};
use crate::state::settings::{ManagedSettings, SETTINGS_KEY, SIGN_IN_KEY, Settings, SignInSettings};
use crate::surface::{self, Surface};
use leptos::prelude::*;
use std::sync::Arc;
use syncready_core::collect::{self, CollectError, Part, Snapshot};
use syncready_core::limits::Patient;
use syncready_core::model::OrgUrl;
use syncready_core::model::Timestamp;
use syncready_core::readiness::{self, EvaluateOptions, Remedy, Report, checklist};

/// Why no org could be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgProblem {
    /// No Dynamics tab has been seen and no `?org=` was given.
    NoOrg,
    /// The org URL given is not valid.
    Invalid(String),
    /// This load is the return from Microsoft's sign-in; the org is read once the code is redeemed.
    FinishingSignIn,
}

/// Picks the org: `?org=` first, then the Dynamics tab the service worker last saw, then (web-app
/// mode only) the page's own origin.
pub async fn resolve_org() -> Result<OrgUrl, OrgProblem> {
    let query = dom::query_string();
    // Loopback orgs only on a web app served from loopback (the simulator demo).
    let policy = dom::host_policy();
    if let Some(given) = surface::param(&query, "org") {
        return OrgUrl::parse_with(&given, policy).map_err(|e| OrgProblem::Invalid(e.to_string()));
    }
    if let Some(seen) = chrome::session_get(chrome::ACTIVE_ORG_KEY).await {
        return OrgUrl::parse(&seen).map_err(|e| OrgProblem::Invalid(e.to_string()));
    }
    if !dom::is_extension_page() {
        return OrgUrl::parse_with(&dom::origin(), policy).map_err(|e| OrgProblem::Invalid(e.to_string()));
    }
    Err(OrgProblem::NoOrg)
}

/// Everything the panel shows for one org.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The org.
    pub org: OrgUrl,
    /// What was read.
    pub snapshot: Snapshot,
    /// What could not be read.
    pub errors: Vec<CollectError>,
    /// The evaluated checklist.
    pub report: Report,
    /// When it was read (Unix ms), so a refresh is visible to tests and to the admin.
    pub loaded_at: u64,
    /// The "delayed after" threshold the checklist was evaluated with (seconds).
    pub delayed_after_secs: i64,
}

/// Resolves the org, collects a snapshot and evaluates it.
pub async fn load() -> Result<Loaded, OrgProblem> {
    // Signed in with Entra ID in this tab: the token names the org and authenticates every request.
    // One transport type for both ways in, so the collection is compiled once (it is large).
    let (org, transport) = match crate::platform::bearer::restore() {
        Some(bearer) => (bearer.config().org.clone(), OrgTransport::Bearer(bearer)),
        None => {
            let org = resolve_org().await?;
            let transport = OrgTransport::Session(FetchTransport::new(org.clone()));
            (org, transport)
        }
    };
    // Reads wait out the service's throttling (429 Retry-After), sharing the page's limits ledger with
    // bulk runs, instead of reporting "unable to check" (issue 11).
    let clock = crate::platform::clock::BrowserClock;
    let reads = Patient::reads(&transport, &clock, crate::platform::transport::limits_ledger());
    let (snapshot, errors) = collect::snapshot(&reads).await;
    // Told the time so Test & Enable runs that never finish are reported as stuck.
    let now = Timestamp(i64::try_from(crate::platform::clock::now_ms() / 1000).unwrap_or(i64::MAX));
    // The admin's "delayed after" threshold (chosen in the health view) decides step 7 too.
    let delayed_after_secs =
        chrome::local_get_value::<Settings>(SETTINGS_KEY).await.unwrap_or_default().delayed_after_secs;
    let options = EvaluateOptions { delayed_after_secs, ..EvaluateOptions::at(now) };
    let report = readiness::evaluate_with(&snapshot, &errors, &options);
    let summary = GuideSummary::of(&org, &report);
    chrome::session_set(&format!("{}{}", chrome::SUMMARY_PREFIX, org.as_str()), &summary).await;
    // The in-page guide's mailbox records (issue 14): written after the checklist is shown.
    let guide = crate::state::guide::GuideMailboxes::of(&snapshot, &report).to_json();
    let guide_key = format!("{}{}", crate::state::guide::MAILBOXES_PREFIX, org.as_str());
    leptos::task::spawn_local(async move {
        chrome::session_set_text(&guide_key, &guide).await;
    });
    Ok(Loaded {
        org,
        snapshot,
        errors,
        report,
        loaded_at: crate::platform::clock::now_ms(),
        delayed_after_secs,
    })
}

/// What the in-page guide shows for each step (written to `storage.session` for the content script).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GuideSummary {
    /// The org URL.
    pub org: String,
    /// One entry per step.
    pub steps: Vec<GuideStep>,
}

/// One step in a [`GuideSummary`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GuideStep {
    /// `StepId::key`.
    pub key: &'static str,
    /// Step title.
    pub title: &'static str,
    /// `pass`, `warn`, `fail` or `unknown`.
    pub status: &'static str,
    /// One-line summary.
    pub summary: String,
}

impl GuideSummary {
    /// The summary of `report`.
    pub fn of(org: &OrgUrl, report: &Report) -> Self {
        let steps = report
            .steps
            .iter()
            .map(|s| GuideStep {
                key: s.step.key(),
                title: s.step.title(),
                status: s.status.key(),
                summary: s.summary.clone(),
            })
            .collect();
        Self { org: org.to_string(), steps }
    }
}

/// The step the in-page guide asked to open at, consumed once.
async fn take_focus_step() -> Option<String> {
    let step = chrome::session_get(chrome::FOCUS_STEP_KEY).await?;
    chrome::session_remove(chrome::FOCUS_STEP_KEY).await;
    Some(step)
}

/// The app root.
#[component]
pub fn App(
    /// Which surface this page is.
    surface: Surface,
) -> impl IntoView {
    let body = match surface {
        Surface::Panel | Surface::App => view! { <ChecklistPage /> }.into_any(),
        Surface::Popup => view! { <PopupPage /> }.into_any(),
        Surface::Options => view! { <OptionsPage /> }.into_any(),
    };
    view! { <main class=format!("sr-app sr-app--{}", surface.key()) data-surface=surface.key()>{body}</main> }
}

fn org_problem_view(problem: OrgProblem) -> AnyView {
    match problem {
        OrgProblem::NoOrg => view! {
            <ErrorView
                title="Open a Dynamics 365 tab".to_owned()
                detail="SyncReady works on the org in your Dynamics 365 tab. Open or reload a page of your org (https://<org>.crm.dynamics.com), then reopen SyncReady.".to_owned()
            />
        }
        .into_any(),
        OrgProblem::Invalid(why) => view! { <ErrorView title="Not a Dynamics 365 org".to_owned() detail=why /> }.into_any(),
        OrgProblem::FinishingSignIn => {
            view! { <p class="sr-loading" data-testid="loading">"Finishing sign-in…"</p> }.into_any()
        }
    }
}

/// The fatal collection error, if the session itself failed.
fn fatal(errors: &[CollectError]) -> Option<&CollectError> {
    errors.iter().find(|e| e.part == Part::Caller)
}

/// The checklist export: the same shape the end-to-end tests read.
pub fn export_json(data: &Loaded) -> String {
    let value = serde_json::json!({
        "org": data.org.as_str(),
        "name": data.snapshot.org.as_ref().map(|o| o.name.clone()),
        "checklist": data.report,
        "unreadable": data.errors.iter().map(|e| serde_json::json!({
            "part": e.part,
            "error": e.error.to_string(),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// What the surfaces show: `None` until the first read finishes; the last result stays while the org
/// is read again. Shared (`Arc`): every read of the signal clones it.
type Read = Option<Result<Arc<Loaded>, OrgProblem>>;

/// Reads the org's checklist with [`load`] now, unless `awaiting_sign_in` holds (then the read waits
/// for the sign-in to finish), and returns the result's signal and the function that reads again.
/// A plain signal and task rather than a `LocalResource`: the async-derived machinery is a large
/// monomorphised copy. Only the latest read lands, as with a resource.
fn loader(
    awaiting_sign_in: StoredValue<bool>,
    limits_wait: RwSignal<Option<String>>,
) -> (RwSignal<Read>, impl Fn() + Copy + Send + Sync + 'static) {
    let loaded = RwSignal::new(None);
    let generation = StoredValue::new(0_u64);
    let read = move || {
        let Some(wait) = awaiting_sign_in.try_get_value() else {
            return;
        };
        let Some(mine) = generation.try_update_value(|g| {
            *g += 1;
            *g
        }) else {
            return;
        };
        let reading = std::rc::Rc::new(std::cell::Cell::new(true));
        let still = reading.clone();
        leptos::task::spawn_local(async move {
            let result = if wait { Err(OrgProblem::FinishingSignIn) } else { load().await.map(Arc::new) };
            reading.set(false);
            if generation.try_get_value() == Some(mine) {
                loaded.try_set(Some(result));
                limits_wait.try_set(None);
            }
        });
        // While the read waits out the service's limits, say so, with the seconds left.
        leptos::task::spawn_local(async move {
            while still.get() && generation.try_get_value() == Some(mine) {
                crate::platform::clock::sleep(std::time::Duration::from_millis(500)).await;
                let now = syncready_core::bulk::Millis(crate::platform::clock::now_ms());
                let left = crate::platform::transport::limits_ledger().waiting(now);
                let text = left.filter(|_| still.get()).map(crate::state::field::limits_wait);
                if limits_wait.try_set(text).is_some() {
                    // The page is gone.
                    break;
                }
            }
        });
    };
    read();
    (loaded, read)
}

/// Main surface: header, checklist and mailbox drill-down.
#[component]
pub fn ChecklistPage() -> impl IntoView {
    // On the return from Microsoft the first read waits for the code to be redeemed: read now, it
    // would go out without the token and show "unable to check" until the signed-in read replaced it.
    let awaiting_sign_in = StoredValue::new(crate::platform::oauth::returning_from_sign_in());
    let limits_wait = RwSignal::new(None::<String>);
    let (loaded, refetch) = loader(awaiting_sign_in, limits_wait);
    // A redirect that fails (refused, cancelled) releases the read too, as a cookie-session read.
    let settled = crate::platform::oauth::subscribe(move |s| {
        if awaiting_sign_in.try_get_value() == Some(true)
            && matches!(
                s,
                crate::platform::oauth::Status::Failed(_) | crate::platform::oauth::Status::SignedOut
            )
        {
            awaiting_sign_in.set_value(false);
            refetch();
        }
    });
    on_cleanup(move || crate::platform::oauth::unsubscribe(settled));
    // Follow the admin: when a tab of another org becomes the active Dynamics tab, read that org.
    let shown_org = move || {
        loaded.with_untracked(|l| l.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.org.to_string()))
    };
    if surface::param(&dom::query_string(), "org").is_none() {
        chrome::watch_session(chrome::ACTIVE_ORG_KEY, move |org| {
            if org.is_some() && org != shown_org() {
                refetch();
            }
        });
    }
    // Read once, like the registration below: a signal filled by one task rather than a resource
    // (every resource type is a large monomorphised copy of the async machinery).
    let focus = RwSignal::new(None::<String>);
    // The in-page guide's "Approve email…" / "Test & enable…" on a mailbox record (issue 14): the
    // preview of that action for that mailbox, once the org it was asked for is the one shown.
    let guide_action = RwSignal::new(None::<crate::state::guide::FocusAction>);
    leptos::task::spawn_local(async move {
        if let Some(step) = take_focus_step().await {
            focus.try_set(Some(step));
        }
        let key = crate::state::guide::FOCUS_ACTION_KEY;
        if let Some(action) = chrome::session_get_value::<crate::state::guide::FocusAction>(key).await {
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
            loaded.with(|l| l.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.org.to_string()))
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
    let grid_title = RwSignal::new("All mailboxes".to_owned());
    let on_remedy =
        Callback::new(move |remedy: Remedy| bulk_request.set(Some(BulkRequest::from_remedy(&remedy))));
    let on_bulk = Callback::new(move |req: BulkRequest| bulk_request.set(Some(req)));
    let on_finished = Callback::new(move |()| refetch());
    // The health view's "delayed after" choice is saved with the bulk preferences and the checklist is
    // read again, so step 7 uses the admin's threshold too (issue 17).
    let on_threshold = Callback::new(move |secs: i64| {
        leptos::task::spawn_local(async move {
            let mut saved = chrome::local_get_value::<Settings>(SETTINGS_KEY).await.unwrap_or_default();
            saved.delayed_after_secs = secs;
            if chrome::local_set_value(SETTINGS_KEY, &saved).await {
                refetch();
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
    let on_signed_in = Callback::new(move |()| {
        awaiting_sign_in.set_value(false);
        refetch();
    });
    let query = dom::query_string();
    // Open the own sign-in when it is what the page is for: a plain web page (web-app mode, also on
    // the way back from Microsoft), or this tab is signed in with a token.
    let open_sign_in = !dom::is_extension_page() || crate::platform::bearer::signed_in_org().is_some();
    // The org may be filled from the address (`?org=`, which the checklist reads too); the client id
    // and the authority only from the registration saved in Options or typed by the admin, never
    // from the address: a link could otherwise send the code and the PKCE verifier to another host
    // (issue 12).
    let saved_registration = RwSignal::new(None::<SignInSettings>);
    leptos::task::spawn_local(async move {
        let saved = chrome::local_get_value::<SignInSettings>(SIGN_IN_KEY).await;
        // An organisation's preset registration (chrome.storage.managed) takes precedence.
        let managed = chrome::managed_get_value::<ManagedSettings>().await.unwrap_or_default();
        saved_registration.try_set(Some(managed.sign_in(saved).0.unwrap_or_default()));
    });
    let prefill =
        move |name, fallback: &str| surface::param(&query, name).unwrap_or_else(|| fallback.to_owned());
    let sign_in = view! {
        <details class="sr-signin" prop:open=open_sign_in>
            <summary>"Sign in with Microsoft Entra ID instead of the Dynamics session"</summary>
            {move || match saved_registration.get() {
                None => ().into_any(),
                Some(saved) => view! {
                    <SignIn
                        org=prefill("org", "")
                        client_id=saved.client_id
                        authority=saved.authority
                        on_signed_in=on_signed_in
                    />
                }
                .into_any(),
            }}
        </details>
    };
    view! {
        {sign_in}
        <BulkPanel context=loaded request=bulk_request on_finished=on_finished />
        {move || limits_wait.get().map(|text| view! { <p class="sr-loading" data-testid="limits-wait" role="status">{text}</p> }.into_any())}
        {move || match loaded.get() {
            None => view! { <p class="sr-loading" data-testid="loading">"Reading your org…"</p> }.into_any(),
            Some(Err(problem)) => org_problem_view(problem),
            Some(Ok(data)) => {
                let name = data.snapshot.org.as_ref().map_or_else(|| data.org.host().to_owned(), |o| o.name.clone());
                let problem = fatal(&data.errors).map(|e| {
                    let (title, detail) = describe_error(&e.error);
                    view! { <ErrorView title=title detail=detail /> }
                });
                let rows = Arc::new(grid::rows(&data.snapshot));
                let exo = data
                    .snapshot
                    .org
                    .as_ref()
                    .and_then(|o| o.default_profile.clone())
                    .filter(|d| data.snapshot.profiles.iter().flatten().any(|p| &p.id == d && p.is_exchange_online()));
                let charts = (!rows.is_empty()).then(|| {
                    view! {
                        <div class="sr-charts">
                            <Donut title="Mailboxes" slices=charts::readiness(&data.snapshot, exo.as_deref()) />
                            <Donut title="Test results (per direction)" slices=charts::test_outcomes(&data.snapshot) />
                        </div>
                    }
                    .into_any()
                });
                let has_rows = !rows.is_empty();
                let json = export_json(&data);
                let host = data.org.host().to_owned();
                let export = Callback::new(move |()| {
                    let _ = dom::download(&format!("syncready-checklist-{host}.json"), "application/json", &json);
                });
                view! {
                    <OrgHeader name=name url=data.org.to_string() />
                    {problem}
                    {charts}
                    <div class="sr-toolbar">
                        <button class="sr-button" data-testid="export-checklist" on:click=on_click(export)>
                            "Export checklist (JSON)"
                        </button>
                    </div>
                    <div class="sr-report" data-testid="report" data-loaded-at=data.loaded_at>
                        <Checklist report=data.report.clone() on_drill=on_drill on_remedy=on_remedy />
                    </div>
                    <HealthView
                        snapshot=Arc::new(data.snapshot.clone())
                        now=Timestamp(i64::try_from(data.loaded_at / 1000).unwrap_or(0))
                        threshold_secs=data.delayed_after_secs
                        on_threshold=on_threshold
                    />
                    {has_rows.then(|| view! { <MailboxGrid rows=rows filter=filter title=grid_title on_bulk=on_bulk /> })}
                }
                .into_any()
            }
        }}
    }
}

/// Popup: org, headline status, "open side panel".
#[component]
pub fn PopupPage() -> impl IntoView {
    let (loaded, _) = loader(StoredValue::new(false), RwSignal::new(None));
    // Read ahead: the side panel may only be opened from the click itself, not after an await.
    let window_id = StoredValue::new(None::<f64>);
    leptos::task::spawn_local(async move {
        let id = chrome::current_window_id().await;
        window_id.try_set_value(id);
    });
    let open = Callback::new(move |()| {
        if let Some(Some(id)) = window_id.try_get_value() {
            chrome::open_side_panel(id);
        }
    });
    view! {
        {move || match loaded.get() {
            None => view! { <p class="sr-loading">"Reading your org…"</p> }.into_any(),
            Some(Err(problem)) => org_problem_view(problem),
            Some(Ok(data)) => {
                let name = data.snapshot.org.as_ref().map_or_else(|| data.org.host().to_owned(), |o| o.name.clone());
                let view_model = checklist::checklist(&data.report);
                let headline = format!("{} of {} steps done", view_model.done, view_model.rows.len());
                let next = view_model
                    .rows
                    .iter()
                    .find(|r| r.state != checklist::RowState::Done)
                    .map(|r| format!("Next: {} ({})", r.title, r.summary));
                view! {
                    <OrgHeader name=name url=data.org.to_string() />
                    <p class="sr-headline" data-testid="headline">{headline}</p>
                    <p class="sr-next">{next}</p>
                }
                .into_any()
            }
        }}
        <button class="sr-button sr-button--primary" data-testid="open-panel" on:click=on_click(open)>"Open side panel"</button>
    }
}

/// Theme preference key in `chrome.storage.local` (a preference, not a secret).
pub const THEME_KEY: &str = "syncready.theme";

/// Options: theme and bulk-run preferences.
#[component]
pub fn OptionsPage() -> impl IntoView {
    let saved = RwSignal::new(None::<String>);
    let settings = RwSignal::new(None::<Settings>);
    leptos::task::spawn_local(async move {
        saved.try_set(chrome::local_get(THEME_KEY).await);
        settings.try_set(chrome::local_get_value::<Settings>(SETTINGS_KEY).await);
    });
    // Organisation presets (chrome.storage.managed) take precedence where the settings are used.
    let managed = RwSignal::new(ManagedSettings::default());
    leptos::task::spawn_local(async move {
        if let Some(m) = chrome::managed_get_value::<ManagedSettings>().await {
            managed.try_set(m);
        }
    });
    let status = RwSignal::new(String::new());
    let batch = RwSignal::new(None::<String>);
    let poll = RwSignal::new(None::<String>);
    let choose = move |theme: &'static str| {
        leptos::task::spawn_local(async move {
            let ok = chrome::local_set(THEME_KEY, theme).await;
            if ok {
                dom::apply_theme(theme);
            }
            status.set(if ok {
                format!("Theme set to {theme}.")
            } else {
                "Could not save the setting.".to_owned()
            });
        });
    };
    let current = move || settings.get().unwrap_or_default();
    let save = Callback::new(move |()| {
        let base = current();
        let batch_text = batch.get_untracked().unwrap_or_else(|| base.batch_size.to_string());
        let poll_text = poll.get_untracked().unwrap_or_else(|| base.poll_seconds.to_string());
        match (Settings::parse_batch_size(&batch_text), Settings::parse_poll_seconds(&poll_text)) {
            (Ok(batch_size), Ok(poll_seconds)) => {
                let new = Settings { batch_size, poll_seconds, ..base };
                leptos::task::spawn_local(async move {
                    let ok = chrome::local_set_value(SETTINGS_KEY, &new).await;
                    status.set(if ok {
                        "Bulk settings saved.".to_owned()
                    } else {
                        "Could not save the settings.".to_owned()
                    });
                });
            }
            (Err(e), _) => status.set(format!("Batch size: {e}")),
            (_, Err(e)) => status.set(format!("Test & Enable check interval: {e}")),
        }
    });
    const THEMES: [(&str, &str); 3] = [("system", "Follow system"), ("light", "Light"), ("dark", "Dark")];
    view! {
        <h1>"SyncReady options"</h1>
        <crate::components::managed::ManagedNotice managed=managed />
        <fieldset class="sr-options">
            <legend>"Theme"</legend>
            <p>{move || format!("Current: {}", saved.get().unwrap_or_else(|| "system".to_owned()))}</p>
            {THEMES
                .into_iter()
                .map(|(theme, text)| view! { <button class="sr-button" on:click=on_click(Callback::new(move |()| choose(theme)))>{text}</button> }.into_any())
                .collect_view()}
        </fieldset>
        <fieldset class="sr-options">
            <legend>"Bulk actions"</legend>
            {option_input(
                "Changes per batch (1–1000) ",
                "opt-batch",
                true,
                batch,
                Signal::derive(move || current().batch_size.to_string()),
            )}
            {option_input(
                " Seconds between Test & Enable checks (1–600) ",
                "opt-poll",
                true,
                poll,
                Signal::derive(move || current().poll_seconds.to_string()),
            )}
            <button class="sr-button sr-button--primary" data-testid="opt-save" on:click=on_click(save)>"Save"</button>
        </fieldset>
        <SignInOptions />
        <p role="status" data-testid="opt-status">{move || status.get()}</p>
    }
}

/// A labelled Options text field: shows `edited` once the admin typed, else `saved`. One copy for
/// every field (the signal types are shared).
fn option_input(
    label: &'static str,
    testid: &'static str,
    numeric: bool,
    edited: RwSignal<Option<String>>,
    saved: Signal<String>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input class="sr-input" data-testid=testid
                inputmode=numeric.then_some("numeric")
                spellcheck=(!numeric).then_some("false")
                autocomplete=(!numeric).then_some("off")
                prop:value=move || edited.get().unwrap_or_else(|| saved.get())
                on:input=move |ev| edited.set(Some(event_target_value(&ev))) />
        </label>
    }
}

/// Options: the admin's own app registration for "Sign in with Microsoft Entra ID".
#[component]
fn SignInOptions() -> impl IntoView {
    let saved = RwSignal::new(None::<SignInSettings>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            saved.try_set(chrome::local_get_value::<SignInSettings>(SIGN_IN_KEY).await);
        });
    };
    reload();
    let client_id = RwSignal::new(None::<String>);
    let authority = RwSignal::new(None::<String>);
    let message = RwSignal::new(Vec::<String>::new());
    let current = move || saved.get().unwrap_or_default();
    let saved_client = Signal::derive(move || current().client_id);
    let saved_authority = Signal::derive(move || {
        let a = current().authority;
        if a.is_empty() { syncready_core::oauth::DEFAULT_AUTHORITY.to_owned() } else { a }
    });
    let value = move |edited: RwSignal<Option<String>>, saved: Signal<String>| {
        edited.get_untracked().unwrap_or_else(|| saved.get_untracked())
    };
    let save = Callback::new(move |()| {
        match SignInSettings::parse(&value(authority, saved_authority), &value(client_id, saved_client)) {
            Ok(settings) => {
                leptos::task::spawn_local(async move {
                    let ok = chrome::local_set_value(SIGN_IN_KEY, &settings).await;
                    message.set(vec![if ok {
                        "Sign-in settings saved. The side panel offers this sign-in under its heading."
                            .to_owned()
                    } else {
                        "Could not save the sign-in settings.".to_owned()
                    }]);
                    if ok {
                        reload();
                    }
                });
            }
            Err(problems) => message.set(problems),
        }
    });
    let clear = Callback::new(move |()| {
        leptos::task::spawn_local(async move {
            let ok = chrome::local_set_value(SIGN_IN_KEY, &SignInSettings::default()).await;
            client_id.set(None);
            authority.set(None);
            reload();
            message
                .set(vec![if ok { "Sign-in settings cleared." } else { "Could not clear them." }.to_owned()]);
        });
    });
    view! {
        <fieldset class="sr-options">
            <legend>"Own sign-in (optional)"</legend>
            <p>
                "For admins who cannot reuse the Dynamics session: your single-page app registration in Entra ID. "
                "These are public identifiers; tokens stay in the panel's memory and are never saved."
            </p>
            {option_input("Application (client) ID ", "opt-client-id", false, client_id, saved_client)}
            {option_input(" Authority ", "opt-authority", false, authority, saved_authority)}
            <button class="sr-button sr-button--primary" data-testid="opt-sign-in-save" on:click=on_click(save)>"Save sign-in settings"</button>
            <button class="sr-button" data-testid="opt-sign-in-clear" on:click=on_click(clear)>"Clear"</button>
            <ul class="sr-options__messages" role="status" data-testid="opt-sign-in-status">
                {move || message.get().into_iter().map(|m| view! { <li>{m}</li> }.into_any()).collect_view().into_any()}
            </ul>
        </fieldset>
    }
}
