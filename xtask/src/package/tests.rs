use super::*;
use serde_json::json;
use std::io::Cursor;

/// A PNG signature and IHDR chunk of `size`×`size` px (enough for the checks).
fn png(size: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(size.to_be_bytes());
    bytes.extend(size.to_be_bytes());
    bytes.extend([8, 6, 0, 0, 0]);
    bytes
}

fn manifest() -> Value {
    json!({
        "manifest_version": 3,
        "name": "__MSG_name__",
        "short_name": "__MSG_short_name__",
        "description": "__MSG_description__",
        "default_locale": "en",
        "version": "1.2.3",
        "icons": {
            "16": "public/icons/icon-16.png",
            "32": "public/icons/icon-32.png",
            "48": "public/icons/icon-48.png",
            "128": "public/icons/icon-128.png"
        },
        "permissions": ["storage"],
        "content_security_policy": {
            "extension_pages": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'"
        }
    })
}

fn catalogue(name: &str, description: &str) -> Vec<u8> {
    json!({
        "name": { "message": name },
        "short_name": { "message": "SyncReady" },
        "description": { "message": description }
    })
    .to_string()
    .into_bytes()
}

/// A package that passes every rule.
fn valid() -> Files {
    let mut files = Files::new();
    for path in PACKAGE_FILES {
        files.insert((*path).to_owned(), b"// shipped\n".to_vec());
    }
    for size in ICON_SIZES {
        files.insert(format!("public/icons/icon-{size}.png"), png(size.parse().unwrap()));
    }
    files.insert("manifest.json".into(), manifest().to_string().into_bytes());
    files.insert(
        "_locales/en/messages.json".into(),
        catalogue("SyncReady for Dynamics 365", "Checks readiness."),
    );
    files.insert(
        "_locales/de/messages.json".into(),
        catalogue("SyncReady für Dynamics 365", "Prüft die Bereitschaft."),
    );
    files
}

fn with_manifest(edit: impl FnOnce(&mut Value)) -> Files {
    let mut files = valid();
    let mut m = manifest();
    edit(&mut m);
    files.insert("manifest.json".into(), m.to_string().into_bytes());
    files
}

fn problems(files: &Files, store: Store) -> Vec<String> {
    check(files, "1.2.3", store)
}

fn assert_one_problem(files: &Files, store: Store, needle: &str) {
    let found = problems(files, store);
    assert!(
        found.len() == 1 && found[0].contains(needle),
        "expected one problem with {needle:?}, got {found:#?}"
    );
}

#[test]
fn a_valid_package_passes_for_both_stores() {
    for store in Store::ALL {
        assert_eq!(problems(&valid(), store), Vec::<String>::new());
    }
}

#[test]
fn the_name_limit_is_75_characters_for_chrome_and_45_for_edge() {
    let mut files = valid();
    let name = "N".repeat(46);
    files.insert("_locales/de/messages.json".into(), catalogue(&name, "Prüft."));
    assert_eq!(problems(&files, Store::Chrome), Vec::<String>::new());
    assert_one_problem(&files, Store::Edge, "name in de is 46 characters, over 45");
    files.insert("_locales/de/messages.json".into(), catalogue(&"N".repeat(76), "Prüft."));
    assert_one_problem(&files, Store::Chrome, "over 75");
    // Characters, not bytes: 45 umlauts fit Edge.
    files.insert("_locales/de/messages.json".into(), catalogue(&"ü".repeat(45), "Prüft."));
    assert_eq!(problems(&files, Store::Edge), Vec::<String>::new());
}

#[test]
fn the_description_limit_is_132_characters_in_every_locale() {
    let mut files = valid();
    files.insert("_locales/en/messages.json".into(), catalogue("SyncReady", &"d".repeat(132)));
    assert_eq!(problems(&files, Store::Chrome), Vec::<String>::new());
    files.insert("_locales/en/messages.json".into(), catalogue("SyncReady", &"d".repeat(133)));
    assert_one_problem(&files, Store::Chrome, "description in en is 133 characters, over 132");
}

