//! `$batch` (multipart/mixed) encoding and decoding (reference §9.7).
//!
//! [`encode`] turns [`Request`] values into one `POST $batch` request: the boundary comes from a counter
//! the caller passes (no RNG), and change sets are optional. Only operations inside a change set carry
//! a `Content-ID`, as in Microsoft's examples: "Change sets can also include a Content-ID header"
//! (<https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api#change-sets>);
//! the top-level requests of those examples have none.
//! [`decode`] turns the multipart answer into one [`Response`] per part, in order, flattening change-set
//! answers (`changesetresponse_…`). The multipart framing is split on delimiter lines; the HTTP message
//! inside each part (status line, headers) is parsed with `httparse`, never by hand.

use crate::http::{API_PATH, Method, Request, Response};

/// Most operations Dataverse accepts in one batch.
pub const MAX_OPERATIONS: usize = 1000;

/// One top-level entry of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchEntry {
    /// An independent request (its failure does not affect the others with continue-on-error).
    Single(Request),
    /// An atomic change set (all or nothing; no GETs).
    ChangeSet(Vec<Request>),
}

/// The answer to one operation of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartResponse {
    /// The `Content-ID` the answer carries (operations in change sets), if any.
    pub content_id: Option<String>,
    /// The embedded HTTP response.
    pub response: Response,
}

/// Why a `$batch` answer could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchDecodeError {
    /// The `Content-Type` is not `multipart/mixed` with a boundary.
    #[error("the batch answer is not multipart/mixed with a boundary (content type `{0}`)")]
    NotMultipart(String),
    /// The closing delimiter is missing (the answer was cut off).
    #[error("the batch answer has no closing delimiter `--{0}--`")]
    Unterminated(String),
    /// A part's embedded HTTP response could not be parsed.
    #[error("part {index} of the batch answer is not an HTTP response: {reason}")]
    BadPart {
        /// 0-based index of the top-level part.
        index: usize,
        /// What is wrong.
        reason: String,
    },
}

/// The boundary for batch number `counter`.
pub fn boundary(counter: u64) -> String {
    format!("batch_{counter:016x}")
}

fn part_path(path: &str) -> String {
    if path.starts_with("https://") || path.starts_with("http://") {
        path.to_owned()
    } else {
        format!("{API_PATH}{}", path.trim_start_matches('/'))
    }
}

fn write_operation(out: &mut String, request: &Request, content_id: Option<usize>) {
    out.push_str("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = content_id {
        out.push_str(&format!("Content-ID: {id}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&format!("{} {} HTTP/1.1\r\n", request.method.as_str(), part_path(&request.path)));
    let has_type = request.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("Content-Type"));
    for (name, value) in &request.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    match &request.body {
        Some(body) => {
            if !has_type {
                out.push_str("Content-Type: application/json; type=entry\r\n");
            }
            out.push_str("\r\n");
            out.push_str(body);
            out.push_str("\r\n");
        }
        None => out.push_str("\r\n"),
    }
}

/// Encodes `entries` into one `POST $batch` with boundary [`boundary`]`(counter)`. Operations in change
/// sets get Content-IDs 1, 2, … in order (unique in the batch); top-level requests get none. With `continue_on_error`, the request carries
/// `Prefer: odata.continue-on-error` so that one failed operation does not stop the rest.
pub fn encode(counter: u64, entries: &[BatchEntry], continue_on_error: bool) -> Request {
    let outer = boundary(counter);
    let mut body = String::new();
    let mut content_id = 0usize;
    for (i, entry) in entries.iter().enumerate() {
        body.push_str(&format!("--{outer}\r\n"));
        match entry {
            BatchEntry::Single(request) => write_operation(&mut body, request, None),
            BatchEntry::ChangeSet(requests) => {
                let cs = format!("changeset_{counter:016x}_{i}");
                body.push_str(&format!("Content-Type: multipart/mixed; boundary=\"{cs}\"\r\n\r\n"));
                for request in requests {
                    content_id += 1;
                    body.push_str(&format!("--{cs}\r\n"));
                    write_operation(&mut body, request, Some(content_id));
                }
                body.push_str(&format!("--{cs}--\r\n"));
            }
        }
    }
    body.push_str(&format!("--{outer}--\r\n"));
    let mut request = Request {
        method: Method::Post,
        path: "$batch".to_owned(),
        headers: Request::standard_headers(),
        body: Some(body),
    };
    request = request.header("Content-Type", format!("multipart/mixed; boundary=\"{outer}\""));
    if continue_on_error {
        request = request.header("Prefer", "odata.continue-on-error");
    }
    request
}

/// The boundary parameter of a `multipart/mixed` content type.
pub fn boundary_of(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';').map(str::trim);
    let kind = params.next()?;
    if !kind.eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && !v.is_empty()).then(|| v.to_owned())
    })
}

