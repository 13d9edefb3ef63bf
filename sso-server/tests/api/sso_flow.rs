//! The three flows: sign in (set), silent sign-in elsewhere (check), sign out (end).

use std::collections::BTreeMap;
use std::time::Duration;

use sso_core::domain::Secret;
use sso_core::domain::{BrowserSession, Profile, Segment, SegmentSession, UserId};

use crate::helpers::*;
use sso_test_support::each_store;

async fn full_flow_sign_in_check_elsewhere_sign_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "flow@example.com").await;

    // News itself sees the session.
    let on_news = app.check(&NEWS, Some(&cookie)).await;
    assert_eq!(on_news.status(), "success");

    // Sport federates with news: silently signed in as the same user.
    let on_sport = app.check(&SPORT, Some(&cookie)).await;
    assert_eq!(on_sport.receiver, SPORT.receiver());
    assert_eq!(on_sport.state, "state-0123456789");
    let r = &on_sport.result["result"];
    assert_eq!(on_sport.result["stat"], "ok");
    assert_eq!(r["status"], "success");
    assert_eq!(r["statusMessage"], "gotSSOCode");
    assert_eq!(r["action"], "ssoSignin");
    assert_eq!(r["transactionId"], "state-0123456789");
    assert_eq!(r["oneTime"], false);
    assert_eq!(r["ssoImplicitLogin"], true);
    assert_eq!(r["renders"], false);
    assert_eq!(r["keepMeLoggedIn"], false);
    assert_eq!(r["userData"]["uuid"], user.uuid.as_str());
    assert_eq!(r["userData"]["email"], "flow@example.com");
    assert_eq!(r["userData"]["displayName"], "Test User");
    // The token works for sport, and is bound to this SSO session.
    let token = r["accessToken"].as_str().unwrap();
    assert_eq!(app.entity_status(token).await, 200);
    let claims = app.access_tokens().open(token).unwrap();
    assert_eq!(claims.client.as_str(), "sport");
    assert_eq!(claims.session.unwrap().segment.as_str(), "news");

    // Shop is another segment family: not signed in.
    let on_shop = app.check(&SHOP, Some(&cookie)).await;
    assert_eq!(on_shop.status(), "no_session");
    assert!(on_shop.result["result"].get("accessToken").is_none());

    // Sign out on sport: news (visited) must be logged out front-channel.
    let ended = app.end(&SPORT, Some(&cookie)).await;
    assert_eq!(ended.status(), "success");
    assert_eq!(
        ended.result["result"]["logoutUris"],
        serde_json::json!([NEWS.logout_uri()])
    );
    let removal = set_cookie(&ended.headers, "sso_session").expect("cookie cleared");
    assert_eq!(removal.value(), "");
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "no_session");
    assert_eq!(
        app.check(&SPORT, Some(&cookie)).await.status(),
        "no_session"
    );
    // Signing out ended the tokens the session gave out.
    assert_eq!(app.entity_status(token).await, 401);
}

async fn tokens_end_with_their_session_and_survive_other_segments(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "bound@example.com").await;
    let news = app.check(&NEWS, Some(&cookie)).await;
    let news_token = news.access_token();
    // A sign-in to shop in the same browser rotates the cookie: the old
    // value's tokens end, and a new check gives a working one.
    let shopper = app.sign_up(&SHOP, "shop@example.com").await;
    let cookie = app
        .set_session(&SHOP, &shopper.sso_code, Some(&cookie))
        .await
        .cookie()
        .unwrap();
    assert_eq!(app.entity_status(&news_token).await, 401);
    let news = app.check(&NEWS, Some(&cookie)).await;
    let news_token = news.access_token();
    let shop = app.check(&SHOP, Some(&cookie)).await;
    let shop_token = shop.access_token();
    assert_eq!(app.entity_status(&news_token).await, 200);
    // Signing out of news leaves shop's session and token alone.
    assert_eq!(app.end(&NEWS, Some(&cookie)).await.status(), "success");
    assert_eq!(app.entity_status(&news_token).await, 401);
    assert_eq!(app.entity_status(&shop_token).await, 200);
    // A token is bound to its user: one for someone else in the same
    // session and segment is refused.
    let mut forged = app.access_tokens().open(&shop_token).unwrap();
    forged.user = UserId::new();
    assert_eq!(
        app.entity_status(&app.access_tokens().mint(&forged)).await,
        401
    );
}

