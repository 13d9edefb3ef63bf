//! The FedCM identity provider, the Login Status API and the Storage Access
//! headers: what the browser calls where third-party cookies are blocked.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use sso_test_support::each_store;

mod id_token;

const WEBIDENTITY: (&str, &str) = ("sec-fetch-dest", "webidentity");

impl TestApp {
    /// `/fedcm/accounts` as the browser's FedCM calls it.
    async fn fedcm_accounts(&self, cookie: Option<&str>) -> reqwest::Response {
        let mut req = self
            .http
            .get(self.url("/fedcm/accounts"))
            .header(WEBIDENTITY.0, WEBIDENTITY.1);
        if let Some(c) = cookie {
            req = req.header("cookie", format!("sso_session={c}"));
        }
        req.send().await.unwrap()
    }

    /// `/fedcm/assertion` as the browser's FedCM posts it for `site`, with
    /// the check query the library sends; `headers` replace the browser's.
    async fn fedcm_assertion(
        &self,
        form: &[(String, String)],
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        self.fedcm_post("/fedcm/assertion", form, cookie, headers)
            .await
    }

    /// A form the browser's FedCM posts to `path`.
    async fn fedcm_post(
        &self,
        path: &str,
        form: &[(String, String)],
        cookie: Option<&str>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self.http.post(self.url(path)).form(form);
        if let Some(c) = cookie {
            req = req.header("cookie", format!("sso_session={c}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }

    /// The check result a successful assertion for `site` hands the page.
    async fn fedcm_token(&self, form: &[(String, String)], cookie: &str, site: &Site) -> Value {
        let answer = self
            .fedcm_assertion(form, Some(cookie), &from_origin(site.origin))
            .await;
        token(answer, site.origin).await
    }
}

/// The form the browser posts for `site` and `account`.
fn assertion_form(site: &Site, account: &str) -> Vec<(String, String)> {
    let query = query_of(site.check_params());
    vec![
        ("client_id".to_owned(), site.id.to_owned()),
        ("account_id".to_owned(), account.to_owned()),
        ("params".to_owned(), json!({ "query": query }).to_string()),
        ("disclosure_text_shown".to_owned(), "false".to_owned()),
        ("is_auto_selected".to_owned(), "true".to_owned()),
    ]
}

fn query_of(params: Vec<(String, String)>) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// The browser's headers for an assertion from `origin`.
fn from_origin(origin: &str) -> [(&str, &str); 2] {
    [WEBIDENTITY, ("origin", origin)]
}

/// The check result inside a successful assertion answer.
async fn token(response: reqwest::Response, origin: &str) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["access-control-allow-origin"], origin);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(headers["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    serde_json::from_str(body["token"].as_str().expect("a token")).expect("the token is JSON")
}

#[tokio::test]
async fn the_well_known_file_and_config_name_the_endpoints() {
    let app = spawn_app(Backend::Memory).await;
    let issuer = app.settings.issuer().to_owned();
    let well_known: Value = app
        .get("/.well-known/web-identity")
        .await
        .json()
        .await
        .unwrap();
    // The accounts endpoint and login URL too: Chrome 145 and later require
    // them of a provider with client metadata.
    assert_eq!(
        well_known,
        json!({
            "provider_urls": [format!("{issuer}/fedcm/config.json")],
            "accounts_endpoint": format!("{issuer}/fedcm/accounts"),
            "login_url": format!("{issuer}/fedcm/sign-in"),
        })
    );
    let config: Value = app.get("/fedcm/config.json").await.json().await.unwrap();
    for key in ["accounts_endpoint", "login_url"] {
        assert_eq!(
            config[key], well_known[key],
            "{key} as in the well-known file"
        );
    }
    for (key, path) in [
        ("accounts_endpoint", "/fedcm/accounts"),
        ("client_metadata_endpoint", "/fedcm/client_metadata"),
        ("id_assertion_endpoint", "/fedcm/assertion"),
        ("disconnect_endpoint", "/fedcm/disconnect"),
        ("login_url", "/fedcm/sign-in"),
    ] {
        assert_eq!(config[key], format!("{issuer}{path}"), "{key}");
        let method = if matches!(key, "id_assertion_endpoint" | "disconnect_endpoint") {
            "POST"
        } else {
            "GET"
        };
        let served = app
            .http
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_ne!(served.status(), StatusCode::NOT_FOUND, "{path} is served");
    }
    let metadata = app.get("/fedcm/client_metadata?client_id=sport").await;
    assert_eq!(metadata.status(), StatusCode::OK);
    assert_eq!(metadata.json::<Value>().await.unwrap(), json!({}));
    let unknown = app.get("/fedcm/client_metadata?client_id=nobody").await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_client", "{body}");
}

async fn accounts_list_the_person_with_the_sites_of_their_segments(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app
        .signed_in_browser(&NEWS, "fedcm-accounts@example.com")
        .await;

    let answer = app.fedcm_accounts(Some(&cookie)).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let body: Value = answer.json().await.unwrap();
    let accounts = body["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{body}");
    assert_eq!(accounts[0]["id"], user.uuid.as_str());
    assert_eq!(accounts[0]["email"], "fedcm-accounts@example.com");
    assert_eq!(accounts[0]["name"], "Test User");
    // News's segment is used by news, sport (which federates with it) and
    // the wiki (a standard client in it), not by shop.
    assert_eq!(
        accounts[0]["approved_clients"],
        json!(["news", "sport", "wiki"])
    );
    // The same as domain hints: the library asks with its client id as
    // `domainHint`, so shop's chooser never offers this person.
    assert_eq!(
        accounts[0]["domain_hints"],
        json!(["news", "sport", "wiki"])
    );

    // Nobody signed in: no account (the browser then shows none).
    let none: Value = app.fedcm_accounts(None).await.json().await.unwrap();
    assert_eq!(none, json!({ "accounts": [] }));

    // After the sign-out, the cookie names no one.
    assert_eq!(app.end(&NEWS, Some(&cookie)).await.status(), "success");
    let after: Value = app
        .fedcm_accounts(Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after, json!({ "accounts": [] }));
}

#[tokio::test]
async fn accounts_are_only_for_the_browsers_fedcm() {
    let app = spawn_app(Backend::Memory).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "fedcm-csrf@example.com").await;
    // A page's fetch or a form cannot set Sec-Fetch-Dest: webidentity.
    for dest in [None, Some("empty"), Some("document")] {
        let mut req = app
            .http
            .get(app.url("/fedcm/accounts"))
            .header("cookie", format!("sso_session={cookie}"));
        if let Some(d) = dest {
            req = req.header("sec-fetch-dest", d);
        }
        let answer = req.send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{dest:?}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_argument");
        assert!(body.get("accounts").is_none());
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("Sec-Fetch-Dest")
        );
    }
}

async fn an_assertion_is_what_check_delivers(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app
        .signed_in_browser(&NEWS, "fedcm-assert@example.com")
        .await;

    let result = app
        .fedcm_token(&assertion_form(&SPORT, &user.uuid), &cookie, &SPORT)
        .await;
    let checked = app.check(&SPORT, Some(&cookie)).await.result;
    assert_eq!(result["stat"], "ok");
    assert_eq!(result["result"]["status"], "success");
    // The same result as the check, but for its fresh tokens.
    for field in [
        "status",
        "statusMessage",
        "transactionId",
        "action",
        "userData",
        "keepMeLoggedIn",
        "ssoImplicitLogin",
    ] {
        assert_eq!(result["result"][field], checked["result"][field], "{field}");
    }
    let access_token = result["result"]["accessToken"].as_str().unwrap();
    assert_eq!(app.entity_status(access_token).await, 200);
    let claims = app.access_tokens().open(access_token).unwrap();
    assert_eq!(claims.client.as_str(), "sport");

    // Asking for a code gets a code, as the check would.
    let mut form = assertion_form(&SPORT, &user.uuid);
    let query = query_of(with(SPORT.check_params(), "response_type", Some("code")));
    form[2].1 = json!({ "query": query }).to_string();
    let result = app.fedcm_token(&form, &cookie, &SPORT).await;
    let code = result["result"]["code"].as_str();
    assert!(code.is_some_and(|c| !c.is_empty()), "{result}");

    // Shop is another segment family: the person is not signed in there.
    let result = app
        .fedcm_token(&assertion_form(&SHOP, &user.uuid), &cookie, &SHOP)
        .await;
    assert_eq!(result["result"]["status"], "no_session");
    assert!(result["result"].get("accessToken").is_none());

    // Another person's account id gets nothing of this one.
    let stranger = uuid::Uuid::new_v4().to_string();
    let result = app
        .fedcm_token(&assertion_form(&SPORT, &stranger), &cookie, &SPORT)
        .await;
    assert_eq!(result["result"]["status"], "no_session");

    // After the sign-out the FedCM path finds no session either.
    assert_eq!(app.end(&NEWS, Some(&cookie)).await.status(), "success");
    let result = app
        .fedcm_token(&assertion_form(&SPORT, &user.uuid), &cookie, &SPORT)
        .await;
    assert_eq!(result["result"]["status"], "no_session");
}

#[tokio::test]
async fn a_hostile_origin_gets_nothing_from_the_assertion_endpoint() {
    let app = spawn_app(Backend::Memory).await;
    let (user, cookie) = app
        .signed_in_browser(&NEWS, "fedcm-hostile@example.com")
        .await;
    let form = assertion_form(&SPORT, &user.uuid);
    // An unregistered origin, and news's origin asking as sport.
    for origin in ["http://evil.localhost:8666", NEWS.origin, "null"] {
        let answer = app
            .fedcm_assertion(&form, Some(&cookie), &from_origin(origin))
            .await;
        assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(
            answer
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{origin}"
        );
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["code"], "origin_not_allowed");
        assert!(body.get("token").is_none());
    }
    // Without Origin, or outside FedCM, nothing either.
    let answer = app
        .fedcm_assertion(&form, Some(&cookie), &[WEBIDENTITY])
        .await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let answer = app
        .fedcm_assertion(&form, Some(&cookie), &[("origin", SPORT.origin)])
        .await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert!(answer.json::<Value>().await.unwrap().get("token").is_none());

    // A query for another client than the form's is refused, as is a
    // receiver the client did not register.
    let mut swapped = assertion_form(&SPORT, &user.uuid);
    let news_query = query_of(NEWS.check_params());
    swapped[2].1 = json!({ "query": news_query }).to_string();
    let answer = app
        .fedcm_assertion(&swapped, Some(&cookie), &from_origin(SPORT.origin))
        .await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert!(body.get("token").is_none(), "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("params"),
        "{body}"
    );
    let mut foreign = assertion_form(&SPORT, &user.uuid);
    let query = query_of(with(
        SPORT.check_params(),
        "xd_receiver",
        Some("http://evil.localhost/r.html"),
    ));
    foreign[2].1 = json!({ "query": query }).to_string();
    let answer = app
        .fedcm_assertion(&foreign, Some(&cookie), &from_origin(SPORT.origin))
        .await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["code"], "url_not_registered", "{body}");
}

