//! Collect + evaluate on a generated 50,000-mailbox org (45,000 users, 5,000 queues) served by an
//! in-memory transport in the real Web API shape (5,000 rows per page, `@odata.nextLink`, lookup
//! annotations, etags).
//!
//! Prints the number of requests per kind, the collection wall time (JSON decoding and model
//! conversion; no network) and the evaluation time alone (median of several runs).
//!
//! `cargo bench -p syncready-core --bench collect_evaluate` (add `-- 10000` for another size).
//!
//! In wasm (V8 through Node, as in Chrome), the same workload runs as a wasm-bindgen test:
//! `cargo test -p syncready-core --release --target wasm32-unknown-unknown --bench collect_evaluate`;
//! it prints the evaluation time and fails if the median exceeds 50 ms.

use serde_json::json;
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use syncready_core::http::{API_PATH, Request, Response, Transport, TransportError};

const ORG: &str = "https://contoso.crm.dynamics.com";
const PAGE: usize = 5000;
const EXO: &str = "3a1d2c4b-0000-4000-8000-00000000e001";
const USER: &str = "7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f";

fn guid(prefix: u32, n: usize) -> String {
    format!("{prefix:08x}-0000-4000-8000-{n:012x}")
}

/// One mailbox row; every 10th is unapproved, every 100th failed, every 50th a queue with no profile.
fn mailbox(n: usize, total: usize) -> serde_json::Value {
    let queue = n >= total * 9 / 10;
    let failed = n % 100 == 7;
    let approval = if n % 10 == 3 { 2 } else { 1 };
    let no_profile = queue && n.is_multiple_of(50);
    json!({
        "@odata.etag": format!("W/\"{}\"", 1_000_000 + n),
        "mailboxid": guid(0x5b0e0000, n),
        "name": format!("Mailbox {n}"),
        "emailaddress": format!("user{n}@contoso.com"),
        "_emailserverprofile_value": if no_profile { serde_json::Value::Null } else { json!(EXO) },
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": if queue { "queue" } else { "systemuser" },
        "_regardingobjectid_value": guid(if queue { 0xbb000000 } else { 0xaa000000 }, n),
        "regardingobjecttypecode": if queue { "queue" } else { "systemuser" },
        "isforwardmailbox": false,
        "statecode": 0,
        "incomingemaildeliverymethod": 2,
        "outgoingemaildeliverymethod": 2,
        "actdeliverymethod": if queue { 2 } else { 1 },
        "incomingemailstatus": if failed { 2 } else { 1 },
        "outgoingemailstatus": 1,
        "actstatus": 1,
        "mailboxstatus": if failed { 2 } else { 1 },
        "emailrouteraccessapproval": approval,
        "enabledforincomingemail": !failed,
        "enabledforoutgoingemail": true,
        "enabledforact": true,
        "testemailconfigurationscheduled": false,
        "testmailboxaccesscompletedon": "2026-11-20T09:14:02Z",
        "orgmarkedasprimaryforexchangesync": true,
        "postponetestemailconfigurationuntil": null,
        "processemailreceivedafter": null
    })
}

struct BigOrg {
    pages: Vec<String>,
    sent: RefCell<Vec<String>>,
}

impl BigOrg {
    fn new(total: usize) -> Self {
        let pages = (0..total.div_ceil(PAGE))
            .map(|p| {
                let rows: Vec<_> = (p * PAGE..((p + 1) * PAGE).min(total)).map(|n| mailbox(n, total)).collect();
                let mut page = json!({
                    "@odata.context": format!("{ORG}{API_PATH}$metadata#mailboxes(mailboxid,name)"),
                    "value": rows,
                });
                if (p + 1) * PAGE < total {
                    page["@odata.nextLink"] = json!(format!(
                        "{ORG}{API_PATH}mailboxes?$select=mailboxid&$skiptoken=%3Ccookie%20pagenumber=%22{}%22%20/%3E",
                        p + 2
                    ));
                }
                page.to_string()
            })
            .collect();
        Self { pages, sent: RefCell::new(Vec::new()) }
    }

