//! Evidence of a run: before and after of every touched field, exportable as CSV and JSON.

use super::action::{Entity, Field};
use super::plan::Plan;
use super::progress::{ItemState, Progress};
use crate::model::MailboxKind;
use serde::Serialize;
use serde_json::Value;

/// One field of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRow {
    /// Table.
    pub entity: Entity,
    /// Record id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Mailbox kind, for mailboxes.
    pub kind: Option<MailboxKind>,
    /// The field.
    pub field: Field,
    /// Value before the run (from the snapshot).
    pub before: Value,
    /// Value written.
    pub after: Value,
    /// Value read back, if it was.
    pub observed: Option<Value>,
    /// The record's final state.
    pub state: ItemState,
    /// Whether the record's write is known to have applied.
    pub applied: bool,
    /// HTTP status of a failure.
    pub status: Option<u16>,
    /// Dataverse error code of a failure.
    pub code: Option<String>,
    /// Failure or skip reason.
    pub message: Option<String>,
}

/// What a run did, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Evidence {
    /// The action's key (`approve`, …).
    pub action: String,
    /// One row per planned field write.
    pub rows: Vec<EvidenceRow>,
    /// The org the run wrote to (its plan's org), so Undo goes to the same org.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<crate::model::OrgUrl>,
}

impl Evidence {
    /// The evidence of running `plan` as far as `progress` got: every planned field with its before,
    /// after and read-back value.
    pub fn of(plan: &Plan, progress: &Progress) -> Evidence {
        let mut rows = Vec::new();
        for (item, outcome) in plan.items.iter().zip(&progress.items) {
            for change in &item.changes {
                let observed = outcome.observed.iter().find(|(f, _)| *f == change.field).map(|(_, v)| v.clone());
                rows.push(EvidenceRow {
                    entity: item.entity,
                    id: item.id.clone(),
                    name: item.name.clone(),
                    kind: item.kind.clone(),
                    field: change.field,
                    before: change.before.clone(),
                    after: change.after.clone(),
                    observed,
                    state: outcome.state,
                    applied: outcome.applied,
                    status: outcome.status,
                    code: outcome.code.clone(),
                    message: outcome.message.as_ref().map(ToString::to_string),
                });
            }
        }
        Evidence { action: plan.action.key().to_owned(), rows, org: plan.org.clone() }
    }
}

/// A CSV cell: always quoted (RFC 4180), and text that a spreadsheet would take for a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading single quote, at the
/// start of the cell and after every `,`, `;`, tab or line break inside it.
///
/// Every cell is quoted, not only those with a comma: Excel with a semicolon list separator splits
/// an unquoted line at each `;`, so a name like `x;=HYPERLINK(…)` would start a second cell with
/// `=` (issue 12, item 5). A spreadsheet that reads the file with another separator than the comma
/// may still ignore the quotes in mid-line and split inside a cell, which is why each piece a split
/// could start is defused too.
pub(crate) fn csv_cell(raw: &str) -> String {
    let mut cell = String::with_capacity(raw.len() + 3);
    cell.push('"');
    let mut piece_starts = true;
    for c in raw.chars() {
        if piece_starts && matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r') {
            cell.push('\'');
        }
        if c == '"' {
            cell.push('"');
        }
        cell.push(c);
        piece_starts = matches!(c, ',' | ';' | '\t' | '\r' | '\n');
    }
    cell.push('"');
    cell
}

/// The header row's columns.
const CSV_COLUMNS: [&str; 15] = [
    "action",
    "table",
    "record_id",
    "name",
    "column",
    "before",
    "after",
    "read_back",
    "before_label",
    "after_label",
    "state",
    "applied",
    "status",
    "code",
    "message",
];

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Evidence {
    /// RFC 4180 CSV (CRLF line ends, every cell quoted), one row per field, formula-injection safe.
    pub fn to_csv(&self) -> String {
        let header: Vec<String> = CSV_COLUMNS.iter().map(|c| csv_cell(c)).collect();
        let mut out = header.join(",");
        out.push_str("\r\n");
        for r in &self.rows {
            let cells = [
                self.action.clone(),
                r.entity.set().to_owned(),
                r.id.clone(),
                r.name.clone(),
                r.field.column().to_owned(),
                plain(&r.before),
                plain(&r.after),
                r.observed.as_ref().map(plain).unwrap_or_default(),
                r.field.label(&r.before),
                r.field.label(&r.after),
                serde_json::to_value(r.state).map(|v| plain(&v)).unwrap_or_default(),
                r.applied.to_string(),
                r.status.map(|s| s.to_string()).unwrap_or_default(),
                r.code.clone().unwrap_or_default(),
                r.message.clone().unwrap_or_default(),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
