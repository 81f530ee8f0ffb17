//! Validated domain types, built from [`crate::wire`] types.

mod alert;
mod caller;
mod mailbox;
mod org_url;
mod settings;
mod time;
pub(crate) use time::civil_from_days;

pub use alert::{Alert, AlertLevel, AlertSet};
pub use caller::{
    APPROVE_PRIVILEGE, DELEGATED_MAILBOX_APPROVER, PrivilegeHolding, Role, SYSTEM_ADMINISTRATOR_TEMPLATE,
};
pub use mailbox::{ActDeliveryMethod, ApprovalState, DeliveryMethod, Mailbox, MailboxKind, TestStatus};
pub(crate) use org_url::check_text;
pub use org_url::{HostPolicy, OrgUrl, OrgUrlError, is_dataverse_host, is_guid};
pub(crate) use org_url::{is_loopback_host, split_port};
pub use settings::{DefaultEmailSettings, SettingsXmlError};
pub use time::Timestamp;

use crate::wire;
use serde::{Deserialize, Serialize};

/// State of a record: `statecode` 0 Active, 1 Inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordState {
    /// `statecode` 0.
    Active,
    /// `statecode` 1.
    Inactive,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for RecordState {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::Active,
            1 => Self::Inactive,
            n => Self::Unknown(n),
        }
    }
}

/// `emailserverprofile.servertype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerType {
    /// 0: Exchange Server; on an online org this is Exchange Online.
    Exchange,
    /// 1: POP3/SMTP.
    Pop3Smtp,
    /// 2: Exchange Server (Hybrid).
    ExchangeHybrid,
    /// 3: Exchange Online (Hybrid).
    ExchangeOnlineHybrid,
    /// 4: IMAP/SMTP.
    ImapSmtp,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for ServerType {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::Exchange,
            1 => Self::Pop3Smtp,
            2 => Self::ExchangeHybrid,
            3 => Self::ExchangeOnlineHybrid,
            4 => Self::ImapSmtp,
            n => Self::Unknown(n),
        }
    }
}

/// Credential retrieval value for server-to-server authentication.
pub const CREDENTIALS_SERVER_TO_SERVER: i32 = 2;

/// `incomingcredentialretrieval` / `outgoingcredentialretrieval` of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CredentialRetrieval {
    /// 0: credentials specified by a user or queue.
    UserOrQueue,
    /// 1: credentials specified in the email server profile.
    Profile,
    /// 2: server-to-server authentication (Exchange Online, same tenant).
    ServerToServer,
    /// 3: Windows integrated authentication.
    WindowsIntegrated,
    /// 4: without credentials (anonymous).
    Anonymous,
    /// 5: Gmail OAuth.
    GmailOAuth,
    /// 6: Exchange Hybrid Modern Auth.
    HybridModernAuth,
    /// 7: Azure Active Directory OAuth (Exchange Online in another tenant).
    AzureAdOAuth,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for CredentialRetrieval {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::UserOrQueue,
            1 => Self::Profile,
            2 => Self::ServerToServer,
            3 => Self::WindowsIntegrated,
            4 => Self::Anonymous,
            5 => Self::GmailOAuth,
            6 => Self::HybridModernAuth,
            7 => Self::AzureAdOAuth,
            n => Self::Unknown(n),
        }
    }
}

impl CredentialRetrieval {
    /// Label as the profile form shows it, in English.
    pub fn label(self) -> String {
        self.label_in(crate::i18n::Lang::english())
    }

    /// Label as the profile form shows it, in `lang` (catalogue keys `credentials.*`).
    pub fn label_in(self, lang: crate::i18n::Lang) -> String {
        let key = match self {
            Self::UserOrQueue => "credentials.user-or-queue",
            Self::Profile => "credentials.profile",
            Self::ServerToServer => "credentials.server-to-server",
            Self::WindowsIntegrated => "credentials.windows-integrated",
            Self::Anonymous => "credentials.anonymous",
            Self::GmailOAuth => "credentials.gmail-oauth",
            Self::HybridModernAuth => "credentials.hybrid-modern-auth",
            Self::AzureAdOAuth => "credentials.azure-ad-oauth",
            Self::Unknown(n) => return crate::tr!(lang, "credentials.unknown", n = n),
        };
        lang.t(key).to_owned()
    }
}

/// `organization.emailconnectionchannel`: how the org processes email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConnectionChannel {
    /// 0: server-side synchronization.
    ServerSideSync,
    /// 1: Microsoft Dynamics 365 Email Router.
    EmailRouter,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for ConnectionChannel {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::ServerSideSync,
            1 => Self::EmailRouter,
            n => Self::Unknown(n),
        }
    }
}

