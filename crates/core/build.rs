//! Embeds the message catalogues: every `locales/messages/<tag>/` (flat JSON objects, message key →
//! text, one file per area of the product) becomes a static table in `$OUT_DIR/catalogues.rs`,
//! included by `src/i18n.rs`: one sorted key table shared by all languages, and per language the
//! parallel list of its texts. Adding a language is adding a folder; nothing lists the languages by
//! hand. A catalogue that is not
//! a flat object of strings, or a placeholder that is not closed, fails the build with the file
//! and key named.

// The build script runs on the host and ships nothing: the wasm size rules do not apply.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("locales/messages");
    println!("cargo:rerun-if-changed=locales");
    let mut out = String::new();
    let mut catalogues: Vec<(String, std::collections::BTreeMap<String, String>)> = Vec::new();
    for lang_dir in sorted_entries(dir, |p| p.is_dir()) {
        let tag = lang_dir.file_name().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        assert!(
            !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "{}: a catalogue is a folder named after its BCP 47 language tag, e.g. de/ or pt-BR/",
            lang_dir.display()
        );
        // A language's catalogue is the union of its files (one per area of the product, so that
        // work on different areas touches different files); a key in two files fails the build.
        let mut entries = std::collections::BTreeMap::new();
        let mut origin: std::collections::BTreeMap<String, std::path::PathBuf> = std::collections::BTreeMap::new();
        for path in sorted_entries(&lang_dir, |p| p.extension().is_some_and(|x| x == "json")) {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let value: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
            let serde_json::Value::Object(map) = value else {
                panic!("{}: a catalogue file is one JSON object of key → text", path.display())
            };
            for (key, value) in map {
                let serde_json::Value::String(s) = value else {
                    panic!("{}: {key}: every value is a string", path.display())
                };
                check_placeholders(&s).unwrap_or_else(|e| panic!("{}: {key}: {e}", path.display()));
                if let Some(first) = origin.insert(key.clone(), path.clone()) {
                    panic!("{}: {key} is already in {}", path.display(), first.display());
                }
                entries.insert(key, s);
            }
        }
        catalogues.push((tag, entries));
    }
    // One sorted key table for every language (the keys are in the wasm once, not once per
    // language); each catalogue is the parallel list of its texts, empty where it lacks the key.
    // Each list is one string and the end offset of each entry in it (`Packed`): 4 bytes an entry
    // instead of a pointer and a length (8 bytes and a relocation each).
    let keys: std::collections::BTreeSet<&String> = catalogues.iter().flat_map(|(_, e)| e.keys()).collect();
    let _ = writeln!(out, "/// Every message key of any catalogue, sorted.");
    let _ = writeln!(out, "static KEYS: Packed = {};", packed(keys.iter().map(|k| k.as_str())));
    let mut names = Vec::new();
    for (tag, entries) in &catalogues {
        let ident = format!("CATALOGUE_{}", tag.replace('-', "_").to_ascii_uppercase());
        for (key, text) in entries {
            assert!(!text.is_empty(), "locales/messages/{tag}/: {key} is empty (an empty text means a missing one)");
        }
        let texts = packed(keys.iter().map(|k| entries.get(*k).map_or("", String::as_str)));
        let _ = writeln!(out, "static {ident}: Catalogue = Catalogue {{ tag: {tag:?}, texts: {texts} }};");
        names.push((tag.clone(), ident));
    }
    let _ = writeln!(out, "/// Every embedded catalogue, by tag.");
    let _ = writeln!(out, "static CATALOGUES: &[&Catalogue] = &[");
    for (_, ident) in &names {
        let _ = writeln!(out, "    &{ident},");
    }
    let _ = writeln!(out, "];");
    let _ = writeln!(out, "/// The fallback.");
    let _ = writeln!(out, "static ENGLISH: &Catalogue = &CATALOGUE_EN;");
    alert_phrases(&mut out);
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("catalogues.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
}

/// `locales/alert-phrases/<tag>.json`: per language, alert cause key → phrases that identify it in
/// the alert texts Dynamics 365 writes in that language (any language, with or without a catalogue).
fn alert_phrases(out: &mut String) {
    let dir = Path::new("locales/alert-phrases");
    let files = sorted_entries(dir, |p| p.extension().is_some_and(|x| x == "json"));
    let _ = writeln!(out, "/// Alert phrases by language: `(tag, [(cause key, [phrase])])`.");
    let _ = writeln!(out, "static ALERT_PHRASES: &[(&str, PhraseTable)] = &[");
    for path in &files {
        let tag = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        let serde_json::Value::Object(map) = value else {
            panic!("{}: one JSON object of cause key → [phrase]", path.display())
        };
        let _ = write!(out, "    ({tag:?}, &[");
        for (cause, phrases) in map {
            let serde_json::Value::Array(phrases) = phrases else {
                panic!("{}: {cause}: a list of phrases", path.display())
            };
            let list: Vec<String> = phrases
                .into_iter()
                .map(|p| match p {
                    serde_json::Value::String(p) => format!("{p:?}"),
                    _ => panic!("{}: {cause}: every phrase is a string", path.display()),
                })
                .collect();
            let _ = write!(out, "({cause:?}, &[{}]), ", list.join(", "));
        }
        let _ = writeln!(out, "]),");
    }
    let _ = writeln!(out, "];");
}

/// `items` as a `Packed` literal: one string of them all and the end offset of each.
fn packed<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut text = String::new();
    let mut ends = Vec::new();
    for item in items {
        text.push_str(item);
        ends.push(u32::try_from(text.len()).expect("a catalogue under 4 GB"));
    }
    format!("Packed {{ text: {text:?}, ends: &{ends:?} }}")
}

/// The entries of `dir` that `keep` accepts, sorted (the build's output does not depend on the
/// order the file system lists them in).
fn sorted_entries(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| keep(p))
        .collect();
    found.sort();
    found
}

/// `{name}` placeholders: names of ASCII letters, digits, `_`; braces balanced.
fn check_placeholders(s: &str) -> Result<(), String> {
    let mut rest = s;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("a '}}' without '{{' in {s:?}"));
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| format!("a '{{' without '}}' in {s:?}"))?;
        let name = &after[..close];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("placeholder {{{name}}} is not a name in {s:?}"));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}
