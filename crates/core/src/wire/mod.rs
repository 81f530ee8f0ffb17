//! Serde types that mirror the Dataverse Web API JSON exactly.
//!
//! Field names are the Web API's logical names; lookups appear as `_x_value`; option-set values are
//! integers. Extra fields are ignored, so a newer service adding columns breaks nothing. Conversion to
//! validated domain types lives in [`crate::model`].

use serde::Deserialize;

/// `GET WhoAmI` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WhoAmI {
    /// The signed-in user's `systemuserid`.
    pub user_id: String,
    /// The user's business unit.
    pub business_unit_id: String,
    /// The organization id.
    pub organization_id: String,
}

/// A row of `organizations` with the email settings columns.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Organization {
    /// Primary key.
    pub organizationid: String,
    /// Display name of the org.
    #[serde(default)]
    pub name: Option<String>,
    /// Default email server profile (lookup value).
    #[serde(rename = "_defaultemailserverprofileid_value", default)]
    pub default_email_server_profile: Option<String>,
    /// XML with the default delivery methods.
    #[serde(default)]
    pub defaultemailsettings: Option<String>,
    /// 0 server-side synchronization, 1 email router.
    #[serde(default)]
    pub emailconnectionchannel: Option<i32>,
    /// "Process emails only for approved users".
    #[serde(default)]
    pub requireapprovalforuseremail: Option<bool>,
    /// "Process emails only for approved queues".
    #[serde(default)]
    pub requireapprovalforqueueemail: Option<bool>,
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct EmailServerProfile {
    /// Primary key.
    pub emailserverprofileid: String,
    /// Name, e.g. "Microsoft Exchange Online".
    #[serde(default)]
    pub name: Option<String>,
    /// 0 Exchange Server (Exchange Online on an online org), 1 POP3/SMTP, 2–4 hybrid / IMAP.
    #[serde(default)]
    pub servertype: Option<i32>,
    /// Read-only type label, e.g. "Exchange Online".
    #[serde(default)]
    pub emailservertypename: Option<String>,
    /// 0 active, 1 inactive.
    #[serde(default)]
    pub statecode: Option<i32>,
    /// Incoming credential retrieval (2 = server-to-server).
    #[serde(default)]
    pub incomingcredentialretrieval: Option<i32>,
    /// Outgoing credential retrieval (2 = server-to-server).
    #[serde(default)]
    pub outgoingcredentialretrieval: Option<i32>,
    /// Autodiscover on.
    #[serde(default)]
    pub useautodiscover: Option<bool>,
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum EntityName {
    /// Logical name, e.g. `"systemuser"`.
    Name(String),
    /// Object type code, e.g. 8 (systemuser) or 2020 (queue).
    Code(i64),
}

/// A row of `mailboxes` with the columns the readiness rules read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Mailbox {
    /// Primary key.
    pub mailboxid: String,
    /// Row version, `W/"<n>"`.
    #[serde(rename = "@odata.etag", default)]
    pub etag: Option<String>,
    /// The owner's name.
    #[serde(default)]
    pub name: Option<String>,
    /// SMTP address.
    #[serde(default)]
    pub emailaddress: Option<String>,
    /// Email server profile (lookup value).
    #[serde(rename = "_emailserverprofile_value", default)]
    pub email_server_profile: Option<String>,
    /// The user or queue the mailbox belongs to (lookup value).
    #[serde(rename = "_regardingobjectid_value", default)]
    pub regarding: Option<String>,
    /// `systemuser` or `queue`: the lookup's table, from the annotation.
    #[serde(rename = "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname", default)]
    pub regarding_logical_name: Option<String>,
    /// Table of the regarding row.
    #[serde(default)]
    pub regardingobjecttypecode: Option<EntityName>,
    /// True for forward mailboxes (not tied to a user or queue).
    #[serde(default)]
    pub isforwardmailbox: Option<bool>,
    /// 0 active, 1 inactive.
    #[serde(default)]
    pub statecode: Option<i32>,
    /// 0 None, 1 Outlook, 2 server-side synchronization, 3 forward mailbox.
    #[serde(default)]
    pub incomingemaildeliverymethod: Option<i32>,
    /// 0 None, 1 Outlook, 2 server-side synchronization.
    #[serde(default)]
    pub outgoingemaildeliverymethod: Option<i32>,
    /// Appointments, contacts and tasks: 0 Outlook, 1 server-side synchronization, 2 None.
    #[serde(default)]
    pub actdeliverymethod: Option<i32>,
    /// 0 not run, 1 success, 2 failure.
    #[serde(default)]
    pub incomingemailstatus: Option<i32>,
    /// 0 not run, 1 success, 2 failure.
    #[serde(default)]
    pub outgoingemailstatus: Option<i32>,
    /// 0 not run, 1 success, 2 failure.
    #[serde(default)]
    pub actstatus: Option<i32>,
    /// Overall: 0 not run, 1 success, 2 failure.
    #[serde(default)]
    pub mailboxstatus: Option<i32>,
    /// 0 empty, 1 approved, 2 pending approval, 3 rejected.
    #[serde(default)]
    pub emailrouteraccessapproval: Option<i32>,
    /// Incoming email enabled (a permanent test failure clears it).
    #[serde(default)]
    pub enabledforincomingemail: Option<bool>,
    /// Outgoing email enabled.
    #[serde(default)]
    pub enabledforoutgoingemail: Option<bool>,
    /// Appointments, contacts and tasks enabled.
    #[serde(default)]
    pub enabledforact: Option<bool>,
    /// Test & Enable is scheduled.
    #[serde(default)]
    pub testemailconfigurationscheduled: Option<bool>,
    /// When the last test finished (ISO 8601).
    #[serde(default)]
    pub testmailboxaccesscompletedon: Option<String>,
    /// "Sync items with Exchange from this org only".
    #[serde(default)]
    pub orgmarkedasprimaryforexchangesync: Option<bool>,
    /// The scheduled test runs only once this time has passed (ISO 8601).
    #[serde(default)]
    pub postponetestemailconfigurationuntil: Option<String>,
    /// Mail received before this date is not processed (ISO 8601).
    #[serde(default)]
    pub processemailreceivedafter: Option<String>,
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Role {
    /// Primary key.
    pub roleid: String,
    /// Role name, e.g. "System Administrator".
    #[serde(default)]
    pub name: Option<String>,
    /// The role template (the same for a role in every business unit).
    #[serde(rename = "_roletemplateid_value", default)]
    pub role_template: Option<String>,
}

/// Columns of a role the collector selects.
pub const ROLE_COLUMNS: &[&str] = &["name", "roleid", "_roletemplateid_value"];

/// A team the caller belongs to, with the team's roles expanded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TeamWithRoles {
    /// Primary key.
    pub teamid: String,
    /// Team name.
    #[serde(default)]
    pub name: Option<String>,
    /// The team's roles.
    #[serde(default)]
    pub teamroles_association: Vec<Role>,
}

