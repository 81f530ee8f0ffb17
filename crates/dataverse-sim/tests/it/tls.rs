use std::sync::Arc;

use dataverse_sim::{Scenario, Sim, serve};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Accepts any certificate (the simulator's is self-signed), like `--ignore-certificate-errors`.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &self.0.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

async fn start(tls: bool) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let sim = Sim::builder().org("contoso", Scenario::healthy("Contoso")).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, sim, tls, async move {
        let _ = rx.await;
    }));
    (addr, tx)
}

fn request(host: &str) -> String {
    format!("GET /main.aspx HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

#[tokio::test]
async fn serve_answers_over_tls_on_port_0_with_a_secure_cookie() {
    let (addr, stop) = start(true).await;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut tls =
        connector.connect(ServerName::try_from("contoso.crm.dynamics.com").unwrap(), tcp).await.unwrap();
    tls.write_all(request("contoso.crm.dynamics.com").as_bytes()).await.unwrap();
    let mut out = String::new();
    tls.read_to_string(&mut out).await.ok();
    assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
    assert!(out.to_ascii_lowercase().contains("; path=/; httponly; secure; samesite=none"), "{out}");
    assert!(out.contains("<h1>Contoso</h1>"));
    let _ = stop.send(());
}

#[tokio::test]
async fn serve_answers_plain_http_on_port_0() {
    let (addr, stop) = start(false).await;
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request(&format!("127.0.0.1:{}", addr.port())).as_bytes()).await.unwrap();
    let mut out = String::new();
    tcp.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
    assert!(out.contains("SameSite=Lax"));
    let _ = stop.send(());
}
