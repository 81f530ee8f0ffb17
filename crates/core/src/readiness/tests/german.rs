//! The report and checklist in German (issue 18: a translation is a file). The same messy org in
//! English is covered step by step by the other modules; here every step renders from `de.json`.

use super::support::{NOW, alert, queue, render, snap, user};
use crate::i18n::Lang;
use crate::model::{AlertLevel, AlertSet, ApprovalState, DeliveryMethod, TestStatus};
use crate::readiness::{EvaluateOptions, StepId, checklist_in, evaluate_with};
use expect_test::expect;

fn messy() -> crate::collect::Snapshot {
    let mut waiting = user("u-wait");
    waiting.approval = ApprovalState::Pending;
    let mut no_profile = user("u-none");
    no_profile.profile = None;
    let mut pop = queue("q-pop");
    pop.incoming = Some(DeliveryMethod::Outlook);
    let mut failed = user("u-fail");
    failed.incoming_status = Some(TestStatus::Failure);
    let mut s = snap(vec![user("u-ok"), waiting, no_profile, pop, failed]);
    s.alerts = Some(AlertSet {
        alerts: vec![
            alert("u-fail", AlertLevel::Error, "Die E-Mail-Adresse ist nicht genehmigt.", None),
            alert("u-fail", AlertLevel::Error, "Etwas ganz anderes ist passiert.", None),
        ],
        failing_mailboxes: 1,
        mailboxes_read: 1,
    });
    s
}

