use super::*;

#[test]
fn unknown_option_values_are_kept_not_dropped() {
    assert_eq!(RecordState::from(7), RecordState::Unknown(7));
    assert_eq!(ServerType::from(9), ServerType::Unknown(9));
}

#[test]
fn exchange_online_is_recognised_by_label_or_auto_created_name() {
    let base = wire::EmailServerProfile {
        emailserverprofileid: "ABC".into(),
        name: Some("Custom".into()),
        servertype: Some(0),
        emailservertypename: Some("Exchange Online".into()),
        statecode: Some(0),
        incomingcredentialretrieval: Some(2),
        outgoingcredentialretrieval: None,
        useautodiscover: Some(true),
    };
    let p = Profile::from(base.clone());
    assert!(p.is_exchange_online());
    assert!(p.server_to_server);
    assert_eq!(p.id, "abc");
    let pop = Profile::from(wire::EmailServerProfile {
        servertype: Some(1),
        emailservertypename: Some("Other".into()),
        ..base.clone()
    });
    assert!(!pop.is_exchange_online());
    let named = Profile::from(wire::EmailServerProfile {
        name: Some("Microsoft Exchange Online".into()),
        emailservertypename: None,
        ..base.clone()
    });
    assert!(named.is_exchange_online());
}

/// Issue 11: a renamed profile with a translated type label is still Exchange Online by `servertype`,
/// with no guess; only without `servertype` do the English texts decide, and then it says so.
#[test]
fn exchange_online_is_recognised_by_servertype_not_by_english_text() {
    let base = wire::EmailServerProfile {
        emailserverprofileid: "abc".into(),
        name: Some("Postfach-Profil".into()),
        servertype: Some(0),
        emailservertypename: Some("Exchange Online-Dienst".into()),
        statecode: Some(0),
        incomingcredentialretrieval: Some(2),
        outgoingcredentialretrieval: None,
        useautodiscover: Some(true),
    };
    let renamed = Profile::from(base.clone());
    assert!(renamed.is_exchange_online());
    assert_eq!(renamed.exchange_online_guess(), None);
    let english_but_pop = Profile::from(wire::EmailServerProfile {
        servertype: Some(1),
        name: Some("Microsoft Exchange Online".into()),
        emailservertypename: Some("Exchange Online".into()),
        ..base.clone()
    });
    assert!(!english_but_pop.is_exchange_online(), "the typed column wins over the English name");
    let untyped = Profile::from(wire::EmailServerProfile {
        servertype: None,
        name: Some("Microsoft Exchange Online".into()),
        ..base
    });
    assert!(untyped.is_exchange_online());
    assert!(untyped.exchange_online_guess().is_some_and(|g| g.contains("a guess")));
}

/// Renders the parsed settings, or the error, as one line.
fn check_settings(xml: &str, expect: expect_test::Expect) {
    let out = match DefaultEmailSettings::parse(xml) {
        Ok(s) => format!("incoming={:?} outgoing={:?} act={:?}", s.incoming, s.outgoing, s.act),
        Err(e) => format!("error: {}", e.reason),
    };
    expect.assert_eq(&out);
}

#[test]
fn default_email_settings_read_the_three_methods_with_their_own_numbering() {
    check_settings(
        "<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>",
        expect_test::expect!["incoming=Some(ServerSideSync) outgoing=Some(ServerSideSync) act=Some(ServerSideSync)"],
    );
    check_settings(
        "<?xml version=\"1.0\"?>\n<EmailSettings>\n  <IncomingEmailDeliveryMethod> 0 </IncomingEmailDeliveryMethod>\n  <ACTDeliveryMethod>0</ACTDeliveryMethod>\n  <Extra><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod></Extra>\n</EmailSettings>",
        expect_test::expect!["incoming=Some(None) outgoing=None act=Some(Outlook)"],
    );
    check_settings(
        "<EmailSettings><IncomingEmailDeliveryMethod>9</IncomingEmailDeliveryMethod><ACTDeliveryMethod>7</ACTDeliveryMethod></EmailSettings>",
        expect_test::expect!["incoming=Some(Unknown(9)) outgoing=None act=Some(Unknown(7))"],
    );
    check_settings("<EmailSettings/>", expect_test::expect!["incoming=None outgoing=None act=None"]);
}

