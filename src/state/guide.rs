//! What the in-page guide (`public/content.js`) shows on a mailbox record, and the one-click action
//! it hands back to the panel.
//!
//! After each evaluation the panel writes one compact table per org to `storage.session`
//! (`syncready.mailboxes.<org>`, JSON text): every mailbox's own state (profile, approval, the three
//! test statuses) and its decoded alerts (what happened, the fix, who acts), so the guide on a
//! mailbox record can show them without reading the org itself. The service worker
//! (`public/background.js`, `mailboxState`) reads the table back for the record being viewed.
//!
//! The guide's "Approve email…" and "Test & enable…" buttons do not act by themselves: the worker
//! opens the panel with a [`FocusAction`], and the panel shows the usual preview of that action for
//! that one mailbox, run by the same bulk engine once the admin confirms.

use crate::state::bulk::BulkRequest;
use std::collections::{BTreeMap, HashMap};
use syncready_core::bulk::{Action, Selection};
use syncready_core::collect::Snapshot;
use syncready_core::i18n::Lang;
use syncready_core::json::{FromJson, JsonError, Obj};
use syncready_core::model::{ApprovalState, TestStatus};
use syncready_core::readiness::{Actor, Report, StepId, Subject};
use syncready_core::tr;

/// Storage key prefix of the per-org table (followed by the org URL, as the summary's).
pub const MAILBOXES_PREFIX: &str = "syncready.mailboxes.";
/// Storage key of the action the guide asked the panel to preview (consumed once).
pub const FOCUS_ACTION_KEY: &str = "syncready.focusAction";

/// One decoded alert as the guide shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideAlert {
    /// The finding's message: what happened and the fix.
    pub message: String,
    /// `dynamics-admin` or `exchange-admin`.
    pub actor: &'static str,
}

/// One mailbox as the guide shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideRow {
    /// Mailbox name.
    pub name: String,
    /// Index into [`GuideMailboxes::profiles`], if it has a known profile.
    pub profile: Option<usize>,
    /// `approved`, `pending`, `rejected`, `empty` or `unknown`.
    pub approval: &'static str,
    /// Incoming test: `success`, `failure`, `not-run` or `unknown`.
    pub incoming: &'static str,
    /// Outgoing test.
    pub outgoing: &'static str,
    /// Appointments, contacts and tasks test.
    pub act: &'static str,
    /// Indices into [`GuideMailboxes::alerts`].
    pub alerts: Vec<usize>,
}

/// The table the panel writes for the guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideMailboxes {
    /// Profile names, indexed by the rows.
    pub profiles: Vec<String>,
    /// Decoded alerts, indexed by the rows.
    pub alerts: Vec<GuideAlert>,
    /// Mailbox id (lower case) → its row.
    pub mailboxes: BTreeMap<String, GuideRow>,
}

fn approval_key(a: ApprovalState) -> &'static str {
    match a {
        ApprovalState::Approved => "approved",
        ApprovalState::Pending => "pending",
        ApprovalState::Rejected => "rejected",
        ApprovalState::Empty => "empty",
        ApprovalState::Unknown(_) => "unknown",
    }
}

fn test_key(s: Option<TestStatus>) -> &'static str {
    match s {
        Some(TestStatus::Success) => "success",
        Some(TestStatus::Failure) => "failure",
        Some(TestStatus::NotRun) | None => "not-run",
        Some(TestStatus::Unknown(_)) => "unknown",
    }
}

fn actor_key(a: Actor) -> &'static str {
    match a {
        Actor::DynamicsAdmin => "dynamics-admin",
        Actor::ExchangeAdmin => "exchange-admin",
    }
}

