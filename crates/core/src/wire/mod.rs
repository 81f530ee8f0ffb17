//! Types that mirror the Dataverse Web API JSON exactly, each read by a [`FromJson`] reader.
//!
//! Field names are the Web API's logical names; lookups appear as `_x_value`; option-set values are
//! integers. Extra fields are ignored, so a newer service adding columns breaks nothing. A column
//! documented as optional may be missing or null (both read as `None`); the primary key is required.
//! Conversion to validated domain types lives in [`crate::model`].
//!
//! # One name per column
//!
//! Each table row is declared once with `wire_row!`: every field with how it is read and its Web API
//! name. The macro produces the struct, its reader, the `$select` list (`*_COLUMNS`) and a module of
//! the column names (`wire::mailbox::emailrouteraccessapproval`, with lookups' navigation properties
//! in `wire::mailbox::nav`), which the bulk engine's read-backs and writes use instead of spelling the
//! names again. How a field is read:
//!
//! - `req "name"`: required; `opt "name"`: missing or null is `None`; `default_if_missing "name"`:
//!   missing is empty, null is an error;
//! - `lookup "nav"`: a lookup's value, read from `_nav_value` (`nav` is the navigation property a
//!   write binds);
//! - a trailing `unselected`: read when present but not in the `$select` list (annotations, the
//!   primary key the service always returns, expanded collections).
//!
//! The readers replace derived `Deserialize` (see [`crate::json`] for why).

use crate::json::{FromJson, JsonError, Obj};
use serde_json::Value;

/// A column's Web API name: a lookup's is `_nav_value`.
macro_rules! column_name {
    (lookup $json:literal) => {
        concat!("_", $json, "_value")
    };
    ($how:ident $json:literal) => {
        $json
    };
}

/// Reads one column of the row `o`.
macro_rules! read_column {
    ($o:ident lookup $json:literal) => {
        $o.opt(column_name!(lookup $json))
    };
    ($o:ident $how:ident $json:literal) => {
        $o.$how($json)
    };
}

/// A lookup's navigation property (what a write binds); nothing for other columns.
macro_rules! nav_name {
    ($field:ident lookup $json:literal) => {
        #[doc = concat!("`", $json, "`")]
        pub const $field: &str = $json;
    };
    ($field:ident $how:ident $json:literal) => {};
}

/// The `$select` list: every column not marked `unselected`, in declaration order.
macro_rules! select_columns {
    (@[$($acc:expr),*]) => {
        &[$($acc),*]
    };
    (@[$($acc:expr),*] ($how:ident $json:literal unselected) $($rest:tt)*) => {
        select_columns!(@[$($acc),*] $($rest)*)
    };
    (@[$($acc:expr),*] ($how:ident $json:literal) $($rest:tt)*) => {
        select_columns!(@[$($acc,)* column_name!($how $json)] $($rest)*)
    };
}

/// Declares a wire row once: the struct, its [`FromJson`] reader, its `$select` list and the module
/// of its column names. See the module docs.
macro_rules! wire_row {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, columns in $module:ident, selected as $columns:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident: $ty:ty = $how:ident $json:literal $($flag:ident)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $ty,
            )*
        }

        impl FromJson for $name {
            fn from_json(value: &Value) -> Result<Self, JsonError> {
                let o = Obj::of(value)?;
                Ok(Self { $( $field: read_column!(o $how $json)?, )* })
            }
        }

        #[doc = concat!("Columns of [`", stringify!($name), "`] the collector selects.")]
        pub const $columns: &[&str] = select_columns!(@[] $( ($how $json $($flag)?) )*);

        #[doc = concat!("Web API names of [`", stringify!($name), "`]'s columns, by field.")]
        #[allow(non_upper_case_globals)]
        pub mod $module {
            $(
                #[doc = concat!("`", column_name!($how $json), "`")]
                pub const $field: &str = column_name!($how $json);
            )*

            /// Navigation properties of the lookups, by field (what a write binds).
            pub mod nav {
                $( nav_name!($field $how $json); )*
            }
        }
    };
}

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

