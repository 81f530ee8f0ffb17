//! After go-live: are mailboxes still synchronising? (issue 17, checklist step 7.)
//!
//! Pure functions over what the collector read: the mailbox monitoring columns (read in the same
//! mailbox request, [`crate::wire::MAILBOX_MONITORING_COLUMNS`]), the item-level failures of the
//! `exchangesyncidmappings` table (the table behind Microsoft's Item Monitoring dashboard) and the
//! alerts. "Now" is always passed in.
//!
//! - [`classify`]: one mailbox → [`HealthState`] (normal, delayed, backing off, failing, disabled
//!   since it last passed), or `None` for a mailbox that never went live (step 5's business).
//! - [`failures_by_error`], [`failures_by_mailbox`]: item-level failures grouped, with Microsoft's
//!   explanation link where the alert decoder knows the error.
//! - [`sync_age_histogram`], [`alert_timeline`], [`top_failed_mailboxes`]: the numbers behind the
//!   health view's three plots, each with a CSV export.

use crate::model::{Alert, AlertLevel, Mailbox, MailboxKind, TestStatus, Timestamp};
use crate::readiness::rules::{AlertCause, decode_alert};
use crate::wire;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Default for the "delayed" threshold: no successful cycle for more than an hour.
pub const DEFAULT_DELAYED_AFTER_SECS: i64 = 60 * 60;

/// A mailbox whose processing is postponed further ahead than this is "backing off". Server-side
/// synchronization polls a mailbox every few minutes in normal operation, so a postponement of more
/// than 15 minutes is a back-off (inferred: Microsoft documents the column, not the poll interval).
pub const BACKOFF_AFTER_SECS: i64 = 15 * 60;

/// How many days the alert timeline covers.
pub const TIMELINE_DAYS: usize = 30;

/// How many mailboxes the "top failed items" plot shows.
pub const TOP_MAILBOXES: usize = 10;

/// The monitoring columns of one mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Monitoring {
    /// `mailboxid` (lower case).
    pub mailbox_id: String,
    /// `processingstatecode` (values undocumented; kept for the export).
    pub processing_state: Option<i32>,
    /// `postponemailboxprocessinguntil`.
    pub postponed_until: Option<Timestamp>,
    /// `lastsuccessfulsynccompletedon`.
    pub last_success: Option<Timestamp>,
    /// `processinglastattemptedon`.
    pub last_attempt: Option<Timestamp>,
    /// `itemsprocessedforlastsync`.
    pub items_processed: Option<i64>,
    /// `itemsfailedforlastsync`.
    pub items_failed: Option<i64>,
    /// `averagetotalduration`.
    pub average_duration: Option<i64>,
    /// `lastsyncerrorcode`.
    pub error_code: Option<i64>,
    /// `lastsyncerrorcount`: consecutive failed cycles.
    pub error_count: Option<i64>,
    /// `lastsyncerror`.
    pub error_text: Option<String>,
    /// `lastsyncerroroccurredon`.
    pub error_on: Option<Timestamp>,
    /// `transientfailurecount`.
    pub transient_failures: Option<i64>,
}

fn time(s: Option<String>) -> Option<Timestamp> {
    s.as_deref().and_then(Timestamp::parse_iso8601)
}

impl From<wire::MailboxMonitoring> for Monitoring {
    fn from(w: wire::MailboxMonitoring) -> Self {
        Self {
            mailbox_id: w.mailboxid.to_ascii_lowercase(),
            processing_state: w.processingstatecode,
            postponed_until: time(w.postponemailboxprocessinguntil),
            last_success: time(w.lastsuccessfulsynccompletedon),
            last_attempt: time(w.processinglastattemptedon),
            items_processed: w.itemsprocessedforlastsync,
            items_failed: w.itemsfailedforlastsync,
            average_duration: w.averagetotalduration,
            error_code: w.lastsyncerrorcode,
            error_count: w.lastsyncerrorcount,
            error_text: w.lastsyncerror,
            error_on: time(w.lastsyncerroroccurredon),
            transient_failures: w.transientfailurecount,
        }
    }
}

