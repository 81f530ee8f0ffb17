//! Repository rules that can be checked mechanically (in the spirit of rust-analyzer's tidy test).
// Host-only test code: the wasm size rules (clippy.toml) do not apply.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The `[dependencies]` table of a manifest (up to the next table header).
fn normal_dependencies(manifest: &str) -> Vec<String> {
    let mut in_deps = false;
    let mut names = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps
            && let Some((name, _)) = line.split_once(['=', '.'])
            && !name.trim().is_empty()
            && !name.trim().starts_with('#')
        {
            names.push(name.trim().to_owned());
        }
    }
    names
}

#[test]
fn the_core_depends_on_no_browser_runtime_or_server_crate() {
    let manifest = fs::read_to_string(root().join("crates/core/Cargo.toml")).unwrap();
    let deps = normal_dependencies(&manifest);
    assert!(!deps.is_empty(), "the dependency table was not found");
    for banned in [
        "web-sys",
        "wasm-bindgen",
        "js-sys",
        "leptos",
        "tokio",
        "reqwest",
        "axum",
        "gloo-net",
        "dataverse-sim",
    ] {
        assert!(!deps.iter().any(|d| d == banned), "syncready-core must not depend on {banned}");
    }
}

#[test]
fn the_simulator_shares_no_types_with_the_client() {
    let manifest = fs::read_to_string(root().join("crates/dataverse-sim/Cargo.toml")).unwrap();
    assert!(!manifest.contains("syncready"), "dataverse-sim must not depend on SyncReady crates");
}

#[test]
fn only_the_platform_module_touches_browser_apis() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 3);
    let platform = root().join("src/platform");
    for file in files.iter().filter(|f| !f.starts_with(&platform)) {
        let text = fs::read_to_string(file).unwrap();
        // Code only: doc comments may name the crates.
        let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        for api in ["web_sys", "js_sys", "wasm_bindgen", "gloo_net"] {
            assert!(
                !code.iter().any(|l| l.contains(api)),
                "{} uses {api}; only src/platform/ may",
                file.display()
            );
        }
    }
}

#[test]
fn the_core_reads_no_clock_and_no_randomness() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/core/src"), &mut files);
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for banned in ["Instant::now", "SystemTime::now", "thread_rng", "getrandom"] {
            assert!(!text.contains(banned), "{} uses {banned}; time and ids are passed in", file.display());
        }
    }
}

