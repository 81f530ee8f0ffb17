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