wire_row! {
    /// A row of `organizations` with the email settings columns.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Organization, columns in organization, selected as ORGANIZATION_COLUMNS {
        /// Primary key.
        organizationid: String = req "organizationid",
        /// Display name of the org.
        name: Option<String> = opt "name",
        /// Default email server profile (lookup value).
        default_email_server_profile: Option<String> = lookup "defaultemailserverprofileid",
        /// XML with the default delivery methods.
        defaultemailsettings: Option<String> = opt "defaultemailsettings",
        /// 0 server-side synchronization, 1 email router.
        emailconnectionchannel: Option<i32> = opt "emailconnectionchannel",
        /// "Process emails only for approved users".
        requireapprovalforuseremail: Option<bool> = opt "requireapprovalforuseremail",
        /// "Process emails only for approved queues".
        requireapprovalforqueueemail: Option<bool> = opt "requireapprovalforqueueemail",
    }
}

wire_row! {
    /// A row of `emailserverprofiles`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct EmailServerProfile, columns in profile, selected as PROFILE_COLUMNS {
        /// Primary key.
        emailserverprofileid: String = req "emailserverprofileid",
        /// Name, e.g. "Microsoft Exchange Online".
        name: Option<String> = opt "name",
        /// 0 Exchange Server (Exchange Online on an online org), 1 POP3/SMTP, 2–4 hybrid / IMAP.
        servertype: Option<i32> = opt "servertype",
        /// Read-only type label, e.g. "Exchange Online".
        emailservertypename: Option<String> = opt "emailservertypename",
        /// 0 active, 1 inactive (written with the matching `statuscode`).
        statecode: Option<i32> = opt "statecode",
        /// Incoming credential retrieval (2 = server-to-server).
        incomingcredentialretrieval: Option<i32> = opt "incomingcredentialretrieval",
        /// Outgoing credential retrieval (2 = server-to-server).
        outgoingcredentialretrieval: Option<i32> = opt "outgoingcredentialretrieval",
        /// Autodiscover on.
        useautodiscover: Option<bool> = opt "useautodiscover",
    }
}

/// `emailserverprofile.statuscode`, written with `statecode` (never read).
pub const PROFILE_STATUS: &str = "statuscode";

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

