//! Step "Approve email": approval toggles, unapproved mailboxes and whether the caller can approve.

use super::{Context, count_of, ids, in_scope, result, unable, why_missing};
use crate::collect::{Part, Snapshot};
use crate::model::{ApprovalState, Mailbox, MailboxKind, Role};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};

const STEP: StepId = StepId::MailboxApproval;

/// What the snapshot says about the caller's ability to approve mailboxes (the permission model of
/// "Approve email" for Dynamics 365 online with Exchange Online).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ApproverVerdict {
    /// System Administrator, Delegated Mailbox Approver and the privilege.
    CanApprove,
    /// System Administrator with the privilege but without Delegated Mailbox Approver: approval works
    /// only if the caller is also a Microsoft 365 Global or Exchange admin, which Dataverse cannot show.
    ConfirmOnFirstApproval,
    /// Something visible is missing.
    Cannot(String),
    /// The roles could not be read.
    Unknown(String),
}

pub(super) fn approver_verdict(snap: &Snapshot, errors: &[crate::collect::CollectError]) -> ApproverVerdict {
    let (direct, team) = (snap.roles.as_deref(), snap.team_roles.as_deref());
    let Some(direct) = direct else {
        return ApproverVerdict::Unknown(why_missing(Part::Roles, errors));
    };
    let team: &[Role] = team.unwrap_or(&[]);
    let sysadmin = direct.iter().chain(team).any(Role::is_system_administrator);
    // Delegated Mailbox Approver cannot be given to a team, so only direct roles count.
    let delegated = direct.iter().any(Role::is_delegated_mailbox_approver);
    let privilege = snap.approve_privilege.as_ref().map(|p| p.held);
    if !sysadmin {
        return ApproverVerdict::Cannot(
            "you do not have the System Administrator role in this environment, which every approver needs".to_owned(),
        );
    }
    if privilege == Some(false) {
        return ApproverVerdict::Cannot(
            "none of your roles grants \"Approve Email Addresses for Users or Queues\" (prvApproveRejectEmailAddress)"
                .to_owned(),
        );
    }
    if delegated { ApproverVerdict::CanApprove } else { ApproverVerdict::ConfirmOnFirstApproval }
}

/// Mailboxes of one kind by approval state.
#[derive(Default)]
struct Bucket<'a> {
    total: usize,
    approved: usize,
    /// Approved, and `isemailaddressapprovedbyo365admin` read as true.
    o365_set: usize,
    /// Approved, but `isemailaddressapprovedbyo365admin` read as false.
    o365_unset: Vec<&'a Mailbox>,
    waiting: Vec<&'a Mailbox>,
    rejected: Vec<&'a Mailbox>,
}

