//! Case-insensitive text matching without Unicode's full case tables.
//!
//! `str::to_lowercase` links ~15 KB (gzipped) of case-mapping tables into the wasm. Search boxes and
//! mailbox filters only need to match names as people type them, so [`fold`] lower-cases the scripts
//! names are written in here (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic) by arithmetic, and
//! leaves every other character as it is. For every character it changes, the result equals what
//! `char::to_lowercase` gives (checked against the standard library in the tests).

/// `c` in lower case when it is an upper-case letter of a covered script, else `c` itself.
pub fn fold_char(c: char) -> char {
    let u = u32::from(c);
    let lower = match u {
        // ASCII, Latin-1 (except ×), Greek capitals (except the reserved U+03A2), Cyrillic А–Я.
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE | 0x391..=0x3A1 | 0x3A3..=0x3AB | 0x410..=0x42F => u + 0x20,
        // Cyrillic Ѐ–Џ.
        0x400..=0x40F => u + 0x50,
        // Latin Extended-A: pairs with the capital on the even code point…
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 if u % 2 == 0 => u + 1,
        // …and on the odd one.
        0x139..=0x148 | 0x179..=0x17E if u % 2 == 1 => u + 1,
        0x178 => 0xFF,
        // Greek capitals with tonos.
        0x386 => 0x3AC,
        0x388..=0x38A => u + 0x25,
        0x38C => 0x3CC,
        0x38E..=0x38F => u + 0x3F,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// `s` with [`fold_char`] applied to every character: compare two folded strings to match
/// regardless of case.
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_the_covered_scripts_fold_to_lower_case() {
        assert_eq!(fold("ANN LEE <Ann.Lee@Contoso.COM>"), "ann lee <ann.lee@contoso.com>");
        assert_eq!(fold("ÉLODIE MÜLLER"), "élodie müller");
        assert_eq!(fold("ŁUKASZ ŻÓŁW ČAPEK ŇŮŽ"), "łukasz żółw čapek ňůž");
        assert_eq!(fold("ΣΩΚΡΆΤΗΣ"), "σωκράτησ", "no final-sigma rule: matching only");
        assert_eq!(fold("ИВАН ЁЖИКОВ"), "иван ёжиков");
        assert_eq!(fold("×ß 山田 🙂"), "×ß 山田 🙂");
    }

    #[test]
    fn every_character_folded_matches_the_standard_library_and_the_rest_are_left_alone() {
        let mut changed = 0;
        for c in (0..0x800u32).filter_map(char::from_u32) {
            let mine = fold_char(c);
            let mut std = c.to_lowercase();
            let single = match (std.next(), std.next()) {
                (Some(l), None) => Some(l),
                _ => None,
            };
            if mine != c {
                changed += 1;
                assert_eq!(Some(mine), single, "{c:?} U+{:04X}", u32::from(c));
            }
        }
        assert!(changed >= 190, "only {changed} characters folded");
    }

    #[test]
    fn the_common_capitals_of_the_covered_scripts_are_all_folded() {
        for range in [0x41..=0x5A, 0xC0..=0xDE, 0x100..=0x17F, 0x391..=0x3AB, 0x400..=0x42F] {
            for c in range.filter_map(char::from_u32) {
                let std: String = c.to_lowercase().collect();
                let simple = std.chars().count() == 1 && !std.starts_with(c);
                // Capitals whose lower case is a single other character must be folded (the dotted
                // İ and the reserved or symbol code points map to themselves or to two characters).
                if simple {
                    assert_eq!(fold_char(c).to_string(), std, "{c:?} U+{:04X}", u32::from(c));
                }
            }
        }
    }
}
