//! Turning [`Response`] values into data or into an [`Error`] that says what came back.
//!
//! A body is parsed once into a [`Value`]; the wanted type then reads itself out of it through
//! [`FromJson`] (see [`crate::json`]).

use crate::error::{DataverseError, Error};
use crate::http::Response;
use crate::json::{FromJson, JsonError, Obj};
use serde_json::Value;

/// One page of an entity collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection<T> {
    /// The rows (JSON `value`, required).
    pub value: Vec<T>,
    /// The link to the next page, to be followed unchanged (JSON `@odata.nextLink`; missing or null
    /// on the last page).
    pub next_link: Option<String>,
}

impl<T: FromJson> FromJson for Collection<T> {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Self { value: o.req("value")?, next_link: o.opt("@odata.nextLink")? })
    }
}

/// The `error` object of a Dataverse error body (`{"error":{"code":…,"message":…}}`), if `value`
/// is one.
fn dataverse_error(value: &Value) -> Option<DataverseError> {
    Obj::of(value).and_then(|o| o.req("error")).ok()
}

const EXCERPT: usize = 300;

fn excerpt(body: &str) -> String {
    let mut end = body.len().min(EXCERPT);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    body[..end].to_owned()
}

fn looks_like_sign_in(body: &str) -> bool {
    let lower = body.get(..body.len().min(4096)).unwrap_or(body).to_ascii_lowercase();
    lower.contains("login.microsoftonline.com") || lower.contains("<title>sign in")
}

/// Maps a non-success or non-Dataverse response to an [`Error`]; `Ok(())` for a usable 2xx.
pub fn check_response(response: &Response) -> Result<(), Error> {
    let status = response.status;
    if status == 401 {
        return Err(Error::SessionExpired { status });
    }
    if status == 429 {
        let retry_after_secs = response.header("Retry-After").and_then(|v| v.trim().parse().ok()).unwrap_or(5);
        return Err(Error::Throttled { retry_after_secs });
    }
    if (300..400).contains(&status) {
        // The Web API redirects only an expired session, to the sign-in page. A browser that does not
        // follow redirects (`redirect: "manual"`) cannot read where to: no `Location` is read as that.
        let to_sign_in = response.header("Location").is_none_or(looks_like_sign_in);
        if to_sign_in {
            return Err(Error::SessionExpired { status });
        }
    }
    if !(200..300).contains(&status) {
        let dataverse = serde_json::from_str::<Value>(&response.body).ok().as_ref().and_then(dataverse_error);
        return Err(Error::Http { status, dataverse, body: response.body.clone() });
    }
    Ok(())
}

/// Decodes a JSON body of type `T`, after [`check_response`]. `what` names the request for messages.
pub fn decode_json<T: FromJson>(response: &Response, what: &str) -> Result<T, Error> {
    // Only the typed read is generic; the parse, the checks and the error report are shared.
    let (body, value) = json_body(response, what)?;
    T::from_json(&value).map_err(|e| shape_error(body, what, &e))
}

/// The body of a usable JSON answer, parsed, or the error that says what came back instead.
fn json_body<'r>(response: &'r Response, what: &str) -> Result<(&'r str, Value), Error> {
    check_response(response)?;
    let body = response.body.as_str();
    let content_type = response.header("Content-Type").unwrap_or("");
    if !content_type.to_ascii_lowercase().contains("json") {
        if looks_like_sign_in(body) {
            return Err(Error::SessionExpired { status: response.status });
        }
        let shown = if content_type.is_empty() { "no content type" } else { content_type };
        return Err(Error::Decode {
            path: what.to_owned(),
            reason: format!("expected JSON from the Web API but got {shown}"),
            body_excerpt: excerpt(body),
        });
    }
    // Parsed with serde_json directly (not `json::parse`) to keep the error's line and column.
    let value = serde_json::from_str::<Value>(body).map_err(|e| syntax_error(body, what, &e))?;
    // A 200 that carries an error object is still an error.
    if let Some(error) = dataverse_error(&value) {
        return Err(Error::Http { status: response.status, dataverse: Some(error), body: body.to_owned() });
    }
    Ok((body, value))
}

