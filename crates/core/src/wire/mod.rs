//! Types that mirror the Dataverse Web API JSON exactly, each read by a hand-written [`FromJson`].
//!
//! Field names are the Web API's logical names; lookups appear as `_x_value`; option-set values are
//! integers. Extra fields are ignored, so a newer service adding columns breaks nothing. A column
//! documented as optional may be missing or null (both read as `None`); the primary key is required.
//! Conversion to validated domain types lives in [`crate::model`].
//!
//! The readers replace derived `Deserialize` (see [`crate::json`] for why); each field's JSON name
//! is in its doc comment when it differs from the Rust name.

use crate::json::{FromJson, JsonError, Obj};
use serde_json::Value;

/// `GET WhoAmI` response. JSON names are PascalCase: `UserId`, `BusinessUnitId`, `OrganizationId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoAmI {
    /// The signed-in user's `systemuserid`.
    pub user_id: String,
    /// The user's business unit.
    pub business_unit_id: String,
    /// The organization id.
    pub organization_id: String,
}

impl FromJson for WhoAmI {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            user_id: o.req("UserId")?,
            business_unit_id: o.req("BusinessUnitId")?,
            organization_id: o.req("OrganizationId")?,
        })
    }
}

/// A row of `organizations` with the email settings columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Primary key.
    pub organizationid: String,
    /// Display name of the org.
    pub name: Option<String>,
    /// Default email server profile (lookup value).
    /// JSON: `_defaultemailserverprofileid_value`.
    pub default_email_server_profile: Option<String>,
    /// XML with the default delivery methods.
    pub defaultemailsettings: Option<String>,
    /// 0 server-side synchronization, 1 email router.
    pub emailconnectionchannel: Option<i32>,
    /// "Process emails only for approved users".
    pub requireapprovalforuseremail: Option<bool>,
    /// "Process emails only for approved queues".
    pub requireapprovalforqueueemail: Option<bool>,
}

impl FromJson for Organization {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            organizationid: o.req("organizationid")?,
            name: o.opt("name")?,
            default_email_server_profile: o.opt("_defaultemailserverprofileid_value")?,
            defaultemailsettings: o.opt("defaultemailsettings")?,
            emailconnectionchannel: o.opt("emailconnectionchannel")?,
            requireapprovalforuseremail: o.opt("requireapprovalforuseremail")?,
            requireapprovalforqueueemail: o.opt("requireapprovalforqueueemail")?,
        })
    }
}

/// Columns of `organizations` the collector selects.
pub const ORGANIZATION_COLUMNS: &[&str] = &[
    "organizationid",
    "name",
    "_defaultemailserverprofileid_value",
    "defaultemailsettings",
    "emailconnectionchannel",
    "requireapprovalforuseremail",
    "requireapprovalforqueueemail",
];

/// A row of `emailserverprofiles`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailServerProfile {
    /// Primary key.
    pub emailserverprofileid: String,
    /// Name, e.g. "Microsoft Exchange Online".
    pub name: Option<String>,
    /// 0 Exchange Server (Exchange Online on an online org), 1 POP3/SMTP, 2–4 hybrid / IMAP.
    pub servertype: Option<i32>,
    /// Read-only type label, e.g. "Exchange Online".
    pub emailservertypename: Option<String>,
    /// 0 active, 1 inactive.
    pub statecode: Option<i32>,
    /// Incoming credential retrieval (2 = server-to-server).
    pub incomingcredentialretrieval: Option<i32>,
    /// Outgoing credential retrieval (2 = server-to-server).
    pub outgoingcredentialretrieval: Option<i32>,
    /// Autodiscover on.
    pub useautodiscover: Option<bool>,
}

impl FromJson for EmailServerProfile {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            emailserverprofileid: o.req("emailserverprofileid")?,
            name: o.opt("name")?,
            servertype: o.opt("servertype")?,
            emailservertypename: o.opt("emailservertypename")?,
            statecode: o.opt("statecode")?,
            incomingcredentialretrieval: o.opt("incomingcredentialretrieval")?,
            outgoingcredentialretrieval: o.opt("outgoingcredentialretrieval")?,
            useautodiscover: o.opt("useautodiscover")?,
        })
    }
}

