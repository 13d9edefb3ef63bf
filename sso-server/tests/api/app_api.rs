//! The application API: the on-demand user flow of the source, permissions
//! by role, SSO token link semantics (also under concurrency), SSO response
//! validation, and every status of the catalog.

use std::collections::BTreeSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::Sha256;
use sso_core::config::ApiApplication;
use sso_core::domain::RoleToken;
use sso_server::api::ApiStatus;

use crate::helpers::*;
use sso_test_support::each_store;

const PARTNER_KEY: &[u8] = include_bytes!("../fixtures/partner-idp.key.pem");
const PARTNER_JWKS: &str = include_str!("../../../sso-core/config/partner-idp.jwks.json");
const PORTAL: Auth = Auth::Basic("portal", "portal-secret");

#[derive(Clone, Copy)]
enum Auth<'a> {
    None,
    Basic(&'a str, &'a str),
    Bearer(&'a str),
}

/// An action's form fields.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// An envelope as the API answered it.
#[derive(Debug)]
struct Answer {
    status: String,
    message: String,
    body: Value,
}

impl Answer {
    fn is(&self, name: &str) -> bool {
        self.status == name
    }
}

impl TestApp {
    async fn api(&self, action: &str, auth: Auth<'_>, form: &[(&str, &str)]) -> Answer {
        let mut req = self
            .http
            .post(self.url(&format!("/api/{action}")))
            .form(form);
        req = match auth {
            Auth::None => req,
            Auth::Basic(id, secret) => req.basic_auth(id, Some(secret)),
            Auth::Bearer(token) => req.bearer_auth(token),
        };
        answer(req.send().await.unwrap()).await
    }

    /// A federated response: an ID token of this server for `site`.
    async fn id_token(&self, site: &Site, email: &str) -> (String, String) {
        let user = self
            .sign_up_with(site, email, &[("response_type", "code")])
            .await;
        let code = user.body["authorization_code"].as_str().unwrap();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &site.redirect_uri()),
        ];
        let r = self
            .http
            .post(self.url("/oauth/token"))
            .basic_auth(site.id, Some(format!("{}-secret", site.id)))
            .form(&form)
            .send()
            .await
            .unwrap();
        let body: Value = r.json().await.unwrap();
        (body["id_token"].as_str().unwrap().to_owned(), user.uuid)
    }

    async fn create_user(&self, email: &str) -> String {
        let a = self
            .api(
                "user/create",
                PORTAL,
                &[("email", email), ("displayname", "API User")],
            )
            .await;
        assert!(a.is("OK"), "{a:?}");
        a.body["user"]["id"].as_str().unwrap().to_owned()
    }

    /// Links, then signs in with the same response: the session secret.
    async fn session_for(&self, service: &str, response: &str, email: &str) -> String {
        let user = self.create_user(email).await;
        let form = [
            ("user", user.as_str()),
            ("service", service),
            ("response", response),
        ];
        assert!(self.api("user/linkssotoken", PORTAL, &form).await.is("OK"));
        let a = self
            .api(
                "session/createwithsso",
                PORTAL,
                &[("service", service), ("response", response)],
            )
            .await;
        assert!(a.is("OK"), "{a:?}");
        a.body["session"].as_str().unwrap().to_owned()
    }
}

async fn answer(r: reqwest::Response) -> Answer {
    let http = r.status();
    let v: Value = r.json().await.expect("an envelope");
    let header = &v["header"];
    let name = header["statusmessage"].as_str().unwrap().to_owned();
    let (code, expected_name, expected_http) = ApiStatus::ALL
        .into_iter()
        .map(|s| s.identity())
        .find(|(_, n, _)| *n == name)
        .unwrap_or_else(|| panic!("unknown status {name}"));
    assert_eq!(header["status"], code);
    assert_eq!(http.as_u16(), expected_http.as_u16(), "{name}");
    assert_eq!(name, expected_name);
    if name != "OK" {
        assert!(!header["message"].as_str().unwrap().is_empty(), "{v}");
        assert!(v["body"].is_null());
    }
    Answer {
        status: name,
        message: header["message"].as_str().unwrap_or("").to_owned(),
        body: v["body"].clone(),
    }
}

fn partner_kid() -> String {
    let jwks: Value = serde_json::from_str(PARTNER_JWKS).unwrap();
    jwks["keys"][0]["kid"].as_str().unwrap().to_owned()
}

/// An ID token of the partner IdP with `claims` over sensible defaults.
fn partner_token(overrides: Value) -> String {
    partner_token_typed(Some("JWT"), overrides)
}

