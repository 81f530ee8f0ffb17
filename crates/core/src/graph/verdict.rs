//! One verdict per mailbox from what Graph returned, with the fix and who acts; the join with the
//! Dataverse side; and the CSV a Microsoft 365 admin can act on.

use super::batch::GraphUser;
use super::lookup::{ItemError, LookupOutcome, Target};
use crate::bulk::{Action, AddressChange, Plan, PlanError, Selection, plan};
use crate::collect::Snapshot;
use crate::i18n::Lang;
use crate::model::{Mailbox, MailboxKind, OrgUrl, TestStatus};
use crate::readiness::report::Actor;
use crate::readiness::rules::{AlertCause, decode_alert};
use crate::tr;
use serde::Serialize;

/// "Dynamics 365 admin" or "Microsoft 365 admin" in `lang` (`exchange.actor.*`).
pub fn actor_label_in(actor: Actor, lang: Lang) -> &'static str {
    match actor {
        Actor::DynamicsAdmin => lang.t("exchange.actor.dynamics-admin"),
        Actor::ExchangeAdmin => lang.t("exchange.actor.exchange-admin"),
    }
}

/// What Microsoft 365 says about one mailbox's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    /// A member user, enabled, with an enabled Exchange Online plan and a provisioned mailbox.
    Ok,
    /// No user in the tenant has this address (primary or proxy).
    UserMissing,
    /// The address belongs to another tenant: its domain is not one of this tenant's verified
    /// domains, or the only user with it is a guest (whose mailbox lives in their home tenant).
    OtherTenant {
        /// The address's domain.
        domain: String,
        /// Found as a guest user.
        guest: bool,
    },
    /// Dynamics has a secondary address, its alert says "no user found", and the user's primary
    /// address is another: update the address in Dynamics.
    AddressNotPrimary {
        /// The user's primary SMTP address.
        primary: String,
    },
    /// The account is disabled (`accountEnabled` false) while it holds an Exchange plan.
    AccountDisabled,
    /// No Exchange Online service plan is assigned.
    NoExchangePlan,
    /// An Exchange plan is assigned but not usable (`capabilityStatus` `Suspended`, `Deleted`,
    /// `LockedOut`).
    ExchangePlanDisabled {
        /// The plan's `capabilityStatus`.
        status: String,
    },
    /// The Exchange plan is assigned but the mailbox is not provisioned yet (`provisionedPlans`
    /// `provisioningStatus` other than `Success`, or no Exchange entry there yet).
    MailboxNotProvisioned {
        /// The `provisioningStatus`, or empty when Exchange is not listed yet.
        status: String,
    },
    /// A shared mailbox (sign-in blocked, no licence, a mailbox) behind a Dynamics *user* mailbox.
    SharedMailboxAsUser,
    /// More than one user has this address.
    Ambiguous {
        /// How many.
        count: usize,
    },
    /// Not looked up (throttled, an error for this address, or the lookup stopped first).
    Unchecked {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// Stable key for exports and tests.
    pub fn key(&self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::UserMissing => "user-missing",
            Verdict::OtherTenant { .. } => "other-tenant",
            Verdict::AddressNotPrimary { .. } => "address-not-primary",
            Verdict::AccountDisabled => "account-disabled",
            Verdict::NoExchangePlan => "no-exchange-plan",
            Verdict::ExchangePlanDisabled { .. } => "exchange-plan-disabled",
            Verdict::MailboxNotProvisioned { .. } => "mailbox-not-provisioned",
            Verdict::SharedMailboxAsUser => "shared-mailbox-as-user",
            Verdict::Ambiguous { .. } => "ambiguous",
            Verdict::Unchecked { .. } => "unchecked",
        }
    }

    /// True unless the Microsoft 365 side is fine.
    pub fn is_problem(&self) -> bool {
        !matches!(self, Verdict::Ok)
    }

    /// One line: what is wrong, in English ([`Verdict::summary_in`]).
    pub fn summary(&self) -> String {
        self.summary_in(Lang::english())
    }

    /// One line: what is wrong, in `lang` (`exchange.verdict.<key>.summary`). The service's own
    /// words (a plan's state, an error) are kept as they came.
    pub fn summary_in(&self, lang: Lang) -> String {
        match self {
            Verdict::OtherTenant { domain, guest: true } => {
                tr!(lang, "exchange.verdict.other-tenant.guest.summary", domain = domain)
            }
            Verdict::OtherTenant { domain, guest: false } => {
                tr!(lang, "exchange.verdict.other-tenant.summary", domain = domain)
            }
            Verdict::AddressNotPrimary { primary } => {
                tr!(lang, "exchange.verdict.address-not-primary.summary", primary = primary)
            }
            Verdict::ExchangePlanDisabled { status } => {
                tr!(lang, "exchange.verdict.exchange-plan-disabled.summary", status = status)
            }
            Verdict::MailboxNotProvisioned { status } if !status.is_empty() => {
                tr!(lang, "exchange.verdict.mailbox-not-provisioned.status.summary", status = status)
            }
            Verdict::Ambiguous { count } => tr!(lang, "exchange.verdict.ambiguous.summary", count = count),
            Verdict::Unchecked { reason } => tr!(lang, "exchange.verdict.unchecked.summary", reason = reason),
            _ => lang.t(&format!("exchange.verdict.{}.summary", self.key())).to_owned(),
        }
    }

    /// The fix, in English ([`Verdict::fix_in`]).
    pub fn fix(&self) -> String {
        self.fix_in(Lang::english())
    }

    /// The fix in `lang` (`exchange.verdict.<key>.fix`).
    pub fn fix_in(&self, lang: Lang) -> String {
        match self {
            Verdict::AddressNotPrimary { primary } => {
                tr!(lang, "exchange.verdict.address-not-primary.fix", primary = primary)
            }
            _ => lang.t(&format!("exchange.verdict.{}.fix", self.key())).to_owned(),
        }
    }

    /// Who acts on it.
    pub fn actor(&self) -> Actor {
        match self {
            Verdict::AddressNotPrimary { .. } | Verdict::Ok | Verdict::Unchecked { .. } => Actor::DynamicsAdmin,
            _ => Actor::ExchangeAdmin,
        }
    }
}

