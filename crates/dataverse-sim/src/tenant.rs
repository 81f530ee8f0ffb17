//! Several orgs in one tenant (issue 15): the Global Discovery Service stand-in, copies of an org
//! with the same record ids, addresses shared between orgs, and orgs that refuse or are disabled.
//!
//! - `GET /api/discovery/v2.0/Instances` (any host; in production `globaldisco.crm.dynamics.com`)
//!   lists every org of the simulator as an `Instance` with the documented properties (Microsoft Learn,
//!   "Discover user organizations": `ApiUrl`, `FriendlyName`, `Id`, `OrganizationType`, `Region`,
//!   `State` 0 enabled / 1 disabled, `TenantId`, `UniqueName`, `UrlName`, `Url`, `Version`, …),
//!   honouring `$select`. It needs a bearer token issued for the discovery audience (a token request
//!   whose scope names `https://globaldisco.crm.dynamics.com`); any other token, an org's included, is
//!   answered `401` with `WWW-Authenticate: Bearer … error="invalid_token"` and an error body (the
//!   exact body is not documented: \[U\]). CORS is allowed (documented).
//! - [`Sim::set_environment`](crate::Sim::set_environment) says how an org is listed (type, disabled) and whether it refuses the
//!   caller (`403`, "not a member of the organization", on every API request: \[U\] wording).
//!   A disabled org answers `503` to API requests (\[U\]; discovery says it is disabled, and the
//!   client does not read it).
//! - [`Sim::copy_org`](crate::Sim::copy_org) makes an "Everything" copy: the same rows and record ids under another host,
//!   with its own organization id (Microsoft Learn, "Copy an environment").
//! - [`Sim::share_addresses`](crate::Sim::share_addresses) gives mailboxes of one org the addresses of another's, as when the same
//!   people are users of both.
//!
//! Every org of the simulator belongs to one tenant: discovery reports the first org's tenant id.

/// How discovery lists an org, and how it treats the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `OrganizationType`: 0 primary / 4 production, 5 sandbox, 12 default, 13 developer, 14 trial.
    pub organization_type: i64,
    /// `State` 1 (disabled); its API answers 503.
    pub disabled: bool,
    /// The caller is not a member: every API request answers 403.
    pub refuses: bool,
    /// `Region`.
    pub region: String,
}

impl Environment {
    /// A production environment (`OrganizationType` 0), enabled, in `NA`.
    pub fn production() -> Self {
        Environment { organization_type: 0, disabled: false, refuses: false, region: "NA".to_owned() }
    }

    /// A sandbox (`OrganizationType` 5).
    pub fn sandbox() -> Self {
        Environment { organization_type: 5, ..Environment::production() }
    }

    /// Disabled (`State` 1).
    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    /// Refuses the caller (403).
    pub fn refusing(mut self) -> Self {
        self.refuses = true;
        self
    }
}

/// The tenant's environments, by org prefix; orgs not listed are enabled production orgs.
#[derive(Debug, Default)]
pub(crate) struct Tenant {
    pub(crate) envs: Vec<(String, Environment)>,
}

impl Tenant {
    pub(crate) fn of(&self, prefix: &str) -> Environment {
        self.envs.iter().find(|(p, _)| p == prefix).map_or_else(Environment::production, |(_, e)| e.clone())
    }
}
