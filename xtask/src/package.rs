//! `cargo xtask package`: one release zip per store (Chrome Web Store, Edge Add-ons) from `dist/`, after
//! checking the package against the stores' rules.
//!
//! The rules, and where they come from:
//!
//! - `name` at most 75 characters for the Chrome Web Store
//!   (<https://developer.chrome.com/docs/extensions/mv3/manifest/name>) and 45 for Microsoft Edge Add-ons
//!   (<https://developer.mozilla.org/en-US/docs/Mozilla/Add-ons/WebExtensions/manifest.json/name>, "as of
//!   February 2024"; Microsoft's answer in <https://github.com/microsoft/MicrosoftEdge-Extensions/discussions/55>).
//! - `short_name` at most 12 characters (recommended by the same Chrome page; the popup and launcher
//!   truncate longer ones).
//! - `description` at most 132 characters, plain text
//!   (<https://developer.chrome.com/docs/extensions/mv3/manifest/description>).
//! - Icons 16, 32, 48 and 128 px, each a file in the package.
//! - Localised strings (`__MSG_name__`) are checked in every catalogue of `_locales/`, with `default_locale`
//!   set exactly when `_locales/` exists (Chrome refuses to load the extension otherwise). Every locale has
//!   the same messages with the same placeholders, and every message a script names exists (`messages.rs`).
//! - `version` equals the crate version (`cargo xtask release` moves both).
//! - No remote code: the extension pages' `script-src` is `'self' 'wasm-unsafe-eval'` and nothing else, and
//!   no shipped script imports, evaluates or fetches script from elsewhere.
//! - No source maps and no test hooks (the simulator, `wasm-bindgen-test`, a pinned `key`; loopback hosts
//!   outside the wasm, whose own-sign-in checks name them).
//! - The package holds exactly [`PACKAGE_FILES`]: a new file must be added there on purpose.
//! - One to five store screenshots of 1280×800 in `docs/store/screenshots/` (`screenshots.rs`), copied
//!   to `target/package/screenshots/` for the listing.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A store the package is uploaded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    /// Chrome Web Store.
    Chrome,
    /// Microsoft Edge Add-ons.
    Edge,
}

impl Store {
    pub(crate) const ALL: [Store; 2] = [Store::Chrome, Store::Edge];

    /// Short name used in the zip's file name.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Store::Chrome => "chrome",
            Store::Edge => "edge",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Store::Chrome => "Chrome Web Store",
            Store::Edge => "Edge Add-ons",
        }
    }

    /// Longest `name` the store accepts (see the module docs for the sources).
    pub(crate) fn name_max(self) -> usize {
        match self {
            Store::Chrome => 75,
            Store::Edge => 45,
        }
    }
}

/// Longest `description` (Chrome's manifest rule; Edge uses the same manifest format).
pub(crate) const DESCRIPTION_MAX: usize = 132;
/// Longest `short_name` Chrome recommends.
pub(crate) const SHORT_NAME_MAX: usize = 12;
/// Icon sizes both stores expect.
pub(crate) const ICON_SIZES: [&str; 4] = ["16", "32", "48", "128"];

/// Every file of the package, sorted: what `trunk build` writes into `dist/` and nothing else. A file added
/// to `public/` or `_locales/` must be listed here (a test compares this list with the source tree).
pub(crate) const PACKAGE_FILES: &[&str] = &[
    "_locales/de/messages.json",
    "_locales/en/messages.json",
    "index.html",
    "manifest.json",
    "public/background.js",
    "public/boot.js",
    "public/content.js",
    "public/icons/icon-128.png",
    "public/icons/icon-16.png",
    "public/icons/icon-32.png",
    "public/icons/icon-48.png",
    "public/managed_schema.json",
    "public/syncready.css",
    "syncready.js",
    "syncready_bg.wasm",
];

/// Strings that only tests put in a build: the simulator and the wasm test runner.
const TEST_HOOKS: &[&str] = &["dataverse-sim", "wasm-bindgen-test", "__wbgtest"];

/// Loopback hosts: the tests' simulator listens there. No script, page or manifest may name one. The wasm
/// may: the core's org and authority checks name them to allow `http` for a local web-app build
/// (`syncready_core::oauth`), which is product code, not a hook.
const LOOPBACK: &[&str] = &["127.0.0.1", "localhost", "[::1]"];

/// Ways a script reaches code from elsewhere (Chrome Web Store "no remotely hosted code"). `eval` and the
/// `Function` constructor are refused by the CSP anyway; listing them keeps a loosened CSP from hiding one.
const REMOTE_CODE: &[&str] = &[
    "importScripts(",
    "import(\"http",
    "import('http",
    "from\"http",
    "from \"http",
    "from'http",
    "from 'http",
    "src=\"http",
    "src='http",
    "eval(",
    "new Function(",
];

