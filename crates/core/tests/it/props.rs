//! Property tests: parsers never panic on arbitrary input.

use proptest::prelude::*;
use syncready_core::http::Response;
use syncready_core::model::{DefaultEmailSettings, Timestamp};
use syncready_core::odata::decode_collection;
use syncready_core::wire;

/// Fragments that steer random text towards JSON pages and settings XML.
fn json_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"value\"".to_owned()),
        Just("\"@odata.nextLink\"".to_owned()),
        Just("\"mailboxid\"".to_owned()),
        Just("\"error\"".to_owned()),
        Just("\"statecode\"".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "\"[^\"\\\\]{0,8}\"".prop_map(|s| s),
        ".{0,4}".prop_map(|s| s),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn xml_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<EmailSettings>".to_owned()),
        Just("</EmailSettings>".to_owned()),
        Just("<EmailSettings/>".to_owned()),
        Just("<IncomingEmailDeliveryMethod>".to_owned()),
        Just("</IncomingEmailDeliveryMethod>".to_owned()),
        Just("<ACTDeliveryMethod>".to_owned()),
        Just("</ACTDeliveryMethod>".to_owned()),
        Just("<?xml version=\"1.0\"?>".to_owned()),
        Just("<![CDATA[2]]>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#x32;".to_owned()),
        Just("<!-- c -->".to_owned()),
        any::<i32>().prop_map(|n| n.to_string()),
        ".{0,4}".prop_map(|s| s),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_page_parser_never_panics_on_json_like_bodies(body in json_like(), status in 100u16..600, json_type in any::<bool>()) {
        let content_type = if json_type { "application/json" } else { "text/html" };
        let response = Response { status, headers: vec![("Content-Type".into(), content_type.into())], body };
        let _ = decode_collection::<wire::Mailbox>(&response, "mailboxes");
    }

    #[test]
    fn the_page_parser_never_panics_on_arbitrary_text(body in any::<String>()) {
        let response = Response { status: 200, headers: vec![("Content-Type".into(), "application/json".into())], body };
        let _ = decode_collection::<wire::TraceLog>(&response, "tracelogs");
    }

    #[test]
    fn the_settings_parser_never_panics_and_keeps_what_it_reads(xml in xml_like()) {
        if let Ok(s) = DefaultEmailSettings::parse(&xml) {
            // Whatever was read must have come from an <EmailSettings> document.
            prop_assert!(xml.contains("EmailSettings"));
            let _ = s;
        }
    }

    #[test]
    fn the_settings_parser_never_panics_on_arbitrary_text(xml in any::<String>()) {
        let _ = DefaultEmailSettings::parse(&xml);
    }

    #[test]
    fn the_settings_parser_reads_back_any_numbers(i in any::<i32>(), o in any::<i32>(), a in any::<i32>()) {
        let xml = format!("<EmailSettings><IncomingEmailDeliveryMethod>{i}</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>{o}</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>{a}</ACTDeliveryMethod></EmailSettings>");
        let s = DefaultEmailSettings::parse(&xml).unwrap();
        prop_assert_eq!(s.incoming.map(|m| m.value()), Some(i));
        prop_assert_eq!(s.outgoing.map(|m| m.value()), Some(o));
        prop_assert_eq!(s.act.map(|m| m.value()), Some(a));
    }

    #[test]
    fn the_date_parser_never_panics(s in any::<String>()) {
        let _ = Timestamp::parse_iso8601(&s);
    }

    #[test]
    fn the_date_parser_round_trips_valid_dates(y in 1970i64..2200, mo in 1i64..=12, d in 1i64..=28, h in 0i64..24, mi in 0i64..60, s in 0i64..60) {
        let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
        let t = Timestamp::parse_iso8601(&text).unwrap();
        let midnight = Timestamp::parse_iso8601(&text[..10]).unwrap();
        prop_assert_eq!(t.secs_since(midnight), h * 3600 + mi * 60 + s);
        prop_assert_eq!(midnight.unix_secs() % 86_400, 0);
    }
}

