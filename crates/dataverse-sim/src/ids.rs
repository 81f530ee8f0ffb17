//! Deterministic randomness: a tiny splitmix64 generator and GUIDs made from it.
//!
//! The simulator must produce the same org for the same seed on every run, so nothing here reads the
//! system clock or the OS random source.

use std::fmt;

/// splitmix64 (Steele, Lea, Flood 2014): small, fast and good enough for test data.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0; returns 0 for `n` == 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `percent` / 100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A version-4-shaped GUID.
    pub(crate) fn guid(&mut self) -> Guid {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let mut v = (u128::from(hi) << 64) | u128::from(lo);
        // Version 4 and the RFC 4122 variant, so the ids look like the ones Dataverse hands out.
        v = (v & !(0xF_u128 << 76)) | (0x4_u128 << 76);
        v = (v & !(0x3_u128 << 62)) | (0x2_u128 << 62);
        Guid(v)
    }

    /// 32 hex characters, for opaque tokens.
    pub(crate) fn token(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }
}

/// A GUID, rendered lower-case and hyphenated as the Web API does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Guid(pub(crate) u128);

impl Guid {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, with or without braces, any case.
    pub(crate) fn parse(s: &str) -> Option<Guid> {
        let s = s.trim();
        let s = s.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(s);
        if s.len() != 36 {
            return None;
        }
        let mut v: u128 = 0;
        for (i, c) in s.chars().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if c != '-' {
                    return None;
                }
                continue;
            }
            v = (v << 4) | u128::from(c.to_digit(16)?);
        }
        Some(Guid(v))
    }

    /// A GUID written as a literal (for well-known ids such as role templates).
    pub(crate) fn from_literal(s: &str) -> Guid {
        Guid::parse(s).unwrap_or(Guid(0))
    }

    /// Upper-case with braces, the form paging cookies use.
    pub(crate) fn braced_upper(self) -> String {
        format!("{{{}}}", self.to_string().to_uppercase())
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            (v & 0xFFFF_FFFF_FFFF) as u64
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_guids() {
        let a: Vec<String> = (0..3).map(|_| Rng::new(7).guid().to_string()).collect();
        assert_eq!(a[0], a[1]);
        let g = Rng::new(7).guid();
        assert_eq!(Guid::parse(&g.to_string()), Some(g));
        assert_eq!(Guid::parse(&g.braced_upper()), Some(g));
        assert_eq!(&g.to_string()[14..15], "4");
    }
}
