//! The bulk run service: plans a request against the org shown, starts and resumes runs, drives them
//! with the browser's transport and clock, and keeps the run's journal in `storage.session` so a
//! closed panel or an expired session can resume it. The bulk panel component renders a
//! [`BulkRun`] and calls its actions.

use super::bearer::OrgTransport;
use super::org::{Loaded, OrgRead, Read};
use crate::platform::clock::{self, BrowserClock};
use crate::platform::transport::limits_ledger;
use crate::platform::{chrome, dom};
use crate::state::bulk::{BulkRequest, SavedRun, saved_run_key};
use crate::state::field::{halt_text_in, resumable_in_place, waiting_for_dataverse_in};
use crate::state::settings::{ManagedSettings, SETTINGS_KEY, Settings};
use leptos::prelude::*;
use std::sync::Arc;
use syncready_core::bulk::{self, Control, Evidence, Plan, Progress, Run};
use syncready_core::http::{Request, Transport};
use syncready_core::i18n::Lang;
use syncready_core::limits::Patient;
use syncready_core::model::OrgUrl;
use syncready_core::tr;

/// Where the flow is.
#[derive(Debug, Clone)]
pub enum BulkPhase {
    /// Nothing planned.
    Idle,
    /// The dry run of a plan, waiting for the admin's confirmation.
    Preview(Arc<Plan>),
    /// A run is sending.
    Running,
    /// A run ended (done, cancelled or halted): its progress and evidence are shown.
    Finished,
    /// Nothing can be planned or run, and why.
    Problem(String),
}

impl BulkPhase {
    /// The phase's `data-phase` value.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Preview(_) => "preview",
            Self::Running => "running",
            Self::Finished => "finished",
            Self::Problem(_) => "problem",
        }
    }
}

/// Minimum time between two progress repaints.
const REPAINT_MS: u64 = 150;
/// Minimum time between two saves of the run's journal.
const SAVE_MS: u64 = 2_000;

/// The org read, if it succeeded.
fn shown(read: &Read) -> Option<&Loaded> {
    read.as_ref()?.as_ref().ok().map(|d| &**d)
}

/// The bulk run of a page: its state as signals, and the actions the bulk panel offers. Copy, like
/// a signal; made once per page with [`BulkRun::new`].
#[derive(Debug, Clone, Copy)]
pub struct BulkRun {
    phase: RwSignal<BulkPhase>,
    progress: RwSignal<Option<Progress>>,
    evidence: RwSignal<Option<Evidence>>,
    cancel: RwSignal<bool>,
    // After a session-expiry or unreachable halt: what the "I signed in again" check found.
    recheck: RwSignal<Option<String>>,
    // The interrupted run saved for the org shown: read again whenever the org's data changes and
    // after a discard. A signal, not a resource: one resource type less.
    saved: RwSignal<Option<SavedRun>>,
    org_read: OrgRead,
    on_finished: Callback<()>,
}

