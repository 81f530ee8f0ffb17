//! `cargo xtask release <version>`: moves the workspace version, `manifest.json`'s version and the
//! CHANGELOG's "Unreleased" heading together, on a clean tree, to a larger version.
//!
//! Everything that decides is a pure function of text (tested below); [`release`] only reads, writes and
//! asks git.

use std::fmt;

/// A release version: `major.minor.patch`, each a number Chrome accepts in `manifest.json`'s `version`
/// (one to four dot-separated integers from 0 to 65535, no leading zeros, no pre-release suffix:
/// <https://developer.chrome.com/docs/extensions/reference/manifest/version>). Ordered numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    pub(crate) major: u16,
    pub(crate) minor: u16,
    pub(crate) patch: u16,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Version {
    /// Parses `major.minor.patch`.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let refuse = |why: &str| format!("{text:?} is not a release version (major.minor.patch): {why}");
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() != 3 {
            return Err(refuse("it needs exactly three numbers"));
        }
        let mut numbers = [0u16; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse("each part must be digits only (no pre-release or build suffix)"));
            }
            if part.len() > 1 && part.starts_with('0') {
                return Err(refuse("a number must not start with 0"));
            }
            *slot = part.parse().map_err(|_| refuse("each number must be at most 65535"))?;
        }
        Ok(Self { major: numbers[0], minor: numbers[1], patch: numbers[2] })
    }

    /// `next` if it is larger than `self`.
    pub(crate) fn bump_to(self, next: Version) -> Result<Version, String> {
        if next > self {
            Ok(next)
        } else {
            Err(format!("{next} is not larger than the current version {self}"))
        }
    }
}

/// Refuses a tree with changes (`git status --porcelain` output), naming them.
pub(crate) fn require_clean(porcelain: &str) -> Result<(), String> {
    let changes: Vec<&str> = porcelain.lines().filter(|l| !l.trim().is_empty()).collect();
    if changes.is_empty() {
        Ok(())
    } else {
        Err(format!("the working tree has changes; commit or stash them first:\n  {}", changes.join("\n  ")))
    }
}

/// The workspace `Cargo.toml` with `[workspace.package]`'s version set to `new` (it must be `old`).
pub(crate) fn bump_cargo_toml(text: &str, old: Version, new: Version) -> Result<String, String> {
    let mut section = "";
    let mut done = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed;
        }
        if section == "[workspace.package]" && !done && trimmed.starts_with("version") {
            let expected = format!("version = \"{old}\"");
            if trimmed != expected {
                return Err(format!("Cargo.toml [workspace.package] has `{trimmed}`, expected `{expected}`"));
            }
            out.push_str(&line.replacen(&old.to_string(), &new.to_string(), 1));
            done = true;
            continue;
        }
        out.push_str(line);
    }
    if done { Ok(out) } else { Err("Cargo.toml has no version in [workspace.package]".to_owned()) }
}

/// `manifest.json` with its top-level `"version": "old"` set to `new` (the text is edited, not re-serialised,
/// so its layout stays).
pub(crate) fn bump_manifest(text: &str, old: Version, new: Version) -> Result<String, String> {
    let needle = format!("\"version\": \"{old}\"");
    match text.matches(&needle).count() {
        1 => Ok(text.replacen(&needle, &format!("\"version\": \"{new}\""), 1)),
        0 => Err(format!("manifest.json has no {needle}")),
        n => Err(format!("manifest.json has {n} copies of {needle}")),
    }
}

/// The heading under which changes wait for a release.
const UNRELEASED: &str = "## [Unreleased]";

/// `CHANGELOG.md` with the changes under "Unreleased" moved under `## [new] - date`, and an empty
/// "Unreleased" above it. Refuses a changelog with nothing unreleased: a release says what changed.
pub(crate) fn bump_changelog(text: &str, new: Version, date: &str) -> Result<String, String> {
    let Some(start) = text.find(UNRELEASED) else {
        return Err(format!("CHANGELOG.md has no \"{UNRELEASED}\" heading"));
    };
    let body_start = start + UNRELEASED.len();
    let body_end = text[body_start..].find("\n## ").map_or(text.len(), |i| body_start + i);
    if text[body_start..body_end].lines().all(|l| l.trim().is_empty() || l.starts_with("### ")) {
        return Err("CHANGELOG.md lists nothing under \"Unreleased\"; describe the release first".to_owned());
    }
    if text.contains(&format!("## [{new}]")) {
        return Err(format!("CHANGELOG.md already has a {new} section"));
    }
    Ok(format!("{}{UNRELEASED}\n\n## [{new}] - {date}{}", &text[..start], &text[body_start..]))
}

