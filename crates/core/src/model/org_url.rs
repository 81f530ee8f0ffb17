//! The org URL: which hosts SyncReady talks to with the admin's session or token.
//!
//! Only Dataverse org hosts are accepted (issue 12, item 6): `https://<org>.crm.dynamics.com` and the
//! regional `https://<org>.crm<N>.dynamics.com` hosts, with exactly one label for the org. Other
//! `*.dynamics.com` hosts (Business Central, Finance and Operations, marketing and commerce pages) are
//! not Dataverse orgs and are refused. The regional suffixes are listed by Microsoft's discovery
//! service tables (`crm` North America, `crm2` South America, `crm3` Canada, `crm4` EMEA, `crm5` APAC,
//! `crm6` Oceania, `crm7` Japan, `crm8` India, `crm9` North America 2 / GCC:
//! <https://learn.microsoft.com/en-au/previous-versions/dynamicscrm-2016/developers-guide/gg328127(v=crm.8)>;
//! `crm11` UK and `crm12` France from the Online Management API service URLs:
//! <https://learn.microsoft.com/power-platform/admin/online-management-api/get-started-online-management-api#service-url>).
//! Newer regions continue the numbering, so `crm<N>` for N from 2 to 99 is accepted (inferred).
//!
//! The URL is parsed strictly: no userinfo (`user@`), no backslash (browsers read `\` as `/`, so
//! `https://evil.example\@contoso.crm.dynamics.com` is `evil.example`), no percent escapes or
//! non-ASCII in the host, and no port but the default one. Loopback hosts (`127.0.0.1`, `localhost`,
//! `[::1]`, any port, `http` too) are accepted only under [`HostPolicy::AllowLoopback`]: the simulator,
//! the tests and a web app served from the admin's own machine.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// An org's base URL, e.g. `https://contoso.crm.dynamics.com`, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct OrgUrl(String);

/// Why a string is not an org URL. Displayed in English (logs, evidence); [`OrgUrlError::text_in`]
/// for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", check_text(Lang::english(), "check.org-url", .input, .reason))]
pub struct OrgUrlError {
    /// What was given.
    pub input: String,
    /// What is wrong with it: a message key of the catalogue's `checks.json` (`check.…`).
    pub reason: &'static str,
}

impl OrgUrlError {
    /// What is wrong, in `lang`.
    pub fn reason_in(&self, lang: Lang) -> &'static str {
        lang.t(self.reason)
    }

    /// "`input` is not an org URL: reason", in `lang`.
    pub fn text_in(&self, lang: Lang) -> String {
        check_text(lang, "check.org-url", &self.input, self.reason)
    }
}

/// A setting check's message `key` ("`{input}` is not …: {reason}") with the reason key `reason`
/// rendered in `lang`.
pub(crate) fn check_text(lang: Lang, key: &str, input: &str, reason: &str) -> String {
    crate::tr!(lang, key, input = input, reason = lang.t(reason))
}

/// Which hosts an org URL (or a sign-in authority) may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostPolicy {
    /// Production: Dataverse org hosts only (and `login.microsoftonline.com` for an authority).
    #[default]
    Production,
    /// Also loopback hosts over `http` or `https` (the simulator, tests, a local web app).
    AllowLoopback,
}

/// True for `127.0.0.1`, `localhost` and `[::1]` (a host without its port, lower case).
pub(crate) fn is_loopback_host(hostname: &str) -> bool {
    matches!(hostname, "127.0.0.1" | "localhost" | "[::1]")
}

/// Splits `host[:port]` (lower case, `[v6]` kept whole) into the host name and the port text.
pub(crate) fn split_port(authority: &str) -> (&str, Option<&str>) {
    let colon = if authority.starts_with('[') {
        authority.find(']').and_then(|end| authority[end..].find(':').map(|c| end + c))
    } else {
        authority.rfind(':')
    };
    match colon {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    }
}

/// One DNS label: 1–63 of `a-z0-9-`, not starting or ending with `-`.
fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// `crm` or `crm<N>` with N from 2 to 99 (no leading zero).
fn is_region_label(label: &str) -> bool {
    match label.strip_prefix("crm") {
        Some("") => true,
        Some(n) => n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0') && n != "1",
        None => false,
    }
}

