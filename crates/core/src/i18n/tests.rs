//! The catalogues' completeness (every key in every language, no unknown keys, the same
//! placeholders), every key the code names exists, and the lookup rules.

use super::*;
use std::collections::BTreeSet;
use std::path::Path;

fn de() -> Lang {
    Lang::all().find(|l| l.tag() == "de").expect("a German catalogue")
}

/// `key` without its plural suffix, and whether it is the `.one` form.
fn plural_base(key: &str) -> (&str, bool) {
    match key.rsplit_once('.') {
        Some((base, "one")) => (base, true),
        Some((base, "other")) => (base, false),
        _ => (key, false),
    }
}

#[test]
fn every_catalogue_has_exactly_englishs_keys() {
    let english: BTreeSet<&str> = Lang::english().keys().collect();
    assert!(english.len() > 200, "the English catalogue holds the checklist's texts");
    assert!(Lang::all().count() >= 2, "English and at least one translation");
    for lang in Lang::all() {
        let keys: BTreeSet<&str> = lang.keys().collect();
        let missing: Vec<_> = english.difference(&keys).collect();
        let unknown: Vec<_> = keys.difference(&english).collect();
        assert!(missing.is_empty(), "locales/messages/{}/ lacks {missing:?}", lang.tag());
        assert!(unknown.is_empty(), "locales/messages/{}/ has keys English does not: {unknown:?}", lang.tag());
    }
}

#[test]
fn every_translation_uses_englishs_placeholders() {
    for lang in Lang::all() {
        for key in lang.keys() {
            let own: BTreeSet<&str> = placeholders(lang.t(key)).into_iter().collect();
            let english: BTreeSet<&str> = placeholders(Lang::english().t(key)).into_iter().collect();
            // The `.one` form of a counted message may spell the count out ("1 mailbox", "ein Postfach").
            let (_, one) = plural_base(key);
            let strip = |s: &BTreeSet<&str>| -> BTreeSet<String> {
                s.iter().filter(|p| !(one && **p == "n")).map(|p| (*p).to_owned()).collect()
            };
            assert_eq!(strip(&own), strip(&english), "{}: {key}: placeholders differ from English", lang.tag());
        }
    }
}

#[test]
fn counted_messages_have_both_forms() {
    for lang in Lang::all() {
        let keys: BTreeSet<&str> = lang.keys().collect();
        for key in &keys {
            let (base, one) = plural_base(key);
            if base != *key {
                let other = if one { format!("{base}.other") } else { format!("{base}.one") };
                assert!(keys.contains(other.as_str()), "{}: {key} without {other}", lang.tag());
            }
        }
    }
}

/// String literals in Rust source that look like catalogue keys (`word.word…`, lower case, digits,
/// `-`) and start with a namespace the English catalogue uses.
fn keys_named_in(dir: &Path, namespaces: &BTreeSet<&str>, found: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            keys_named_in(&path, namespaces, found);
            continue;
        }
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, literal) in text.split('"').enumerate() {
            let is_key = i % 2 == 1
                && literal.contains('.')
                && literal.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
                && literal.split('.').all(|part| !part.is_empty())
                && namespaces.contains(literal.split('.').next().unwrap_or_default());
            if is_key {
                found.push((path.display().to_string(), literal.to_owned()));
            }
        }
    }
}

#[test]
fn every_key_the_code_names_is_in_the_english_catalogue() {
    let english: BTreeSet<&str> = Lang::english().keys().collect();
    let namespaces: BTreeSet<&str> = english.iter().filter_map(|k| k.split('.').next()).collect();
    let mut found = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    keys_named_in(&root.join("src"), &namespaces, &mut found);
    keys_named_in(&root.join("../../src"), &namespaces, &mut found);
    assert!(found.len() > 150, "the scan sees the code's keys ({} found)", found.len());
    let missing: Vec<_> = found
        .iter()
        .filter(|(_, key)| {
            let counted =
                english.contains(format!("{key}.one").as_str()) && english.contains(format!("{key}.other").as_str());
            !(english.contains(key.as_str()) || counted)
        })
        // Prefixes the code completes with a computed part (`approval.count.{key}`) are not keys.
        .filter(|(path, _)| !path.ends_with("i18n/tests.rs"))
        .collect();
    assert!(missing.is_empty(), "keys named in the code but not in locales/messages/en/: {missing:?}");
}

#[test]
fn keys_the_code_computes_exist_in_every_language() {
    use crate::health::HealthState;
    use crate::readiness::StepId;
    use crate::readiness::rules::AlertCause;
    for lang in Lang::all() {
        for step in StepId::ALL {
            assert!(lang.own(&format!("step.{}.title", step.key())).is_some(), "{}: {step:?}", lang.tag());
        }
        for state in HealthState::ALL {
            assert!(lang.own(&format!("health.state.{}", state.key())).is_some(), "{}: {state:?}", lang.tag());
        }
        for cause in AlertCause::ALL {
            for part in ["cause", "fix"] {
                let key = format!("alert.{}.{part}", cause.key());
                let text = lang.own(&key).unwrap_or_else(|| panic!("{}: {key}", lang.tag()));
                // `capitalise` upper-cases only ASCII (no Unicode case tables in the wasm).
                assert!(
                    text.starts_with(|c: char| c.is_ascii_alphabetic()),
                    "{}: {key} starts with {text:?}",
                    lang.tag()
                );
            }
        }
        for noun in ["user", "queue"] {
            for key in [
                format!("mailboxes.count.{noun}s-configured"),
                format!("approval.count.{noun}s-approved"),
                format!("approval.finding.not-required.{noun}"),
                format!("count.{noun}-mailboxes.one"),
            ] {
                assert!(lang.own(&key).is_some(), "{}: {key}", lang.tag());
            }
        }
    }
}

