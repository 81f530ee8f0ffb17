//! Alerts (`tracelog` rows) on mailboxes and profiles.

use super::Timestamp;
use crate::wire;
use serde::{Deserialize, Serialize};

/// `tracelog.level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AlertLevel {
    /// 1: Information.
    Information,
    /// 2: Warning.
    Warning,
    /// 3: Error.
    Error,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for AlertLevel {
    fn from(v: i32) -> Self {
        match v {
            1 => Self::Information,
            2 => Self::Warning,
            3 => Self::Error,
            n => Self::Unknown(n),
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Level.
    pub level: AlertLevel,
    /// The alert text as Dynamics wrote it.
    pub text: String,
    /// `tracecode`, if any.
    pub code: Option<i64>,
    /// First logged.
    pub created_on: Option<Timestamp>,
    /// Last repeated.
    pub modified_on: Option<Timestamp>,
    /// The mailbox or profile id (lower case).
    pub regarding: Option<String>,
}

impl From<wire::TraceLog> for Alert {
    fn from(w: wire::TraceLog) -> Self {
        let time = |s: Option<String>| s.as_deref().and_then(Timestamp::parse_iso8601);
        Self {
            level: w.level.map_or(AlertLevel::Unknown(0), AlertLevel::from),
            text: w.text.unwrap_or_default(),
            code: w.tracecode,
            created_on: time(w.createdon),
            modified_on: time(w.modifiedon),
            regarding: w.regarding.map(|s| s.to_ascii_lowercase()),
        }
    }
}

/// The alerts read for failing mailboxes (and the Exchange Online profiles).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertSet {
    /// Alerts, newest first within each request.
    pub alerts: Vec<Alert>,
    /// How many failing mailboxes there were.
    pub failing_mailboxes: usize,
    /// For how many of them alerts were read (the collector caps the number of requests).
    pub mailboxes_read: usize,
}