#[tokio::test]
async fn a_malformed_assertion_request_names_what_is_wrong() {
    let app = spawn_app(Backend::Memory).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "fedcm-bad@example.com").await;
    let headers = from_origin(SPORT.origin);
    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (
            with(
                assertion_form(&SPORT, &user.uuid),
                "account_id",
                Some("not-a-uuid"),
            ),
            "account_id",
        ),
        (
            with(assertion_form(&SPORT, &user.uuid), "account_id", None),
            "account_id",
        ),
        (
            with(
                assertion_form(&SPORT, &user.uuid),
                "params",
                Some("{\"query\": 5}"),
            ),
            "params",
        ),
        (
            with(
                assertion_form(&SPORT, &user.uuid),
                "params",
                Some("not json"),
            ),
            "params",
        ),
        (
            with(
                assertion_form(&SPORT, &user.uuid),
                "params",
                Some(&"x".repeat(5000)),
            ),
            "params",
        ),
        (
            with(
                assertion_form(&SPORT, &user.uuid),
                "params",
                Some("[\"not an object\"]"),
            ),
            "params",
        ),
        // FedCM's top-level nonce is checked beside the library's query too.
        (
            with(assertion_form(&SPORT, &user.uuid), "nonce", Some("a nonce")),
            "nonce",
        ),
    ];
    for (form, field) in cases {
        let answer = app.fedcm_assertion(&form, Some(&cookie), &headers).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{field}");
        // The site's origin is verified: the page may read why.
        assert_eq!(
            answer.headers()["access-control-allow-origin"],
            SPORT.origin
        );
        let body: Value = answer.json().await.unwrap();
        assert!(
            body["error_description"].as_str().unwrap().contains(field),
            "{field}: {body}"
        );
        assert!(body.get("token").is_none());
    }
    let big = vec![
        ("client_id".to_owned(), "sport".to_owned()),
        ("params".to_owned(), "x".repeat(20_000)),
    ];
    let answer = app.fedcm_assertion(&big, Some(&cookie), &headers).await;
    assert_eq!(answer.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn sign_in_and_sign_out_set_the_login_status(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "fedcm-status@example.com").await;
    let parked = app.park_sign_in(&NEWS, &user.sso_code, None).await;
    // Parking is not signing in.
    assert!(parked.headers.get("set-login").is_none());
    let other = app.sign_up(&NEWS, "fedcm-status2@example.com").await;
    let set = app.set_session(&NEWS, &other.sso_code, None).await;
    assert_eq!(set.status(), "success");
    assert_eq!(set.headers["set-login"], "logged-in");
    let cookie = set.cookie().unwrap();
    // A check says nothing about the status.
    assert!(
        app.check(&NEWS, Some(&cookie))
            .await
            .headers
            .get("set-login")
            .is_none()
    );
    let ended = app.end(&NEWS, Some(&cookie)).await;
    assert_eq!(ended.status(), "success");
    assert_eq!(ended.headers["set-login"], "logged-out");
}

