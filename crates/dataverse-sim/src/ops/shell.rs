//! The Dynamics pages a browser sees, as far as the in-page guide cares: how their addresses look and
//! how they change. No data or behaviour of the real clients is modelled beyond that.
//!
//! - **Unified Interface** (`/main.aspx`, any query but `settingsonly=true`): a single-page app. Its
//!   links change the address with `history.pushState` (and one with a hash change only) without a
//!   page load: dashboard → Mailboxes (`?pagetype=entitylist&etn=mailbox`) → a mailbox record
//!   (`?pagetype=entityrecord&etn=mailbox&id=<guid>`) → the next record, Email Server Profiles
//!   (`etn=emailserverprofile`), Security Roles (`etn=role`), and Accounts (not part of the procedure).
//!   A full load of any of those addresses (as the Power Platform admin center opens them) renders the
//!   same shell. URL form: "Open apps, forms, views, dialogs, and reports with a URL",
//!   <https://learn.microsoft.com/power-apps/developer/model-driven-apps/open-forms-views-dialogs-reports-url>
//! - **Legacy web client, Advanced Settings** (`/main.aspx?settingsonly=true`): a shell whose site map
//!   loads the area pages into the frame `contentIFrame0` (id and name, title "Content Area", as UI
//!   automation of the legacy client addresses it): `/_root/homepage.aspx?etc=<code>&pagemode=iframe&
//!   sitemappath=<area>|<group>|<subarea>` for entity lists (mailbox 9606, email server profile 9605),
//!   `/tools/systemsettings/dialogs/systemsettings.aspx` for System Settings and Email Configuration
//!   Settings (Email tab, `selectedTab=2`), `/tools/AdminSecurity/adminsecurity_area.aspx` for Security.
//!   Records open in their own window as `/main.aspx?etc=9606&id=%7b<guid>%7d&pagetype=entityrecord`
//!   (main.aspx query parameters: <https://learn.microsoft.com/previous-versions/dynamicscrm-2015/developers-guide/gg328483(v=crm.7)>).
//!   Sources for each address: crates/dataverse-sim/README.md, "Shell pages".

use crate::message::{Req, Resp};
use crate::sim::State;

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Whether `query` asks for the legacy settings shell (`settingsonly=true`, any case).
pub(crate) fn is_settings_only(query: &str) -> bool {
    query.split('&').any(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        k.eq_ignore_ascii_case("settingsonly") && v.eq_ignore_ascii_case("true")
    })
}

/// Whether `path` is one of the legacy client's frame pages this module serves.
pub(crate) fn is_legacy_page(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p == "/_root/homepage.aspx"
        || p == "/tools/systemsettings/dialogs/systemsettings.aspx"
        || p == "/tools/adminsecurity/adminsecurity_area.aspx"
}

/// Active mailboxes of `org` as (id, name), in store order, at most `limit`.
fn mailboxes(st: &State, org: usize, limit: usize) -> Vec<(String, String)> {
    let Some(o) = st.orgs.get(org) else {
        return Vec::new();
    };
    o.rows("mailbox").values().take(limit).map(|r| (r.id.to_string(), r.text("name").to_string())).collect()
}

const PAGE_HEAD: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";

/// The Unified Interface shell (body of `GET /main.aspx`). `name` is already escaped.
pub(crate) fn unified(st: &State, org: usize, name: &str) -> String {
    let records: String = mailboxes(st, org, 25)
        .iter()
        .map(|(id, n)| {
            format!(
                "<li><a data-spa data-mailbox=\"{id}\" href=\"/main.aspx?appid=sim&amp;pagetype=entityrecord&amp;etn=mailbox&amp;id={id}\">{}</a></li>\n",
                escape(n)
            )
        })
        .collect();
    format!(
        "{PAGE_HEAD}<title>{name} - Dynamics 365</title>\n\
         <script src=\"/_static/_common/scripts/PageLoader.js\"></script>\n</head>\n<body>\n<h1>{name}</h1>\n\
         <p>Dynamics 365 (dataverse-sim)</p>\n\
         <p><a href=\"/syncready/index.html?surface=app\">Open SyncReady web app</a></p>\n\
         <nav aria-label=\"Site map\"><ul>\n\
         <li><a data-spa id=\"nav-dashboard\" href=\"/main.aspx?appid=sim&amp;pagetype=dashboard\">Dashboard</a></li>\n\
         <li><a data-spa id=\"nav-mailboxes\" href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=mailbox&amp;viewid=active\">Mailboxes</a></li>\n\
         <li><a data-spa id=\"nav-profiles\" href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=emailserverprofile\">Email Server Profiles</a></li>\n\
         <li><a data-spa id=\"nav-roles\" href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=role\">Security Roles</a></li>\n\
         <li><a data-spa id=\"nav-accounts\" href=\"/main.aspx?appid=sim&amp;pagetype=entitylist&amp;etn=account\">Accounts</a></li>\n\
         <li><a id=\"nav-hash\" href=\"#details\">Details (hash only)</a></li>\n\
         </ul></nav>\n<main><h2 id=\"page\">Dashboard</h2>\n<ul id=\"records\">\n{records}</ul></main>\n\
         <script>\n\
         // dataverse-sim: Unified Interface navigates without page loads (History API).\n\
         const show = () => {{ const q = new URLSearchParams(location.search);\n\
           document.getElementById('page').textContent = (q.get('pagetype') || 'dashboard') + ' ' + (q.get('etn') || '') + ' ' + (q.get('id') || ''); }};\n\
         document.addEventListener('click', (e) => {{ const a = e.target.closest('a[data-spa]'); if (!a) return;\n\
           e.preventDefault(); history.pushState(null, '', a.getAttribute('href')); show(); }});\n\
         window.addEventListener('popstate', show); show();\n\
         </script>\n</body>\n</html>\n"
    )
}

