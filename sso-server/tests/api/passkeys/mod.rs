//! Passkeys, driven by the suite's own authenticator (a P-256 key that
//! answers as a browser would, or misbehaves on request): added on the
//! server's own origin for the browser's sign-in, used on any site's form
//! of the family, managed with an access token; every ceremony taken once.

mod pages;

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::*;
use sso_test_support::{Authenticator, Backend, each_store};

/// The server as a relying party needs a host name: `localhost`.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.public_url = "http://localhost/".parse().unwrap()
    })
    .await
}

pub fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl TestApp {
    pub fn own_origin(&self) -> String {
        self.settings.public_url.origin().ascii_serialization()
    }

    pub async fn post_as(
        &self,
        path: &str,
        form: &[(String, String)],
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self.http.post(self.url(path)).form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }

    /// The registration challenge of the browser holding `cookie`.
    async fn add_challenge(&self, cookie: &str) -> Response {
        let cookie = format!("sso_session={cookie}");
        let origin = self.own_origin();
        let headers = [("origin", origin.as_str()), ("cookie", cookie.as_str())];
        self.post_as(
            "/account/passkeys/challenge",
            &form(&[("client_id", "news")]),
            &headers,
        )
        .await
    }

    /// Adds `key`'s passkey for the browser holding `cookie`: the answer.
    async fn add_passkey(&self, key: &mut Authenticator, cookie: &str) -> Response {
        let challenge: Value = self.add_challenge(cookie).await.json().await.unwrap();
        let answer = key.create(&challenge["options"]);
        self.finish_add(cookie, challenge["ceremony"].as_str().unwrap(), &answer)
            .await
    }

    async fn finish_add(&self, cookie: &str, ceremony: &str, answer: &Value) -> Response {
        let cookie = format!("sso_session={cookie}");
        let origin = self.own_origin();
        let headers = [("origin", origin.as_str()), ("cookie", cookie.as_str())];
        let credential = answer.to_string();
        let fields = [
            ("client_id", "news"),
            ("ceremony", ceremony),
            ("credential", &credential),
            ("name", "Laptop"),
        ];
        self.post_as("/account/passkeys/add", &form(&fields), &headers)
            .await
    }

    /// A sign-in challenge from `site`'s page.
    async fn sign_in_challenge(&self, site: &Site) -> Value {
        let headers = [("origin", site.origin)];
        let r = self
            .post_as(
                "/oauth/passkey_challenge",
                &form(&[("client_id", site.id)]),
                &headers,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    async fn finish_sign_in(&self, site: &Site, ceremony: &str, answer: &Value) -> Response {
        let mut fields = site.form();
        fields.push(("ceremony".into(), ceremony.into()));
        fields.push(("credential".into(), answer.to_string()));
        self.post_as(
            "/oauth/auth_native_passkey",
            &fields,
            &[("origin", site.origin)],
        )
        .await
    }

    /// A whole sign-in with `key` on `site`'s own form.
    async fn passkey_sign_in(&self, site: &Site, key: &mut Authenticator) -> Response {
        let challenge = self.sign_in_challenge(site).await;
        key.origin = site.origin.to_owned();
        let answer = key.get(&challenge["options"]);
        self.finish_sign_in(site, challenge["ceremony"].as_str().unwrap(), &answer)
            .await
    }

    async fn passkeys_of(&self, token: &str) -> Value {
        let r = self
            .http
            .get(self.url("/entity/passkeys"))
            .bearer_auth(token);
        let body: Value = r.send().await.unwrap().json().await.unwrap();
        body["result"]["passkeys"].clone()
    }
}

/// A person signed in on news in a browser, with one passkey added there.
pub async fn person_with_passkey(app: &TestApp, email: &str) -> (SignedUp, String, Authenticator) {
    let (person, cookie) = app.signed_in_browser(&NEWS, email).await;
    let mut key = Authenticator::new(&app.own_origin());
    let added = app.add_passkey(&mut key, &cookie).await;
    assert_eq!(added.status(), StatusCode::OK);
    (person, cookie, key)
}

async fn a_passkey_added_on_the_server_signs_in_on_any_site_of_the_family(backend: Backend) {
    let app = spawn(backend).await;
    let (person, _, mut key) = person_with_passkey(&app, "passkey@example.com").await;
    let listed = app.passkeys_of(&person.access_token).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"], key.credential_id());
    assert_eq!(listed[0]["name"], "Laptop");
    assert!(listed[0].get("lastUsed").is_none());

    // Sport's own form, another origin of the family: no password.
    let signed_in = app.passkey_sign_in(&SPORT, &mut key).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let body: Value = signed_in.json().await.unwrap();
    assert_eq!(body["capture_user"]["uuid"], person.uuid.as_str());
    assert_eq!(body["is_new"], false);
    // It ends like a password sign-in: the code sets the SSO session.
    let set = app
        .set_session(&SPORT, body["sso_code"].as_str().unwrap(), None)
        .await;
    assert_eq!(set.status(), "success", "{:?}", set.result);
    let listed = app.passkeys_of(&person.access_token).await;
    assert!(
        listed[0]["lastUsed"].as_i64().is_some(),
        "the use is recorded: {listed}"
    );
}

async fn every_ceremony_is_taken_once_and_for_its_purpose(backend: Backend) {
    let app = spawn(backend).await;
    let (_, cookie, mut key) = person_with_passkey(&app, "replay@example.com").await;
    let challenge = app.sign_in_challenge(&NEWS).await;
    key.origin = NEWS.origin.to_owned();
    let answer = key.get(&challenge["options"]);
    let ceremony = challenge["ceremony"].as_str().unwrap();
    assert_eq!(
        app.finish_sign_in(&NEWS, ceremony, &answer).await.status(),
        StatusCode::OK
    );
    let replayed = app.finish_sign_in(&NEWS, ceremony, &answer).await;
    let body = assert_error(replayed, StatusCode::UNAUTHORIZED, "passkey_refused").await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("used, expired or unknown")
    );

    // A registration ceremony is no sign-in ceremony, and the reverse.
    let registration: Value = app.add_challenge(&cookie).await.json().await.unwrap();
    let as_sign_in = app
        .finish_sign_in(
            &NEWS,
            registration["ceremony"].as_str().unwrap(),
            &key.get(&registration["options"]),
        )
        .await;
    assert_error(as_sign_in, StatusCode::UNAUTHORIZED, "passkey_refused").await;
    let sign_in = app.sign_in_challenge(&NEWS).await;
    let mut other = Authenticator::new(&app.own_origin());
    let answer = other.create(&registration["options"]);
    let as_add = app
        .finish_add(&cookie, sign_in["ceremony"].as_str().unwrap(), &answer)
        .await;
    assert_error(as_add, StatusCode::UNAUTHORIZED, "passkey_refused").await;
    // A forged ceremony id finds nothing.
    let answer = key.get(&app.sign_in_challenge(&NEWS).await["options"]);
    let forged = app.finish_sign_in(&NEWS, "not-a-ceremony", &answer).await;
    assert_error(forged, StatusCode::UNAUTHORIZED, "passkey_refused").await;
}

async fn an_answer_for_another_origin_or_without_user_verification_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (_, cookie, mut key) = person_with_passkey(&app, "origin@example.com").await;
    // A page outside the family.
    let challenge = app.sign_in_challenge(&NEWS).await;
    key.origin = "http://evil.localhost:9999".to_owned();
    let answer = key.get(&challenge["options"]);
    let refused = app
        .finish_sign_in(&NEWS, challenge["ceremony"].as_str().unwrap(), &answer)
        .await;
    let body = assert_error(refused, StatusCode::UNAUTHORIZED, "passkey_refused").await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("another site"),
        "{body}"
    );
    // No user verification.
    key.verifies_user = false;
    let unverified = app.passkey_sign_in(&NEWS, &mut key).await;
    assert_error(unverified, StatusCode::UNAUTHORIZED, "passkey_refused").await;

    // Adding is for the server's own pages: a family site's origin in the
    // answer is refused, and so is a script of another origin asking.
    let challenge: Value = app.add_challenge(&cookie).await.json().await.unwrap();
    let mut from_site = Authenticator::new(NEWS.origin);
    let answer = from_site.create(&challenge["options"]);
    let refused = app
        .finish_add(&cookie, challenge["ceremony"].as_str().unwrap(), &answer)
        .await;
    assert_error(refused, StatusCode::UNAUTHORIZED, "passkey_refused").await;
    let challenge: Value = app.add_challenge(&cookie).await.json().await.unwrap();
    let mut lazy = Authenticator::new(&app.own_origin());
    lazy.verifies_user = false;
    let answer = lazy.create(&challenge["options"]);
    let refused = app
        .finish_add(&cookie, challenge["ceremony"].as_str().unwrap(), &answer)
        .await;
    assert_error(refused, StatusCode::UNAUTHORIZED, "passkey_refused").await;
    let session = format!("sso_session={cookie}");
    for origin in [NEWS.origin, "null"] {
        let headers = [("origin", origin), ("cookie", session.as_str())];
        let r = app
            .post_as(
                "/account/passkeys/challenge",
                &form(&[("client_id", "news")]),
                &headers,
            )
            .await;
        assert_error(r, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    }
    let no_origin = app
        .post_as(
            "/account/passkeys/challenge",
            &form(&[("client_id", "news")]),
            &[("cookie", session.as_str())],
        )
        .await;
    assert_error(no_origin, StatusCode::FORBIDDEN, "origin_not_allowed").await;
    // Not signed in: nothing to add a passkey to.
    let own = app.own_origin();
    let anonymous = app
        .post_as(
            "/account/passkeys/challenge",
            &form(&[("client_id", "news")]),
            &[("origin", own.as_str())],
        )
        .await;
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "access_token_invalid").await;
    // Signed in for news's family only: shop's family has no sign-in here.
    let headers = [("origin", own.as_str()), ("cookie", session.as_str())];
    let shop = app
        .post_as(
            "/account/passkeys/challenge",
            &form(&[("client_id", "shop")]),
            &headers,
        )
        .await;
    assert_error(shop, StatusCode::UNAUTHORIZED, "access_token_invalid").await;
}