/// The files of a package: path (with `/`) and content, sorted by path.
pub(crate) type Files = BTreeMap<String, Vec<u8>>;

/// Reads every file under `dir` (recursively) into [`Files`].
pub(crate) fn read_tree(dir: &Path) -> Result<Files, String> {
    fn walk(base: &Path, dir: &Path, out: &mut Files) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                walk(base, &path, out)?;
            } else {
                let rel = path.strip_prefix(base).map_err(|e| e.to_string())?;
                let name =
                    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                let bytes = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
                out.insert(name, bytes);
            }
        }
        Ok(())
    }
    let mut files = Files::new();
    walk(dir, dir, &mut files)?;
    Ok(files)
}

/// Parses a JSON file of the package.
fn json(files: &Files, path: &str) -> Result<Value, String> {
    let bytes = files.get(path).ok_or_else(|| format!("{path} is missing"))?;
    serde_json::from_slice(bytes).map_err(|e| format!("{path} is not valid JSON: {e}"))
}

/// The message catalogues of the package, by locale (`_locales/<locale>/messages.json`).
pub(crate) fn catalogues(files: &Files) -> Result<BTreeMap<String, Value>, String> {
    let mut out = BTreeMap::new();
    for path in files.keys() {
        if let Some(locale) = path.strip_prefix("_locales/").and_then(|p| p.strip_suffix("/messages.json")) {
            out.insert(locale.to_owned(), json(files, path)?);
        }
    }
    Ok(out)
}

/// `text` with a `__MSG_key__` placeholder replaced from `catalogue` (as Chrome does for the manifest);
/// `None` if the key is missing.
pub(crate) fn localise(text: &str, catalogue: Option<&Value>) -> Option<String> {
    match text.strip_prefix("__MSG_").and_then(|t| t.strip_suffix("__")) {
        Some(key) => {
            let catalogue = catalogue?.as_object()?;
            // Chrome matches message names case-insensitively; ours are lower-case.
            let entry = catalogue.get(key)?;
            entry.get("message")?.as_str().map(str::to_owned)
        }
        None => Some(text.to_owned()),
    }
}

/// Checks `files` (a whole package) against `store`'s rules and the crate `version`. Every problem found
/// is returned, each as one line.
pub(crate) fn check(files: &Files, version: &str, store: Store) -> Vec<String> {
    let mut problems = Vec::new();
    problems.extend(check_file_list(files));
    let manifest = match json(files, "manifest.json") {
        Ok(m) => m,
        Err(e) => {
            problems.push(e);
            return problems;
        }
    };
    let catalogues = match catalogues(files) {
        Ok(c) => c,
        Err(e) => {
            problems.push(e);
            BTreeMap::new()
        }
    };
    problems.extend(check_manifest(&manifest, &catalogues, version, store));
    problems.extend(check_catalogues(&manifest, &catalogues));
    problems.extend(messages::check_placeholders(&manifest, &catalogues));
    problems.extend(messages::check_script_names(files, &manifest, &catalogues));
    problems.extend(check_icons(&manifest, files));
    problems.extend(check_contents(files));
    problems.into_iter().map(|p| format!("{}: {p}", store.title())).collect()
}

/// The package holds exactly [`PACKAGE_FILES`].
pub(crate) fn check_file_list(files: &Files) -> Vec<String> {
    let mut problems = Vec::new();
    for expected in PACKAGE_FILES {
        if !files.contains_key(*expected) {
            problems.push(format!("{expected} is missing from the package"));
        }
    }
    for found in files.keys() {
        if !PACKAGE_FILES.contains(&found.as_str()) {
            problems
                .push(format!("{found} is not a file of the package (xtask/src/package.rs PACKAGE_FILES)"));
        }
    }
    problems
}

