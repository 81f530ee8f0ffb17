use dataverse_sim::{Fault, Scenario, Sim};

use crate::support::{Client, Res, api};

const HOST: &str = "contoso.crm.dynamics.com";

/// A request inside a batch.
fn op(method: &str, url: &str, body: Option<&str>, content_id: Option<u32>) -> String {
    let mut s = String::from("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = content_id {
        s.push_str(&format!("Content-ID: {id}\r\n"));
    }
    s.push_str(&format!("\r\n{method} {url} HTTP/1.1\r\n"));
    match body {
        Some(b) => s.push_str(&format!("Content-Type: application/json; type=entry\r\n\r\n{b}\r\n")),
        None => s.push_str("Accept: application/json\r\n\r\n"),
    }
    s
}

fn changeset(name: &str, ops: &[String]) -> String {
    let mut s = format!("Content-Type: multipart/mixed; boundary=\"changeset_{name}\"\r\n\r\n");
    for o in ops {
        s.push_str(&format!("--changeset_{name}\r\n{o}"));
    }
    s.push_str(&format!("--changeset_{name}--\r\n"));
    s
}

fn batch(parts: &[String]) -> String {
    let mut s = String::new();
    for p in parts {
        s.push_str(&format!("--batch_AAA\r\n{p}"));
    }
    s.push_str("--batch_AAA--\r\n");
    s
}

async fn send(c: &Client, body: &str, prefer: Option<&str>) -> Res {
    let mut headers = vec![("content-type", "multipart/mixed; boundary=\"batch_AAA\"")];
    if let Some(p) = prefer {
        headers.push(("prefer", p));
    }
    c.send("POST", &api("$batch"), &headers, body).await
}

