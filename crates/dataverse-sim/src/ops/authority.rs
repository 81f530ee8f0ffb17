//! A built-in OAuth 2.0 authority in the shape of Microsoft Entra ID v2.0 endpoints, issuing bearer
//! tokens the Web API accepts (§12):
//!
//! - `GET /{tenant}/oauth2/v2.0/authorize` (auth-code flow; PKCE `S256` required) signs in the org's
//!   caller (or the user named by `login_hint`) and redirects to `redirect_uri?code=…&state=…`, or
//!   with `response_mode=fragment` to `redirect_uri#code=…&state=…` (Entra's documented modes:
//!   <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code>).
//! - `POST /{tenant}/oauth2/v2.0/token` redeems a code (checking `code_verifier`, `client_id`,
//!   `redirect_uri`) or a refresh token (rotated on use) for a JWT-shaped access token; a code whose
//!   scope has `openid` also gets an `id_token` carrying the authorize request's `nonce`.
//! - `POST /{tenant}/oauth2/v2.0/revoke` (simulator-only) invalidates a refresh or access token.
//!
//! Errors use Entra's JSON shape with real AADSTS codes where known (e.g. 501481 for a PKCE mismatch).
//! The scope's resource (`https://<org>.crm.dynamics.com/.default`) picks the org.

use sha2::{Digest, Sha256};

use crate::ids::Guid;
use crate::json::Json;
use crate::message::{Req, Resp};
use crate::oauth::{Code, Grant};
use crate::sim::State;
use crate::url;

/// Lifetime of an access token, in sim seconds.
pub(crate) const ACCESS_LIFETIME: i64 = 3599;
/// The public client id of Microsoft samples (not a SPA registration).
const WELL_KNOWN_PUBLIC_CLIENT: &str = "51f81489-12ee-4a9e-aaae-a2591f45987d";
/// Lifetime of an authorization code, in sim seconds.
const CODE_LIFETIME: i64 = 600;

/// Base64url without padding.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn error(status: u16, code: &str, aadsts: u32, description: &str) -> Resp {
    let body = Json::obj()
        .with("error", code)
        .with("error_description", format!("AADSTS{aadsts}: {description}"))
        .with("error_codes", Json::Arr(vec![Json::from(i64::from(aadsts))]));
    Resp::text(status, "application/json; charset=utf-8", body.render())
}

/// CORS for browser callers (extension pages are another origin).
fn cors(resp: Resp, req: &Req) -> Resp {
    match req.header("origin") {
        Some(o) => resp.header("Access-Control-Allow-Origin", o.to_string()).header("Vary", "Origin"),
        None => resp,
    }
}

/// The org a scope names (`https://contoso.crm.dynamics.com/.default`), else the Host's org.
fn org_for_scope(st: &State, scope: &str, fallback: Option<usize>) -> Option<usize> {
    for s in scope.split_whitespace() {
        let host = s.trim_start_matches("https://").split('/').next().unwrap_or("");
        if host.ends_with(".dynamics.com") {
            let prefix = host.split('.').next().unwrap_or("");
            return st.orgs.iter().position(|o| o.prefix == prefix);
        }
    }
    fallback
}

/// Routes `/…/oauth2/v2.0/<endpoint>`.
pub(crate) fn handle(st: &mut State, req: &Req, host_org: Option<usize>) -> Resp {
    let endpoint = req.path.rsplit('/').next().unwrap_or("");
    if req.method == "OPTIONS" {
        return cors(Resp::new(204), req)
            .header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            .header("Access-Control-Allow-Headers", "Content-Type");
    }
    let resp = match (req.method.as_str(), endpoint) {
        ("GET", "authorize") => authorize(st, req, host_org),
        ("POST", "token") => token(st, req),
        ("POST", "revoke") => revoke(st, req),
        _ => error(404, "invalid_request", 900_561, "The endpoint only accepts the documented methods."),
    };
    cors(resp, req)
}

