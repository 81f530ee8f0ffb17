//! Table metadata: entity sets, columns, their types, option values and whether they can be written.
//!
//! Facts come from `shared/reference/dataverse.md` §1–3, 6–7. Only columns listed here exist; any other
//! name in `$select`, `$filter` or a PATCH body is an error, exactly as on a real org.

/// How a column may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Valid for create and update.
    Rw,
    /// Valid for update only ("no-create").
    NoCreate,
    /// Computed by the service.
    Ro,
    /// Writable but never returned (passwords and secrets).
    WriteOnly,
}

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The primary key.
    Pk,
    /// Single line of text.
    Str,
    /// Multiple lines of text.
    Memo,
    /// Whole number.
    Int,
    /// Yes/No.
    Bool,
    /// Date and time (UTC).
    Time,
    /// Choice with its values and labels.
    Choice(&'static [(i64, &'static str)]),
    /// Lookup: possible target tables with the navigation property used for each.
    Lookup(&'static [(&'static str, &'static str)]),
    /// EntityName (rendered as a logical-name string).
    EntityName,
    /// A GUID column that is not a lookup.
    Uniqueidentifier,
}

/// One column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) access: Access,
    /// SystemRequired: cannot be set to null.
    pub(crate) required: bool,
}

/// One table.
#[derive(Debug)]
pub(crate) struct TableDef {
    pub(crate) logical: &'static str,
    pub(crate) set: &'static str,
    pub(crate) pk: &'static str,
    pub(crate) primary_name: &'static str,
    pub(crate) cols: &'static [Col],
    /// Whether the table supports PATCH/POST through this simulator.
    pub(crate) writable: bool,
    /// Whether PATCH may create (upsert). Organization rows cannot be created.
    pub(crate) creatable: bool,
}

impl TableDef {
    pub(crate) fn col(&self, name: &str) -> Option<&'static Col> {
        self.cols.iter().find(|c| c.name == name)
    }

    /// The column behind a wire name: `_x_value` for lookups, the plain name otherwise.
    pub(crate) fn wire_col(&self, wire: &str) -> Option<&'static Col> {
        if let Some(inner) = wire.strip_prefix('_').and_then(|w| w.strip_suffix("_value")) {
            return self.col(inner).filter(|c| matches!(c.kind, Kind::Lookup(_)));
        }
        self.col(wire).filter(|c| !matches!(c.kind, Kind::Lookup(_)))
    }

    /// The lookup column a navigation property belongs to, with the target table.
    pub(crate) fn nav(&self, nav: &str) -> Option<(&'static Col, &'static str)> {
        self.cols.iter().find_map(|c| match c.kind {
            Kind::Lookup(targets) => targets.iter().find(|(_, n)| *n == nav).map(|(t, _)| (c, *t)),
            _ => None,
        })
    }

    /// `Microsoft.Dynamics.CRM.<logical>`.
    pub(crate) fn type_name(&self) -> String {
        format!("Microsoft.Dynamics.CRM.{}", self.logical)
    }
}

const fn c(name: &'static str, kind: Kind, access: Access) -> Col {
    Col { name, kind, access, required: false }
}

const fn req(name: &'static str, kind: Kind, access: Access) -> Col {
    Col { name, kind, access, required: true }
}

use Access::{NoCreate, Ro, Rw, WriteOnly};
use Kind::{Bool, EntityName, Int, Memo, Pk, Str, Time, Uniqueidentifier};

/// Incoming / outgoing email delivery method (§1.2).
pub(crate) const EMAIL_DELIVERY: &[(i64, &str)] = &[
    (0, "None"),
    (1, "Microsoft Dynamics 365 for Outlook"),
    (2, "Server-Side Synchronization or Email Router"),
    (3, "Forward Mailbox"),
];
const OUTGOING_DELIVERY: &[(i64, &str)] = &[
    (0, "None"),
    (1, "Microsoft Dynamics 365 for Outlook"),
    (2, "Server-Side Synchronization or Email Router"),
];
/// ACT delivery method: note the different order (§1.2).
const ACT_DELIVERY: &[(i64, &str)] =
    &[(0, "Microsoft Dynamics 365 for Outlook"), (1, "Server-Side Synchronization"), (2, "None")];
