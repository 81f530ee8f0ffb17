//! Message catalogues: every text SyncReady shows comes from `locales/messages/<tag>/`, so a translation
//! is a file, not a code change.
//!
//! A catalogue is a flat JSON object, message key → text, with named `{placeholders}`. `build.rs`
//! embeds every folder in `crates/core/locales/messages/` as static tables: one sorted key list shared by all
//! languages and, per language, the parallel list of its texts (no JSON is parsed at run time, and
//! adding a language is adding a file). [`Lang`] is a handle on one catalogue, chosen from
//! the browser's UI language with [`Lang::from_tag`]; a key the language lacks falls back to English
//! ([`Lang::text`]), so a partial translation still shows whole sentences.
//!
//! Plurals: a counted message has two keys, `<key>.one` (used for exactly 1) and `<key>.other`
//! ([`Lang::plural`], the count is the `{n}` placeholder). English and German need no more; a language
//! with more forms would get its rule in [`Lang::plural`]. Keys are dotted and grouped by where
//! they are shown (`step.*`, `alert.*`, `ui.*`); `tests.rs` checks that every catalogue has exactly
//! English's keys with the same placeholders, and that every key the code names exists.
//!
//! ```
//! use syncready_core::{i18n::Lang, tr, trn};
//! let de = Lang::from_tag("de-AT");
//! assert_eq!(de.tag(), "de");
//! assert_eq!(trn!(de, "count.mailboxes", 3), "3 Postfächer");
//! assert_eq!(tr!(de, "count.of", value = 2, of = 3, label = "Postfächer"), "2 von 3 Postfächer");
//! assert_eq!(Lang::english().plural("count.mailboxes", 1, &[]), "1 mailbox");
//! ```

use std::fmt::{self, Display, Write as _};

/// A list of strings stored as one string and the end offset of each entry (what `build.rs`
/// writes: 4 bytes an entry in the wasm instead of a pointer and a length).
#[derive(Debug)]
struct Packed {
    text: &'static str,
    ends: &'static [u32],
}

impl Packed {
    /// Entry `i`.
    fn get(&self, i: usize) -> Option<&'static str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(before) => *self.ends.get(before)? as usize,
            None => 0,
        };
        self.text.get(start..end)
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// One language's messages: its text of each key of the shared, sorted `KEYS` (same index), empty
/// where it has none (`build.rs` refuses an empty text). The keys are stored once for all languages.
#[derive(Debug)]
pub struct Catalogue {
    tag: &'static str,
    texts: Packed,
}

impl Catalogue {
    fn at(&self, index: usize) -> Option<&'static str> {
        self.texts.get(index).filter(|t| !t.is_empty())
    }
}

/// `key`'s index in `KEYS` (binary search: the keys are sorted).
fn index(key: &str) -> Option<usize> {
    let (mut low, mut high) = (0, KEYS.len());
    while low < high {
        let mid = low + (high - low) / 2;
        match KEYS.get(mid)?.cmp(key) {
            std::cmp::Ordering::Less => low = mid + 1,
            std::cmp::Ordering::Greater => high = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// One language's alert phrases: (cause key, phrases).
pub type PhraseTable = &'static [(&'static str, &'static [&'static str])];

include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));

/// The language texts are shown in: a handle on one embedded catalogue (copy it freely).
#[derive(Clone, Copy)]
pub struct Lang(&'static Catalogue);

impl Default for Lang {
    /// English.
    fn default() -> Self {
        Lang(ENGLISH)
    }
}

impl PartialEq for Lang {
    fn eq(&self, other: &Self) -> bool {
        self.0.tag == other.0.tag
    }
}

impl Eq for Lang {}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({})", self.0.tag)
    }
}

/// An argument of a message: its placeholder name and value.
pub type Arg<'a> = (&'a str, &'a dyn Display);

impl Lang {
    /// English, the fallback of every key.
    pub fn english() -> Lang {
        Lang::default()
    }

    /// The best catalogue for a BCP 47 tag as the browser reports it (`navigator.language`,
    /// `chrome.i18n.getUILanguage()`): the exact tag (`pt-BR`), else its language (`de-AT` → `de`),
    /// else English. Compared without regard to ASCII case; `_` counts as `-`.
    pub fn from_tag(tag: &str) -> Lang {
        let same = |a: &str, b: &str| {
            a.len() == b.len()
                && a.bytes().zip(b.bytes()).all(|(x, y)| {
                    let norm = |c: u8| if c == b'_' { b'-' } else { c.to_ascii_lowercase() };
                    norm(x) == norm(y)
                })
        };
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        CATALOGUES
            .iter()
            .find(|c| same(c.tag, tag))
            .or_else(|| CATALOGUES.iter().find(|c| same(c.tag, primary)))
            .map_or_else(Lang::default, |c| Lang(c))
    }