/// One item that failed to synchronise (an `exchangesyncidmappings` row with an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    /// The owning user (lower case); a user mailbox's `regarding`.
    pub owner: Option<String>,
    /// Error code.
    pub code: Option<i64>,
    /// Error text.
    pub error: String,
    /// When the error occurred.
    pub occurred_on: Option<Timestamp>,
    /// The item's subject (untrusted text).
    pub subject: Option<String>,
    /// Object type code of the Dynamics record.
    pub object_type: Option<i64>,
}

impl ItemFailure {
    /// The failure as an [`Alert`], so the alert decoder can name its cause.
    fn as_alert(&self) -> Alert {
        Alert {
            level: AlertLevel::Error,
            // Alerts are decoded by the HRESULT their text names (`decode_alert`), so the item's error
            // code goes into the text the way Dynamics writes it ("Email Server Error Code: 8005e272").
            text: match self.code {
                Some(code) => format!("{} Email Server Error Code: {code:x}", self.error),
                None => self.error.clone(),
            },
            code: self.code,
            created_on: self.occurred_on,
            modified_on: self.occurred_on,
            regarding: None,
        }
    }
}

impl From<wire::ExchangeSyncIdMapping> for ItemFailure {
    fn from(w: wire::ExchangeSyncIdMapping) -> Self {
        Self {
            owner: w.owner.map(|s| s.to_ascii_lowercase()),
            code: w.lastsyncerrorcode,
            error: w.lastsyncerror.unwrap_or_default(),
            occurred_on: time(w.lastsyncerroroccurredon),
            subject: w.itemsubject,
            object_type: w.objecttypecode,
        }
    }
}

/// True for a row that records a failure (a code other than 0, or an error text).
pub fn is_failure(w: &wire::ExchangeSyncIdMapping) -> bool {
    w.lastsyncerrorcode.is_some_and(|c| c != 0) || w.lastsyncerror.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// How a live mailbox is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthState {
    /// A successful cycle within the threshold and no error streak.
    Normal,
    /// No successful cycle for longer than the threshold (or never, after passing the test).
    Delayed,
    /// Processing postponed further ahead than [`BACKOFF_AFTER_SECS`].
    BackingOff,
    /// The last cycles failed: the continuous error count is above zero and the error is newer than
    /// the last success.
    Failing,
    /// It passed (synchronised or tested OK) and has since been disabled in some direction.
    DisabledSincePassed,
}

impl HealthState {
    /// Every state, in the order the view lists them.
    pub const ALL: [HealthState; 5] = [
        HealthState::Normal,
        HealthState::Delayed,
        HealthState::BackingOff,
        HealthState::Failing,
        HealthState::DisabledSincePassed,
    ];

    /// Stable key.
    pub fn key(self) -> &'static str {
        match self {
            HealthState::Normal => "normal",
            HealthState::Delayed => "delayed",
            HealthState::BackingOff => "backing-off",
            HealthState::Failing => "failing",
            HealthState::DisabledSincePassed => "disabled",
        }
    }

    /// Label for people, in English ([`HealthState::label_in`] for another language).
    pub fn label(self) -> &'static str {
        self.label_in(crate::i18n::Lang::english())
    }

    /// Label for people in `lang` (catalogue key `health.state.<key>`).
    pub fn label_in(self, lang: crate::i18n::Lang) -> &'static str {
        lang.t(match self {
            HealthState::Normal => "health.state.normal",
            HealthState::Delayed => "health.state.delayed",
            HealthState::BackingOff => "health.state.backing-off",
            HealthState::Failing => "health.state.failing",
            HealthState::DisabledSincePassed => "health.state.disabled",
        })
    }
}

/// True when the mailbox went live: it synchronised once, or its last Test & Enable succeeded.
fn went_live(m: &Mailbox, mon: &Monitoring) -> bool {
    mon.last_success.is_some() || m.mailbox_status == Some(TestStatus::Success)
}

/// True when every direction the mailbox synchronises is enabled (queues have no ACT).
fn fully_enabled(m: &Mailbox) -> bool {
    m.enabled_incoming && m.enabled_outgoing && (m.kind == MailboxKind::Queue || m.enabled_act)
}

