//! The org read: which org to look at, the snapshot read from it and the checklist evaluated on it,
//! as one named service ([`OrgRead`]) with `get` and `refetch`.

use super::bearer::{self, OrgTransport};
use crate::platform::transport::{FetchTransport, limits_ledger};
use crate::platform::{chrome, clock, dom};
use crate::state::settings::{SETTINGS_KEY, Settings};
use crate::surface;
use leptos::prelude::*;
use std::sync::Arc;
use syncready_core::collect::{self, CollectError, Snapshot};
use syncready_core::limits::Patient;
use syncready_core::model::OrgUrl;
use syncready_core::model::Timestamp;
use syncready_core::readiness::{self, EvaluateOptions, Report};

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
        return OrgUrl::parse_with(&given, policy)
            .map_err(|e| OrgProblem::Invalid(e.text_in(dom::ui_lang())));
    }
    if let Some(seen) = chrome::session_get(chrome::ACTIVE_ORG_KEY).await {
        return OrgUrl::parse(&seen).map_err(|e| OrgProblem::Invalid(e.text_in(dom::ui_lang())));
    }
    if !dom::is_extension_page() {
        return OrgUrl::parse_with(&dom::origin(), policy)
            .map_err(|e| OrgProblem::Invalid(e.text_in(dom::ui_lang())));
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
    let (org, transport) = match bearer::restore() {
        Some(bearer) => (bearer.config().org.clone(), OrgTransport::Bearer(bearer)),
        None => {
            let org = resolve_org().await?;
            let transport = OrgTransport::Session(FetchTransport::new(org.clone()));
            (org, transport)
        }
    };
    // Reads wait out the service's throttling (429 Retry-After), sharing the page's limits ledger with
    // bulk runs, instead of reporting "unable to check" (issue 11).
    let clock = clock::BrowserClock;
    let reads = Patient::reads(&transport, &clock, limits_ledger());
    let (snapshot, errors) = collect::snapshot(&reads).await;
    // Told the time so Test & Enable runs that never finish are reported as stuck.
    let now = Timestamp(i64::try_from(clock::now_ms() / 1000).unwrap_or(i64::MAX));
    // The admin's "delayed after" threshold (chosen in the health view) decides step 7 too.
    let delayed_after_secs =
        chrome::local_get_value::<Settings>(SETTINGS_KEY).await.unwrap_or_default().delayed_after_secs;
    let options = EvaluateOptions {
        delayed_after_secs,
        lang: crate::platform::dom::ui_lang(),
        ..EvaluateOptions::at(now)
    };
    let report = readiness::evaluate_with(&snapshot, &errors, &options);
    let summary = GuideSummary::of(&org, &report);
    chrome::session_set(&format!("{}{}", chrome::SUMMARY_PREFIX, org.as_str()), &summary).await;
    // The in-page guide's mailbox records (issue 14): written after the checklist is shown.
    let guide = crate::state::guide::GuideMailboxes::of(&snapshot, &report).to_json();
    let guide_key = format!("{}{}", crate::state::guide::MAILBOXES_PREFIX, org.as_str());
    leptos::task::spawn_local(async move {
        chrome::session_set_text(&guide_key, &guide).await;
    });
    Ok(Loaded { org, snapshot, errors, report, loaded_at: clock::now_ms(), delayed_after_secs })
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
                title: s.step.title_in(crate::platform::dom::ui_lang()),
                status: s.status.key(),
                summary: s.summary.clone(),
            })
            .collect();
        Self { org: org.to_string(), steps }
    }
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
pub type Read = Option<Result<Arc<Loaded>, OrgProblem>>;

/// The org read of a page: the latest result of [`load`] and the way to read again.
///
/// A plain signal and task rather than a `LocalResource`: the async-derived machinery is a large
/// monomorphised copy. Only the latest read lands, as with a resource. Copy, like a signal.
#[derive(Debug, Clone, Copy)]
pub struct OrgRead {
    loaded: RwSignal<Read>,
    limits_wait: RwSignal<Option<String>>,
    awaiting_sign_in: StoredValue<bool>,
    generation: StoredValue<u64>,
}

impl OrgRead {
    /// Reads the org's checklist now, unless `awaiting_sign_in` holds (then the read waits for
    /// [`OrgRead::stop_waiting`], when the sign-in has finished).
    pub fn new(awaiting_sign_in: bool) -> Self {
        let read = Self {
            loaded: RwSignal::new(None),
            limits_wait: RwSignal::new(None),
            awaiting_sign_in: StoredValue::new(awaiting_sign_in),
            generation: StoredValue::new(0),
        };
        read.refetch();
        read
    }

    /// The latest result (tracked).
    pub fn get(&self) -> Read {
        self.loaded.get()
    }

    /// The latest result, as a signal to hand to views.
    pub fn signal(&self) -> RwSignal<Read> {
        self.loaded
    }

    /// While a read waits out the service's limits: what to say, with the seconds left (tracked).
    pub fn limits_wait(&self) -> Option<String> {
        self.limits_wait.get()
    }

    /// The org shown now, if the last read succeeded (untracked).
    pub fn shown_org(&self) -> Option<OrgUrl> {
        self.loaded.with_untracked(|l| l.as_ref().and_then(|r| r.as_ref().ok()).map(|d| d.org.clone()))
    }

    /// Whether the first read still waits for the sign-in to finish.
    pub fn awaiting_sign_in(&self) -> bool {
        self.awaiting_sign_in.try_get_value() == Some(true)
    }

    /// The sign-in settled (signed in, failed or cancelled): read now, and from now on.
    pub fn stop_waiting(&self) {
        self.awaiting_sign_in.set_value(false);
        self.refetch();
    }

    /// Reads the org again. A read still running is overtaken: only the latest lands.
    pub fn refetch(&self) {
        let Self { loaded, limits_wait, awaiting_sign_in, generation } = *self;
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
                clock::sleep(std::time::Duration::from_millis(500)).await;
                let now = syncready_core::bulk::Millis(clock::now_ms());
                let left = limits_ledger().waiting(now);
                let text = left
                    .filter(|_| still.get())
                    .map(|left| crate::state::field::limits_wait(left, dom::ui_lang()));
                if limits_wait.try_set(text).is_some() {
                    // The page is gone.
                    break;
                }
            }
        });
    }
}