/// `text` without its `#[cfg(test)]` items: a `mod x;` line, or an item with a body (`mod tests { … }`,
/// a test-only `fn`, `impl`), whose braces are matched. Everything else stays, including shipped code
/// after a test module. Braces inside string or char literals of test code could confuse the count;
/// the items removed are test code, where that does not matter for what is kept after them as long
/// as the literals balance, and [`tidy_sees_shipped_code_after_the_first_test_module`] checks the usual
/// shapes.
fn strip_test_code(text: &str) -> String {
    let marker = "#[cfg(test)]";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at]);
        let item = &rest[at + marker.len()..];
        let semi = item.find(';');
        let brace = item.find('{');
        let end = match (semi, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => {
                let mut depth = 0usize;
                let mut end = item.len();
                for (i, c) in item[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// Whether `text` has the attribute `#[name]`, `#[name = …]` or `#[name(…)]`.
fn has_attribute(text: &str, name: &str) -> bool {
    let open = format!("{}{name}", "#[");
    text.match_indices(&open).any(|(at, m)| {
        let next = text[at + m.len()..].trim_start().chars().next();
        matches!(next, Some(']' | '=' | '('))
    })
}

#[test]
fn tidy_sees_shipped_code_after_the_first_test_module() {
    let banned = ["to_", "lowercase("].concat();
    let file = format!(
        "fn a() {{}}\n#[cfg(test)]\nmod tests;\n#[cfg(test)]\nmod more {{ fn t() {{ let _ = \"{{}}\"; }} }}\nfn shipped(s: &str) -> String {{ s.{banned}) }}\n"
    );
    let kept = strip_test_code(&file);
    assert!(kept.contains(&banned), "shipped code after test modules is checked: {kept}");
    assert!(!kept.contains("fn t()"), "test code is not: {kept}");
    assert!(strip_test_code("#[cfg(test)]\nfn helper() { x.to_uppercase(); }\nfn b() {}").contains("fn b()"));
}

#[test]
fn tidy_catches_every_form_of_the_ignore_attribute() {
    for form in [
        "ignore]",
        "ignore = \"slow\"]",
        "ignore=\"slow\"]",
        "should_panic(expected = \"x\")]",
        "should_panic]",
    ] {
        let text = format!("{}{form}\nfn t() {{}}", "#[");
        let name = form.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap();
        assert!(has_attribute(&text, name), "{text}");
    }
    assert!(!has_attribute("#[ignored_by_nothing] fn x() {}", "ignore"));
}

/// The code that ships in the wasm: each non-test file of the core and the UI, as (path, the text
/// without its `#[cfg(test)]` items).
fn shipped_sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&root().join("crates/core/src"), &mut files);
    rust_files(&root().join("src"), &mut files);
    files
        .into_iter()
        .filter_map(|file| {
            let path = file.to_string_lossy().replace('\\', "/");
            if path.contains("/tests/") || path.ends_with("tests.rs") {
                return None;
            }
            let text = fs::read_to_string(&file).unwrap();
            let shipped = strip_test_code(&text);
            Some((path, shipped))
        })
        .collect()
}

#[test]
fn code_that_ships_in_the_wasm_parses_no_floats_and_uses_no_unicode_case_tables() {
    // Each links tables that gzip cannot shrink (~14 KB each; ARCHITECTURE.md "Size"). Tests may.
    for (path, shipped) in shipped_sources() {
        for banned in ["to_lowercase(", "to_uppercase(", "parse::<f64>", "parse::<f32>"] {
            assert!(
                !shipped.contains(banned),
                "{path} uses {banned}; use syncready_core::text::fold or integer parsing"
            );
        }
    }
}

#[test]
fn code_that_ships_in_the_wasm_reads_json_through_core_json() {
    // A derived `Deserialize` compiles a visitor per type and container: ~100 KB of the wasm before
    // `syncready_core::json` (ARCHITECTURE.md "Size"). Shipped code parses into `serde_json::Value`
    // and reads types out with `FromJson` (settings from `chrome.storage` too: serde-wasm-bindgen's
    // deserializer, float formatting included, was 10 KB gzipped; it still writes them).
    for (path, shipped) in shipped_sources() {
        for (at, _) in shipped.match_indices("serde_json::from_") {
            let call = &shipped[at..];
            let into_value =
                call.starts_with("serde_json::from_str::<Value>") || path.ends_with("core/src/json.rs");
            assert!(
                into_value,
                "{path} decodes JSON with serde into a typed value; use syncready_core::json"
            );
        }
        for banned in ["DeserializeOwned", "serde_wasm_bindgen::from_value"] {
            assert!(!shipped.contains(banned), "{path} decodes with a derived Deserialize ({banned})");
        }
    }
}

#[test]
fn the_manifest_version_equals_the_package_version() {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["manifest_version"], 3);
}

