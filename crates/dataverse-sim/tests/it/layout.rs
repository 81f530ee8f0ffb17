//! The simulator's own layout rule (issue 19): no two files of `src/` import each other, directly or
//! through a circle. Read from the source text: `crate::…` and `super::…` paths (brace lists
//! included) and a module's references to its own child modules (`child::item`), outside comments
//! and the inline `mod tests`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["ops", "retrieve"]`) → source text of every file in `src/` but the binary.
fn modules(root: &Path) -> BTreeMap<Vec<String>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(root, &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap().with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if parts[0] == "bin" {
            continue;
        }
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
            parts.pop();
        }
        out.insert(parts, std::fs::read_to_string(&file).unwrap());
    }
    out
}

/// The text without comment lines and without an inline `#[cfg(test)] mod tests { … }` at the end.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or(text);
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path `prefix::a::b` or `prefix::a::{b, c::d}` in `text`, without the prefix.
fn paths_after(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let mut base = Vec::new();
        let mut s = rest;
        loop {
            let len = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
            if len == 0 {
                break;
            }
            base.push(s[..len].to_owned());
            s = &s[len..];
            match s.strip_prefix("::") {
                Some(next) => s = next,
                None => break,
            }
        }
        if let Some(list) = s.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(list.len())];
            for item in list.split(',') {
                let item = item.split(" as ").next().unwrap_or("").trim();
                let mut path = base.clone();
                if !item.is_empty() && item != "self" {
                    path.extend(item.split("::").map(|s| s.trim().to_owned()));
                }
                out.push(path);
            }
        } else {
            out.push(base);
        }
    }
    out
}

/// What each module imports: the longest module prefix of every path it names.
fn imports(mods: &BTreeMap<Vec<String>, String>) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let resolve =
        |path: &[String]| (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| mods.contains_key(p));
    let mut graph = BTreeMap::new();
    for (module, text) in mods {
        let text = code(text);
        let parent = &module[..module.len().saturating_sub(1)];
        let mut deps = BTreeSet::new();
        let mut named: Vec<Vec<String>> = paths_after(&text, "crate::");
        named.extend(paths_after(&text, "super::").into_iter().map(|p| [parent, &p[..]].concat()));
        for child in mods.keys().filter(|k| k.len() == module.len() + 1 && k.starts_with(module)) {
            let name = child.last().unwrap();
            if !paths_after(&text, &format!("{name}::")).is_empty() {
                deps.insert(child.clone());
            }
        }
        for path in named {
            if let Some(target) = resolve(&path)
                && target != *module
            {
                deps.insert(target);
            }
        }
        graph.insert(module.clone(), deps);
    }
    graph
}

/// A circle through `start`, if any: `[start, …, start]`.
fn circle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>, start: &Vec<String>) -> Option<Vec<String>> {
    let mut stack = vec![(start.clone(), vec![start.join("/")])];
    let mut seen = BTreeSet::new();
    while let Some((node, trail)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            let mut trail = trail.clone();
            trail.push(next.join("/"));
            if next == start {
                return Some(trail);
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), trail));
            }
        }
    }
    None
}

#[test]
fn no_two_files_of_the_simulator_import_each_other_directly_or_in_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mods = modules(&root);
    let graph = imports(&mods);
    // The reader sees what it must: a few edges the simulator is built on.
    for (from, to) in
        [("http", "ops"), ("ops/batch", "ops/api"), ("ops/api", "ops/retrieve"), ("error", "message")]
    {
        let key = |s: &str| s.split('/').map(str::to_owned).collect::<Vec<_>>();
        assert!(graph[&key(from)].contains(&key(to)), "{from} → {to} not seen: {:?}", graph[&key(from)]);
    }
    let circles: Vec<String> =
        graph.keys().filter_map(|m| circle(&graph, m)).map(|c| c.join(" → ")).collect();
    assert!(circles.is_empty(), "import circles in crates/dataverse-sim/src:\n{}", circles.join("\n"));
}

#[test]
fn the_circle_finder_finds_a_circle_and_names_its_files() {
    let mut mods = BTreeMap::new();
    mods.insert(vec!["a".to_owned()], "use crate::b::{X, y::Z};\n// crate::c in a comment\n".to_owned());
    mods.insert(vec!["b".to_owned()], "pub(crate) fn f() { crate::c::g() }".to_owned());
    mods.insert(vec!["c".to_owned()], "use crate::a;\n".to_owned());
    mods.insert(vec!["d".to_owned()], "mod e;\nfn f() { e::g() }".to_owned());
    mods.insert(vec!["d".to_owned(), "e".to_owned()], "use super::X;".to_owned());
    let graph = imports(&mods);
    assert_eq!(circle(&graph, &vec!["a".to_owned()]).unwrap().join(" → "), "a → b → c → a");
    assert_eq!(circle(&graph, &vec!["d".to_owned()]).unwrap().join(" → "), "d → d/e → d");
    mods.insert(vec!["c".to_owned()], "// use crate::a;\n".to_owned());
    assert_eq!(circle(&imports(&mods), &vec!["a".to_owned()]), None);
}
