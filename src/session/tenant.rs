//! The tenant read (issue 15) as a page service: which environments, read how, and the fixes.
//!
//! Two ways in, as for one org:
//! - **own sign-in**: the sign-in's refresh token is redeemed for the Global Discovery Service's
//!   audience, `Instances` lists the environments, then one token per environment is redeemed in turn
//!   (each redemption rotates the refresh token, so they are not concurrent) and the newest refresh
//!   token goes back to the page's signed-in transport;
//! - **session reuse**: the orgs the service worker saw in this browser session
//!   (`syncready.seenOrgs`), read with their session cookies; one without a live session is refused
//!   with "sign-in needed", and the page offers the own sign-in for it.
//!
//! The reads themselves are `syncready_core::tenant::read_all`: several environments at a time, one
//! request in flight per org, each org with its own limits ledger.

use crate::platform::clock::{BrowserClock, now_ms};
use crate::platform::transport::FetchTransport;
use crate::platform::{chrome, dom};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use syncready_core::bulk::{self, Control, Plan, Progress, RunConfig};
use syncready_core::http::{Request, Response, Transport, TransportError};
use syncready_core::i18n::Lang;
use syncready_core::model::{OrgUrl, Timestamp};
use syncready_core::oauth::{Tokens, parse_refresh_response};
use syncready_core::readiness::{Checklist, EvaluateOptions, checklist, evaluate_with};
use syncready_core::tenant::discovery::{self, DISCOVERY_ORIGIN, DiscoveryError};
use syncready_core::tenant::{
    ConflictReport, Environment, Fix, FixError, ReadLimits, TenantRead, TenantRow, find_conflicts, fix_plan,
    read_all,
};
use syncready_core::tr;

/// The service worker's list of org origins opened in this browser session (JSON text).
pub const SEEN_ORGS_KEY: &str = "syncready.seenOrgs";

/// Where the tenant read stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Not started.
    Idle,
    /// Asking the Global Discovery Service.
    Discovering,
    /// Reading environments.
    Reading,
    /// Finished (or cancelled).
    Done,
    /// Discovery failed; why.
    Failed(Failure),
}

/// Why the own sign-in's discovery failed, as a value the page renders in its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No own sign-in.
    NotSignedIn,
    /// The sign-in has no tokens any more.
    SignInEnded,
    /// The sign-in has no refresh token to redeem.
    NoRefreshToken,
    /// No token for the Global Discovery Service's audience (Entra ID's words).
    NoDiscoveryToken(String),
    /// The Global Discovery Service could not be reached (the transport's words).
    Unreachable(String),
    /// The Global Discovery Service's answer was a refusal or unreadable.
    Discovery(DiscoveryError),
}

impl Failure {
    /// The failure in `lang` (`tenant.failure.*`).
    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            Failure::NotSignedIn => lang.t("tenant.failure.not-signed-in").to_owned(),
            Failure::SignInEnded => lang.t("tenant.failure.sign-in-ended").to_owned(),
            Failure::NoRefreshToken => lang.t("tenant.failure.no-refresh-token").to_owned(),
            Failure::NoDiscoveryToken(e) => tr!(lang, "tenant.failure.no-discovery-token", reason = e),
            Failure::Unreachable(e) => tr!(lang, "tenant.failure.unreachable", reason = e),
            Failure::Discovery(e) => e.text_in(lang),
        }
    }
}

/// A transport that adds one environment's bearer token to a cookie-less `fetch`.
struct Signed {
    inner: Option<FetchTransport>,
    authorization: Option<String>,
}

impl Transport for Signed {
    async fn send(&self, mut request: Request) -> Result<Response, TransportError> {
        let Some(inner) = &self.inner else {
            return Err(TransportError::Unavailable("the environment has no org address".to_owned()));
        };
        if let Some(a) = &self.authorization {
            request.headers.push(("Authorization".to_owned(), a.clone()));
        }
        inner.send(request).await
    }
}

/// How each environment is reached.
#[derive(Clone)]
enum Access {
    /// Session cookies.
    Session,
    /// A token per environment (by index), from the own sign-in.
    Tokens(Rc<RefCell<Vec<Option<String>>>>),
}