/// Every string in the manifest that names a packaged file (`.js`, `.html`, `.png`, with any query).
fn packaged_paths(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => {
            let path = s.split('?').next().unwrap_or_default();
            if [".js", ".html", ".png", ".css"].iter().any(|ext| path.ends_with(ext)) {
                out.push(path.to_owned());
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| packaged_paths(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| packaged_paths(v, out)),
        _ => {}
    }
}

#[test]
fn every_file_the_manifest_names_is_in_the_source_tree_and_icons_come_in_every_size() {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap();
    let mut paths = Vec::new();
    packaged_paths(&manifest, &mut paths);
    assert!(paths.len() >= 8, "{paths:?}");
    for path in &paths {
        assert!(root().join(path).is_file(), "manifest.json names {path}, which does not exist");
    }
    let sizes: Vec<&String> = manifest["icons"].as_object().unwrap().keys().collect();
    assert_eq!(sizes, ["128", "16", "32", "48"], "Chrome and Edge use 16, 32, 48 and 128 px icons");
}

#[test]
fn the_manifest_asks_for_minimal_permissions_and_a_strict_csp() {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap();
    let permissions: Vec<&str> =
        manifest["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(
        permissions,
        ["sidePanel", "storage", "identity"],
        "every new permission needs a README justification"
    );
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    for p in &permissions {
        assert!(readme.contains(&format!("`{p}`")), "README does not justify the `{p}` permission");
    }
    let hosts: Vec<&str> =
        manifest["host_permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    // Dataverse org hosts only (issue 12.3): never all of *.dynamics.com, which also serves Business
    // Central, Finance and Operations and other non-Dataverse sites.
    let orgs: Vec<String> =
        dataverse_regions().iter().map(|r| format!("https://*.{r}.dynamics.com/*")).collect();
    assert_eq!(hosts, orgs, "host_permissions are the Dataverse org hosts of the regions in background.js");
    for region in dataverse_regions() {
        assert!(readme.contains(&format!("`{region}`")), "README does not list the {region} region");
    }
    let scripts = manifest["content_scripts"].as_array().unwrap();
    assert_eq!(scripts.len(), 1);
    let matches: Vec<&str> =
        scripts[0]["matches"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(matches, hosts, "the content script runs on the org hosts only");
    assert_eq!(scripts[0]["all_frames"], true, "the legacy web client loads its pages into a frame");
    assert_eq!(manifest["incognito"], "split", "incognito tabs get their own worker and session storage");
    let csp = manifest["content_security_policy"]["extension_pages"].as_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{csp}");
    let connect = csp.split(';').find(|d| d.trim().starts_with("connect-src")).unwrap();
    assert_eq!(
        connect.split_whitespace().collect::<Vec<_>>(),
        [
            "connect-src",
            "'self'",
            "https://*.dynamics.com",
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com"
        ],
        "the extension may only reach Dynamics orgs, the Entra ID token endpoint and Microsoft Graph"
    );
    for loose in ["'unsafe-inline'", "'unsafe-eval'", "http:", " *;", " * "] {
        assert!(!csp.contains(loose), "CSP must not contain {loose}: {csp}");
    }
}

#[test]
fn no_test_is_ignored_or_expected_to_panic() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "crates", "xtask"] {
        rust_files(&root().join(dir), &mut files);
    }
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        assert!(!has_attribute(&text, "ignore"), "{} has an ignored test", file.display());
        assert!(!has_attribute(&text, "should_panic"), "{} has a should_panic test", file.display());
    }
}

/// The regions `public/background.js` accepts as Dataverse org hosts (`const REGIONS = [...]`).
fn dataverse_regions() -> Vec<String> {
    let worker = fs::read_to_string(root().join("public/background.js")).unwrap();
    let list = worker.split("const REGIONS = [").nth(1).and_then(|r| r.split(']').next()).unwrap();
    let regions: Vec<String> =
        list.split(',').map(|r| r.trim().trim_matches('\'').to_owned()).filter(|r| !r.is_empty()).collect();
    assert!(regions.len() >= 10 && regions[0] == "crm", "{regions:?}");
    regions
}

#[test]
fn the_content_script_runs_no_timers_and_sets_no_html() {
    // Issue 14: near-zero cost on pages outside the procedure (no polling), and text only.
    let script = fs::read_to_string(root().join("public/content.js")).unwrap();
    let code: String =
        script.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    for banned in [
        "setInterval",
        "setTimeout",
        "requestAnimationFrame",
        "requestIdleCallback",
        "MutationObserver",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
    ] {
        assert!(!code.contains(banned), "public/content.js uses {banned}");
    }
}

#[test]
fn the_ui_sets_no_inline_style_attribute_the_extension_csp_would_refuse() {
    // `style-src 'self'` refuses `style="…"` attribute strings (issue 13: the grid's spacer had no
    // height under the real CSP). Set single properties through the CSSOM: Leptos `style:prop=`
    // bindings call `style.setProperty`, which the CSP allows.
    for (path, shipped) in shipped_sources().into_iter().filter(|(p, _)| !p.contains("crates/core")) {
        for (n, line) in shipped.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for banned in [" style=", "<style", "\"style\""] {
                assert!(
                    !code.contains(banned),
                    "{path}:{}: `{banned}` is an inline style the CSP refuses; use a `style:` binding",
                    n + 1
                );
            }
        }
    }
}

