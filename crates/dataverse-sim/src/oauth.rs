//! Bearer tokens issued by the built-in OAuth authority (see `ops::authority` for the endpoints).

use std::collections::HashMap;

use crate::ids::Guid;

/// What a token stands for.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) org: usize,
    pub(crate) user: Guid,
    pub(crate) expires: i64,
    /// Tokens issued before a session-expiry event count as sessions too.
    pub(crate) serial: u64,
    /// Issued for the Global Discovery Service's audience, not the org's (issue 15).
    pub(crate) discovery: bool,
}

/// A pending authorization code.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub(crate) org: usize,
    pub(crate) user: Guid,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: String,
    pub(crate) scope: String,
    /// The `nonce` of the authorize request, echoed in the ID token.
    pub(crate) nonce: Option<String>,
    pub(crate) expires: i64,
}

/// Tokens and codes.
#[derive(Debug, Default)]
pub(crate) struct Authority {
    pub(crate) access: HashMap<String, Grant>,
    pub(crate) refresh: HashMap<String, Grant>,
    pub(crate) codes: HashMap<String, Code>,
}

impl Authority {
    /// The user behind a valid access token for this org.
    pub(crate) fn validate(&self, token: &str, org: usize, now: i64) -> Option<&Grant> {
        self.access.get(token).filter(|g| g.org == org && !g.discovery && g.expires > now)
    }
}
