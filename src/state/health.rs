//! View state of the health view (issue 17): the numbers behind its three plots as integer SVG
//! geometry (no floats in the wasm), from the core's `health` functions. Host-tested in `tests/it`.

use syncready_core::collect::Snapshot;
use syncready_core::health::{
    self, AlertTimeline, Bucket, DEFAULT_DELAYED_AFTER_SECS, ErrorGroup, HealthState, MailboxFailures,
};
use syncready_core::model::Timestamp;

/// The "delayed after" choices the admin can pick: seconds and label.
pub const THRESHOLDS: [(i64, &str); 6] = [
    (15 * 60, "15 minutes"),
    (30 * 60, "30 minutes"),
    (DEFAULT_DELAYED_AFTER_SECS, "1 hour"),
    (2 * 3600, "2 hours"),
    (4 * 3600, "4 hours"),
    (24 * 3600, "24 hours"),
];

/// Width of every plot's viewBox; the SVG scales to the panel (320–500 px).
pub const PLOT_WIDTH: u32 = 300;
/// Height of the bar area of the histogram and the timeline.
pub const PLOT_HEIGHT: u32 = 100;

/// Everything the health view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthModel {
    /// The threshold in use.
    pub threshold_secs: i64,
    /// Live mailboxes.
    pub live: usize,
    /// Mailboxes per state.
    pub states: Vec<(HealthState, usize)>,
    /// Histogram of time since the last successful cycle.
    pub histogram: Vec<Bucket>,
    /// Alerts per day for the last 30 days, by cause.
    pub timeline: AlertTimeline,
    /// Top mailboxes by failed items.
    pub top: Vec<MailboxFailures>,
    /// Item failures by error.
    pub errors: Vec<ErrorGroup>,
}

/// The model at `now` with the admin's threshold; `None` when the monitoring columns were not read.
pub fn model(snapshot: &Snapshot, now: Timestamp, threshold_secs: i64) -> Option<HealthModel> {
    let mailboxes = snapshot.mailboxes.as_deref()?;
    let monitoring = snapshot.monitoring.as_deref()?;
    let all = health::assess(mailboxes, monitoring, now, threshold_secs);
    let failures = snapshot.item_failures.as_deref().unwrap_or_default();
    let alerts = snapshot.alerts.as_ref().map(|a| a.alerts.as_slice()).unwrap_or_default();
    Some(HealthModel {
        threshold_secs,
        live: all.len(),
        states: health::state_counts(&all).to_vec(),
        histogram: health::sync_age_histogram(&all),
        timeline: health::alert_timeline(alerts, now),
        top: health::top_failed_mailboxes(failures, mailboxes),
        errors: health::failures_by_error(failures),
    })
}

/// A rectangle in viewBox units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// Bar height for `value` of `max` in `height` units; a non-zero value is at least one unit tall.
fn scale(value: usize, max: usize, height: u32) -> u32 {
    if value == 0 || max == 0 {
        return 0;
    }
    let h = (value as u64 * u64::from(height)) / max as u64;
    u32::try_from(h).unwrap_or(height).clamp(1, height)
}

/// Vertical bars for `values` side by side across [`PLOT_WIDTH`], bottoms on [`PLOT_HEIGHT`].
pub fn columns(values: &[usize]) -> Vec<Rect> {
    let n = u32::try_from(values.len()).unwrap_or(u32::MAX).max(1);
    let slot = PLOT_WIDTH / n;
    let gap = (slot / 5).max(1);
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = scale(*v, max, PLOT_HEIGHT);
            let i = u32::try_from(i).unwrap_or(0);
            Rect { x: i * slot + gap / 2, y: PLOT_HEIGHT - h, w: slot.saturating_sub(gap).max(1), h }
        })
        .collect()
}

/// The timeline as stacked columns: per day, one rectangle per cause with alerts (cause index, rect).
pub fn stacks(t: &AlertTimeline) -> Vec<Vec<(usize, Rect)>> {
    let totals: Vec<usize> = (0..t.days.len()).map(|d| t.day_total(d)).collect();
    let frames = columns(&totals);
    let max = totals.iter().copied().max().unwrap_or(0);
    frames
        .iter()
        .enumerate()
        .map(|(d, frame)| {
            let mut top = PLOT_HEIGHT;
            let mut out = Vec::new();
            for (c, n) in t.counts.get(d).map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
                let h = scale(*n, max, PLOT_HEIGHT).min(top);
                if h > 0 {
                    top -= h;
                    out.push((c, Rect { x: frame.x, y: top, w: frame.w, h }));
                }
            }
            out
        })
        .collect()
}

/// Left edge of the bars in the top-mailboxes plot (names to its left).
pub const TOP_BAR_X: u32 = 130;
/// Widest bar of the top-mailboxes plot.
pub const TOP_BAR_MAX: u32 = 140;
/// Height of one row of the top-mailboxes plot.
pub const TOP_ROW: u32 = 18;

/// Horizontal bars for the top mailboxes, one row each.
pub fn top_bars(top: &[MailboxFailures]) -> Vec<Rect> {
    let max = top.iter().map(|m| m.items).max().unwrap_or(0);
    top.iter()
        .enumerate()
        .map(|(i, m)| Rect {
            x: TOP_BAR_X,
            y: u32::try_from(i).unwrap_or(0) * TOP_ROW + 3,
            w: scale(m.items, max, TOP_BAR_MAX),
            h: TOP_ROW - 6,
        })
        .collect()
}

/// A name cut to fit the left column of the top-mailboxes plot (by characters, never mid-character).
pub fn short_name(name: &str) -> String {
    const MAX: usize = 22;
    if name.chars().count() <= MAX {
        name.to_owned()
    } else {
        format!("{}…", name.chars().take(MAX - 1).collect::<String>())
    }
}
