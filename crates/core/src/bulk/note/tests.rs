//! Notes render in the language asked for, keep their data, and stay English where they are
//! exported or saved.

use super::*;
use crate::bulk::plan::tests::{mailbox, snapshot};
use crate::bulk::{Action, MailboxFilter, Plan, PlanError, ResumeError, Selection, TargetError, plan};
use crate::model::{ApprovalState, MailboxKind, OrgUrl, PrivilegeHolding};

fn de() -> Lang {
    Lang::from_tag("de")
}

fn approve_without_privilege() -> Plan {
    let mut snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Pending)]);
    snap.approve_privilege =
        Some(PrivilegeHolding { name: "prvApproveRejectEmailAddress".into(), held: false, depth: None });
    plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap()
}

#[test]
fn issue_18_a_block_for_a_missing_privilege_names_it_in_german_and_stays_english_for_the_record() {
    let p = approve_without_privilege();
    let reason = &p.blocked[0].reason;
    assert_eq!(*reason, Note::NoPrivilege { privilege: "prvApproveRejectEmailAddress".into() });
    let german = reason.text(de());
    assert!(
        german.starts_with(
            "Ihnen fehlt die Berechtigung „E-Mail-Adressen für Benutzer oder Warteschlangen genehmigen“ \
             (prvApproveRejectEmailAddress). Zum Genehmigen von E-Mail-Adressen braucht man die Sicherheitsrolle \
             „Systemadministrator“"
        ),
        "{german}"
    );
    assert!(german.contains("„Globaler Administrator“ oder „Exchange-Administrator“"), "{german}");
    // English as before notes were data: Display, `text(english)` and the serialised plan agree.
    let english = "You do not hold the privilege \"Approve Email Addresses for Users or Queues\" \
                   (prvApproveRejectEmailAddress). Approving email addresses needs the System Administrator security \
                   role together with one of: the Microsoft 365 Global Administrator role, the Exchange Administrator \
                   role, or the Dynamics 365 \"Delegated Mailbox Approver\" security role. Ask someone who holds such \
                   a pair to approve, or have a Global or Exchange administrator assign you the Delegated Mailbox \
                   Approver role.";
    assert_eq!(reason.to_string(), english);
    assert_eq!(reason.text(Lang::english()), english);
    assert_eq!(serde_json::to_value(&p.blocked[0]).unwrap()["reason"], english);
}

#[test]
fn issue_18_a_saved_plan_keeps_its_notes_in_english_and_reads_them_back_verbatim() {
    let p = approve_without_privilege().bound_to(OrgUrl::parse("https://contoso.crm.dynamics.com").unwrap());
    let run = crate::bulk::Run::new(p.clone(), crate::bulk::RunConfig::default());
    let saved = crate::bulk::SavedRun::of("https://contoso.crm.dynamics.com", &run).to_json();
    assert_eq!(saved["plan"]["blocked"][0]["reason"], p.blocked[0].reason.to_string());
    let back = <crate::bulk::SavedRun as crate::json::FromJson>::from_json(&saved).unwrap();
    let note = &back.plan.blocked[0].reason;
    assert_eq!(*note, Note::Verbatim(p.blocked[0].reason.to_string()));
    assert_eq!(note.text(de()), p.blocked[0].reason.to_string(), "shown as saved");
}

#[test]
fn issue_18_run_outcomes_render_in_german_with_their_data() {
    let throttled = Note::Throttled { retry_after_secs: 30 };
    assert_eq!(throttled.to_string(), "throttled; retry after 30 s");
    assert_eq!(throttled.text(de()), "gedrosselt; neuer Versuch nach 30 s");
    let stuck = |minutes| Note::Stuck { minutes };
    assert_eq!(stuck(1).to_string(), "Test & Enable had not finished after 1 minute");
    assert_eq!(stuck(55).text(de()), "„Testen und aktivieren“ war nach 55 Minuten nicht abgeschlossen");
    let failed = Note::TestFailed { incoming: true, outgoing: false, act: true };
    assert_eq!(failed.to_string(), "Test & Enable failed for incoming email, appointments, contacts and tasks");
    assert_eq!(
        failed.text(de()),
        "„Testen und aktivieren“ fehlgeschlagen für eingehende E-Mail, Termine, Kontakte und Aufgaben"
    );
    let mismatch = Mismatch { field: Field::Approval, read: Value::from(3), expected: Value::from(1) };
    let accepted = Note::AcceptedBut(Box::new(mismatch.clone()));
    assert_eq!(
        accepted.to_string(),
        "the service accepted the change but read back emailrouteraccessapproval = Rejected, expected Approved"
    );
    assert_eq!(
        accepted.text(de()),
        "der Dienst hat die Änderung angenommen, aber der Datensatz zeigt beim Zurücklesen \
         emailrouteraccessapproval = Abgelehnt statt Genehmigt"
    );
    assert_eq!(
        Note::GaveUp { attempts: 5, mismatch: Box::new(mismatch) }.text(de()),
        "nach 5 Versuchen aufgegeben; der Datensatz zeigt beim Zurücklesen emailrouteraccessapproval = Abgelehnt \
         statt Genehmigt"
    );
    let not_sent = Note::NotSent.text(de());
    assert!(not_sent.starts_with("nicht gesendet: Eine Genehmigung wurde mit 0x80040256 (CrmSecurity) abgelehnt."));
    let alert = Note::WithAlert { note: Box::new(stuck(55)), alert: "Der Server antwortet nicht".into() };
    assert_eq!(
        alert.text(de()),
        "„Testen und aktivieren“ war nach 55 Minuten nicht abgeschlossen. Warnung: Der Server antwortet nicht"
    );
    // The service's own words are not SyncReady's to translate.
    assert_eq!(Note::Verbatim("Principal user is missing".into()).text(de()), "Principal user is missing");
}