/// True for `<org>.crm.dynamics.com` and `<org>.crm<N>.dynamics.com` (lower case, no port).
pub fn is_dataverse_host(host: &str) -> bool {
    let Some(rest) = host.strip_suffix(".dynamics.com") else {
        return false;
    };
    match rest.split_once('.') {
        Some((org, region)) => is_label(org) && is_region_label(region),
        None => false,
    }
}

/// True for a GUID in its 8-4-4-4-12 hex form (either case): the only shape of record id SyncReady
/// puts into a URL path or a `$filter` unquoted.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

impl OrgUrl {
    /// Parses an org URL under [`HostPolicy::Production`]: `https://<org>.crm[N].dynamics.com`, any
    /// path after the host dropped.
    pub fn parse(input: &str) -> Result<Self, OrgUrlError> {
        Self::parse_with(input, HostPolicy::Production)
    }

    /// Parses an org URL; loopback hosts are accepted only under [`HostPolicy::AllowLoopback`].
    pub fn parse_with(input: &str, policy: HostPolicy) -> Result<Self, OrgUrlError> {
        let trimmed = input.trim();
        let err = |reason| OrgUrlError { input: input.to_owned(), reason };
        if trimmed.contains('\\') {
            return Err(err("check.backslash"));
        }
        let (scheme, rest) = trimmed.split_once("://").ok_or_else(|| err("check.no-scheme"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() {
            return Err(err("check.no-host"));
        }
        if authority.contains('@') {
            return Err(err("check.user-before-host"));
        }
        if !authority.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')) {
            return Err(err("check.host-malformed"));
        }
        let authority = authority.to_ascii_lowercase();
        let scheme = scheme.to_ascii_lowercase();
        let (hostname, port) = split_port(&authority);
        if is_loopback_host(hostname) {
            if policy != HostPolicy::AllowLoopback {
                return Err(err("check.loopback-org"));
            }
            if !matches!(scheme.as_str(), "http" | "https") {
                return Err(err("check.https-only"));
            }
            if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
                return Err(err("check.port-malformed"));
            }
            return Ok(Self(format!("{scheme}://{authority}")));
        }
        match scheme.as_str() {
            "https" => {}
            "http" => return Err(err("check.https-remote-org")),
            _ => return Err(err("check.https-only")),
        }
        match port {
            None | Some("443") => {}
            Some(_) => return Err(err("check.default-port")),
        }
        if !is_dataverse_host(hostname) {
            return Err(err("check.not-dataverse"));
        }
        Ok(Self(format!("https://{hostname}")))
    }

    /// The URL as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host name (with port, if any).
    pub fn host(&self) -> &str {
        self.0.split_once("://").map_or(self.0.as_str(), |(_, h)| h)
    }

    /// True for Dataverse orgs (the hosts the extension is allowed to talk to), false for loopback.
    pub fn is_dynamics(&self) -> bool {
        self.0.starts_with("https://") && is_dataverse_host(self.host())
    }

    /// True for a loopback org (simulator, tests, a local web app).
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(split_port(self.host()).0)
    }
}

/// Derived `Deserialize` goes through the same check (loopback allowed: only tests read these).
impl TryFrom<String> for OrgUrl {
    type Error = OrgUrlError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse_with(&value, HostPolicy::AllowLoopback)
    }
}