wire_row! {
    /// A row of `mailboxes` with the columns the readiness rules read (the lookup annotation comes
    /// from the `Prefer` header).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Mailbox, columns in mailbox, selected as MAILBOX_COLUMNS {
        /// Primary key.
        mailboxid: String = req "mailboxid",
        /// Row version, `W/"<n>"`.
        etag: Option<String> = opt "@odata.etag" unselected,
        /// The owner's name.
        name: Option<String> = opt "name",
        /// SMTP address.
        emailaddress: Option<String> = opt "emailaddress",
        /// Email server profile (lookup value).
        email_server_profile: Option<String> = lookup "emailserverprofile",
        /// The user or queue the mailbox belongs to (lookup value).
        regarding: Option<String> = lookup "regardingobjectid",
        /// `systemuser` or `queue`: the lookup's table, from the annotation.
        regarding_logical_name: Option<String> =
            opt "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname" unselected,
        /// Table of the regarding row.
        regardingobjecttypecode: Option<EntityName> = opt "regardingobjecttypecode",
        /// True for forward mailboxes (not tied to a user or queue).
        isforwardmailbox: Option<bool> = opt "isforwardmailbox",
        /// 0 active, 1 inactive.
        statecode: Option<i32> = opt "statecode",
        /// 0 None, 1 Outlook, 2 server-side synchronization, 3 forward mailbox.
        incomingemaildeliverymethod: Option<i32> = opt "incomingemaildeliverymethod",
        /// 0 None, 1 Outlook, 2 server-side synchronization.
        outgoingemaildeliverymethod: Option<i32> = opt "outgoingemaildeliverymethod",
        /// Appointments, contacts and tasks: 0 Outlook, 1 server-side synchronization, 2 None.
        actdeliverymethod: Option<i32> = opt "actdeliverymethod",
        /// 0 not run, 1 success, 2 failure.
        incomingemailstatus: Option<i32> = opt "incomingemailstatus",
        /// 0 not run, 1 success, 2 failure.
        outgoingemailstatus: Option<i32> = opt "outgoingemailstatus",
        /// 0 not run, 1 success, 2 failure.
        actstatus: Option<i32> = opt "actstatus",
        /// Overall: 0 not run, 1 success, 2 failure.
        mailboxstatus: Option<i32> = opt "mailboxstatus",
        /// 0 empty, 1 approved, 2 pending approval, 3 rejected.
        emailrouteraccessapproval: Option<i32> = opt "emailrouteraccessapproval",
        /// "Email Address Approved by Microsoft 365 Admin" (Bool, default false; reference §1.2, MBX).
        isemailaddressapprovedbyo365admin: Option<bool> = opt "isemailaddressapprovedbyo365admin",
        /// Incoming email enabled (a permanent test failure clears it).
        enabledforincomingemail: Option<bool> = opt "enabledforincomingemail",
        /// Outgoing email enabled.
        enabledforoutgoingemail: Option<bool> = opt "enabledforoutgoingemail",
        /// Appointments, contacts and tasks enabled.
        enabledforact: Option<bool> = opt "enabledforact",
        /// Test & Enable is scheduled.
        testemailconfigurationscheduled: Option<bool> = opt "testemailconfigurationscheduled",
        /// When the last test finished (ISO 8601).
        testmailboxaccesscompletedon: Option<String> = opt "testmailboxaccesscompletedon",
        /// "Sync items with Exchange from this org only".
        orgmarkedasprimaryforexchangesync: Option<bool> = opt "orgmarkedasprimaryforexchangesync",
        /// The scheduled test runs only once this time has passed (ISO 8601).
        postponetestemailconfigurationuntil: Option<String> = opt "postponetestemailconfigurationuntil",
        /// Mail received before this date is not processed (ISO 8601).
        processemailreceivedafter: Option<String> = opt "processemailreceivedafter",
    }
}

wire_row! {
    /// A security role row (`systemuserroles_association` or `teamroles_association`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Role, columns in role, selected as ROLE_COLUMNS {
        /// Role name, e.g. "System Administrator".
        name: Option<String> = opt "name",
        /// Primary key.
        roleid: String = req "roleid",
        /// The role template (the same for a role in every business unit).
        role_template: Option<String> = lookup "roletemplateid",
    }
}

wire_row! {
    /// A team the caller belongs to, with the team's roles expanded.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TeamWithRoles, columns in team, selected as TEAM_COLUMNS {
        /// Primary key.
        teamid: String = req "teamid",
        /// Team name.
        name: Option<String> = opt "name",
        /// The team's roles (the expanded navigation property); missing is empty, null is an error.
        teamroles_association: Vec<Role> = default_if_missing "teamroles_association" unselected,
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

wire_row! {
    /// A row of `tracelogs` (an alert).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TraceLog, columns in tracelog, selected as TRACELOG_COLUMNS {
        /// Primary key (always returned).
        tracelogid: Option<String> = opt "tracelogid" unselected,
        /// 1 information, 2 warning, 3 error.
        level: Option<i32> = opt "level",
        /// The alert text.
        text: Option<String> = opt "text",
        /// Error code number.
        tracecode: Option<i64> = opt "tracecode",
        /// When first logged (ISO 8601).
        createdon: Option<String> = opt "createdon",
        /// When last repeated (ISO 8601).
        modifiedon: Option<String> = opt "modifiedon",
        /// The mailbox or profile the alert is about.
        regarding: Option<String> = lookup "regardingobjectid",
    }
}

