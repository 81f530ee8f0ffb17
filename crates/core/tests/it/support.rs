//! Fake transport and executor shared by the integration tests.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use syncready_core::http::{API_PATH, Request, Response, Transport, TransportError};

/// Reads `tests/data/<name>`.
pub(crate) fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// A JSON response as Dataverse sends it.
pub(crate) fn json(status: u16, body: impl Into<String>) -> Response {
    Response {
        status,
        headers: vec![
            ("Content-Type".into(), "application/json; odata.metadata=minimal".into()),
            ("OData-Version".into(), "4.0".into()),
        ],
        body: body.into(),
    }
}

/// A response with any content type.
pub(crate) fn with_type(status: u16, content_type: &str, body: impl Into<String>) -> Response {
    Response { status, headers: vec![("Content-Type".into(), content_type.into())], body: body.into() }
}

/// Serves canned responses by longest matching path prefix and records every request.
/// An unexpected request gets a loud 404 naming it.
#[derive(Default)]
pub(crate) struct FakeOrg {
    routes: Vec<(String, Response)>,
    pub(crate) sent: RefCell<Vec<Request>>,
}

impl FakeOrg {
    /// The well-behaved Contoso org of `tests/data/`.
    pub(crate) fn contoso() -> Self {
        let user = "systemusers(7f6c9b1e-0d2a-4a3b-9c1d-1a2b3c4d5e6f)";
        Self::default()
            .route("WhoAmI", json(200, fixture("whoami.json")))
            .route("organizations?", json(200, fixture("organizations.json")))
            .route("emailserverprofiles?", json(200, fixture("emailserverprofiles.json")))
            .route("mailboxes?", json(200, fixture("mailboxes-page1.json")))
            .route("mailboxes?$select=mailboxid,name&$skiptoken=", json(200, fixture("mailboxes-page2.json")))
            .route(&format!("{user}/systemuserroles_association"), json(200, fixture("roles.json")))
            .route(&format!("{user}/teammembership_association"), json(200, fixture("teams.json")))
            .route(
                &format!("{user}/Microsoft.Dynamics.CRM.RetrieveUserPrivilegeByPrivilegeName"),
                json(200, fixture("privilege.json")),
            )
            .route(
                &format!("{user}/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()"),
                json(200, fixture("all-privileges.json")),
            )
            .route("tracelogs?", json(200, fixture("tracelogs.json")))
            .route("exchangesyncidmappings?", json(200, fixture("exchangesyncidmappings.json")))
    }

    /// Adds or replaces the response for paths starting with `prefix`.
    pub(crate) fn route(mut self, prefix: &str, response: Response) -> Self {
        self.routes.retain(|(p, _)| p != prefix);
        self.routes.push((prefix.to_owned(), response));
        self
    }

    /// The paths requested, relative to the Web API root, in order.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.sent.borrow().iter().map(|r| relative(&r.path).to_owned()).collect()
    }
}

fn relative(path: &str) -> &str {
    path.split_once(API_PATH).map_or(path, |(_, rest)| rest)
}

impl Transport for FakeOrg {
    fn send(&self, request: Request) -> impl Future<Output = Result<Response, TransportError>> {
        let path = relative(&request.path).to_owned();
        self.sent.borrow_mut().push(request);
        let found = self.routes.iter().filter(|(p, _)| path.starts_with(p.as_str())).max_by_key(|(p, _)| p.len());
        let response = match found {
            Some((_, r)) => r.clone(),
            None => json(404, format!(r#"{{"error":{{"code":"0x80060888","message":"unexpected request {path}"}}}}"#)),
        };
        std::future::ready(Ok(response))
    }
}

/// Runs a future that never waits on real I/O.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
