use super::*;
use expect_test::expect;

fn patch(id: &str, body: &str) -> Request {
    Request {
        method: Method::Patch,
        path: format!("mailboxes({id})"),
        headers: vec![("If-Match".to_owned(), "*".to_owned())],
        body: Some(body.to_owned()),
    }
}

#[test]
fn a_batch_has_a_counter_boundary_content_ids_and_continue_on_error() {
    let request = encode(
        7,
        &[
            BatchEntry::Single(patch("a", r#"{"emailrouteraccessapproval":1}"#)),
            BatchEntry::ChangeSet(vec![patch("b", "{}")]),
            BatchEntry::Single(Request::get("mailboxes?$select=name")),
        ],
        true,
    );
    assert_eq!(request.path, "$batch");
    assert!(request.headers.contains(&("Prefer".to_owned(), "odata.continue-on-error".to_owned())));
    assert!(
        request
            .headers
            .contains(&("Content-Type".to_owned(), "multipart/mixed; boundary=\"batch_0000000000000007\"".to_owned()))
    );
    expect![[r#"
        --batch_0000000000000007
        Content-Type: application/http
        Content-Transfer-Encoding: binary

        PATCH /api/data/v9.2/mailboxes(a) HTTP/1.1
        If-Match: *
        Content-Type: application/json; type=entry

        {"emailrouteraccessapproval":1}
        --batch_0000000000000007
        Content-Type: multipart/mixed; boundary="changeset_0000000000000007_1"

        --changeset_0000000000000007_1
        Content-Type: application/http
        Content-Transfer-Encoding: binary
        Content-ID: 1

        PATCH /api/data/v9.2/mailboxes(b) HTTP/1.1
        If-Match: *
        Content-Type: application/json; type=entry

        {}
        --changeset_0000000000000007_1--
        --batch_0000000000000007
        Content-Type: application/http
        Content-Transfer-Encoding: binary

        GET /api/data/v9.2/mailboxes?$select=name HTTP/1.1
        Accept: application/json
        OData-MaxVersion: 4.0
        OData-Version: 4.0

        --batch_0000000000000007--
    "#]]
    .assert_eq(&request.body.unwrap_or_default().replace("\r\n", "\n"));
}

/// The answer the simulator and the documentation show: a 204, a change set, an error, a 200 with JSON.
const ANSWER: &str = "--batchresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\nOData-Version: 4.0\r\n\r\n--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n--changesetresponse_2--\r\n--batchresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Type: application/json; odata.metadata=minimal\r\n\r\n{\"error\":{\"code\":\"0x80040256\",\"message\":\"A failure occurred in CrmSecurity.\"}}\r\n--batchresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"value\":[]}\r\n--batchresponse_1--\r\n";

fn answer(body: &str) -> Response {
    Response {
        status: 200,
        headers: vec![("Content-Type".to_owned(), "multipart/mixed; boundary=batchresponse_1".to_owned())],
        body: body.to_owned(),
    }
}

#[test]
fn an_answer_decodes_into_one_response_per_operation_in_order() {
    let parts = decode(&answer(ANSWER)).unwrap();
    let summary: Vec<String> =
        parts.iter().map(|p| format!("{} {:?} {}", p.response.status, p.content_id, p.response.body)).collect();
    expect![[r#"
        [
            "204 None ",
            "204 Some(\"2\") ",
            "403 None {\"error\":{\"code\":\"0x80040256\",\"message\":\"A failure occurred in CrmSecurity.\"}}",
            "200 None {\"value\":[]}",
        ]
    "#]]
    .assert_debug_eq(&summary);
    assert_eq!(parts[2].response.header("content-type"), Some("application/json; odata.metadata=minimal"));
}

#[test]
fn a_cut_off_answer_is_an_error_not_a_shorter_list() {
    let cut = &ANSWER[..ANSWER.len() - 30];
    assert!(matches!(decode(&answer(cut)), Err(BatchDecodeError::Unterminated(_))));
}

#[test]
fn a_json_error_instead_of_multipart_says_what_came() {
    let r = Response {
        status: 400,
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        body: "{}".to_owned(),
    };
    assert_eq!(decode(&r), Err(BatchDecodeError::NotMultipart("application/json".to_owned())));
}

#[test]
fn a_part_that_is_not_http_names_its_position() {
    let body =
        "--batchresponse_1\r\nContent-Type: application/http\r\n\r\nnot http at all\r\n\r\n--batchresponse_1--\r\n";
    assert!(matches!(decode(&answer(body)), Err(BatchDecodeError::BadPart { index: 0, .. })));
}

#[test]
fn encoded_answers_decode_back_to_the_same_parts() {
    let ok = PartResponse {
        content_id: None,
        response: Response { status: 204, headers: vec![("OData-Version".into(), "4.0".into())], body: String::new() },
    };
    let json = PartResponse {
        content_id: Some("3".into()),
        response: Response { status: 200, headers: vec![], body: "{\"a\":1}\r\n".into() },
    };
    let encoded = encode_response(1, &[vec![ok.clone()], vec![ok.clone(), json.clone()]]);
    assert_eq!(decode(&encoded).unwrap(), vec![ok.clone(), ok, json]);
}
