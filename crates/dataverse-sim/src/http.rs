//! The thin HTTP adapter: axum in, plain request/response values ([`crate::message`]) through the
//! engine, axum out; plus
//! [`serve`] for real sockets (plain or TLS).

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::error::ApiError;
use crate::message::{DROP_MARKER, Req, Resp};
use crate::sim::Sim;

/// Largest request body accepted (a 1000-part `$batch` fits easily).
const MAX_BODY: usize = 64 * 1024 * 1024;

impl IntoResponse for Resp {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::from(self.body));
        *res.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (k, v) in self.headers {
            if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                res.headers_mut().append(k, v);
            }
        }
        res
    }
}

/// The plain router: handlers see scheme `http`, unless the request URI is absolute and says `https`.
pub fn app(sim: Sim) -> Router {
    router(sim, "http")
}

fn router(sim: Sim, scheme: &'static str) -> Router {
    Router::new().fallback(move |req: Request| {
        let sim = sim.clone();
        async move { handle(sim, scheme, req).await }
    })
}

async fn handle(sim: Sim, scheme: &'static str, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Resp::from(ApiError::new(413, "0x8004431a", "The request body is too large."))
            .into_response();
    };
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_string());
    // An absolute request URI (in-process callers may send `https://org.crm.dynamics.com/...`) names its
    // own scheme; otherwise the listener decides.
    let scheme = match parts.uri.scheme_str() {
        Some("https") => "https",
        Some("http") => "http",
        _ => scheme,
    };
    let req = Req {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body: body.to_vec(),
        scheme,
        host,
    };
    crate::ops::process(&sim, req).await.into_response()
}

/// Serves the simulator on `listener` until `shutdown` resolves.
///
/// With `tls`, a self-signed certificate for `*.crm.dynamics.com`, `*.dynamics.com`, `localhost` and
/// `127.0.0.1` is made at start-up (clients must skip verification, e.g. `--ignore-certificate-errors`).
pub async fn serve(
    listener: TcpListener,
    sim: Sim,
    tls: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = if tls { Some(tokio_rustls::TlsAcceptor::from(Arc::new(tls_config()?))) } else { None };
    let app = router(sim, if tls { "https" } else { "http" });
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                // Accept errors (e.g. too many open files) are transient; keep listening.
                Err(_) => continue,
            },
        };
        let app = app.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        serve_connection(TokioIo::new(stream), app).await;
                    }
                }
                None => serve_connection(TokioIo::new(stream), app).await,
            }
        });
    }
}

async fn serve_connection<I>(io: I, app: Router)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let app = app.clone();
        async move {
            let Ok(res) = tower::ServiceExt::oneshot(app, req.map(Body::new)).await;
            if res.headers().contains_key(DROP_MARKER) {
                // The injected fault: close the connection without answering.
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "fault: drop connection",
                ));
            }
            Ok::<_, std::io::Error>(res)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(io, service).await;
}

fn tls_config() -> std::io::Result<rustls::ServerConfig> {
    let names = vec![
        "*.crm.dynamics.com".to_string(),
        "*.dynamics.com".to_string(),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
    ];
    let cert = rcgen::generate_simple_self_signed(names).map_err(std::io::Error::other)?;
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .map_err(std::io::Error::other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