/// Response of `RetrieveUserPrivilegeByPrivilegeName` (and `RetrieveUserPrivileges`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPrivileges {
    /// The privileges the user holds, directly or through teams.
    #[serde(default)]
    pub role_privileges: Vec<RolePrivilege>,
}

/// One privilege a user holds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RolePrivilege {
    /// `Basic`, `Local`, `Deep` or `Global` (a number in some older answers).
    #[serde(default)]
    pub depth: Option<serde_json::Value>,
    /// Privilege id.
    #[serde(default)]
    pub privilege_id: Option<String>,
    /// Privilege name, e.g. `prvApproveRejectEmailAddress`.
    #[serde(default)]
    pub privilege_name: Option<String>,
}

/// A row of `tracelogs` (an alert).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TraceLog {
    /// Primary key.
    #[serde(default)]
    pub tracelogid: Option<String>,
    /// 1 information, 2 warning, 3 error.
    #[serde(default)]
    pub level: Option<i32>,
    /// The alert text.
    #[serde(default)]
    pub text: Option<String>,
    /// Error code number.
    #[serde(default)]
    pub tracecode: Option<i64>,
    /// When first logged (ISO 8601).
    #[serde(default)]
    pub createdon: Option<String>,
    /// When last repeated (ISO 8601).
    #[serde(default)]
    pub modifiedon: Option<String>,
    /// The mailbox or profile the alert is about.
    #[serde(rename = "_regardingobjectid_value", default)]
    pub regarding: Option<String>,
}

/// Columns of `tracelogs` the collector selects.
pub const TRACELOG_COLUMNS: &[&str] =
    &["level", "text", "tracecode", "createdon", "modifiedon", "_regardingobjectid_value"];
