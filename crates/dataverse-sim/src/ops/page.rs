//! `GET /main.aspx`: a small fake Dynamics page that signs the browser in (sets the session cookie).

use crate::http::{Req, Resp};
use crate::sim::State;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page, with a fresh `CrmOwinAuth` session cookie.
pub(crate) fn main(st: &mut State, req: &Req, org: usize) -> Resp {
    let token = st.new_session(org);
    let name = st.orgs.get(org).map(|o| escape(&o.name)).unwrap_or_default();
    let cookie = if req.scheme == "https" {
        format!("{}={token}; Path=/; HttpOnly; Secure; SameSite=None", super::COOKIE)
    } else {
        format!("{}={token}; Path=/; HttpOnly; SameSite=Lax", super::COOKIE)
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{name} - Dynamics 365</title>\n\
         <script src=\"/_static/_common/scripts/PageLoader.js\"></script>\n</head>\n<body>\n<h1>{name}</h1>\n\
         <p>Dynamics 365 (dataverse-sim)</p>\n\
         <p><a href=\"/syncready/index.html?surface=app\">Open SyncReady web app</a></p>\n</body>\n</html>\n"
    );
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
