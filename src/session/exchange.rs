//! The Microsoft 365 checks (issue 16): the Graph token from the own sign-in, the lookup of the
//! mailboxes behind failing tests, and what the page does with the result (export, address fix).
//!
//! Session reuse cannot reach Graph (the Dynamics cookies are the org's), so without the own sign-in
//! the view stays [`ExchangeView::SignInNeeded`]. The Graph token is asked for only when the admin
//! starts a check, and kept in memory for the page's life.

use crate::platform::chrome;
use crate::platform::clock::BrowserClock;
use crate::platform::transport::FetchTransport;
use crate::session::sign_in;
use crate::state::bulk::BulkRequest;
use crate::state::exchange::ExchangeView;
use crate::state::guide::{GuideMailboxes, MAILBOXES_PREFIX};
use leptos::prelude::*;
use syncready_core::bulk::{Action, AddressChange, Clock, Selection};
use syncready_core::collect::Snapshot;
use syncready_core::graph::{self, Lookup, LookupConfig, LookupError, MailboxCheck, Verdict};
use syncready_core::http::Transport;
use syncready_core::model::OrgUrl;
use syncready_core::oauth::OAuthError;

/// The checks of one page.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeCheck {
    view: RwSignal<ExchangeView>,
    /// Not shown, so never tracked: an `RwSignal` rather than a `StoredValue` because the wasm has
    /// `RwSignal<Option<String>>` already (docs/size.md).
    token: RwSignal<Option<String>>,
}

impl Default for ExchangeCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl ExchangeCheck {
    /// A check in its initial state: sign-in needed, or ready when the own sign-in is there.
    pub fn new() -> Self {
        Self { view: RwSignal::new(ExchangeView::SignInNeeded), token: RwSignal::new(None) }
    }

    /// The view (tracked).
    pub fn view(&self) -> Signal<ExchangeView> {
        self.view.into()
    }

    /// After a read: how many mailboxes a check would look up (keeps results of the same org).
    pub fn prepare(&self, snapshot: &Snapshot) {
        let signed_in = sign_in::load_session().is_some();
        let candidates = graph::targets(snapshot, false).len();
        let all = graph::targets(snapshot, true).len();
        self.view.update(|v| match v {
            ExchangeView::Checking { .. } | ExchangeView::Done { .. } if signed_in => {}
            _ if signed_in => *v = ExchangeView::Ready { candidates, all },
            _ => *v = ExchangeView::SignInNeeded,
        });
    }

    async fn graph_token(&self) -> Result<String, ExchangeView> {
        if let Some(t) = self.token.get_untracked() {
            return Ok(t);
        }
        let Some((config, tokens)) = sign_in::load_session() else { return Err(ExchangeView::SignInNeeded) };
        let Some(refresh) = tokens.refresh_token.as_ref().map(|r| r.expose().to_owned()) else {
            let detail = crate::platform::dom::ui_lang().t("exchange.no-refresh-token").to_owned();
            return Err(ExchangeView::Failed { detail });
        };
        let transport = FetchTransport::without_cookies(config.org.clone());
        let answer = transport
            .send(graph::graph_token_request(&config, &refresh))
            .await
            .map_err(|e| ExchangeView::Failed { detail: e.to_string() })?;
        match graph::parse_graph_token(&answer, &tokens, crate::platform::identity::now()) {
            Ok(t) => {
                let token = t.access_token.expose().to_owned();
                self.token.set(Some(token.clone()));
                Ok(token)
            }
            Err(e @ OAuthError::ConsentRequired(_)) => {
                Err(ExchangeView::ConsentMissing { detail: e.to_string() })
            }
            Err(e) => Err(ExchangeView::Failed { detail: e.to_string() }),
        }
    }

    /// Looks up the failed and never-run mailboxes of `snapshot` (or `all`) and shows the verdicts.
    /// The in-page guide's mailbox table is written again with the findings (`report` is the
    /// checklist the table was made from).
    pub fn check(
        &self,
        org: OrgUrl,
        snapshot: std::sync::Arc<Snapshot>,
        report: std::sync::Arc<syncready_core::readiness::Report>,
        all: bool,
    ) {
        let this = *self;
        leptos::task::spawn_local(async move {
            let targets = graph::targets(&snapshot, all);
            let total = targets.len();
            this.view.set(ExchangeView::Checking { done: 0, total, waiting_secs: None });
            let token = match this.graph_token().await {
                Ok(t) => t,
                Err(view) => {
                    this.view.set(view);
                    return;
                }
            };
            let clock = BrowserClock;
            let transport = FetchTransport::without_cookies(org.clone());
            let lookup = Lookup::new(targets, &token, LookupConfig::default(), clock.now());
            let outcome = graph::run(lookup, &transport, &clock, |l| {
                let (done, total) = l.progress();
                let now = clock.now();
                let waiting_secs = l.paused_until(now).map(|u| u.since(now).as_secs().max(1));
                this.view.try_set(ExchangeView::Checking { done, total, waiting_secs });
            })
            .await;
            let view = match &outcome.halted {
                Some(e @ LookupError::ConsentMissing { .. }) => {
                    ExchangeView::ConsentMissing { detail: e.to_string() }
                }
                Some(e @ LookupError::Unauthorized { .. }) => {
                    this.token.set(None);
                    ExchangeView::Failed { detail: e.to_string() }
                }
                halted => {
                    let checks = graph::checks(&snapshot, &outcome);
                    let guide = GuideMailboxes::of(&snapshot, &report)
                        .with_m365(&checks, crate::platform::dom::ui_lang())
                        .to_json();
                    chrome::session_set_text(&format!("{MAILBOXES_PREFIX}{}", org.as_str()), &guide).await;
                    ExchangeView::Done { checks, halted: halted.as_ref().map(ToString::to_string) }
                }
            };
            this.view.try_set(view);
        });
    }

    /// The checks shown, if any.
    pub fn checks(&self) -> Vec<MailboxCheck> {
        match self.view.get_untracked() {
            ExchangeView::Done { checks, .. } => checks,
            _ => Vec::new(),
        }
    }

    /// The CSV for the Microsoft 365 admin, its sentences in `lang` ([`graph::export_csv_in`]).
    pub fn export_csv(&self, lang: syncready_core::i18n::Lang) -> String {
        graph::export_csv_in(&self.checks(), lang)
    }

    /// The bulk request "update the address in Dynamics" for every mailbox whose user has another
    /// primary address (previewed and run by the bulk panel, bound to the org like any plan).
    pub fn address_request(&self) -> Option<BulkRequest> {
        let changes: Vec<AddressChange> = self
            .checks()
            .into_iter()
            .filter_map(|c| match c.verdict {
                Verdict::AddressNotPrimary { primary } => {
                    Some(AddressChange { mailbox_id: c.mailbox_id, address: primary })
                }
                _ => None,
            })
            .collect();
        if changes.is_empty() {
            return None;
        }
        let ids = changes.iter().map(|c| c.mailbox_id.clone()).collect();
        Some(BulkRequest { action: Action::SetEmailAddress { changes }, selection: Selection::Ids(ids) })
    }
}
