//! A person's sessions, server-side: the index behind every sign-in, the
//! person's own session list and sign-outs (`/entity/sessions`), and the
//! session limit, on both stores.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use sso_core::domain::UserId;

use crate::helpers::*;
use sso_test_support::each_store;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

impl TestApp {
    /// Signs an existing person in again in a new browser (no cookie).
    pub(crate) async fn second_browser(&self, site: &Site, email: &str) -> String {
        let r = self.sign_in(site, email, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK);
        let code = r.json::<Value>().await.unwrap()["sso_code"]
            .as_str()
            .unwrap()
            .to_owned();
        let set = self.set_session(site, &code, None).await;
        assert_eq!(set.status(), "success", "{:?}", set.result);
        set.cookie().unwrap()
    }

    /// The access token a check gives `site` in the browser with `cookie`.
    pub(crate) async fn token_in(&self, site: &Site, cookie: &str) -> String {
        let d = self.check(site, Some(cookie)).await;
        assert_eq!(d.status(), "success", "{:?}", d.result);
        d.access_token()
    }

    async fn my_sessions(&self, token: &str) -> Vec<Value> {
        let r = self
            .http
            .get(self.url("/entity/sessions"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        body["result"]["sessions"].as_array().unwrap().clone()
    }

    async fn end_mine(&self, token: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/entity/sessions/{path}")))
            .bearer_auth(token)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn signed_in(&self, site: &Site, cookie: &str) -> bool {
        self.check(site, Some(cookie)).await.status() == "success"
    }
}

fn uuid(user: &SignedUp) -> UserId {
    UserId(uuid::Uuid::parse_str(&user.uuid).unwrap())
}

async fn a_persons_sessions_are_listed_with_sites_and_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "list@example.com").await;
    // Browser one signs in with a Firefox User-Agent, and sport uses it too.
    let parked = delivery(
        &app.sso(
            "/sso/set",
            &with(NEWS.base_params(), "sso_code", Some(&user.sso_code)),
            None,
            &[],
        )
        .await,
    );
    let name = &app.settings.cookie.name;
    let pending = pending_cookie(&parked.headers, name).unwrap();
    let set = delivery(
        &app.sso_with_cookies(
            "/sso/set",
            &with(NEWS.base_params(), "confirm", Some(&parked.confirm())),
            Some(&format!("{}={}", pending.name(), pending.value())),
            &[("user-agent", FIREFOX)],
        )
        .await,
    );
    let first = set.cookie().unwrap();
    let token = app.token_in(&NEWS, &first).await;
    app.check(&SPORT, Some(&first)).await;
    // Browser two.
    let second = app.second_browser(&NEWS, "list@example.com").await;

    let sessions = app.my_sessions(&token).await;
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(
        current.len(),
        1,
        "exactly the token's own session is current"
    );
    assert_eq!(current[0]["device"], "Firefox on Linux");
    assert_eq!(current[0]["kind"], "browser");
    assert_eq!(current[0]["segment"], "news");
    let sites: BTreeSet<_> = current[0]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sites, ["news".to_owned(), "sport".to_owned()].into());
    for s in &sessions {
        assert_eq!(s["id"].as_str().unwrap().len(), 16);
        assert!(s["expires"].as_i64() > s["created"].as_i64());
    }
    // The other browser sees the same two, with its own marked current.
    let other_token = app.token_in(&NEWS, &second).await;
    let from_there = app.my_sessions(&other_token).await;
    let current_there: Vec<_> = from_there.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current_there.len(), 1);
    assert_ne!(current_there[0]["id"], current[0]["id"]);
    // Without a token: the catalog's 401.
    let r = app.get("/entity/sessions").await;
    assert_error(r, StatusCode::UNAUTHORIZED, "access_token_invalid").await;
}

