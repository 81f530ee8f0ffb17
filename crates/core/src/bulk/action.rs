//! What the admin asks for: actions, selections, and the fields they write.

use crate::json::{FromJson, JsonError, Obj};
use crate::model::{ActDeliveryMethod, ApprovalState, DeliveryMethod, Mailbox, MailboxKind};
use crate::readiness::{Remedy, StepId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A bulk action. Each is a set of plain field writes (reference §4); none calls an internal API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// "Approve Email": `emailrouteraccessapproval` = 1 on each mailbox.
    Approve,
    /// "Reject Email": `emailrouteraccessapproval` = 3 on each mailbox.
    Reject,
    /// "Apply Default Email Settings": the org's default profile and delivery methods (queues get no
    /// ACT method), then Test & Enable unless `test_and_enable` is false.
    ApplyDefaultSettings {
        /// Schedule Test & Enable too (the UI does by default).
        test_and_enable: bool,
        /// "Sync items with Exchange from this org only" (`orgmarkedasprimaryforexchangesync`).
        this_org_only: bool,
    },
    /// Bulk "Edit" of the profile and delivery methods; `None` leaves a column alone.
    EditProfileAndMethods {
        /// Email server profile id.
        profile_id: Option<String>,
        /// Incoming email delivery method.
        incoming: Option<DeliveryMethod>,
        /// Outgoing email delivery method.
        outgoing: Option<DeliveryMethod>,
        /// Appointments, contacts and tasks (not written for queues).
        act: Option<ActDeliveryMethod>,
    },
    /// "Test & Enable Mailboxes".
    TestAndEnable {
        /// "Sync items with Exchange from this org only".
        this_org_only: bool,
        /// Start date: mail received before it is not processed (`processemailreceivedafter`, ISO 8601).
        process_email_after: Option<String>,
    },
    /// "Test & Enable Mailboxes" on a server profile: every selected mailbox on that profile.
    TestAndEnableProfile {
        /// The profile.
        profile_id: String,
    },
    /// Make a profile the org's default (`organization.defaultemailserverprofileid`).
    SetOrgDefaultProfile {
        /// The profile.
        profile_id: String,
    },
    /// The org's email processing defaults (`defaultemailsettings` XML, connection channel, and
    /// optionally the default profile).
    SetOrgDefaultEmailSettings {
        /// Also make this profile the default.
        profile_id: Option<String>,
        /// Default incoming method.
        incoming: DeliveryMethod,
        /// Default outgoing method.
        outgoing: DeliveryMethod,
        /// Default ACT method.
        act: ActDeliveryMethod,
        /// Process email with server-side synchronization (`emailconnectionchannel` = 0).
        server_side_sync: bool,
    },
    /// "Process emails only for approved users / queues".
    SetApprovalRequirement {
        /// `requireapprovalforuseremail`.
        users: bool,
        /// `requireapprovalforqueueemail`.
        queues: bool,
    },
    /// Activate an email server profile (`statecode` 0, `statuscode` 1).
    ActivateProfile {
        /// The profile.
        profile_id: String,
    },
    /// "Update the address in Dynamics" (issue 16): `emailaddress` of each mailbox set to the primary
    /// address Microsoft 365 knows the user by.
    SetEmailAddress {
        /// Mailbox and new address.
        changes: Vec<AddressChange>,
    },
    /// Restores "before" values; only produced by [`Plan::undo`](super::Plan::undo).
    Undo,
}

impl Action {
    /// The bulk action for a readiness remedy, with the records it names.
    pub fn from_remedy(remedy: &Remedy) -> (Action, Selection) {
        match remedy {
            Remedy::SetDefaultProfile { profile_id } => {
                (Action::SetOrgDefaultProfile { profile_id: profile_id.clone() }, Selection::Org)
            }
            Remedy::ActivateProfile { profile_id } => {
                (Action::ActivateProfile { profile_id: profile_id.clone() }, Selection::Org)
            }
            Remedy::SetOrgDefaults { profile_id } => (
                Action::SetOrgDefaultEmailSettings {
                    profile_id: profile_id.clone(),
                    incoming: DeliveryMethod::ServerSideSync,
                    outgoing: DeliveryMethod::ServerSideSync,
                    act: ActDeliveryMethod::ServerSideSync,
                    server_side_sync: true,
                },
                Selection::Org,
            ),
            Remedy::ApplyDefaultSettings { mailbox_ids } => (
                Action::ApplyDefaultSettings { test_and_enable: true, this_org_only: false },
                Selection::Ids(mailbox_ids.clone()),
            ),
            Remedy::ApproveMailboxes { mailbox_ids } => (Action::Approve, Selection::Ids(mailbox_ids.clone())),
            Remedy::TestAndEnable { mailbox_ids, this_org_only } => (
                Action::TestAndEnable { this_org_only: *this_org_only, process_email_after: None },
                Selection::Ids(mailbox_ids.clone()),
            ),
        }
    }