fn is_exchange(service: &str) -> bool {
    service.eq_ignore_ascii_case("exchange")
}

/// The verdict for one address.
///
/// `kind` matters for shared mailboxes (fine behind a queue, not behind a user);
/// `alert_no_user` is the Dataverse side: an alert of this mailbox says "no user found".
pub fn verdict(
    address: &str,
    kind: &MailboxKind,
    alert_no_user: bool,
    users: &Result<Vec<GraphUser>, ItemError>,
    domains: Option<&[String]>,
) -> Verdict {
    let users = match users {
        Ok(u) => u,
        Err(e) => {
            let reason = if e.message.is_empty() { e.code.clone() } else { format!("{} ({})", e.message, e.code) };
            return Verdict::Unchecked { reason };
        }
    };
    let domain = address.rsplit_once('@').map(|(_, d)| d.trim().to_ascii_lowercase()).unwrap_or_default();
    // Defensive: only users that really carry the address count, whatever the service matched.
    let owners: Vec<&GraphUser> = users.iter().filter(|u| u.has_address(address)).collect();
    let user = match owners.as_slice() {
        [] => {
            return match domains {
                Some(d) if !domain.is_empty() && !d.contains(&domain) => Verdict::OtherTenant { domain, guest: false },
                _ => Verdict::UserMissing,
            };
        }
        [one] => *one,
        many => return Verdict::Ambiguous { count: many.len() },
    };
    if user.user_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("guest")) {
        return Verdict::OtherTenant { domain, guest: true };
    }
    let exchange: Vec<_> = user.assigned_plans.iter().filter(|p| is_exchange(&p.service)).collect();
    let disabled = user.account_enabled == Some(false);
    // A shared mailbox is a user object with sign-in blocked and (under 50 GB) no licence, that has a
    // mailbox (an address). Graph has no property for it under User.Read.All.
    let shared = disabled && exchange.is_empty() && user.mail.is_some();
    if shared {
        return if *kind == MailboxKind::User { Verdict::SharedMailboxAsUser } else { Verdict::Ok };
    }
    if alert_no_user
        && let Some(primary) = user.primary_address()
        && !primary.eq_ignore_ascii_case(address.trim())
    {
        return Verdict::AddressNotPrimary { primary: primary.to_owned() };
    }
    if disabled {
        return Verdict::AccountDisabled;
    }
    if exchange.is_empty() {
        return Verdict::NoExchangePlan;
    }
    if !exchange.iter().any(|p| matches!(p.capability_status.as_str(), "Enabled" | "Warning")) {
        return Verdict::ExchangePlanDisabled { status: exchange[0].capability_status.clone() };
    }
    let provisioned: Vec<_> = user.provisioned_plans.iter().filter(|p| is_exchange(&p.service)).collect();
    if !provisioned.iter().any(|p| p.provisioning_status == "Success") {
        let status = provisioned.first().map(|p| p.provisioning_status.clone()).unwrap_or_default();
        return Verdict::MailboxNotProvisioned { status };
    }
    Verdict::Ok
}

/// Whether a mailbox's test failed or never ran: the mailboxes looked up by default.
pub fn needs_check(m: &Mailbox) -> bool {
    let failed = |s: Option<TestStatus>| s == Some(TestStatus::Failure);
    m.mailbox_status != Some(TestStatus::Success)
        || failed(m.incoming_status)
        || failed(m.outgoing_status)
        || failed(m.act_status)
}