/// The same with the header's `typ` as given.
fn partner_token_typed(typ: Option<&str>, overrides: Value) -> String {
    let now = sso_core::clock::unix_now();
    let mut claims = json!({
        "iss": "https://idp.partner.example",
        "aud": "sso-demo",
        "sub": "partner-user-1",
        "iat": now,
        "exp": now + 300,
    });
    for (k, v) in overrides.as_object().unwrap() {
        claims[k] = v.clone();
    }
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(partner_kid());
    header.typ = typ.map(str::to_owned);
    let key = EncodingKey::from_ec_pem(PARTNER_KEY).unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// `header.payload.signature` from parts, for tokens no library would make.
fn raw_jwt(header: Value, claims: Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let h = URL_SAFE_NO_PAD.encode(header.to_string());
    let c = URL_SAFE_NO_PAD.encode(claims.to_string());
    let input = format!("{h}.{c}");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sign(input.as_bytes())))
}

async fn an_unknown_sso_user_is_created_on_demand(backend: Backend) {
    let app = spawn_app(backend).await;
    let (response, _) = app.id_token(&NEWS, "reader@example.com").await;
    let sso = [("service", "federation"), ("response", response.as_str())];

    // First visit: nobody has this token yet.
    let a = app.api("session/createwithsso", PORTAL, &sso).await;
    assert!(a.is("SSO_TOKEN_UNKNOWN"), "{a:?}");
    assert!(a.message.contains("user/create"), "{}", a.message);
    // So the backend creates the user, links the token, and retries.
    let user = app.create_user("reader@example.com").await;
    let link = [
        ("user", user.as_str()),
        ("service", "federation"),
        ("response", &response),
    ];
    assert!(app.api("user/linkssotoken", PORTAL, &link).await.is("OK"));
    let a = app.api("session/createwithsso", PORTAL, &sso).await;
    assert!(a.is("OK"), "{a:?}");
    assert_eq!(a.body["user"]["id"], user.as_str());
    assert_eq!(a.body["user"]["roles"], json!(["user"]));
    let session = a.body["session"].as_str().unwrap().to_owned();

    // The session works as a Bearer credential, for its own user only.
    let info = app.api("session/info", Auth::Bearer(&session), &[]).await;
    assert!(info.is("OK"), "{info:?}");
    assert_eq!(info.body["user"]["id"], user.as_str());
    let me = app.api("user/info", Auth::Bearer(&session), &[]).await;
    assert_eq!(me.body["user"]["email"], "reader@example.com");
    let other = app.create_user("other@example.com").await;
    let a = app
        .api("user/info", Auth::Bearer(&session), &[("user", &other)])
        .await;
    assert!(a.is("NOT_ALLOWED"), "{a:?}");
    // The application sees it too, then the user signs out.
    let a = app
        .api("session/info", PORTAL, &[("session", &session)])
        .await;
    assert!(a.is("OK"));
    assert!(
        app.api("session/delete", Auth::Bearer(&session), &[])
            .await
            .is("OK")
    );
    let gone = app.api("session/info", Auth::Bearer(&session), &[]).await;
    assert!(gone.is("AUTHENTICATION_FAILED"), "{gone:?}");
    let a = app
        .api("session/info", PORTAL, &[("session", &session)])
        .await;
    assert!(a.is("SESSION_NOT_FOUND"), "{a:?}");
}