// --- Health monitoring (issue 17) --------------------------------------------------------------
// Kept apart from `Mailbox` so the health columns are one separate block of the same request.
// Every name below is documented in Microsoft's mailbox table reference:
// https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox

wire_row! {
    /// The monitoring columns of a `mailboxes` row, read from the same row as [`Mailbox`]; the
    /// collector adds them to the mailbox `$select` (one extra column set, in the same request: no
    /// request per mailbox).
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct MailboxMonitoring, columns in mailbox_monitoring, selected as MAILBOX_MONITORING_COLUMNS {
        /// Primary key (selected with [`MAILBOX_COLUMNS`]).
        mailboxid: String = req "mailboxid" unselected,
        /// "Mailbox Processing State" (values undocumented).
        processingstatecode: Option<i32> = opt "processingstatecode",
        /// "Postpone Mailbox Processing Until" (ISO 8601).
        postponemailboxprocessinguntil: Option<String> = opt "postponemailboxprocessinguntil",
        /// "Last Successful Sync Time" (ISO 8601).
        lastsuccessfulsynccompletedon: Option<String> = opt "lastsuccessfulsynccompletedon",
        /// "Date Processing Last Attempted" (ISO 8601).
        processinglastattemptedon: Option<String> = opt "processinglastattemptedon",
        /// "Last Sync Start Time" (ISO 8601).
        lastsyncstartedon: Option<String> = opt "lastsyncstartedon",
        /// "Items Processed For Last Sync".
        itemsprocessedforlastsync: Option<i64> = opt "itemsprocessedforlastsync",
        /// "Items Failed For Last Sync".
        itemsfailedforlastsync: Option<i64> = opt "itemsfailedforlastsync",
        /// "Monitor Total Performance": mailbox total duration in average.
        averagetotalduration: Option<i64> = opt "averagetotalduration",
        /// "Monitor last duration Performance".
        lastduration: Option<i64> = opt "lastduration",
        /// "Last Sync Error Stack".
        lastsyncerror: Option<String> = opt "lastsyncerror",
        /// "Last Sync Error Code".
        lastsyncerrorcode: Option<i64> = opt "lastsyncerrorcode",
        /// "Last Sync Error Continuous Count".
        lastsyncerrorcount: Option<i64> = opt "lastsyncerrorcount",
        /// "Last Sync Error Time" (ISO 8601).
        lastsyncerroroccurredon: Option<String> = opt "lastsyncerroroccurredon",
        /// "Transient Failure Count".
        transientfailurecount: Option<i64> = opt "transientfailurecount",
    }
}

wire_row! {
    /// A row of `exchangesyncidmappings`: one item (email, appointment, contact, task) server-side
    /// synchronization tracks, with its last error. This is the table behind the Item Monitoring
    /// dashboard; rows are kept for a few days (troubleshooting article:
    /// <https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization>;
    /// columns: <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/exchangesyncidmapping>).
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct ExchangeSyncIdMapping, columns in sync_id_mapping, selected as SYNC_ID_MAPPING_COLUMNS {
        /// Primary key.
        exchangesyncidmappingid: Option<String> = opt "exchangesyncidmappingid",
        /// "Sync Error".
        lastsyncerror: Option<String> = opt "lastsyncerror",
        /// Error code.
        lastsyncerrorcode: Option<i64> = opt "lastsyncerrorcode",
        /// "Last Sync Error Time" (ISO 8601).
        lastsyncerroroccurredon: Option<String> = opt "lastsyncerroroccurredon",
        /// "Item Subject".
        itemsubject: Option<String> = opt "itemsubject",
        /// "Object Type Code" of the Dynamics record.
        objecttypecode: Option<i64> = opt "objecttypecode",
        /// Retries so far.
        retries: Option<i64> = opt "retries",
        /// The user (or team) the item belongs to; a user mailbox's `_regardingobjectid_value`.
        owner: Option<String> = lookup "ownerid",
    }
}

#[cfg(test)]
mod tests;