/// The manifest's own rules: version, lengths (in every locale), locales, keys a store refuses, CSP.
pub(crate) fn check_manifest(
    manifest: &Value,
    catalogues: &BTreeMap<String, Value>,
    version: &str,
    store: Store,
) -> Vec<String> {
    let mut problems = Vec::new();
    if manifest["manifest_version"] != 3 {
        problems.push("manifest_version must be 3".to_owned());
    }
    if manifest["version"].as_str() != Some(version) {
        problems.push(format!("manifest version {} is not the crate version {version}", manifest["version"]));
    }
    let default_locale = manifest["default_locale"].as_str();
    match (default_locale, catalogues.is_empty()) {
        (Some(locale), _) if !catalogues.contains_key(locale) => {
            problems.push(format!("default_locale {locale:?} has no _locales/{locale}/messages.json"));
        }
        (None, false) => problems.push("_locales/ exists, so default_locale must be set".to_owned()),
        _ => {}
    }
    // Each length is checked in every locale (and as written when nothing is localised).
    let locales: Vec<Option<&Value>> =
        if catalogues.is_empty() { vec![None] } else { catalogues.values().map(Some).collect() };
    let names: Vec<&str> = catalogues.keys().map(String::as_str).collect();
    for (field, max, required) in [
        ("name", store.name_max(), true),
        ("short_name", SHORT_NAME_MAX, false),
        ("description", DESCRIPTION_MAX, true),
    ] {
        let Some(text) = manifest[field].as_str() else {
            if required {
                problems.push(format!("{field} is missing"));
            }
            continue;
        };
        for (i, catalogue) in locales.iter().enumerate() {
            let locale = names.get(i).copied().unwrap_or("(not localised)");
            match localise(text, *catalogue) {
                None => problems.push(format!("{field} {text} has no message in _locales/{locale}")),
                Some(value) => {
                    let chars = value.chars().count();
                    if chars > max {
                        problems.push(format!(
                            "{field} in {locale} is {chars} characters, over {max}: {value:?}"
                        ));
                    }
                    if value.trim().is_empty() {
                        problems.push(format!("{field} in {locale} is empty"));
                    }
                    if value.contains('<') || value.contains('>') {
                        problems.push(format!("{field} in {locale} must be plain text: {value:?}"));
                    }
                }
            }
        }
    }
    // `key` pins the extension id for unpacked development; `update_url` points away from the store.
    for refused in ["key", "update_url"] {
        if !manifest[refused].is_null() {
            problems.push(format!("{refused} must not be in a store package"));
        }
    }
    // Test hooks in the manifest (loopback hosts) are found by `check_contents` with every other file.
    if manifest.to_string().contains("http://") {
        problems.push("manifest.json allows a plain-http origin".to_owned());
    }
    let csp = manifest["content_security_policy"]["extension_pages"].as_str().unwrap_or_default();
    let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src"));
    match script_src.map(|d| d.split_whitespace().collect::<Vec<_>>()) {
        Some(d) if d == ["script-src", "'self'", "'wasm-unsafe-eval'"] => {}
        other => problems.push(format!(
            "the extension pages' script-src must be exactly 'self' 'wasm-unsafe-eval' (no remote code), found {other:?}"
        )),
    }
    problems
}

/// Every catalogue has the same keys, each with a non-empty `message`, and every `__MSG_key__` the manifest
/// uses (anywhere) is one of them: a translation is a file, and no locale falls back silently.
pub(crate) fn check_catalogues(manifest: &Value, catalogues: &BTreeMap<String, Value>) -> Vec<String> {
    fn placeholders(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => {
                if let Some(key) = s.strip_prefix("__MSG_").and_then(|k| k.strip_suffix("__")) {
                    out.push(key.to_owned());
                }
            }
            Value::Array(items) => items.iter().for_each(|v| placeholders(v, out)),
            Value::Object(map) => map.values().for_each(|v| placeholders(v, out)),
            _ => {}
        }
    }
    let mut problems = Vec::new();
    let mut used = Vec::new();
    placeholders(manifest, &mut used);
    let all_keys: std::collections::BTreeSet<&str> =
        catalogues.values().filter_map(Value::as_object).flat_map(|o| o.keys().map(String::as_str)).collect();
    for (locale, catalogue) in catalogues {
        let Some(entries) = catalogue.as_object() else {
            problems.push(format!("_locales/{locale}/messages.json is not an object"));
            continue;
        };
        for key in all_keys.iter().copied().chain(used.iter().map(String::as_str)) {
            match entries.get(key).and_then(|e| e.get("message")).and_then(Value::as_str) {
                None => problems.push(format!("_locales/{locale}/messages.json has no message {key:?}")),
                Some(m) if m.trim().is_empty() => {
                    problems.push(format!("_locales/{locale}/messages.json has an empty message {key:?}"));
                }
                Some(_) => {}
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

/// `icons` has every size in [`ICON_SIZES`], each a PNG in the package.
pub(crate) fn check_icons(manifest: &Value, files: &Files) -> Vec<String> {
    let mut problems = Vec::new();
    for size in ICON_SIZES {
        match manifest["icons"][size].as_str() {
            None => problems.push(format!("icons has no {size} px icon")),
            Some(path) => match files.get(path) {
                None => problems.push(format!("icon {path} is not in the package")),
                Some(bytes) if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") => {
                    problems.push(format!("icon {path} is not a PNG"));
                }
                Some(bytes) => {
                    // IHDR: width and height, big-endian, at bytes 16..24.
                    let dim = |at: usize| {
                        bytes.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    };
                    let want = size.parse::<u32>().ok();
                    if dim(16) != want || dim(20) != want {
                        problems.push(format!("icon {path} is not {size}x{size} px"));
                    }
                }
            },
        }
    }
    problems
}

/// No source maps, no test hooks, no remote code in any shipped file.
pub(crate) fn check_contents(files: &Files) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, bytes) in files {
        if path.ends_with(".map") {
            problems.push(format!("{path} is a source map"));
        }
        let text = String::from_utf8_lossy(bytes);
        if text.contains("sourceMappingURL") {
            problems.push(format!("{path} points to a source map"));
        }
        let hooks = TEST_HOOKS.iter().chain(if path.ends_with(".wasm") { &[][..] } else { LOOPBACK });
        for hook in hooks {
            if text.contains(hook) {
                problems.push(format!("{path} contains {hook} (a test hook)"));
            }
        }
        if path.ends_with(".js") || path.ends_with(".html") {
            for pattern in REMOTE_CODE {
                if contains_call(&text, pattern) {
                    problems.push(format!("{path} contains {pattern} (remote or evaluated code)"));
                }
            }
        }
    }
    problems
}