async fn a_counter_going_backwards_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let (_, _, mut key) = person_with_passkey(&app, "clone@example.com").await;
    assert_eq!(
        app.passkey_sign_in(&NEWS, &mut key).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.passkey_sign_in(&NEWS, &mut key).await.status(),
        StatusCode::OK
    );
    // A copy of the key that missed the last two uses.
    key.counter -= 2;
    let cloned = app.passkey_sign_in(&NEWS, &mut key).await;
    let body = assert_error(cloned, StatusCode::UNAUTHORIZED, "passkey_refused").await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("counter"),
        "{body}"
    );
}

async fn a_registration_started_for_one_person_cannot_add_to_another(backend: Backend) {
    let app = spawn(backend).await;
    let (_, alice) = app.signed_in_browser(&NEWS, "alice-pk@example.com").await;
    let (_, bob) = app.signed_in_browser(&NEWS, "bob-pk@example.com").await;
    let challenge: Value = app.add_challenge(&alice).await.json().await.unwrap();
    let mut key = Authenticator::new(&app.own_origin());
    let answer = key.create(&challenge["options"]);
    let as_bob = app
        .finish_add(&bob, challenge["ceremony"].as_str().unwrap(), &answer)
        .await;
    assert_error(as_bob, StatusCode::UNAUTHORIZED, "passkey_refused").await;
}

