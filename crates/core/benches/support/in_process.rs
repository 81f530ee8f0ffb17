//! One core [`Request`] sent to the simulator's router in process (no socket), as the org `host`
//! signed in with the session cookie `cookie`; shared by the benchmarks that drive the core against
//! the simulator (`bulk_approve`, `tenant_read`). Included with `#[path]` (benches are separate
//! crates).

use axum::body::Body;
use syncready_core::http::{API_PATH, Method, Request, Response, TransportError};
use tower::ServiceExt;

/// Sends `request` through `router` and reads the whole answer back. A path that is already a
/// URL keeps what follows the host (`$batch` bodies name absolute URLs); any other path is under
/// the Web API root.
pub(crate) async fn send(
    router: &axum::Router,
    host: &str,
    cookie: &str,
    request: Request,
) -> Result<Response, TransportError> {
    let method = match request.method {
        Method::Get => "GET",
        Method::Patch => "PATCH",
        Method::Post => "POST",
        Method::Delete => "DELETE",
    };
    let uri = match request.path.split_once(".com") {
        Some((_, p)) if request.path.starts_with("http") => p.to_owned(),
        _ => format!("{API_PATH}{}", request.path),
    };
    let mut builder = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", host)
        .header("cookie", format!("CrmOwinAuth={cookie}"));
    for (k, v) in &request.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let http = builder
        .body(Body::from(request.body.unwrap_or_default()))
        .map_err(|e| TransportError::Network(e.to_string()))?;
    let Ok(answer) = router.clone().oneshot(http).await;
    let status = answer.status().as_u16();
    let headers =
        answer.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
    let bytes = axum::body::to_bytes(answer.into_body(), usize::MAX)
        .await
        .map_err(|e| TransportError::Network(e.to_string()))?;
    Ok(Response { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() })
}