    /// The checklist steps whose findings this action remedies.
    pub fn remedies(&self) -> Vec<StepId> {
        match self {
            Action::Approve | Action::Reject | Action::SetApprovalRequirement { .. } => vec![StepId::MailboxApproval],
            Action::ApplyDefaultSettings { test_and_enable: true, .. } => {
                vec![StepId::MailboxConfiguration, StepId::TestAndEnable]
            }
            Action::ApplyDefaultSettings { .. } | Action::EditProfileAndMethods { .. } => {
                vec![StepId::MailboxConfiguration]
            }
            Action::TestAndEnable { .. } | Action::TestAndEnableProfile { .. } => {
                vec![StepId::TestAndEnable, StepId::MailboxAlerts, StepId::KeepSynchronising]
            }
            Action::SetOrgDefaultProfile { .. } | Action::ActivateProfile { .. } => {
                vec![StepId::ExchangeOnlineProfile]
            }
            Action::SetOrgDefaultEmailSettings { .. } => vec![StepId::OrgEmailDefaults],
            Action::SetEmailAddress { .. } => vec![StepId::MailboxAlerts],
            Action::Undo => Vec::new(),
        }
    }

    /// Stable key (`approve`, `apply-default-settings`, …) for exports.
    pub fn key(&self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::ApplyDefaultSettings { .. } => "apply-default-settings",
            Action::EditProfileAndMethods { .. } => "edit-profile-and-methods",
            Action::TestAndEnable { .. } => "test-and-enable",
            Action::TestAndEnableProfile { .. } => "test-and-enable-profile",
            Action::SetOrgDefaultProfile { .. } => "set-org-default-profile",
            Action::SetOrgDefaultEmailSettings { .. } => "set-org-default-email-settings",
            Action::SetApprovalRequirement { .. } => "set-approval-requirement",
            Action::ActivateProfile { .. } => "activate-profile",
            Action::SetEmailAddress { .. } => "set-email-address",
            Action::Undo => "undo",
        }
    }

    /// True for actions that write `emailrouteraccessapproval`.
    pub fn is_approval(&self) -> bool {
        matches!(self, Action::Approve | Action::Reject)
    }
}

/// Which mailboxes an action applies to. Org-level actions ignore it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selection {
    /// These mailbox ids (case-insensitive).
    Ids(Vec<String>),
    /// Every mailbox of the snapshot that matches the filter ("select all matching").
    Matching(MailboxFilter),
    /// The organization row (org-level actions).
    Org,
}

/// A filter the UI builds for "all matching". Every `Some` condition must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MailboxFilter {
    /// Only this kind.
    pub kind: Option<MailboxKind>,
    /// Only this approval state.
    pub approval: Option<ApprovalState>,
    /// Only mailboxes on this profile (lower-case id).
    pub profile: Option<String>,
    /// Only active user and queue mailboxes.
    pub in_scope_only: bool,
    /// Name or address contains this (case-insensitive).
    pub text: Option<String>,
}

impl MailboxFilter {
    /// Whether `m` matches.
    pub fn matches(&self, m: &Mailbox) -> bool {
        let text_ok = self.text.as_deref().is_none_or(|t| {
            let t = crate::text::fold(t);
            crate::text::fold(&m.name).contains(&t)
                || m.email.as_deref().is_some_and(|e| crate::text::fold(e).contains(&t))
        });
        self.kind.as_ref().is_none_or(|k| *k == m.kind)
            && self.approval.is_none_or(|a| a == m.approval)
            && self.profile.as_deref().is_none_or(|p| m.profile.as_deref().is_some_and(|q| q.eq_ignore_ascii_case(p)))
            && (!self.in_scope_only || m.is_in_scope())
            && text_ok
    }
}