/// Columns of `emailserverprofiles` the collector selects.
pub const PROFILE_COLUMNS: &[&str] = &[
    "emailserverprofileid",
    "name",
    "servertype",
    "emailservertypename",
    "statecode",
    "incomingcredentialretrieval",
    "outgoingcredentialretrieval",
    "useautodiscover",
];

/// `regardingobjecttypecode` as the Web API returns it: the logical name as a string in current
/// versions, an object type code number in some older answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityName {
    /// Logical name, e.g. `"systemuser"`.
    Name(String),
    /// Object type code, e.g. 8 (systemuser) or 2020 (queue).
    Code(i64),
}

/// A string is a [`EntityName::Name`], a whole number in `i64` range a [`EntityName::Code`] (as the
/// untagged serde enum did: the string is tried first).
impl FromJson for EntityName {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        match value {
            Value::String(name) => Ok(Self::Name(name.clone())),
            Value::Number(_) => i64::from_json(value).map(Self::Code),
            other => Err(JsonError::expected("a logical name or an object type code", other)),
        }
    }
}

/// A row of `mailboxes` with the columns the readiness rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Primary key.
    pub mailboxid: String,
    /// Row version, `W/"<n>"`.
    /// JSON: `@odata.etag`.
    pub etag: Option<String>,
    /// The owner's name.
    pub name: Option<String>,
    /// SMTP address.
    pub emailaddress: Option<String>,
    /// Email server profile (lookup value).
    /// JSON: `_emailserverprofile_value`.
    pub email_server_profile: Option<String>,
    /// The user or queue the mailbox belongs to (lookup value).
    /// JSON: `_regardingobjectid_value`.
    pub regarding: Option<String>,
    /// `systemuser` or `queue`: the lookup's table, from the annotation.
    /// JSON: `_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname`.
    pub regarding_logical_name: Option<String>,
    /// Table of the regarding row.
    pub regardingobjecttypecode: Option<EntityName>,
    /// True for forward mailboxes (not tied to a user or queue).
    pub isforwardmailbox: Option<bool>,
    /// 0 active, 1 inactive.
    pub statecode: Option<i32>,
    /// 0 None, 1 Outlook, 2 server-side synchronization, 3 forward mailbox.
    pub incomingemaildeliverymethod: Option<i32>,
    /// 0 None, 1 Outlook, 2 server-side synchronization.
    pub outgoingemaildeliverymethod: Option<i32>,
    /// Appointments, contacts and tasks: 0 Outlook, 1 server-side synchronization, 2 None.
    pub actdeliverymethod: Option<i32>,
    /// 0 not run, 1 success, 2 failure.
    pub incomingemailstatus: Option<i32>,
    /// 0 not run, 1 success, 2 failure.
    pub outgoingemailstatus: Option<i32>,
    /// 0 not run, 1 success, 2 failure.
    pub actstatus: Option<i32>,
    /// Overall: 0 not run, 1 success, 2 failure.
    pub mailboxstatus: Option<i32>,
    /// 0 empty, 1 approved, 2 pending approval, 3 rejected.
    pub emailrouteraccessapproval: Option<i32>,
    /// Incoming email enabled (a permanent test failure clears it).
    pub enabledforincomingemail: Option<bool>,
    /// Outgoing email enabled.
    pub enabledforoutgoingemail: Option<bool>,
    /// Appointments, contacts and tasks enabled.
    pub enabledforact: Option<bool>,
    /// Test & Enable is scheduled.
    pub testemailconfigurationscheduled: Option<bool>,
    /// When the last test finished (ISO 8601).
    pub testmailboxaccesscompletedon: Option<String>,
    /// "Sync items with Exchange from this org only".
    pub orgmarkedasprimaryforexchangesync: Option<bool>,
    /// The scheduled test runs only once this time has passed (ISO 8601).
    pub postponetestemailconfigurationuntil: Option<String>,
    /// Mail received before this date is not processed (ISO 8601).
    pub processemailreceivedafter: Option<String>,
}