/// Every entry of `manifest.json` that grants access: permissions (required and optional), host
/// permissions and content-script matches.
fn granted(manifest: &serde_json::Value) -> Vec<String> {
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let mut out = strings(&manifest["permissions"]);
    out.extend(strings(&manifest["optional_permissions"]));
    out.extend(strings(&manifest["host_permissions"]));
    out.extend(strings(&manifest["optional_host_permissions"]));
    for script in manifest["content_scripts"].as_array().into_iter().flatten() {
        out.extend(strings(&script["matches"]));
    }
    out.sort();
    out.dedup();
    out
}

/// Issue 12: the README's permissions table and ARCHITECTURE.md's threat model name every permission
/// and host the manifest grants, and the web app's `<meta>` CSP has the extension's `connect-src`.
/// (If the manifest changes, this fails until both documents say why.)
#[test]
fn issue_12_the_readme_and_the_threat_model_name_everything_the_manifest_grants() {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap();
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let table = readme.split("## Permissions, and why").nth(1).and_then(|t| t.split("\n## ").next()).unwrap();
    let architecture = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let threat_model = architecture
        .split("## Threat model")
        .nth(1)
        .and_then(|t| t.split("\n## ").next())
        .unwrap_or_default();
    assert!(!threat_model.is_empty(), "ARCHITECTURE.md has no \"Threat model\" section");
    let entries = granted(&manifest);
    assert!(entries.len() >= 3, "{entries:?}");
    for entry in &entries {
        assert!(table.contains(entry.as_str()), "the README's permissions table does not name `{entry}`");
        assert!(threat_model.contains(entry.as_str()), "the threat model does not name `{entry}`");
    }
    let csp = manifest["content_security_policy"]["extension_pages"].as_str().unwrap();
    let connect = |policy: &str| {
        policy
            .split(';')
            .find(|d| d.trim().starts_with("connect-src"))
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert!(threat_model.contains(&connect(csp)), "the threat model does not quote `{}`", connect(csp));
    let index = fs::read_to_string(root().join("index.html")).unwrap();
    let meta = index
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|m| m.split('"').next())
        .expect("index.html has no Content-Security-Policy meta tag (web-app mode)");
    assert_eq!(
        connect(meta),
        connect(csp),
        "the web app's CSP must reach what the extension reaches, no more"
    );
    for directive in
        ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'"]
    {
        assert!(meta.contains(directive), "the web app's CSP lacks {directive}: {meta}");
    }
    assert!(index.contains(r#"<meta name="referrer" content="no-referrer" />"#));
    for header in ["frame-ancestors 'none'", "Referrer-Policy: no-referrer"] {
        assert!(readme.contains(header), "the README must tell hosts to send {header}");
    }
}

// ---- Layers and import circles (issue 19) ----------------------------------------------------------

/// The crate source root of `dir`: the nearest directory, `dir` or above, that has a `lib.rs` or a
/// `main.rs`.
fn crate_root_of(dir: &Path) -> PathBuf {
    let mut at = dir.to_path_buf();
    loop {
        if at.join("lib.rs").is_file() || at.join("main.rs").is_file() {
            return at;
        }
        assert!(at.pop(), "{} is not inside a crate's source directory", dir.display());
    }
}

/// The module path of `file` under the crate root (`session/mod.rs` → `["session"]`,
/// `session/org.rs` → `["session", "org"]`, `lib.rs` → `[]`).
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(root).unwrap().with_extension("");
    let mut segments: Vec<String> =
        relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if matches!(segments.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        segments.pop();
    }
    segments
}

/// The file of module `segments` under `root`, if the module is a file of its own.
fn module_file(root: &Path, segments: &[String]) -> Option<PathBuf> {
    if segments.is_empty() {
        return ["lib.rs", "main.rs"].iter().map(|f| root.join(f)).find(|p| p.is_file());
    }
    let base: PathBuf = segments.iter().collect();
    let flat = root.join(&base).with_extension("rs");
    let nested = root.join(&base).join("mod.rs");
    [flat, nested].into_iter().find(|p| p.is_file())
}

/// Expands one `use` tree (`crate::{a::B, c::{self, D as E}}`) into its paths and the names they
/// bind: (`crate::a::B`, `B`), (`crate::c`, `c`), (`crate::c::D`, `E`); a glob binds `*`.
fn expand_use_tree(tree: &str, out: &mut Vec<(String, String)>) {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let mut halves = tree.split(" as ");
        let path = halves.next().unwrap_or_default().trim().replace(' ', "");
        let path = path.strip_suffix("::self").unwrap_or(&path).to_owned();
        let name =
            halves.next().map(str::trim).unwrap_or_else(|| path.rsplit("::").next().unwrap_or_default());
        if !path.is_empty() {
            out.push((path.clone(), name.to_owned()));
        }
        return;
    };
    let prefix = tree[..open].trim().trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut depth = 0usize;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let joined = if prefix.is_empty() { part.to_owned() } else { format!("{prefix}::{part}") };
        expand_use_tree(&joined, out);
    }
}