fn authorize(st: &mut State, req: &Req, host_org: Option<usize>) -> Resp {
    let q: Vec<(String, String)> = url::parse_query(&req.query);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (Some(client_id), Some(redirect_uri)) = (get("client_id"), get("redirect_uri")) else {
        return error(
            400,
            "invalid_request",
            900_144,
            "The request body must contain the following parameter: 'client_id' and 'redirect_uri'.",
        );
    };
    let state = get("state").unwrap_or_default();
    // `query` (the default for `code`) or `fragment`; `form_post` needs a page the simulator has not.
    let fragment = get("response_mode").as_deref() == Some("fragment");
    let separator = |uri: &str| {
        if fragment {
            '#'
        } else if uri.contains('?') {
            '&'
        } else {
            '?'
        }
    };
    let redirect_error = |code: &str, desc: &str| {
        let sep = separator(&redirect_uri);
        Resp::new(302).header(
            "Location",
            format!(
                "{redirect_uri}{sep}error={code}&error_description={}&state={}",
                url::encode(desc),
                url::encode(&state)
            ),
        )
    };
    if get("response_type").as_deref() != Some("code") {
        return redirect_error(
            "unsupported_response_type",
            "AADSTS700054: response_type 'code' is required by dataverse-sim.",
        );
    }
    let Some(challenge) = get("code_challenge") else {
        return redirect_error(
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        );
    };
    if get("code_challenge_method").as_deref() != Some("S256") {
        return redirect_error(
            "invalid_request",
            "AADSTS501491: Invalid size of Code_Challenge parameter; only S256 is supported by dataverse-sim.",
        );
    }
    let scope = get("scope").unwrap_or_default();
    let Some(org) = org_for_scope(st, &scope, host_org) else {
        return redirect_error(
            "invalid_resource",
            "AADSTS500011: The resource principal named in the scope was not found in the tenant.",
        );
    };
    let Some(o) = st.orgs.get(org) else {
        return redirect_error("invalid_resource", "AADSTS500011: The resource principal was not found.");
    };
    let user = match get("login_hint") {
        Some(hint) => {
            match o.rows("systemuser").values().find(|u| u.text("domainname").eq_ignore_ascii_case(&hint)) {
                Some(u) => u.id,
                None => {
                    return redirect_error(
                        "invalid_grant",
                        "AADSTS50034: The user account does not exist in the directory.",
                    );
                }
            }
        }
        None => o.caller,
    };
    let now = st.now();
    let code = format!("0.A{}", st.rng.token());
    st.authority.codes.insert(
        code.clone(),
        Code {
            org,
            user,
            client_id,
            redirect_uri: redirect_uri.clone(),
            challenge,
            scope,
            nonce: get("nonce"),
            expires: now + CODE_LIFETIME * 1000,
        },
    );
    let sep = separator(&redirect_uri);
    Resp::new(302).header(
        "Location",
        format!(
            "{redirect_uri}{sep}code={}&state={}&session_state={}",
            url::encode(&code),
            url::encode(&state),
            st.rng.guid()
        ),
    )
}

fn form(req: &Req) -> Vec<(String, String)> {
    url::parse_query(&String::from_utf8_lossy(&req.body))
}

fn issue(st: &mut State, org: usize, user: Guid, client_id: &str, scope: &str, nonce: Option<&str>) -> Resp {
    let now = st.now();
    st.session_serial += 1;
    let serial = st.session_serial;
    let Some(o) = st.orgs.get(org) else {
        return error(400, "invalid_grant", 500_011, "The resource principal was not found.");
    };
    let discovery = super::discovery::scope_is_discovery(scope);
    let aud = if discovery {
        "https://globaldisco.crm.dynamics.com".to_owned()
    } else {
        format!("https://{}.crm.dynamics.com", o.prefix)
    };
    let default_scope = format!("{aud}/user_impersonation");
    let upn = o.row("systemuser", user).map(|u| u.text("domainname").to_string()).unwrap_or_default();
    let oid = o.row("systemuser", user).map(|u| match u.get("azureactivedirectoryobjectid") {
        crate::store::V::Guid(g) => g.to_string(),
        _ => user.to_string(),
    });
    let header = Json::obj().with("typ", "JWT").with("alg", "RS256").with("kid", "dataverse-sim");
    let (tenant, username) = (o.tenant_id.to_string(), upn.clone());
    let payload = Json::obj()
        .with("aud", aud)
        .with("iss", format!("https://sts.windows.net/{}/", o.tenant_id))
        .with("iat", now / 1000)
        .with("nbf", now / 1000)
        .with("exp", now / 1000 + ACCESS_LIFETIME)
        .with("appid", client_id)
        .with("oid", oid.unwrap_or_default())
        .with("scp", "user_impersonation")
        .with("tid", o.tenant_id.to_string())
        .with("upn", upn);
    let signature = st.rng.token();
    let access = format!(
        "{}.{}.{}",
        b64url(header.render().as_bytes()),
        b64url(payload.render().as_bytes()),
        b64url(signature.as_bytes())
    );
    let refresh = format!("1.A{}{}", st.rng.token(), st.rng.token());
    let grant = Grant { org, user, expires: now + ACCESS_LIFETIME * 1000, serial, discovery };
    st.authority.access.insert(access.clone(), grant.clone());
    st.authority.refresh.insert(refresh.clone(), Grant { expires: now + 90 * 86_400_000, ..grant });
    let id_token = scope.split_whitespace().any(|s| s == "openid").then(|| {
        let mut claims = Json::obj()
            .with("aud", client_id)
            .with("iss", format!("https://login.microsoftonline.com/{tenant}/v2.0"))
            .with("iat", now / 1000)
            .with("exp", now / 1000 + ACCESS_LIFETIME)
            .with("preferred_username", username)
            .with("tid", tenant);
        if let Some(n) = nonce {
            claims = claims.with("nonce", n);
        }
        format!(
            "{}.{}.{}",
            b64url(header.render().as_bytes()),
            b64url(claims.render().as_bytes()),
            b64url(st.rng.token().as_bytes())
        )
    });
    let scope = if scope.is_empty() { default_scope } else { scope.to_string() };
    let mut body = Json::obj()
        .with("token_type", "Bearer")
        .with("scope", scope)
        .with("expires_in", ACCESS_LIFETIME)
        .with("ext_expires_in", ACCESS_LIFETIME)
        .with("access_token", access)
        .with("refresh_token", refresh);
    if let Some(id) = id_token {
        body = body.with("id_token", id);
    }
    Resp::text(200, "application/json; charset=utf-8", body.render()).header("Cache-Control", "no-store")
}