impl FromJson for Mailbox {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            mailboxid: o.req("mailboxid")?,
            etag: o.opt("@odata.etag")?,
            name: o.opt("name")?,
            emailaddress: o.opt("emailaddress")?,
            email_server_profile: o.opt("_emailserverprofile_value")?,
            regarding: o.opt("_regardingobjectid_value")?,
            regarding_logical_name: o.opt("_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname")?,
            regardingobjecttypecode: o.opt("regardingobjecttypecode")?,
            isforwardmailbox: o.opt("isforwardmailbox")?,
            statecode: o.opt("statecode")?,
            incomingemaildeliverymethod: o.opt("incomingemaildeliverymethod")?,
            outgoingemaildeliverymethod: o.opt("outgoingemaildeliverymethod")?,
            actdeliverymethod: o.opt("actdeliverymethod")?,
            incomingemailstatus: o.opt("incomingemailstatus")?,
            outgoingemailstatus: o.opt("outgoingemailstatus")?,
            actstatus: o.opt("actstatus")?,
            mailboxstatus: o.opt("mailboxstatus")?,
            emailrouteraccessapproval: o.opt("emailrouteraccessapproval")?,
            enabledforincomingemail: o.opt("enabledforincomingemail")?,
            enabledforoutgoingemail: o.opt("enabledforoutgoingemail")?,
            enabledforact: o.opt("enabledforact")?,
            testemailconfigurationscheduled: o.opt("testemailconfigurationscheduled")?,
            testmailboxaccesscompletedon: o.opt("testmailboxaccesscompletedon")?,
            orgmarkedasprimaryforexchangesync: o.opt("orgmarkedasprimaryforexchangesync")?,
            postponetestemailconfigurationuntil: o.opt("postponetestemailconfigurationuntil")?,
            processemailreceivedafter: o.opt("processemailreceivedafter")?,
        })
    }
}

/// Columns of `mailboxes` the collector selects (the lookup annotation comes from the `Prefer` header).
pub const MAILBOX_COLUMNS: &[&str] = &[
    "mailboxid",
    "name",
    "emailaddress",
    "_emailserverprofile_value",
    "_regardingobjectid_value",
    "regardingobjecttypecode",
    "isforwardmailbox",
    "statecode",
    "incomingemaildeliverymethod",
    "outgoingemaildeliverymethod",
    "actdeliverymethod",
    "incomingemailstatus",
    "outgoingemailstatus",
    "actstatus",
    "mailboxstatus",
    "emailrouteraccessapproval",
    "enabledforincomingemail",
    "enabledforoutgoingemail",
    "enabledforact",
    "testemailconfigurationscheduled",
    "testmailboxaccesscompletedon",
    "orgmarkedasprimaryforexchangesync",
    "postponetestemailconfigurationuntil",
    "processemailreceivedafter",
];

/// A security role row (`systemuserroles_association` or `teamroles_association`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Primary key.
    pub roleid: String,
    /// Role name, e.g. "System Administrator".
    pub name: Option<String>,
    /// The role template (the same for a role in every business unit).
    /// JSON: `_roletemplateid_value`.
    pub role_template: Option<String>,
}

impl FromJson for Role {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { roleid: o.req("roleid")?, name: o.opt("name")?, role_template: o.opt("_roletemplateid_value")? })
    }
}

/// Columns of a role the collector selects.
pub const ROLE_COLUMNS: &[&str] = &["name", "roleid", "_roletemplateid_value"];

/// A team the caller belongs to, with the team's roles expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamWithRoles {
    /// Primary key.
    pub teamid: String,
    /// Team name.
    pub name: Option<String>,
    /// The team's roles (the expanded navigation property); missing is empty, null is an error.
    pub teamroles_association: Vec<Role>,
}

impl FromJson for TeamWithRoles {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            teamid: o.req("teamid")?,
            name: o.opt("name")?,
            teamroles_association: o.default_if_missing("teamroles_association")?,
        })
    }
}