/// The page's tenant service: signals the view renders, and the actions it calls.
#[derive(Clone)]
pub struct TenantSession {
    /// The rows, one per environment.
    pub rows: RwSignal<Vec<TenantRow>>,
    /// Conflicts found once every environment finished.
    pub conflicts: RwSignal<Option<ConflictReport>>,
    /// Where the read stands.
    pub phase: RwSignal<Phase>,
    /// The progress of a running fix.
    pub fix_progress: RwSignal<Option<Progress>>,
    cancel: Rc<Cell<bool>>,
    read: Rc<RefCell<Option<TenantRead>>>,
    access: Rc<RefCell<Access>>,
}

impl Default for TenantSession {
    fn default() -> Self {
        Self::new()
    }
}

fn evaluate_env(read: &TenantRead, i: usize) -> Option<Checklist> {
    let r = read.result(i)?;
    let now = Timestamp(i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX));
    Some(checklist(&evaluate_with(&r.snapshot, &r.errors, &EvaluateOptions::at(now))))
}

impl TenantSession {
    /// A service with nothing read.
    pub fn new() -> Self {
        TenantSession {
            rows: RwSignal::new(Vec::new()),
            conflicts: RwSignal::new(None),
            phase: RwSignal::new(Phase::Idle),
            fix_progress: RwSignal::new(None),
            cancel: Rc::new(Cell::new(false)),
            read: Rc::new(RefCell::new(None)),
            access: Rc::new(RefCell::new(Access::Session)),
        }
    }

    /// Stops the read: what is queued is cancelled, what is in flight is aborted.
    pub fn cancel(&self) {
        self.cancel.set(true);
    }

    /// The orgs opened in this browser session (session reuse), the page's own org first.
    pub async fn seen_orgs(current: Option<OrgUrl>) -> Vec<OrgUrl> {
        let text = chrome::session_get(SEEN_ORGS_KEY).await.unwrap_or_default();
        let listed: Vec<String> = syncready_core::json::decode(&text).unwrap_or_default();
        let mut orgs: Vec<OrgUrl> = current.into_iter().collect();
        for o in listed.iter().filter_map(|s| OrgUrl::parse(s).ok()) {
            if !orgs.contains(&o) {
                orgs.push(o);
            }
        }
        orgs
    }

    /// Reads `orgs` with their session cookies.
    pub async fn read_sessions(&self, orgs: Vec<OrgUrl>) {
        *self.access.borrow_mut() = Access::Session;
        let envs = orgs.into_iter().map(Environment::from_url).collect();
        self.read_envs(envs).await;
    }

