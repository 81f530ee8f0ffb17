//! Tenant-wide readiness (issue 15): every environment at once, and the conflicts between them.
//!
//! Admins rarely have one environment. This module finds them, reads each one with the same
//! collector and rules as the single-org checklist, lays them out as one row per environment, and
//! finds what only shows across environments: the same mailbox synchronised from two of them.
//!
//! # Layout
//!
//! - `discovery`: the Global Discovery Service request and answer as values, the second token the own
//!   sign-in needs for its audience, and [`Environment`]s built from its `Instances`.
//! - `read`: [`TenantRead`], the sans-IO scheduler that decides which environments are read and when
//!   (several at a time, within [`ReadLimits`]), keeps per-environment progress, and classifies a
//!   refusal; [`read_all`] is the small generic async loop that runs `collect::snapshot` for each
//!   through a [`limits::Patient`](crate::limits::Patient) transport per org.
//! - `rows`: the tenant view's rows ([`TenantRow`]): type, a compact step strip, mailboxes ready of
//!   total, last read; sorting, filtering, CSV and JSON.
//! - `conflicts`: [`find_conflicts`] (one address synchronised from several environments, who owns
//!   appointments, contacts and tasks, sandbox copies of production with mailboxes still enabled) and
//!   [`fix_plan`], which turns the admin's choice into one bulk [`Plan`](crate::bulk::Plan) bound to the
//!   one environment it writes to.
//!
//! Nothing here performs I/O or reads a clock: time comes in as [`Millis`](crate::bulk::Millis).

mod conflicts;
pub mod discovery;
mod read;
mod rows;

pub use conflicts::{
    ActOwner, AddressConflict, ConflictReport, CopyConflict, Fix, FixError, Holder, find_conflicts, fix_plan,
};
pub use discovery::{DiscoveryError, Instance};
pub use read::{EnvProgress, EnvRead, EnvState, PARTS, ReadLimits, TenantRead, part_of, read_all, refusal, took};
pub use rows::{SortKey, StepMark, TenantFilter, TenantRow, mailbox_ready, rows_to_csv, rows_to_json, sort_rows};

use crate::i18n::Lang;
use crate::model::OrgUrl;
use crate::tr;
use serde::Serialize;

/// The environment's type, from discovery's `OrganizationType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnvKind {
    /// Production (`Customer`, `Secondary`).
    Production,
    /// Sandbox (`CustomerTest`, `CustomerFreeTest`).
    Sandbox,
    /// The tenant's default environment.
    Default,
    /// Developer.
    Developer,
    /// Trial.
    Trial,
    /// Dataverse for Teams.
    Teams,
    /// Release preview.
    Preview,
    /// Another `OrganizationType` value (-1: none given).
    Other(i64),
}

impl EnvKind {
    /// Label for the exports, in English (stable across UI languages).
    pub fn label(self) -> String {
        self.label_in(Lang::english())
    }

    /// Label for the table in `lang` (`tenant.kind.*`).
    pub fn label_in(self, lang: Lang) -> String {
        let key = match self {
            EnvKind::Production => "tenant.kind.production",
            EnvKind::Sandbox => "tenant.kind.sandbox",
            EnvKind::Default => "tenant.kind.default",
            EnvKind::Developer => "tenant.kind.developer",
            EnvKind::Trial => "tenant.kind.trial",
            EnvKind::Teams => "tenant.kind.teams",
            EnvKind::Preview => "tenant.kind.preview",
            EnvKind::Other(-1) => "tenant.kind.unknown",
            EnvKind::Other(n) => return tr!(lang, "tenant.kind.type-n", n = n),
        };
        lang.t(key).to_owned()
    }
}

/// Why an environment was not read, or not read completely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", content = "detail", rename_all = "kebab-case")]
pub enum Refusal {
    /// The environment is disabled (discovery's `State` 1).
    #[error("the environment is disabled")]
    Disabled,
    /// The caller has no access (403), or no user record in it.
    #[error("no access: {0}")]
    NoAccess(String),
    /// The session or token is missing or expired for this org (401).
    #[error("sign-in needed for this environment")]
    SignInNeeded,
    /// Not a Dataverse org (an address that is not an org host, a 404 or a non-Web-API answer).
    #[error("not a Dataverse org: {0}")]
    NotDataverse(String),
    /// A Dataverse org, but with no user or queue mailboxes: nothing to synchronise.
    #[error("no user or queue mailboxes: email is not used in this environment")]
    NoEmail,
    /// The org could not be reached.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The admin cancelled before it finished.
    #[error("cancelled")]
    Cancelled,
}

impl Refusal {
    /// The refusal as the tenant view shows it, in `lang` (`tenant.refusal.*`); the evidence (the
    /// service's own words) is kept as it came. `Display` stays the English form for the exports.
    pub fn text_in(&self, lang: Lang) -> String {
        match self {
            Refusal::Disabled => lang.t("tenant.refusal.disabled").to_owned(),
            Refusal::NoAccess(detail) => tr!(lang, "tenant.refusal.no-access", detail = detail),
            Refusal::SignInNeeded => lang.t("tenant.refusal.sign-in-needed").to_owned(),
            Refusal::NotDataverse(detail) => tr!(lang, "tenant.refusal.not-dataverse", detail = detail),
            Refusal::NoEmail => lang.t("tenant.refusal.no-email").to_owned(),
            Refusal::Unreachable(detail) => tr!(lang, "tenant.refusal.unreachable", detail = detail),
            Refusal::Cancelled => lang.t("tenant.refusal.cancelled").to_owned(),
        }
    }
}

/// One environment the user can reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// The organization id (lower case GUID).
    pub id: String,
    /// Friendly name.
    pub name: String,
    /// Unique name.
    pub unique_name: Option<String>,
    /// The org's URL, when it is a Dataverse org host.
    pub url: Option<OrgUrl>,
    /// Production, sandbox, …
    pub kind: EnvKind,
    /// Version.
    pub version: Option<String>,
    /// Region code.
    pub region: Option<String>,
    /// Tenant id.
    pub tenant_id: Option<String>,
    /// Whether discovery says the caller is a system administrator there.
    pub is_sys_admin: Option<bool>,
    /// Why it is not read at all (disabled, not an org host), known before reading.
    pub skip: Option<Refusal>,
}

impl Environment {
    /// An environment known only by its URL (session reuse: an org opened in this browser session).
    pub fn from_url(url: OrgUrl) -> Self {
        let host = url.host().to_owned();
        let name = host.split('.').next().unwrap_or(&host).to_owned();
        Environment {
            id: host,
            name,
            unique_name: None,
            url: Some(url),
            kind: EnvKind::Other(-1),
            version: None,
            region: None,
            tenant_id: None,
            is_sys_admin: None,
            skip: None,
        }
    }
}

#[cfg(test)]
mod tests;
