//! The extension's own message catalogues, `_locales/<locale>/messages.json` (the browser's format): the
//! manifest's `__MSG_…__` strings and the texts of the plain-JS scripts, which read them with
//! `chrome.i18n.getMessage(name, substitutions)` (the in-page guide's `guide_*` messages).
//!
//! Rules (on top of `check_catalogues`' "every locale has every message"):
//!
//! - every message of every locale has the default locale's placeholders (name and `$n` content), and
//!   its text uses each of them and no other (`$name$`; a literal dollar is `$$`), so a translation
//!   can neither lose a mailbox's name nor show a raw `$NAME$`;
//! - every message name a script of `public/` names (a `getMessage('…')` argument or any quoted
//!   `'guide_…'` literal: the guide names its messages in tables) is in the default catalogue, and every
//!   `guide_*` message is named by a script (no dead texts in the package);
//! - [`compact`]: what ships is the catalogue without the translators' descriptions and examples.

use super::Files;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Prefix of the messages the scripts own (the rest are the manifest's).
const SCRIPT_PREFIX: &str = "guide_";

/// The `$name$` references in a message text, lower-cased (Chrome matches placeholder names in any
/// case), or the first thing that is neither a reference nor `$$`.
fn references(message: &str) -> Result<BTreeSet<String>, String> {
    let mut out = BTreeSet::new();
    let mut rest = message;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            rest = tail;
            continue;
        }
        let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        if len == 0 || !after[len..].starts_with('$') {
            return Err(format!("a `$` that is neither `$$` nor `$name$` at {:?}", &rest[at..]));
        }
        out.insert(after[..len].to_ascii_lowercase());
        rest = &after[len + 1..];
    }
    Ok(out)
}

/// An entry's placeholders: name (lower-cased) → `content` (`$1` …).
fn placeholders(entry: &Value) -> BTreeMap<String, String> {
    entry["placeholders"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, p)| (name.to_ascii_lowercase(), p["content"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// Placeholders: every message of every locale has the default locale's, and its text uses exactly
/// them.
pub(crate) fn check_placeholders(manifest: &Value, catalogues: &BTreeMap<String, Value>) -> Vec<String> {
    let default = manifest["default_locale"].as_str().and_then(|l| catalogues.get(l));
    let mut problems = Vec::new();
    for (locale, catalogue) in catalogues {
        for (name, entry) in catalogue.as_object().into_iter().flatten() {
            let here = placeholders(entry);
            if let Some(want) = default.and_then(|d| d.get(name.as_str())).map(placeholders)
                && here != want
            {
                problems.push(format!(
                    "_locales/{locale}/messages.json: {name:?} has placeholders {here:?}, the default locale {want:?}"
                ));
            }
            match references(entry["message"].as_str().unwrap_or_default()) {
                Err(e) => problems.push(format!("_locales/{locale}/messages.json: {name:?} has {e}")),
                Ok(used) => {
                    let defined: BTreeSet<String> = here.into_keys().collect();
                    if used != defined {
                        problems.push(format!(
                            "_locales/{locale}/messages.json: {name:?} uses {used:?} but defines {defined:?}"
                        ));
                    }
                }
            }
        }
    }
    problems
}

/// The message names `script` names: `getMessage('…')` / `getMessage("…")` arguments and every quoted
/// literal that starts with [`SCRIPT_PREFIX`].
pub(crate) fn names_in_script(script: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in script.match_indices(['\'', '"']) {
        let quote = &script[at..=at];
        let rest = &script[at + 1..];
        let Some(end) = rest.find(quote) else { continue };
        let literal = &rest[..end];
        let named = script[..at].ends_with("getMessage(") || literal.starts_with(SCRIPT_PREFIX);
        if named && !literal.is_empty() && literal.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.insert(literal.to_owned());
        }
    }
    out
}

/// Every message name the scripts of `public/` name is in the default catalogue, and every
/// [`SCRIPT_PREFIX`] message of it is named by one.
pub(crate) fn check_script_names(
    files: &Files,
    manifest: &Value,
    catalogues: &BTreeMap<String, Value>,
) -> Vec<String> {
    let Some(default) = manifest["default_locale"].as_str() else { return Vec::new() };
    let messages = catalogues.get(default).and_then(Value::as_object);
    let mut named = BTreeSet::new();
    let mut problems = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("public/") && p.ends_with(".js")) {
        for name in names_in_script(&String::from_utf8_lossy(bytes)) {
            if !messages.is_some_and(|m| m.contains_key(&name)) {
                problems
                    .push(format!("{path} names message {name:?}, which _locales/{default} does not have"));
            }
            named.insert(name);
        }
    }
    for name in messages.into_iter().flat_map(|m| m.keys()) {
        if name.starts_with(SCRIPT_PREFIX) && !named.contains(name) {
            problems
                .push(format!("_locales/{default} has message {name:?}, which no script of public/ names"));
        }
    }
    problems
}

/// `catalogue` as it ships: each entry's `message` and its placeholders' `content`, nothing else (the
/// descriptions and examples are for translators; the browser ignores them).
pub(crate) fn compact(catalogue: &Value) -> Value {
    let Some(entries) = catalogue.as_object() else { return catalogue.clone() };
    let mut out = serde_json::Map::new();
    for (name, entry) in entries {
        let mut slim = serde_json::Map::new();
        slim.insert("message".into(), entry["message"].clone());
        if let Some(ps) = entry["placeholders"].as_object() {
            let ps: serde_json::Map<String, Value> = ps
                .iter()
                .map(|(p, v)| (p.clone(), serde_json::json!({ "content": v["content"].clone() })))
                .collect();
            slim.insert("placeholders".into(), Value::Object(ps));
        }
        out.insert(name.clone(), Value::Object(slim));
    }
    Value::Object(out)
}