async fn a_person_ends_one_session_and_the_other_browser_is_signed_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, first) = app.signed_in_browser(&NEWS, "one@example.com").await;
    let second = app.second_browser(&NEWS, "one@example.com").await;
    let token = app.token_in(&NEWS, &first).await;
    let other = app
        .my_sessions(&token)
        .await
        .into_iter()
        .find(|s| s["current"] == false)
        .unwrap();
    let r = app
        .end_mine(
            &token,
            "end",
            &[("session_id", other["id"].as_str().unwrap())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["result"]["ended"], 1);
    // No browser was asked: the other one is signed out at its next check,
    // in every site of the family.
    assert!(!app.signed_in(&NEWS, &second).await);
    assert!(!app.signed_in(&SPORT, &second).await);
    assert!(app.signed_in(&NEWS, &first).await);
    assert_eq!(app.my_sessions(&token).await.len(), 1);
    // Ending it again, or an id that is no session: 404, and a malformed id 400.
    let again = app
        .end_mine(
            &token,
            "end",
            &[("session_id", other["id"].as_str().unwrap())],
        )
        .await;
    assert_error(again, StatusCode::NOT_FOUND, "session_not_found").await;
    let bad = app
        .end_mine(&token, "end", &[("session_id", "../etc")])
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "invalid_argument").await;
    let missing = app.end_mine(&token, "end", &[]).await;
    assert_error(missing, StatusCode::BAD_REQUEST, "missing_argument").await;
    // Without a token nothing else is looked at: 401 before any 400.
    for form in [&[][..], &[("session_id", "../etc")][..]] {
        let r = app
            .http
            .post(app.url("/entity/sessions/end"))
            .form(form)
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::UNAUTHORIZED, "access_token_invalid").await;
    }
}

/// The security boundary: a person's token reaches that person's sessions
/// only; another person's session id is "not found", and stays signed in.
async fn nobody_ends_another_persons_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, alice) = app.signed_in_browser(&NEWS, "alice@example.com").await;
    let (_, mallory) = app.signed_in_browser(&NEWS, "mallory@example.com").await;
    let alice_token = app.token_in(&NEWS, &alice).await;
    let mallory_token = app.token_in(&NEWS, &mallory).await;
    let alice_id = app.my_sessions(&alice_token).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .end_mine(&mallory_token, "end", &[("session_id", &alice_id)])
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "session_not_found").await;
    let r = app.end_mine(&mallory_token, "end_all", &[]).await;
    assert_eq!(r.json::<Value>().await.unwrap()["result"]["ended"], 1);
    assert!(
        app.signed_in(&NEWS, &alice).await,
        "Alice is still signed in"
    );
    assert!(!app.signed_in(&NEWS, &mallory).await);
    // Mallory's list never showed Alice's session.
    assert_eq!(app.my_sessions(&alice_token).await.len(), 1);
}

async fn end_others_keeps_this_one_and_end_all_ends_everything(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, first) = app.signed_in_browser(&NEWS, "all@example.com").await;
    let second = app.second_browser(&NEWS, "all@example.com").await;
    let third = app.second_browser(&SPORT, "all@example.com").await;
    let token = app.token_in(&NEWS, &first).await;
    let r = app.end_mine(&token, "end_others", &[]).await;
    assert_eq!(r.json::<Value>().await.unwrap()["result"]["ended"], 2);
    assert!(app.signed_in(&NEWS, &first).await);
    assert!(!app.signed_in(&NEWS, &second).await);
    assert!(!app.signed_in(&SPORT, &third).await);

    let fourth = app.second_browser(&NEWS, "all@example.com").await;
    let r = app.end_mine(&token, "end_all", &[]).await;
    assert_eq!(r.json::<Value>().await.unwrap()["result"]["ended"], 2);
    assert!(!app.signed_in(&NEWS, &first).await);
    assert!(!app.signed_in(&NEWS, &fourth).await);
    // The token belonged to an ended session: it stopped working too.
    assert_eq!(app.entity_status(&token).await, StatusCode::UNAUTHORIZED);
}