#[test]
fn broken_default_email_settings_say_what_is_wrong() {
    check_settings("", expect_test::expect!["error: there is no <EmailSettings> element"]);
    check_settings("<Settings/>", expect_test::expect!["error: the root element is <Settings/>, not <EmailSettings>"]);
    check_settings(
        "<EmailSettings><IncomingEmailDeliveryMethod>two</IncomingEmailDeliveryMethod></EmailSettings>",
        expect_test::expect!["error: <IncomingEmailDeliveryMethod> holds `two`, not a number"],
    );
    check_settings(
        "<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod>",
        expect_test::expect!["error: <EmailSettings> is not closed"],
    );
    check_settings(
        "<EmailSettings><A></B></EmailSettings>",
        expect_test::expect!["error: expected `</A>`, but `</B>` was found at byte 18"],
    );
    check_settings("2", expect_test::expect!["error: text `2` outside <EmailSettings>"]);
    check_settings(
        "<EmailSettings></A></EmailSettings>",
        expect_test::expect!["error: expected `</EmailSettings>`, but `</A>` was found at byte 15"],
    );
    check_settings("</A>", expect_test::expect!["error: `</A>` closes nothing at byte 0"]);
    check_settings(
        "<EmailSettings/><EmailSettings/>",
        expect_test::expect!["error: more than one root element (<EmailSettings/>)"],
    );
    check_settings("<EmailSettings><!-- open", expect_test::expect!["error: comment at byte 15 is not closed"]);
    check_settings("<EmailSettings a=\"1", expect_test::expect!["error: the tag at byte 0 is not closed"]);
    check_settings("<EmailSettings></ >", expect_test::expect!["error: the tag at byte 15 has no valid name"]);
    check_settings("<EmailSettings><![CDATA[2", expect_test::expect!["error: CDATA at byte 15 is not closed"]);
}

#[test]
fn default_email_settings_skip_what_xml_allows_around_the_values() {
    // Declarations, comments, a DOCTYPE, attributes (a quoted `>` included), namespaces and CDATA.
    check_settings(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><!DOCTYPE EmailSettings><!-- set by admin -->\
         <s:EmailSettings xmlns:s=\"urn:x\" note='a > b'><s:IncomingEmailDeliveryMethod kind=\"x\">2</s:IncomingEmailDeliveryMethod>\
         <OutgoingEmailDeliveryMethod><![CDATA[ 2 ]]></OutgoingEmailDeliveryMethod><!-- <ACTDeliveryMethod>1</ACTDeliveryMethod> -->\
         <ACTDeliveryMethod/></s:EmailSettings>",
        expect_test::expect!["incoming=Some(ServerSideSync) outgoing=Some(ServerSideSync) act=None"],
    );
}