async fn sign_out_keeps_other_segment_families(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&SHOP, "shopper@example.com").await;
    let news_user = app.sign_up(&NEWS, "reader@example.com").await;
    let set = app
        .set_session(&NEWS, &news_user.sso_code, Some(&cookie))
        .await;
    let cookie = set.cookie().unwrap();
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "success");

    let ended = app.end(&SPORT, Some(&cookie)).await;
    assert_eq!(ended.status(), "success");
    assert!(
        set_cookie(&ended.headers, "sso_session").is_none(),
        "shop remains"
    );
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "no_session");
    let shop = app.check(&SHOP, Some(&cookie)).await;
    assert_eq!(shop.status(), "success");
    assert_eq!(
        shop.result["result"]["userData"]["email"],
        "shopper@example.com"
    );
}

async fn segments_are_isolated(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&SHOP, "iso@example.com").await;
    assert_eq!(app.check(&SHOP, Some(&cookie)).await.status(), "success");
    assert_eq!(app.check(&NEWS, Some(&cookie)).await.status(), "no_session");
    assert_eq!(
        app.check(&SPORT, Some(&cookie)).await.status(),
        "no_session"
    );
}

async fn a_site_cannot_claim_or_federate_with_foreign_segments(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&SHOP, "seg@example.com").await;
    // News asks to federate with shop: refused by the server.
    let params = with(NEWS.check_params(), "supported_segments", Some("news-shop"));
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    assert_eq!(d.error(), "segment_not_allowed");
    assert!(d.result.get("result").is_none());
    assert_eq!(d.result["transactionId"], "state-0123456789");
    // News claims to be in the shop segment: refused.
    let params = with(NEWS.check_params(), "segment", Some("shop"));
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    assert_eq!(d.error(), "segment_not_allowed");
    // Shop may not reach news either.
    let params = with(SHOP.check_params(), "supported_segments", Some("shop-news"));
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    assert_eq!(d.error(), "segment_not_allowed");
}

async fn response_type_code_delivers_a_code_bound_to_client_and_receiver(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "coder@example.com").await;
    let params = with(SPORT.check_params(), "response_type", Some("code"));
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    let r = &d.result["result"];
    assert!(r.get("accessToken").is_none());
    let code = r["code"].as_str().unwrap();
    let (grant, _) = app.codes().open(code).expect("a code of this server");
    assert_eq!(grant.client.as_str(), "sport");
    assert_eq!(grant.redirect_uri, Some(SPORT.receiver()));
    assert_eq!(grant.user.id.to_string(), user.uuid);
}

async fn set_rotates_the_cookie_and_keeps_other_segments(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, first) = app.signed_in_browser(&SHOP, "rot@example.com").await;
    let again = app.sign_in(&NEWS, "rot@example.com", PASSWORD).await;
    let code = again.json::<serde_json::Value>().await.unwrap()["sso_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = app.set_session(&NEWS, &code, Some(&first)).await;
    let second = set.cookie().unwrap();
    assert_ne!(first, second, "cookie value rotated at sign-in");
    // The old value is worthless now; the new one carries both segments.
    assert_eq!(app.check(&SHOP, Some(&first)).await.status(), "no_session");
    assert_eq!(app.check(&SHOP, Some(&second)).await.status(), "success");
    assert_eq!(app.check(&NEWS, Some(&second)).await.status(), "success");
}