    /// The first of `tags` (the browser's preferred languages, best first) that has a catalogue of
    /// its own, else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter().map(Lang::from_tag).find(|l| l.0.tag != ENGLISH.tag).unwrap_or_default()
    }

    /// Every embedded language, ordered by tag.
    pub fn all() -> impl Iterator<Item = Lang> {
        CATALOGUES.iter().map(|c| Lang(c))
    }

    /// The catalogue's tag (`en`, `de`): the file name, and what `<html lang>` should say.
    pub fn tag(self) -> &'static str {
        self.0.tag
    }

    /// Every key of this catalogue, sorted (for the completeness tests).
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        (0..KEYS.len()).filter(move |&i| self.0.at(i).is_some()).filter_map(|i| KEYS.get(i))
    }

    /// The text of `key` in this language without filling placeholders: this catalogue's, else
    /// English's, else the key itself (a missing key shows up in the UI instead of vanishing; the
    /// tests keep it from happening).
    pub fn t(self, key: &str) -> &str {
        index(key).and_then(|i| self.0.at(i).or_else(|| ENGLISH.at(i))).unwrap_or(key)
    }

    /// This catalogue's own text for `key`, without the English fallback.
    pub fn own(self, key: &str) -> Option<&'static str> {
        index(key).and_then(|i| self.0.at(i))
    }

    /// `key`'s text with its `{placeholders}` filled from `args`. A placeholder without an argument
    /// stays as written. [`crate::tr!`] writes the argument list.
    pub fn text(self, key: &str, args: &[Arg<'_>]) -> String {
        fill(self.t(key), args)
    }

    /// The form of `key` for the count `n` (`<key>.one` for 1, else `<key>.other`), with `{n}` and
    /// `args` filled.
    pub fn plural(self, key: &str, n: usize, args: &[Arg<'_>]) -> String {
        let form = if n == 1 { "one" } else { "other" };
        let mut all: Vec<Arg<'_>> = Vec::with_capacity(args.len() + 1);
        all.push(("n", &n));
        all.extend_from_slice(args);
        fill(self.t(&format!("{key}.{form}")), &all)
    }
}

/// The phrases that identify the alert cause `cause_key` (`AlertCause::key`) in alert texts, in
/// every language that has a `locales/alert-phrases/<tag>.json`, as written there (folded).
pub fn alert_phrases(cause_key: &str) -> impl Iterator<Item = &'static str> + '_ {
    ALERT_PHRASES
        .iter()
        .flat_map(move |(_, causes)| causes.iter().filter(move |(k, _)| *k == cause_key).flat_map(|(_, p)| p.iter()))
        .copied()
}

/// The languages with alert phrases (for the tests).
pub fn alert_phrase_languages()
-> impl Iterator<Item = (&'static str, &'static [(&'static str, &'static [&'static str])])> {
    ALERT_PHRASES.iter().copied()
}

/// Replaces each `{name}` in `template` with its argument.
pub fn fill(template: &str, args: &[Arg<'_>]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        match after.find('}') {
            Some(close) => {
                let name = after.get(..close).unwrap_or_default();
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => {
                        let _ = write!(out, "{value}");
                    }
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                out.push_str(rest.get(open..).unwrap_or_default());
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names of `template`, in order of appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('}') else { break };
        names.push(after.get(..close).unwrap_or_default());
        rest = after.get(close + 1..).unwrap_or_default();
    }
    names
}

/// A message in `lang` with named arguments: `tr!(lang, "key", name = value, …)` is
/// `lang.text("key", &[("name", &value), …])`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:expr $(, $name:ident = $value:expr)* $(,)?) => {
        $lang.text($key, &[$((stringify!($name), &$value as &dyn ::core::fmt::Display)),*])
    };
}

/// A counted message: `trn!(lang, "key", n, name = value, …)` is `lang.plural("key", n, …)`.
#[macro_export]
macro_rules! trn {
    ($lang:expr, $key:expr, $n:expr $(, $name:ident = $value:expr)* $(,)?) => {
        $lang.plural($key, $n, &[$((stringify!($name), &$value as &dyn ::core::fmt::Display)),*])
    };
}

#[cfg(test)]
mod tests;