#[test]
fn timestamps_parse_what_dataverse_sends() {
    let p = |s: &str| Timestamp::parse_iso8601(s).map(Timestamp::unix_secs);
    assert_eq!(p("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(p("2024-05-01T10:00:00Z"), Some(1_714_557_600));
    assert_eq!(p("2024-05-01T10:00:00.123Z"), Some(1_714_557_600));
    assert_eq!(p("2024-05-01T12:00:00+02:00"), Some(1_714_557_600));
    assert_eq!(p("2024-02-29"), Some(1_709_164_800));
    for bad in [
        "",
        "2023-02-29",
        "2024-13-01T00:00:00Z",
        "2024-05-01T25:00:00Z",
        "2024-05-01T10:00:00X",
        "yesterday",
        "2024-05-01T10:00",
    ] {
        assert_eq!(p(bad), None, "{bad}");
    }
}

#[test]
fn a_mailbox_row_becomes_a_typed_mailbox() {
    let json = r#"{
        "@odata.etag": "W/\"1234\"",
        "mailboxid": "AAAA0000-0000-0000-0000-000000000001",
        "name": "Alex Wilber",
        "emailaddress": "alexw@contoso.com",
        "_emailserverprofile_value": "BBBB0000-0000-0000-0000-000000000001",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
        "_regardingobjectid_value": "CCCC0000-0000-0000-0000-000000000001",
        "regardingobjecttypecode": "systemuser",
        "isforwardmailbox": false,
        "statecode": 0,
        "incomingemaildeliverymethod": 2,
        "outgoingemaildeliverymethod": 2,
        "actdeliverymethod": 1,
        "incomingemailstatus": 1,
        "outgoingemailstatus": 2,
        "actstatus": 0,
        "mailboxstatus": 2,
        "emailrouteraccessapproval": 2,
        "enabledforincomingemail": true,
        "enabledforoutgoingemail": false,
        "enabledforact": true,
        "testemailconfigurationscheduled": false,
        "testmailboxaccesscompletedon": "2024-05-01T10:00:00Z",
        "orgmarkedasprimaryforexchangesync": false,
        "postponetestemailconfigurationuntil": null,
        "processemailreceivedafter": null
    }"#;
    let m = Mailbox::from(crate::json::decode::<wire::Mailbox>(json).unwrap());
    expect_test::expect![[r#"
        Mailbox {
            id: "aaaa0000-0000-0000-0000-000000000001",
            etag: Some(
                "W/\"1234\"",
            ),
            name: "Alex Wilber",
            email: Some(
                "alexw@contoso.com",
            ),
            profile: Some(
                "bbbb0000-0000-0000-0000-000000000001",
            ),
            regarding: Some(
                "cccc0000-0000-0000-0000-000000000001",
            ),
            kind: User,
            state: Active,
            incoming: Some(
                ServerSideSync,
            ),
            outgoing: Some(
                ServerSideSync,
            ),
            act: Some(
                ServerSideSync,
            ),
            incoming_status: Some(
                Success,
            ),
            outgoing_status: Some(
                Failure,
            ),
            act_status: Some(
                NotRun,
            ),
            mailbox_status: Some(
                Failure,
            ),
            approval: Pending,
            approved_by_o365_admin: None,
            enabled_incoming: true,
            enabled_outgoing: false,
            enabled_act: true,
            test_scheduled: false,
            test_completed_on: Some(
                Timestamp(
                    1714557600,
                ),
            ),
            org_marked_primary: false,
            postpone_test_until: None,
            process_email_received_after: None,
        }
    "#]]
    .assert_debug_eq(&m);
    assert!(m.is_in_scope());
    assert!(m.uses_sss_everywhere());
}

#[test]
fn mailbox_kind_comes_from_the_forward_flag_then_the_lookup_annotation_then_the_type_code() {
    let base: wire::Mailbox = crate::json::decode(r#"{"mailboxid":"m"}"#).unwrap();
    let kind = |w: wire::Mailbox| Mailbox::from(w).kind;
    assert_eq!(kind(base.clone()), MailboxKind::Unknown(String::new()));
    assert_eq!(
        kind(wire::Mailbox {
            isforwardmailbox: Some(true),
            regarding_logical_name: Some("queue".into()),
            ..base.clone()
        }),
        MailboxKind::Forward
    );
    assert_eq!(
        kind(wire::Mailbox { regarding_logical_name: Some("queue".into()), ..base.clone() }),
        MailboxKind::Queue
    );
    assert_eq!(
        kind(wire::Mailbox { regardingobjecttypecode: Some(wire::EntityName::Code(8)), ..base.clone() }),
        MailboxKind::User
    );
    assert_eq!(
        kind(wire::Mailbox { regardingobjecttypecode: Some(wire::EntityName::Name("account".into())), ..base }),
        MailboxKind::Unknown("account".into())
    );
}

#[test]
fn act_option_values_are_not_the_email_ones() {
    assert_eq!(DeliveryMethod::from(1), DeliveryMethod::Outlook);
    assert_eq!(ActDeliveryMethod::from(1), ActDeliveryMethod::ServerSideSync);
    assert_eq!(ActDeliveryMethod::from(2), ActDeliveryMethod::None);
    assert_eq!(DeliveryMethod::from(2), DeliveryMethod::ServerSideSync);
    assert_eq!(TestStatus::from(5), TestStatus::Unknown(5));
    assert_eq!(ApprovalState::from(3), ApprovalState::Rejected);
    for v in -2..6 {
        assert_eq!(DeliveryMethod::from(v).value(), v);
        assert_eq!(ActDeliveryMethod::from(v).value(), v);
    }
}

#[test]
fn the_org_settings_carry_the_parsed_defaults() {
    let w: wire::Organization = crate::json::decode(
        r#"{"organizationid":"O","defaultemailsettings":"<EmailSettings><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>","emailconnectionchannel":1}"#,
    )
    .unwrap();
    let org = OrgSettings::from(w);
    assert_eq!(org.default_email_settings.clone().unwrap().unwrap().act, Some(ActDeliveryMethod::ServerSideSync));
    assert_eq!(org.channel(), Some(ConnectionChannel::EmailRouter));
    let empty: wire::Organization =
        crate::json::decode(r#"{"organizationid":"O","defaultemailsettings":" "}"#).unwrap();
    assert_eq!(OrgSettings::from(empty).default_email_settings, None);
}