/// Classifies one mailbox at `now`. `None` for a mailbox that is out of scope (inactive, forward) or
/// never went live. Checked in this order: disabled, failing, backing off, delayed, normal.
pub fn classify(m: &Mailbox, mon: &Monitoring, now: Timestamp, delayed_after_secs: i64) -> Option<HealthState> {
    if !m.is_in_scope() || !went_live(m, mon) {
        return None;
    }
    if !fully_enabled(m) {
        return Some(HealthState::DisabledSincePassed);
    }
    let streak = mon.error_count.unwrap_or(0) > 0;
    let error_after_success = match (mon.error_on, mon.last_success) {
        (Some(error), Some(success)) => error > success,
        (_, None) => true,
        (None, Some(_)) => false,
    };
    if streak && error_after_success {
        return Some(HealthState::Failing);
    }
    if mon.postponed_until.is_some_and(|until| until.secs_since(now) > BACKOFF_AFTER_SECS) {
        return Some(HealthState::BackingOff);
    }
    match mon.last_success.or(m.test_completed_on) {
        Some(since) if now.secs_since(since) <= delayed_after_secs => Some(HealthState::Normal),
        _ => Some(HealthState::Delayed),
    }
}

/// One live mailbox's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxHealth {
    /// Mailbox id.
    pub id: String,
    /// Mailbox name (untrusted text).
    pub name: String,
    /// Its state.
    pub state: HealthState,
    /// Seconds since the last successful cycle (`None`: never).
    pub since_success_secs: Option<i64>,
    /// Items failed in the last cycle.
    pub items_failed: i64,
}

/// Every live mailbox's health, in snapshot order. Monitoring rows are matched by mailbox id; a
/// mailbox without one is classified from its own columns only.
pub fn assess(
    mailboxes: &[Mailbox],
    monitoring: &[Monitoring],
    now: Timestamp,
    delayed_after_secs: i64,
) -> Vec<MailboxHealth> {
    let by_id: HashMap<&str, &Monitoring> = monitoring.iter().map(|m| (m.mailbox_id.as_str(), m)).collect();
    let empty = Monitoring::default();
    mailboxes
        .iter()
        .filter_map(|m| {
            let mon = by_id.get(m.id.as_str()).copied().unwrap_or(&empty);
            let state = classify(m, mon, now, delayed_after_secs)?;
            Some(MailboxHealth {
                id: m.id.clone(),
                name: m.name.clone(),
                state,
                since_success_secs: mon.last_success.map(|t| now.secs_since(t).max(0)),
                items_failed: mon.items_failed.unwrap_or(0).max(0),
            })
        })
        .collect()
}

/// How many mailboxes are in each state, in [`HealthState::ALL`] order.
pub fn state_counts(health: &[MailboxHealth]) -> [(HealthState, usize); 5] {
    HealthState::ALL.map(|s| (s, health.iter().filter(|h| h.state == s).count()))
}

/// Item failures sharing one error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorGroup {
    /// The error code, if the rows had one.
    pub code: Option<i64>,
    /// The first error text seen (untrusted text).
    pub error: String,
    /// How many items.
    pub items: usize,
    /// How many distinct owners (mailboxes).
    pub mailboxes: usize,
    /// The cause, when the alert decoder knows the error.
    pub cause: Option<AlertCause>,
    /// Microsoft's explanation, where one exists.
    pub doc_link: Option<String>,
}

/// A group under construction: first error text, items, distinct owners.
type Tally<'a> = (String, usize, Vec<&'a str>);

