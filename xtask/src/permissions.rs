//! `docs/permissions.md` against `manifest.json`: every permission, host pattern, content-script match,
//! CSP directive and security-relevant manifest key is explained in the document, and the document
//! explains nothing the manifest no longer asks for.
//!
//! The document is read by its tables: under each known `## ` heading, a row whose first cell is one
//! backticked value (`` `storage` ``) explains that value, and needs a non-empty "why" and "without it"
//! cell. Both files are parsed, so the check follows whatever the manifest says.

use serde_json::Value;
use std::collections::BTreeSet;

/// A kind of manifest entry, with the heading that explains it in `docs/permissions.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Section {
    Permissions,
    OptionalPermissions,
    HostPermissions,
    OptionalHostPermissions,
    ContentScripts,
    Csp,
    OtherKeys,
}

impl Section {
    const ALL: [Section; 7] = [
        Section::Permissions,
        Section::OptionalPermissions,
        Section::HostPermissions,
        Section::OptionalHostPermissions,
        Section::ContentScripts,
        Section::Csp,
        Section::OtherKeys,
    ];

    /// The `## ` heading of the section.
    pub(crate) fn heading(self) -> &'static str {
        match self {
            Section::Permissions => "Permissions",
            Section::OptionalPermissions => "Optional permissions",
            Section::HostPermissions => "Host permissions",
            Section::OptionalHostPermissions => "Optional host permissions",
            Section::ContentScripts => "Content scripts",
            Section::Csp => "Content security policy",
            Section::OtherKeys => "Other manifest keys",
        }
    }
}

/// Manifest keys an IT reviewer should see explained whenever they are present.
const REVIEWED_KEYS: &[&str] = &[
    "incognito",
    "storage",
    "externally_connectable",
    "web_accessible_resources",
    "oauth2",
    "minimum_chrome_version",
];

/// One explained entry: its section and value (a CSP directive with single spaces).
pub(crate) type Entry = (Section, String);

fn strings(value: &Value) -> impl Iterator<Item = String> + '_ {
    value.as_array().into_iter().flatten().filter_map(|v| v.as_str()).map(str::to_owned)
}

/// What `manifest` asks for.
pub(crate) fn manifest_entries(manifest: &Value) -> BTreeSet<Entry> {
    let mut out = BTreeSet::new();
    for (section, key) in [
        (Section::Permissions, "permissions"),
        (Section::OptionalPermissions, "optional_permissions"),
        (Section::HostPermissions, "host_permissions"),
        (Section::OptionalHostPermissions, "optional_host_permissions"),
    ] {
        out.extend(strings(&manifest[key]).map(|v| (section, v)));
    }
    for script in manifest["content_scripts"].as_array().into_iter().flatten() {
        out.extend(strings(&script["matches"]).map(|v| (Section::ContentScripts, v)));
    }
    let csp = &manifest["content_security_policy"];
    for policy in csp.as_object().into_iter().flat_map(|o| o.values()).chain(csp.as_str().map(|_| csp)) {
        for directive in policy.as_str().unwrap_or_default().split(';') {
            let words: Vec<&str> = directive.split_whitespace().collect();
            if !words.is_empty() {
                out.insert((Section::Csp, words.join(" ")));
            }
        }
    }
    for key in REVIEWED_KEYS {
        if !manifest[*key].is_null() {
            out.insert((Section::OtherKeys, (*key).to_owned()));
        }
    }
    out
}