/// Response of `RetrieveUserPrivilegeByPrivilegeName` (and `RetrieveUserPrivileges`). JSON:
/// `{"RolePrivileges": [...]}`; missing is empty, null is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPrivileges {
    /// The privileges the user holds, directly or through teams.
    pub role_privileges: Vec<RolePrivilege>,
}

impl FromJson for UserPrivileges {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { role_privileges: o.default_if_missing("RolePrivileges")? })
    }
}

/// One privilege a user holds. JSON names are PascalCase: `Depth`, `PrivilegeId`, `PrivilegeName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePrivilege {
    /// `Basic`, `Local`, `Deep` or `Global` (a number in some older answers).
    pub depth: Option<Value>,
    /// Privilege id.
    pub privilege_id: Option<String>,
    /// Privilege name, e.g. `prvApproveRejectEmailAddress`.
    pub privilege_name: Option<String>,
}

impl FromJson for RolePrivilege {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            depth: o.opt("Depth")?,
            privilege_id: o.opt("PrivilegeId")?,
            privilege_name: o.opt("PrivilegeName")?,
        })
    }
}

/// A row of `tracelogs` (an alert).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLog {
    /// Primary key.
    pub tracelogid: Option<String>,
    /// 1 information, 2 warning, 3 error.
    pub level: Option<i32>,
    /// The alert text.
    pub text: Option<String>,
    /// Error code number.
    pub tracecode: Option<i64>,
    /// When first logged (ISO 8601).
    pub createdon: Option<String>,
    /// When last repeated (ISO 8601).
    pub modifiedon: Option<String>,
    /// The mailbox or profile the alert is about.
    /// JSON: `_regardingobjectid_value`.
    pub regarding: Option<String>,
}

impl FromJson for TraceLog {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            tracelogid: o.opt("tracelogid")?,
            level: o.opt("level")?,
            text: o.opt("text")?,
            tracecode: o.opt("tracecode")?,
            createdon: o.opt("createdon")?,
            modifiedon: o.opt("modifiedon")?,
            regarding: o.opt("_regardingobjectid_value")?,
        })
    }
}

/// Columns of `tracelogs` the collector selects.
pub const TRACELOG_COLUMNS: &[&str] =
    &["level", "text", "tracecode", "createdon", "modifiedon", "_regardingobjectid_value"];

// --- Health monitoring (issue 17) --------------------------------------------------------------
// Kept apart from `Mailbox` so the health columns are one separate block of the same request.
// Every name below is documented in Microsoft's mailbox table reference:
// https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox

/// The monitoring columns of a `mailboxes` row, read from the same row as [`Mailbox`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MailboxMonitoring {
    /// Primary key.
    pub mailboxid: String,
    /// "Mailbox Processing State" (values undocumented).
    pub processingstatecode: Option<i32>,
    /// "Postpone Mailbox Processing Until" (ISO 8601).
    pub postponemailboxprocessinguntil: Option<String>,
    /// "Last Successful Sync Time" (ISO 8601).
    pub lastsuccessfulsynccompletedon: Option<String>,
    /// "Date Processing Last Attempted" (ISO 8601).
    pub processinglastattemptedon: Option<String>,
    /// "Last Sync Start Time" (ISO 8601).
    pub lastsyncstartedon: Option<String>,
    /// "Items Processed For Last Sync".
    pub itemsprocessedforlastsync: Option<i64>,
    /// "Items Failed For Last Sync".
    pub itemsfailedforlastsync: Option<i64>,
    /// "Monitor Total Performance": mailbox total duration in average.
    pub averagetotalduration: Option<i64>,
    /// "Monitor last duration Performance".
    pub lastduration: Option<i64>,
    /// "Last Sync Error Stack".
    pub lastsyncerror: Option<String>,
    /// "Last Sync Error Code".
    pub lastsyncerrorcode: Option<i64>,
    /// "Last Sync Error Continuous Count".
    pub lastsyncerrorcount: Option<i64>,
    /// "Last Sync Error Time" (ISO 8601).
    pub lastsyncerroroccurredon: Option<String>,
    /// "Transient Failure Count".
    pub transientfailurecount: Option<i64>,
}

