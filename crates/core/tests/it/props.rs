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
