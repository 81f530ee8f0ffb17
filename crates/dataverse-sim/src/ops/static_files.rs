//! Files of the extension build under `/syncready/` (web-app mode).

use crate::message::{Req, Resp};
use crate::sim::State;

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves a file from the static directory, refusing `..` and absolute tricks.
pub(crate) fn serve(st: &State, req: &Req) -> Resp {
    let not_found = |why: &str| {
        Resp::text(404, "text/plain; charset=utf-8", format!("dataverse-sim: {why}: {}\n", req.path))
    };
    let Some(dir) = &st.static_dir else {
        return not_found("no static directory configured (--static DIR)");
    };
    if req.method != "GET" && req.method != "HEAD" {
        return Resp::new(405);
    }
    let rel = crate::url::decode_path(
        req.path.strip_prefix("/syncready").unwrap_or(&req.path).trim_start_matches('/'),
    );
    let rel = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel };
    if rel.split('/').any(|seg| seg == ".." || seg.contains('\\')) {
        return not_found("refused path");
    }
    match std::fs::read(dir.join(&rel)) {
        Ok(bytes) => Resp::text(200, content_type(&rel), bytes).header("Cache-Control", "no-cache"),
        Err(_) => not_found("no such file"),
    }
}