async fn every_action_is_allowed_and_refused_by_role(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        // An application with no roles at all, and an all-powerful role
        // that the portal must not be able to hand out.
        let hash = s.applications["portal"].secret_hash.clone();
        s.applications.insert(
            "idle".into(),
            ApiApplication {
                id: "idle".into(),
                secret_hash: hash,
                roles: vec![],
            },
        );
        s.roles
            .insert("admin".into(), RoleToken::ALL.into_iter().collect());
    })
    .await;
    let idle = Auth::Basic("idle", "portal-secret");
    let response = partner_token(json!({}));
    let session = app
        .session_for("partner-idp", &response, "roles@example.com")
        .await;
    let user_session = Auth::Bearer(&session);
    let user = app.api("session/info", user_session, &[]).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let actions: [(&str, RoleToken, Form); 7] = [
        (
            "user/create",
            RoleToken::UserCreate,
            vec![("email", "new@example.com"), ("displayname", "N")],
        ),
        ("user/info", RoleToken::UserView, vec![("user", &user)]),
        (
            "user/linkssotoken",
            RoleToken::UserSsoToken,
            vec![
                ("user", &user),
                ("service", "partner-idp"),
                ("response", &response),
            ],
        ),
        (
            "user/clearssotoken",
            RoleToken::UserSsoToken,
            vec![("user", &user), ("service", "federation")],
        ),
        (
            "session/createwithsso",
            RoleToken::SessionCreate,
            vec![("service", "partner-idp"), ("response", &response)],
        ),
        ("session/info", RoleToken::SessionView, vec![]),
        ("session/delete", RoleToken::SessionDelete, vec![]),
    ];
    let portal_tokens = app.settings.role_tokens(&["portal-manager".to_owned()]);
    let user_tokens = app.settings.role_tokens(&["user".to_owned()]);
    assert!(
        !user_tokens.contains(&RoleToken::UserSsoToken),
        "the default role must not manage SSO tokens"
    );
    for (action, token, form) in &actions {
        // The idle application holds nothing.
        let a = app.api(action, idle, form).await;
        assert!(a.is("NOT_ALLOWED"), "{action}: {a:?}");
        assert!(a.message.contains(token.as_str()), "{}", a.message);
        // The user session: allowed exactly by the default role (the
        // session actions act on its own session, without `session`).
        let own: Vec<(&str, &str)> = form.iter().filter(|(k, _)| *k != "user").copied().collect();
        let a = app.api(action, user_session, &own).await;
        assert_eq!(
            a.is("NOT_ALLOWED"),
            !user_tokens.contains(token),
            "{action}: {a:?}"
        );
        if *action == "session/delete" {
            continue;
        }
        // The portal: allowed exactly by portal-manager.
        let mut with_session = form.clone();
        if action.starts_with("session/") && *action != "session/createwithsso" {
            with_session.push(("session", &session));
        }
        let a = app.api(action, PORTAL, &with_session).await;
        assert_eq!(
            a.is("NOT_ALLOWED"),
            !portal_tokens.contains(token),
            "{action}: {a:?}"
        );
    }
    let a = app
        .api("session/delete", PORTAL, &[("session", &session)])
        .await;
    assert!(
        a.is("NOT_ALLOWED"),
        "portal-manager has no session-delete: {a:?}"
    );

    // Granting roles: known ones only, never more than the caller holds,
    // the default role always.
    let create = |roles: &'static str| {
        [
            ("username", "granted"),
            ("displayname", "G"),
            ("roles", roles),
        ]
    };
    assert!(
        app.api("user/create", PORTAL, &create("nope"))
            .await
            .is("ROLE_UNKNOWN")
    );
    let a = app.api("user/create", PORTAL, &create("admin")).await;
    assert!(a.is("NOT_ALLOWED") && a.message.contains("admin"), "{a:?}");
    let a = app
        .api("user/create", PORTAL, &create("portal-manager,user"))
        .await;
    assert!(a.is("OK"), "{a:?}");
    assert_eq!(a.body["user"]["roles"], json!(["portal-manager", "user"]));
    assert_eq!(a.body["user"]["username"], "granted");
    assert!(a.body["user"]["email"].is_null());
}

async fn sso_tokens_link_one_to_one_and_clear_both_ways(backend: Backend) {
    let app = spawn_app(backend).await;
    let (ann, bob) = (
        app.create_user("ann@example.com").await,
        app.create_user("bob@example.com").await,
    );
    let first = partner_token(json!({"sub": "first"}));
    let second = partner_token(json!({"sub": "second"}));
    let link = |user: &str, response: &str| {
        vec![
            ("user".to_owned(), user.to_owned()),
            ("service".to_owned(), "partner-idp".to_owned()),
            ("response".to_owned(), response.to_owned()),
        ]
    };
    let call = |action: &'static str, form: Vec<(String, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.api(action, PORTAL, &form).await
        }
    };
    assert!(call("user/linkssotoken", link(&ann, &first)).await.is("OK"));
    // Linking the same pair again is harmless.
    assert!(call("user/linkssotoken", link(&ann, &first)).await.is("OK"));
    // One token per user per service: clear first.
    let a = call("user/linkssotoken", link(&ann, &second)).await;
    assert!(
        a.is("SSO_TOKEN_ALREADY_SET") && a.message.contains("clear"),
        "{a:?}"
    );
    // One user per token.
    assert!(
        call("user/linkssotoken", link(&bob, &first))
            .await
            .is("SSO_TOKEN_ALREADY_LINKED")
    );
    // A token of another service is another token.
    let (federated, _) = app.id_token(&SPORT, "fed@example.com").await;
    let mut fed = link(&ann, &federated);
    fed[1].1 = "federation".into();
    assert!(call("user/linkssotoken", fed).await.is("OK"));

    // Clearing removes both directions.
    let clear = |user: &str| {
        vec![
            ("user".to_owned(), user.to_owned()),
            ("service".to_owned(), "partner-idp".to_owned()),
        ]
    };
    let a = call("user/clearssotoken", clear(&ann)).await;
    assert_eq!(a.body["cleared"], true);
    assert_eq!(
        call("user/clearssotoken", clear(&ann)).await.body["cleared"],
        false
    );
    let sign_in = vec![
        ("service".to_owned(), "partner-idp".to_owned()),
        ("response".to_owned(), first.clone()),
    ];
    assert!(
        call("session/createwithsso", sign_in.clone())
            .await
            .is("SSO_TOKEN_UNKNOWN")
    );
    assert!(call("user/linkssotoken", link(&bob, &first)).await.is("OK"));
    let a = call("session/createwithsso", sign_in).await;
    assert_eq!(a.body["user"]["id"], bob.as_str());
}

