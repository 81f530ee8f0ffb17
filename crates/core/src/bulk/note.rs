//! The bulk engine's texts as data: why a record is skipped or blocked, what the admin should know
//! before confirming, and what happened to an item in a run. A [`Note`] keeps what the text needs
//! (a privilege's name, an address, a count, the values read back) and is rendered in a language with
//! [`Note::text`] (catalogue keys `bulk.*`); `Display` and `Serialize` give English, which is what
//! exports and the saved run keep (format 2 stores the English text, and a note read back from a
//! saved run is [`Note::Verbatim`]). The bulk errors render the same way (`error_text`).

use super::action::Field;
use crate::i18n::Lang;
use crate::json::{FromJson, JsonError};
use crate::{tr, trn};
use serde_json::Value;
use std::fmt;

/// A text of the bulk engine (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// Skipped: the profile is already active.
    ProfileActive,
    /// Skipped: the mailbox is not in the snapshot.
    NotInSnapshot,
    /// Skipped: only user and queue mailboxes are set up.
    NotUserOrQueue,
    /// Skipped: inactive mailboxes are not tested.
    Inactive,
    /// Skipped: already approved.
    AlreadyApproved,
    /// Skipped: already rejected.
    AlreadyRejected,
    /// Skipped: Test & Enable is already scheduled.
    TestScheduled,
    /// Skipped: the record already has these settings.
    SameSettings,
    /// Skipped: the organization already has these settings.
    OrgSameSettings,
    /// Skipped: the mailbox already has this address.
    SameAddress,
    /// Blocked: the caller lacks the approval privilege (its name as the org reports it).
    NoPrivilege {
        /// The privilege's name (`prvApproveRejectEmailAddress`).
        privilege: String,
    },
    /// Blocked: the caller is not System Administrator.
    NoSysadmin,
    /// Blocked: one's own mailbox, without the privilege: Test & Enable approves it.
    OwnMailbox,
    /// Blocked: not an email address.
    NotAnAddress {
        /// What was given.
        address: String,
    },
    /// Warning: the caller's roles could not be read.
    RolesUnread,
    /// Warning: approval also needs a tenant role Dataverse cannot show.
    TenantRoles,
    /// Warning: org settings are normally changed by a System Administrator.
    OrgNeedsSysadmin,
    /// Warning: a changed address goes back to Pending Approval.
    AddressPending,
    /// Warning: a user's Primary Email follows the address.
    AddressUser,
    /// Warning: Test & Enable cannot be undone.
    UndoTest,
    /// A 429 answer after the last attempt.
    Throttled {
        /// The service's `Retry-After`.
        retry_after_secs: u64,
    },
    /// The record could not be read back.
    Unreadable {
        /// Read-backs tried.
        tries: u32,
    },
    /// Cancelled before it was sent.
    Cancelled,
    /// The whole batch was refused.
    BatchRefused,
    /// The record no longer exists.
    Gone,
    /// The service accepted the write, but the record reads back otherwise.
    AcceptedBut(Box<Mismatch>),
    /// The write did not apply after every attempt.
    GaveUp {
        /// Attempts sent.
        attempts: u32,
        /// The last read-back.
        mismatch: Box<Mismatch>,
    },
    /// Test & Enable failed for these directions (catalogue keys `direction.*`).
    TestFailed {
        /// Incoming email failed.
        incoming: bool,
        /// Outgoing email failed.
        outgoing: bool,
        /// Appointments, contacts and tasks failed.
        act: bool,
    },
    /// Test & Enable had not finished in time.
    Stuck {
        /// The configured time, in whole minutes.
        minutes: u64,
    },
    /// Approvals were stopped after a CrmSecurity refusal, and who can approve.
    ApprovalsStopped,
    /// Not sent because approvals were stopped.
    NotSent,
    /// A note followed by the mailbox's latest alert.
    WithAlert {
        /// The note.
        note: Box<Note>,
        /// The alert's text, as the org wrote it.
        alert: String,
    },
    /// A text that is not SyncReady's own, shown as it came: the service's message, a transport
    /// error, or a note read back from a saved run (kept there in English).
    Verbatim(String),
}

/// A field read back with another value than written; values as written (profile ids already
/// replaced by the profile's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The column.
    pub field: Field,
    /// What the record says.
    pub read: Value,
    /// What was written.
    pub expected: Value,
}