/// Splits a multipart body into the raw parts between delimiter lines (`--b` at the start of a line).
/// `Err(())` when the closing delimiter `--b--` never comes.
fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, ()> {
    let delimiter = format!("--{boundary}");
    let delim = delimiter.as_bytes();
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut line_start = 0usize;
    while line_start <= body.len() {
        let line_end = body[line_start..].iter().position(|&b| b == b'\n').map_or(body.len(), |p| line_start + p);
        let line = &body[line_start..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(delim) {
            let rest_trimmed = trim_ascii_end(rest);
            let closing = rest_trimmed == b"--";
            if closing || rest_trimmed.is_empty() {
                if let Some(s) = start {
                    // The CRLF before a delimiter belongs to the delimiter.
                    let mut end = line_start;
                    if end > s && body[end - 1] == b'\n' {
                        end -= 1;
                        if end > s && body[end - 1] == b'\r' {
                            end -= 1;
                        }
                    }
                    parts.push(&body[s..end.max(s)]);
                }
                if closing {
                    return Ok(parts);
                }
                start = Some((line_end + 1).min(body.len()));
            }
        }
        if line_end >= body.len() {
            break;
        }
        line_start = line_end + 1;
    }
    Err(())
}

fn trim_ascii_end(s: &[u8]) -> &[u8] {
    let n = s.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |p| p + 1);
    &s[..n]
}

const MAX_HEADERS: usize = 64;

type Headers = Vec<(String, String)>;

/// Parses MIME headers at the start of `part`; returns them and the rest.
fn mime_headers(part: &[u8]) -> Result<(Headers, &[u8]), String> {
    // A part with no headers at all starts with the blank line.
    if let Some(rest) = part.strip_prefix(b"\r\n").or_else(|| part.strip_prefix(b"\n")) {
        return Ok((Vec::new(), rest));
    }
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::parse_headers(part, &mut storage) {
        Ok(httparse::Status::Complete((used, headers))) => Ok((owned(headers), &part[used..])),
        Ok(httparse::Status::Partial) => Err("the part's headers are not terminated by a blank line".to_owned()),
        Err(e) => Err(format!("bad part headers: {e}")),
    }
}

