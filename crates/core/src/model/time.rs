//! Points in time as Unix seconds, parsed from the Web API's ISO 8601 strings.
//!
//! The core never reads a clock: "now" is always passed in as a [`Timestamp`].

use serde::{Deserialize, Serialize};

/// Seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Unix seconds.
    pub fn unix_secs(self) -> i64 {
        self.0
    }

    /// Seconds from `earlier` to `self` (negative if `earlier` is later).
    pub fn secs_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// Parses what Dataverse sends: `2024-05-01T10:00:00Z`, with optional fractional seconds and a
    /// `Z` or `±hh:mm` offset, or a bare date `2024-05-01` (midnight UTC). `None` for anything else.
    pub fn parse_iso8601(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let bytes = s.as_bytes();
        if bytes.len() < 10 || !s.is_char_boundary(10) {
            return None;
        }
        let (date, rest) = s.split_at(10);
        let mut parts = date.split('-');
        let year: i64 = digits(parts.next()?, 4)?;
        let month: i64 = digits(parts.next()?, 2)?;
        let day: i64 = digits(parts.next()?, 2)?;
        if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        if rest.is_empty() {
            return Some(Timestamp(days * 86_400));
        }
        let rest = rest.strip_prefix(['T', 't', ' '])?;
        if rest.len() < 8 || !rest.is_char_boundary(8) {
            return None;
        }
        let (clock, mut tail) = rest.split_at(8);
        let mut hms = clock.split(':');
        let hour: i64 = digits(hms.next()?, 2)?;
        let minute: i64 = digits(hms.next()?, 2)?;
        let second: i64 = digits(hms.next()?, 2)?;
        if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        if let Some(frac) = tail.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            tail = &frac[n..];
        }
        let offset = match tail {
            "" | "Z" | "z" => 0,
            _ => {
                let sign = match tail.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return None,
                };
                let (h, m) = tail.get(1..)?.split_once(':')?;
                let (h, m): (i64, i64) = (digits(h, 2)?, digits(m, 2)?);
                if h > 23 || m > 59 {
                    return None;
                }
                sign * (h * 3600 + m * 60)
            }
        };
        Some(Timestamp(days * 86_400 + hour * 3600 + minute * 60 + second - offset))
    }
}

fn digits(s: &str, len: usize) -> Option<i64> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// (year, month, day) from days since 1970-01-01 (Howard Hinnant's `civil_from_days`): the inverse of
/// [`days_from_civil`], shared by every place that writes a date (exports, the health timeline).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