    fn answer(&self, path: &str) -> String {
        if path.starts_with("WhoAmI") {
            return json!({"BusinessUnitId": guid(1, 1), "UserId": USER, "OrganizationId": guid(2, 2)}).to_string();
        }
        if path.starts_with("organizations") {
            return json!({"value": [{
                "organizationid": guid(2, 2), "name": "Contoso",
                "_defaultemailserverprofileid_value": EXO,
                "defaultemailsettings": "<EmailSettings><IncomingEmailDeliveryMethod>2</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>2</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>1</ACTDeliveryMethod></EmailSettings>",
                "emailconnectionchannel": 0, "requireapprovalforuseremail": true, "requireapprovalforqueueemail": true
            }]})
            .to_string();
        }
        if path.starts_with("emailserverprofiles") {
            return json!({"value": [{
                "emailserverprofileid": EXO, "name": "Microsoft Exchange Online", "servertype": 0,
                "emailservertypename": "Exchange Online", "statecode": 0, "incomingcredentialretrieval": 2,
                "outgoingcredentialretrieval": 2, "useautodiscover": true
            }]})
            .to_string();
        }
        if let Some(rest) = path.strip_prefix("mailboxes?") {
            let page = rest
                .split("pagenumber=%22")
                .nth(1)
                .and_then(|s| s.split('%').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(1);
            return self.pages.get(page - 1).cloned().unwrap_or_else(|| r#"{"value":[]}"#.to_owned());
        }
        if path.contains("systemuserroles_association") {
            return json!({"value": [{"name": "System Administrator", "roleid": guid(3, 1), "_roletemplateid_value": "627090ff-40a3-4053-8790-584edc5be201"}]}).to_string();
        }
        if path.contains("teammembership_association") {
            return json!({"value": []}).to_string();
        }
        if path.contains("RetrieveUserPrivilegeByPrivilegeName") {
            return json!({"RolePrivileges": [{"Depth": "Global", "PrivilegeId": guid(4, 1), "PrivilegeName": "prvApproveRejectEmailAddress"}]}).to_string();
        }
        if path.starts_with("tracelogs") {
            // One "not approved" and one unknown alert per request.
            let ids: Vec<&str> =
                path.split("_regardingobjectid_value%20eq%20").skip(1).map(|s| s.get(..36).unwrap_or(s)).collect();
            let alerts: Vec<_> = ids
                .iter()
                .take(2)
                .enumerate()
                .map(|(i, id)| json!({
                    "level": 3,
                    "text": if i == 0 { "Email can't be received because the email address of the mailbox is not approved." } else { "Something unusual happened." },
                    "tracecode": 8, "createdon": "2026-11-20T09:15:40Z", "modifiedon": "2026-11-20T09:15:40Z",
                    "_regardingobjectid_value": id
                }))
                .collect();
            return json!({"value": alerts}).to_string();
        }
        json!({"error": {"code": "0x80060888", "message": format!("unexpected {path}")}}).to_string()
    }
}

impl Transport for BigOrg {
    fn send(&self, request: Request) -> impl Future<Output = Result<Response, TransportError>> {
        let path = request.path.split_once(API_PATH).map_or(request.path.as_str(), |(_, p)| p).to_owned();
        let body = self.answer(&path);
        self.sent.borrow_mut().push(path);
        std::future::ready(Ok(Response {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json; odata.metadata=minimal".into())],
            body,
        }))
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::collections::BTreeMap;
    use std::time::Instant;
    use syncready_core::collect::snapshot;
    use syncready_core::model::Timestamp;
    use syncready_core::readiness::{EvaluateOptions, checklist, evaluate_with};
    let total: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50_000);
    let org = BigOrg::new(total);
    let bytes: usize = org.pages.iter().map(String::len).sum();

    let started = Instant::now();
    let (snap, errors) = block_on(snapshot(&org));
    let collect = started.elapsed();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(snap.mailboxes.as_ref().map(Vec::len), Some(total));

    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for p in org.sent.borrow().iter() {
        let kind = p.split(['?', '(']).next().unwrap_or(p);
        let kind = if p.contains(")/") {
            p.split(")/").nth(1).and_then(|s| s.split(['?', '(']).next()).unwrap_or(kind)
        } else {
            kind
        };
        *kinds.entry(kind.to_owned()).or_default() += 1;
    }

    let options = EvaluateOptions::at(Timestamp(1_795_694_400));
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..15 {
        let t = Instant::now();
        let r = evaluate_with(&snap, &errors, &options);
        let list = checklist(&r);
        times.push(t.elapsed());
        report = Some((r, list));
    }
    times.sort();
    let (report, list) = report.unwrap();

    println!("mailboxes: {total} in {} pages ({:.1} MB of JSON)", org.pages.len(), bytes as f64 / 1e6);
    println!("requests: {} total", org.sent.borrow().len());
    for (k, n) in &kinds {
        println!("  {n:>3} {k}");
    }
    println!("collect (in-memory transport, decode + model): {:.1} ms", collect.as_secs_f64() * 1e3);
    println!(
        "evaluate + checklist: median {:.2} ms, min {:.2} ms, max {:.2} ms (15 runs)",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
    let ctx = syncready_core::readiness::rules::Context { snapshot: &snap, errors: &errors, options: &options };
    for ((row, step), rule) in list.rows.iter().zip(&report.steps).zip(syncready_core::readiness::rules::ALL) {
        let t = Instant::now();
        for _ in 0..5 {
            std::hint::black_box(rule(&ctx));
        }
        let each = t.elapsed().as_secs_f64() * 1e3 / 5.0;
        println!("  {each:>6.2} ms [{}] {}: {}", row.state.key(), row.key, step.summary);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{BigOrg, block_on};
    use syncready_core::collect::snapshot;
    use syncready_core::model::Timestamp;
    use syncready_core::readiness::{EvaluateOptions, checklist, evaluate_with};
    use wasm_bindgen_test::{console_log, wasm_bindgen_test};

    /// `performance.now()` in milliseconds.
    fn now() -> f64 {
        let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
        let now = js_sys::Reflect::get(&performance, &"now".into()).unwrap();
        let now: js_sys::Function = now.into();
        now.call0(&performance).unwrap().as_f64().unwrap()
    }

    #[wasm_bindgen_test]
    fn evaluating_50000_mailboxes_in_wasm_takes_under_50_ms() {
        let total = 50_000;
        let org = BigOrg::new(total);
        let t = now();
        let (snap, errors) = block_on(snapshot(&org));
        let collect = now() - t;
        assert_eq!(snap.mailboxes.as_ref().map(Vec::len), Some(total));
        let options = EvaluateOptions::at(Timestamp(1_795_694_400));
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = now();
            let report = evaluate_with(&snap, &errors, &options);
            std::hint::black_box(checklist(&report));
            times.push(now() - t);
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        console_log!(
            "wasm: collect (in-memory, decode + model) {collect:.1} ms; evaluate + checklist median {median:.2} ms, min {:.2} ms, max {:.2} ms over 15 runs",
            times[0],
            times[times.len() - 1]
        );
        assert!(median <= 50.0, "evaluation took {median:.2} ms in wasm");
    }
}