impl FromJson for MailboxMonitoring {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            mailboxid: o.req("mailboxid")?,
            processingstatecode: o.opt("processingstatecode")?,
            postponemailboxprocessinguntil: o.opt("postponemailboxprocessinguntil")?,
            lastsuccessfulsynccompletedon: o.opt("lastsuccessfulsynccompletedon")?,
            processinglastattemptedon: o.opt("processinglastattemptedon")?,
            lastsyncstartedon: o.opt("lastsyncstartedon")?,
            itemsprocessedforlastsync: o.opt("itemsprocessedforlastsync")?,
            itemsfailedforlastsync: o.opt("itemsfailedforlastsync")?,
            averagetotalduration: o.opt("averagetotalduration")?,
            lastduration: o.opt("lastduration")?,
            lastsyncerror: o.opt("lastsyncerror")?,
            lastsyncerrorcode: o.opt("lastsyncerrorcode")?,
            lastsyncerrorcount: o.opt("lastsyncerrorcount")?,
            lastsyncerroroccurredon: o.opt("lastsyncerroroccurredon")?,
            transientfailurecount: o.opt("transientfailurecount")?,
        })
    }
}

/// The monitoring columns the collector adds to the mailbox `$select` (one extra column set, in the
/// same request: no request per mailbox).
pub const MAILBOX_MONITORING_COLUMNS: &[&str] = &[
    "processingstatecode",
    "postponemailboxprocessinguntil",
    "lastsuccessfulsynccompletedon",
    "processinglastattemptedon",
    "lastsyncstartedon",
    "itemsprocessedforlastsync",
    "itemsfailedforlastsync",
    "averagetotalduration",
    "lastduration",
    "lastsyncerror",
    "lastsyncerrorcode",
    "lastsyncerrorcount",
    "lastsyncerroroccurredon",
    "transientfailurecount",
];

/// A row of `exchangesyncidmappings`: one item (email, appointment, contact, task) server-side
/// synchronization tracks, with its last error. This is the table behind the Item Monitoring
/// dashboard; rows are kept for a few days (troubleshooting article:
/// <https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization>;
/// columns: <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/exchangesyncidmapping>).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExchangeSyncIdMapping {
    /// Primary key.
    pub exchangesyncidmappingid: Option<String>,
    /// "Sync Error".
    pub lastsyncerror: Option<String>,
    /// Error code.
    pub lastsyncerrorcode: Option<i64>,
    /// "Last Sync Error Time" (ISO 8601).
    pub lastsyncerroroccurredon: Option<String>,
    /// "Item Subject".
    pub itemsubject: Option<String>,
    /// "Object Type Code" of the Dynamics record.
    pub objecttypecode: Option<i64>,
    /// Retries so far.
    pub retries: Option<i64>,
    /// The user (or team) the item belongs to; a user mailbox's `_regardingobjectid_value`.
    /// JSON: `_ownerid_value`.
    pub owner: Option<String>,
}

impl FromJson for ExchangeSyncIdMapping {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self {
            exchangesyncidmappingid: o.opt("exchangesyncidmappingid")?,
            lastsyncerror: o.opt("lastsyncerror")?,
            lastsyncerrorcode: o.opt("lastsyncerrorcode")?,
            lastsyncerroroccurredon: o.opt("lastsyncerroroccurredon")?,
            itemsubject: o.opt("itemsubject")?,
            objecttypecode: o.opt("objecttypecode")?,
            retries: o.opt("retries")?,
            owner: o.opt("_ownerid_value")?,
        })
    }
}

/// Columns of `exchangesyncidmappings` the collector selects.
pub const SYNC_ID_MAPPING_COLUMNS: &[&str] = &[
    "exchangesyncidmappingid",
    "lastsyncerror",
    "lastsyncerrorcode",
    "lastsyncerroroccurredon",
    "itemsubject",
    "objecttypecode",
    "retries",
    "_ownerid_value",
];

#[cfg(test)]
mod tests;