/// Status lines of the parts, in order.
fn statuses(res: &Res) -> Vec<u16> {
    res.body
        .lines()
        .filter_map(|l| l.strip_prefix("HTTP/1.1 "))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

async fn setup() -> (Sim, Client, Vec<String>) {
    let sim = Sim::builder().org("contoso", Scenario::fresh("Contoso")).build();
    let c = Client::signed_in(&sim, HOST).await;
    let ids = c
        .rows("mailboxes?$select=name&$top=3")
        .await
        .iter()
        .map(|r| r["mailboxid"].as_str().unwrap().to_string())
        .collect();
    (sim, c, ids)
}

#[tokio::test]
async fn a_batch_runs_gets_and_a_change_set_in_order_and_answers_in_the_documented_shape() {
    let (_sim, c, ids) = setup().await;
    let body = batch(&[
        op("GET", &format!("/api/data/v9.2/mailboxes({})?$select=name", ids[0]), None, None),
        changeset(
            "BBB",
            &[
                op(
                    "PATCH",
                    &format!("/api/data/v9.2/mailboxes({})", ids[1]),
                    Some(r#"{"verboseloggingenabled":3}"#),
                    Some(1),
                ),
                op(
                    "PATCH",
                    &format!("mailboxes({})", ids[2]),
                    Some(r#"{"verboseloggingenabled":4}"#),
                    Some(2),
                ),
            ],
        ),
    ]);
    let res = send(&c, &body, None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let ct = res.header("content-type").unwrap();
    assert!(ct.starts_with("multipart/mixed; boundary=batchresponse_"), "{ct}");
    let boundary = ct.split("boundary=").nth(1).unwrap();
    assert!(res.body.starts_with(&format!("--{boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 200 OK\r\n")));
    assert!(res.body.contains("Content-Type: multipart/mixed; boundary=changesetresponse_"));
    assert!(res.body.contains("Content-ID: 1\r\n\r\nHTTP/1.1 204 No Content\r\n"));
    assert!(res.body.ends_with(&format!("--{boundary}--\r\n")));
    assert_eq!(statuses(&res), vec![200, 204, 204]);
    let v = c.get(&api(&format!("mailboxes({})?$select=verboseloggingenabled", ids[2]))).await.json();
    assert_eq!(v["verboseloggingenabled"], 4);
}

#[tokio::test]
async fn a_failing_change_set_is_rolled_back_and_without_continue_on_error_the_batch_is_a_400() {
    let (sim, c, ids) = setup().await;
    let body = batch(&[
        changeset(
            "BBB",
            &[
                op(
                    "PATCH",
                    &format!("mailboxes({})", ids[0]),
                    Some(r#"{"verboseloggingenabled":7}"#),
                    Some(1),
                ),
                op("PATCH", &format!("mailboxes({})", ids[1]), Some(r#"{"nosuchcolumn":1}"#), Some(2)),
            ],
        ),
        op("GET", "WhoAmI", None, None),
    ]);
    let res = send(&c, &body, None).await;
    assert_eq!(res.status, 400);
    assert_eq!(statuses(&res), vec![400], "only the failed part: {}", res.body);
    assert!(res.body.contains("0x80048d19"));
    let v = c.get(&api(&format!("mailboxes({})?$select=verboseloggingenabled", ids[0]))).await.json();
    assert_eq!(v["verboseloggingenabled"], 0, "rolled back");
    let journal = sim.journal();
    let last = journal.iter().rev().find(|j| j.path.ends_with("$batch")).unwrap();
    assert_eq!((last.status, last.batch_operations), (400, 3));
}

#[tokio::test]
async fn continue_on_error_keeps_going_and_answers_200_with_each_parts_status() {
    let (_sim, c, ids) = setup().await;
    let body = batch(&[
        op("PATCH", &format!("mailboxes({})", ids[0]), Some(r#"{"nosuchcolumn":1}"#), None),
        op("PATCH", &format!("mailboxes({})", ids[1]), Some(r#"{"verboseloggingenabled":9}"#), None),
    ]);
    let res = send(&c, &body, Some("odata.continue-on-error")).await;
    assert_eq!(res.status, 200);
    assert_eq!(statuses(&res), vec![400, 204]);
    let v = c.get(&api(&format!("mailboxes({})?$select=verboseloggingenabled", ids[1]))).await.json();
    assert_eq!(v["verboseloggingenabled"], 9);
}

#[tokio::test]
async fn content_id_references_point_at_rows_created_earlier_in_the_change_set() {
    let (_sim, c, _) = setup().await;
    let body = batch(&[changeset(
        "BBB",
        &[
            op(
                "POST",
                "/api/data/v9.2/queues",
                Some(r#"{"name":"Batch queue","emailaddress":"batch@contoso.com"}"#),
                Some(1),
            ),
            op("PATCH", "$1", Some(r#"{"emailaddress":"renamed@contoso.com"}"#), Some(2)),
        ],
    )]);
    let res = send(&c, &body, None).await;
    assert_eq!(statuses(&res), vec![204, 204], "{}", res.body);
    assert!(res.body.contains("OData-EntityId: http://contoso.crm.dynamics.com/api/data/v9.2/queues("));
    let q = c.first("queues?$select=emailaddress&$filter=name eq 'Batch queue'").await;
    assert_eq!(q["emailaddress"], "renamed@contoso.com");

    let bad = batch(&[changeset("CCC", &[op("PATCH", "$4", Some("{}"), Some(1))])]);
    let res = send(&c, &bad, None).await;
    assert!(
        res.body.contains("Content-ID Reference: '$4' does not exist in the batch context."),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn a_get_inside_a_change_set_and_more_than_1000_operations_are_rejected() {
    let (_sim, c, _) = setup().await;
    let res = send(&c, &batch(&[changeset("BBB", &[op("GET", "WhoAmI", None, Some(1))])]), None).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("A change set cannot contain a GET request."));
    let many: Vec<String> = (0..1001).map(|_| op("GET", "WhoAmI", None, None)).collect();
    let res = send(&c, &batch(&many), None).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("exceeded the limit of 1000"));
}

#[tokio::test]
async fn an_injected_fault_fails_one_item_of_the_next_batch() {
    let (sim, c, ids) = setup().await;
    sim.inject(Fault::fail_batch_item(2, 503));
    let parts: Vec<String> = ids
        .iter()
        .map(|id| op("PATCH", &format!("mailboxes({id})"), Some(r#"{"verboseloggingenabled":1}"#), None))
        .collect();
    let res = send(&c, &batch(&parts), Some("odata.continue-on-error")).await;
    assert_eq!(statuses(&res), vec![204, 503, 204]);
    let again = send(&c, &batch(&parts), Some("odata.continue-on-error")).await;
    assert_eq!(statuses(&again), vec![204, 204, 204], "the fault fired once");
}

#[tokio::test]
async fn a_rolled_back_change_set_also_undoes_side_effects_on_other_tables_and_created_rows() {
    let (_sim, c, _) = setup().await;
    let m = c.first("mailboxes?$select=_regardingobjectid_value&$filter=regardingobjecttypecode eq 'systemuser' and emailrouteraccessapproval eq 2&$top=1").await;
    let (mid, uid) = (
        m["mailboxid"].as_str().unwrap().to_string(),
        m["_regardingobjectid_value"].as_str().unwrap().to_string(),
    );
    let body = batch(&[changeset(
        "BBB",
        &[
            op(
                "PATCH",
                &format!("mailboxes({mid})"),
                Some(r#"{"emailrouteraccessapproval":1,"testemailconfigurationscheduled":true}"#),
                Some(1),
            ),
            op("POST", "queues", Some(r#"{"name":"Doomed queue"}"#), Some(2)),
            op("PATCH", &format!("mailboxes({mid})"), Some(r#"{"bogus":1}"#), Some(3)),
        ],
    )]);
    let res = send(&c, &body, None).await;
    assert_eq!(res.status, 400, "{}", res.body);
    let user = c.get(&api(&format!("systemusers({uid})?$select=emailrouteraccessapproval"))).await.json();
    assert_eq!(user["emailrouteraccessapproval"], 2);
    let mbx = c
        .get(&api(&format!(
            "mailboxes({mid})?$select=emailrouteraccessapproval,testemailconfigurationscheduled"
        )))
        .await
        .json();
    assert_eq!(
        (&mbx["emailrouteraccessapproval"], &mbx["testemailconfigurationscheduled"]),
        (&2.into(), &false.into())
    );
    assert!(c.rows("queues?$select=name&$filter=name eq 'Doomed queue'").await.is_empty());
}
