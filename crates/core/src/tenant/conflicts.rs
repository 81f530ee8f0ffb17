//! Conflicts between environments, and their fixes as bulk plans bound to one environment each.
//!
//! Facts: an Exchange mailbox can synchronise appointments, contacts and tasks with one organization
//! only; Exchange stores the synchronising org's id, and "Sync items with Exchange from this org
//! only" (`orgmarkedasprimaryforexchangesync`) overwrites it; Microsoft's advice is to set the other
//! org's method to None ("When would I want to use this check box?",
//! <https://learn.microsoft.com/power-platform/admin/when-would-want-use-check-box>). An "Everything"
//! copy of an environment keeps its data (record ids included), and its mailboxes must be set to
//! None in the copy, because "a mailbox can't be synced with two different environments" ("Copy an
//! environment", <https://learn.microsoft.com/power-platform/admin/copy-environment>).
//!
//! Which org Exchange currently names is not visible through the Web API, so the owner is read from
//! what the orgs show: the mark, the last ACT test, and the alert that another org synchronises the
//! mailbox.

use super::read::TenantRead;
use crate::bulk::{Action, Plan, PlanError, Selection, plan};
use crate::model::{ActDeliveryMethod, DeliveryMethod, Mailbox, TestStatus};
use crate::readiness::rules::{AlertCause, decode_alert};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One environment's mailbox for a conflicting address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// The environment (index in the read).
    pub env: usize,
    /// Its name.
    pub env_name: String,
    /// The mailbox id.
    pub mailbox_id: String,
    /// The mailbox's name.
    pub mailbox_name: String,
    /// Appointments, contacts and tasks through server-side synchronization.
    pub act_sss: bool,
    /// "Sync items with Exchange from this org only" is set.
    pub marked_primary: bool,
    /// The last ACT test.
    pub act_status: Option<TestStatus>,
    /// An alert says another org synchronises this mailbox's appointments, contacts and tasks.
    pub another_org_alert: bool,
}

/// Who synchronises appointments, contacts and tasks for an address, as far as the orgs show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum ActOwner {
    /// Exactly one environment synchronises them and is marked "this org only".
    Marked {
        /// The environment.
        env: usize,
    },
    /// Exactly one environment's last ACT test succeeded without an alert about another org.
    LastTest {
        /// The environment.
        env: usize,
    },
    /// No environment synchronises them through server-side synchronization.
    Nobody,
    /// The orgs do not tell (several marked, or several tested, or none): these candidates.
    Unclear {
        /// Environments with ACT through server-side synchronization.
        candidates: Vec<usize>,
    },
}

/// One address enabled for server-side synchronization in more than one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressConflict {
    /// The address as the first environment shows it.
    pub address: String,
    /// One mailbox per environment, in the read's order.
    pub holders: Vec<Holder>,
    /// Who owns appointments, contacts and tasks.
    pub owner: ActOwner,
}

/// A non-production environment holding production's mailbox records (same ids: a copy) with
/// server-side synchronization still on. When the types are not known (session reuse: no discovery),
/// two environments holding the same records are reported with `certain` false: one is a copy of the
/// other, and the admin says which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyConflict {
    /// The copy (when not `certain`, the later of the two in the read).
    pub copy: usize,
    /// The production environment it shares record ids with (when not `certain`, the other one).
    pub production: usize,
    /// Whether the types say which one is the copy.
    pub certain: bool,
    /// Mailbox ids both hold.
    pub shared: usize,
    /// Shared mailboxes the copy still synchronises (any direction), ids.
    pub enabled: Vec<String>,
    /// When not `certain`: the shared mailboxes the other one still synchronises.
    pub other_enabled: Vec<String>,
}

/// Everything found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ConflictReport {
    /// Addresses synchronised from several environments, by address.
    pub addresses: Vec<AddressConflict>,
    /// Copies of production with mailboxes still enabled.
    pub copies: Vec<CopyConflict>,
}

fn uses_sss(m: &Mailbox) -> bool {
    m.is_in_scope()
        && (m.incoming == Some(DeliveryMethod::ServerSideSync)
            || m.outgoing == Some(DeliveryMethod::ServerSideSync)
            || m.act == Some(ActDeliveryMethod::ServerSideSync))
}

fn owner(holders: &[Holder]) -> ActOwner {
    let act: Vec<&Holder> = holders.iter().filter(|h| h.act_sss).collect();
    if act.is_empty() {
        return ActOwner::Nobody;
    }
    let marked: Vec<&&Holder> = act.iter().filter(|h| h.marked_primary).collect();
    if let [one] = marked.as_slice() {
        return ActOwner::Marked { env: one.env };
    }
    let tested: Vec<&&Holder> =
        act.iter().filter(|h| h.act_status == Some(TestStatus::Success) && !h.another_org_alert).collect();
    if let [one] = tested.as_slice() {
        return ActOwner::LastTest { env: one.env };
    }
    ActOwner::Unclear { candidates: act.iter().map(|h| h.env).collect() }
}