impl std::fmt::Display for OrgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(input: &str) -> &'static str {
        OrgUrl::parse(input).err().map_or("accepted", |e| e.reason_in(Lang::english()))
    }

    #[test]
    fn dataverse_org_hosts_of_every_region_are_accepted_and_normalised() {
        for (input, want) in [
            (" HTTPS://Contoso.CRM.dynamics.com/main.aspx?x=1 ", "https://contoso.crm.dynamics.com"),
            ("https://contoso.crm4.dynamics.com", "https://contoso.crm4.dynamics.com"),
            ("https://org-1.crm11.dynamics.com:443/", "https://org-1.crm11.dynamics.com"),
            ("https://x.crm21.dynamics.com#frag", "https://x.crm21.dynamics.com"),
        ] {
            assert_eq!(OrgUrl::parse(input).map(|o| o.to_string()), Ok(want.to_owned()), "{input}");
        }
    }

    #[test]
    fn issue_12_hosts_that_are_not_dataverse_orgs_are_refused() {
        for bad in [
            "https://businesscentral.dynamics.com",
            "https://contoso.operations.dynamics.com",
            "https://contoso.marketing.dynamics.com",
            "https://admin.services.crm.dynamics.com",
            "https://contoso.crm1.dynamics.com",
            "https://contoso.crm02.dynamics.com",
            "https://contoso.crm100.dynamics.com",
            "https://contoso.crm.dynamics.com.evil.example",
            "https://-x.crm.dynamics.com",
            "https://crm.dynamics.com",
        ] {
            assert!(reason(bad).contains("not a Dataverse org host"), "{bad}: {}", reason(bad));
        }
    }

    #[test]
    fn issue_12_backslashes_userinfo_odd_ports_and_escapes_are_refused() {
        assert_eq!(reason("https://evil.example\\@contoso.crm.dynamics.com"), "it contains a backslash");
        assert_eq!(reason("https://evil.example\\.crm.dynamics.com"), "it contains a backslash");
        assert_eq!(reason("https://a@contoso.crm.dynamics.com"), "it names a user before the host");
        assert_eq!(
            reason("https://contoso.crm.dynamics.com:8443"),
            "a Dataverse org is reached on the default https port only"
        );
        assert_eq!(reason("https://contoso%2ecrm.dynamics.com"), "the host is malformed");
        assert_eq!(reason("https://contoso.crm.dynamics.com\u{3002}evil"), "the host is malformed");
        assert_eq!(reason("http://contoso.crm.dynamics.com"), "only https is allowed for a remote org");
        for bad in ["contoso.crm.dynamics.com", "ftp://x.crm.dynamics.com", "https://", "https:///x"] {
            assert!(OrgUrl::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn loopback_is_accepted_only_when_the_policy_allows_it() {
        assert_eq!(
            reason("http://127.0.0.1:8080/"),
            "a loopback host is allowed only in the simulator and test builds"
        );
        let local = OrgUrl::parse_with("http://127.0.0.1:8080/", HostPolicy::AllowLoopback).unwrap();
        assert_eq!(local.as_str(), "http://127.0.0.1:8080");
        assert!(local.is_loopback() && !local.is_dynamics());
        assert!(OrgUrl::parse_with("http://[::1]:9/", HostPolicy::AllowLoopback).unwrap().is_loopback());
        assert!(OrgUrl::parse_with("http://localhost:x", HostPolicy::AllowLoopback).is_err());
        assert!(OrgUrl::parse_with("http://evil.example", HostPolicy::AllowLoopback).is_err());
        assert!(OrgUrl::parse("https://contoso.crm.dynamics.com").unwrap().is_dynamics());
    }

    #[test]
    fn guids_are_recognised_by_shape_only() {
        assert!(is_guid("6731de76-14a6-49ae-97bc-6eba6914391E"));
        for bad in [
            "6731de76-14a6-49ae-97bc-6eba6914391",
            "6731de7614a649ae97bc6eba6914391e0000",
            "6731de76-14a6-49ae-97bc-6eba6914391g",
            "x) or (1 eq 1",
            "6731de76-14a6-49ae-97bc-6eba69143/../",
            "------------------------------------",
        ] {
            assert!(!is_guid(bad), "{bad}");
        }
    }

    #[test]
    fn the_reason_is_a_catalogue_key_shown_in_the_pages_language_and_english_in_logs() {
        let e = OrgUrl::parse("http://contoso.crm.dynamics.com").unwrap_err();
        assert_eq!(e.reason, "check.https-remote-org");
        assert_eq!(
            e.to_string(),
            "`http://contoso.crm.dynamics.com` is not an org URL: only https is allowed for a remote org"
        );
        let de = Lang::from_tag("de");
        assert_eq!(e.reason_in(de), "für eine entfernte Organisation ist nur https erlaubt");
        assert_eq!(
            e.text_in(de),
            "`http://contoso.crm.dynamics.com` ist keine Organisations-URL: für eine entfernte Organisation ist nur https erlaubt"
        );
    }
}