#[test]
fn the_checklist_evaluated_in_german_shows_german_titles_summaries_and_findings() {
    let de = Lang::from_tag("de-DE");
    let report = evaluate_with(&messy(), &[], &EvaluateOptions { lang: de, ..EvaluateOptions::at(NOW) });
    let list = checklist_in(&report, de);
    let titles: Vec<&str> = list.rows.iter().map(|r| r.title).collect();
    expect![[r#"
        [
            "Exchange Online-E-Mail-Serverprofil vorhanden, aktiv und Standard",
            "Organisation verarbeitet E-Mails standardmäßig mit serverseitiger Synchronisierung",
            "Postfächer verwenden das Exchange Online-Profil und serverseitige Synchronisierung",
            "E-Mail-Adressen der Postfächer genehmigt",
            "Postfächer getestet und aktiviert",
            "Postfachwarnungen erklärt",
            "Postfächer synchronisieren weiter",
        ]
    "#]]
    .assert_debug_eq(&titles);
    let all: String = StepId::ALL.iter().filter_map(|s| report.step(*s)).map(render).collect();
    let approved = report.step(StepId::MailboxApproval).and_then(|s| s.counts.first()).map(|c| c.text(de));
    assert_eq!(approved.as_deref(), Some("4 von 5 Postfächer genehmigt"));
    expect![[r#"
        pass: „Microsoft Exchange Online“ ist aktiv und das Standardprofil
        counts: 2 E-Mail-Serverprofile; 1 of 1 Exchange Online-Profile aktiv
        - Info DynamicsAdmin org: 2 E-Mail-Serverprofile: „Microsoft Exchange Online“ (Standard), „Legacy POP3“.
        pass: E-Mails werden mit serverseitiger Synchronisierung verarbeitet; neue Postfächer erhalten das Exchange Online-Profil
        counts: 5 of 5 E-Mail-Einstellungen der Organisation auf serverseitiger Synchronisierung
        fail: 3 von 5 aktiven Postfächern verwenden Exchange Online mit serverseitiger Synchronisierung
        counts: 3 of 5 Postfächer auf Exchange Online mit serverseitiger Synchronisierung; 3 of 4 Benutzerpostfächer eingerichtet; 0 of 1 Warteschlangenpostfächer eingerichtet; 0 Weiterleitungspostfächer (nicht gezählt); 0 inaktive Postfächer (nicht gezählt)
        - Error DynamicsAdmin mailboxes [u-none]: 1 Benutzerpostfach hat kein E-Mail-Serverprofil, daher werden seine E-Mails nicht synchronisiert. Wenden Sie die Standard-E-Mail-Einstellungen an.
          remedy: apply-default-settings [u-none]
          doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes
        - Error DynamicsAdmin mailboxes [q-pop]: 1 Warteschlangenpostfach ist nicht auf serverseitiger Synchronisierung (eingehend 1, ausgehend 0). Wenden Sie die Standard-E-Mail-Einstellungen an.
          remedy: apply-default-settings [q-pop]
          doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#configure-mailboxes
        fail: 4 von 5 aktiven Postfächern genehmigt
        counts: 4 of 5 Postfächer genehmigt; 3 of 4 Benutzerpostfächer genehmigt; 1 of 1 Warteschlangenpostfächer genehmigt
        - Error DynamicsAdmin mailboxes [u-wait]: 1 Benutzerpostfach ist nicht genehmigt (1 ausstehend); seine E-Mails werden erst nach der Genehmigung verarbeitet.
          remedy: approve-mailboxes [u-wait]
          doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-mailboxes
        - Warning ExchangeAdmin user caller: Sie sind Systemadministrator, aber zum Genehmigen brauchen Sie außerdem die Rolle „Globaler Administrator“ oder „Exchange-Administrator“ in Microsoft 365 oder die Rolle „Delegated Mailbox Approver“ in dieser Umgebung. Mandantenrollen sind aus Dynamics 365 nicht sichtbar, daher zeigt sich das bei der ersten Genehmigung. Schlägt sie fehl, bitten Sie eine globale oder Exchange-Administration, zu genehmigen oder Ihnen die Rolle „Delegated Mailbox Approver“ zu geben.
          doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#permissions-model
        fail: 4 von 5 Postfächern mit serverseitiger Synchronisierung getestet und aktiviert
        counts: 4 of 5 Postfächer getestet und aktiviert; 1 Postfächer mit fehlgeschlagenem Test; 1 eingehende E-Mail fehlgeschlagen; 0 ausgehende E-Mail fehlgeschlagen; 0 Termine, Kontakte und Aufgaben fehlgeschlagen; 0 der fehlgeschlagenen Postfächer jetzt deaktiviert; 0 Postfächer deaktiviert ohne fehlgeschlagenen Test; 0 Postfächer nie getestet; 0 Postfächer im Test; 0 Postfächer hängen in „Testen und aktivieren“
        - Error DynamicsAdmin mailboxes [u-fail]: 1 Postfach: „Testen und aktivieren“ fehlgeschlagen (eingehende E-Mail 1). Beheben Sie die Ursache aus den Warnungen, dann erneut testen und aktivieren.
          remedy: test-and-enable [u-fail] this_org_only=false
        fail: 2 Warnungen bei 1 Postfach: 1 Ursache bekannt, 1 unbekannt
        counts: 1 fehlerhafte Postfächer; 1 fehlerhafte Postfächer, deren Warnungen gelesen wurden; 1 Postfächer mit Fehler- oder Warnmeldungen; 1 bekannte Ursachen; 1 unbekannte Warnungen
        - Error DynamicsAdmin mailboxes [u-fail]: 1 Postfach: die E-Mail-Adresse ist nicht genehmigt, daher wurde das Postfach deaktiviert. Lösung: die E-Mail-Adresse genehmigen, dann testen und aktivieren. SyncReady hat hier nichts zu ändern (Name u-fail: already approved); die Ursache liegt woanders; folgen Sie der Lösung oben.
          doc: https://learn.microsoft.com/power-platform/admin/connect-exchange-online#approve-email
        - Warning DynamicsAdmin mailboxes [u-fail]: Unbekannte Warnung bei 1 Datensatz, so wie Dynamics 365 sie geschrieben hat: „Etwas ganz anderes ist passiert.“
          doc: https://learn.microsoft.com/troubleshoot/power-platform/dataverse/email-exchange-synchronization/troubleshooting-monitoring-server-side-synchronization
        pass: Alle 5 Postfächer synchronisieren normal.
        counts: 5 of 5 Synchronisiert normal; 0 of 5 Verzögert; 0 of 5 Zurückgestellt; 0 of 5 Fehlerhaft; 0 of 5 Deaktiviert seit dem letzten erfolgreichen Test; 0 Fehlgeschlagene Elemente
    "#]]
    .assert_eq(&all);
}

#[test]
fn the_same_org_in_english_and_german_differs_only_in_words() {
    let en = evaluate_with(&messy(), &[], &EvaluateOptions::at(NOW));
    let de = evaluate_with(&messy(), &[], &EvaluateOptions { lang: Lang::from_tag("de"), ..EvaluateOptions::at(NOW) });
    for (e, d) in en.steps.iter().zip(&de.steps) {
        assert_eq!((e.step, &e.status), (d.step, &d.status));
        assert_ne!(e.summary, d.summary, "{:?}", e.step);
        assert_eq!(e.findings.len(), d.findings.len());
        for (fe, fd) in e.findings.iter().zip(&d.findings) {
            assert_eq!(
                (fe.severity, &fe.subject, fe.actor, &fe.remedy),
                (fd.severity, &fd.subject, fd.actor, &fd.remedy)
            );
            assert_ne!(fe.message, fd.message);
        }
        let keys =
            |s: &crate::readiness::StepResult| s.counts.iter().map(|c| (c.key.clone(), c.value)).collect::<Vec<_>>();
        assert_eq!(keys(e), keys(d));
    }
}
