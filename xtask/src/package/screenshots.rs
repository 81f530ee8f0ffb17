//! The store screenshots: both stores take 1280×800 (or 640×400) PNG or JPEG screenshots, the Chrome
//! Web Store at most five (<https://developer.chrome.com/docs/webstore/images#screenshots>; Edge
//! Add-ons up to ten, <https://learn.microsoft.com/microsoft-edge/extensions-chromium/publish/publish-extension>).
//! `tests/store_e2e.rs` takes them from the built extension into `target/e2e/store/`; the committed
//! copies in [`DIR`] are checked here and copied beside the zips by `cargo xtask package`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the committed store screenshots live (docs/store/listing.md names them).
pub(crate) const DIR: &str = "docs/store/screenshots";

/// The size both stores show without scaling.
pub(crate) const SIZE: (u32, u32) = (1_280, 800);

/// The Chrome Web Store's limit (Edge takes more).
pub(crate) const MAX: usize = 5;

/// Width and height of a PNG (IHDR, big-endian at bytes 16..24), if it is one.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    let dim = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    Some((dim(16)?, dim(20)?))
}

/// Problems with `shots` (file name → bytes): one to [`MAX`] PNGs of exactly [`SIZE`].
pub(crate) fn check(shots: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    if shots.is_empty() {
        problems.push(format!("{DIR} holds no screenshot (run `cargo test -p syncready --test store_e2e`)"));
    }
    if shots.len() > MAX {
        problems.push(format!(
            "{DIR} holds {} screenshots; the Chrome Web Store takes at most {MAX}",
            shots.len()
        ));
    }
    for (name, bytes) in shots {
        match png_size(bytes) {
            None => problems.push(format!("screenshot {name} is not a PNG")),
            Some(size) if size != SIZE => {
                problems.push(format!(
                    "screenshot {name} is {}x{} px, not {}x{}",
                    size.0, size.1, SIZE.0, SIZE.1
                ));
            }
            Some(_) => {}
        }
    }
    problems
}

/// The screenshots in `root`'s [`DIR`] (every file; anything but a right-sized PNG is a problem).
pub(crate) fn read(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let dir = root.join(DIR);
    let mut shots = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let bytes = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        shots.insert(name, bytes);
    }
    Ok(shots)
}

/// Copies `shots` into `out_dir/screenshots/`, returning the paths written.
pub(crate) fn copy(shots: &BTreeMap<String, Vec<u8>>, out_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = out_dir.join("screenshots");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("clearing {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    shots
        .iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|e| format!("writing {}: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend(w.to_be_bytes());
        bytes.extend(h.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0]);
        bytes
    }

    fn shots(list: &[(&str, Vec<u8>)]) -> BTreeMap<String, Vec<u8>> {
        list.iter().map(|(n, b)| ((*n).to_owned(), b.clone())).collect()
    }

    #[test]
    fn one_to_five_pngs_of_1280_by_800_pass() {
        assert!(check(&shots(&[("1.png", png(1_280, 800))])).is_empty());
        let five: Vec<(String, Vec<u8>)> = (1..=5).map(|i| (format!("{i}.png"), png(1_280, 800))).collect();
        assert!(check(&five.into_iter().collect()).is_empty());
    }

    #[test]
    fn a_wrong_size_a_non_png_too_many_and_none_are_refused() {
        assert_eq!(
            check(&shots(&[("a.png", png(1_100, 757))])),
            ["screenshot a.png is 1100x757 px, not 1280x800"]
        );
        assert_eq!(check(&shots(&[("a.jpg", b"\xff\xd8\xff".to_vec())])), ["screenshot a.jpg is not a PNG"]);
        let six: BTreeMap<String, Vec<u8>> = (1..=6).map(|i| (format!("{i}.png"), png(1_280, 800))).collect();
        assert_eq!(
            check(&six),
            ["docs/store/screenshots holds 6 screenshots; the Chrome Web Store takes at most 5"]
        );
        assert_eq!(check(&BTreeMap::new()).len(), 1);
    }

    #[test]
    fn the_committed_screenshots_pass_and_the_listing_names_each() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let shots = read(&root).unwrap();
        assert_eq!(check(&shots), Vec::<String>::new());
        let listing = std::fs::read_to_string(root.join("docs/store/listing.md")).unwrap();
        for name in shots.keys() {
            assert!(listing.contains(&format!("screenshots/{name}")), "docs/store/listing.md names {name}");
        }
    }
}
