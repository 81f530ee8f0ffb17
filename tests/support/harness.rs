//! [`Harness`]: one browser test's world (the simulator over TLS, chromedriver, headless Chromium with
//! the built extension) in one value that ends all three, also when the test panics.

use super::{Driver, browser_in, console_problems, extension_id, root, start_chromedriver, start_sim};
use dataverse_sim::Sim;
use fantoccini::Client;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The built extension, `dist/` (absolute: Chromium derives the extension id from the path).
pub fn dist() -> PathBuf {
    let dist = root().join("dist").canonicalize().expect("dist/ is missing: run `cargo xtask build`");
    assert!(dist.join("manifest.json").is_file(), "dist/ has no manifest.json: run `cargo xtask build`");
    dist
}

/// A running simulator, chromedriver and Chromium, with `hosts` mapped to the simulator.
///
/// [`Harness::finish`] closes the browser, stops the simulator and returns the console problems
/// [`Harness::console`] collected. If the test ends another way (a failed assertion), dropping the
/// harness ends the WebDriver session (so chromedriver quits Chromium), stops the simulator and
/// kills chromedriver.
pub struct Harness {
    /// The WebDriver client of the browser.
    pub client: Client,
    /// The simulator (a handle: the test may change it or read its journal while it serves).
    pub sim: Sim,
    /// The loopback port the simulator serves TLS on.
    pub sim_port: u16,
    /// `dist/`.
    pub dist: PathBuf,
    /// The extension's id (also when it is not loaded, for the web-app mode's tests).
    pub ext: String,
    problems: Mutex<Vec<String>>,
    /// The WebDriver session still open, ended on drop unless [`Harness::finish`] ended it.
    session: Option<String>,
    driver_port: u16,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _driver: Driver,
}

impl Harness {
    /// `sim` on a free port and Chromium with the built extension loaded.
    pub async fn extension(sim: Sim, hosts: &[&str]) -> Harness {
        Harness::start(sim, hosts, true, None).await
    }

    /// [`Harness::extension`] in a browser whose own language is `lang` (see [`super::browser_in`]).
    pub async fn extension_in(sim: Sim, hosts: &[&str], lang: &str) -> Harness {
        Harness::start(sim, hosts, true, Some(lang)).await
    }

    /// `sim` on a free port and Chromium without the extension (the web-app mode).
    pub async fn web(sim: Sim, hosts: &[&str]) -> Harness {
        Harness::start(sim, hosts, false, None).await
    }

    async fn start(sim: Sim, hosts: &[&str], load_extension: bool, lang: Option<&str>) -> Harness {
        let dist = dist();
        let (sim_port, stop, server) = start_sim(sim.clone()).await;
        let (driver, driver_port) = start_chromedriver().await;
        let extension = load_extension.then_some(dist.as_path());
        let client = browser_in(driver_port, extension, sim_port, hosts, lang).await;
        let session = client.session_id().await.ok().flatten();
        Harness {
            client,
            sim,
            sim_port,
            ext: extension_id(&dist),
            dist,
            problems: Mutex::new(Vec::new()),
            session,
            driver_port,
            stop: Some(stop),
            server: Some(server),
            _driver: driver,
        }
    }

    /// Reads the browser's console since the last read (every page) and keeps what must fail the
    /// test, each line prefixed with `page`; `expected` excuses errors a flow provokes on purpose
    /// (see [`console_problems`]).
    pub async fn console(&self, page: &str, expected: &[&str]) {
        let problems = console_problems(&self.client, page, expected).await;
        self.problems.lock().unwrap().extend(problems);
    }

    /// Chromium's profile directory for this harness (see [`super::profile_dir`]).
    pub fn profile(&self) -> PathBuf {
        super::profile_dir(self.sim_port)
    }

    /// Closes the browser and stops the simulator; returns the console problems collected.
    pub async fn finish(mut self) -> Vec<String> {
        self.client.clone().close().await.unwrap();
        self.session = None;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        std::mem::take(&mut *self.problems.lock().unwrap())
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            end_session(self.driver_port, &session);
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// `DELETE /session/<id>` to chromedriver, without the async runtime (which may be unwinding): ends
/// the session, and chromedriver quits the browser.
fn end_session(driver_port: u16, session: &str) {
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", driver_port)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{driver_port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read_to_end(&mut Vec::new());
    }
}
