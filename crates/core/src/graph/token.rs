//! The Graph token: the own sign-in's refresh token redeemed once more with Graph's scope.
//!
//! Entra ID issues one access token per resource (audience), so the org's token never opens Graph.
//! After the own sign-in (whose scopes name the org), [`graph_token_request`] asks the same token
//! endpoint for a token with `https://graph.microsoft.com/User.Read.All`; [`parse_graph_token`] reads
//! the answer. Without an administrator's consent Entra ID answers AADSTS65001, read as
//! [`OAuthError::ConsentRequired`]: the checklist then explains the consent instead of checking.

use super::graph_scope;
use crate::http::{Request, Response};
use crate::model::Timestamp;
use crate::oauth::{OAuthConfig, OAuthError, Tokens, parse_refresh_response, refresh_request};

/// The token request for Graph, from the sign-in's `config` and its refresh token.
pub fn graph_token_request(config: &OAuthConfig, refresh_token: &str) -> Request {
    refresh_request(&config.clone().with_scope(graph_scope()), refresh_token)
}

/// The Graph token from the answer; `signed_in` are the sign-in's tokens (their refresh token and
/// user are kept when the answer omits them).
pub fn parse_graph_token(response: &Response, signed_in: &Tokens, now: Timestamp) -> Result<Tokens, OAuthError> {
    let tokens = parse_refresh_response(response, signed_in, now)?;
    // A token for another resource would be refused by Graph (401) anyway; say so before sending it.
    if !tokens.scope.is_empty() && !tokens.scope.split_whitespace().any(|s| s.ends_with("User.Read.All")) {
        return Err(OAuthError::Decode {
            reason: format!("the token does not carry User.Read.All (scopes: {})", tokens.scope),
            body_excerpt: String::new(),
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::OAuthConfig;

    fn config() -> OAuthConfig {
        OAuthConfig::new(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com",
            "11111111-2222-4333-8444-555555555555",
            "https://abc.chromiumapp.org/oauth",
            "https://contoso.crm.dynamics.com",
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn signed_in() -> Tokens {
        let answer = Response {
            status: 200,
            headers: vec![],
            body: r#"{"token_type":"Bearer","access_token":"org","refresh_token":"rt","expires_in":3600,"scope":"x"}"#
                .into(),
        };
        crate::oauth::parse_token_response(&answer, Timestamp(0)).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn the_graph_token_is_a_refresh_redemption_with_graphs_scope_to_the_same_authority() {
        let r = graph_token_request(&config(), "rt");
        assert_eq!(r.path, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
        let body = r.body.unwrap_or_default();
        assert!(body.contains("grant_type=refresh_token"), "{body}");
        assert!(
            body.contains(
                "scope=openid%20profile%20offline_access%20https%3A%2F%2Fgraph.microsoft.com%2FUser.Read.All"
            ),
            "{body}"
        );
        assert!(!body.contains("crm.dynamics.com"), "the org's scope is not mixed in: {body}");
    }

    #[test]
    fn missing_consent_is_consent_required_and_a_token_without_the_permission_is_refused() {
        let refused = Response {
            status: 400,
            headers: vec![],
            body: r#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented.","error_codes":[65001],"suberror":"consent_required"}"#.into(),
        };
        assert!(matches!(parse_graph_token(&refused, &signed_in(), Timestamp(0)), Err(OAuthError::ConsentRequired(_))));
        let weak = Response {
            status: 200,
            headers: vec![],
            body: r#"{"token_type":"Bearer","access_token":"g","expires_in":3600,"scope":"https://graph.microsoft.com/User.Read"}"#.into(),
        };
        assert!(matches!(parse_graph_token(&weak, &signed_in(), Timestamp(0)), Err(OAuthError::Decode { .. })));
        let good = Response {
            status: 200,
            headers: vec![],
            body: r#"{"token_type":"Bearer","access_token":"g","expires_in":3600,"scope":"https://graph.microsoft.com/User.Read.All"}"#.into(),
        };
        let t = parse_graph_token(&good, &signed_in(), Timestamp(0)).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(t.refresh_token.is_some(), "kept from the sign-in");
    }
}