/// `s` as a JSON string literal.
fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let n = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[n >> 4]));
                out.push(char::from(HEX[n & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_list<T>(out: &mut String, items: impl IntoIterator<Item = T>, mut each: impl FnMut(&mut String, T)) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
}

impl GuideMailboxes {
    /// The table for `snapshot` as `report` judged it.
    pub fn of(snapshot: &Snapshot, report: &Report) -> Self {
        let mut profiles = Vec::new();
        let mut profile_index = HashMap::new();
        for p in snapshot.profiles.iter().flatten() {
            profile_index.insert(p.id.to_ascii_lowercase(), profiles.len());
            profiles.push(p.name.clone());
        }
        let mut alerts = Vec::new();
        let mut by_mailbox: HashMap<String, Vec<usize>> = HashMap::new();
        for finding in report.step(StepId::MailboxAlerts).map(|s| s.findings.as_slice()).unwrap_or_default() {
            let ids: &[String] = match &finding.subject {
                Subject::Mailbox(id) => std::slice::from_ref(id),
                Subject::Mailboxes(ids) => ids,
                _ => continue,
            };
            let index = alerts.len();
            alerts.push(GuideAlert { message: finding.message.clone(), actor: actor_key(finding.actor) });
            for id in ids {
                by_mailbox.entry(id.to_ascii_lowercase()).or_default().push(index);
            }
        }
        let mailboxes = snapshot
            .mailboxes
            .iter()
            .flatten()
            .map(|m| {
                let id = m.id.to_ascii_lowercase();
                let row = GuideRow {
                    name: m.name.clone(),
                    profile: m
                        .profile
                        .as_deref()
                        .and_then(|p| profile_index.get(&p.to_ascii_lowercase()).copied()),
                    approval: approval_key(m.approval),
                    incoming: test_key(m.incoming_status),
                    outgoing: test_key(m.outgoing_status),
                    act: test_key(m.act_status),
                    alerts: by_mailbox.remove(&id).unwrap_or_default(),
                };
                (id, row)
            })
            .collect();
        Self { profiles, alerts, mailboxes }
    }

    /// The same table with what the Microsoft 365 check found (issue 16): each problem becomes one
    /// more alert of its mailbox ("Microsoft 365: …" with the fix and who acts), so the guide on a
    /// mailbox record shows it beside the decoded Dynamics alerts, in `lang` (the panel's language,
    /// as the decoded alerts are).
    #[must_use]
    pub fn with_m365(mut self, checks: &[syncready_core::graph::MailboxCheck], lang: Lang) -> Self {
        for c in checks.iter().filter(|c| c.verdict.is_problem()) {
            let Some(row) = self.mailboxes.get_mut(&c.mailbox_id.to_ascii_lowercase()) else { continue };
            let index = self.alerts.len();
            self.alerts.push(GuideAlert {
                message: tr!(
                    lang,
                    "exchange.guide-alert",
                    problem = c.verdict.summary_in(lang),
                    fix = c.verdict.fix_in(lang)
                ),
                actor: actor_key(c.verdict.actor()),
            });
            row.alerts.push(index);
        }
        self
    }

    /// The JSON text `public/background.js` reads: `{"profiles": [...], "alerts": [{"message",
    /// "actor"}], "mailboxes": {"<id>": [name, profile index or -1, approval, incoming, outgoing, act,
    /// [alert indices]]}}`. Rows are arrays: at 50,000 mailboxes field names would double the table.
    /// Written by hand: a derived serializer for these types costs the wasm more than this function.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + self.mailboxes.len() * 96);
        out.push_str("{\"profiles\":[");
        push_list(&mut out, &self.profiles, |out, p| push_json_str(out, p));
        out.push_str("],\"alerts\":[");
        push_list(&mut out, &self.alerts, |out, a| {
            out.push_str("{\"message\":");
            push_json_str(out, &a.message);
            out.push_str(",\"actor\":");
            push_json_str(out, a.actor);
            out.push('}');
        });
        out.push_str("],\"mailboxes\":{");
        push_list(&mut out, &self.mailboxes, |out, (id, row)| {
            push_json_str(out, id);
            out.push_str(":[");
            push_json_str(out, &row.name);
            out.push(',');
            match row.profile {
                Some(i) => out.push_str(&i.to_string()),
                None => out.push_str("-1"),
            }
            for key in [row.approval, row.incoming, row.outgoing, row.act] {
                out.push(',');
                push_json_str(out, key);
            }
            out.push_str(",[");
            push_list(out, &row.alerts, |out, i| out.push_str(&i.to_string()));
            out.push_str("]]");
        });
        out.push_str("}}");
        out
    }
}

/// A one-click action the guide asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuideAction {
    /// "Approve Email".
    Approve,
    /// "Test & Enable Mailbox".
    TestAndEnable,
}

/// The action the guide asked the panel to preview, for one mailbox of one org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusAction {
    /// The org's URL (the verified origin of the tab that asked).
    pub org: String,
    /// What to do.
    pub action: GuideAction,
    /// The mailbox id.
    pub id: String,
}

impl FromJson for FocusAction {
    fn from_json(value: &serde_json::Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        let action = match o.req::<String>("action")?.as_str() {
            "approve" => GuideAction::Approve,
            "test-and-enable" => GuideAction::TestAndEnable,
            other => {
                return Err(syncready_core::json::unknown_variant(other, &["approve", "test-and-enable"]));
            }
        };
        Ok(Self { org: o.req("org")?, action, id: o.req("id")? })
    }
}

impl FocusAction {
    /// The bulk request it stands for, if it is for `org` (the org the panel shows): the panel never
    /// previews an action asked for on another org's tab.
    pub fn request_for(&self, org: &str) -> Option<BulkRequest> {
        if self.org.trim_end_matches('/') != org.trim_end_matches('/') {
            return None;
        }
        let action = match self.action {
            GuideAction::Approve => Action::Approve,
            GuideAction::TestAndEnable => {
                Action::TestAndEnable { this_org_only: false, process_email_after: None }
            }
        };
        Some(BulkRequest { action, selection: Selection::Ids(vec![self.id.clone()]) })
    }
}