async fn concurrent_double_links_have_exactly_one_winner(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut users = Vec::new();
    for i in 0..12 {
        users.push(app.create_user(&format!("race{i}@example.com")).await);
    }
    // One token, twelve users at once.
    let token = partner_token(json!({"sub": "contested"}));
    let attempts = users.iter().map(|u| {
        let form = [
            ("user", u.as_str()),
            ("service", "partner-idp"),
            ("response", token.as_str()),
        ];
        let app = &app;
        async move { app.api("user/linkssotoken", PORTAL, &form).await.status }
    });
    let outcomes = futures::future::join_all(attempts).await;
    assert_eq!(
        outcomes.iter().filter(|s| *s == "OK").count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|s| s == "OK" || s == "SSO_TOKEN_ALREADY_LINKED")
    );

    // Twelve tokens, one user at once.
    let tokens: Vec<String> = (0..12)
        .map(|i| partner_token(json!({"sub": format!("t{i}")})))
        .collect();
    let attempts = tokens.iter().map(|t| {
        let form = [
            ("user", users[0].as_str()),
            ("service", "partner-idp"),
            ("response", t.as_str()),
        ];
        let app = &app;
        async move { app.api("user/linkssotoken", PORTAL, &form).await.status }
    });
    let outcomes = futures::future::join_all(attempts).await;
    // users[0] may hold "contested" already; then every attempt is refused.
    let winners = outcomes.iter().filter(|s| *s == "OK").count();
    assert!(winners <= 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|s| s == "OK" || s == "SSO_TOKEN_ALREADY_SET")
    );
    // No half-links: every token that lost is free for another user.
    for (t, outcome) in tokens.iter().zip(&outcomes) {
        if outcome != "OK" {
            let sign_in = [("service", "partner-idp"), ("response", t.as_str())];
            assert!(
                app.api("session/createwithsso", PORTAL, &sign_in)
                    .await
                    .is("SSO_TOKEN_UNKNOWN")
            );
        }
    }
}

async fn forged_and_foreign_sso_responses_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = sso_core::clock::unix_now();
    let user = app.create_user("check@example.com").await;
    let (app, user) = (&app, user.as_str());
    let link = |response: String| async move {
        let form = [
            ("user", user),
            ("service", "partner-idp"),
            ("response", response.as_str()),
        ];
        app.api("user/linkssotoken", PORTAL, &form).await
    };
    let other_key = {
        let keys = sso_core::oidc::SigningKeys::generate();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(
                // The signing key's PKCS#8, by way of a token we do not use.
                keys_der(&keys)
            )
        );
        EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()
    };
    let mut forged_header = Header::new(Algorithm::ES256);
    forged_header.kid = Some(partner_kid());
    let claims = json!({"iss": "https://idp.partner.example", "aud": "sso-demo", "sub": "x", "exp": now + 300});
    let forged = jsonwebtoken::encode(&forged_header, &claims, &other_key).unwrap();
    let public_key = PARTNER_JWKS.as_bytes().to_vec();
    let cases = [
        ("forged", forged),
        ("expired", partner_token(json!({"exp": now - 3600}))),
        ("beyond the skew", partner_token(json!({"exp": now - 120}))),
        (
            "wrong audience",
            partner_token(json!({"aud": "someone-else"})),
        ),
        (
            "wrong issuer",
            partner_token(json!({"iss": "https://evil.example"})),
        ),
        ("no sub", partner_token(json!({"sub": ""}))),
        (
            "alg none",
            raw_jwt(
                json!({"alg": "none", "kid": partner_kid()}),
                claims.clone(),
                |_| vec![],
            ),
        ),
        (
            "HS256 keyed with the public key",
            raw_jwt(
                json!({"alg": "HS256", "kid": partner_kid()}),
                claims.clone(),
                |input| {
                    let mut mac = Hmac::<Sha256>::new_from_slice(&public_key).unwrap();
                    mac.update(input);
                    mac.finalize().into_bytes().to_vec()
                },
            ),
        ),
        (
            "RS256 claimed for the EC key",
            raw_jwt(
                json!({"alg": "RS256", "kid": partner_kid()}),
                claims.clone(),
                |_| vec![1; 256],
            ),
        ),
        ("not a JWT", "hello".to_owned()),
    ];
    for (what, response) in cases {
        let a = link(response).await;
        assert!(a.is("SSO_RESPONSE_INVALID"), "{what}: {a:?}");
    }
    // This server's own ID token is not a partner response, and a partner
    // token is not a federated one.
    let (ours, _) = app.id_token(&NEWS, "ours@example.com").await;
    assert!(link(ours.clone()).await.is("SSO_RESPONSE_INVALID"));
    let partner = partner_token(json!({}));
    let form = [("service", "federation"), ("response", partner.as_str())];
    assert!(
        app.api("session/createwithsso", PORTAL, &form)
            .await
            .is("SSO_RESPONSE_INVALID")
    );
    // Within the clock skew is still fine.
    assert!(link(partner_token(json!({"exp": now - 20}))).await.is("OK"));
}