/// An email server profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// `emailserverprofileid`.
    pub id: String,
    /// Name (empty when the service sent none).
    pub name: String,
    /// Server type; `None` when not sent.
    pub server_type: Option<ServerType>,
    /// Type label, e.g. "Exchange Online".
    pub type_name: Option<String>,
    /// Active or not.
    pub state: RecordState,
    /// Both directions use server-to-server authentication.
    pub server_to_server: bool,
    /// Autodiscover on.
    pub autodiscover: bool,
    /// Incoming credential retrieval, if sent.
    pub incoming_credentials: Option<CredentialRetrieval>,
}

impl Profile {
    /// Whether this is an Exchange Online profile, decided by the typed columns where they were read:
    /// `servertype` 0 is the type the profile form labels "Exchange Online" on an online org (reference
    /// §2.2, LEGACY-JS `ConfigureEmailServerTypeName`), whatever the profile is called and whatever
    /// language `emailservertypename` is stored in. Only when `servertype` was not read is the profile
    /// recognised by its English name or type label; [`Profile::exchange_online_guess`] then says so.
    pub fn is_exchange_online(&self) -> bool {
        match self.server_type {
            Some(ServerType::Exchange) => true,
            Some(_) => false,
            None => self.exchange_online_by_text(),
        }
    }

    fn exchange_online_by_text(&self) -> bool {
        let label = self.type_name.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("Exchange Online"));
        label || self.name.eq_ignore_ascii_case("Microsoft Exchange Online")
    }

    /// When the profile counts as Exchange Online only by its English name or label (its `servertype`
    /// could not be read), the reason, to be shown with it: a guess, not a fact.
    pub fn exchange_online_guess(&self) -> Option<String> {
        (self.server_type.is_none() && self.exchange_online_by_text()).then(|| {
            format!(
                "The server type of the profile \"{}\" could not be read, so SyncReady takes it for Exchange Online \
                 from its name or type label (a guess).",
                self.name
            )
        })
    }
}

impl From<wire::EmailServerProfile> for Profile {
    fn from(w: wire::EmailServerProfile) -> Self {
        let outgoing_s2s = w.outgoingcredentialretrieval.is_none_or(|v| v == CREDENTIALS_SERVER_TO_SERVER);
        Self {
            id: w.emailserverprofileid.to_ascii_lowercase(),
            name: w.name.unwrap_or_default(),
            server_type: w.servertype.map(ServerType::from),
            type_name: w.emailservertypename,
            state: w.statecode.map_or(RecordState::Active, RecordState::from),
            server_to_server: w.incomingcredentialretrieval == Some(CREDENTIALS_SERVER_TO_SERVER) && outgoing_s2s,
            autodiscover: w.useautodiscover.unwrap_or(false),
            incoming_credentials: w.incomingcredentialretrieval.map(CredentialRetrieval::from),
        }
    }
}

/// The org's email settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    /// `organizationid`.
    pub id: String,
    /// Org name.
    pub name: String,
    /// Default email server profile id (lower case), if set.
    pub default_profile: Option<String>,
    /// Raw `defaultemailsettings` XML, kept for the log.
    pub default_email_settings_xml: Option<String>,
    /// The parsed `defaultemailsettings`; `None` when the column is empty.
    pub default_email_settings: Option<Result<DefaultEmailSettings, SettingsXmlError>>,
    /// `emailconnectionchannel` (0 SSS, 1 router).
    pub connection_channel: Option<i32>,
    /// Approval required for users.
    pub require_approval_users: bool,
    /// Approval required for queues.
    pub require_approval_queues: bool,
}

impl OrgSettings {
    /// `emailconnectionchannel` as a typed value.
    pub fn channel(&self) -> Option<ConnectionChannel> {
        self.connection_channel.map(ConnectionChannel::from)
    }
}

impl From<wire::Organization> for OrgSettings {
    fn from(w: wire::Organization) -> Self {
        Self {
            id: w.organizationid.to_ascii_lowercase(),
            name: w.name.unwrap_or_default(),
            default_profile: w.default_email_server_profile.map(|s| s.to_ascii_lowercase()),
            default_email_settings: w
                .defaultemailsettings
                .as_deref()
                .filter(|x| !x.trim().is_empty())
                .map(DefaultEmailSettings::parse),
            default_email_settings_xml: w.defaultemailsettings,
            connection_channel: w.emailconnectionchannel,
            require_approval_users: w.requireapprovalforuseremail.unwrap_or(true),
            require_approval_queues: w.requireapprovalforqueueemail.unwrap_or(true),
        }
    }
}

/// The signed-in caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// `systemuserid`.
    pub user_id: String,
    /// Organization id from WhoAmI.
    pub organization_id: String,
}

impl From<wire::WhoAmI> for Caller {
    fn from(w: wire::WhoAmI) -> Self {
        Self { user_id: w.user_id.to_ascii_lowercase(), organization_id: w.organization_id.to_ascii_lowercase() }
    }
}

#[cfg(test)]
mod tests;