/// The mailboxes to look up: in scope, with an address, and (unless `all`) failed or never tested.
pub fn targets(snapshot: &Snapshot, all: bool) -> Vec<Target> {
    snapshot
        .mailboxes
        .iter()
        .flatten()
        .filter(|m| m.is_in_scope() && (all || needs_check(m)))
        .filter_map(|m| {
            let address = m.email.as_deref()?.trim();
            (!address.is_empty()).then(|| Target { mailbox_id: m.id.clone(), address: address.to_owned() })
        })
        .collect()
}

/// One mailbox's check: the Dataverse side joined with the Graph side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MailboxCheck {
    /// Mailbox id.
    pub mailbox_id: String,
    /// Owner's name.
    pub name: String,
    /// The address in Dynamics.
    pub address: String,
    /// User or queue.
    pub kind: MailboxKind,
    /// The user found, if one.
    pub user_principal_name: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
}

/// Whether an alert of mailbox `id` says "no user found".
fn alert_says_no_user(snapshot: &Snapshot, id: &str) -> bool {
    snapshot.alerts.iter().flat_map(|a| &a.alerts).any(|a| {
        a.regarding.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(id))
            && decode_alert(a) == Some(AlertCause::NoUserFound)
    })
}

/// Joins a lookup's outcome with the snapshot: one check per target, in the outcome's order.
pub fn checks(snapshot: &Snapshot, outcome: &LookupOutcome) -> Vec<MailboxCheck> {
    let mailboxes: std::collections::HashMap<&str, &Mailbox> =
        snapshot.mailboxes.iter().flatten().map(|m| (m.id.as_str(), m)).collect();
    outcome
        .results
        .iter()
        .map(|(t, users)| {
            let m = mailboxes.get(t.mailbox_id.as_str());
            let kind = m.map_or(MailboxKind::User, |m| m.kind.clone());
            let no_user = alert_says_no_user(snapshot, &t.mailbox_id);
            let v = verdict(&t.address, &kind, no_user, users, outcome.domains.as_deref());
            let upn = users
                .as_ref()
                .ok()
                .and_then(|u| u.iter().find(|u| u.has_address(&t.address)))
                .map(|u| u.user_principal_name.clone());
            MailboxCheck {
                mailbox_id: t.mailbox_id.clone(),
                name: m.map_or_else(|| t.address.clone(), |m| m.name.clone()),
                address: t.address.clone(),
                kind,
                user_principal_name: upn,
                verdict: v,
            }
        })
        .collect()
}

/// The bulk plan for every "update the address in Dynamics to X": one write of `emailaddress` per
/// mailbox, bound to `org`, previewed and run by the existing bulk engine.
pub fn address_fix_plan(snapshot: &Snapshot, checks: &[MailboxCheck], org: &OrgUrl) -> Result<Plan, PlanError> {
    let changes: Vec<AddressChange> = checks
        .iter()
        .filter_map(|c| match &c.verdict {
            Verdict::AddressNotPrimary { primary } => {
                Some(AddressChange { mailbox_id: c.mailbox_id.clone(), address: primary.clone() })
            }
            _ => None,
        })
        .collect();
    let ids = changes.iter().map(|c| c.mailbox_id.clone()).collect();
    Ok(plan(snapshot, &Selection::Ids(ids), &Action::SetEmailAddress { changes })?.bound_to(org.clone()))
}

/// CSV for the Microsoft 365 admin, in English ([`export_csv_in`]).
pub fn export_csv(checks: &[MailboxCheck]) -> String {
    export_csv_in(checks, Lang::english())
}

/// CSV for the Microsoft 365 admin: every mailbox with a problem on the Microsoft 365 side, with the
/// address, the account and licence state and the fix. Every cell is quoted and formula-safe, as in
/// the other exports. The header and the `problem` column (the verdict's key) are stable, English
/// and machine-readable; the sentences (`state`, `fix`, `who_acts`) are in `lang`, the language of
/// the admin who hands the file on, as the Microsoft 365 admin center itself is.
pub fn export_csv_in(checks: &[MailboxCheck], lang: Lang) -> String {
    let mut out = String::new();
    let head = ["address", "name", "dynamics_kind", "user_principal_name", "problem", "state", "fix", "who_acts"];
    let row = |cells: &[&str]| {
        let cells: Vec<String> = cells.iter().map(|c| crate::bulk::evidence::csv_cell(c)).collect();
        cells.join(",") + "\r\n"
    };
    out.push_str(&row(&head));
    for c in checks.iter().filter(|c| c.verdict.is_problem()) {
        let kind = match &c.kind {
            MailboxKind::User => "user",
            MailboxKind::Queue => "queue",
            MailboxKind::Forward => "forward",
            MailboxKind::Unknown(_) => "unknown",
        };
        out.push_str(&row(&[
            &c.address,
            &c.name,
            kind,
            c.user_principal_name.as_deref().unwrap_or(""),
            c.verdict.key(),
            &c.verdict.summary_in(lang),
            &c.verdict.fix_in(lang),
            actor_label_in(c.verdict.actor(), lang),
        ]));
    }
    out
}