/// Defect: `user/info` with the uuid of someone who registered through the
/// registration API returned their email to any application. Actions reach
/// API users only, unless a role grants `sso-users`.
async fn applications_reach_sso_registered_people_only_with_sso_users(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        let mut app = s.applications["portal"].clone();
        app.id = "directory".into();
        app.roles = vec!["directory".into()];
        s.applications.insert("directory".into(), app);
        s.roles.insert(
            "directory".into(),
            [RoleToken::UserView, RoleToken::SsoUsers].into(),
        );
    })
    .await;
    let person = app.sign_up(&NEWS, "person@example.com").await;
    let a = app
        .api("user/info", PORTAL, &[("user", &person.uuid)])
        .await;
    assert!(a.is("USER_NOT_FOUND"), "{a:?}");
    assert!(!a.body.to_string().contains("person@example.com"), "{a:?}");
    let directory = Auth::Basic("directory", "portal-secret");
    let a = app
        .api("user/info", directory, &[("user", &person.uuid)])
        .await;
    assert!(a.is("OK"), "{a:?}");
    assert_eq!(a.body["user"]["email"], "person@example.com");
    // The application's own users stay reachable without it.
    let own = app.create_user("own@example.com").await;
    assert!(
        app.api("user/info", PORTAL, &[("user", &own)])
            .await
            .is("OK")
    );
}

/// Defect: `nbf`, a future `iat` and the header's `typ` were not checked, so
/// a token not yet valid, or an access token (`at+jwt`), passed as an ID
/// token.
async fn id_tokens_not_yet_valid_or_of_another_type_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = sso_core::clock::unix_now();
    let user = app.create_user("typ@example.com").await;
    let link = |response: String| {
        let (app, user) = (&app, user.clone());
        async move {
            let form = [
                ("user", user.as_str()),
                ("service", "partner-idp"),
                ("response", response.as_str()),
            ];
            app.api("user/linkssotoken", PORTAL, &form).await
        }
    };
    let refused = [
        (
            "not before an hour from now",
            partner_token(json!({"nbf": now + 3600})),
        ),
        (
            "issued an hour from now",
            partner_token(json!({"iat": now + 3600})),
        ),
        (
            "an access token",
            partner_token_typed(Some("at+jwt"), json!({})),
        ),
        (
            "typ logout+jwt",
            partner_token_typed(Some("logout+jwt"), json!({})),
        ),
    ];
    for (what, response) in refused {
        let a = link(response).await;
        assert!(a.is("SSO_RESPONSE_INVALID"), "{what}: {a:?}");
    }
    // Within the clock skew, and without a typ, tokens are fine.
    let accepted = partner_token_typed(None, json!({"iat": now + 20, "nbf": now + 20}));
    assert!(link(accepted).await.is("OK"));
}