/// Every `use` item (`use`, `pub use`, `pub(crate) use`) in `code`: whether it re-exports (`pub`
/// in any form), each path and the name it binds.
fn use_items(code: &str) -> Vec<(bool, String, String)> {
    let mut out = Vec::new();
    let mut statement: Option<(bool, String)> = None;
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        let trimmed = line.trim_start();
        match statement.as_mut() {
            Some((_, open)) => open.push_str(trimmed),
            None => {
                let rest = trimmed
                    .strip_prefix("pub(crate) ")
                    .or_else(|| trimmed.strip_prefix("pub(super) "))
                    .or_else(|| trimmed.strip_prefix("pub "));
                let public = rest.is_some();
                match rest.unwrap_or(trimmed).strip_prefix("use ") {
                    Some(tree) => statement = Some((public, tree.to_owned())),
                    None => continue,
                }
            }
        }
        if let Some((public, text)) = statement.as_ref().filter(|(_, s)| s.contains(';')) {
            let mut paths = Vec::new();
            expand_use_tree(text.split(';').next().unwrap_or_default(), &mut paths);
            out.extend(paths.into_iter().map(|(path, name)| (*public, path, name)));
            statement = None;
        }
    }
    out
}

/// The paths of every `use` item in `code`.
fn use_paths(code: &str) -> Vec<String> {
    use_items(code).into_iter().map(|(_, path, _)| path).collect()
}

/// The `crate::…` and `super::…` paths written inline in `code` (`crate::platform::clock::now_ms()`),
/// outside `use` items and comments; `$crate` (a macro's) is left out.
fn inline_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines().map(|l| l.split("//").next().unwrap_or_default()) {
        let trimmed = line.trim_start();
        if trimmed.starts_with("use ")
            || trimmed.starts_with("pub use ")
            || trimmed.starts_with("pub(crate) use ")
        {
            continue;
        }
        for prefix in ["crate::", "super::"] {
            for (at, _) in line.match_indices(prefix) {
                if line[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                    continue;
                }
                let path: String = line[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let path = path.trim_end_matches(':');
                if path.len() > prefix.len() {
                    out.push(path.to_owned());
                }
            }
        }
    }
    out
}

/// `path` as written in module `here`, made absolute within its crate (`crate::`, `super::`,
/// `self::` and child-module paths resolved); `None` for a path into another crate.
fn absolutize(root: &Path, here: &[String], path: &str) -> Option<Vec<String>> {
    let segments: Vec<String> = path.split("::").map(str::to_owned).collect();
    let mut base: Vec<String> = here.to_vec();
    let mut rest = &segments[..];
    match segments.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &segments[1..];
        }
        Some("self") => rest = &segments[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let mut child = here.to_vec();
            child.push(first.to_owned());
            module_file(root, &child)?;
        }
        None => return None,
    }
    base.extend(rest.iter().filter(|s| s.as_str() != "*").cloned());
    Some(base)
}

