//! User preferences for bulk runs (kept in `chrome.storage.local`; they are not secrets).

use serde::Serialize;
use std::time::Duration;
use syncready_core::bulk::RunConfig;
use syncready_core::i18n::Lang;
use syncready_core::json::{FromJson, JsonError, Obj};
use syncready_core::oauth::{ConfigError, ConfigField};
use syncready_core::tr;

/// Storage key of [`Settings`].
pub const SETTINGS_KEY: &str = "syncready.settings";

/// Bulk-run preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Writes per `$batch` (1–1000).
    pub batch_size: usize,
    /// Seconds between Test & Enable status checks (1–600).
    pub poll_seconds: u64,
    /// Seconds without a successful synchronization after which a mailbox counts as delayed (checklist
    /// step 7 and the health view; issue 17). Chosen in the health view.
    pub delayed_after_secs: i64,
}

impl Default for Settings {
    fn default() -> Self {
        let d = RunConfig::default();
        Self {
            batch_size: d.batch_size,
            poll_seconds: d.poll_interval.as_secs(),
            delayed_after_secs: syncready_core::health::DEFAULT_DELAYED_AFTER_SECS,
        }
    }
}

impl Settings {
    /// Largest batch the Web API accepts.
    pub const MAX_BATCH: usize = 1000;

    /// Longest wait between Test & Enable status checks, in seconds.
    pub const MAX_POLL_SECONDS: u64 = 600;

    /// Parses the batch-size field.
    pub fn parse_batch_size(text: &str) -> Result<usize, OutOfRange> {
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=Self::MAX_BATCH).contains(&n) => Ok(n),
            _ => Err(OutOfRange::BatchSize { max: Self::MAX_BATCH }),
        }
    }

    /// Parses the poll-interval field (seconds).
    pub fn parse_poll_seconds(text: &str) -> Result<u64, OutOfRange> {
        match text.trim().parse::<u64>() {
            Ok(n) if (1..=Self::MAX_POLL_SECONDS).contains(&n) => Ok(n),
            _ => Err(OutOfRange::PollSeconds { max: Self::MAX_POLL_SECONDS }),
        }
    }

    /// The run configuration these preferences give (values out of range are clamped).
    pub fn run_config(&self) -> RunConfig {
        RunConfig {
            batch_size: self.batch_size.clamp(1, Self::MAX_BATCH),
            poll_interval: Duration::from_secs(self.poll_seconds.clamp(1, Self::MAX_POLL_SECONDS)),
            ..RunConfig::default()
        }
    }
}

/// A bulk setting that is not a whole number in its range: which field, and the largest value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfRange {
    /// Changes per batch (1 to `max`).
    BatchSize {
        /// The largest batch.
        max: usize,
    },
    /// Seconds between Test & Enable checks (1 to `max`).
    PollSeconds {
        /// The longest wait.
        max: u64,
    },
}

impl OutOfRange {
    /// What the options page says, in `lang` (`options.invalid.*`).
    pub fn text_in(self, lang: Lang) -> String {
        match self {
            OutOfRange::BatchSize { max } => tr!(lang, "options.invalid.batch-size", max = max),
            OutOfRange::PollSeconds { max } => tr!(lang, "options.invalid.poll-seconds", max = max),
        }
    }
}

/// One problem with the own sign-in's registration: the core's check error, which names its field
/// and its reason, rendered in the page's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInProblem {
    /// What is wrong, and with which field.
    pub error: ConfigError,
}

impl SignInProblem {
    /// The field it is about.
    pub fn field(&self) -> ConfigField {
        self.error.field()
    }

    /// "Field: reason" in `lang`.
    pub fn text_in(&self, lang: Lang) -> String {
        let field = match self.field() {
            ConfigField::Authority => "options.field.authority",
            ConfigField::ClientId => "options.field.client-id",
            _ => "options.field.setting",
        };
        tr!(lang, "options.problem", field = lang.t(field), reason = self.error.reason_in(lang))
    }

    /// The problem as the options page shows a preset's: "Your organisation's policy: …" in `lang`.
    pub fn policy_text_in(&self, lang: Lang) -> String {
        tr!(lang, "options.policy-problem", problem = self.text_in(lang))
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
    /// Validates what the admin typed; every problem is reported with its field.
    pub fn parse(authority: &str, client_id: &str) -> Result<Self, Vec<SignInProblem>> {
        use syncready_core::oauth::OAuthConfig;
        OAuthConfig::check_registration(authority, client_id)
            .map(|(authority, client_id)| Self { client_id, authority: authority.as_str().to_owned() })
            .map_err(|problems| problems.into_iter().map(|error| SignInProblem { error }).collect())
    }
}

impl FromJson for Settings {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            batch_size: o.req("batch_size")?,
            poll_seconds: o.req("poll_seconds")?,
            // Settings saved before issue 17 have no threshold: the default applies.
            delayed_after_secs: o
                .opt("delayed_after_secs")?
                .unwrap_or(syncready_core::health::DEFAULT_DELAYED_AFTER_SECS),
        })
    }
}

impl FromJson for SignInSettings {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { client_id: o.req("client_id")?, authority: o.req("authority")? })
    }
}

