//! User preferences for bulk runs (kept in `chrome.storage.local`; they are not secrets).

use serde::Serialize;
use std::time::Duration;
use syncready_core::bulk::RunConfig;
use syncready_core::json::{FromJson, JsonError, Obj};

/// Storage key of [`Settings`].
pub const SETTINGS_KEY: &str = "syncready.settings";

/// Bulk-run preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Writes per `$batch` (1–1000).
    pub batch_size: usize,
    /// Seconds between Test & Enable status checks (1–600).
    pub poll_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        let d = RunConfig::default();
        Self { batch_size: d.batch_size, poll_seconds: d.poll_interval.as_secs() }
    }
}

impl Settings {
    /// Largest batch the Web API accepts.
    pub const MAX_BATCH: usize = 1000;

    /// Parses the batch-size field.
    pub fn parse_batch_size(text: &str) -> Result<usize, String> {
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=Self::MAX_BATCH).contains(&n) => Ok(n),
            _ => Err(format!("Enter a whole number from 1 to {}.", Self::MAX_BATCH)),
        }
    }

    /// Parses the poll-interval field (seconds).
    pub fn parse_poll_seconds(text: &str) -> Result<u64, String> {
        match text.trim().parse::<u64>() {
            Ok(n) if (1..=600).contains(&n) => Ok(n),
            _ => Err("Enter a number of seconds from 1 to 600.".to_owned()),
        }
    }

    /// The run configuration these preferences give (values out of range are clamped).
    pub fn run_config(&self) -> RunConfig {
        RunConfig {
            batch_size: self.batch_size.clamp(1, Self::MAX_BATCH),
            poll_interval: Duration::from_secs(self.poll_seconds.clamp(1, 600)),
            ..RunConfig::default()
        }
    }
}

/// Storage key of [`SignInSettings`].
pub const SIGN_IN_KEY: &str = "syncready.sign-in";

/// The admin's own app registration for "Sign in with Microsoft Entra ID" (Options). Both values are
/// public identifiers of a single-page application, not secrets; tokens are never stored here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignInSettings {
    /// Application (client) id, normalised.
    pub client_id: String,
    /// Authority URL, normalised (e.g. `https://login.microsoftonline.com/organizations`).
    pub authority: String,
}

impl SignInSettings {
    /// Validates what the admin typed; every problem is reported, as "Field: reason" lines.
    pub fn parse(authority: &str, client_id: &str) -> Result<Self, Vec<String>> {
        use syncready_core::oauth::{ConfigField, OAuthConfig};
        OAuthConfig::check_registration(authority, client_id)
            .map(|(authority, client_id)| Self { client_id, authority: authority.as_str().to_owned() })
            .map_err(|problems| {
                problems
                    .iter()
                    .map(|p| {
                        let field = match p.field() {
                            ConfigField::Authority => "Authority",
                            ConfigField::ClientId => "Application (client) ID",
                            _ => "Setting",
                        };
                        format!("{field}: {}", p.reason())
                    })
                    .collect()
            })
    }
}

impl FromJson for Settings {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { batch_size: o.req("batch_size")?, poll_seconds: o.req("poll_seconds")? })
    }
}

impl FromJson for SignInSettings {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { client_id: o.req("client_id")?, authority: o.req("authority")? })
    }
}