/// A federated response is accepted without a signature check only when it
/// is byte for byte an ID token this process signed; a sibling instance's
/// token (same key, not signed here) is verified by its signature, and any
/// change to one of ours sends it down that path, where it fails.
async fn federated_responses_signed_here_or_elsewhere_are_both_checked(backend: Backend) {
    let keys = sso_core::oidc::SigningKeys::generate();
    let der = keys_der(&keys);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    let path = std::env::temp_dir().join(format!("sso-keys-{}.pem", uuid::Uuid::new_v4()));
    std::fs::write(&path, pem).unwrap();
    let key_file = path.clone();
    let app = spawn_app_with(backend, move |s| {
        s.id_token_keys = Some(key_file);
        // Only news's ID tokens count for this service.
        for service in s.sso_services.values_mut() {
            if let sso_core::config::ServiceKind::Federated { audiences } = &mut service.kind {
                *audiences = vec!["news".to_owned()];
            }
        }
    })
    .await;
    std::fs::remove_file(&path).unwrap();
    let (ours, uuid) = app.id_token(&NEWS, "fed@example.com").await;
    let account = app.create_user("fed@example.com").await;
    let link = [
        ("user", account.as_str()),
        ("service", "federation"),
        ("response", ours.as_str()),
    ];
    assert!(app.api("user/linkssotoken", PORTAL, &link).await.is("OK"));
    let create = |response: String| {
        let app = &app;
        async move {
            let form = [("service", "federation"), ("response", response.as_str())];
            app.api("session/createwithsso", PORTAL, &form).await
        }
    };
    assert!(create(ours.clone()).await.is("OK"), "signed here");

    // The same claims signed by a sibling with the same key: not in this
    // process's set, so the signature is checked, and it holds.
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(ours.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], uuid.as_str());
    let mut header = Header::new(Algorithm::ES256);
    header.kid = jsonwebtoken::decode_header(&ours).unwrap().kid;
    let sibling = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_der(&der)).unwrap();
    assert_ne!(sibling, ours, "ECDSA signatures are randomised");
    assert!(create(sibling).await.is("OK"), "signed by a sibling");

    // Ours, changed: another subject under our signature, a broken
    // signature, another header.
    let mut parts: Vec<String> = ours.split('.').map(str::to_owned).collect();
    let mut other = claims.clone();
    other["sub"] = json!("someone-else");
    parts[1] = URL_SAFE_NO_PAD.encode(other.to_string());
    let resubjected = parts.join(".");
    let mut broken = ours.clone();
    let last = broken.pop().unwrap();
    broken.push(if last == 'A' { 'B' } else { 'A' });
    let none = raw_jwt(json!({"alg": "none"}), claims.clone(), |_| vec![]);
    for (what, response) in [
        ("resubjected", resubjected),
        ("broken", broken),
        ("alg none", none),
    ] {
        let a = create(response).await;
        assert!(a.is("SSO_RESPONSE_INVALID"), "{what}: {a:?}");
    }

    // Signed here, but for a client this service does not accept.
    let (sports, _) = app.id_token(&SPORT, "fed-sport@example.com").await;
    let a = create(sports).await;
    assert!(a.is("SSO_RESPONSE_INVALID"), "{a:?}");
}

fn keys_der(keys: &sso_core::oidc::SigningKeys) -> Vec<u8> {
    keys.private_der()
}