impl BulkRun {
    /// The bulk run for the org `org_read` shows. A new `request` is planned at once (nothing is
    /// sent before the admin confirms); `on_finished` runs after a run ends (to refresh the
    /// checklist).
    pub fn new(org_read: OrgRead, request: RwSignal<Option<BulkRequest>>, on_finished: Callback<()>) -> Self {
        let this = Self {
            phase: RwSignal::new(BulkPhase::Idle),
            progress: RwSignal::new(None),
            evidence: RwSignal::new(None),
            cancel: RwSignal::new(false),
            recheck: RwSignal::new(None),
            saved: RwSignal::new(None),
            org_read,
            on_finished,
        };
        let Self { phase, progress, evidence, .. } = this;
        let context = org_read.signal();
        Effect::new(move |_| {
            if let Some(req) = request.get() {
                evidence.set(None);
                progress.set(None);
                // Bound to the org it is planned for: it runs against no other (issue 12).
                let planned = context.with_untracked(|c| {
                    shown(c).map(|d| {
                        bulk::plan(&d.snapshot, &req.selection, &req.action)
                            .map(|p| p.bound_to(d.org.clone()))
                    })
                });
                let lang = dom::ui_lang();
                phase.set(match planned {
                    Some(Ok(plan)) => BulkPhase::Preview(Arc::new(plan)),
                    Some(Err(e)) => BulkPhase::Problem(e.text(lang)),
                    None => BulkPhase::Problem(lang.t("bulk.org-loading").to_owned()),
                });
            }
        });
        // The panel's state belongs to the org it was made for: when the panel follows the admin to
        // another org, a preview, a problem and a finished run's results (with their Undo) are dropped
        // (issue 12). A running run keeps going against the org it started with; its Undo is bound to
        // that org and refused anywhere else.
        Effect::new(move |prev: Option<Option<String>>| {
            let current = context.with(|c| shown(c).map(|d| d.org.to_string()));
            this.read_saved();
            let before = prev.flatten();
            if let (Some(b), Some(c)) = (&before, &current)
                && b != c
                && !matches!(phase.get_untracked(), BulkPhase::Running)
            {
                phase.set(BulkPhase::Idle);
                evidence.set(None);
                progress.set(None);
            }
            // While the new org is being read the context is empty; remember the last org shown.
            current.or(before)
        });
        // The preview is a sheet at the bottom of the window: keyboard users land on its confirm
        // button (issue 13) instead of having to find the sheet with Shift+Tab. Effects run after the
        // view is updated, so the button exists by then.
        Effect::new(move |_| {
            if matches!(phase.get(), BulkPhase::Preview(_)) {
                dom::move_focus("bulk-confirm");
            }
        });
        this
    }

    /// Where the flow is (tracked).
    pub fn phase(&self) -> BulkPhase {
        self.phase.get()
    }

    /// The progress of the run shown.
    pub fn progress(&self) -> RwSignal<Option<Progress>> {
        self.progress
    }

    /// What the "I signed in again" check found (tracked).
    pub fn recheck(&self) -> Option<String> {
        self.recheck.get()
    }

    /// The interrupted run saved for the org shown: how many records it has left and its action's
    /// title (tracked).
    pub fn saved_offer(&self) -> Option<(usize, &'static str)> {
        self.saved.with(|s| {
            s.as_ref().map(|s| {
                (s.plan.items.len(), crate::state::bulk::action_title_in(&s.plan.action, dom::ui_lang()))
            })
        })
    }

    fn org(&self) -> Option<OrgUrl> {
        self.org_read.shown_org()
    }

    fn read_saved(&self) {
        let saved = self.saved;
        let key = self.org_read.signal().with_untracked(|c| shown(c).map(|d| saved_run_key(d.org.as_str())));
        leptos::task::spawn_local(async move {
            let run = match key {
                Some(key) => chrome::session_get_value::<SavedRun>(&key).await,
                None => None,
            };
            saved.try_set(run);
        });
    }

