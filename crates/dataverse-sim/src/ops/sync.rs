//! Server-side synchronization cycles over (virtual) time (issue 17).
//!
//! Every [`CYCLE_MS`] each live mailbox (active, incoming enabled on server-side synchronization, and
//! synchronised or tested OK once) runs a cycle that fills the monitoring columns Microsoft's mailbox
//! reference documents (`lastsuccessfulsynccompletedon`, `processinglastattemptedon`,
//! `itemsprocessedforlastsync`, `itemsfailedforlastsync`, `averagetotalduration`, `lastsyncerror*`,
//! `transientfailurecount`, `postponemailboxprocessinguntil`). A scenario can make mailboxes drift:
//! healthy, then *delayed* (cycles stop), then *failing* (every cycle fails with an error: the error
//! streak rises, processing backs off, an alert is written and one `exchangesyncidmapping` row per
//! failed item), and after [`DISABLE_AFTER`] failed cycles the mailbox is disabled, as the service
//! does after repeated errors.
//!
//! Simplification (a `Quirks`-free choice, documented in the README): the monitoring writes do not bump
//! the row version, so a client's ETag stays valid across cycles. Whether the real service changes
//! `versionnumber` on these internal writes is not documented.

use crate::ids::Guid;
use crate::store::{Org, V};

/// Time between cycles of one mailbox in normal operation.
pub(crate) const CYCLE_MS: i64 = 5 * 60_000;
/// At most this many cycles are replayed after a long jump of the clock.
const MAX_CATCH_UP: i64 = 12;
/// Failed cycles in a row after which the mailbox is disabled.
pub(crate) const DISABLE_AFTER: i64 = 12;
/// Item failure rows are kept this long (the `ExchangeSyncIdMappingPersistenceTimeInDays` default).
const KEEP_ITEMS_MS: i64 = 3 * 86_400_000;

/// HRESULT 0x8005E272 as Dataverse stores it (signed).
pub(crate) const UNAUTHORIZED: i64 = 0x8005_E272_i64 - (1_i64 << 32);

/// Runs the cycles that are due.
pub(crate) fn tick(org: &mut Org, now: i64) {
    if now < org.next_cycle {
        return;
    }
    let mut at = org.next_cycle.max(now - (MAX_CATCH_UP - 1) * CYCLE_MS);
    while at <= now {
        cycle(org, at);
        at += CYCLE_MS;
    }
    org.next_cycle = at;
}

/// True for a mailbox that went live and is processed.
fn live(org: &Org, id: Guid) -> bool {
    let Some(m) = org.row("mailbox", id) else { return false };
    m.int("statecode") == 0
        && m.bool("enabledforincomingemail")
        && m.int("incomingemaildeliverymethod") == 2
        && (matches!(m.get("lastsuccessfulsynccompletedon"), V::Time(_)) || m.int("mailboxstatus") == 1)
}

