//! The "Exchange Online side" view (issue 16): what the Microsoft Graph lookups found, as plain data
//! for the checklist, the grid and the in-page guide. Pure; the session service
//! (`session::exchange`) produces it, components render it.

use std::collections::BTreeMap;
use syncready_core::graph::{MailboxCheck, Verdict, actor_label_in};
use syncready_core::i18n::Lang;
use syncready_core::{tr, trn};

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

/// The rows with a problem, worst first (by verdict, then name), their texts in `lang`.
pub fn problem_rows(checks: &[MailboxCheck], lang: Lang) -> Vec<Row> {
    let mut rows: Vec<Row> = checks
        .iter()
        .filter(|c| c.verdict.is_problem())
        .map(|c| Row {
            mailbox_id: c.mailbox_id.clone(),
            name: c.name.clone(),
            address: c.address.clone(),
            key: c.verdict.key(),
            summary: c.verdict.summary_in(lang),
            fix: c.verdict.fix_in(lang),
            actor: actor_label_in(c.verdict.actor(), lang),
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

/// Per mailbox id: the short text the grid shows next to a mailbox (problems only), in `lang`.
pub fn by_mailbox(checks: &[MailboxCheck], lang: Lang) -> BTreeMap<String, (String, &'static str)> {
    checks
        .iter()
        .filter(|c| c.verdict.is_problem())
        .map(|c| {
            (
                c.mailbox_id.clone(),
                (
                    tr!(
                        lang,
                        "exchange.grid.line",
                        summary = c.verdict.summary_in(lang),
                        fix = c.verdict.fix_in(lang)
                    ),
                    actor_label_in(c.verdict.actor(), lang),
                ),
            )
        })
        .collect()
}

/// The status line, in `lang`.
pub fn headline(view: &ExchangeView, lang: Lang) -> String {
    match view {
        ExchangeView::SignInNeeded => lang.t("exchange.headline.sign-in-needed").to_owned(),
        ExchangeView::Ready { candidates, all } => {
            tr!(lang, "exchange.headline.ready", candidates = candidates, all = all)
        }
        ExchangeView::Checking { done, total, waiting_secs: Some(s) } => {
            tr!(lang, "exchange.headline.waiting", done = done, total = total, secs = s)
        }
        ExchangeView::Checking { done, total, waiting_secs: None } => {
            tr!(lang, "exchange.headline.checking", done = done, total = total)
        }
        ExchangeView::ConsentMissing { .. } => lang.t("exchange.headline.consent").to_owned(),
        ExchangeView::Failed { detail } => tr!(lang, "exchange.headline.failed", detail = detail),
        ExchangeView::Done { checks, halted } => {
            let problems = checks.iter().filter(|c| c.verdict.is_problem()).count();
            let mut s = tr!(lang, "exchange.headline.done", checked = checks.len(), problems = problems);
            if let Some(h) = halted {
                s.push_str(&tr!(lang, "exchange.headline.halted", reason = h));
            }
            s
        }
    }
}

/// "Update 3 addresses in Dynamics…" in `lang`.
pub fn fix_label(fixes: usize, lang: Lang) -> String {
    trn!(lang, "exchange.fix-addresses", fixes)
}