const TEST_STATUS: &[(i64, &str)] = &[(0, "Not Run"), (1, "Success"), (2, "Failure")];
const APPROVAL: &[(i64, &str)] = &[(0, "Empty"), (1, "Approved"), (2, "Pending Approval"), (3, "Rejected")];
const STATE: &[(i64, &str)] = &[(0, "Active"), (1, "Inactive")];
const STATUS: &[(i64, &str)] = &[(1, "Active"), (2, "Inactive")];
const SERVER_TYPE: &[(i64, &str)] = &[
    (0, "Exchange Server"),
    (1, "Other (POP3/SMTP)"),
    (2, "Exchange Server (Hybrid)"),
    (3, "Exchange Online (Hybrid)"),
    (4, "IMAP/SMTP"),
];
const CREDENTIALS: &[(i64, &str)] = &[
    (0, "Credentials Specified by a User or Queue"),
    (1, "Credentials Specified in Email Server Profile"),
    (2, "Server to Server Authentication"),
    (3, "Windows Integrated Authentication"),
    (4, "Without Credentials (Anonymous)"),
    (5, "Gmail OAuth"),
    (6, "Exchange Hybrid Modern Auth (HMA)"),
    (7, "Azure Active Directory OAuth"),
];
const AUTH_PROTOCOL: &[(i64, &str)] =
    &[(0, "Auto Detect"), (1, "Negotiate"), (2, "NTLM"), (3, "Basic"), (4, "OAuth")];
const FAIL_SUCCESS: &[(i64, &str)] = &[(0, "Failure"), (1, "Success")];
const FAIL_SUCCESS_WARN: &[(i64, &str)] = &[(0, "Failure"), (1, "Success"), (2, "Warning")];
const CHANNEL: &[(i64, &str)] =
    &[(0, "Server-Side Synchronization"), (1, "Microsoft Dynamics 365 Email Router")];
const LEVEL: &[(i64, &str)] = &[(1, "Information"), (2, "Warning"), (3, "Error")];
const ACCESS_MODE: &[(i64, &str)] = &[
    (0, "Read-Write"),
    (1, "Administrative"),
    (2, "Read"),
    (3, "Support User"),
    (4, "Non-interactive"),
    (5, "Delegated Admin"),
];
const QUEUE_VIEW: &[(i64, &str)] = &[(0, "Public"), (1, "Private")];
const BU: &[(&str, &str)] = &[("businessunit", "owningbusinessunit")];

macro_rules! common_tail {
    () => {
        [c("createdon", Time, Ro), c("modifiedon", Time, Ro), c("versionnumber", Int, Ro)]
    };
}

const fn choice(v: &'static [(i64, &'static str)]) -> Kind {
    Kind::Choice(v)
}

const fn lookup(v: &'static [(&'static str, &'static str)]) -> Kind {
    Kind::Lookup(v)
}