/// Options an organisation presets by policy: `chrome.storage.managed`, declared by
/// `public/managed_schema.json` (`docs/enterprise.md`). Each is `None` when the policy leaves it to the
/// user. A preset takes precedence over what the user saved, and the options page shows it as "set by
/// your organisation".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagedSettings {
    /// `SignInClientId`: the own sign-in's application (client) id.
    pub sign_in_client_id: Option<String>,
    /// `SignInAuthority`: the own sign-in's authority URL.
    pub sign_in_authority: Option<String>,
    /// `BatchSize`: writes per `$batch` (1–1000).
    pub batch_size: Option<usize>,
    /// `PollSeconds`: seconds between Test & Enable status checks (1–600).
    pub poll_seconds: Option<u64>,
}

/// One option an organisation may preset, as the options page lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// The own sign-in's application (client) id.
    SignInClientId,
    /// The own sign-in's authority.
    SignInAuthority,
    /// Changes per batch.
    BatchSize,
    /// Seconds between Test & Enable checks.
    PollSeconds,
}

impl Preset {
    /// The label in `lang` (`options.preset.*`).
    pub fn label_in(self, lang: Lang) -> &'static str {
        lang.t(match self {
            Preset::SignInClientId => "options.preset.client-id",
            Preset::SignInAuthority => "options.preset.authority",
            Preset::BatchSize => "options.preset.batch-size",
            Preset::PollSeconds => "options.preset.poll-seconds",
        })
    }
}

/// Policy names in `public/managed_schema.json`, in the order of [`ManagedSettings`]'s fields.
pub const MANAGED_POLICIES: [&str; 4] = ["SignInClientId", "SignInAuthority", "BatchSize", "PollSeconds"];

impl FromJson for ManagedSettings {
    /// Chrome publishes only values that match the schema; anything else (a wrong type, a number out of
    /// range, an empty text) is ignored here too, so one bad policy never hides the others.
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        let text = |key: &str| {
            o.opt::<String>(key).ok().flatten().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
        };
        let number = |key: &str, max: u64| o.opt::<u64>(key).ok().flatten().filter(|n| (1..=max).contains(n));
        Ok(Self {
            sign_in_client_id: text(MANAGED_POLICIES[0]),
            sign_in_authority: text(MANAGED_POLICIES[1]),
            batch_size: number(MANAGED_POLICIES[2], Settings::MAX_BATCH as u64)
                .and_then(|n| usize::try_from(n).ok()),
            poll_seconds: number(MANAGED_POLICIES[3], 600),
        })
    }
}

impl ManagedSettings {
    /// True when the policy sets nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The bulk preferences in force: each preset replaces the user's value.
    pub fn apply(&self, local: Settings) -> Settings {
        Settings {
            batch_size: self.batch_size.unwrap_or(local.batch_size),
            poll_seconds: self.poll_seconds.unwrap_or(local.poll_seconds),
            delayed_after_secs: local.delayed_after_secs,
        }
    }

    /// True when the policy sets any part of the own sign-in's registration (the user's fields are then
    /// read-only).
    pub fn sets_sign_in(&self) -> bool {
        self.sign_in_client_id.is_some() || self.sign_in_authority.is_some()
    }

    /// What the options page shows under "Set by your organisation": one (preset, value) per preset.
    pub fn rows(&self) -> Vec<(Preset, String)> {
        let mut rows = Vec::new();
        if let Some(id) = &self.sign_in_client_id {
            rows.push((Preset::SignInClientId, id.clone()));
        }
        if let Some(authority) = &self.sign_in_authority {
            rows.push((Preset::SignInAuthority, authority.clone()));
        }
        if let Some(n) = self.batch_size {
            rows.push((Preset::BatchSize, n.to_string()));
        }
        if let Some(n) = self.poll_seconds {
            rows.push((Preset::PollSeconds, n.to_string()));
        }
        rows
    }

    /// Problems with the preset sign-in values themselves (a part the policy leaves out is not judged;
    /// shown with [`SignInProblem::policy_text_in`]).
    pub fn problems(&self) -> Vec<SignInProblem> {
        if !self.sets_sign_in() {
            return Vec::new();
        }
        let authority = self.sign_in_authority.as_deref().unwrap_or(syncready_core::oauth::DEFAULT_AUTHORITY);
        let Err(problems) =
            SignInSettings::parse(authority, self.sign_in_client_id.as_deref().unwrap_or_default())
        else {
            return Vec::new();
        };
        problems
            .into_iter()
            .filter(|p| match p.field() {
                ConfigField::Authority => self.sign_in_authority.is_some(),
                ConfigField::ClientId => self.sign_in_client_id.is_some(),
                _ => false,
            })
            .collect()
    }

    /// The own sign-in's registration in force: the policy's client id and authority replace the user's,
    /// a part the policy leaves out comes from the user (the authority defaults to
    /// `…/organizations`). A preset that does not validate is ignored, with its problems, so a typo in a
    /// policy shows up in Options instead of breaking sign-in.
    pub fn sign_in(&self, local: Option<SignInSettings>) -> (Option<SignInSettings>, Vec<SignInProblem>) {
        if !self.sets_sign_in() {
            return (local, Vec::new());
        }
        let client_id =
            self.sign_in_client_id.clone().or_else(|| local.as_ref().map(|l| l.client_id.clone()));
        let authority = self
            .sign_in_authority
            .clone()
            .or_else(|| local.as_ref().map(|l| l.authority.clone()))
            .unwrap_or_else(|| syncready_core::oauth::DEFAULT_AUTHORITY.to_owned());
        let Some(client_id) = client_id else {
            // Only the authority is preset and the user has no client id yet: nothing to sign in with.
            return (None, Vec::new());
        };
        match SignInSettings::parse(&authority, &client_id) {
            Ok(settings) => (Some(settings), Vec::new()),
            Err(problems) => (local, problems),
        }
    }
}
