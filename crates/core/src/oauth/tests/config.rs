//! `OAuthConfig` and `Authority`: what is accepted, normalised and refused.

use super::*;

#[test]
fn a_valid_configuration_gets_the_default_scope_with_offline_access() {
    check_config(
        " https://login.microsoftonline.com/organizations/ ",
        "6731DE76-14A6-49AE-97BC-6EBA6914391E",
        REDIRECT,
        "https://Contoso.crm.dynamics.com/main.aspx",
        expect![[
            r#"ok https://login.microsoftonline.com/organizations 6731de76-14a6-49ae-97bc-6eba6914391e https://abcdefghijklmnop.chromiumapp.org/oauth https://contoso.crm.dynamics.com [openid profile offline_access https://contoso.crm.dynamics.com/user_impersonation]"#
        ]],
    );
}

#[test]
fn a_bare_tenant_is_placed_under_the_microsoft_login_host() {
    check_config(
        "contoso.onmicrosoft.com",
        CLIENT,
        "http://127.0.0.1:8080/syncready/index.html",
        ORG,
        expect![[
            r#"ok https://login.microsoftonline.com/contoso.onmicrosoft.com 6731de76-14a6-49ae-97bc-6eba6914391e http://127.0.0.1:8080/syncready/index.html https://contoso.crm.dynamics.com [openid profile offline_access https://contoso.crm.dynamics.com/user_impersonation]"#
        ]],
    );
}

#[test]
fn every_invalid_field_is_reported_at_once() {
    check_config(
        "http://login.example.com/organizations",
        "not-a-guid",
        "https://app.example.com/#frag",
        "contoso",
        expect![[r#"
            Authority: only https is allowed for a remote host
            ClientId: an application (client) id looks like 00000000-0000-0000-0000-000000000000
            RedirectUri: it must not have a fragment
            Org: it has no scheme"#]],
    );
}

#[test]
fn the_registration_alone_is_checked_and_normalised_before_any_org_is_known() {
    let (authority, client) =
        OAuthConfig::check_registration(" contoso.onmicrosoft.com ", &CLIENT.to_uppercase()).unwrap();
    assert_eq!(authority.as_str(), "https://login.microsoftonline.com/contoso.onmicrosoft.com");
    assert_eq!(client, CLIENT);
    let problems = OAuthConfig::check_registration("consumers", "").unwrap_err();
    let fields: Vec<ConfigField> = problems.iter().map(ConfigError::field).collect();
    assert_eq!(fields, vec![ConfigField::Authority, ConfigField::ClientId]);
}

#[test]
fn authorities_with_endpoint_paths_no_tenant_or_consumers_are_refused() {
    check_config(
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
        CLIENT,
        REDIRECT,
        ORG,
        expect!["Authority: give only https://<host>/<tenant>, without /oauth2/v2.0/… after it"],
    );
    check_config(
        "https://login.microsoftonline.com",
        CLIENT,
        REDIRECT,
        ORG,
        expect!["Authority: it names no tenant; add /<tenant id>, /<domain> or /organizations after the host"],
    );
    check_config(
        "consumers",
        CLIENT,
        REDIRECT,
        ORG,
        expect!["Authority: personal Microsoft accounts cannot use Dataverse; use your tenant or `organizations`"],
    );
}

#[test]
fn the_well_known_public_client_and_the_dataverse_app_id_are_refused_as_client_ids() {
    check_config(
        DEFAULT_AUTHORITY,
        WELL_KNOWN_PUBLIC_CLIENT,
        REDIRECT,
        ORG,
        expect![
            "ClientId: Microsoft's public sample client is not a single-page application, so a browser cannot redeem its sign-ins (AADSTS9002326); register your own"
        ],
    );
    check_config(
        DEFAULT_AUTHORITY,
        DATAVERSE_APP_ID,
        REDIRECT,
        ORG,
        expect!["ClientId: this is the id of the Dataverse API itself; use your own app registration's id"],
    );
}

#[test]
fn the_authority_names_the_v2_endpoints_and_its_tenant() {
    let a = Authority::parse("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap();
    assert_eq!(a.tenant(), "72f988bf-86f1-41af-91ab-2d7cd011db47");
    assert_eq!(
        a.authorize_endpoint(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize"
    );
    assert_eq!(
        a.token_endpoint(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    );
}