const MAILBOX_COLS: &[Col] = &{
    let tail = common_tail!();
    [
        c("mailboxid", Pk, Ro),
        req("name", Str, Rw),
        c("emailaddress", Str, Rw),
        c("emailserverprofile", lookup(&[("emailserverprofile", "emailserverprofile")]), Rw),
        c(
            "regardingobjectid",
            lookup(&[("systemuser", "regardingobjectid"), ("queue", "regardingobjectid_queue")]),
            Ro,
        ),
        c("regardingobjecttypecode", EntityName, Ro),
        c("incomingemaildeliverymethod", choice(EMAIL_DELIVERY), Rw),
        c("outgoingemaildeliverymethod", choice(OUTGOING_DELIVERY), Rw),
        c("actdeliverymethod", choice(ACT_DELIVERY), Rw),
        c("incomingemailstatus", choice(TEST_STATUS), NoCreate),
        c("outgoingemailstatus", choice(TEST_STATUS), NoCreate),
        c("actstatus", choice(TEST_STATUS), NoCreate),
        c("mailboxstatus", choice(TEST_STATUS), Ro),
        c("acsoutgoingemailstatus", choice(TEST_STATUS), Rw),
        c("acsenabledforoutgoingemail", Bool, Rw),
        req("emailrouteraccessapproval", choice(APPROVAL), Rw),
        c("isemailaddressapprovedbyo365admin", Bool, NoCreate),
        c("emailaddressapprovedby", lookup(&[("systemuser", "emailaddressapprovedby")]), Ro),
        c("emailaddressapprovedon", Time, Ro),
        req("enabledforincomingemail", Bool, NoCreate),
        req("enabledforoutgoingemail", Bool, NoCreate),
        req("enabledforact", Bool, NoCreate),
        c("isforwardmailbox", Bool, Ro),
        c("orgmarkedasprimaryforexchangesync", Bool, Rw),
        c("isactsyncorgflagset", Bool, Rw),
        c("testemailconfigurationscheduled", Bool, Rw),
        req("testemailconfigurationretrycount", Int, Rw),
        c("postponetestemailconfigurationuntil", Time, Rw),
        c("testmailboxaccesscompletedon", Time, NoCreate),
        c("testandenablelastattemptedby", lookup(&[("systemuser", "testandenablelastattemptedby")]), Ro),
        c("testandenablelastattemptedon", Time, Ro),
        req("processingstatecode", Int, Ro),
        c("lastsuccessfulsynccompletedon", Time, NoCreate),
        c("lastsyncstartedon", Time, Ro),
        c("processinglastattemptedon", Time, Rw),
        c("processemailreceivedafter", Time, Rw),
        c("receivingpostponeduntil", Time, Ro),
        c("receivingpostponeduntilforact", Time, Ro),
        req("postponemailboxprocessinguntil", Time, Rw),
        c("undeliverablefolder", Str, NoCreate),
        c("verboseloggingenabled", Int, Rw),
        c("ewsurl", Str, Rw),
        c("username", Str, Rw),
        c("password", Str, WriteOnly),
        c("allowemailconnectortousecredentials", Bool, Rw),
        c("processanddeleteemails", Bool, Rw),
        c("tagemailsafter", Int, Rw),
        c("ispasswordset", Bool, Ro),
        c("isserviceaccount", Bool, Ro),
        c("hostid", Str, Ro),
        // Health monitoring (issue 17): every name below is in Microsoft's mailbox table reference,
        // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/mailbox
        c("itemsprocessedforlastsync", Int, Rw),
        c("itemsfailedforlastsync", Int, Rw),
        c("averagetotalduration", Int, Ro),
        c("lastduration", Int, Ro),
        c("processedtimes", Int, Ro),
        c("lastsyncerror", Str, Rw),
        c("lastsyncerrorcode", Int, Rw),
        c("lastsyncerrorcount", Int, Rw),
        c("lastsyncerroroccurredon", Time, Rw),
        c("lastsyncerrormachinename", Str, Rw),
        req("transientfailurecount", Int, Ro),
        req("forcedunlockcount", Int, Ro),
        c("statecode", choice(STATE), Rw),
        c("statuscode", choice(STATUS), Rw),
        c("ownerid", lookup(&[("systemuser", "ownerid"), ("team", "ownerid")]), Rw),
        c("owninguser", lookup(&[("systemuser", "owninguser")]), Ro),
        c("owningbusinessunit", lookup(BU), Ro),
        tail[0],
        tail[1],
        tail[2],
    ]
};