async fn passkeys_are_renamed_and_deleted_with_an_access_token(backend: Backend) {
    let app = spawn(backend).await;
    let (person, _, mut key) = person_with_passkey(&app, "manage@example.com").await;
    let id = key.credential_id();
    let token = person.access_token.as_str();
    let post = |path: &'static str, fields: Vec<(String, String)>| {
        app.http
            .post(app.url(path))
            .bearer_auth(token)
            .form(&fields)
            .send()
    };
    let renamed = post(
        "/entity/passkeys/rename",
        form(&[("id", &id), ("name", " Phone ")]),
    )
    .await
    .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let body: Value = renamed.json().await.unwrap();
    assert_eq!(body["result"]["passkeys"][0]["name"], "Phone");

    let bad_name = post(
        "/entity/passkeys/rename",
        form(&[("id", &id), ("name", &"x".repeat(65))]),
    )
    .await
    .unwrap();
    assert_error(bad_name, StatusCode::BAD_REQUEST, "invalid_argument").await;
    let bad_id = post("/entity/passkeys/delete", form(&[("id", "not/base64")]))
        .await
        .unwrap();
    assert_error(bad_id, StatusCode::BAD_REQUEST, "invalid_argument").await;
    let unknown = post("/entity/passkeys/delete", form(&[("id", "AAAA")]))
        .await
        .unwrap();
    assert_error(unknown, StatusCode::NOT_FOUND, "passkey_not_found").await;
    // Another person cannot touch it.
    let other = app.sign_up(&NEWS, "other-pk@example.com").await;
    let theirs = app
        .http
        .post(app.url("/entity/passkeys/delete"))
        .bearer_auth(&other.access_token)
        .form(&form(&[("id", &id)]))
        .send()
        .await
        .unwrap();
    assert_error(theirs, StatusCode::NOT_FOUND, "passkey_not_found").await;
    let anonymous = app
        .http
        .get(app.url("/entity/passkeys"))
        .send()
        .await
        .unwrap();
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "access_token_invalid").await;

    let deleted = post("/entity/passkeys/delete", form(&[("id", &id)]))
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    assert_eq!(app.passkeys_of(token).await, Value::Array(Vec::new()));
    // A deleted passkey signs no one in.
    let refused = app.passkey_sign_in(&NEWS, &mut key).await;
    assert_error(refused, StatusCode::UNAUTHORIZED, "passkey_refused").await;
}