/// The table a write goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Entity {
    /// `mailboxes`.
    Mailbox,
    /// `organizations`.
    Organization,
    /// `emailserverprofiles`.
    Profile,
}

impl Entity {
    /// Entity set name.
    pub fn set(self) -> &'static str {
        match self {
            Entity::Mailbox => "mailboxes",
            Entity::Organization => "organizations",
            Entity::Profile => "emailserverprofiles",
        }
    }

    /// Primary key column.
    pub fn key(self) -> &'static str {
        match self {
            Entity::Mailbox => crate::wire::mailbox::mailboxid,
            Entity::Organization => crate::wire::organization::organizationid,
            Entity::Profile => crate::wire::profile::emailserverprofileid,
        }
    }
}

/// A column a bulk action writes. Values are the Web API JSON values (option numbers, booleans,
/// strings; lookups as the lower-case id; `null` for empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// `mailbox.emailrouteraccessapproval`.
    Approval,
    /// `mailbox.emailserverprofile` (lookup).
    Profile,
    /// `mailbox.incomingemaildeliverymethod`.
    IncomingMethod,
    /// `mailbox.outgoingemaildeliverymethod`.
    OutgoingMethod,
    /// `mailbox.actdeliverymethod` (numbers differ from the email methods).
    ActMethod,
    /// `mailbox.testemailconfigurationscheduled`: a trigger, verified by the test starting or finishing.
    TestScheduled,
    /// `mailbox.orgmarkedasprimaryforexchangesync`.
    OrgMarkedPrimary,
    /// `mailbox.processemailreceivedafter`.
    ProcessEmailAfter,
    /// `organization.defaultemailserverprofileid` (lookup).
    DefaultProfile,
    /// `organization.defaultemailsettings` (XML).
    DefaultEmailSettings,
    /// `organization.emailconnectionchannel`.
    ConnectionChannel,
    /// `organization.requireapprovalforuseremail`.
    RequireApprovalUsers,
    /// `organization.requireapprovalforqueueemail`.
    RequireApprovalQueues,
    /// `emailserverprofile.statecode` (written with the matching `statuscode`).
    ProfileState,
    /// `mailbox.emailaddress`.
    EmailAddress,
}