mod evaluate_is_total {
    use proptest::prelude::*;
    use serde_json::json;
    use syncready_core::collect::Snapshot;
    use syncready_core::json::FromJson;
    use syncready_core::model::{
        Alert, AlertSet, Caller, Mailbox, OrgSettings, PrivilegeHolding, Profile, Role, Timestamp,
    };
    use syncready_core::readiness::{EvaluateOptions, StepId, checklist, evaluate_with};
    use syncready_core::wire;

    fn option_value() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![Just(serde_json::Value::Null), (-2i32..6).prop_map(|n| json!(n))]
    }

    fn flag() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![Just(serde_json::Value::Null), any::<bool>().prop_map(|b| json!(b))]
    }

    fn date() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(serde_json::Value::Null),
            Just(json!("not a date")),
            (1_700_000_000i64..1_900_000_000).prop_map(|t| {
                let days = t / 86_400;
                // A valid but rough date is enough: the parser must cope with anything.
                json!(format!("2026-{:02}-{:02}T{:02}:00:00Z", days % 12 + 1, days % 28 + 1, t % 24))
            }),
        ]
    }

    fn mailbox() -> impl Strategy<Value = Mailbox> {
        let ids = (0u8..6, 0u8..3);
        let kind =
            prop_oneof![Just(json!("systemuser")), Just(json!("queue")), Just(json!("account")), Just(json!(null))];
        (
            ids,
            kind,
            flag(),
            prop::collection::vec(option_value(), 9),
            prop::collection::vec(flag(), 5),
            prop::collection::vec(date(), 3),
        )
            .prop_map(|((id, profile), kind, forward, o, f, d)| {
                let v = json!({
                    "mailboxid": format!("m{id}"),
                    "name": format!("Mailbox {id}"),
                    "_emailserverprofile_value": match profile { 0 => json!(null), 1 => json!("p-exo"), _ => json!("p-pop") },
                    "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": kind,
                    "isforwardmailbox": forward,
                    "statecode": o[0], "incomingemaildeliverymethod": o[1], "outgoingemaildeliverymethod": o[2],
                    "actdeliverymethod": o[3], "incomingemailstatus": o[4], "outgoingemailstatus": o[5],
                    "actstatus": o[6], "mailboxstatus": o[7], "emailrouteraccessapproval": o[8],
                    "enabledforincomingemail": f[0], "enabledforoutgoingemail": f[1], "enabledforact": f[2],
                    "testemailconfigurationscheduled": f[3], "orgmarkedasprimaryforexchangesync": f[4],
                    "testmailboxaccesscompletedon": d[0], "postponetestemailconfigurationuntil": d[1],
                    "processemailreceivedafter": d[2],
                });
                Mailbox::from(wire::Mailbox::from_json(&v).unwrap())
            })
    }

    fn org() -> impl Strategy<Value = Option<OrgSettings>> {
        let xml = prop_oneof![
            Just(None),
            Just(Some("<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod></EmailSettings>".to_owned())),
            Just(Some("<EmailSettings>".to_owned())),
            (-1i32..4, -1i32..4, -1i32..4).prop_map(|(i, o, a)| Some(format!(
                "<EmailSettings><IncomingEmailDeliveryMethod>{i}</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>{o}</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>{a}</ACTDeliveryMethod></EmailSettings>"
            ))),
        ];
        let default = prop_oneof![
            Just(None),
            Just(Some("p-exo".to_owned())),
            Just(Some("p-pop".to_owned())),
            Just(Some("gone".to_owned()))
        ];
        prop::option::of((xml, default, option_value(), flag(), flag())).prop_map(|o| {
            o.map(|(xml, default, channel, users, queues)| {
                OrgSettings::from(
                    wire::Organization::from_json(&json!({
                        "organizationid": "o", "_defaultemailserverprofileid_value": default,
                        "defaultemailsettings": xml, "emailconnectionchannel": channel,
                        "requireapprovalforuseremail": users, "requireapprovalforqueueemail": queues,
                    }))
                    .unwrap(),
                )
            })
        })
    }

    fn profiles() -> impl Strategy<Value = Option<Vec<Profile>>> {
        let profile =
            (0u8..2, option_value(), option_value(), flag(), option_value()).prop_map(|(i, st, cred, auto, ty)| {
                Profile::from(
                    wire::EmailServerProfile::from_json(&json!({
                        "emailserverprofileid": if i == 0 { "p-exo" } else { "p-pop" },
                        "name": if i == 0 { "Microsoft Exchange Online" } else { "Other" },
                        "servertype": ty, "emailservertypename": "Exchange Online", "statecode": st,
                        "incomingcredentialretrieval": cred, "useautodiscover": auto,
                    }))
                    .unwrap(),
                )
            });
        prop::option::of(prop::collection::vec(profile, 0..3))
    }

    fn alerts() -> impl Strategy<Value = Option<AlertSet>> {
        let text = prop_oneof![
            Just("Email Server Error Code: 8005E273"),
            Just("is configured with another organization"),
            Just("is not approved"),
            Just("Mailbox 0 broke in a new way"),
            Just(""),
        ];
        let alert = (0u8..8, -1i32..5, text, option_value()).prop_map(|(id, level, text, code)| {
            Alert::from(
                wire::TraceLog::from_json(&json!({
                    "level": level, "text": text, "tracecode": code, "_regardingobjectid_value": format!("m{id}"),
                }))
                .unwrap(),
            )
        });
        prop::option::of((prop::collection::vec(alert, 0..6), 0usize..10, 0usize..10)).prop_map(|o| {
            o.map(|(alerts, failing, read)| AlertSet { alerts, failing_mailboxes: failing, mailboxes_read: read })
        })
    }

    fn roles() -> impl Strategy<Value = Option<Vec<Role>>> {
        let role = prop_oneof![
            Just(("System Administrator", Some("627090ff-40a3-4053-8790-584edc5be201"))),
            Just(("Delegated Mailbox Approver", None)),
            Just(("Salesperson", None)),
        ]
        .prop_map(|(name, template)| Role {
            id: name.to_owned(),
            name: name.to_owned(),
            template_id: template.map(str::to_owned),
            via_team: None,
        });
        prop::option::of(prop::collection::vec(role, 0..3))
    }

    fn snapshot() -> impl Strategy<Value = Snapshot> {
        (
            org(),
            profiles(),
            prop::option::of(prop::collection::vec(mailbox(), 0..12)),
            roles(),
            roles(),
            prop::option::of(any::<bool>()),
            alerts(),
        )
            .prop_map(|(org, profiles, mailboxes, roles, team_roles, privilege, alerts)| Snapshot {
                caller: Some(Caller { user_id: "caller".into(), organization_id: "o".into() }),
                org,
                profiles,
                mailboxes,
                roles,
                team_roles,
                approve_privilege: privilege.map(|held| PrivilegeHolding { name: "p".into(), held, depth: None }),
                alerts,
                monitoring: Some(Vec::new()),
                item_failures: Some(Vec::new()),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn evaluation_never_panics_keeps_the_step_order_and_counts_parts_within_wholes(
            snap in snapshot(),
            now in prop::option::of(1_700_000_000i64..1_900_000_000),
            stuck in 0i64..10_000,
        ) {
            let options = EvaluateOptions { now: now.map(Timestamp), stuck_after_secs: stuck, ..EvaluateOptions::default() };
            let report = evaluate_with(&snap, &[], &options);
            let steps: Vec<StepId> = report.steps.iter().map(|s| s.step).collect();
            prop_assert_eq!(steps, StepId::ALL.to_vec());
            for step in &report.steps {
                for c in &step.counts {
                    if let Some(of) = c.of {
                        prop_assert!(c.value <= of, "{:?}: {}", step.step, c);
                    }
                }
                prop_assert!(!step.summary.is_empty());
            }
            let list = checklist(&report);
            prop_assert_eq!(list.rows.len(), StepId::ALL.len());
            prop_assert!(list.done <= StepId::ALL.len());
        }
    }
}
