//! Shared browser helpers for the end-to-end tests and the panel benchmark: Debian chromedriver +
//! headless Chromium with the built extension loaded, the simulator mapped to `*.crm.dynamics.com`.
#![allow(dead_code, unreachable_pub)]

use fantoccini::{Client, ClientBuilder, Locator};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Chromium derives an unpacked extension's id from its absolute path: the first 32 hex digits of
/// SHA-256(path), with 0-f mapped to a-p.
pub fn extension_id(dist: &Path) -> String {
    let digest = Sha256::digest(dist.to_string_lossy().as_bytes());
    digest.iter().take(16).flat_map(|b| [b >> 4, b & 0xf]).map(|n| char::from(b'a' + n)).collect()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub async fn start_chromedriver() -> (Driver, u16) {
    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: run `cargo xtask setup`"),
    );
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (driver, port);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start listening on port {port}");
}

pub async fn browser(driver_port: u16, dist: &Path, sim_port: u16, hosts: &[&str]) -> Client {
    browser_with(driver_port, Some(dist), sim_port, hosts).await
}

/// Headless Chromium with `extension` loaded (or none: a plain browser for the web-app mode), and
/// `hosts` mapped to the simulator on `sim_port`.
pub async fn browser_with(
    driver_port: u16,
    extension: Option<&Path>,
    sim_port: u16,
    hosts: &[&str],
) -> Client {
    let profile = std::env::temp_dir().join(format!("syncready-e2e-{}-{sim_port}", std::process::id()));
    let rules = hosts.iter().map(|h| format!("MAP {h} 127.0.0.1:{sim_port}")).collect::<Vec<_>>().join(", ");
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1100,900",
        "--ignore-certificate-errors",
    ]
    .map(String::from)
    .to_vec();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!("--host-resolver-rules={rules}"));
    if let Some(dir) = extension {
        args.push(format!("--load-extension={}", dir.display()));
        args.push(format!("--disable-extensions-except={}", dir.display()));
    }
    let caps = serde_json::json!({
        "acceptInsecureCerts": true,
        "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args }
    });
    let serde_json::Value::Object(caps) = caps else { unreachable!() };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("could not start Chromium through chromedriver")
}

/// Starts `sim` over TLS on a free loopback port: `(port, stop, server)`; send on `stop` to end it.
pub async fn start_sim(
    sim: dataverse_sim::Sim,
) -> (u16, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dataverse_sim::serve(listener, sim, true, async move {
        let _ = stopped.await;
    }));
    (port, stop, server)
}

/// Waits for an element matching `css` and returns the value of `attr` once it is present.
pub async fn wait_attr(client: &Client, css: &str, attr: &str) -> String {
    let element = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
    element.attr(attr).await.unwrap().unwrap_or_else(|| panic!("{css} has no {attr}"))
}

pub async fn text(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

pub async fn screenshot(client: &Client, name: &str) {
    let dir = root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

pub async fn click(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("could not click {css}: {e}"));
}

/// Waits until the element matching `css` has `attr` equal to `want`; returns the last value seen.
pub async fn wait_attr_eq(client: &Client, css: &str, attr: &str, want: &str, secs: u64) -> String {
    let mut last = String::new();
    for _ in 0..secs * 5 {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.attr(attr).await.ok().flatten().unwrap_or_default();
            if last == want {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    last
}
