//! `$batch` (§9.7): multipart/mixed in and out, change sets with `Content-ID` and `$n` references,
//! atomic change sets, at most 1000 operations, `Prefer: odata.continue-on-error`.
//!
//! Each operation runs through [`crate::ops::api::api`], the same code a direct request uses. The batch counts as
//! one request for the rate limiter; its cost is the envelope's plus every operation's.

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::ApiError;
use crate::message::{Req, Resp};
use crate::ops::api::api;
use crate::ops::call::{Call, Ctx, Outcome};
use crate::ops::prefer::Prefer;
use crate::sim::State;

/// Most operations a batch may hold.
pub(crate) const MAX_OPERATIONS: usize = 1000;

/// One operation parsed from the body.
#[derive(Debug, Clone)]
struct Op {
    method: String,
    /// URL as written in the part.
    url: String,
    headers: HeaderMap,
    body: Vec<u8>,
    content_id: Option<String>,
}

/// A top-level part: one operation or a change set.
#[derive(Debug, Clone)]
enum Part {
    Single(Op),
    ChangeSet(Vec<Op>),
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Splits a multipart body into its parts (text between delimiter lines).
fn split_parts(body: &str, boundary: &str) -> Result<Vec<String>, ApiError> {
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<String> = None;
    let mut closed = false;
    for line in body.split('\n') {
        let trimmed = line.trim_end_matches('\r');
        if trimmed == delim || trimmed == format!("{delim}--") {
            if let Some(p) = current.take() {
                parts.push(p);
            }
            if trimmed.ends_with("--") && trimmed.len() == delim.len() + 2 {
                closed = true;
                break;
            }
            current = Some(String::new());
            continue;
        }
        if let Some(p) = current.as_mut() {
            p.push_str(trimmed);
            p.push('\n');
        }
    }
    if !closed {
        return Err(ApiError::bad_query(format!(
            "The batch body is missing its closing delimiter '{delim}--'."
        )));
    }
    Ok(parts)
}

/// Splits "headers \n\n rest".
fn split_headers(text: &str) -> (Vec<(String, String)>, String) {
    let mut headers = Vec::new();
    let mut lines = text.split('\n');
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let rest: Vec<&str> = lines.collect();
    (headers, rest.join("\n"))
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn parse_op(part: &str, outer_id: Option<String>) -> Result<Op, ApiError> {
    let (mime, http) = split_headers(part);
    let content_id = header(&mime, "content-id").map(str::to_string).or(outer_id);
    let mut lines = http.split('\n').skip_while(|l| l.trim().is_empty());
    let request_line = lines.next().unwrap_or("").trim();
    let mut it = request_line.split_whitespace();
    let (Some(method), Some(url)) = (it.next(), it.next()) else {
        return Err(ApiError::bad_query(format!(
            "The request line '{request_line}' of a batch part is not valid."
        )));
    };
    let rest: Vec<&str> = lines.collect();
    let (inner, body) = split_headers(&rest.join("\n"));
    let mut headers = HeaderMap::new();
    for (k, v) in &inner {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v.as_str())) {
            headers.append(k, v);
        }
    }
    let content_id = content_id.or_else(|| header(&inner, "content-id").map(str::to_string));
    let body = body.trim_end_matches(['\n', '\r']).to_string();
    Ok(Op {
        method: method.to_ascii_uppercase(),
        url: url.to_string(),
        headers,
        body: body.into_bytes(),
        content_id,
    })
}

fn parse(body: &str, boundary: &str) -> Result<Vec<Part>, ApiError> {
    let mut parts = Vec::new();
    for raw in split_parts(body, boundary)? {
        let (mime, rest) = split_headers(&raw);
        let ct = header(&mime, "content-type").unwrap_or("");
        if ct.to_ascii_lowercase().starts_with("multipart/mixed") {
            let Some(cs) = boundary_of(ct) else {
                return Err(ApiError::bad_query("A change set has no boundary."));
            };
            let mut ops = Vec::new();
            for op in split_parts(&rest, &cs)? {
                let op = parse_op(&op, None)?;
                if op.method == "GET" {
                    return Err(ApiError::bad_query("A change set cannot contain a GET request."));
                }
                if op.content_id.is_none() {
                    return Err(ApiError::bad_query(
                        "Each request in a change set must have a Content-ID header.",
                    ));
                }
                ops.push(op);
            }
            parts.push(Part::ChangeSet(ops));
        } else {
            parts.push(Part::Single(parse_op(&raw, None)?));
        }
    }
    Ok(parts)
}