/// The legacy Advanced Settings shell (body of `GET /main.aspx?settingsonly=true`).
pub(crate) fn legacy_settings(name: &str) -> String {
    let link = |id: &str, href: &str, text: &str| {
        format!("<li><a id=\"{id}\" target=\"contentIFrame0\" href=\"{href}\">{text}</a></li>\n")
    };
    let links = [
        link(
            "nav-mailboxes",
            "/_root/homepage.aspx?etc=9606&amp;pagemode=iframe&amp;sitemappath=Settings%7cEmailConfiguration%7cnav_mailboxes",
            "Mailboxes",
        ),
        link(
            "nav-profiles",
            "/_root/homepage.aspx?etc=9605&amp;pagemode=iframe&amp;sitemappath=Settings%7cEmailConfiguration%7cnav_emailserverprofiles",
            "Email Server Profiles",
        ),
        link(
            "nav-email-settings",
            "/tools/systemsettings/dialogs/systemsettings.aspx?selectedTab=2",
            "Email Configuration Settings",
        ),
        link(
            "nav-security",
            "/tools/AdminSecurity/adminsecurity_area.aspx?pagemode=iframe&amp;sitemappath=Settings%7cSystem_Setting%7cnav_security",
            "Security",
        ),
        link(
            "nav-system-settings",
            "/tools/systemsettings/dialogs/systemsettings.aspx",
            "System Settings",
        ),
        link(
            "nav-business",
            "/_root/homepage.aspx?etc=1&amp;pagemode=iframe&amp;sitemappath=Settings%7cBusiness%7cnav_accts",
            "Accounts",
        ),
    ]
    .concat();
    format!(
        "{PAGE_HEAD}<title>Settings - {name} - Dynamics 365</title>\n</head>\n<body>\n<h1>Settings</h1>\n\
         <nav aria-label=\"Site map\"><ul>\n{links}</ul></nav>\n\
         <iframe id=\"contentIFrame0\" name=\"contentIFrame0\" title=\"Content Area\" src=\"about:blank\" \
         style=\"width:100%;height:500px;border:0\"></iframe>\n</body>\n</html>\n"
    )
}

/// A legacy frame page (`/_root/homepage.aspx`, `/tools/...`): a title and, for the mailbox list, links
/// that open records in their own window, as the legacy grid does.
pub(crate) fn legacy_page(st: &State, req: &Req, org: usize) -> Resp {
    let path = req.path.to_ascii_lowercase();
    let etc = req
        .query
        .split('&')
        .find_map(|pair| pair.split_once('=').filter(|(k, _)| k.eq_ignore_ascii_case("etc")).map(|(_, v)| v))
        .unwrap_or("");
    let (title, body) = if path.starts_with("/tools/systemsettings/") {
        ("System Settings".to_owned(), String::new())
    } else if path.starts_with("/tools/adminsecurity/") {
        ("Security".to_owned(), String::new())
    } else {
        match etc {
            "9606" => {
                let rows: String = mailboxes(st, org, 25)
                    .iter()
                    .map(|(id, n)| {
                        format!(
                            "<li><a data-mailbox=\"{id}\" target=\"_top\" href=\"/main.aspx?etc=9606&amp;id=%7b{id}%7d&amp;pagetype=entityrecord\">{}</a></li>\n",
                            escape(n)
                        )
                    })
                    .collect();
                ("Active Mailboxes".to_owned(), format!("<ul id=\"records\">\n{rows}</ul>\n"))
            }
            "9605" => ("Active Email Server Profiles".to_owned(), String::new()),
            other => (format!("Entity {}", escape(other)), String::new()),
        }
    };
    let html = format!(
        "{PAGE_HEAD}<title>{title}</title>\n</head>\n<body>\n<h2 id=\"page\">{title}</h2>\n{body}</body>\n</html>\n"
    );
    Resp::text(200, "text/html; charset=utf-8", html).header("Cache-Control", "no-cache")
}