impl Mismatch {
    fn text(&self, lang: Lang) -> String {
        tr!(
            lang,
            "bulk.outcome.mismatch",
            column = self.field.column(),
            read = self.field.label_in(&self.read, lang),
            expected = self.field.label_in(&self.expected, lang)
        )
    }
}

impl Note {
    /// The note in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let who = || lang.t("bulk.who-can-approve");
        let key = match self {
            Note::ProfileActive => "bulk.skip.profile-active",
            Note::NotInSnapshot => "bulk.skip.not-in-snapshot",
            Note::NotUserOrQueue => "bulk.skip.kind",
            Note::Inactive => "bulk.skip.inactive",
            Note::AlreadyApproved => "bulk.skip.approved",
            Note::AlreadyRejected => "bulk.skip.rejected",
            Note::TestScheduled => "bulk.skip.test-scheduled",
            Note::SameSettings => "bulk.skip.same-settings",
            Note::OrgSameSettings => "bulk.skip.org-same-settings",
            Note::SameAddress => "bulk.skip.same-address",
            Note::OwnMailbox => "bulk.block.own-mailbox",
            Note::TenantRoles => "bulk.warn.tenant-roles",
            Note::OrgNeedsSysadmin => "bulk.warn.org-sysadmin",
            Note::AddressPending => "bulk.warn.address-pending",
            Note::AddressUser => "bulk.warn.address-user",
            Note::UndoTest => "bulk.warn.undo-test",
            Note::Cancelled => "bulk.outcome.cancelled",
            Note::BatchRefused => "bulk.outcome.batch-refused",
            Note::Gone => "bulk.outcome.gone",
            Note::NoPrivilege { privilege } => {
                return tr!(lang, "bulk.block.no-privilege", privilege = privilege, who = who());
            }
            Note::NoSysadmin => return tr!(lang, "bulk.block.no-sysadmin", who = who()),
            // Quoted as Rust quotes it, so that spaces and odd characters show.
            Note::NotAnAddress { address } => {
                return tr!(lang, "bulk.block.not-an-address", address = format!("{address:?}"));
            }
            Note::RolesUnread => return tr!(lang, "bulk.warn.roles-unread", who = who()),
            Note::Throttled { retry_after_secs } => {
                return tr!(lang, "bulk.outcome.throttled", secs = retry_after_secs);
            }
            Note::Unreadable { tries } => return tr!(lang, "bulk.outcome.unreadable", tries = tries),
            Note::AcceptedBut(m) => return tr!(lang, "bulk.outcome.accepted-but", mismatch = m.text(lang)),
            Note::GaveUp { attempts, mismatch } => {
                return tr!(lang, "bulk.outcome.gave-up", attempts = attempts, mismatch = mismatch.text(lang));
            }
            Note::TestFailed { incoming, outgoing, act } => {
                let directions: Vec<&str> =
                    [(*incoming, "direction.incoming"), (*outgoing, "direction.outgoing"), (*act, "direction.act")]
                        .into_iter()
                        .filter(|(failed, _)| *failed)
                        .map(|(_, key)| lang.t(key))
                        .collect();
                return tr!(lang, "bulk.outcome.test-failed", directions = directions.join(", "));
            }
            Note::Stuck { minutes } => {
                return trn!(lang, "bulk.outcome.stuck", usize::try_from(*minutes).unwrap_or(usize::MAX));
            }
            Note::ApprovalsStopped => return tr!(lang, "bulk.outcome.approvals-stopped", who = who()),
            Note::NotSent => return tr!(lang, "bulk.outcome.not-sent", why = Note::ApprovalsStopped.text(lang)),
            Note::WithAlert { note, alert } => {
                return tr!(lang, "bulk.outcome.alert", message = note.text(lang), alert = alert);
            }
            Note::Verbatim(text) => return text.clone(),
        };
        lang.t(key).to_owned()
    }
}

/// English.
impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::english()))
    }
}

/// As English text, so that plans and outcomes serialise as before notes were data.
impl serde::Serialize for Note {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A note read back from a saved run: its English text, shown as it is.
impl FromJson for Note {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        String::from_json(value).map(Note::Verbatim)
    }
}

#[cfg(test)]
mod tests;
