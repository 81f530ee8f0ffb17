//! Step "Approve email": approval toggles, unapproved mailboxes and whether the caller can approve.

use super::{Context, count_of, ids, in_scope, result};
use crate::collect::Part;
use crate::i18n::Lang;
use crate::model::{ApprovalState, Mailbox, MailboxKind, Role};
use crate::readiness::report::{Actor, Count, Finding, Remedy, Severity, StepId, StepResult, Subject};
use crate::{tr, trn};

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

pub(super) fn approver_verdict(ctx: &Context<'_>) -> ApproverVerdict {
    let (snap, lang) = (ctx.snapshot, ctx.lang());
    let (direct, team) = (snap.roles.as_deref(), snap.team_roles.as_deref());
    let Some(direct) = direct else {
        return ApproverVerdict::Unknown(ctx.why_missing(Part::Roles));
    };
    let team: &[Role] = team.unwrap_or(&[]);
    let sysadmin = direct.iter().chain(team).any(Role::is_system_administrator);
    // Delegated Mailbox Approver cannot be given to a team, so only direct roles count.
    let delegated = direct.iter().any(Role::is_delegated_mailbox_approver);
    let privilege = snap.approve_privilege.as_ref().map(|p| p.held);
    if !sysadmin {
        return ApproverVerdict::Cannot(lang.t("approval.cannot.no-sysadmin").to_owned());
    }
    if privilege == Some(false) {
        return ApproverVerdict::Cannot(lang.t("approval.cannot.no-privilege").to_owned());
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
    let lang = ctx.lang();
    if snap.mailboxes.is_none() {
        return ctx.unable(STEP, Part::Mailboxes);
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
    let mut counts = vec![Count::of("approved", lang.t("approval.count.approved"), approved_total, in_scope_total)];
    // "Approved by Microsoft 365 admin" (`isemailaddressapprovedbyo365admin`), shown beside the approval.
    // Which flag the service requires in which case is not documented, so this is information only: a
    // mailbox whose tests pass is never failed for it (the alerts step names it when a test fails).
    let o365_set = buckets[0].o365_set + buckets[1].o365_set;
    let o365_unset: Vec<&Mailbox> = buckets.iter().flat_map(|b| b.o365_unset.iter().copied()).collect();
    if o365_set + o365_unset.len() > 0 {
        counts.push(Count::of(
            "approved-by-o365-admin",
            lang.t("approval.count.approved-by-o365-admin"),
            o365_set,
            o365_set + o365_unset.len(),
        ));
    }
    if !o365_unset.is_empty() {
        findings_o365(&mut findings_pending, &o365_unset, lang);
    }
    let mut blocking = 0;

    for ((kind, noun), bucket) in [(MailboxKind::User, "user"), (MailboxKind::Queue, "queue")].into_iter().zip(&buckets)
    {
        let key = format!("{noun}s-approved");
        counts.push(Count::of(&key, lang.t(&format!("approval.count.{key}")), bucket.approved, bucket.total));
        let these = |n: usize| count_of(lang, n, &format!("count.{noun}-mailboxes"));
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
                    lang.t(&format!("approval.finding.not-required.{noun}")).to_owned(),
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
            let detail: Vec<String> = [
                (pending, "approval.detail.pending"),
                (empty, "approval.detail.never"),
                (odd, "approval.detail.unknown"),
            ]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| tr!(lang, what, n = n))
            .collect();
            let consequence = lang.t(match required {
                Some(false) => "approval.consequence.not-required",
                Some(true) if waiting.len() == 1 => "approval.consequence.one",
                Some(true) => "approval.consequence.other",
                None => "approval.consequence.unknown",
            });
            findings.push(
                Finding::new(
                    severity,
                    Subject::Mailboxes(ids(waiting.iter().copied())),
                    Actor::DynamicsAdmin,
                    trn!(
                        lang,
                        "approval.finding.waiting",
                        waiting.len(),
                        mailboxes = these(waiting.len()),
                        detail = detail.join(", "),
                        consequence = consequence
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
                    trn!(lang, "approval.finding.rejected", rejected.len(), mailboxes = these(rejected.len())),
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
            tr!(lang, "approval.finding.org-unread", why = ctx.why_missing(Part::Organization)),
        ));
    }

    findings.append(&mut findings_pending);
    findings.push(permission_finding(ctx, blocking > 0));
    let summary = if in_scope_total == 0 {
        lang.t("summary.no-mailboxes").to_owned()
    } else {
        tr!(lang, "approval.summary", approved = approved_total, total = in_scope_total)
    };
    result(STEP, summary, findings, counts)
}

/// Approved mailboxes whose "approved by Microsoft 365 admin" flag is not set: shown, never a failure.
fn findings_o365(findings: &mut Vec<Finding>, unset: &[&Mailbox], lang: Lang) {
    let n = unset.len();
    findings.push(
        Finding::new(
            Severity::Info,
            Subject::Mailboxes(ids(unset.iter().copied())),
            Actor::ExchangeAdmin,
            trn!(lang, "approval.finding.o365-unset", n),
        )
        .doc(crate::readiness::links::NEEDS_O365_APPROVAL),
    );
}

fn permission_finding(ctx: &Context<'_>, needed: bool) -> Finding {
    let (snap, lang) = (ctx.snapshot, ctx.lang());
    let user = snap.caller.as_ref().map(|c| c.user_id.clone()).unwrap_or_default();
    let doc = crate::readiness::links::PERMISSIONS_MODEL;
    match approver_verdict(ctx) {
        ApproverVerdict::CanApprove => {
            Finding::new(Severity::Info, Subject::User(user), Actor::DynamicsAdmin, lang.t("approval.permission.can"))
                .doc(doc)
        }
        ApproverVerdict::ConfirmOnFirstApproval => Finding::new(
            if needed { Severity::Warning } else { Severity::Info },
            Subject::User(user),
            Actor::ExchangeAdmin,
            lang.t("approval.permission.confirm"),
        )
        .doc(doc),
        ApproverVerdict::Cannot(why) => Finding::new(
            if needed { Severity::Error } else { Severity::Info },
            Subject::User(user),
            Actor::DynamicsAdmin,
            tr!(lang, "approval.permission.cannot", why = why),
        )
        .doc(doc),
        ApproverVerdict::Unknown(why) => Finding::new(
            if needed { Severity::Warning } else { Severity::Info },
            Subject::User(user),
            Actor::DynamicsAdmin,
            tr!(lang, "approval.permission.unknown", why = why),
        )
        .doc(doc),
    }
}
