//! The two text encodings the core writes by hand: base64url (RFC 4648 §5) and percent-encoding
//! (RFC 3986). One module, so OAuth and OData share one encoder each instead of keeping their own.
//!
//! (The simulator keeps independent encoders on purpose: it is an oracle and shares no code with the
//! core.)

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url with or without padding (also accepts `+` and `/`); `None` on any other
/// character.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// Percent-encodes everything but RFC 3986 unreserved characters (so `+`, `/`, `:` and spaces are
/// safe in both query strings and form bodies).
pub fn percent_encode(text: &str) -> String {
    percent_encode_keeping(text, b"")
}

/// Percent-encodes everything but RFC 3986 unreserved characters and the bytes in `keep` (an OData
/// query keeps `'`, `(`, `)`, `,`, `/`, `:` and `$` readable). A space is always `%20`, never `+`.
pub fn percent_encode_keeping(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a query or form value (`+` is a space; malformed escapes are kept as they are).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length_without_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(200)).collect();
            assert_eq!(base64url_decode(&base64url(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64url_decode("Zm8="), Some(b"fo".to_vec()));
        assert_eq!(base64url_decode("Zm8*"), None);
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters_and_decoding_reverses_it() {
        let text = "https://x.crm.dynamics.com/user_impersonation a+b/c?d=e&f~é%";
        assert_eq!(
            percent_encode(text),
            "https%3A%2F%2Fx.crm.dynamics.com%2Fuser_impersonation%20a%2Bb%2Fc%3Fd%3De%26f~%C3%A9%25"
        );
        assert_eq!(percent_decode(&percent_encode(text)), text);
        assert_eq!(percent_decode("a+b%20c%zz%4"), "a b c%zz%4");
    }

    #[test]
    fn the_kept_bytes_stay_readable_and_everything_else_is_still_encoded() {
        let text = "name eq 'O''Brien' and (a/b:c,$x) & é+";
        assert_eq!(
            percent_encode_keeping(text, b"'(),/:$"),
            "name%20eq%20'O''Brien'%20and%20(a/b:c,$x)%20%26%20%C3%A9%2B"
        );
        assert_eq!(percent_decode(&percent_encode_keeping(text, b"'(),/:$")), text);
    }
}