impl Field {
    /// The column as read back (`_x_value` for lookups).
    pub fn read_column(self) -> &'static str {
        use crate::wire::{mailbox, organization, profile};
        match self {
            Field::Approval => mailbox::emailrouteraccessapproval,
            Field::Profile => mailbox::email_server_profile,
            Field::IncomingMethod => mailbox::incomingemaildeliverymethod,
            Field::OutgoingMethod => mailbox::outgoingemaildeliverymethod,
            Field::ActMethod => mailbox::actdeliverymethod,
            Field::TestScheduled => mailbox::testemailconfigurationscheduled,
            Field::OrgMarkedPrimary => mailbox::orgmarkedasprimaryforexchangesync,
            Field::ProcessEmailAfter => mailbox::processemailreceivedafter,
            Field::DefaultProfile => organization::default_email_server_profile,
            Field::DefaultEmailSettings => organization::defaultemailsettings,
            Field::ConnectionChannel => organization::emailconnectionchannel,
            Field::RequireApprovalUsers => organization::requireapprovalforuseremail,
            Field::RequireApprovalQueues => organization::requireapprovalforqueueemail,
            Field::ProfileState => profile::statecode,
            Field::EmailAddress => mailbox::emailaddress,
        }
    }

    /// The column's logical name, for evidence and the dry run (for lookups, the navigation
    /// property a write binds).
    pub fn column(self) -> &'static str {
        use crate::wire::{mailbox, organization};
        match self {
            Field::Profile => mailbox::nav::email_server_profile,
            Field::DefaultProfile => organization::nav::default_email_server_profile,
            other => other.read_column(),
        }
    }

    /// Adds this field's write to a PATCH body.
    pub(crate) fn write_into(self, body: &mut serde_json::Map<String, Value>, value: &Value) {
        match (self, value) {
            (Field::Profile | Field::DefaultProfile, Value::String(id)) => {
                body.insert(
                    format!("{}@odata.bind", self.column()),
                    Value::String(format!("/{}({id})", Entity::Profile.set())),
                );
            }
            // Empty: the navigation property itself set to null. Microsoft's page documents both this
            // and `"<nav>@odata.bind": null`, but the service refuses the annotation form ("The
            // 'odata.bind' instance or property annotation has a null value", MicrosoftDocs/powerapps-docs
            // #2720) or ignores it (#4268), while the plain property works (#4028, #4268).
            // https://learn.microsoft.com/power-apps/developer/data-platform/webapi/associate-disassociate-entities-using-web-api#disassociate-with-a-single-valued-navigation-property
            (Field::Profile | Field::DefaultProfile, _) => {
                body.insert(self.column().to_owned(), Value::Null);
            }
            (Field::ProfileState, v) => {
                let status = if v.as_i64() == Some(0) { 1 } else { 2 };
                body.insert(self.column().to_owned(), v.clone());
                body.insert(crate::wire::PROFILE_STATUS.to_owned(), Value::from(status));
            }
            (f, v) => {
                body.insert(f.column().to_owned(), v.clone());
            }
        }
    }

    /// Whether a value read back agrees with the value written.
    pub fn agrees(self, written: &Value, read: &Value) -> bool {
        match (self, written, read) {
            (Field::Profile | Field::DefaultProfile, Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
            (Field::ProcessEmailAfter, Value::String(a), Value::String(b)) => {
                let (ta, tb) = (crate::model::Timestamp::parse_iso8601(a), crate::model::Timestamp::parse_iso8601(b));
                ta.is_some() && ta == tb || a == b
            }
            (Field::DefaultEmailSettings, Value::String(a), Value::String(b)) => {
                use crate::model::DefaultEmailSettings as S;
                matches!((S::parse(a), S::parse(b)), (Ok(x), Ok(y)) if x == y) || a == b
            }
            (_, a, b) => a == b,
        }
    }

    /// A value as the Dynamics UI would show it, in English ([`Field::label_in`]).
    pub fn label(self, value: &Value) -> String {
        self.label_in(value, crate::i18n::Lang::english())
    }

    /// A value as the Dynamics UI would show it, in `lang` (catalogue keys `bulk.value.*`, `method.*`).
    pub fn label_in(self, value: &Value, lang: crate::i18n::Lang) -> String {
        let n = value.as_i64().and_then(|n| i32::try_from(n).ok());
        let key = match (self, value, n) {
            (_, Value::Null, _) => "bulk.value.empty",
            (Field::Approval, _, Some(n)) => match ApprovalState::from(n) {
                ApprovalState::Empty => "bulk.value.approval.empty",
                ApprovalState::Approved => "bulk.value.approval.approved",
                ApprovalState::Pending => "bulk.value.approval.pending",
                ApprovalState::Rejected => "bulk.value.approval.rejected",
                ApprovalState::Unknown(n) => return crate::tr!(lang, "bulk.value.unknown", n = n),
            },
            (Field::IncomingMethod | Field::OutgoingMethod, _, Some(n)) => {
                return DeliveryMethod::from(n).label_in(lang);
            }
            (Field::ActMethod, _, Some(n)) => return ActDeliveryMethod::from(n).label_in(lang),
            (Field::ConnectionChannel, _, Some(0)) => "method.server-side-sync",
            (Field::ConnectionChannel, _, Some(1)) => "bulk.value.email-router",
            (Field::ProfileState, _, Some(0)) => "bulk.value.active",
            (Field::ProfileState, _, Some(1)) => "bulk.value.inactive",
            (_, Value::Bool(true), _) => "bulk.value.yes",
            (_, Value::Bool(false), _) => "bulk.value.no",
            (_, Value::String(s), _) => return s.clone(),
            (_, other, _) => return other.to_string(),
        };
        lang.t(key).to_owned()
    }
}

/// One mailbox's new address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddressChange {
    /// The mailbox (lower-case GUID).
    pub mailbox_id: String,
    /// The address to write.
    pub address: String,
}

impl FromJson for AddressChange {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { mailbox_id: o.req("mailbox_id")?, address: o.req("address")? })
    }
}