/// Signing in again in the same browser moves the session to a new cookie
/// value: its index entry moves with it instead of piling up; `/sso/end`
/// takes it out.
async fn the_index_follows_sign_ins_and_sign_outs(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "follow@example.com").await;
    let id = uuid(&user);
    assert_eq!(app.store.user_sessions(id).await.unwrap().len(), 1);
    let again = app.sign_in(&NEWS, "follow@example.com", PASSWORD).await;
    let code = again.json::<Value>().await.unwrap()["sso_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = app.set_session(&NEWS, &code, Some(&cookie)).await;
    let cookie = set.cookie().unwrap();
    assert_eq!(
        app.store.user_sessions(id).await.unwrap().len(),
        1,
        "replaced, not added"
    );
    let news_id = app.store.user_sessions(id).await.unwrap()[0].id.clone();
    // Shop is another segment: a second sign-in of the same browser.
    let shop = app.sign_in(&SHOP, "follow@example.com", PASSWORD).await;
    let code = shop.json::<Value>().await.unwrap()["sso_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookie = app
        .set_session(&SHOP, &code, Some(&cookie))
        .await
        .cookie()
        .unwrap();
    let entries = app.store.user_sessions(id).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries.iter().any(|e| e.id == news_id),
        "news kept its id (its `sid`) when it moved with the cookie"
    );
    assert!(
        app.signed_in(&NEWS, &cookie).await,
        "news moved with the cookie"
    );
    app.end(&NEWS, Some(&cookie)).await;
    let left = app.store.user_sessions(id).await.unwrap();
    assert_eq!(left.len(), 1, "news's entry left with its sign-out");
    assert!(app.signed_in(&SHOP, &cookie).await);
}

/// `max_sessions_per_user`: a sign-in beyond it ends the least recently
/// used session, which its browser then finds signed out.
async fn the_session_limit_ends_the_least_recently_used(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.max_sessions_per_user = 2).await;
    let (user, first) = app.signed_in_browser(&NEWS, "limit@example.com").await;
    // Last used a minute ago (within one second the order is the ids').
    let entry = app
        .store
        .user_sessions(uuid(&user))
        .await
        .unwrap()
        .remove(0);
    let minute_ago = sso_core::clock::unix_now() - 60;
    app.store
        .touch_session(uuid(&user), &entry.id, &entry.target, minute_ago)
        .await
        .unwrap();
    let second = app.second_browser(&NEWS, "limit@example.com").await;
    let third = app.second_browser(&NEWS, "limit@example.com").await;
    assert!(!app.signed_in(&NEWS, &first).await, "the oldest was ended");
    assert!(app.signed_in(&NEWS, &second).await);
    assert!(app.signed_in(&NEWS, &third).await);
}

/// Under concurrent sign-ins the limit holds exactly.
async fn the_limit_holds_under_concurrent_sign_ins(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.max_sessions_per_user = 3).await;
    app.sign_up(&NEWS, "race@example.com").await;
    let cookies =
        futures::future::join_all((0..8).map(|_| app.second_browser(&NEWS, "race@example.com")))
            .await;
    let mut live = 0;
    for c in &cookies {
        if app.signed_in(&NEWS, c).await {
            live += 1;
        }
    }
    assert_eq!(live, 3, "exactly the limit survives");
}