#[tokio::test]
async fn an_inactive_storage_access_grant_is_asked_to_retry_for_a_registered_origin() {
    let app = spawn_app(Backend::Memory).await;
    let inactive = ("sec-fetch-storage-access", "inactive");
    let answer = app
        .sso(
            "/sso/check",
            &SPORT.check_params(),
            None,
            &[inactive, ("origin", SPORT.origin)],
        )
        .await;
    let headers = answer.headers().clone();
    assert_eq!(
        headers["activate-storage-access"],
        format!("retry; allowed-origin=\"{}\"", SPORT.origin)
    );
    assert!(
        varies_on(&headers, "sec-fetch-storage-access"),
        "{headers:?}"
    );
    // Should the browser not retry, the library still learns the cookie
    // was withheld, and redirects.
    assert_eq!(delivery(&answer).status(), "third_party_cookies_blocked");

    // Another origin, no grant, or an active one: no retry asked.
    for headers in [
        vec![inactive, ("origin", "http://evil.localhost:8666")],
        vec![inactive],
        vec![
            ("sec-fetch-storage-access", "none"),
            ("origin", SPORT.origin),
        ],
        vec![
            ("sec-fetch-storage-access", "active"),
            ("origin", SPORT.origin),
        ],
    ] {
        let answer = app
            .sso("/sso/check", &SPORT.check_params(), None, &headers)
            .await;
        assert!(
            answer.headers().get("activate-storage-access").is_none(),
            "{headers:?}"
        );
    }
    // With the grant active the cookie is sent, and the check succeeds.
    let (_, cookie) = app.signed_in_browser(&NEWS, "fedcm-saa@example.com").await;
    let active = app
        .sso(
            "/sso/check",
            &SPORT.check_params(),
            Some(&cookie),
            &[
                ("sec-fetch-storage-access", "active"),
                ("origin", SPORT.origin),
            ],
        )
        .await;
    assert_eq!(delivery(&active).status(), "success");
}