#[test]
fn a_manifest_without_locales_is_checked_as_written() {
    let mut files = with_manifest(|m| {
        m["name"] = json!("N".repeat(50));
        m["short_name"] = json!("SyncReady");
        m["description"] = json!("Plain.");
        m.as_object_mut().unwrap().remove("default_locale");
    });
    files.retain(|path, _| !path.starts_with("_locales/"));
    let found = problems(&files, Store::Edge);
    // The file list still names the catalogues; the manifest itself only breaks the name limit.
    assert!(
        found.iter().any(|p| p.contains("name in (not localised) is 50 characters, over 45")),
        "{found:#?}"
    );
    assert_eq!(found.iter().filter(|p| !p.contains("_locales/")).count(), 1, "{found:#?}");
}

#[test]
fn a_missing_message_and_a_missing_default_locale_are_refused() {
    let mut files = valid();
    files.insert(
        "_locales/de/messages.json".into(),
        br#"{"name":{"message":"SyncReady"},"description":{"message":"x"}}"#.to_vec(),
    );
    let found = problems(&files, Store::Chrome);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("short_name __MSG_short_name__ has no message in _locales/de"), "{found:#?}");
    assert!(found[1].contains("_locales/de/messages.json has no message \"short_name\""), "{found:#?}");
    let files = with_manifest(|m| {
        m.as_object_mut().unwrap().remove("default_locale");
    });
    assert_one_problem(&files, Store::Chrome, "default_locale must be set");
    let files = with_manifest(|m| m["default_locale"] = json!("fr"));
    assert_one_problem(&files, Store::Chrome, "default_locale \"fr\" has no _locales/fr/messages.json");
}

#[test]
fn every_catalogue_has_every_key_and_every_manifest_placeholder() {
    // A key only one locale has.
    let mut files = valid();
    let mut en: Value = serde_json::from_slice(&files["_locales/en/messages.json"]).unwrap();
    en["extra"] = json!({ "message": "Only in English" });
    files.insert("_locales/en/messages.json".into(), en.to_string().into_bytes());
    assert_one_problem(&files, Store::Chrome, "_locales/de/messages.json has no message \"extra\"");
    // A placeholder outside name/description (the toolbar title) that no catalogue has.
    let files = with_manifest(|m| m["action"] = json!({ "default_title": "__MSG_action_title__" }));
    let found = problems(&files, Store::Chrome);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|p| p.contains("has no message \"action_title\"")), "{found:#?}");
    // An empty translation.
    let mut files = valid();
    files.insert("_locales/de/messages.json".into(), catalogue("SyncReady", " "));
    let found = problems(&files, Store::Chrome);
    assert!(
        found.iter().any(|p| p.contains("_locales/de/messages.json has an empty message \"description\"")),
        "{found:#?}"
    );
}

#[test]
fn the_source_catalogues_are_complete() {
    let root = crate::root();
    let mut files = Files::new();
    for path in source_files("_locales") {
        files.insert(path.clone(), std::fs::read(root.join(&path)).unwrap());
    }
    let catalogues = catalogues(&files).unwrap();
    assert_eq!(catalogues.keys().collect::<Vec<_>>(), ["de", "en"]);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(check_catalogues(&manifest, &catalogues), Vec::<String>::new());
    assert_eq!(manifest["default_locale"], "en");
    assert_eq!(manifest["name"], "__MSG_name__");
}

#[test]
fn html_in_a_manifest_string_is_refused() {
    let mut files = valid();
    files.insert("_locales/en/messages.json".into(), catalogue("SyncReady", "<b>Bold</b> claims."));
    assert_one_problem(&files, Store::Chrome, "must be plain text");
}

#[test]
fn the_version_must_equal_the_crate_version() {
    let found = check(&valid(), "1.2.4", Store::Chrome);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("is not the crate version 1.2.4"), "{found:#?}");
}

#[test]
fn every_icon_size_must_be_present_as_a_png_of_that_size() {
    let files = with_manifest(|m| {
        m["icons"].as_object_mut().unwrap().remove("48");
    });
    assert_one_problem(&files, Store::Chrome, "icons has no 48 px icon");
    let mut files = valid();
    files.insert("public/icons/icon-32.png".into(), png(16));
    assert_one_problem(&files, Store::Chrome, "icon public/icons/icon-32.png is not 32x32 px");
    files.insert("public/icons/icon-32.png".into(), b"GIF89a".to_vec());
    assert_one_problem(&files, Store::Chrome, "is not a PNG");
}

