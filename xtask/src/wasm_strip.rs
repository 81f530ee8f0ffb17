//! Removes custom sections (the `name` section is about 40 % of a release module) from a wasm
//! binary. Trunk has no switch for it when wasm-opt is off, and Debian's wasm-opt corrupts
//! wasm-bindgen output (see `ARCHITECTURE.md`), so the build does it here.

fn read_leb_u32(bytes: &[u8], pos: &mut usize) -> Result<u32, String> {
    let mut result: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*pos).ok_or("truncated LEB128")?;
        *pos += 1;
        result |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(result);
        }
    }
    Err("LEB128 too long".to_owned())
}

/// Returns `wasm` without the custom sections whose names are in `drop`.
pub(crate) fn strip_custom_sections(wasm: &[u8], drop: &[&str]) -> Result<Vec<u8>, String> {
    if wasm.get(..4) != Some(b"\0asm".as_slice()) || wasm.len() < 8 {
        return Err("not a wasm module".to_owned());
    }
    let mut out = wasm[..8].to_vec();
    let mut pos = 8;
    while pos < wasm.len() {
        let start = pos;
        let id = wasm[pos];
        pos += 1;
        let size = read_leb_u32(wasm, &mut pos)? as usize;
        let end = pos.checked_add(size).filter(|&e| e <= wasm.len()).ok_or("section runs past the end")?;
        let keep = if id == 0 {
            let mut p = pos;
            let name_len = read_leb_u32(wasm, &mut p)? as usize;
            let name = wasm.get(p..p + name_len).ok_or("bad custom section name")?;
            !drop.iter().any(|d| d.as_bytes() == name)
        } else {
            true
        };
        if keep {
            out.extend_from_slice(&wasm[start..end]);
        }
        pos = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(name: &str, payload: &[u8]) -> Vec<u8> {
        let mut body = vec![name.len() as u8];
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(payload);
        let mut s = vec![0, body.len() as u8];
        s.extend(body);
        s
    }

    #[test]
    fn named_custom_sections_are_dropped_and_others_kept() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 1, 0]); // type section, empty vector
        wasm.extend(custom("name", b"abc"));
        wasm.extend(custom("target_features", b"+x"));
        let out = strip_custom_sections(&wasm, &["name"]).unwrap();
        let mut expected = b"\0asm\x01\0\0\0".to_vec();
        expected.extend([1, 1, 0]);
        expected.extend(custom("target_features", b"+x"));
        assert_eq!(out, expected);
    }

    #[test]
    fn truncated_modules_are_rejected() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend([1, 9, 0]);
        assert!(strip_custom_sections(&wasm, &["name"]).is_err());
        assert!(strip_custom_sections(b"hello", &["name"]).is_err());
    }
}