/// The form the browser posts when `site` disconnects `hint`.
fn disconnect_form(site: &Site, hint: &str) -> Vec<(String, String)> {
    vec![
        ("client_id".to_owned(), site.id.to_owned()),
        ("account_hint".to_owned(), hint.to_owned()),
    ]
}

async fn a_disconnect_names_the_signed_in_account_and_leaves_the_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app
        .signed_in_browser(&NEWS, "fedcm-disconnect@example.com")
        .await;
    for hint in [user.uuid.as_str(), "fedcm-disconnect@example.com"] {
        let answer = app
            .fedcm_post(
                "/fedcm/disconnect",
                &disconnect_form(&SPORT, hint),
                Some(&cookie),
                &from_origin(SPORT.origin),
            )
            .await;
        assert_eq!(answer.status(), StatusCode::OK, "{hint}");
        assert_eq!(
            answer.headers()["access-control-allow-origin"],
            SPORT.origin
        );
        assert_eq!(answer.headers()["access-control-allow-credentials"], "true");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body, json!({ "account_id": user.uuid }), "{hint}");
    }
    // The person is still signed in: sport's check still finds them.
    let check = app.check(&SPORT, Some(&cookie)).await;
    assert_eq!(check.status(), "success");
}

#[tokio::test]
async fn a_disconnect_is_answered_only_to_the_browsers_fedcm_from_a_registered_origin() {
    let app = spawn_app(Backend::Memory).await;
    let (user, cookie) = app
        .signed_in_browser(&NEWS, "fedcm-disconnect-bad@example.com")
        .await;
    let form = disconnect_form(&SPORT, &user.uuid);
    // A page's own request (no Sec-Fetch-Dest: webidentity).
    let page = app
        .fedcm_post(
            "/fedcm/disconnect",
            &form,
            Some(&cookie),
            &[("origin", SPORT.origin)],
        )
        .await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.headers().get("access-control-allow-origin").is_none());
    // Another origin: refused, and not readable by it.
    let hostile = app
        .fedcm_post(
            "/fedcm/disconnect",
            &form,
            Some(&cookie),
            &from_origin("http://evil.localhost:8666"),
        )
        .await;
    assert_eq!(hostile.status(), StatusCode::FORBIDDEN);
    assert!(
        hostile
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let body: Value = hostile.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_not_allowed", "{body}");
    // A hint naming nobody signed in here, or no session: an error the
    // site's browser reads (and then forgets every account for the site).
    for (hint, cookie) in [
        ("someone-else@example.com", Some(cookie.as_str())),
        (user.uuid.as_str(), None),
    ] {
        let answer = app
            .fedcm_post(
                "/fedcm/disconnect",
                &disconnect_form(&SPORT, hint),
                cookie,
                &from_origin(SPORT.origin),
            )
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{hint}");
        assert_eq!(
            answer.headers()["access-control-allow-origin"],
            SPORT.origin
        );
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_argument", "{body}");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("account_hint"),
            "{body}"
        );
    }
}