/// Item failures grouped by error (code, else text), most items first, ties by code/text.
pub fn failures_by_error(failures: &[ItemFailure]) -> Vec<ErrorGroup> {
    let mut groups: BTreeMap<(Option<i64>, String), Tally<'_>> = BTreeMap::new();
    for f in failures {
        let key = match f.code {
            Some(code) if code != 0 => (Some(code), String::new()),
            _ => (None, f.error.clone()),
        };
        let entry = groups.entry(key).or_insert_with(|| (f.error.clone(), 0, Vec::new()));
        entry.1 += 1;
        if let Some(owner) = f.owner.as_deref()
            && !entry.2.contains(&owner)
        {
            entry.2.push(owner);
        }
    }
    let mut out: Vec<ErrorGroup> = groups
        .into_iter()
        .map(|((code, _), (error, items, owners))| {
            let cause = decode_alert(
                &ItemFailure {
                    owner: None,
                    code,
                    error: error.clone(),
                    occurred_on: None,
                    subject: None,
                    object_type: None,
                }
                .as_alert(),
            );
            ErrorGroup { code, error, items, mailboxes: owners.len(), cause, doc_link: cause.map(AlertCause::doc_link) }
        })
        .collect();
    crate::order::sort_by_key(&mut out, |g| std::cmp::Reverse(g.items));
    out
}

/// Item failures of one mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxFailures {
    /// The mailbox id, when an owner maps to a mailbox (else the owner id).
    pub id: String,
    /// Mailbox name (or the owner id when no mailbox matches).
    pub name: String,
    /// Failed items.
    pub items: usize,
}

/// Item failures grouped by mailbox (the owner's mailbox), most items first, ties by name.
pub fn failures_by_mailbox(failures: &[ItemFailure], mailboxes: &[Mailbox]) -> Vec<MailboxFailures> {
    let by_owner: HashMap<&str, &Mailbox> =
        mailboxes.iter().filter_map(|m| m.regarding.as_deref().map(|r| (r, m))).collect();
    let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for f in failures {
        let owner = f.owner.clone().unwrap_or_default();
        let (id, name) = match by_owner.get(owner.as_str()) {
            Some(m) => (m.id.clone(), m.name.clone()),
            None => (owner.clone(), owner),
        };
        counts.entry(id).or_insert_with(|| (name, 0)).1 += 1;
    }
    let mut out: Vec<MailboxFailures> =
        counts.into_iter().map(|(id, (name, items))| MailboxFailures { id, name, items }).collect();
    crate::order::sort_by(&mut out, |a, b| b.items.cmp(&a.items).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The "top mailboxes by failed items" plot: the first [`TOP_MAILBOXES`] of [`failures_by_mailbox`].
pub fn top_failed_mailboxes(failures: &[ItemFailure], mailboxes: &[Mailbox]) -> Vec<MailboxFailures> {
    let mut all = failures_by_mailbox(failures, mailboxes);
    all.truncate(TOP_MAILBOXES);
    all
}

/// One bar of the "time since last successful synchronisation" histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    /// Label, e.g. "15–60 min".
    pub label: &'static str,
    /// Lower bound in seconds (inclusive); `None` for "never".
    pub from_secs: Option<i64>,
    /// Upper bound in seconds (exclusive); `None` for the open last bucket and "never".
    pub to_secs: Option<i64>,
    /// Mailboxes in it.
    pub mailboxes: usize,
}

/// The fixed histogram buckets: lower bounds in seconds and labels; the last is open-ended.
pub const AGE_BUCKETS: [(i64, &str); 6] = [
    (0, "< 15 min"),
    (15 * 60, "15–60 min"),
    (3600, "1–4 h"),
    (4 * 3600, "4–24 h"),
    (86_400, "1–7 days"),
    (7 * 86_400, "> 7 days"),
];

/// Histogram of time since the last successful cycle over live mailboxes, with a last "never" bar.
pub fn sync_age_histogram(health: &[MailboxHealth]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = AGE_BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (from, label))| Bucket {
            label,
            from_secs: Some(*from),
            to_secs: AGE_BUCKETS.get(i + 1).map(|(to, _)| *to),
            mailboxes: 0,
        })
        .collect();
    let mut never = 0;
    for h in health {
        match h.since_success_secs {
            Some(age) => {
                let i = AGE_BUCKETS.iter().rposition(|(from, _)| age >= *from).unwrap_or(0);
                if let Some(b) = out.get_mut(i) {
                    b.mailboxes += 1;
                }
            }
            None => never += 1,
        }
    }
    out.push(Bucket { label: "never", from_secs: None, to_secs: None, mailboxes: never });
    out
}