fn token(st: &mut State, req: &Req) -> Resp {
    let f = form(req);
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let now = st.now();
    let client_id = get("client_id").unwrap_or_default();
    // §12: the well-known public client is not registered as a SPA, so browsers cannot redeem with it.
    if client_id == WELL_KNOWN_PUBLIC_CLIENT
        && let Some(origin) = req.header("origin")
    {
        return error(
            400,
            "invalid_request",
            9_002_326,
            &format!(
                "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'."
            ),
        );
    }
    match get("grant_type").as_deref() {
        Some("authorization_code") => {
            let Some(code) = get("code").and_then(|c| st.authority.codes.remove(&c)) else {
                return error(
                    400,
                    "invalid_grant",
                    70_008,
                    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                );
            };
            if code.expires <= now {
                return error(400, "invalid_grant", 70_008, "The provided authorization code has expired.");
            }
            if code.client_id != client_id {
                return error(
                    400,
                    "invalid_grant",
                    70_002,
                    "The client_id does not match the one the code was issued to.",
                );
            }
            if get("redirect_uri").as_deref() != Some(code.redirect_uri.as_str()) {
                return error(
                    400,
                    "invalid_grant",
                    50_148,
                    "The redirect_uri specified in the token request does not match the redirect_uri used to obtain the authorization code.",
                );
            }
            let verifier = get("code_verifier").unwrap_or_default();
            if b64url(&Sha256::digest(verifier.as_bytes())) != code.challenge {
                return error(
                    400,
                    "invalid_grant",
                    501_481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                );
            }
            issue(st, code.org, code.user, &client_id, &code.scope, code.nonce.as_deref())
        }
        Some("refresh_token") => {
            let Some(grant) = get("refresh_token").and_then(|r| st.authority.refresh.remove(&r)) else {
                return error(
                    400,
                    "invalid_grant",
                    9_002_313,
                    "Invalid request. Request is malformed or invalid (unknown or revoked refresh token).",
                );
            };
            if grant.expires <= now {
                return error(
                    400,
                    "invalid_grant",
                    700_082,
                    "The refresh token has expired due to inactivity.",
                );
            }
            let scope = get("scope").unwrap_or_default();
            if scope.contains("https://graph.microsoft.com/")
                && let Some(graph) = st.graph.clone()
            {
                // A token for Graph (issue 16): the refresh token stays valid for the org.
                if let Some(r) = get("refresh_token") {
                    st.authority.refresh.insert(r, grant);
                }
                return crate::graph::token_answer(&graph, &scope);
            }
            // A refresh token is redeemed for the resource its scope names (Entra ID issues one access
            // token per resource): another org of the tenant, signed in as that org's caller (the same
            // person in the simulator's one tenant), or the discovery service.
            let (org, user) = match org_for_scope(st, &scope, None) {
                Some(other) if other != grant.org => (other, st.orgs[other].caller),
                _ => (grant.org, grant.user),
            };
            issue(st, org, user, &client_id, &scope, None)
        }
        _ => error(400, "unsupported_grant_type", 70_003, "The app requested an unsupported grant type."),
    }
}

fn revoke(st: &mut State, req: &Req) -> Resp {
    let f = form(req);
    if let Some(t) = f.iter().find(|(k, _)| k == "token").map(|(_, v)| v.clone()) {
        st.authority.refresh.remove(&t);
        st.authority.access.remove(&t);
    }
    Resp::new(200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_the_rfc_7636_example() {
        let challenge = b64url(&Sha256::digest(b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(b64url(b"f"), "Zg");
        assert_eq!(b64url(b"fo"), "Zm8");
    }
}