async fn an_account_has_at_most_ten_passkeys_each_once(backend: Backend) {
    let app = spawn(backend).await;
    let (_, cookie, mut first) = person_with_passkey(&app, "many@example.com").await;
    // The same authenticator again: the browser is told to exclude it, and
    // an answer that ignores that is refused.
    let again = app.add_passkey(&mut first, &cookie).await;
    assert_error(again, StatusCode::CONFLICT, "passkey_conflict").await;
    for _ in 1..10 {
        let mut key = Authenticator::new(&app.own_origin());
        assert_eq!(
            app.add_passkey(&mut key, &cookie).await.status(),
            StatusCode::OK
        );
    }
    let eleventh = app.add_challenge(&cookie).await;
    assert_error(eleventh, StatusCode::CONFLICT, "passkey_conflict").await;
}

async fn the_family_origins_are_published_for_related_origin_requests(backend: Backend) {
    let app = spawn(backend).await;
    let r = app.get("/.well-known/webauthn").await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let origins: Vec<&str> = body["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap())
        .collect();
    assert_eq!(origins[0], app.own_origin(), "the server's own first");
    for site in [&NEWS, &SPORT, &SHOP] {
        assert!(
            origins.contains(&site.origin),
            "{} missing from {origins:?}",
            site.origin
        );
    }
    // The options name the server's host as the relying party.
    let challenge = app.sign_in_challenge(&NEWS).await;
    let rp_id = challenge["options"]["publicKey"]["rpId"].as_str().unwrap();
    assert_eq!(Some(rp_id), app.settings.public_url.host_str());
    assert_eq!(
        challenge["options"]["publicKey"]["userVerification"],
        "required"
    );
    let foreign = app
        .post_as(
            "/oauth/passkey_challenge",
            &form(&[("client_id", "news")]),
            &[("origin", SPORT.origin)],
        )
        .await;
    assert_error(foreign, StatusCode::FORBIDDEN, "origin_not_allowed").await;
}

each_store!(
    a_passkey_added_on_the_server_signs_in_on_any_site_of_the_family,
    every_ceremony_is_taken_once_and_for_its_purpose,
    an_answer_for_another_origin_or_without_user_verification_is_refused,
    a_counter_going_backwards_is_refused,
    a_registration_started_for_one_person_cannot_add_to_another,
    passkeys_are_renamed_and_deleted_with_an_access_token,
    an_account_has_at_most_ten_passkeys_each_once,
    the_family_origins_are_published_for_related_origin_requests,
);
