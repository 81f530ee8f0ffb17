//! The simulator's clock and date rendering.
//!
//! Sim time is milliseconds since the Unix epoch. Tests use a virtual clock that only moves when
//! [`crate::Sim::advance`] is called; the binary uses real time scaled by a factor, so a five-minute
//! Test & Enable can finish in seconds during a demo.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How the simulator's clock runs.
#[derive(Debug, Clone, PartialEq)]
pub enum ClockMode {
    /// Time stands still at `start_ms` (ms since the Unix epoch) until `Sim::advance` moves it.
    Virtual {
        /// Start time, in ms since the Unix epoch.
        start_ms: i64,
    },
    /// Real time since start-up multiplied by `factor` (1.0 = real time), starting at the wall clock.
    Real {
        /// Speed-up factor; 60.0 makes one real second count as one simulated minute.
        factor: f64,
    },
}

impl Default for ClockMode {
    fn default() -> Self {
        // 2026-11-20T09:00:00Z: a fixed start so rendered dates in tests never change.
        ClockMode::Virtual { start_ms: 1_795_165_200_000 }
    }
}

#[derive(Debug)]
pub(crate) struct Clock {
    mode: ClockMode,
    started: Instant,
    start_ms: i64,
    offset_ms: i64,
}

impl Clock {
    pub(crate) fn new(mode: ClockMode) -> Self {
        let start_ms = match &mode {
            ClockMode::Virtual { start_ms } => *start_ms,
            ClockMode::Real { .. } => {
                SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
            }
        };
        Clock { mode, started: Instant::now(), start_ms, offset_ms: 0 }
    }

    /// Now, in sim milliseconds.
    pub(crate) fn now_ms(&self) -> i64 {
        let run = match &self.mode {
            ClockMode::Virtual { .. } => 0,
            ClockMode::Real { factor } => (self.started.elapsed().as_secs_f64() * factor * 1000.0) as i64,
        };
        self.start_ms + run + self.offset_ms
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset_ms += by.as_millis() as i64;
    }

    /// Real time for a span of sim time (used for injected latency and execution cost).
    pub(crate) fn to_real(&self, sim: Duration) -> Duration {
        match &self.mode {
            ClockMode::Virtual { .. } => Duration::ZERO,
            ClockMode::Real { factor } if *factor > 0.0 => sim.div_f64(*factor),
            ClockMode::Real { .. } => sim,
        }
    }
}

/// (year, month, day) from days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 from a civil date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn split(ms: i64) -> (i64, u32, u32, i64, i64, i64) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = civil(days);
    (y, mo, d, rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// `2026-11-20T09:00:00Z`, the Web API's DateTime format.
pub(crate) fn iso(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = split(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `11/20/2026 9:00 AM`, the FormattedValue of a DateTime for an en-US user in UTC.
pub(crate) fn formatted(ms: i64) -> String {
    let (y, mo, d, h, mi, _) = split(ms);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo}/{d}/{y} {h12}:{mi:02} {ampm}")
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` (fractions and `+00:00` accepted) into sim ms.
pub(crate) fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let date = s.get(0..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let mo: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, mo, d) * 86_400_000;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(ms);
    }
    let rest = rest.strip_prefix('T')?;
    let h: i64 = rest.get(0..2)?.parse().ok()?;
    let mi: i64 = rest.get(3..5)?.parse().ok()?;
    let sec: i64 = rest.get(6..8).and_then(|x| x.parse().ok()).unwrap_or(0);
    ms += (h * 3600 + mi * 60 + sec) * 1000;
    Some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_render_the_way_the_web_api_writes_them() {
        let start = 1_795_165_200_000;
        assert_eq!(iso(start), "2026-11-20T09:00:00Z");
        assert_eq!(formatted(start), "11/20/2026 9:00 AM");
        assert_eq!(parse_iso("2026-11-20T09:00:00Z"), Some(start));
        assert_eq!(parse_iso("2026-11-20"), Some(start - 9 * 3_600_000));
    }
}