async fn every_status_of_the_catalog_is_reachable(backend: Backend) {
    // Many refusals in a row: no need to wait for each (the delay has its
    // own test in oauth_token).
    let mut app = spawn_app_with(backend, |s| {
        s.rate_limit.auth_failure_delay = std::time::Duration::ZERO;
    })
    .await;
    let mut reached = BTreeSet::new();
    let mut note = |a: Answer| {
        reached.insert(a.status.clone());
        a
    };
    let user = app.create_user("status@example.com").await;
    note(app.api("user/info", PORTAL, &[("user", &user)]).await);
    note(app.api("nothing/here", PORTAL, &[]).await);
    let r = app
        .http
        .get(app.url("/api/user/info"))
        .send()
        .await
        .unwrap();
    note(answer(r).await);
    let r = app
        .http
        .post(app.url("/api/user/info"))
        .basic_auth("portal", Some("portal-secret"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    note(answer(r).await);
    let big = "x".repeat(20_000);
    note(app.api("user/info", PORTAL, &[("user", &big)]).await);
    note(app.api("user/info", Auth::None, &[]).await);
    note(
        app.api("user/info", Auth::Basic("portal", "wrong"), &[])
            .await,
    );
    note(
        app.api("user/create", Auth::Basic("portal", "x"), &[])
            .await,
    );
    // Wrong application secrets past the per-IP budget.
    let mut throttled = None;
    for _ in 0..=app.settings.rate_limit.auth_failures_per_ip {
        throttled = Some(
            app.api("user/info", Auth::Basic("portal", "wrong"), &[])
                .await,
        );
    }
    note(throttled.unwrap());
    let idle_session = Auth::Bearer("not-a-session");
    note(app.api("user/create", idle_session, &[]).await);
    note(app.api("user/info", PORTAL, &[]).await);
    note(
        app.api("user/info", PORTAL, &[("user", "not-a-uuid")])
            .await,
    );
    note(
        app.api(
            "user/info",
            PORTAL,
            &[("user", "6d1f3c9a-1b7e-4c43-9a2c-4b1e2f3a4b5c")],
        )
        .await,
    );
    note(
        app.api(
            "user/create",
            PORTAL,
            &[("email", "status@example.com"), ("displayname", "S")],
        )
        .await,
    );
    note(
        app.api(
            "user/create",
            PORTAL,
            &[
                ("email", "r@example.com"),
                ("displayname", "S"),
                ("roles", "nope"),
            ],
        )
        .await,
    );
    note(
        app.api(
            "session/createwithsso",
            PORTAL,
            &[("service", "nope"), ("response", "x")],
        )
        .await,
    );
    note(
        app.api(
            "session/createwithsso",
            PORTAL,
            &[("service", "partner-idp"), ("response", "x")],
        )
        .await,
    );
    let token = partner_token(json!({"sub": "status"}));
    note(
        app.api(
            "session/createwithsso",
            PORTAL,
            &[("service", "partner-idp"), ("response", &token)],
        )
        .await,
    );
    let other = app.create_user("status2@example.com").await;
    for u in [&user, &other] {
        note(
            app.api(
                "user/linkssotoken",
                PORTAL,
                &[
                    ("user", u),
                    ("service", "partner-idp"),
                    ("response", &token),
                ],
            )
            .await,
        );
    }
    let second = partner_token(json!({"sub": "status-2"}));
    note(
        app.api(
            "user/linkssotoken",
            PORTAL,
            &[
                ("user", &user),
                ("service", "partner-idp"),
                ("response", &second),
            ],
        )
        .await,
    );
    note(app.api("session/delete", PORTAL, &[]).await);
    note(
        app.api(
            "session/info",
            PORTAL,
            &[("session", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")],
        )
        .await,
    );
    if backend != Backend::Memory {
        app.redis.as_mut().unwrap().kill();
        note(app.api("user/info", PORTAL, &[("user", &user)]).await);
    }
    // REQUEST_TIMEOUT takes a body 10 s late: `slow_requests` reaches it.
    let mut expected: BTreeSet<String> = ApiStatus::ALL
        .into_iter()
        .filter(|s| ![ApiStatus::InternalError, ApiStatus::RequestTimeout].contains(s))
        .map(|s| s.identity().1.to_owned())
        .collect();
    if backend == Backend::Memory {
        expected.remove("STORE_UNAVAILABLE");
    }
    assert_eq!(reached, expected);
}

/// Applications list and end a person's sessions: browser sign-ins, and the
/// sessions of the site-backend account linked to the person (sign out
/// everywhere), without any browser taking part.
async fn applications_list_and_end_a_persons_sessions(backend: Backend) {
    let app = spawn_app_with(backend, add_helpdesk).await;
    let helpdesk = Auth::Basic("helpdesk", "portal-secret");
    // A person with two browsers, and a news-backend account with a session.
    let (id_token, person) = app.id_token(&NEWS, "everywhere@example.com").await;
    let first = app.second_browser(&NEWS, "everywhere@example.com").await;
    let second = app.second_browser(&SPORT, "everywhere@example.com").await;
    let api_session = app
        .session_for("federation", &id_token, "everywhere-account@example.com")
        .await;

    let a = app
        .api("user/sessions", helpdesk, &[("user", &person)])
        .await;
    assert!(a.is("OK"), "{a:?}");
    let sessions = a.body["sessions"].as_array().unwrap().clone();
    let kinds: Vec<_> = sessions
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "browser").count(),
        2,
        "{sessions:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "api").count(),
        1,
        "{sessions:?}"
    );
    let api = sessions.iter().find(|s| s["kind"] == "api").unwrap();
    assert_eq!(api["device"], "application portal");

    // Without sso-users the person is not the portal's to see; without the
    // token the action is refused by name.
    let a = app
        .api(
            "user/sessions",
            Auth::Basic("portal", "portal-secret"),
            &[("user", &person)],
        )
        .await;
    assert!(a.is("USER_NOT_FOUND"), "{a:?}");

    // End one browser sign-in.
    let sport = sessions.iter().find(|s| s["segment"] == "sport").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = app
        .api(
            "user/endsession",
            helpdesk,
            &[("user", &person), ("session_id", &sport)],
        )
        .await;
    assert!(a.is("OK"), "{a:?}");
    assert_eq!(a.body["ended"], 1);
    assert!(!app.signed_in(&SPORT, &second).await);
    assert!(app.signed_in(&NEWS, &first).await);
    let a = app
        .api(
            "user/endsession",
            helpdesk,
            &[("user", &person), ("session_id", &sport)],
        )
        .await;
    assert!(a.is("SESSION_NOT_FOUND"), "{a:?}");

    // Sign out everywhere: the browser and the backend account's session.
    let a = app
        .api("user/endallsessions", helpdesk, &[("user", &person)])
        .await;
    assert!(a.is("OK"), "{a:?}");
    assert_eq!(a.body["ended"], 2);
    assert!(!app.signed_in(&NEWS, &first).await);
    let gone = app
        .api("session/info", Auth::Bearer(&api_session), &[])
        .await;
    assert!(gone.is("AUTHENTICATION_FAILED"), "{gone:?}");
    let a = app
        .api("user/sessions", helpdesk, &[("user", &person)])
        .await;
    assert_eq!(a.body["sessions"], json!([]));
}

/// The session actions need their own tokens.
async fn session_actions_need_their_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.create_user("tokens@example.com").await;
    let reader = Auth::Basic("portal", "portal-secret");
    // The default role (a user session) holds neither token.
    let response = partner_token(json!({ "sub": "tokens-user" }));
    let session = app
        .session_for("partner-idp", &response, "tokens-api@example.com")
        .await;
    for (action, token) in [
        ("user/sessions", "user-session-view"),
        ("user/endsession", "user-session-end"),
        ("user/endallsessions", "user-session-end"),
    ] {
        let a = app
            .api(
                action,
                Auth::Bearer(&session),
                &[("session_id", "AAAAAAAAAAAAAAAA")],
            )
            .await;
        assert!(a.is("NOT_ALLOWED"), "{action}: {a:?}");
        assert!(a.message.contains(token), "{}", a.message);
    }
    // The portal holds both: its own API user's sessions.
    let a = app.api("user/sessions", reader, &[("user", &user)]).await;
    assert!(a.is("OK"), "{a:?}");
    let a = app
        .api(
            "user/endsession",
            reader,
            &[("user", &user), ("session_id", "nonsense")],
        )
        .await;
    assert!(a.is("INVALID_PARAMETER"), "{a:?}");
}

each_store!(
    applications_list_and_end_a_persons_sessions,
    session_actions_need_their_tokens,
    an_unknown_sso_user_is_created_on_demand,
    every_action_is_allowed_and_refused_by_role,
    sso_tokens_link_one_to_one_and_clear_both_ways,
    concurrent_double_links_have_exactly_one_winner,
    forged_and_foreign_sso_responses_are_refused,
    id_tokens_not_yet_valid_or_of_another_type_are_refused,
    applications_reach_sso_registered_people_only_with_sso_users,
    federated_responses_signed_here_or_elsewhere_are_both_checked,
    every_status_of_the_catalog_is_reachable,
);

/// Defect: on one Redis node an API session's index entry and its record
/// were two commands of a pipeline, so an entry that failed left the record
/// standing: a session that ending all of its person's sessions could not
/// find. One script now writes the entry, then the record.
#[tokio::test]
async fn an_api_session_whose_index_entry_fails_is_not_created() {
    let app = spawn_app(Backend::Redis).await;
    let (response, _) = app.id_token(&NEWS, "unindexed@example.com").await;
    let user = app.create_user("unindexed@example.com").await;
    let link = [
        ("user", user.as_str()),
        ("service", "federation"),
        ("response", &response),
    ];
    assert!(app.api("user/linkssotoken", PORTAL, &link).await.is("OK"));
    // The person's index cannot take an entry: a string where its hash goes.
    let client = ::redis::Client::open(app.redis.as_ref().unwrap().url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let index = format!("sso:x:{{{}}}", user.replace('-', ""));
    let () = ::redis::cmd("SET")
        .arg(&index)
        .arg("not an index")
        .query_async(&mut conn)
        .await
        .unwrap();

    let sso = [("service", "federation"), ("response", response.as_str())];
    let a = app.api("session/createwithsso", PORTAL, &sso).await;
    assert!(a.is("STORE_UNAVAILABLE"), "{a:?}");
    let records: Vec<String> = ::redis::cmd("KEYS")
        .arg("sso:p:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        records.is_empty(),
        "a record without its entry: {records:?}"
    );
}