#[test]
fn alert_phrases_name_known_causes_and_are_folded() {
    use crate::readiness::rules::AlertCause;
    let causes: BTreeSet<&str> = AlertCause::ALL.iter().map(|c| c.key()).collect();
    let mut languages = 0;
    for (tag, table) in alert_phrase_languages() {
        languages += 1;
        for (cause, phrases) in table {
            assert!(causes.contains(cause), "locales/alert-phrases/{tag}.json: unknown cause {cause}");
            for p in *phrases {
                assert!(!p.trim().is_empty(), "{tag}: {cause}: an empty phrase matches every alert");
                assert_eq!(crate::text::fold(p), *p, "{tag}: {cause}: phrases are compared folded");
            }
        }
    }
    assert_eq!(languages, 6, "en, de, fr, es, nl, ja");
    assert!(alert_phrases("temporary-error").any(|p| p == "vorübergehender fehler"));
    assert!(alert_phrases("temporary-error").any(|p| p == "temporary error"));
}

#[test]
fn the_browser_language_picks_the_catalogue_and_english_is_the_fallback() {
    assert_eq!(Lang::from_tag("de").tag(), "de");
    assert_eq!(Lang::from_tag("de-DE").tag(), "de");
    assert_eq!(Lang::from_tag("DE_ch").tag(), "de");
    assert_eq!(Lang::from_tag("en-GB").tag(), "en");
    assert_eq!(Lang::from_tag("fr-FR").tag(), "en");
    assert_eq!(Lang::from_tag("").tag(), "en");
    assert_eq!(Lang::negotiate(["fr-FR", "de-AT", "en"]).tag(), "de");
    assert_eq!(Lang::negotiate(["fr-FR", "it"]).tag(), "en");
    assert_eq!(Lang::default(), Lang::english());
}

#[test]
fn a_key_a_language_lacks_falls_back_to_english_then_to_the_key() {
    assert_eq!(de().t("step.mailbox-approval.title"), "E-Mail-Adressen der Postfächer genehmigt");
    // A catalogue with one text: empty at every other index of the shared key table.
    let at = (0..KEYS.len()).position(|i| KEYS.get(i) == Some("count.plain")).unwrap();
    let text = "{label}: {value}";
    let ends: Vec<u32> = (0..KEYS.len()).map(|i| if i < at { 0 } else { text.len() as u32 }).collect();
    let texts = Packed { text, ends: ends.leak() };
    let partial = Lang(Box::leak(Box::new(Catalogue { tag: "xx", texts })));
    assert_eq!(partial.keys().collect::<Vec<_>>(), ["count.plain"]);
    assert_eq!(partial.text("count.plain", &[("value", &3), ("label", &"x")]), "x: 3");
    assert_eq!(partial.t("step.mailbox-approval.title"), "Mailbox email addresses approved");
    assert_eq!(partial.own("step.mailbox-approval.title"), None);
    assert_eq!(partial.t("no.such.key"), "no.such.key");
}

#[test]
fn placeholders_are_filled_by_name_and_unknown_ones_stay() {
    assert_eq!(fill("{a} and {b}, {a}", &[("a", &1), ("b", &"two")]), "1 and two, 1");
    assert_eq!(fill("{missing} stays", &[]), "{missing} stays");
    assert_eq!(fill("unclosed {brace", &[]), "unclosed {brace");
    assert_eq!(placeholders("{n} of {total}"), ["n", "total"]);
    assert_eq!(crate::tr!(Lang::english(), "count.of", value = 2, of = 3, label = "x"), "2 of 3 x");
}

#[test]
fn counted_messages_pick_one_for_exactly_one() {
    let en = Lang::english();
    assert_eq!(en.plural("count.mailboxes", 0, &[]), "0 mailboxes");
    assert_eq!(en.plural("count.mailboxes", 1, &[]), "1 mailbox");
    assert_eq!(crate::trn!(de(), "count.mailboxes", 2), "2 Postfächer");
}

#[test]
fn packed_entries_are_cut_at_their_ends_and_every_key_is_found_at_its_index() {
    let p = Packed { text: "abcdé", ends: &[0, 2, 2, 6] };
    assert_eq!([p.get(0), p.get(1), p.get(2), p.get(3), p.get(4)], [Some(""), Some("ab"), Some(""), Some("cdé"), None]);
    for i in 0..KEYS.len() {
        let key = KEYS.get(i).unwrap();
        assert_eq!(index(key), Some(i), "{key}");
    }
    assert_eq!(index("zzz.not.a.key"), None);
    assert_eq!(index(""), None);
}