/// `text` contains `pattern` not preceded by an identifier character (so `eval(` does not match
/// `retrieval(`).
fn contains_call(text: &str, pattern: &str) -> bool {
    text.match_indices(pattern).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    })
}

/// Writes `files` as a zip: sorted, deflated, every entry dated 1980-01-01 with mode 0644, so the same
/// `dist/` gives the same bytes.
pub(crate) fn write_zip<W: Write + Seek>(files: &Files, out: W) -> Result<W, String> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(out);
    for (path, bytes) in files {
        zip.start_file(path.as_str(), options).map_err(|e| format!("zip {path}: {e}"))?;
        zip.write_all(bytes).map_err(|e| format!("zip {path}: {e}"))?;
    }
    zip.finish().map_err(|e| format!("zip: {e}"))
}

/// The files of a zip, read back.
pub(crate) fn read_zip<R: Read + Seek>(reader: R) -> Result<Files, String> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| format!("zip: {e}"))?;
    let mut files = Files::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| format!("zip: {e}"))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| format!("zip: {e}"))?;
        files.insert(entry.name().to_owned(), bytes);
    }
    Ok(files)
}

/// `cargo xtask package`: checks `dist/` and `docs/permissions.md`, then writes one zip per store into
/// `target/package/`.
pub(crate) fn package(root: &Path, version: &str) -> Result<Vec<PathBuf>, String> {
    let files = read_tree(&root.join("dist"))?;
    let mut problems = Vec::new();
    for store in Store::ALL {
        problems.extend(check(&files, version, store));
    }
    let manifest = json(&files, "manifest.json")?;
    let doc = std::fs::read_to_string(root.join("docs/permissions.md"))
        .map_err(|e| format!("reading docs/permissions.md: {e}"))?;
    problems.extend(crate::permissions::check(&manifest, &doc));
    if !problems.is_empty() {
        return Err(format!("the package breaks the stores' rules:\n  {}", problems.join("\n  ")));
    }
    let shots = screenshots::read(root)?;
    problems.extend(screenshots::check(&shots));
    if !problems.is_empty() {
        return Err(format!("the store screenshots break the stores' rules:\n  {}", problems.join("\n  ")));
    }
    let out_dir = root.join("target/package");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let copied = screenshots::copy(&shots, &out_dir)?;
    println!(
        "    {} store screenshots (1280x800) in {}",
        copied.len(),
        out_dir.join("screenshots").display()
    );
    let mut written = Vec::new();
    for store in Store::ALL {
        let path = out_dir.join(format!("syncready-{version}-{}.zip", store.key()));
        let file = std::fs::File::create(&path).map_err(|e| format!("creating {}: {e}", path.display()))?;
        write_zip(&files, file)?;
        // Read back: the zip holds exactly the checked files.
        let back = read_zip(std::fs::File::open(&path).map_err(|e| e.to_string())?)?;
        if back != files {
            return Err(format!("{} does not read back as the checked files", path.display()));
        }
        let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        println!("    {} ({size} bytes, {} files) for the {}", path.display(), files.len(), store.title());
        written.push(path);
    }
    Ok(written)
}

pub(crate) mod messages;
mod screenshots;

#[cfg(test)]
mod tests;