const PROFILE_COLS: &[Col] = &{
    let tail = common_tail!();
    [
        c("emailserverprofileid", Pk, Ro),
        req("name", Str, Rw),
        c("description", Memo, Rw),
        req("servertype", choice(SERVER_TYPE), Rw),
        c("emailservertypename", Str, Ro),
        c("incomingcredentialretrieval", choice(CREDENTIALS), Rw),
        c("outgoingcredentialretrieval", choice(CREDENTIALS), Rw),
        c("incomingauthenticationprotocol", choice(AUTH_PROTOCOL), Rw),
        c("outgoingauthenticationprotocol", choice(AUTH_PROTOCOL), Rw),
        c("useautodiscover", Bool, Rw),
        c("incomingserverlocation", Str, Rw),
        c("outgoingserverlocation", Str, Rw),
        c("defaultserverlocation", Str, Rw),
        c("incomingportnumber", Int, Rw),
        c("outgoingportnumber", Int, Rw),
        c("incomingusessl", Bool, Rw),
        c("outgoingusessl", Bool, Rw),
        c("usesamesettingsforoutgoingconnections", Bool, Rw),
        c("incominguseimpersonation", Bool, Rw),
        c("outgoinguseimpersonation", Bool, Rw),
        c("outgoingautograntdelegateaccess", Bool, Rw),
        c("moveundeliveredemails", Bool, Rw),
        c("usedefaulttenantid", Bool, Rw),
        c("exchangeonlinetenantid", Str, Rw),
        c("aadresourceid", Str, Rw),
        c("oauthclientid", Str, Rw),
        c("oauthclientsecret", Str, WriteOnly),
        c("maxconcurrentconnections", Int, Rw),
        c("minpollingintervalinminutes", Int, Rw),
        c("timeoutmailboxconnection", Bool, Rw),
        c("timeoutmailboxconnectionafteramount", Int, Rw),
        c("processemailsreceivedafter", Time, Rw),
        c("sendemailalert", Bool, Rw),
        c("owneremailaddress", Str, Rw),
        c("lastauthorizationstatus", choice(FAIL_SUCCESS), Ro),
        c("lasttestexecutionstatus", choice(FAIL_SUCCESS_WARN), Ro),
        c("lasttestvalidationstatus", choice(FAIL_SUCCESS), Ro),
        c("lastteststarttime", Time, Ro),
        c("lasttesttotalexecutiontime", Int, Ro),
        c("lasttestrequest", Memo, Ro),
        c("lasttestresponse", Memo, Ro),
        c("lastcrmmessage", Memo, Ro),
        c("statecode", choice(STATE), Rw),
        c("statuscode", choice(STATUS), Rw),
        c("ownerid", lookup(&[("systemuser", "ownerid"), ("team", "ownerid")]), Rw),
        c("owningbusinessunit", lookup(BU), Ro),
        tail[0],
        tail[1],
        tail[2],
    ]
};