/// Approval toggles, unapproved user and queue mailboxes, and the caller's permission to approve.
pub(super) fn mailbox_approval(ctx: &Context<'_>) -> StepResult {
    let snap = ctx.snapshot;
    if snap.mailboxes.is_none() {
        return unable(STEP, Part::Mailboxes, ctx.errors);
    }
    // One pass over the mailboxes, split by kind.
    let mut buckets: [Bucket<'_>; 2] = [Bucket::default(), Bucket::default()];
    for m in in_scope(snap) {
        let Some(b) = buckets.get_mut(usize::from(m.kind == MailboxKind::Queue)) else { continue };
        b.total += 1;
        match m.approval {
            ApprovalState::Approved => {
                b.approved += 1;
                match m.approved_by_o365_admin {
                    Some(true) => b.o365_set += 1,
                    Some(false) => b.o365_unset.push(m),
                    None => {}
                }
            }
            ApprovalState::Rejected => b.rejected.push(m),
            ApprovalState::Empty | ApprovalState::Pending | ApprovalState::Unknown(_) => b.waiting.push(m),
        }
    }
    let in_scope_total = buckets[0].total + buckets[1].total;
    let approved_total = buckets[0].approved + buckets[1].approved;
    let mut findings = Vec::new();
    let mut findings_pending: Vec<Finding> = Vec::new();
    let mut counts = vec![Count::of("approved", "mailboxes approved", approved_total, in_scope_total)];
    // "Approved by Microsoft 365 admin" (`isemailaddressapprovedbyo365admin`), shown beside the approval.
    // Which flag the service requires in which case is not documented, so this is information only: a
    // mailbox whose tests pass is never failed for it (the alerts step names it when a test fails).
    let o365_set = buckets[0].o365_set + buckets[1].o365_set;
    let o365_unset: Vec<&Mailbox> = buckets.iter().flat_map(|b| b.o365_unset.iter().copied()).collect();
    if o365_set + o365_unset.len() > 0 {
        counts.push(Count::of(
            "approved-by-o365-admin",
            "approved mailboxes also marked \"approved by Microsoft 365 admin\"",
            o365_set,
            o365_set + o365_unset.len(),
        ));
    }
    if !o365_unset.is_empty() {
        findings_o365(&mut findings_pending, &o365_unset);
    }
    let mut blocking = 0;

    for ((kind, noun), bucket) in [(MailboxKind::User, "user"), (MailboxKind::Queue, "queue")].into_iter().zip(&buckets)
    {
        counts.push(Count::of(
            &format!("{noun}s-approved"),
            &format!("{noun} mailboxes approved"),
            bucket.approved,
            bucket.total,
        ));
        let Bucket { waiting, rejected, .. } = bucket;
        let required = match &snap.org {
            Some(org) if kind == MailboxKind::User => Some(org.require_approval_users),
            Some(org) => Some(org.require_approval_queues),
            None => None,
        };
        if required == Some(false) {
            findings.push(
                Finding::new(
                    Severity::Info,
                    Subject::Org,
                    Actor::DynamicsAdmin,
                    format!(
                        "\"Process emails only for approved {noun}s\" is off, so {noun} mailboxes work without approval. \
                         Microsoft recommends keeping approval on."
                    ),
                )
                .doc(crate::readiness::links::REMOVE_APPROVAL_REQUIREMENT),
            );
        }
        let severity = if required == Some(false) { Severity::Info } else { Severity::Error };
        if !waiting.is_empty() {
            if severity == Severity::Error {
                blocking += waiting.len();
            }
            let pending = waiting.iter().filter(|m| m.approval == ApprovalState::Pending).count();
            let empty = waiting.iter().filter(|m| m.approval == ApprovalState::Empty).count();
            let odd = waiting.len() - pending - empty;
            let detail: Vec<String> =
                [(pending, "pending"), (empty, "never approved"), (odd, "with an unknown approval value")]
                    .into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}"))
                    .collect();
            let consequence = match required {
                Some(false) => "approval is not required, so their email is still processed",
                Some(true) if waiting.len() == 1 => "its email is not processed until it is approved",
                Some(true) => "their email is not processed until they are approved",
                None => "if approval is required (the default), their email is not processed",
            };
            findings.push(
                Finding::new(
                    severity,
                    Subject::Mailboxes(ids(waiting.iter().copied())),
                    Actor::DynamicsAdmin,
                    format!(
                        "{} {} not approved ({}); {consequence}.",
                        count_of(waiting.len(), &format!("{noun} mailbox"), &format!("{noun} mailboxes")),
                        if waiting.len() == 1 { "is" } else { "are" },
                        detail.join(", ")
                    ),
                )
                .remedy(Remedy::ApproveMailboxes { mailbox_ids: ids(waiting.iter().copied()) })
                .doc(crate::readiness::links::APPROVE_MAILBOXES),
            );
        }
        if !rejected.is_empty() {
            findings.push(
                Finding::new(
                    if severity == Severity::Error { Severity::Warning } else { Severity::Info },
                    Subject::Mailboxes(ids(rejected.iter().copied())),
                    Actor::DynamicsAdmin,
                    format!(
                        "{} {} rejected. Someone rejected {} on purpose; approve only if that was a mistake.",
                        count_of(rejected.len(), &format!("{noun} mailbox"), &format!("{noun} mailboxes")),
                        if rejected.len() == 1 { "was" } else { "were" },
                        if rejected.len() == 1 { "it" } else { "them" }
                    ),
                )
                .remedy(Remedy::ApproveMailboxes { mailbox_ids: ids(rejected.iter().copied()) }),
            );
        }
    }
    if snap.org.is_none() {
        findings.push(Finding::new(
            Severity::Warning,
            Subject::Org,
            Actor::DynamicsAdmin,
            format!(
                "Whether approval is required could not be read ({}); it is on by default.",
                why_missing(Part::Organization, ctx.errors)
            ),
        ));
    }

    findings.append(&mut findings_pending);
    findings.push(permission_finding(snap, ctx.errors, blocking > 0));
    let summary = if in_scope_total == 0 {
        "No active user or queue mailboxes".to_owned()
    } else {
        format!("{approved_total} of {in_scope_total} active mailboxes approved")
    };
    result(STEP, summary, findings, counts)
}