/// `what`, then the JSON path if there is one: `mailboxes: value[3].statecode`.
fn located(what: &str, at: &str) -> String {
    if at.is_empty() { what.to_owned() } else { format!("{what}: {at}") }
}

/// A body that is not JSON, with the JSON path where parsing stopped. The path is worked out from
/// the error's position only when parsing fails, so the happy path pays nothing for it.
fn syntax_error(body: &str, what: &str, e: &serde_json::Error) -> Error {
    Error::Decode {
        path: located(what, &json_path_at(body, e.line(), e.column())),
        reason: e.to_string(),
        body_excerpt: excerpt(body),
    }
}

/// JSON that is not the shape the request answers with, at the path the reader names.
fn shape_error(body: &str, what: &str, e: &JsonError) -> Error {
    Error::Decode { path: located(what, &e.path()), reason: e.reason().to_owned(), body_excerpt: excerpt(body) }
}

/// Where a container of the JSON text is at a given point: the key it is reading in an object, or
/// the index in an array.
enum Frame {
    Object { key: Option<String>, expect_key: bool },
    Array(usize),
}

/// The JSON path (`value[3].statecode`) of the value being read at `line`/`column` (1-based, as
/// `serde_json` reports them) in `body`. Scans the text up to that point: strings with escapes,
/// objects and arrays; anything else is skipped.
fn json_path_at(body: &str, line: usize, column: usize) -> String {
    let line_start = body.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum::<usize>();
    let end = (line_start + column).min(body.len());
    let mut stack: Vec<Frame> = Vec::new();
    let mut bytes = body.as_bytes().get(..end).unwrap_or_default().iter().copied();
    while let Some(b) = bytes.next() {
        match b {
            b'{' => stack.push(Frame::Object { key: None, expect_key: true }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(i)) => *i += 1,
                Some(Frame::Object { key, expect_key }) => {
                    *key = None;
                    *expect_key = true;
                }
                None => {}
            },
            b'"' => {
                let mut text = Vec::new();
                while let Some(c) = bytes.next() {
                    match c {
                        b'"' => break,
                        b'\\' => {
                            if let Some(escaped) = bytes.next() {
                                text.push(escaped);
                            }
                        }
                        _ => text.push(c),
                    }
                }
                if let Some(Frame::Object { key, expect_key: expect @ true }) = stack.last_mut() {
                    *key = Some(String::from_utf8_lossy(&text).into_owned());
                    *expect = false;
                }
            }
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(k), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

/// Decodes one page of a collection.
pub fn decode_collection<T: FromJson>(response: &Response, what: &str) -> Result<Collection<T>, Error> {
    decode_json(response, what)
}

/// Decodes one page of a collection without knowing the row type: `read` takes the rows out of the
/// page object (`value`), and the page's `@odata.nextLink` is returned. Errors are reported as by
/// [`decode_collection`]; a paging loop built on this is compiled once for every row type.
pub fn decode_page(
    response: &Response,
    what: &str,
    read: &mut dyn FnMut(Obj<'_>) -> Result<(), JsonError>,
) -> Result<Option<String>, Error> {
    let (body, value) = json_body(response, what)?;
    let page = Obj::of(&value).and_then(|o| {
        read(o)?;
        o.opt("@odata.nextLink")
    });
    page.map_err(|e| shape_error(body, what, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json; odata.metadata=minimal".into())],
            body: body.into(),
        }
    }

    #[derive(Debug, PartialEq)]
    struct Row {
        name: String,
    }

    impl FromJson for Row {
        fn from_json(value: &Value) -> Result<Self, JsonError> {
            Ok(Row { name: Obj::of(value)?.req("name")? })
        }
    }

    /// The path and reason of a decode error, or a panic naming what came instead.
    fn decode_failure(r: &Response) -> (String, String) {
        match decode_collection::<Row>(r, "mailboxes") {
            Err(Error::Decode { path, reason, .. }) => (path, reason),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_dataverse_error_body_keeps_code_message_and_status() {
        let r = json(
            403,
            r#"{"error":{"code":"0x80040220","message":"The user does not hold the necessary privileges."}}"#,
        );
        let err = decode_collection::<Row>(&r, "mailboxes").unwrap_err();
        match err {
            Error::Http { status: 403, dataverse: Some(d), .. } => assert_eq!(d.code, "0x80040220"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_html_sign_in_page_is_a_session_expiry_not_a_parse_error() {
        let r = Response {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: "<html><title>Sign in to your account</title><form action='https://login.microsoftonline.com/x'>"
                .into(),
        };
        assert_eq!(decode_collection::<Row>(&r, "mailboxes").unwrap_err(), Error::SessionExpired { status: 200 });
    }

    #[test]
    fn truncated_json_names_the_request_the_path_and_the_position_and_keeps_an_excerpt() {
        let r = json(200, r#"{"value":[{"name":"a"},{"name":"#);
        match decode_collection::<Row>(&r, "mailboxes").unwrap_err() {
            Error::Decode { path, reason, body_excerpt } => {
                assert_eq!(path, "mailboxes: value[1].name");
                assert_eq!(reason, "EOF while parsing a value at line 1 column 31");
                assert!(body_excerpt.starts_with("{\"value\""));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_wrong_field_type_reports_the_json_path_and_what_arrived() {
        let r = json(200, r#"{"value":[{"name":"a"},{"name":7}]}"#);
        assert_eq!(
            decode_failure(&r),
            ("mailboxes: value[1].name".to_owned(), "expected a string, got an integer".to_owned())
        );
    }

    #[test]
    fn a_wrong_shape_at_the_root_names_only_the_request() {
        let cases = [
            ("[]", "mailboxes", "expected an object, got an array"),
            (r#"{"@odata.context":"x"}"#, "mailboxes", "missing field `value`"),
            (r#"{"value":null}"#, "mailboxes: value", "expected an array, got null"),
            (r#"{"value":[],"@odata.nextLink":3}"#, "mailboxes: @odata.nextLink", "expected a string, got an integer"),
        ];
        for (body, path, reason) in cases {
            assert_eq!(decode_failure(&json(200, body)), (path.to_owned(), reason.to_owned()), "{body}");
        }
    }

    #[test]
    fn a_missing_required_field_names_the_row() {
        let r = json(200, r#"{"value":[{"name":"a"},{"other":"b"}]}"#);
        assert_eq!(decode_failure(&r), ("mailboxes: value[1]".to_owned(), "missing field `name`".to_owned()));
    }

    #[test]
    fn a_200_with_an_error_object_is_an_http_error_and_other_error_keys_are_data() {
        let r = json(200, r#"{"error":{"code":"0x1","message":"m","innererror":{"type":"x"}}}"#);
        match decode_collection::<Row>(&r, "mailboxes").unwrap_err() {
            Error::Http { status: 200, dataverse: Some(d), .. } => {
                assert_eq!(d, DataverseError { code: "0x1".into(), message: "m".into() });
            }
            other => panic!("unexpected {other:?}"),
        }
        // An `error` member that is not the Dataverse error object does not make the answer an error.
        let r = json(200, r#"{"error":{"code":"0x1"},"value":[{"name":"a"}]}"#);
        assert_eq!(decode_collection::<Row>(&r, "mailboxes").unwrap().value, vec![Row { name: "a".into() }]);
    }

    #[test]
    fn an_error_status_without_a_dataverse_body_keeps_the_raw_body() {
        for body in ["<html>Bad gateway</html>", r#"{"error":{"code":7,"message":"m"}}"#] {
            match check_response(&json(502, body)).unwrap_err() {
                Error::Http { status: 502, dataverse: None, body: kept } => assert_eq!(kept, body),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn the_path_is_found_across_lines_escapes_and_nesting() {
        let body = "{\"a\\\"]\": {\"x\": [1,\n {\"b\": [\"s,}\", 2, {\"c\": true";
        let line = body.lines().count();
        let column = body.lines().last().unwrap().len();
        assert_eq!(json_path_at(body, line, column), "a\"].x[1].b[2].c");
        assert_eq!(json_path_at("[1, 2, {\"k\": 1}, 3]", 1, 18), "[3]");
        assert_eq!(json_path_at("{\"k\": 1}", 1, 9), "");
    }

    #[test]
    fn a_wrong_type_deep_in_a_page_is_located() {
        let body = "{\"value\":[\n{\"name\":\"a\"},\n{\"name\":\"b\"},\n{\"name\":[1]}]}";
        assert_eq!(
            decode_failure(&json(200, body)),
            ("mailboxes: value[2].name".to_owned(), "expected a string, got an array".to_owned())
        );
    }

    #[test]
    fn throttling_reads_retry_after() {
        let mut r = json(429, "{}");
        r.headers.push(("Retry-After".into(), "17".into()));
        assert_eq!(check_response(&r).unwrap_err(), Error::Throttled { retry_after_secs: 17 });
    }

    #[test]
    fn a_redirect_to_sign_in_is_a_session_expiry() {
        let r = Response {
            status: 302,
            headers: vec![("Location".into(), "https://login.microsoftonline.com/common/oauth2/authorize".into())],
            body: String::new(),
        };
        assert_eq!(check_response(&r).unwrap_err(), Error::SessionExpired { status: 302 });
    }

    #[test]
    fn an_opaque_redirect_without_a_location_is_a_session_expiry_and_one_elsewhere_is_not() {
        // What the browser transport hands on for `redirect: "manual"` (issue 11).
        let opaque = Response { status: 302, headers: vec![], body: String::new() };
        assert_eq!(check_response(&opaque).unwrap_err(), Error::SessionExpired { status: 302 });
        let elsewhere = Response {
            status: 302,
            headers: vec![("Location".into(), "https://contoso.crm.dynamics.com/other".into())],
            body: String::new(),
        };
        assert!(matches!(check_response(&elsewhere), Err(Error::Http { status: 302, .. })));
    }

    #[test]
    fn the_next_link_is_read_from_the_annotation() {
        let r = json(
            200,
            r#"{"@odata.context":"x","value":[],"@odata.nextLink":"https://o/api/data/v9.2/mailboxes?$skiptoken=a"}"#,
        );
        let page = decode_collection::<Row>(&r, "mailboxes").unwrap();
        assert_eq!(page.next_link.as_deref(), Some("https://o/api/data/v9.2/mailboxes?$skiptoken=a"));
    }

    #[test]
    fn a_page_read_without_its_row_type_reports_as_a_typed_one() {
        let mut names = Vec::new();
        let mut read = |page: Obj<'_>| -> Result<(), JsonError> {
            names.extend(page.req::<Vec<Row>>("value")?);
            Ok(())
        };
        let r = json(200, r#"{"value":[{"name":"a"}],"@odata.nextLink":"https://o/next"}"#);
        assert_eq!(decode_page(&r, "mailboxes", &mut read), Ok(Some("https://o/next".to_owned())));
        for body in [r#"{"value":[{"name":"b"},{"name":7}]}"#, "[]", r#"{"value":[],"@odata.nextLink":3}"#] {
            let r = json(200, body);
            let typed = decode_collection::<Row>(&r, "mailboxes").unwrap_err();
            assert_eq!(decode_page(&r, "mailboxes", &mut read), Err(typed), "{body}");
        }
        let r = json(200, r#"{"error":{"code":"0x1","message":"m"}}"#);
        assert!(matches!(decode_page(&r, "mailboxes", &mut read), Err(Error::Http { status: 200, .. })));
        // A page with a bad row yields none of its rows.
        assert_eq!(names, vec![Row { name: "a".into() }]);
    }
}