fn set(org: &mut Org, id: Guid, fields: Vec<(&'static str, V)>) {
    if let Some(row) = org.rows_mut("mailbox").get_mut(&id) {
        for (k, v) in fields {
            row.fields.insert(k, v);
        }
    }
}

fn time(org: &Org, id: Guid, col: &str) -> Option<i64> {
    match org.row("mailbox", id)?.get(col) {
        V::Time(t) => Some(*t),
        _ => None,
    }
}

fn int(org: &Org, id: Guid, col: &str) -> i64 {
    org.row("mailbox", id).map_or(0, |m| m.int(col))
}

/// One cycle at `at` over every live mailbox.
fn cycle(org: &mut Org, at: i64) {
    let ids: Vec<Guid> = org.rows("mailbox").keys().copied().collect();
    for id in ids {
        if !live(org, id) || time(org, id, "postponemailboxprocessinguntil").is_some_and(|p| p > at) {
            continue;
        }
        match org.drift.get(&id).copied() {
            Some(d) if at >= d.failing_at => fail(org, id, at, d.code),
            Some(d) if at >= d.delayed_at => {}
            _ => succeed(org, id, at),
        }
    }
    let old: Vec<Guid> = org
        .rows("exchangesyncidmapping")
        .iter()
        .filter(|(_, r)| matches!(r.get("lastsyncerroroccurredon"), V::Time(t) if *t < at - KEEP_ITEMS_MS))
        .map(|(id, _)| *id)
        .collect();
    for id in old {
        org.rows_mut("exchangesyncidmapping").remove(&id);
    }
}

/// Writes the monitoring columns of a successful cycle.
pub(crate) fn succeed(org: &mut Org, id: Guid, at: i64) {
    let duration = 800 + org.rng.below(2_400) as i64;
    let average = match int(org, id, "averagetotalduration") {
        0 => duration,
        a => (a * 9 + duration) / 10,
    };
    let items = org.rng.below(20) as i64;
    let times = int(org, id, "processedtimes") + 1;
    set(
        org,
        id,
        vec![
            ("processingstatecode", V::Int(0)),
            ("lastsyncstartedon", V::Time(at - duration)),
            ("lastsuccessfulsynccompletedon", V::Time(at)),
            ("processinglastattemptedon", V::Time(at)),
            ("itemsprocessedforlastsync", V::Int(items)),
            ("itemsfailedforlastsync", V::Int(0)),
            ("lastduration", V::Int(duration)),
            ("averagetotalduration", V::Int(average)),
            ("processedtimes", V::Int(times)),
            ("lastsyncerrorcount", V::Int(0)),
            ("postponemailboxprocessinguntil", V::Time(at + CYCLE_MS)),
        ],
    );
}

/// Writes a failed cycle: the error streak rises, processing backs off, items fail, an alert.
fn fail(org: &mut Org, id: Guid, at: i64, code: i64) {
    let count = int(org, id, "lastsyncerrorcount") + 1;
    let transient = int(org, id, "transientfailurecount") + 1;
    let failed = 1 + org.rng.below(3) as i64;
    let text = format!(
        "Email cannot be received for the mailbox. Exchange returned 401 Unauthorized (code 0x{:X}).",
        code as u32
    );
    let backoff = CYCLE_MS << count.min(4);
    set(
        org,
        id,
        vec![
            ("processinglastattemptedon", V::Time(at)),
            ("lastsyncstartedon", V::Time(at - 500)),
            ("itemsprocessedforlastsync", V::Int(0)),
            ("itemsfailedforlastsync", V::Int(failed)),
            ("lastsyncerror", V::str(text.clone())),
            ("lastsyncerrorcode", V::Int(code)),
            ("lastsyncerrorcount", V::Int(count)),
            ("lastsyncerroroccurredon", V::Time(at)),
            ("lastsyncerrormachinename", V::str("sss-worker-07")),
            ("transientfailurecount", V::Int(transient)),
            ("postponemailboxprocessinguntil", V::Time(at + backoff)),
        ],
    );
    let owner = org
        .row("mailbox", id)
        .and_then(|m| {
            m.lookup("regardingobjectid").filter(|l| l.table == "systemuser").or_else(|| m.lookup("ownerid"))
        })
        .map(|l| l.id);
    if let (Some(owner), Some(def)) = (owner, crate::schema::by_logical("exchangesyncidmapping")) {
        for n in 0..failed {
            let row = org.rng.guid();
            let object = org.rng.guid();
            org.insert(
                def,
                row,
                vec![
                    ("exchangeentryid", V::str(format!("AAMkAG{}", object.0))),
                    ("objectid", V::Guid(object)),
                    ("objecttypecode", V::Int(4202)),
                    ("itemsubject", V::str(format!("Tracked email {}-{n}", count))),
                    ("lastsyncerror", V::str(text.clone())),
                    ("lastsyncerrorcode", V::Int(code)),
                    ("lastsyncerroroccurredon", V::Time(at)),
                    ("retries", V::Int(count)),
                    ("ownerid", V::lookup("systemuser", owner)),
                ],
                at,
            );
        }
    }
    crate::ops::test_enable::write_alert(org, id, 3, code, false, text, at);
    if count >= DISABLE_AFTER {
        org.update(
            "mailbox",
            id,
            vec![
                ("enabledforincomingemail", V::Bool(false)),
                ("enabledforoutgoingemail", V::Bool(false)),
                ("enabledforact", V::Bool(false)),
            ],
            at,
        );
    }
}