async fn blocked_third_party_cookies_are_reported_not_hidden(backend: Backend) {
    let app = spawn_app(backend).await;
    let blocked = [("sec-fetch-storage-access", "none")];
    let d = delivery(
        &app.sso("/sso/check", &NEWS.check_params(), None, &blocked)
            .await,
    );
    assert_eq!(d.status(), "third_party_cookies_blocked");
    assert_eq!(
        d.result["result"]["statusMessage"],
        "thirdPartyCookiesBlocked"
    );
    // Without the header (e.g. a top-level navigation): simply no session.
    let d = delivery(&app.sso("/sso/check", &NEWS.check_params(), None, &[]).await);
    assert_eq!(d.status(), "no_session");
    // With storage access active and no cookie: no session.
    let active = [("sec-fetch-storage-access", "active")];
    let d = delivery(
        &app.sso("/sso/check", &NEWS.check_params(), None, &active)
            .await,
    );
    assert_eq!(d.status(), "no_session");

    // set: blocked frames do not burn the code, so a redirect can retry it.
    let user = app.sign_up(&NEWS, "blocked@example.com").await;
    let params = with(NEWS.base_params(), "sso_code", Some(&user.sso_code));
    let d = delivery(&app.sso("/sso/set", &params, None, &blocked).await);
    assert_eq!(d.status(), "third_party_cookies_blocked");
    assert!(d.cookie().is_none());
    let d = app.set_session(&NEWS, &user.sso_code, None).await;
    assert_eq!(d.status(), "success");

    // end: the same.
    let params = NEWS.base_params();
    let d = delivery(&app.sso("/sso/end", &params, None, &blocked).await);
    assert_eq!(d.status(), "third_party_cookies_blocked");
}

async fn keep_me_logged_in_makes_the_cookie_persistent(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, _) = app.signed_in_browser(&NEWS, "brief@example.com").await;
    let brief = app.sign_in(&NEWS, "brief@example.com", PASSWORD).await;
    let code = brief.json::<serde_json::Value>().await.unwrap()["sso_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = app.set_session(&NEWS, &code, None).await;
    let c = set_cookie(&d.headers, "sso_session").unwrap();
    assert!(
        c.max_age().is_none() && c.expires().is_none(),
        "session cookie"
    );

    let kept = app
        .sign_up_with(&NEWS, "kept@example.com", &[("keepMeLoggedIn", "true")])
        .await;
    let d = app.set_session(&NEWS, &kept.sso_code, None).await;
    assert_eq!(d.result["result"]["keepMeLoggedIn"], true);
    let c = set_cookie(&d.headers, "sso_session").unwrap();
    let max_age = c.max_age().expect("persistent cookie").whole_seconds();
    assert_eq!(max_age as u64, app.settings.cookie.persistent_ttl.as_secs());
    let check = app.check(&SPORT, Some(c.value())).await;
    assert_eq!(check.result["result"]["keepMeLoggedIn"], true);
}

async fn expired_segments_are_not_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_up(&NEWS, "stale@example.com").await;
    let cookie = Secret::generate();
    let now = sso_core::clock::unix_now();
    let mut session = BrowserSession::default();
    session.segments.insert(
        Segment::parse("news").unwrap(),
        SegmentSession {
            id: sso_core::domain::SessionId::generate(),
            user: Profile {
                id: UserId(uuid::Uuid::parse_str(&user.uuid).unwrap()),
                email: "stale@example.com".into(),
                display_name: "Stale".into(),
            },
            created: now - 100,
            expires: now - 1,
            last_used: now - 100,
            keep_me_logged_in: false,
            method: sso_core::domain::AuthMethod::Password,
            visits: BTreeMap::new(),
        },
    );
    app.store
        .save_session(&cookie.hash(), &session, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        app.check(&NEWS, Some(cookie.expose())).await.status(),
        "no_session"
    );
}