/// Finds the conflicts between the environments `read` has read.
pub fn find_conflicts(read: &TenantRead) -> ConflictReport {
    let envs = read.environments();
    // address (folded) → holders
    let mut by_address: BTreeMap<String, (String, Vec<Holder>)> = BTreeMap::new();
    for (i, env) in envs.iter().enumerate() {
        let Some(result) = read.result(i) else { continue };
        if !matches!(read.progress()[i].state, super::EnvState::Read { .. }) {
            continue;
        }
        let Some(mailboxes) = &result.snapshot.mailboxes else { continue };
        let another: HashSet<&str> = result
            .snapshot
            .alerts
            .iter()
            .flat_map(|a| &a.alerts)
            .filter(|a| decode_alert(a) == Some(AlertCause::AnotherOrganization))
            .filter_map(|a| a.regarding.as_deref())
            .collect();
        for m in mailboxes.iter().filter(|m| uses_sss(m)) {
            let Some(address) = m.email.as_deref().map(str::trim).filter(|a| !a.is_empty()) else { continue };
            let entry =
                by_address.entry(crate::text::fold(address)).or_insert_with(|| (address.to_owned(), Vec::new()));
            if entry.1.iter().any(|h| h.env == i) {
                continue;
            }
            entry.1.push(Holder {
                env: i,
                env_name: env.name.clone(),
                mailbox_id: m.id.clone(),
                mailbox_name: m.name.clone(),
                act_sss: m.act == Some(ActDeliveryMethod::ServerSideSync),
                marked_primary: m.org_marked_primary,
                act_status: m.act_status,
                another_org_alert: another.contains(m.id.as_str()),
            });
        }
    }
    let addresses = by_address
        .into_values()
        .filter(|(_, holders)| holders.len() > 1)
        .map(|(address, holders)| AddressConflict { owner: owner(&holders), address, holders })
        .collect();
    ConflictReport { addresses, copies: copies(read) }
}

fn still_synchronising(m: &Mailbox) -> bool {
    m.is_in_scope()
        && (m.incoming.is_some_and(|d| d != DeliveryMethod::None)
            || m.outgoing.is_some_and(|d| d != DeliveryMethod::None)
            || m.act.is_some_and(|d| d != ActDeliveryMethod::None))
}

fn copies(read: &TenantRead) -> Vec<CopyConflict> {
    use super::EnvKind;
    let envs = read.environments();
    let boxes = |i: usize| {
        read.result(i)
            .filter(|_| matches!(read.progress()[i].state, super::EnvState::Read { .. }))
            .and_then(|r| r.snapshot.mailboxes.as_ref())
    };
    let unknown = |k: EnvKind| k == EnvKind::Other(-1);
    let mut out = Vec::new();
    for a in 0..envs.len() {
        for b in a + 1..envs.len() {
            let (ka, kb) = (envs[a].kind, envs[b].kind);
            // (copy, source, certain)
            let (copy, source, certain) = match (ka == EnvKind::Production, kb == EnvKind::Production) {
                (true, false) => (b, a, true),
                (false, true) => (a, b, true),
                _ if unknown(ka) && unknown(kb) => (b, a, false),
                _ => continue,
            };
            let (Some(source_boxes), Some(copy_boxes)) = (boxes(source), boxes(copy)) else { continue };
            let source_ids: HashMap<&str, &Mailbox> = source_boxes.iter().map(|m| (m.id.as_str(), m)).collect();
            let shared: Vec<(&Mailbox, &Mailbox)> =
                copy_boxes.iter().filter_map(|m| source_ids.get(m.id.as_str()).map(|s| (m, *s))).collect();
            let enabled: Vec<String> =
                shared.iter().filter(|(m, _)| still_synchronising(m)).map(|(m, _)| m.id.clone()).collect();
            let other_enabled: Vec<String> = if certain {
                Vec::new()
            } else {
                shared.iter().filter(|(_, s)| still_synchronising(s)).map(|(_, s)| s.id.clone()).collect()
            };
            if !enabled.is_empty() && (certain || !other_enabled.is_empty()) {
                out.push(CopyConflict {
                    copy,
                    production: source,
                    certain,
                    shared: shared.len(),
                    enabled,
                    other_enabled,
                });
            }
        }
    }
    out
}