/// Each path `file` names (test code left out): its `use` items, and `crate::…`/`super::…` paths
/// written inline, made absolute within its crate (paths into other crates dropped).
fn absolute_imports(root: &Path, file: &Path) -> Vec<Vec<String>> {
    let here = module_of(root, file);
    let code = strip_test_code(&fs::read_to_string(file).unwrap());
    use_paths(&code)
        .into_iter()
        .chain(inline_paths(&code))
        .filter_map(|path| absolutize(root, &here, &path))
        .collect()
}

/// The file that defines what absolute `path` names: the file of its longest module prefix, or,
/// when that file only re-exports the name (`pub use org::OrgRead;` in `session/mod.rs`), the file
/// the re-export leads to.
fn defining_file(root: &Path, path: &[String], hops: usize) -> Option<PathBuf> {
    let mut prefix = path.to_vec();
    let file = loop {
        if let Some(file) = module_file(root, &prefix) {
            break file;
        }
        prefix.pop()?;
    };
    let Some(name) = path.get(prefix.len()).filter(|_| hops < 8) else {
        return Some(file);
    };
    let code = strip_test_code(&fs::read_to_string(&file).unwrap());
    let target = use_items(&code)
        .into_iter()
        .find(|(public, _, bound)| *public && bound == name)
        .and_then(|(_, reexported, _)| absolutize(root, &prefix, &reexported));
    match target {
        Some(mut target) => {
            target.extend(path[prefix.len() + 1..].iter().cloned());
            defining_file(root, &target, hops + 1).or(Some(file))
        }
        None => Some(file),
    }
}