/// The date (`YYYY-MM-DD`, UTC) `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(crate) fn date_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// `cargo xtask release <version>`.
pub(crate) fn release(args: &[String]) -> Result<(), String> {
    let [version] = args else {
        return Err("usage: cargo xtask release <major.minor.patch>".to_owned());
    };
    let root = crate::root();
    let new = Version::parse(version)?;
    let old = Version::parse(env!("CARGO_PKG_VERSION"))?;
    old.bump_to(new)?;
    let status = crate::cmd("git")
        .args(["status", "--porcelain"])
        .output()
        .map_err(|e| format!("could not run git status: {e}"))?;
    if !status.status.success() {
        return Err("git status failed: is this a git checkout?".to_owned());
    }
    require_clean(&String::from_utf8_lossy(&status.stdout))?;

    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs()
        / 86_400;
    let date = date_from_days(i64::try_from(days).map_err(|e| e.to_string())?);
    // Compute every new text first, so a refusal leaves every file as it was.
    let cargo = bump_cargo_toml(&read(&root.join("Cargo.toml"))?, old, new)?;
    let manifest = bump_manifest(&read(&root.join("manifest.json"))?, old, new)?;
    let changelog = bump_changelog(&read(&root.join("CHANGELOG.md"))?, new, &date)?;
    for (file, text) in [("Cargo.toml", cargo), ("manifest.json", manifest), ("CHANGELOG.md", changelog)] {
        std::fs::write(root.join(file), text).map_err(|e| format!("writing {file}: {e}"))?;
        println!("    {file}: {old} -> {new}");
    }
    // Cargo.lock records the workspace members' versions.
    crate::run(
        "cargo update --workspace (Cargo.lock)",
        crate::cmd("cargo").args(["update", "--workspace", "--offline"]),
    )?;
    println!(
        "\nReleased {new} in the working tree. Review `git diff`, then:\n  git commit -am \"Release {new}\" && git tag v{new}\n  cargo xtask package"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_parse_as_three_numbers_chrome_accepts() {
        assert_eq!(v("0.1.0"), Version { major: 0, minor: 1, patch: 0 });
        assert_eq!(v("65535.0.10").to_string(), "65535.0.10");
        for bad in
            ["1.2", "1.2.3.4", "1.2.3-beta", "1.2.x", "01.2.3", "1.2.65536", "", "1..3", "v1.2.3", " 1.2.3"]
        {
            assert!(Version::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_release_must_be_larger_than_the_current_version_numerically() {
        assert_eq!(v("0.1.0").bump_to(v("0.1.1")), Ok(v("0.1.1")));
        assert_eq!(v("0.9.0").bump_to(v("0.10.0")), Ok(v("0.10.0")), "numeric, not text, order");
        assert_eq!(v("1.0.0").bump_to(v("2.0.0")), Ok(v("2.0.0")));
        assert!(v("0.1.0").bump_to(v("0.1.0")).is_err());
        assert!(
            v("0.10.0")
                .bump_to(v("0.9.9"))
                .unwrap_err()
                .contains("not larger than the current version 0.10.0")
        );
    }

    #[test]
    fn a_dirty_tree_is_refused_with_its_changes() {
        assert_eq!(require_clean(""), Ok(()));
        assert_eq!(require_clean("\n"), Ok(()));
        let err = require_clean(" M manifest.json\n?? notes.txt\n").unwrap_err();
        assert!(err.contains("M manifest.json") && err.contains("?? notes.txt"), "{err}");
    }

    #[test]
    fn the_workspace_version_moves_and_nothing_else() {
        let toml = "[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nfoo = { version = \"0.1.0\" }\n";
        let out = bump_cargo_toml(toml, v("0.1.0"), v("0.2.0")).unwrap();
        assert_eq!(out, toml.replacen("version = \"0.1.0\"\nedition", "version = \"0.2.0\"\nedition", 1));
        assert!(out.contains("foo = { version = \"0.1.0\" }"));
        assert!(
            bump_cargo_toml(toml, v("0.1.1"), v("0.2.0"))
                .unwrap_err()
                .contains("expected `version = \"0.1.1\"`")
        );
        assert!(bump_cargo_toml("[package]\nversion = \"0.1.0\"\n", v("0.1.0"), v("0.2.0")).is_err());
    }

    #[test]
    fn the_manifest_version_moves_in_place() {
        let json = "{\n  \"manifest_version\": 3,\n  \"version\": \"0.1.0\",\n  \"minimum_chrome_version\": \"116\"\n}\n";
        assert_eq!(
            bump_manifest(json, v("0.1.0"), v("0.1.1")).unwrap(),
            "{\n  \"manifest_version\": 3,\n  \"version\": \"0.1.1\",\n  \"minimum_chrome_version\": \"116\"\n}\n"
        );
        assert!(bump_manifest(json, v("0.2.0"), v("0.3.0")).is_err());
    }

    #[test]
    fn the_changelog_turns_unreleased_into_the_release_and_opens_a_new_unreleased() {
        let text = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Packaging.\n\n## [0.1.0] - 2026-12-01\n\n- First.\n";
        assert_eq!(
            bump_changelog(text, v("0.2.0"), "2026-12-06").unwrap(),
            "# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-12-06\n\n### Added\n\n- Packaging.\n\n## [0.1.0] - 2026-12-01\n\n- First.\n"
        );
        let empty = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n## [0.1.0] - 2026-12-01\n";
        assert!(bump_changelog(empty, v("0.2.0"), "2026-12-06").unwrap_err().contains("nothing under"));
        assert!(bump_changelog(text, v("0.1.0"), "2026-12-06").unwrap_err().contains("already has a 0.1.0"));
        assert!(bump_changelog("# Changelog\n", v("0.2.0"), "x").is_err());
    }

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        assert_eq!(date_from_days(0), "1970-01-01");
        assert_eq!(date_from_days(59), "1970-03-01");
        assert_eq!(date_from_days(11_016), "2000-02-29");
        assert_eq!(date_from_days(20_428), "2025-12-06");
        assert_eq!(date_from_days(20_793), "2026-12-06");
    }

    #[test]
    fn the_repository_versions_agree_and_the_changelog_has_an_unreleased_section() {
        let root = crate::root();
        let current = v(env!("CARGO_PKG_VERSION"));
        let next = Version { patch: current.patch + 1, ..current };
        bump_cargo_toml(&read(&root.join("Cargo.toml")).unwrap(), current, next).unwrap();
        bump_manifest(&read(&root.join("manifest.json")).unwrap(), current, next).unwrap();
        let changelog = read(&root.join("CHANGELOG.md")).unwrap();
        assert!(changelog.contains(UNRELEASED), "CHANGELOG.md needs an {UNRELEASED} heading");
        assert!(changelog.contains(&format!("## [{current}]")), "CHANGELOG.md needs a {current} section");
    }
}