const ORG_COLS: &[Col] = &[
    c("organizationid", Pk, Ro),
    c("name", Str, Ro),
    c("defaultemailserverprofileid", lookup(&[("emailserverprofile", "defaultemailserverprofileid")]), Rw),
    c("defaultemailsettings", Memo, Rw),
    req("emailconnectionchannel", choice(CHANNEL), Rw),
    c("requireapprovalforuseremail", Bool, Rw),
    c("requireapprovalforqueueemail", Bool, Rw),
    c("generatealertsforerrors", Bool, Rw),
    c("generatealertsforwarnings", Bool, Rw),
    c("generatealertsforinformation", Bool, Rw),
    c("notifymailboxownerofemailserverlevelalerts", Bool, Rw),
    c("maxuploadfilesize", Int, Rw),
    c("ignoreinternalemail", Bool, Rw),
    c("emailcorrelationenabled", Bool, Rw),
    c("isfolderbasedtrackingenabled", Bool, Rw),
    c("trackingprefix", Str, Rw),
    c("trackingtokenidbase", Int, Rw),
    c("trackingtokeniddigits", Int, Rw),
    c("maximumtrackingnumber", Int, Rw),
    c("enablesmartmatching", Bool, Rw),
    c("hashfilterkeywords", Str, Rw),
    c("hashmaxcount", Int, Rw),
    c("hashdeltasubjectcount", Int, Rw),
    c("hashminaddresscount", Int, Rw),
    c("rendersecureiframeforemail", Bool, Rw),
    c("allowunresolvedpartiesonemailsend", Bool, Rw),
    c("unresolveemailaddressifmultiplematch", Bool, Rw),
    c("resolvesimilarunresolvedemailaddress", Bool, Rw),
    c("isemailmonitoringallowed", Bool, Rw),
    c("blockedattachments", Memo, Rw),
    c("emailsendpollingperiod", Int, Rw),
    c("incomingemailexchangeemailretrievalbatchsize", Int, Rw),
    c("ismailboxforcedunlockingenabled", Bool, Rw),
    c("ismailboxinactivebackoffenabled", Bool, Rw),
    c("isemailserverprofilecontentfilteringenabled", Bool, Rw),
    c("maxverboseloggingmailbox", Int, Ro),
    c("orgdborgsettings", Memo, Rw),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

const USER_COLS: &[Col] = &{
    let tail = common_tail!();
    [
        c("systemuserid", Pk, Ro),
        c("fullname", Str, Ro),
        c("firstname", Str, Rw),
        c("lastname", Str, Rw),
        req("domainname", Str, Rw),
        c("internalemailaddress", Str, Rw),
        c("emailrouteraccessapproval", choice(APPROVAL), Rw),
        c("isdisabled", Bool, Ro),
        c("accessmode", choice(ACCESS_MODE), Rw),
        c("islicensed", Bool, Ro),
        c("azureactivedirectoryobjectid", Uniqueidentifier, Ro),
        c("defaultmailbox", lookup(&[("mailbox", "defaultmailbox")]), Ro),
        c("businessunitid", lookup(&[("businessunit", "businessunitid")]), Rw),
        tail[0],
        tail[1],
        tail[2],
    ]
};

const QUEUE_COLS: &[Col] = &{
    let tail = common_tail!();
    [
        c("queueid", Pk, Ro),
        req("name", Str, Rw),
        c("emailaddress", Str, Rw),
        c("emailrouteraccessapproval", choice(APPROVAL), Rw),
        c("queueviewtype", choice(QUEUE_VIEW), Rw),
        c("incomingemaildeliverymethod", choice(EMAIL_DELIVERY), Rw),
        c("outgoingemaildeliverymethod", choice(OUTGOING_DELIVERY), Rw),
        c("defaultmailbox", lookup(&[("mailbox", "defaultmailbox")]), Ro),
        c("statecode", choice(STATE), Rw),
        c("statuscode", choice(STATUS), Rw),
        c("ownerid", lookup(&[("systemuser", "ownerid"), ("team", "ownerid")]), Rw),
        c("owningbusinessunit", lookup(BU), Ro),
        tail[0],
        tail[1],
        tail[2],
    ]
};

const ROLE_COLS: &[Col] = &[
    c("roleid", Pk, Ro),
    req("name", Str, Rw),
    c("roletemplateid", lookup(&[("roletemplate", "roletemplateid")]), Ro),
    c("businessunitid", lookup(&[("businessunit", "businessunitid")]), Rw),
    c("ismanaged", Bool, Ro),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

const PRIVILEGE_COLS: &[Col] = &[
    c("privilegeid", Pk, Ro),
    c("name", Str, Ro),
    c("accessright", Int, Ro),
    c("canbebasic", Bool, Ro),
    c("canbelocal", Bool, Ro),
    c("canbedeep", Bool, Ro),
    c("canbeglobal", Bool, Ro),
    c("versionnumber", Int, Ro),
];

const TRACELOG_COLS: &[Col] = &[
    c("tracelogid", Pk, Ro),
    c("level", choice(LEVEL), Rw),
    c("text", Str, Rw),
    c(
        "regardingobjectid",
        lookup(&[
            ("mailbox", "regardingobjectid_mailbox"),
            ("emailserverprofile", "regardingobjectid_emailserverprofile"),
        ]),
        Rw,
    ),
    c("regardingobjecttypecode", EntityName, Ro),
    c("tracecode", Int, Rw),
    c("tracestatus", Bool, Rw),
    c("errordetails", Str, Rw),
    c("errortypedisplay", Str, Rw),
    c("machinename", Str, Rw),
    c("traceactionxml", Memo, Rw),
    c("tracedetailxml", Memo, Rw),
    c("traceparameterxml", Memo, Rw),
    c("isunique", Bool, Rw),
    c("canbedeleted", Bool, Rw),
    c("createdon", Time, Ro),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

const BU_COLS: &[Col] = &[
    c("businessunitid", Pk, Ro),
    req("name", Str, Rw),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

const TEAM_TYPE: &[(i64, &str)] = &[(0, "Owner"), (1, "Access"), (2, "Security Group"), (3, "Office Group")];

const TEAM_COLS: &[Col] = &[
    c("teamid", Pk, Ro),
    req("name", Str, Rw),
    c("teamtype", choice(TEAM_TYPE), Rw),
    c("isdefault", Bool, Ro),
    c("businessunitid", lookup(&[("businessunit", "businessunitid")]), Rw),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

const SDKMESSAGE_COLS: &[Col] =
    &[c("sdkmessageid", Pk, Ro), c("name", Str, Ro), c("modifiedon", Time, Ro), c("versionnumber", Int, Ro)];

const SDKMESSAGEFILTER_COLS: &[Col] = &[
    c("sdkmessagefilterid", Pk, Ro),
    c("name", Str, Ro),
    c("sdkmessageid", lookup(&[("sdkmessage", "sdkmessageid")]), Ro),
    c("primaryobjecttypecode", EntityName, Ro),
    c("isvisible", Bool, Ro),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

const OPERATION_TYPE: &[(i64, &str)] =
    &[(50, "Outgoing Activity"), (51, "Incoming Email Processing"), (52, "Mailbox Test Access")];
const ASYNC_STATE: &[(i64, &str)] = &[(0, "Ready"), (1, "Suspended"), (2, "Locked"), (3, "Completed")];
const ASYNC_STATUS: &[(i64, &str)] = &[
    (0, "Waiting For Resources"),
    (10, "Waiting"),
    (20, "In Progress"),
    (21, "Pausing"),
    (22, "Canceling"),
    (30, "Succeeded"),
    (31, "Failed"),
    (32, "Canceled"),
];

const ASYNC_COLS: &[Col] = &[
    c("asyncoperationid", Pk, Ro),
    c("name", Str, Ro),
    c("operationtype", choice(OPERATION_TYPE), Ro),
    c("statecode", choice(ASYNC_STATE), Ro),
    c("statuscode", choice(ASYNC_STATUS), Ro),
    c("regardingobjectid", lookup(&[("mailbox", "regardingobjectid_mailbox_asyncoperation")]), Ro),
    c("message", Memo, Ro),
    c("ownerid", lookup(&[("systemuser", "ownerid")]), Ro),
    c("completedon", Time, Ro),
    c("createdon", Time, Ro),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

/// `exchangesyncidmapping`: items server-side synchronization tracks, with their last error; the table
/// behind the Item Monitoring dashboard (issue 17). Columns from
/// <https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/exchangesyncidmapping>
const SYNC_ID_MAPPING_COLS: &[Col] = &[
    c("exchangesyncidmappingid", Pk, Ro),
    c("exchangeentryid", Str, Rw),
    c("objectid", Uniqueidentifier, Rw),
    c("objecttypecode", Int, Rw),
    c("itemsubject", Str, Rw),
    c("lastsyncerror", Str, Rw),
    c("lastsyncerrorcode", Int, Rw),
    c("lastsyncerroroccurredon", Time, Rw),
    c("retries", Int, Rw),
    c("fromcrmchangetype", Int, Rw),
    c("tocrmchangetype", Int, Rw),
    c("isdeletedinexchange", Bool, Rw),
    c("isunlinkedincrm", Bool, Rw),
    c("userdecision", Int, Rw),
    c("ownerid", lookup(&[("systemuser", "ownerid")]), Ro),
    c("createdon", Time, Ro),
    c("modifiedon", Time, Ro),
    c("versionnumber", Int, Ro),
];

/// Every table the simulator knows.
pub(crate) static TABLES: &[TableDef] = &[
    TableDef {
        logical: "mailbox",
        set: "mailboxes",
        pk: "mailboxid",
        primary_name: "name",
        cols: MAILBOX_COLS,
        writable: true,
        creatable: true,
    },
    TableDef {
        logical: "emailserverprofile",
        set: "emailserverprofiles",
        pk: "emailserverprofileid",
        primary_name: "name",
        cols: PROFILE_COLS,
        writable: true,
        creatable: true,
    },
    TableDef {
        logical: "organization",
        set: "organizations",
        pk: "organizationid",
        primary_name: "name",
        cols: ORG_COLS,
        writable: true,
        creatable: false,
    },
    TableDef {
        logical: "systemuser",
        set: "systemusers",
        pk: "systemuserid",
        primary_name: "fullname",
        cols: USER_COLS,
        writable: true,
        creatable: false,
    },
    TableDef {
        logical: "queue",
        set: "queues",
        pk: "queueid",
        primary_name: "name",
        cols: QUEUE_COLS,
        writable: true,
        creatable: true,
    },
    TableDef {
        logical: "role",
        set: "roles",
        pk: "roleid",
        primary_name: "name",
        cols: ROLE_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "privilege",
        set: "privileges",
        pk: "privilegeid",
        primary_name: "name",
        cols: PRIVILEGE_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "tracelog",
        set: "tracelogs",
        pk: "tracelogid",
        primary_name: "text",
        cols: TRACELOG_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "businessunit",
        set: "businessunits",
        pk: "businessunitid",
        primary_name: "name",
        cols: BU_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "sdkmessage",
        set: "sdkmessages",
        pk: "sdkmessageid",
        primary_name: "name",
        cols: SDKMESSAGE_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "sdkmessagefilter",
        set: "sdkmessagefilters",
        pk: "sdkmessagefilterid",
        primary_name: "name",
        cols: SDKMESSAGEFILTER_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "asyncoperation",
        set: "asyncoperations",
        pk: "asyncoperationid",
        primary_name: "name",
        cols: ASYNC_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "exchangesyncidmapping",
        set: "exchangesyncidmappings",
        pk: "exchangesyncidmappingid",
        primary_name: "itemsubject",
        cols: SYNC_ID_MAPPING_COLS,
        writable: false,
        creatable: false,
    },
    TableDef {
        logical: "team",
        set: "teams",
        pk: "teamid",
        primary_name: "name",
        cols: TEAM_COLS,
        writable: false,
        creatable: false,
    },
];

/// The table with this entity set name.
pub(crate) fn by_set(set: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.set == set)
}

/// The table with this logical name.
pub(crate) fn by_logical(logical: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.logical == logical)
}

/// Display name of a table, for EntityName formatted values.
pub(crate) fn display_name(logical: &str) -> &'static str {
    match logical {
        "systemuser" => "User",
        "queue" => "Queue",
        "mailbox" => "Mailbox",
        "emailserverprofile" => "Email Server Profile",
        "team" => "Team",
        _ => "Record",
    }
}