fn boundary_of(ct: &str) -> Option<String> {
    boundary(ct)
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn render_response(out: &mut String, resp: &Resp, content_id: Option<&str>) {
    out.push_str("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = content_id {
        out.push_str(&format!("Content-ID: {id}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status)));
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    if !resp.body.is_empty() {
        out.push_str(&String::from_utf8_lossy(&resp.body));
        out.push_str("\r\n");
    }
}

/// Resolves a part's URL to the path after `/api/data/v9.x/` and its query, applying `$n` references.
fn resolve_url(url: &str, refs: &[(String, String)]) -> Result<(String, String), ApiError> {
    let mut path = url.to_string();
    if let Some(i) = path.find("/api/data/") {
        path = path[i + "/api/data/".len()..].to_string();
        path = path.split_once('/').map(|(_, r)| r.to_string()).unwrap_or_default();
    }
    let path = path.trim_start_matches('/').to_string();
    let path = if let Some(r) = path.strip_prefix('$') {
        let (n, tail) = r.split_at(r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len()));
        let Some((_, target)) = refs.iter().find(|(id, _)| id == n) else {
            return Err(ApiError::bad_query(format!(
                "Content-ID Reference: '${n}' does not exist in the batch context."
            )));
        };
        format!("{target}{tail}")
    } else {
        path
    };
    Ok(match path.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (path, String::new()),
    })
}

/// Replaces `"$n"` bind values in a JSON body with the entity path of the referenced operation.
fn resolve_body(body: &[u8], refs: &[(String, String)]) -> Result<Vec<u8>, ApiError> {
    let mut text = String::from_utf8_lossy(body).into_owned();
    for (id, target) in refs {
        text = text.replace(&format!("\"${id}\""), &format!("\"/{target}\""));
    }
    if let Some(i) = text.find("\"$") {
        let n: String = text[i + 2..].chars().take_while(char::is_ascii_digit).collect();
        if !n.is_empty() {
            return Err(ApiError::bad_query(format!(
                "Content-ID Reference: '${n}' does not exist in the batch context."
            )));
        }
    }
    Ok(text.into_bytes())
}

/// Runs one operation; returns the response and its cost.
fn run_op(st: &mut State, ctx: &Ctx, op: &Op, refs: &[(String, String)]) -> Outcome {
    let (path, query) = match resolve_url(&op.url, refs) {
        Ok(x) => x,
        Err(e) => return e.into(),
    };
    if path == "$batch" {
        return ApiError::bad_query("A batch cannot contain another batch.").into();
    }
    let body = match resolve_body(&op.body, refs) {
        Ok(b) => b,
        Err(e) => return e.into(),
    };
    let prefer = Prefer::parse(op.headers.get_all("prefer").iter().filter_map(|v| v.to_str().ok()));
    let call =
        Call { method: &op.method, path: &path, query: &query, headers: &op.headers, body: &body, prefer };
    api(st, ctx, &call)
}

/// The entity path (`mailboxes(<id>)`) a response names, for `$n` references.
fn entity_path(resp: &Resp) -> Option<String> {
    let id = resp.get_header("OData-EntityId")?;
    let i = id.find("/api/data/")?;
    id[i + "/api/data/".len()..].split_once('/').map(|(_, r)| r.to_string())
}

/// Handles `POST $batch`. Returns the outcome and the number of operations.
pub(crate) fn run(st: &mut State, ctx: &Ctx, req: &Req, outer: &Prefer) -> (Outcome, usize) {
    if req.method != "POST" {
        return (ApiError::method_not_allowed(&req.method, "$batch").into(), 0);
    }
    let envelope = st.config.limits.cost.batch.as_millis() as i64;
    let Some(b) = req.header("content-type").and_then(boundary) else {
        return (
            ApiError::bad_query(
                "The batch request must have a 'Content-Type' header of 'multipart/mixed' with a boundary.",
            )
            .into(),
            0,
        );
    };
    let body = String::from_utf8_lossy(&req.body).into_owned();
    let parts = match parse(&body, &b) {
        Ok(p) => p,
        Err(e) => return (e.into(), 0),
    };
    let count: usize = parts.iter().map(|p| if let Part::ChangeSet(ops) = p { ops.len() } else { 1 }).sum();
    if count > MAX_OPERATIONS {
        return (
            ApiError::bad_query(format!(
                "The number of requests in a batch exceeded the limit of {MAX_OPERATIONS}."
            ))
            .into(),
            count,
        );
    }
    let failing = st.faults.take_batch_items();
    let fail_at = |n: usize| failing.iter().find(|(i, _)| *i == n).map(|(_, s)| *s);
    let injected = |status: u16| {
        Outcome::from(ApiError::new(
            status,
            "0x80040216",
            "An unexpected error occurred. (injected by dataverse-sim)",
        ))
    };

    let resp_boundary = format!("batchresponse_{}", st.rng.guid());
    let mut out = String::new();
    let mut cost = envelope;
    let mut refs: Vec<(String, String)> = Vec::new();
    let mut n = 0usize;
    let mut failed = false;
    for part in &parts {
        let mut chunk = String::new();
        let mut part_failed = false;
        match part {
            Part::Single(op) => {
                n += 1;
                let o = match fail_at(n) {
                    Some(s) => injected(s),
                    None => run_op(st, ctx, op, &refs),
                };
                cost += o.cost_ms;
                part_failed = o.resp.status >= 400;
                chunk.push_str(&format!("--{resp_boundary}\r\n"));
                render_response(&mut chunk, &o.resp, None);
            }
            Part::ChangeSet(ops) => {
                // Atomicity by an undo log: cloning a 50,000-row org per change set would be far too slow.
                let scheduled = st.orgs.get_mut(ctx.org).map(|o| o.begin()).unwrap_or_default();
                let cs = format!("changesetresponse_{}", st.rng.guid());
                let mut inner = String::new();
                let mut error: Option<Resp> = None;
                let mut local_refs = refs.clone();
                for op in ops {
                    n += 1;
                    let o = match fail_at(n) {
                        Some(s) => injected(s),
                        None => run_op(st, ctx, op, &local_refs),
                    };
                    cost += o.cost_ms;
                    if o.resp.status >= 400 {
                        error = Some(o.resp);
                        break;
                    }
                    if let (Some(id), Some(path)) = (&op.content_id, entity_path(&o.resp)) {
                        local_refs.push((id.clone(), path));
                    }
                    inner.push_str(&format!("--{cs}\r\n"));
                    render_response(&mut inner, &o.resp, op.content_id.as_deref());
                }
                chunk.push_str(&format!("--{resp_boundary}\r\n"));
                match error {
                    Some(resp) => {
                        // Atomic: roll the whole change set back and answer with the failure alone.
                        if let Some(org) = st.orgs.get_mut(ctx.org) {
                            org.rollback(scheduled);
                        }
                        part_failed = true;
                        render_response(&mut chunk, &resp, None);
                    }
                    None => {
                        if let Some(org) = st.orgs.get_mut(ctx.org) {
                            org.commit();
                        }
                        refs = local_refs;
                        chunk.push_str(&format!("Content-Type: multipart/mixed; boundary={cs}\r\n\r\n"));
                        chunk.push_str(&inner);
                        chunk.push_str(&format!("--{cs}--\r\n"));
                    }
                }
            }
        }
        if part_failed && !outer.continue_on_error {
            // Without continue-on-error, processing stops and the answer holds the failed part only.
            out = chunk;
            failed = true;
            break;
        }
        out.push_str(&chunk);
    }
    out.push_str(&format!("--{resp_boundary}--\r\n"));
    let status = if failed { 400 } else { 200 };
    let resp = Resp::text(status, &format!("multipart/mixed; boundary={resp_boundary}"), out.into_bytes())
        .header("OData-Version", "4.0");
    (Outcome { resp, cost_ms: cost }, count)
}
