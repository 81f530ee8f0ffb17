//! Mailboxes and their option values.

use super::{RecordState, Timestamp};
use crate::wire;
use serde::{Deserialize, Serialize};

/// `incomingemaildeliverymethod` / `outgoingemaildeliverymethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeliveryMethod {
    /// 0: None.
    None,
    /// 1: Microsoft Dynamics 365 for Outlook.
    Outlook,
    /// 2: Server-Side Synchronization or Email Router.
    ServerSideSync,
    /// 3: Forward Mailbox (incoming only).
    ForwardMailbox,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for DeliveryMethod {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::None,
            1 => Self::Outlook,
            2 => Self::ServerSideSync,
            3 => Self::ForwardMailbox,
            n => Self::Unknown(n),
        }
    }
}

impl DeliveryMethod {
    /// The option value.
    pub fn value(self) -> i32 {
        match self {
            Self::None => 0,
            Self::Outlook => 1,
            Self::ServerSideSync => 2,
            Self::ForwardMailbox => 3,
            Self::Unknown(n) => n,
        }
    }

    /// Label as the Dynamics UI shows it, in English.
    pub fn label(self) -> String {
        self.label_in(crate::i18n::Lang::english())
    }

    /// Label as the Dynamics UI shows it, in `lang` (catalogue keys `method.*`).
    pub fn label_in(self, lang: crate::i18n::Lang) -> String {
        match self {
            Self::None => lang.t("method.none").to_owned(),
            Self::Outlook => lang.t("method.outlook").to_owned(),
            Self::ServerSideSync => lang.t("method.server-side-sync").to_owned(),
            Self::ForwardMailbox => lang.t("method.forward-mailbox").to_owned(),
            Self::Unknown(n) => crate::tr!(lang, "method.unknown", n = n),
        }
    }
}

/// `actdeliverymethod` (appointments, contacts and tasks). **The numbers differ from
/// [`DeliveryMethod`]**: 0 Outlook, 1 server-side synchronization, 2 None.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActDeliveryMethod {
    /// 0: Microsoft Dynamics 365 for Outlook.
    Outlook,
    /// 1: Server-Side Synchronization.
    ServerSideSync,
    /// 2: None.
    None,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for ActDeliveryMethod {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::Outlook,
            1 => Self::ServerSideSync,
            2 => Self::None,
            n => Self::Unknown(n),
        }
    }
}

impl ActDeliveryMethod {
    /// The option value.
    pub fn value(self) -> i32 {
        match self {
            Self::Outlook => 0,
            Self::ServerSideSync => 1,
            Self::None => 2,
            Self::Unknown(n) => n,
        }
    }

    /// Label as the Dynamics UI shows it, in English.
    pub fn label(self) -> String {
        self.label_in(crate::i18n::Lang::english())
    }

    /// Label as the Dynamics UI shows it, in `lang` (catalogue keys `method.*`).
    pub fn label_in(self, lang: crate::i18n::Lang) -> String {
        match self {
            Self::Outlook => lang.t("method.outlook").to_owned(),
            Self::ServerSideSync => lang.t("method.server-side-sync").to_owned(),
            Self::None => lang.t("method.none").to_owned(),
            Self::Unknown(n) => crate::tr!(lang, "method.unknown", n = n),
        }
    }
}

/// Result of a mailbox test (`incomingemailstatus`, `outgoingemailstatus`, `actstatus`, `mailboxstatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TestStatus {
    /// 0: Not Run.
    NotRun,
    /// 1: Success.
    Success,
    /// 2: Failure.
    Failure,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for TestStatus {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::NotRun,
            1 => Self::Success,
            2 => Self::Failure,
            n => Self::Unknown(n),
        }
    }
}

/// `emailrouteraccessapproval` on mailbox, systemuser and queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApprovalState {
    /// 0: Empty (never approved).
    Empty,
    /// 1: Approved.
    Approved,
    /// 2: Pending Approval.
    Pending,
    /// 3: Rejected.
    Rejected,
    /// A value this build does not know.
    Unknown(i32),
}

impl From<i32> for ApprovalState {
    fn from(v: i32) -> Self {
        match v {
            0 => Self::Empty,
            1 => Self::Approved,
            2 => Self::Pending,
            3 => Self::Rejected,
            n => Self::Unknown(n),
        }
    }
}

/// What a mailbox belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MailboxKind {
    /// A user's mailbox (`regardingobjectid` is a systemuser).
    User,
    /// A queue's mailbox.
    Queue,
    /// A forward mailbox (`isforwardmailbox`), tied to no user or queue.
    Forward,
    /// Something else; holds the logical name or type code that came back (empty if none).
    Unknown(String),
}

impl MailboxKind {
    fn from_wire(w: &wire::Mailbox) -> Self {
        if w.isforwardmailbox == Some(true) {
            return Self::Forward;
        }
        let name = w.regarding_logical_name.clone().or_else(|| match &w.regardingobjecttypecode {
            Some(wire::EntityName::Name(n)) => Some(n.clone()),
            Some(wire::EntityName::Code(8)) => Some("systemuser".to_owned()),
            Some(wire::EntityName::Code(2020)) => Some("queue".to_owned()),
            Some(wire::EntityName::Code(n)) => Some(n.to_string()),
            None => None,
        });
        match name.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("systemuser") => Self::User,
            Some("queue") => Self::Queue,
            _ => Self::Unknown(name.unwrap_or_default()),
        }
    }
}