/// Alerts per day for the last [`TIMELINE_DAYS`] days, by cause.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertTimeline {
    /// Start of each day (UTC midnight), oldest first; [`TIMELINE_DAYS`] entries.
    pub days: Vec<Timestamp>,
    /// Cause keys (an [`AlertCause::key`] or `other`), in first-seen order of [`AlertCause::ALL`].
    pub causes: Vec<String>,
    /// `counts[day][cause]`.
    pub counts: Vec<Vec<usize>>,
}

impl AlertTimeline {
    /// Alerts on day `day`, all causes.
    pub fn day_total(&self, day: usize) -> usize {
        self.counts.get(day).map_or(0, |c| c.iter().sum())
    }
}

/// Counts warning and error alerts per UTC day (by when they were last repeated, else first logged)
/// for the [`TIMELINE_DAYS`] days ending with `now`'s day, by decoded cause.
pub fn alert_timeline(alerts: &[Alert], now: Timestamp) -> AlertTimeline {
    let today = now.0.div_euclid(86_400);
    let first = today - (TIMELINE_DAYS as i64 - 1);
    let days: Vec<Timestamp> = (first..=today).map(|d| Timestamp(d * 86_400)).collect();
    let key = |a: &Alert| decode_alert(a).map_or("other", AlertCause::key);
    let mut seen: Vec<&str> = Vec::new();
    let mut hits: Vec<(usize, &str)> = Vec::new();
    for a in alerts.iter().filter(|a| a.level != AlertLevel::Information) {
        let Some(at) = a.modified_on.or(a.created_on) else { continue };
        let day = at.0.div_euclid(86_400);
        if day < first || day > today {
            continue;
        }
        let k = key(a);
        if !seen.contains(&k) {
            seen.push(k);
        }
        hits.push(((day - first) as usize, k));
    }
    let order = |k: &str| AlertCause::ALL.iter().position(|c| c.key() == k).unwrap_or(usize::MAX);
    crate::order::sort_by_key(&mut seen, |k| order(k));
    let mut counts = vec![vec![0; seen.len()]; TIMELINE_DAYS];
    for (day, k) in hits {
        if let (Some(row), Some(col)) = (counts.get_mut(day), seen.iter().position(|s| *s == k))
            && let Some(cell) = row.get_mut(col)
        {
            *cell += 1;
        }
    }
    AlertTimeline { days, causes: seen.into_iter().map(str::to_owned).collect(), counts }
}

/// ISO date of a day start (`2026-11-20`).
pub fn iso_date(day: Timestamp) -> String {
    let (y, m, d) = crate::model::civil_from_days(day.0.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

fn csv(rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| crate::bulk::evidence::csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// CSV behind the histogram: `bucket,from_secs,to_secs,mailboxes`.
pub fn histogram_csv(buckets: &[Bucket]) -> String {
    let head = vec!["bucket".into(), "from_secs".into(), "to_secs".into(), "mailboxes".into()];
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    csv(std::iter::once(head).chain(
        buckets.iter().map(|b| vec![b.label.to_owned(), opt(b.from_secs), opt(b.to_secs), b.mailboxes.to_string()]),
    ))
}

/// CSV behind the timeline: `day,cause,alerts`, one row per day and cause (zeros included).
pub fn timeline_csv(t: &AlertTimeline) -> String {
    let head = vec!["day".into(), "cause".into(), "alerts".into()];
    let rows = t.days.iter().enumerate().flat_map(|(d, day)| {
        t.causes.iter().enumerate().map(move |(c, cause)| {
            let n = t.counts.get(d).and_then(|r| r.get(c)).copied().unwrap_or(0);
            vec![iso_date(*day), cause.clone(), n.to_string()]
        })
    });
    csv(std::iter::once(head).chain(rows))
}

/// CSV behind the top-mailboxes plot: `mailbox_id,name,failed_items`.
pub fn top_failed_csv(top: &[MailboxFailures]) -> String {
    let head = vec!["mailbox_id".into(), "name".into(), "failed_items".into()];
    csv(std::iter::once(head).chain(top.iter().map(|m| vec![m.id.clone(), m.name.clone(), m.items.to_string()])))
}

#[cfg(test)]
mod tests;