#[test]
fn the_package_holds_exactly_the_listed_files() {
    let mut files = valid();
    files.insert("syncready_bg.wasm.map".into(), Vec::new());
    let found = problems(&files, Store::Chrome);
    assert!(
        found.iter().any(|p| p.contains("syncready_bg.wasm.map is not a file of the package")),
        "{found:#?}"
    );
    assert!(found.iter().any(|p| p.contains("is a source map")), "{found:#?}");
    let mut files = valid();
    files.remove("public/content.js");
    assert_one_problem(&files, Store::Chrome, "public/content.js is missing from the package");
}

#[test]
fn source_map_references_test_hooks_and_remote_code_are_refused() {
    for (text, needle) in [
        ("x();\n//# sourceMappingURL=syncready.js.map", "points to a source map"),
        ("fetch('http://127.0.0.1:8443/api')", "127.0.0.1"),
        ("const u = 'https://localhost/';", "localhost"),
        ("import('https://cdn.example/x.js')", "remote or evaluated code"),
        ("import x from 'https://cdn.example/x.js'", "remote or evaluated code"),
        ("importScripts('x.js')", "importScripts("),
        ("const f = new Function('return 1')", "new Function("),
        ("window.eval(text)", "eval("),
    ] {
        let mut files = valid();
        files.insert("public/content.js".into(), text.as_bytes().to_vec());
        assert_one_problem(&files, Store::Chrome, needle);
    }
    // Words that merely end in "eval" are fine.
    let mut files = valid();
    files.insert("public/content.js".into(), b"retrieval(x); medieval (y);".to_vec());
    assert_eq!(problems(&files, Store::Chrome), Vec::<String>::new());
    // The wasm is scanned too, for everything but loopback hosts (the core's own-sign-in checks name
    // them to allow http for a local web app).
    let mut files = valid();
    files.insert("syncready_bg.wasm".into(), b"\0asm\x01\0\0\0 wasm-bindgen-test ".to_vec());
    assert_one_problem(&files, Store::Chrome, "syncready_bg.wasm contains wasm-bindgen-test");
    files.insert("syncready_bg.wasm".into(), b"\0asm\x01\0\0\0 127.0.0.1localhost[::1] ".to_vec());
    assert_eq!(problems(&files, Store::Chrome), Vec::<String>::new());
    files.insert("syncready.js".into(), b"const host = '[::1]';".to_vec());
    assert_one_problem(&files, Store::Chrome, "syncready.js contains [::1]");
}

#[test]
fn a_loosened_script_src_a_pinned_key_an_update_url_and_plain_http_are_refused() {
    let files = with_manifest(|m| {
        m["content_security_policy"]["extension_pages"] =
            json!("script-src 'self' 'wasm-unsafe-eval' https://cdn.example");
    });
    assert_one_problem(&files, Store::Chrome, "script-src must be exactly");
    let files = with_manifest(|m| m["key"] = json!("MIIBIjANBgkq"));
    assert_one_problem(&files, Store::Chrome, "key must not be in a store package");
    let files = with_manifest(|m| m["update_url"] = json!("https://example.com/updates.xml"));
    assert_one_problem(&files, Store::Edge, "update_url must not be in a store package");
    let files = with_manifest(|m| m["host_permissions"] = json!(["http://*.dynamics.com/*"]));
    assert_one_problem(&files, Store::Edge, "plain-http");
    let files = with_manifest(|m| m["host_permissions"] = json!(["https://localhost/*"]));
    assert_one_problem(&files, Store::Edge, "manifest.json contains localhost");
}

#[test]
fn the_zip_is_deterministic_and_reads_back_as_the_package() {
    let files = valid();
    let a = write_zip(&files, Cursor::new(Vec::new())).unwrap().into_inner();
    let b = write_zip(&files, Cursor::new(Vec::new())).unwrap().into_inner();
    assert_eq!(a, b, "the same files give the same bytes");
    let back = read_zip(Cursor::new(a)).unwrap();
    assert_eq!(back.keys().collect::<Vec<_>>(), PACKAGE_FILES.iter().collect::<Vec<_>>());
    assert_eq!(back, files);
}