/// A mailbox with the settings and test results SSS readiness depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// `mailboxid` (lower case).
    pub id: String,
    /// Row version for conditional updates (`@odata.etag`).
    pub etag: Option<String>,
    /// Owner's name.
    pub name: String,
    /// SMTP address.
    pub email: Option<String>,
    /// Email server profile id (lower case).
    pub profile: Option<String>,
    /// The user or queue id (lower case).
    pub regarding: Option<String>,
    /// User, queue or forward mailbox.
    pub kind: MailboxKind,
    /// Active or inactive.
    pub state: RecordState,
    /// Incoming email delivery method.
    pub incoming: Option<DeliveryMethod>,
    /// Outgoing email delivery method.
    pub outgoing: Option<DeliveryMethod>,
    /// Appointments, contacts and tasks delivery method.
    pub act: Option<ActDeliveryMethod>,
    /// Incoming test result.
    pub incoming_status: Option<TestStatus>,
    /// Outgoing test result.
    pub outgoing_status: Option<TestStatus>,
    /// Appointments, contacts and tasks test result.
    pub act_status: Option<TestStatus>,
    /// Overall status.
    pub mailbox_status: Option<TestStatus>,
    /// Email address approval.
    pub approval: ApprovalState,
    /// `isemailaddressapprovedbyo365admin` ("approved by Microsoft 365 admin"); `None` when not read.
    /// Which of the two approval flags the service requires in which case is not documented, so a
    /// mailbox is never failed on this flag alone; it is shown, and named as the cause when a test
    /// fails with the alert about an approval by a Microsoft 365 administrator.
    #[serde(default)]
    pub approved_by_o365_admin: Option<bool>,
    /// Incoming email enabled (the platform clears it after a permanent failure).
    pub enabled_incoming: bool,
    /// Outgoing email enabled.
    pub enabled_outgoing: bool,
    /// Appointments, contacts and tasks enabled.
    pub enabled_act: bool,
    /// Test & Enable is scheduled and not finished.
    pub test_scheduled: bool,
    /// When the last test finished.
    pub test_completed_on: Option<Timestamp>,
    /// "Sync items with Exchange from this org only".
    pub org_marked_primary: bool,
    /// The scheduled test waits until this time.
    pub postpone_test_until: Option<Timestamp>,
    /// Mail received before this is not processed.
    pub process_email_received_after: Option<Timestamp>,
}

impl Mailbox {
    /// True for an active user or queue mailbox (forward and inactive ones are reported apart).
    pub fn is_in_scope(&self) -> bool {
        self.state == RecordState::Active && matches!(self.kind, MailboxKind::User | MailboxKind::Queue)
    }

    /// True when incoming, outgoing and (for users) appointments, contacts and tasks all use SSS.
    /// Queues have no ACT synchronization, so their ACT method is not considered.
    pub fn uses_sss_everywhere(&self) -> bool {
        let act_ok = self.kind == MailboxKind::Queue || self.act == Some(ActDeliveryMethod::ServerSideSync);
        self.incoming == Some(DeliveryMethod::ServerSideSync)
            && self.outgoing == Some(DeliveryMethod::ServerSideSync)
            && act_ok
    }
}

impl From<wire::Mailbox> for Mailbox {
    fn from(w: wire::Mailbox) -> Self {
        let kind = MailboxKind::from_wire(&w);
        let time = |s: Option<String>| s.as_deref().and_then(Timestamp::parse_iso8601);
        Self {
            id: w.mailboxid.to_ascii_lowercase(),
            etag: w.etag,
            name: w.name.unwrap_or_default(),
            email: w.emailaddress,
            profile: w.email_server_profile.map(|s| s.to_ascii_lowercase()),
            regarding: w.regarding.map(|s| s.to_ascii_lowercase()),
            kind,
            state: w.statecode.map_or(RecordState::Active, RecordState::from),
            incoming: w.incomingemaildeliverymethod.map(DeliveryMethod::from),
            outgoing: w.outgoingemaildeliverymethod.map(DeliveryMethod::from),
            act: w.actdeliverymethod.map(ActDeliveryMethod::from),
            incoming_status: w.incomingemailstatus.map(TestStatus::from),
            outgoing_status: w.outgoingemailstatus.map(TestStatus::from),
            act_status: w.actstatus.map(TestStatus::from),
            mailbox_status: w.mailboxstatus.map(TestStatus::from),
            approval: w.emailrouteraccessapproval.map_or(ApprovalState::Empty, ApprovalState::from),
            approved_by_o365_admin: w.isemailaddressapprovedbyo365admin,
            // The columns default to true in the metadata.
            enabled_incoming: w.enabledforincomingemail.unwrap_or(true),
            enabled_outgoing: w.enabledforoutgoingemail.unwrap_or(true),
            enabled_act: w.enabledforact.unwrap_or(true),
            test_scheduled: w.testemailconfigurationscheduled.unwrap_or(false),
            test_completed_on: time(w.testmailboxaccesscompletedon),
            org_marked_primary: w.orgmarkedasprimaryforexchangesync.unwrap_or(false),
            postpone_test_until: time(w.postponetestemailconfigurationuntil),
            process_email_received_after: time(w.processemailreceivedafter),
        }
    }
}