fn owned(headers: &[httparse::Header<'_>]) -> Vec<(String, String)> {
    headers.iter().map(|h| (h.name.to_owned(), String::from_utf8_lossy(h.value).trim().to_owned())).collect()
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Parses one `application/http` part: MIME headers, then an HTTP/1.1 response.
fn http_part(part: &[u8]) -> Result<PartResponse, String> {
    let (mime, rest) = mime_headers(part)?;
    let content_id = find(&mime, "Content-ID").map(str::to_owned);
    // Blank lines before the status line are tolerated.
    let skip = rest.iter().position(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(rest.len());
    let rest = &rest[skip..];
    match parse_response(rest)? {
        Some((status, headers, used)) => {
            let body = String::from_utf8_lossy(&rest[used..]).into_owned();
            Ok(PartResponse { content_id, response: Response { status, headers, body } })
        }
        None => {
            // A response without a body ends with the blank line, whose CRLF the delimiter claimed.
            let mut completed = rest.to_vec();
            completed.extend_from_slice(b"\r\n");
            match parse_response(&completed)? {
                Some((status, headers, _)) => {
                    Ok(PartResponse { content_id, response: Response { status, headers, body: String::new() } })
                }
                None => Err("the embedded HTTP response is incomplete".to_owned()),
            }
        }
    }
}

type Parsed = (u16, Vec<(String, String)>, usize);

/// Status, headers and the length of the head; `None` when the head is incomplete.
fn parse_response(bytes: &[u8]) -> Result<Option<Parsed>, String> {
    let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut storage);
    match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(used)) => {
            let status = parsed.code.ok_or_else(|| "the embedded HTTP response has no status".to_owned())?;
            Ok(Some((status, owned(parsed.headers), used)))
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(e) => Err(format!("the embedded HTTP response is malformed: {e}")),
    }
}

/// Decodes a `$batch` answer into one response per operation, in order; change-set answers are
/// flattened in place (a failed change set answers with its one error response).
pub fn decode(response: &Response) -> Result<Vec<PartResponse>, BatchDecodeError> {
    let content_type = response.header("Content-Type").unwrap_or("");
    let outer = boundary_of(content_type).ok_or_else(|| BatchDecodeError::NotMultipart(content_type.to_owned()))?;
    let parts =
        split_multipart(response.body.as_bytes(), &outer).map_err(|()| BatchDecodeError::Unterminated(outer))?;
    let mut out = Vec::with_capacity(parts.len());
    for (index, part) in parts.into_iter().enumerate() {
        let bad = |reason: String| BatchDecodeError::BadPart { index, reason };
        let (mime, rest) = mime_headers(part).map_err(bad)?;
        match find(&mime, "Content-Type").and_then(boundary_of) {
            Some(inner) => {
                let ops = split_multipart(rest, &inner)
                    .map_err(|()| bad(format!("the change set has no closing delimiter `--{inner}--`")))?;
                for op in ops {
                    out.push(http_part(op).map_err(bad)?);
                }
            }
            None => out.push(http_part(part).map_err(bad)?),
        }
    }
    Ok(out)
}

/// Encodes answers the way Dataverse does (test servers and property tests use it). Each inner `Vec`
/// with more than one response becomes a change-set answer.
pub fn encode_response(counter: u64, groups: &[Vec<PartResponse>]) -> Response {
    let outer = format!("batchresponse_{counter:016x}");
    let mut body = String::new();
    for (i, group) in groups.iter().enumerate() {
        body.push_str(&format!("--{outer}\r\n"));
        if group.len() == 1 {
            if let Some(p) = group.first() {
                write_response(&mut body, p);
            }
        } else {
            let cs = format!("changesetresponse_{counter:016x}_{i}");
            body.push_str(&format!("Content-Type: multipart/mixed; boundary={cs}\r\n\r\n"));
            for p in group {
                body.push_str(&format!("--{cs}\r\n"));
                write_response(&mut body, p);
            }
            body.push_str(&format!("--{cs}--\r\n"));
        }
    }
    body.push_str(&format!("--{outer}--\r\n"));
    Response {
        status: 200,
        headers: vec![
            ("Content-Type".to_owned(), format!("multipart/mixed; boundary={outer}")),
            ("OData-Version".to_owned(), "4.0".to_owned()),
        ],
        body,
    }
}

fn write_response(out: &mut String, p: &PartResponse) {
    out.push_str("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = &p.content_id {
        out.push_str(&format!("Content-ID: {id}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&format!("HTTP/1.1 {} {}\r\n", p.response.status, reason(p.response.status)));
    for (k, v) in &p.response.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&p.response.body);
    if !p.response.body.is_empty() {
        out.push_str("\r\n");
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        412 => "Precondition Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests;