/// Files under `dir` of the source tree, as package paths.
fn source_files(dir: &str) -> Vec<String> {
    let root = crate::root();
    read_tree(&root.join(dir)).unwrap().into_keys().map(|p| format!("{dir}/{p}")).collect()
}

#[test]
fn the_package_file_list_matches_the_source_tree() {
    // Trunk copies `manifest.json`, `index.html`, `public/` and `_locales/`, and writes the wasm and its
    // glue. Anything else in `dist/` was not meant to ship; anything new in those folders must be listed.
    let mut expected: Vec<String> = ["index.html", "manifest.json", "syncready.js", "syncready_bg.wasm"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    expected.extend(source_files("public"));
    expected.extend(source_files("_locales"));
    expected.sort();
    assert_eq!(expected, PACKAGE_FILES.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>());
    let index = std::fs::read_to_string(crate::root().join("index.html")).unwrap();
    for copied in [
        r#"rel="copy-dir" href="public""#,
        r#"rel="copy-dir" href="_locales""#,
        r#"rel="copy-file" href="manifest.json""#,
    ] {
        assert!(index.contains(copied), "index.html must copy {copied}");
    }
}

#[test]
fn the_source_manifest_and_catalogues_pass_the_manifest_rules() {
    let root = crate::root();
    let mut files = Files::new();
    files.insert("manifest.json".into(), std::fs::read(root.join("manifest.json")).unwrap());
    for path in source_files("_locales") {
        files.insert(path.clone(), std::fs::read(root.join(&path)).unwrap());
    }
    for path in source_files("public") {
        files.insert(path.clone(), std::fs::read(root.join(&path)).unwrap());
    }
    let manifest = json(&files, "manifest.json").unwrap();
    let catalogues = catalogues(&files).unwrap();
    for store in Store::ALL {
        let mut found = check_manifest(&manifest, &catalogues, env!("CARGO_PKG_VERSION"), store);
        found.extend(check_icons(&manifest, &files));
        assert_eq!(found, Vec::<String>::new(), "{store:?}");
    }
}

/// `valid()` with one more message in both catalogues: `en` and `de` entries as JSON.
fn with_message(name: &str, en: Value, de: Value) -> Files {
    let mut files = valid();
    for (locale, entry) in [("en", en), ("de", de)] {
        let path = format!("_locales/{locale}/messages.json");
        let mut catalogue: Value = serde_json::from_slice(&files[&path]).unwrap();
        catalogue[name] = entry;
        files.insert(path, catalogue.to_string().into_bytes());
    }
    files.insert("public/content.js".into(), format!("t('{name}');").into_bytes());
    files
}

#[test]
fn every_locale_has_the_default_locales_placeholders_and_uses_each_of_them() {
    let name = json!({ "name": { "content": "$1", "example": "Nancy" } });
    let ok = with_message(
        "guide_fact_mailbox",
        json!({ "message": "Mailbox: $NAME$ costs $$5", "placeholders": name }),
        json!({ "message": "Postfach: $name$ kostet $$5", "placeholders": { "NAME": { "content": "$1" } } }),
    );
    assert_eq!(problems(&ok, Store::Chrome), Vec::<String>::new());
    for (de, needle) in [
        // The translation lost the placeholder: the mailbox's name would be missing.
        (json!({ "message": "Postfach" }), "has placeholders {}, the default locale {\"name\": \"$1\"}"),
        // Defined but not used in the text.
        (json!({ "message": "Postfach", "placeholders": name }), "uses {} but defines {\"name\"}"),
        // A reference to a placeholder that does not exist would show as `$WHO$`.
        (json!({ "message": "$NAME$ $WHO$", "placeholders": name }), "uses {\"name\", \"who\"}"),
        // Another substitution number.
        (
            json!({ "message": "Postfach: $NAME$", "placeholders": { "name": { "content": "$2" } } }),
            "the default locale {\"name\": \"$1\"}",
        ),
        // A lone dollar.
        (json!({ "message": "$NAME$ kostet 5 $", "placeholders": name }), "neither `$$` nor `$name$`"),
    ] {
        let files = with_message(
            "guide_fact_mailbox",
            json!({ "message": "Mailbox: $NAME$", "placeholders": name }),
            de,
        );
        assert_one_problem(&files, Store::Chrome, needle);
    }
}

#[test]
fn every_message_a_script_names_exists_and_every_guide_message_is_named() {
    let entry = json!({ "message": "Done" });
    let mut files = with_message("guide_status_pass", entry.clone(), json!({ "message": "Erledigt" }));
    assert_eq!(problems(&files, Store::Chrome), Vec::<String>::new());
    // A name the catalogue lacks, whether passed to getMessage or kept in a table.
    files.insert(
        "public/content.js".into(),
        b"const L = { pass: 'guide_status_pass', fail: \"guide_status_fail\" }; chrome.i18n.getMessage('action_hint');"
            .to_vec(),
    );
    let found = problems(&files, Store::Chrome);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("public/content.js names message \"action_hint\""), "{found:#?}");
    assert!(found[1].contains("public/content.js names message \"guide_status_fail\""), "{found:#?}");
    // A guide message no script names is a dead text.
    files.insert("public/content.js".into(), b"// nothing".to_vec());
    assert_one_problem(
        &files,
        Store::Chrome,
        "has message \"guide_status_pass\", which no script of public/ names",
    );
}