/// What `doc` explains, or the rows that explain too little.
pub(crate) fn doc_entries(doc: &str) -> Result<BTreeSet<Entry>, Vec<String>> {
    let mut out = BTreeSet::new();
    let mut problems = Vec::new();
    let mut section = None;
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = Section::ALL.into_iter().find(|s| s.heading() == heading.trim());
            continue;
        }
        let Some(section) = section else { continue };
        let Some(row) = line.trim().strip_prefix('|') else { continue };
        let cells: Vec<&str> = row.trim_end_matches('|').split('|').map(str::trim).collect();
        let first = cells.first().copied().unwrap_or_default();
        let Some(value) = first.strip_prefix('`').and_then(|v| v.strip_suffix('`')) else {
            continue; // header and separator rows
        };
        if cells.len() < 3 || cells[1..].iter().any(|c| c.is_empty()) {
            problems.push(format!(
                "docs/permissions.md, {}: `{value}` needs a \"why\" and a \"without it\" cell",
                section.heading()
            ));
        }
        let words: Vec<&str> = value.split_whitespace().collect();
        if !out.insert((section, words.join(" "))) {
            problems
                .push(format!("docs/permissions.md, {}: `{value}` is explained twice", section.heading()));
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// Every difference between `manifest` and `doc`, one line each.
pub(crate) fn check(manifest: &Value, doc: &str) -> Vec<String> {
    let documented = match doc_entries(doc) {
        Ok(d) => d,
        Err(problems) => return problems,
    };
    let asked = manifest_entries(manifest);
    let mut problems = Vec::new();
    for (section, value) in asked.difference(&documented) {
        problems.push(format!(
            "manifest.json has `{value}` but docs/permissions.md does not explain it under \"## {}\"",
            section.heading()
        ));
    }
    for (section, value) in documented.difference(&asked) {
        problems.push(format!(
            "docs/permissions.md explains `{value}` under \"## {}\", which manifest.json no longer has",
            section.heading()
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest() -> Value {
        json!({
            "permissions": ["storage", "sidePanel"],
            "host_permissions": ["https://*.crm.dynamics.com/*"],
            "content_scripts": [{ "matches": ["https://*.crm.dynamics.com/*"], "js": ["c.js"] }],
            "content_security_policy": { "extension_pages": "default-src 'self';  script-src 'self' 'wasm-unsafe-eval'" },
            "incognito": "split"
        })
    }

    const DOC: &str = "\
# Permissions

## Permissions

| Permission | Why | Without it |
| --- | --- | --- |
| `storage` | keeps settings | nothing is remembered |
| `sidePanel` | the panel | no panel |

## Host permissions

| Pattern | Why | Without it |
| --- | --- | --- |
| `https://*.crm.dynamics.com/*` | reads the org | nothing works |

## Content scripts

| Matches | Why | Without it |
| --- | --- | --- |
| `https://*.crm.dynamics.com/*` | detects the org | no guide |

## Content security policy

| Directive | Why | Without it |
| --- | --- | --- |
| `default-src 'self'` | only own files | anything loads |
| `script-src 'self' 'wasm-unsafe-eval'` | runs the wasm | no app |

## Other manifest keys

| Key | Why | Without it |
| --- | --- | --- |
| `incognito` | split | shared |
";

    #[test]
    fn a_document_that_explains_exactly_the_manifest_passes() {
        assert_eq!(check(&manifest(), DOC), Vec::<String>::new());
    }

    #[test]
    fn a_new_permission_host_or_csp_source_fails_until_it_is_explained() {
        let mut m = manifest();
        m["permissions"] = json!(["storage", "sidePanel", "identity"]);
        assert_eq!(
            check(&m, DOC),
            [
                "manifest.json has `identity` but docs/permissions.md does not explain it under \"## Permissions\""
            ]
        );
        let mut m = manifest();
        m["host_permissions"] = json!(["https://*.crm.dynamics.com/*", "https://*.crm4.dynamics.com/*"]);
        assert_eq!(check(&m, DOC).len(), 1);
        let mut m = manifest();
        m["content_security_policy"]["extension_pages"] =
            json!("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' https://cdn.example");
        let found = check(&m, DOC);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].contains("https://cdn.example"), "{found:#?}");
        assert!(found[1].contains("no longer has"), "{found:#?}");
        let mut m = manifest();
        m["optional_permissions"] = json!(["identity"]);
        assert!(check(&m, DOC)[0].contains("\"## Optional permissions\""));
        let mut m = manifest();
        m["web_accessible_resources"] = json!([]);
        assert!(check(&m, DOC)[0].contains("`web_accessible_resources`"));
    }

    #[test]
    fn an_entry_the_manifest_dropped_fails_until_the_document_drops_it() {
        let mut m = manifest();
        m.as_object_mut().unwrap().remove("incognito");
        assert_eq!(
            check(&m, DOC),
            [
                "docs/permissions.md explains `incognito` under \"## Other manifest keys\", which manifest.json no longer has"
            ]
        );
    }

    #[test]
    fn a_row_without_reasons_or_twice_is_refused() {
        let doc = DOC.replace("| keeps settings |", "| |");
        assert!(check(&manifest(), &doc)[0].contains("needs a \"why\" and a \"without it\" cell"));
        let doc = DOC.replace("| `sidePanel` | the panel | no panel |", "| `storage` | again | again |");
        let found = check(&manifest(), &doc);
        assert!(found[0].contains("explained twice"), "{found:#?}");
    }

    #[test]
    fn entries_under_an_unknown_heading_do_not_count() {
        let doc = DOC.replace("## Permissions\n", "## Permissions (old)\n");
        assert_eq!(check(&manifest(), &doc).len(), 2);
    }

    #[test]
    fn docs_permissions_md_explains_exactly_what_manifest_json_asks_for() {
        let root = crate::root();
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("manifest.json")).unwrap()).unwrap();
        let doc = std::fs::read_to_string(root.join("docs/permissions.md")).unwrap();
        assert_eq!(check(&manifest, &doc), Vec::<String>::new());
        assert!(manifest_entries(&manifest).len() >= 10);
    }
}