/// Registration-API tokens carry no session, so ending sessions alone would
/// leave them working: signing out everywhere (the person's end_all, or an
/// application's user/endallsessions) refuses every token of the person
/// issued before it, the one that asked included; tokens issued after work.
async fn signing_out_everywhere_refuses_every_earlier_access_token(backend: Backend) {
    let app = spawn_app_with(backend, add_helpdesk).await;
    let user = app.sign_up(&NEWS, "revoke@example.com").await;
    let unbound = user.access_token.clone();
    assert!(!unbound.is_empty(), "registration answers an access token");
    let signed_in = app.sign_in(&NEWS, "revoke@example.com", PASSWORD).await;
    let unbound2 = signed_in.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookie = app.second_browser(&NEWS, "revoke@example.com").await;
    let bound = app.token_in(&NEWS, &cookie).await;
    for token in [&unbound, &unbound2, &bound] {
        assert_eq!(app.entity_status(token).await, StatusCode::OK);
    }
    let r = app.end_mine(&unbound, "end_all", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    for token in [&unbound, &unbound2, &bound] {
        assert_eq!(
            app.entity_status(token).await,
            StatusCode::UNAUTHORIZED,
            "issued before the sign-out everywhere"
        );
    }
    // Nor may they list or end the sessions the person starts afterwards.
    let later = app.second_browser(&NEWS, "revoke@example.com").await;
    let r = app.end_mine(&unbound2, "end_all", &[]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(app.signed_in(&NEWS, &later).await);
    // A token issued afterwards works, until an application signs the
    // person out everywhere.
    let fresh = app.token_in(&NEWS, &later).await;
    assert_eq!(app.entity_status(&fresh).await, StatusCode::OK);
    let a = app
        .helpdesk("user/endallsessions", &[("user", &user.uuid)])
        .await;
    assert_eq!(a["header"]["statusmessage"], "OK", "{a}");
    assert_eq!(app.entity_status(&fresh).await, StatusCode::UNAUTHORIZED);
}

/// The list comes in pages (`limit`, then `after` = the previous `next`),
/// most recently used first, each session once; a malformed `limit` or
/// `after` is named; a person looping the list is throttled.
async fn the_list_is_paged_and_throttled(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, first) = app.signed_in_browser(&NEWS, "pages@example.com").await;
    for _ in 0..4 {
        app.second_browser(&NEWS, "pages@example.com").await;
    }
    let token = app.token_in(&NEWS, &first).await;
    let page = |query: String| {
        let req = app
            .http
            .get(app.url(&format!("/entity/sessions?{query}")))
            .bearer_auth(&token);
        async move {
            let r = req.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, all) = page(String::new()).await;
    assert_eq!(status, StatusCode::OK);
    let all: Vec<Value> = all["result"]["sessions"].as_array().unwrap().clone();
    assert_eq!(all.len(), 5);
    let mut seen = Vec::new();
    let mut query = "limit=2".to_owned();
    loop {
        let (status, body) = page(query.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let sessions = body["result"]["sessions"].as_array().unwrap();
        assert!(sessions.len() <= 2);
        seen.extend(sessions.iter().map(|s| s["id"].clone()));
        match body["result"]["next"].as_str() {
            Some(next) => query = format!("limit=2&after={next}"),
            None => break,
        }
    }
    let ids: Vec<Value> = all.iter().map(|s| s["id"].clone()).collect();
    assert_eq!(seen, ids, "the pages are the list, in its order");
    for bad in [
        "limit=0",
        "limit=101",
        "limit=x",
        "limit=01",
        "limit=+5",
        "after=nope",
        "after=12_short",
        "after=-1_AAAAAAAAAAAAAAAA",
        "after=+1_AAAAAAAAAAAAAAAA",
        "limit=1&limit=2",
    ] {
        let (status, body) = page(bad.to_owned()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"], "invalid_argument", "{bad}: {body}");
    }
    // 60 lists a minute per person (the requests above count too).
    let mut limited = false;
    for _ in 0..60 {
        let (status, body) = page("limit=1".to_owned()).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["error"], "rate_limited");
            limited = true;
            break;
        }
    }
    assert!(limited, "a loop of lists is throttled");
}

each_store!(
    the_list_is_paged_and_throttled,
    signing_out_everywhere_refuses_every_earlier_access_token,
    a_persons_sessions_are_listed_with_sites_and_device,
    a_person_ends_one_session_and_the_other_browser_is_signed_out,
    nobody_ends_another_persons_session,
    end_others_keeps_this_one_and_end_all_ends_everything,
    the_index_follows_sign_ins_and_sign_outs,
    the_session_limit_ends_the_least_recently_used,
    the_limit_holds_under_concurrent_sign_ins,
);