#[test]
fn message_names_are_found_in_source_and_in_minified_scripts() {
    let source = "const t = (name, ...subs) => chrome.i18n.getMessage(name, subs);\n\
                  box.lang = t('guide_lang'); const S = { 'not-run': 'guide_test_not_run' };\n\
                  chrome.i18n.getMessage(\"name\"); el('div', 'guide-open'); send('syncready/guide');";
    let minified = r#"const n=(e,...t)=>chrome.i18n.getMessage(e,t);a.lang=n("guide_lang");const S={"not-run":"guide_test_not_run"};chrome.i18n.getMessage("name")"#;
    for script in [source, minified] {
        let names: Vec<String> = messages::names_in_script(script).into_iter().collect();
        assert_eq!(names, ["guide_lang", "guide_test_not_run", "name"], "{script}");
    }
}

#[test]
fn the_source_catalogues_have_the_same_placeholders_and_every_name_the_scripts_use() {
    let root = crate::root();
    let mut files = Files::new();
    for path in source_files("_locales").into_iter().chain(source_files("public")) {
        files.insert(path.clone(), std::fs::read(root.join(&path)).unwrap());
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    let catalogues = catalogues(&files).unwrap();
    assert_eq!(messages::check_placeholders(&manifest, &catalogues), Vec::<String>::new());
    assert_eq!(messages::check_script_names(&files, &manifest, &catalogues), Vec::<String>::new());
    // The guide's texts are there (in every locale, by `the_source_catalogues_are_complete`).
    let guide = messages::names_in_script(&String::from_utf8_lossy(&files["public/content.js"]));
    assert!(guide.len() >= 40 && guide.iter().all(|n| n.starts_with("guide_")), "{guide:?}");
    let de = &catalogues["de"];
    assert_eq!(de["guide_lang"]["message"], "de");
    assert_eq!(de["guide_fact_mailbox"]["message"], "Postfach: $NAME$");
}

#[test]
fn the_shipped_catalogue_keeps_messages_and_placeholders_only() {
    let source = json!({
        "name": { "message": "SyncReady", "description": "Extension name." },
        "guide_fact_mailbox": {
            "message": "Mailbox: $NAME$",
            "description": "The mailbox's name.",
            "placeholders": { "name": { "content": "$1", "example": "Nancy Davolio" } }
        }
    });
    assert_eq!(
        messages::compact(&source),
        json!({
            "name": { "message": "SyncReady" },
            "guide_fact_mailbox": { "message": "Mailbox: $NAME$", "placeholders": { "name": { "content": "$1" } } }
        })
    );
}