/// Shop, of another family, learns nothing of a person signed in only in
/// the news family: its disconnect is answered as for an unknown hint.
async fn a_disconnect_from_another_family_names_nobody(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app
        .signed_in_browser(&NEWS, "fedcm-family@example.com")
        .await;
    let unknown = app
        .fedcm_post(
            "/fedcm/disconnect",
            &disconnect_form(&SHOP, "nobody@example.com"),
            Some(&cookie),
            &from_origin(SHOP.origin),
        )
        .await;
    let unknown: Value = unknown.json().await.unwrap();
    for hint in [user.uuid.as_str(), "fedcm-family@example.com"] {
        let answer = app
            .fedcm_post(
                "/fedcm/disconnect",
                &disconnect_form(&SHOP, hint),
                Some(&cookie),
                &from_origin(SHOP.origin),
            )
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{hint}");
        let mut body: Value = answer.json().await.unwrap();
        body["request_id"] = unknown["request_id"].clone();
        assert_eq!(body, unknown, "as for nobody: {hint}");
    }
}

/// Chrome 143 and later send a site's nonce only inside `params`: it is the
/// nonce of the ID token the assertion's code is redeemed for, and a query
/// naming another one is refused.
async fn the_nonce_in_params_reaches_the_id_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app
        .signed_in_browser(&NEWS, "fedcm-nonce@example.com")
        .await;
    let code_query = query_of(with(NEWS.check_params(), "response_type", Some("code")));
    let mut form = assertion_form(&NEWS, &user.uuid);
    form[2].1 = json!({ "query": code_query, "nonce": "n-0S6_WzA2Mj" }).to_string();
    let result = app.fedcm_token(&form, &cookie, &NEWS).await;
    let code = result["result"]["code"]
        .as_str()
        .expect("a code")
        .to_owned();
    let r = app
        .http
        .post(app.url("/oauth/token"))
        .basic_auth("news", Some("news-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", NEWS.receiver().as_str()),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let id_token = crate::backchannel::claims(body["id_token"].as_str().expect("an ID token"));
    assert_eq!(id_token["nonce"], "n-0S6_WzA2Mj");

    let both = query_of(with(
        with(NEWS.check_params(), "response_type", Some("code")),
        "nonce",
        Some("n-other"),
    ));
    form[2].1 = json!({ "query": both, "nonce": "n-0S6_WzA2Mj" }).to_string();
    let refused = app
        .fedcm_assertion(&form, Some(&cookie), &from_origin(NEWS.origin))
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("nonce"),
        "{body}"
    );
}

each_store!(
    a_disconnect_from_another_family_names_nobody,
    the_nonce_in_params_reaches_the_id_token,
    a_disconnect_names_the_signed_in_account_and_leaves_the_sign_in,
    accounts_list_the_person_with_the_sites_of_their_segments,
    an_assertion_is_what_check_delivers,
    sign_in_and_sign_out_set_the_login_status,
);