/// Approved mailboxes whose "approved by Microsoft 365 admin" flag is not set: shown, never a failure.
fn findings_o365(findings: &mut Vec<Finding>, unset: &[&Mailbox]) {
    let n = unset.len();
    findings.push(
        Finding::new(
            Severity::Info,
            Subject::Mailboxes(ids(unset.iter().copied())),
            Actor::ExchangeAdmin,
            format!(
                "{} approved in Dynamics 365 but not marked \"approved by Microsoft 365 admin\" \
                 (isemailaddressapprovedbyo365admin). This alone does not stop {} while {} tests pass; if Test & \
                 Enable fails with an alert asking for an approval by a Microsoft 365 administrator, a Global or \
                 Exchange administrator (with System Administrator) must approve the address.",
                count_of(n, "mailbox is", "mailboxes are"),
                if n == 1 { "it" } else { "them" },
                if n == 1 { "its" } else { "their" }
            ),
        )
        .doc(crate::readiness::links::NEEDS_O365_APPROVAL),
    );
}

fn permission_finding(snap: &Snapshot, errors: &[crate::collect::CollectError], needed: bool) -> Finding {
    let user = snap.caller.as_ref().map(|c| c.user_id.clone()).unwrap_or_default();
    let doc = crate::readiness::links::PERMISSIONS_MODEL;
    let tenant = "approving also needs the Microsoft 365 Global admin or Exchange admin role, or the Delegated \
                  Mailbox Approver role in this environment";
    match approver_verdict(snap, errors) {
        ApproverVerdict::CanApprove => Finding::new(
            Severity::Info,
            Subject::User(user),
            Actor::DynamicsAdmin,
            "You can approve mailboxes: you hold System Administrator and Delegated Mailbox Approver.",
        )
        .doc(doc),
        ApproverVerdict::ConfirmOnFirstApproval => Finding::new(
            if needed { Severity::Warning } else { Severity::Info },
            Subject::User(user),
            Actor::ExchangeAdmin,
            format!(
                "You are System Administrator, but {tenant}. Tenant roles cannot be seen from Dynamics 365, so this \
                 will be confirmed on the first approval. If it fails, ask a Global or Exchange admin to approve, or to \
                 give you the Delegated Mailbox Approver role."
            ),
        )
        .doc(doc),
        ApproverVerdict::Cannot(why) => Finding::new(
            if needed { Severity::Error } else { Severity::Info },
            Subject::User(user),
            Actor::DynamicsAdmin,
            format!("You cannot approve mailboxes: {why}. Ask an administrator who can, or to give you the roles."),
        )
        .doc(doc),
        ApproverVerdict::Unknown(why) => Finding::new(
            if needed { Severity::Warning } else { Severity::Info },
            Subject::User(user),
            Actor::DynamicsAdmin,
            format!(
                "Your roles could not be read ({why}); whether you can approve will be confirmed on the first approval."
            ),
        )
        .doc(doc),
    }
}
