//! Installs what is missing, and nothing else. Tools go to `~/.cargo/bin` so they outlive a clone.

use crate::{cmd, root, run};
use std::process::Command;

/// Trunk release that installs on this toolchain (0.22 needs rustc 1.96).
const TRUNK_VERSION: &str = "0.21.14";

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn on_path(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// Set-up: `browser` also installs Chromium and ChromeDriver (tests need them, the demo does not).
pub(crate) fn all(browser: bool) -> Result<(), String> {
    if browser {
        chromium()?;
    }
    wasm_target()?;
    wasm_bindgen_cli()?;
    trunk()?;
    esbuild()
}

fn chromium() -> Result<(), String> {
    if on_path("chromium") && on_path("chromedriver") {
        println!("==> chromium + chromedriver: present");
        return Ok(());
    }
    let root_user = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let prefix: &[&str] = if root_user { &[] } else { &["sudo", "-n"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = prefix.to_vec();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run("apt-get update", &mut apt(&["update", "-q"]))?;
    // Never binaryen: Debian's wasm-opt 108 corrupts wasm-bindgen output.
    run(
        "apt-get install chromium chromium-driver",
        &mut apt(&["install", "-y", "-q", "chromium", "chromium-driver"]),
    )
}

fn wasm_target() -> Result<(), String> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        println!("==> wasm32-unknown-unknown target: present");
        return Ok(());
    }
    run(
        "rustup target add wasm32-unknown-unknown",
        cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// The wasm-bindgen version pinned in Cargo.lock.
pub(crate) fn locked_wasm_bindgen() -> Result<String, String> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|v| v.trim().strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".to_owned())
}

fn wasm_bindgen_cli() -> Result<(), String> {
    let want = locked_wasm_bindgen()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    let runner = output("wasm-bindgen-test-runner", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) && runner.contains(&want) {
        println!("==> wasm-bindgen CLI {want}: present");
        return Ok(());
    }
    let locked = run(
        &format!("cargo install --locked wasm-bindgen-cli {want}"),
        cmd("cargo").args(["install", "--locked", "--force", "wasm-bindgen-cli", "--version", &want]),
    );
    if locked.is_ok() {
        return Ok(());
    }
    // The registry mirror can lack a locked transitive version; resolving afresh works (toolchain.md).
    run(
        &format!("cargo install wasm-bindgen-cli {want} (unlocked fallback)"),
        cmd("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &want]),
    )
}

fn trunk() -> Result<(), String> {
    let have = output("trunk", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        println!("==> trunk {TRUNK_VERSION}: present");
        return Ok(());
    }
    run(
        &format!("cargo install --locked trunk@{TRUNK_VERSION}"),
        cmd("cargo").args(["install", "--locked", "--force", &format!("trunk@{TRUNK_VERSION}")]),
    )
}

/// esbuild, pinned in `xtask/minify/package-lock.json`: minifies the JS and CSS that ship in `dist/`.
const ESBUILD_VERSION: &str = "0.24.2";

/// Where `npm ci` puts esbuild.
pub(crate) fn esbuild_path() -> std::path::PathBuf {
    root().join("xtask/minify/node_modules/.bin/esbuild")
}

fn esbuild() -> Result<(), String> {
    let have = output(&esbuild_path().to_string_lossy(), &["--version"]).unwrap_or_default();
    if have.trim() == ESBUILD_VERSION {
        println!("==> esbuild {ESBUILD_VERSION}: present");
        return Ok(());
    }
    run(
        &format!("npm ci esbuild@{ESBUILD_VERSION} (minifier)"),
        cmd("npm").args(["ci", "--no-audit", "--no-fund", "--prefix"]).arg(root().join("xtask/minify")),
    )
}