/// The import circles among the Rust files under `dir`: groups of files that import each other,
/// directly or through a cycle, by their `use crate::…`, `use super::…`, `use self::…` and
/// child-module `use` items and their inline `crate::…`/`super::…` paths (test code and comments
/// left out). Each import counts as an edge to the file that defines what it names: the file of the
/// longest module prefix (`use crate::session::org::Loaded` → `session/org.rs`), through re-exports
/// (`use crate::session::OrgRead` → `session/mod.rs`'s `pub use org::OrgRead` → `session/org.rs`),
/// so a `mod.rs` that re-exports its children and children that import through it are no circle,
/// while an item defined in `mod.rs` and used by the child that `mod.rs` imports is one. `dir` may be a crate's `src/` or a module
/// directory inside it (`crates/core/src/bulk/`): only files under `dir` are considered.
/// Returns each circle as its files' paths relative to `dir`, sorted.
fn no_import_circles(dir: &Path) -> Vec<Vec<String>> {
    let root = crate_root_of(dir);
    let mut files = Vec::new();
    rust_files(dir, &mut files);
    files.sort();
    let index = |p: &Path| files.iter().position(|f| f == p);
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    for (from, file) in files.iter().enumerate() {
        for target in absolute_imports(&root, file) {
            if let Some(to) = defining_file(&root, &target, 0).as_deref().and_then(index)
                && to != from
                && !edges[from].contains(&to)
            {
                edges[from].push(to);
            }
        }
    }
    // Tarjan's strongly connected components; every component of two or more files is a circle.
    struct Tarjan<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        found: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.edges[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(i) if self.on_stack[w] => self.low[v] = self.low[v].min(i),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let n = files.len();
    let mut t = Tarjan {
        edges: &edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    let name = |i: usize| files[i].strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
    let mut circles: Vec<Vec<String>> = t
        .found
        .into_iter()
        .map(|c| {
            let mut names: Vec<String> = c.into_iter().map(name).collect();
            names.sort();
            names
        })
        .collect();
    circles.sort();
    circles
}

#[test]
fn issue_19_the_ui_crate_has_no_import_circles() {
    let circles = no_import_circles(&root().join("src"));
    assert!(circles.is_empty(), "files in src/ import each other: {circles:?}");
}

#[test]
fn issue_19_the_bulk_engine_and_the_simulator_have_no_import_circles() {
    for dir in ["crates/core/src/bulk", "crates/dataverse-sim/src"] {
        let circles = no_import_circles(&root().join(dir));
        assert!(circles.is_empty(), "files in {dir}/ import each other: {circles:?}");
    }
}

#[test]
fn issue_19_the_circle_check_finds_direct_braced_relative_and_inline_circles_and_skips_test_code() {
    let dir = std::env::temp_dir().join(format!("syncready-tidy-circles-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let files = [
        (
            "lib.rs",
            "pub mod a;\npub mod b;\npub mod c;\npub mod f;\npub mod g;\npub mod h;\npub mod i;\npub mod j;\n",
        ),
        ("a.rs", "use crate::b::X;\npub struct Y;\n"),
        ("b.rs", "use super::a::Y;\npub struct X;\n"),
        ("c/mod.rs", "pub mod d;\npub mod e;\npub use d::Z;\n"),
        (
            "c/d.rs",
            "use std::fmt;\nuse serde::Serialize;\npub use crate::{\n    a::Y,\n    c::e::{self, W},\n};\n",
        ),
        ("c/e.rs", "use super::d::Z as Zed;\npub struct W;\n"),
        (
            "f.rs",
            "pub struct L; // crate::g::K in a comment\nmacro_rules! m { () => { $crate::g::K }; }\n#[cfg(test)]\nmod tests {\n    use crate::g::K;\n}\n",
        ),
        ("g.rs", "use crate::f::L;\npub struct K;\n"),
        ("h.rs", "pub fn f() {\n    let _ = crate::i::g();\n}\n"),
        // A `mod.rs` that re-exports is no circle with the children that import through it; an item
        // it defines itself, used by a child it imports, is.
        (
            "j/mod.rs",
            "pub mod k;\npub mod l;\npub mod m;\npub use k::Kay;\npub use m::Em as Emm;\npub fn helper() {}\n",
        ),
        ("j/k.rs", "pub struct Kay;\n"),
        ("j/l.rs", "use super::Kay;\nuse crate::j::Emm;\n"),
        ("j/m.rs", "pub struct Em;\nfn f() {\n    super::helper();\n}\n"),
        ("i.rs", "pub fn g() {\n    super::h::f();\n}\n"),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let whole = no_import_circles(&dir);
    let sub = no_import_circles(&dir.join("c"));
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(
        whole,
        [vec!["a.rs", "b.rs"], vec!["c/d.rs", "c/e.rs"], vec!["h.rs", "i.rs"], vec!["j/m.rs", "j/mod.rs"]]
    );
    assert_eq!(sub, [vec!["d.rs", "e.rs"]]);
}

#[test]
fn issue_19_each_ui_layer_imports_only_the_layers_below_it() {
    let root = root().join("src");
    // Layer → the layers it must not name.
    let rules: [(&str, &[&str]); 4] = [
        ("platform", &["pages", "session", "components", "state"]),
        ("state", &["pages", "session", "components", "platform"]),
        ("components", &["pages", "platform"]),
        ("session", &["pages", "components"]),
    ];
    let mut checked = 0;
    for (layer, banned) in rules {
        let mut files = Vec::new();
        rust_files(&root.join(layer), &mut files);
        assert!(!files.is_empty(), "src/{layer}/ has no files");
        for file in &files {
            checked += 1;
            for path in absolute_imports(&root, file) {
                let named = path.first().map(String::as_str).unwrap_or_default();
                assert!(
                    !banned.contains(&named),
                    "{} names crate::{}; src/{layer}/ must not import {named}",
                    file.display(),
                    path.join("::")
                );
                // Components name the session's public API (the types `session/mod.rs` re-exports),
                // never one of its modules.
                if layer == "components" && named == "session" && path.len() > 1 {
                    assert!(
                        module_file(&root, &path[..2]).is_none(),
                        "{} names crate::{}, a session internal; use the type `crate::session` re-exports",
                        file.display(),
                        path.join("::")
                    );
                }
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

#[test]
fn issue_19_the_layer_check_sees_inline_paths_braced_imports_and_session_internals() {
    let dir = std::env::temp_dir().join(format!("syncready-tidy-layers-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    for (path, text) in [
        ("lib.rs", "pub mod session;\n"),
        ("session/mod.rs", "pub mod org;\npub use org::OrgRead;\n"),
        ("session/org.rs", "pub struct OrgRead;\n"),
        (
            "x.rs",
            "use crate::{session::{OrgRead, org::Loaded}};\nfn f() { crate::platform::dom::origin(); }\n",
        ),
    ] {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let paths = absolute_imports(&dir, &dir.join("x.rs"));
    let internal: Vec<bool> =
        paths.iter().map(|p| p.len() > 1 && module_file(&dir, &p[..2]).is_some()).collect();
    let _ = fs::remove_dir_all(&dir);
    let joined: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(joined, ["session::OrgRead", "session::org::Loaded", "platform::dom::origin"]);
    assert_eq!(internal, [false, true, false]);
}

#[test]
fn issue_19_no_ui_source_file_is_above_600_lines() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for file in files {
        let lines = fs::read_to_string(&file).unwrap().lines().count();
        assert!(lines <= 600, "{} has {lines} lines; split it (issue 19)", file.display());
    }
}

/// English prose in a string literal of `text` (one per line): a literal of two or more words that
/// starts with a capital letter or ends like a sentence. Comments and lines that only log or panic
/// are skipped (their texts are not shown).
fn prose_literals(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("//")
            || ["panic!(", ".expect(", "unreachable!(", "debug_assert", "console"]
                .iter()
                .any(|m| code.contains(m))
        {
            continue;
        }
        let mut rest = line;
        while let Some(open) = rest.find('"') {
            let after = &rest[open + 1..];
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else { break };
            let literal = &after[..end];
            let words = literal.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 2).count();
            let sentence = literal.starts_with(|c: char| c.is_ascii_uppercase())
                || literal.trim_end().ends_with(['.', '…']);
            if words >= 2 && literal.contains(' ') && sentence {
                found.push((n + 1, literal.to_owned()));
            }
            rest = &after[end + 1..];
        }
    }
    found
}

/// Issue 18: a translation is a file, not a code change. The UI's texts come from the catalogue
/// (`tr!`/`trn!` with a key), so no English sentence is written in the UI's code; the few literals
/// that are not shown to the admin as prose are listed here with the reason.
#[test]
fn issue_18_the_ui_writes_no_english_sentence_outside_the_catalogue() {
    // (file, literal): why it may stay.
    const NOT_PROSE: &[(&str, &str, &str)] = &[];
    let mut files = Vec::new();
    for dir in ["src/components", "src/pages", "src/session", "src/state"] {
        rust_files(&root().join(dir), &mut files);
    }
    let mut found = Vec::new();
    for file in files {
        let path = file.to_string_lossy().replace('\\', "/");
        let rel = path.split_once("/src/").map_or(path.clone(), |(_, r)| format!("src/{r}"));
        let shipped = strip_test_code(&fs::read_to_string(&file).unwrap());
        for (line, literal) in prose_literals(&shipped) {
            if !NOT_PROSE.iter().any(|(f, l, _)| *f == rel && *l == literal) {
                found.push(format!("{rel}:{line}: {literal:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English texts in the UI's code (move them to crates/core/locales/messages/):\n{}",
        found.join("\n")
    );
}

#[test]
fn issue_18_the_prose_check_finds_sentences_and_skips_keys_classes_comments_and_panics() {
    let code = r#"
        let a = "Not read yet.";
        let b = tr!(lang, "ui.tenant.status", n = 3);
        view! { <p class="sr-muted sr-tenant__row">"Export CSV"</p> }
        // "A comment that is English."
        let c = x.expect("The org was read before");
        let d = format!("{}/{}", a, b);
        let e = "waiting for limits…";
    "#;
    let found: Vec<String> = prose_literals(code).into_iter().map(|(_, l)| l).collect();
    assert_eq!(found, ["Not read yet.", "Export CSV", "waiting for limits…"]);
}