    fn start(self, run: Run) {
        let Self { phase, progress, evidence, cancel, on_finished, .. } = self;
        let lang = dom::ui_lang();
        let Some(org) = self.org() else {
            phase.set(BulkPhase::Problem(lang.t("bulk.no-org").to_owned()));
            return;
        };
        // The org shown now must be the org the plan was made for (the plan, the undo plan and
        // the resumed run all carry it); otherwise nothing is sent.
        if let Err(refused) = run.plan().check_target(&org) {
            phase.set(BulkPhase::Problem(tr!(lang, "bulk.not-run", why = refused.text(lang))));
            return;
        }
        cancel.set(false);
        phase.set(BulkPhase::Running);
        leptos::task::spawn_local(async move {
            let session = OrgTransport::for_org(&org);
            // Its 429s go into the page's limits ledger, so the checklist's reads wait them out too.
            let transport = Patient::runs(&session, &BrowserClock, limits_ledger());
            let key = saved_run_key(org.as_str());
            let mut last_paint = 0_u64;
            let mut last_save = 0_u64;
            let outcome = bulk::drive_with(run, &transport, &BrowserClock, |run: &Run| {
                let now = clock::now_ms();
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
            phase.set(BulkPhase::Finished);
            on_finished.run(());
        });
    }

    /// Runs the previewed plan with the saved bulk preferences (an organisation's presets first).
    pub fn confirm(&self) {
        let this = *self;
        if let BulkPhase::Preview(plan) = self.phase.get_untracked() {
            leptos::task::spawn_local(async move {
                let local: Settings = chrome::local_get_value(SETTINGS_KEY).await.unwrap_or_default();
                // An organisation's presets (chrome.storage.managed) take precedence.
                let managed = chrome::managed_get_value::<ManagedSettings>().await.unwrap_or_default();
                let settings = managed.apply(local);
                this.start(Run::new((*plan).clone(), settings.run_config()));
            });
        }
    }

    /// Resumes the interrupted run saved for the org shown.
    pub fn resume(&self) {
        let Some(current) = self.org() else { return };
        let lang = dom::ui_lang();
        let resumed = self.saved.with(|s| {
            s.as_ref().map(|s| {
                s.check_target(&current).map_err(|e| e.text(lang))?;
                Run::resume(s.plan.clone(), &s.journal, s.config.clone()).map_err(|e| e.text(lang))
            })
        });
        match resumed {
            Some(Ok(run)) => self.start(run),
            Some(Err(why)) => self.phase.set(BulkPhase::Problem(tr!(lang, "bulk.cannot-resume", why = why))),
            None => {}
        }
    }

    /// "I signed in again": WhoAmI answers with the session again, then the saved run resumes here.
    pub fn signed_in_again(&self) {
        let this = *self;
        let Some(org) = self.org() else { return };
        let Self { recheck, phase, .. } = this;
        let lang = dom::ui_lang();
        recheck.set(Some(lang.t("bulk.recheck.checking").to_owned()));
        leptos::task::spawn_local(async move {
            let answer = OrgTransport::for_org(&org).send(Request::get("WhoAmI")).await;
            let ok = answer.as_ref().is_ok_and(|r| {
                syncready_core::odata::check_response(r).is_ok()
                    && r.header("Content-Type").is_some_and(|t| t.contains("json"))
            });
            if !ok {
                recheck.try_set(Some(lang.t("bulk.recheck.still-out").to_owned()));
                return;
            }
            recheck.try_set(None);
            let saved_run = chrome::session_get_value::<SavedRun>(&saved_run_key(org.as_str())).await;
            match saved_run.map(|s| Run::resume(s.plan, &s.journal, s.config)) {
                Some(Ok(run)) => this.start(run),
                Some(Err(e)) => {
                    phase.set(BulkPhase::Problem(tr!(lang, "bulk.cannot-resume", why = e.text(lang))))
                }
                None => phase.set(BulkPhase::Problem(lang.t("bulk.not-saved").to_owned())),
            }
        });
    }

    /// Forgets the interrupted run saved for the org shown.
    pub fn discard(&self) {
        let this = *self;
        if let Some(org) = self.org() {
            let key = saved_run_key(org.as_str());
            leptos::task::spawn_local(async move {
                chrome::session_remove(&key).await;
                this.read_saved();
            });
        }
    }

    /// Previews the undo of the finished run.
    pub fn undo(&self) {
        if let Some(ev) = self.evidence.get_untracked() {
            self.phase.set(BulkPhase::Preview(Arc::new(Plan::undo(&ev))));
            self.evidence.set(None);
            self.progress.set(None);
        }
    }

    /// Closes the preview, the problem or the results.
    pub fn close(&self) {
        self.phase.set(BulkPhase::Idle);
    }

    /// Offers the finished run's evidence as a file: JSON, or CSV.
    pub fn export(&self, json: bool) {
        if let Some(ev) = self.evidence.get_untracked() {
            let (name, mime, text) = if json {
                ("syncready-changes.json", "application/json", ev.to_json())
            } else {
                ("syncready-changes.csv", "text/csv", ev.to_csv())
            };
            let _ = dom::download(name, mime, &text);
        }
    }

    /// Why the run halted, in `lang`, with local times.
    pub fn halt_text(&self, progress: &Progress, lang: Lang) -> Option<String> {
        progress.halt.as_ref().map(|h| halt_text_in(h, clock::local_time, lang))
    }

    /// What the run waits for from Dataverse now, if anything, in `lang`.
    pub fn waiting_text(&self, progress: &Progress, lang: Lang) -> Option<String> {
        waiting_for_dataverse_in(progress, clock::now_ms(), clock::local_time, lang)
    }

    /// Asks the running run to stop after the requests in flight.
    pub fn cancel(&self) {
        self.cancel.set(true);
    }
}