async fn end_without_a_session_succeeds_with_nothing_to_do(backend: Backend) {
    let app = spawn_app(backend).await;
    let d = app.end(&NEWS, None).await;
    assert_eq!(d.status(), "success");
    assert_eq!(d.result["result"]["logoutUris"], serde_json::json!([]));
    let d = app.end(&NEWS, Some(Secret::generate().expose())).await;
    assert_eq!(d.status(), "success");
}

async fn logout_uri_must_be_registered_and_is_returned_as_registered(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, cookie) = app.signed_in_browser(&NEWS, "lo@example.com").await;
    let params = with(
        SPORT.check_params(),
        "logout_uri",
        Some("http://evil.localhost/logout"),
    );
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    assert_eq!(d.error(), "url_not_registered");
    let params = with(
        SPORT.check_params(),
        "logout_uri",
        Some(&SPORT.logout_uri()),
    );
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    assert_eq!(d.status(), "success");
    let ended = app.end(&NEWS, Some(&cookie)).await;
    assert_eq!(
        ended.result["result"]["logoutUris"],
        serde_json::json!([SPORT.logout_uri()])
    );
}

/// Two sign-ins started in two tabs of one browser: each parks under a
/// pending cookie of its own, so the second does not overwrite the first,
/// and each tab's library confirms its own.
async fn sign_ins_started_in_two_tabs_both_complete(backend: Backend) {
    let app = spawn_app(backend).await;
    let (a, b) = (
        app.sign_up(&NEWS, "tab-a@example.com").await,
        app.sign_up(&SPORT, "tab-b@example.com").await,
    );
    // The browser's cookie jar: a later cookie of the same name replaces.
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let name = app.settings.cookie.name.clone();
    let park = async |site: &Site, code: &str, jar: &mut BTreeMap<String, String>| {
        let parked = app.park_sign_in(site, code, None).await;
        assert_eq!(parked.status(), "confirm");
        let pending = pending_cookie(&parked.headers, &name).expect("a pending cookie");
        jar.insert(pending.name().to_owned(), pending.value().to_owned());
        parked.confirm()
    };
    let token_a = park(&NEWS, &a.sso_code, &mut jar).await;
    let token_b = park(&SPORT, &b.sso_code, &mut jar).await;
    assert_eq!(jar.len(), 2, "two pending cookies: {jar:?}");
    let header = |jar: &BTreeMap<String, String>| {
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    for (site, token, who) in [(&NEWS, &token_a, &a), (&SPORT, &token_b, &b)] {
        let params = with(site.base_params(), "confirm", Some(token));
        let r = app
            .sso_with_cookies("/sso/set", &params, Some(&header(&jar)), &[])
            .await;
        let done = delivery(&r);
        assert_eq!(done.status(), "success", "{} {:?}", site.id, done.result);
        // Its own pending cookie is removed, the other tab's kept.
        let removed = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| cookie::Cookie::parse(v.to_str().ok()?.to_owned()).ok())
            .find(|c| c.name().starts_with(&format!("{name}_pending_")))
            .expect("a removal");
        assert!(jar.remove(removed.name()).is_some());
        let cookie = done.cookie().expect("signed in");
        let check = app.check(site, Some(&cookie)).await;
        assert_eq!(
            check.result["result"]["userData"]["uuid"],
            who.uuid.as_str()
        );
    }
}

each_store!(
    sign_ins_started_in_two_tabs_both_complete,
    full_flow_sign_in_check_elsewhere_sign_out,
    tokens_end_with_their_session_and_survive_other_segments,
    sign_out_keeps_other_segment_families,
    segments_are_isolated,
    a_site_cannot_claim_or_federate_with_foreign_segments,
    response_type_code_delivers_a_code_bound_to_client_and_receiver,
    set_rotates_the_cookie_and_keeps_other_segments,
    blocked_third_party_cookies_are_reported_not_hidden,
    keep_me_logged_in_makes_the_cookie_persistent,
    expired_segments_are_not_sessions,
    end_without_a_session_succeeds_with_nothing_to_do,
    logout_uri_must_be_registered_and_is_returned_as_registered,
);