    /// Own sign-in: discovery with a token for its audience, a token per environment, then the reads.
    pub async fn discover_and_read(&self) {
        let Some(bearer) = crate::session::bearer::restore() else {
            self.phase.set(Phase::Failed(Failure::NotSignedIn));
            return;
        };
        self.phase.set(Phase::Discovering);
        let config = bearer.config().clone();
        let Some(mut latest) = bearer.state().tokens().cloned() else {
            self.phase.set(Phase::Failed(Failure::SignInEnded));
            return;
        };
        let plain = FetchTransport::without_cookies(config.org.clone());
        let now = || Timestamp(i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX));
        // One redemption at a time: each answer carries the next refresh token.
        let redeem = |request: Request, previous: Tokens| {
            let plain = plain.clone();
            async move {
                let answer = plain.send(request).await.map_err(|e| e.to_string())?;
                parse_refresh_response(&answer, &previous, now()).map_err(|e| e.to_string())
            }
        };
        let Some(refresh) = latest.refresh_token.clone() else {
            self.phase.set(Phase::Failed(Failure::NoRefreshToken));
            return;
        };
        let disco =
            match redeem(discovery::discovery_token_request(&config, refresh.expose()), latest.clone()).await
            {
                Ok(t) => t,
                Err(e) => {
                    self.phase.set(Phase::Failed(Failure::NoDiscoveryToken(e)));
                    return;
                }
            };
        latest.refresh_token = disco.refresh_token.clone().or(latest.refresh_token);
        // The simulator demo (a loopback web app) serves the discovery service itself.
        let loopback = dom::host_policy() == syncready_core::model::HostPolicy::AllowLoopback;
        let origin = if loopback { dom::origin() } else { DISCOVERY_ORIGIN.to_owned() };
        let answer = plain.send(discovery::instances_request(&origin, &disco)).await;
        let instances = match answer
            .map_err(|e| Failure::Unreachable(e.to_string()))
            .and_then(|r| discovery::parse_instances(&r).map_err(Failure::Discovery))
        {
            Ok(i) => i,
            Err(e) => {
                self.phase.set(Phase::Failed(e));
                return;
            }
        };
        let envs = discovery::environments(&instances, syncready_core::model::HostPolicy::Production);
        let mut tokens = vec![None; envs.len()];
        for (i, env) in envs.iter().enumerate() {
            let (Some(url), None) = (&env.url, &env.skip) else { continue };
            let Some(rt) = latest.refresh_token.clone() else { break };
            if let Ok(t) =
                redeem(discovery::org_token_request(&config, url, rt.expose()), latest.clone()).await
            {
                tokens[i] = Some(t.authorization());
                latest.refresh_token = t.refresh_token.clone().or(latest.refresh_token);
            }
        }
        // The page's own transport keeps working with the newest refresh token.
        bearer.sign_in(latest);
        *self.access.borrow_mut() = Access::Tokens(Rc::new(RefCell::new(tokens)));
        self.read_envs(envs).await;
    }

    fn transport(&self, env: &Environment, index: usize) -> Signed {
        let url = env.url.clone();
        match &*self.access.borrow() {
            Access::Session => Signed { inner: url.map(FetchTransport::new), authorization: None },
            Access::Tokens(t) => Signed {
                inner: url.map(FetchTransport::without_cookies),
                authorization: t.borrow().get(index).cloned().flatten(),
            },
        }
    }

    async fn read_envs(&self, envs: Vec<Environment>) {
        self.cancel.set(false);
        self.conflicts.set(None);
        self.phase.set(Phase::Reading);
        let names: Vec<String> = envs.iter().map(|e| e.id.clone()).collect();
        let lists: RefCell<Vec<Option<Checklist>>> = RefCell::new(vec![None; names.len()]);
        let read = TenantRead::new(envs, ReadLimits::default());
        let cancel = self.cancel.clone();
        let rows = self.rows;
        let counter = Cell::new(0usize);
        let open = |e: &Environment| {
            let i = counter.get();
            counter.set(i + 1);
            let index = read_index(&names, e).unwrap_or(i);
            self.transport(e, index)
        };
        let done = read_all(read, open, &BrowserClock, |r: &TenantRead| {
            let mut lists = lists.borrow_mut();
            for (i, slot) in lists.iter_mut().enumerate() {
                if slot.is_none()
                    && matches!(r.progress()[i].state, syncready_core::tenant::EnvState::Read { .. })
                {
                    *slot = evaluate_env(r, i);
                }
            }
            rows.set(r.rows(|i| lists.get(i).cloned().flatten()));
            if cancel.get() { Control::Cancel } else { Control::Continue }
        })
        .await;
        self.conflicts.set(Some(find_conflicts(&done)));
        *self.read.borrow_mut() = Some(done);
        self.phase.set(Phase::Done);
    }

    /// The plan of a fix, bound to the environment it writes to, for the preview.
    pub fn plan(&self, fix: &Fix) -> Result<Plan, FixError> {
        let read = self.read.borrow();
        let read = read.as_ref().ok_or_else(|| FixError::NotRead("tenant".to_owned()))?;
        let report = self.conflicts.get_untracked().unwrap_or_default();
        fix_plan(read, &report, fix)
    }

    /// Runs a previewed fix against its one environment (refused if the plan names another).
    pub async fn run(&self, fix: Fix, plan: Plan, lang: Lang) -> Result<(), String> {
        let env = {
            let read = self.read.borrow();
            read.as_ref().and_then(|r| r.environments().get(fix.env()).cloned()).ok_or_else(|| {
                FixError::NotRead(tr!(lang, "tenant.environment-n", n = fix.env())).text_in(lang)
            })?
        };
        let url = env.url.clone().ok_or_else(|| FixError::NoAddress(env.name.clone()).text_in(lang))?;
        plan.check_target(&url).map_err(|e| e.to_string())?;
        let transport = self.transport(&env, fix.env());
        let progress = self.fix_progress;
        let out = bulk::drive(
            bulk::Run::new(plan, RunConfig::default()),
            &transport,
            &BrowserClock,
            |p: &Progress| {
                progress.set(Some(p.clone()));
            },
        )
        .await;
        progress.set(Some(out.progress));
        Ok(())
    }
}

fn read_index(ids: &[String], env: &Environment) -> Option<usize> {
    ids.iter().position(|id| *id == env.id)
}