/// A one-click fix the admin chooses. Each writes to exactly one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "fix", rename_all = "kebab-case")]
pub enum Fix {
    /// Make `env` the owner: Test & Enable with "this org only" on its mailboxes for the addresses
    /// (all conflicting addresses it holds when `addresses` is empty).
    OwnIn {
        /// The environment written to.
        env: usize,
        /// Folded or as-shown addresses; empty: all.
        addresses: Vec<String>,
    },
    /// Stop `env` from synchronising appointments, contacts and tasks for the addresses: ACT
    /// delivery method None (empty: all conflicting addresses it holds).
    ActNoneIn {
        /// The environment written to.
        env: usize,
        /// Addresses; empty: all.
        addresses: Vec<String>,
    },
    /// In a copy of production: incoming, outgoing and ACT methods None on the shared mailboxes it
    /// still synchronises (when the copy is not certain, in whichever of the two `env` names).
    DisableCopy {
        /// The copy written to.
        env: usize,
    },
}

impl Fix {
    /// The one environment the fix writes to.
    pub fn env(&self) -> usize {
        match self {
            Fix::OwnIn { env, .. } | Fix::ActNoneIn { env, .. } | Fix::DisableCopy { env } => *env,
        }
    }
}

/// Why a fix cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FixError {
    /// The environment was not read (or not successfully).
    #[error("{0} was not read, so nothing can be planned for it")]
    NotRead(String),
    /// The environment has no org address.
    #[error("{0} has no org address")]
    NoAddress(String),
    /// The conflicts name no mailbox of the environment for this fix.
    #[error("no conflicting mailbox of {0} matches this fix")]
    NothingToFix(String),
    /// The bulk planner refused.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl FixError {
    /// Why the fix cannot be planned, in `lang` (`tenant.fix-error.*`); the bulk planner's refusal
    /// keeps its own words.
    pub fn text_in(&self, lang: crate::i18n::Lang) -> String {
        use crate::tr;
        match self {
            FixError::NotRead(env) => tr!(lang, "tenant.fix-error.not-read", env = env),
            FixError::NoAddress(env) => tr!(lang, "tenant.fix-error.no-address", env = env),
            FixError::NothingToFix(env) => tr!(lang, "tenant.fix-error.nothing-to-fix", env = env),
            FixError::Plan(e) => e.text(lang),
        }
    }
}

/// The plan of `fix`: one bulk plan in the environment the fix names, bound to that org
/// ([`Plan::bound_to`]), previewed and run by the same engine as the single-org fixes.
pub fn fix_plan(read: &TenantRead, report: &ConflictReport, fix: &Fix) -> Result<Plan, FixError> {
    let i = fix.env();
    let env = read.environments().get(i).ok_or_else(|| FixError::NotRead(format!("environment {i}")))?;
    let result = read
        .result(i)
        .filter(|_| matches!(read.progress()[i].state, super::EnvState::Read { .. }))
        .ok_or_else(|| FixError::NotRead(env.name.clone()))?;
    let url = env.url.clone().ok_or_else(|| FixError::NoAddress(env.name.clone()))?;
    let wanted = |addresses: &[String], a: &AddressConflict| {
        addresses.is_empty() || addresses.iter().any(|x| crate::text::fold(x.trim()) == crate::text::fold(&a.address))
    };
    let holders_in = |addresses: &[String]| -> Vec<String> {
        report
            .addresses
            .iter()
            .filter(|a| wanted(addresses, a))
            .flat_map(|a| a.holders.iter().filter(|h| h.env == i).map(|h| h.mailbox_id.clone()))
            .collect()
    };
    let (ids, action) = match fix {
        Fix::OwnIn { addresses, .. } => {
            (holders_in(addresses), Action::TestAndEnable { this_org_only: true, process_email_after: None })
        }
        Fix::ActNoneIn { addresses, .. } => (
            holders_in(addresses),
            Action::EditProfileAndMethods {
                profile_id: None,
                incoming: None,
                outgoing: None,
                act: Some(ActDeliveryMethod::None),
            },
        ),
        Fix::DisableCopy { .. } => (
            report
                .copies
                .iter()
                .flat_map(|c| match (c.copy == i, !c.certain && c.production == i) {
                    (true, _) => c.enabled.clone(),
                    (false, true) => c.other_enabled.clone(),
                    (false, false) => Vec::new(),
                })
                .collect(),
            Action::EditProfileAndMethods {
                profile_id: None,
                incoming: Some(DeliveryMethod::None),
                outgoing: Some(DeliveryMethod::None),
                act: Some(ActDeliveryMethod::None),
            },
        ),
    };
    if ids.is_empty() {
        return Err(FixError::NothingToFix(env.name.clone()));
    }
    let mut seen = HashMap::new();
    let ids: Vec<String> = ids.into_iter().filter(|id| seen.insert(id.clone(), ()).is_none()).collect();
    Ok(plan(&result.snapshot, &Selection::Ids(ids), &action)?.bound_to(url))
}
