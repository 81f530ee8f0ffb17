//! `GET /main.aspx`: a small fake Dynamics page that signs the browser in (sets the session cookie).
//! Its body is one of the client shells of [`super::shell`]: the legacy Advanced Settings shell for
//! `?settingsonly=true`, the Unified Interface shell otherwise.

use crate::message::{Req, Resp};
use crate::ops::call::COOKIE;
use crate::ops::shell::{self, escape};
use crate::sim::State;

/// The page, with a fresh `CrmOwinAuth` session cookie.
pub(crate) fn main(st: &mut State, req: &Req, org: usize) -> Resp {
    let token = st.new_session(org);
    let name = st.orgs.get(org).map(|o| escape(&o.name)).unwrap_or_default();
    let cookie = if req.scheme == "https" {
        format!("{}={token}; Path=/; HttpOnly; Secure; SameSite=None", COOKIE)
    } else {
        format!("{}={token}; Path=/; HttpOnly; SameSite=Lax", COOKIE)
    };
    let html = if shell::is_settings_only(&req.query) {
        shell::legacy_settings(&name)
    } else {
        shell::unified(st, org, &name)
    };
    Resp::text(200, "text/html; charset=utf-8", html)
        .header("Set-Cookie", cookie)
        .header("Cache-Control", "no-cache")
}

/// `GET /_static/_common/scripts/PageLoader.js`, which the page above loads as a real Dynamics page
/// does: an empty script, so a browser test can fail on every failed load in the console.
pub(crate) fn page_loader() -> Resp {
    Resp::text(
        200,
        "text/javascript; charset=utf-8",
        "/* dataverse-sim: Dynamics page loader stand-in */\n".to_owned(),
    )
    .header("Cache-Control", "no-cache")
}

/// `GET /favicon.ico`, which browsers ask every host for: no content (not a 404 in the console).
pub(crate) fn favicon() -> Resp {
    Resp::text(204, "image/x-icon", String::new())
}
