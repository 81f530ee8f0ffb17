//! Property tests of the `$batch` codec: the decoder never panics on arbitrary input, and encoded
//! answers decode back to the same parts.

use proptest::prelude::*;
use syncready_core::http::Response;
use syncready_core::odata::batch::{PartResponse, decode, encode_response};

/// Fragments that steer random text towards multipart answers with embedded HTTP responses.
fn multipart_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("--batchresponse_1".to_owned()),
        Just("--batchresponse_1--".to_owned()),
        Just("--changesetresponse_2".to_owned()),
        Just("--changesetresponse_2--".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n".to_owned()),
        Just("Content-Type: application/http\r\n".to_owned()),
        Just("Content-Type: multipart/mixed; boundary=changesetresponse_2\r\n".to_owned()),
        Just("Content-ID: 1\r\n".to_owned()),
        Just("HTTP/1.1 204 No Content\r\n".to_owned()),
        Just("HTTP/1.1 200 OK\r\n".to_owned()),
        Just("HTTP/1.1 ".to_owned()),
        Just("{\"value\":[]}".to_owned()),
        any::<u16>().prop_map(|n| n.to_string()),
        ".{0,6}".prop_map(|s| s),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn multipart(body: String) -> Response {
    Response {
        status: 200,
        headers: vec![("Content-Type".into(), "multipart/mixed; boundary=batchresponse_1".into())],
        body,
    }
}

/// Header names and values as an HTTP server would send them (tokens; no leading or trailing blanks).
fn header() -> impl Strategy<Value = (String, String)> {
    ("[A-Za-z][A-Za-z0-9-]{0,12}", "[!-~]([ !-~]{0,20}[!-~])?")
}

/// Bodies without lines that could be taken for a delimiter (JSON never has them).
fn body() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[ -~]{1,40}", "\\{\"[a-z]{1,8}\":[0-9]{1,5}\\}"]
}

fn part() -> impl Strategy<Value = PartResponse> {
    (
        prop::option::of(1u32..2000),
        prop_oneof![Just(200u16), Just(204), Just(400), Just(403), Just(429), Just(500), 100u16..600],
        prop::collection::vec(header(), 0..4),
        body(),
    )
        .prop_map(|(id, status, headers, body)| PartResponse {
            content_id: id.map(|n| n.to_string()),
            response: Response { status, headers, body },
        })
}

proptest! {
    #[test]
    fn the_batch_decoder_never_panics_on_arbitrary_multipart_text(body in multipart_like()) {
        let _ = decode(&multipart(body));
    }

    #[test]
    fn the_batch_decoder_never_panics_on_arbitrary_bytes(body in ".{0,400}") {
        let _ = decode(&multipart(body));
    }

    #[test]
    fn encoded_batch_answers_decode_back_to_the_same_parts_in_order(
        groups in prop::collection::vec(prop::collection::vec(part(), 1..4), 0..8),
        counter in any::<u64>(),
    ) {
        let encoded = encode_response(counter, &groups);
        let flat: Vec<PartResponse> = groups.into_iter().flatten().collect();
        prop_assert_eq!(decode(&encoded).ok(), Some(flat));
    }
}
