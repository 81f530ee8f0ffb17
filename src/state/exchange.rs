//! The "Exchange Online side" view (issue 16): what the Microsoft Graph lookups found, as plain data
//! for the checklist, the grid and the in-page guide. Pure; the session service
//! (`session::exchange`) produces it, components render it.

use std::collections::BTreeMap;
use syncready_core::graph::{MailboxCheck, Verdict};
use syncready_core::readiness::report::Actor;

/// Where the Microsoft 365 checks stand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExchangeView {
    /// Session reuse: the Dynamics session cannot reach Graph; the own sign-in is needed.
    #[default]
    SignInNeeded,
    /// Signed in: `candidates` mailboxes failed or never ran their test (`all` in scope).
    Ready {
        /// Failed or never tested.
        candidates: usize,
        /// Every in-scope mailbox with an address.
        all: usize,
    },
    /// Looking up.
    Checking {
        /// Addresses answered.
        done: usize,
        /// Addresses to look up.
        total: usize,
        /// While Graph asked for a pause: seconds left.
        waiting_secs: Option<u64>,
    },
    /// Nobody consented to `User.Read.All` (the token request or Graph said so).
    ConsentMissing {
        /// Entra ID's or Graph's words.
        detail: String,
    },
    /// Another failure (network, token expired, unexpected answer).
    Failed {
        /// What happened.
        detail: String,
    },
    /// Done.
    Done {
        /// One per mailbox looked up.
        checks: Vec<MailboxCheck>,
        /// Why the lookup stopped early, if it did.
        halted: Option<String>,
    },
}

/// One row of the results table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Mailbox id.
    pub mailbox_id: String,
    /// Owner.
    pub name: String,
    /// Address in Dynamics.
    pub address: String,
    /// Verdict key (`no-exchange-plan`, …).
    pub key: &'static str,
    /// What is wrong.
    pub summary: String,
    /// The fix.
    pub fix: String,
    /// Who acts.
    pub actor: &'static str,
}

/// "Dynamics 365 admin" or "Microsoft 365 admin".
pub fn actor_label(actor: Actor) -> &'static str {
    match actor {
        Actor::DynamicsAdmin => "Dynamics 365 admin",
        Actor::ExchangeAdmin => "Microsoft 365 admin",
    }
}

/// The rows with a problem, worst first (by verdict, then name).
pub fn problem_rows(checks: &[MailboxCheck]) -> Vec<Row> {
    let mut rows: Vec<Row> = checks
        .iter()
        .filter(|c| c.verdict.is_problem())
        .map(|c| Row {
            mailbox_id: c.mailbox_id.clone(),
            name: c.name.clone(),
            address: c.address.clone(),
            key: c.verdict.key(),
            summary: c.verdict.summary(),
            fix: c.verdict.fix(),
            actor: actor_label(c.verdict.actor()),
        })
        .collect();
    syncready_core::order::sort_by(&mut rows, |a, b| a.key.cmp(b.key).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// How many mailboxes per verdict key.
pub fn counts(checks: &[MailboxCheck]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for c in checks {
        *out.entry(c.verdict.key()).or_insert(0) += 1;
    }
    out
}

/// How many "update the address in Dynamics" fixes the one-click plan would make.
pub fn address_fixes(checks: &[MailboxCheck]) -> usize {
    checks.iter().filter(|c| matches!(c.verdict, Verdict::AddressNotPrimary { .. })).count()
}

/// Per mailbox id: the short text the grid and the guide show next to a mailbox (problems only).
pub fn by_mailbox(checks: &[MailboxCheck]) -> BTreeMap<String, (String, &'static str)> {
    checks
        .iter()
        .filter(|c| c.verdict.is_problem())
        .map(|c| {
            (
                c.mailbox_id.clone(),
                (format!("{} — {}", c.verdict.summary(), c.verdict.fix()), actor_label(c.verdict.actor())),
            )
        })
        .collect()
}

/// The status line.
pub fn headline(view: &ExchangeView) -> String {
    match view {
        ExchangeView::SignInNeeded => {
            "Sign in to check the Microsoft 365 side: the Dynamics session cannot reach Microsoft Graph."
                .to_owned()
        }
        ExchangeView::Ready { candidates, all } => {
            format!(
                "{candidates} mailboxes failed or never ran their test ({all} in all) can be checked in Microsoft 365."
            )
        }
        ExchangeView::Checking { done, total, waiting_secs: Some(s) } => {
            format!("Checking {done} of {total}… waiting for Microsoft Graph's limits ({s} s)")
        }
        ExchangeView::Checking { done, total, waiting_secs: None } => format!("Checking {done} of {total}…"),
        ExchangeView::ConsentMissing { .. } => {
            "An administrator must consent to User.Read.All (Microsoft Graph) for the Microsoft 365 checks."
                .to_owned()
        }
        ExchangeView::Failed { detail } => format!("The Microsoft 365 checks failed: {detail}"),
        ExchangeView::Done { checks, halted } => {
            let problems = checks.iter().filter(|c| c.verdict.is_problem()).count();
            let mut s = format!("{} checked in Microsoft 365: {problems} with a problem.", checks.len());
            if let Some(h) = halted {
                s.push_str(&format!(" Stopped early: {h}"));
            }
            s
        }
    }
}