#[test]
fn issue_18_every_note_fills_every_placeholder_in_every_language() {
    let m = || Mismatch { field: Field::ProfileState, read: Value::from(1), expected: Value::from(0) };
    let notes = [
        Note::ProfileActive,
        Note::NotInSnapshot,
        Note::NotUserOrQueue,
        Note::Inactive,
        Note::AlreadyApproved,
        Note::AlreadyRejected,
        Note::TestScheduled,
        Note::SameSettings,
        Note::OrgSameSettings,
        Note::SameAddress,
        Note::NoPrivilege { privilege: "p".into() },
        Note::NoSysadmin,
        Note::OwnMailbox,
        Note::NotAnAddress { address: "a b".into() },
        Note::RolesUnread,
        Note::TenantRoles,
        Note::OrgNeedsSysadmin,
        Note::AddressPending,
        Note::AddressUser,
        Note::UndoTest,
        Note::Throttled { retry_after_secs: 1 },
        Note::Unreadable { tries: 10 },
        Note::Cancelled,
        Note::BatchRefused,
        Note::Gone,
        Note::AcceptedBut(Box::new(m())),
        Note::GaveUp { attempts: 2, mismatch: Box::new(m()) },
        Note::TestFailed { incoming: false, outgoing: true, act: false },
        Note::Stuck { minutes: 2 },
        Note::ApprovalsStopped,
        Note::NotSent,
        Note::WithAlert { note: Box::new(Note::Gone), alert: "a".into() },
    ];
    for lang in Lang::all() {
        for note in &notes {
            let text = note.text(lang);
            assert!(!text.contains('{') && !text.contains("bulk."), "{}: {note:?}: {text}", lang.tag());
            if lang != Lang::english() {
                assert_ne!(text, note.to_string(), "{}: {note:?} is translated", lang.tag());
            }
        }
    }
    assert_eq!(Note::NotAnAddress { address: "a b".into() }.to_string(), "\"a b\" is not an email address");
    assert_eq!(m().text(de()), "der Datensatz zeigt beim Zurücklesen statecode = Inaktiv statt Aktiv");
    // One per item of a run of tens of thousands, cloned with every progress report: as small as a
    // `String` and its tag.
    assert!(std::mem::size_of::<Option<Note>>() <= 32, "{}", std::mem::size_of::<Option<Note>>());
}

#[test]
fn issue_18_plan_and_target_errors_render_in_german() {
    assert_eq!(PlanError::NoDefaultProfile.to_string(), PlanError::NoDefaultProfile.text(Lang::english()));
    assert_eq!(
        PlanError::EmptyDefaultSettings.text(de()),
        "die Standard-E-Mail-Einstellungen der Organisation fehlen oder sind ungültig: die Spalte ist leer"
    );
    assert_eq!(PlanError::EmptyDefaultSettings.to_string(), PlanError::EmptyDefaultSettings.text(Lang::english()));
    assert_eq!(PlanError::UnknownProfile("x".into()).text(de()), "das E-Mail-Serverprofil x existiert nicht");
    let org_for_mailboxes = plan(&snapshot(Vec::new()), &Selection::Org, &Action::Approve).unwrap_err();
    assert_eq!(org_for_mailboxes.to_string(), "this action applies to mailboxes; select mailboxes");
    assert_eq!(org_for_mailboxes.text(de()), "diese Aktion gilt für Postfächer; wählen Sie Postfächer aus");
    let (planned, current) = (
        OrgUrl::parse("https://contoso.crm.dynamics.com").unwrap(),
        OrgUrl::parse("https://fabrikam.crm4.dynamics.com").unwrap(),
    );
    let other = TargetError::OtherOrg { planned, current };
    assert_eq!(other.text(Lang::english()), other.to_string());
    assert!(
        other.text(de()).starts_with(
            "das wurde für https://contoso.crm.dynamics.com geplant, aber SyncReady zeigt jetzt \
             https://fabrikam.crm4.dynamics.com; nichts wurde gesendet."
        ),
        "{}",
        other.text(de())
    );
    assert_eq!(ResumeError::PlanMismatch.text(Lang::english()), ResumeError::PlanMismatch.to_string());
    assert_eq!(ResumeError::PlanMismatch.text(de()), "das Protokoll gehört zu einem anderen Plan");
}

#[test]
fn issue_18_the_dry_run_shows_values_in_the_page_language() {
    let snap = snapshot(vec![mailbox(1, MailboxKind::User, ApprovalState::Pending)]);
    let p = plan(&snap, &Selection::Matching(MailboxFilter::default()), &Action::Approve).unwrap();
    let row = |lang| p.dry_run_in(lang).into_iter().map(|r| (r.before, r.after)).collect::<Vec<_>>();
    assert_eq!(row(Lang::english()), [("Pending Approval".to_owned(), "Approved".to_owned())]);
    assert_eq!(row(de()), [("Genehmigung ausstehend".to_owned(), "Genehmigt".to_owned())]);
    assert_eq!(p.dry_run(), p.dry_run_in(Lang::english()));
}
