//! One behavioural suite for the `Store` trait, run against the in-process
//! store, a real `redis-server` and a real six-node Redis Cluster, each
//! started for each test.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::join_all;
use sso_core::clock::unix_now;
use sso_core::domain::Secret;
use sso_core::domain::{
    BrowserSession, ClientId, CodeChallenge, CodeKind, DeliveryState, Grant, IndexEntry, Nonce,
    Profile, Segment, SegmentSession, SessionBinding, SessionId, SessionTarget, User, UserId,
};
use sso_core::store::{DynStore, InsertUserError, SessionRecord};

use sso_test_support::Backend;

/// Runs each `async fn name(store: DynStore)` on a fresh store of each kind
/// (the Redis processes live until the test ends).
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod memory_store {
            $( #[tokio::test] async fn $name() {
                let (store, _redis) = super::Backend::Memory.store().await;
                super::$name(store).await
            } )*
        }
        mod redis_store {
            $( #[tokio::test] async fn $name() {
                let (store, _redis) = super::Backend::Redis.store().await;
                super::$name(store).await
            } )*
        }
        mod cluster_store {
            $( #[tokio::test] async fn $name() {
                let (store, _redis) = super::Backend::RedisCluster.store().await;
                super::$name(store).await
            } )*
        }
    };
}

mod logout_queue;
mod person_sessions;
mod tickets;

fn user(email: &str) -> User {
    User {
        id: UserId::new(),
        email: email.to_owned(),
        email_normalized: email.to_lowercase(),
        display_name: "Name".to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x$y".to_owned(),
        created: 1_700_000_000,
        username: None,
        roles: Vec::new(),
        api_user: false,
        email_verified: false,
        passkeys: Vec::new(),
    }
}

fn grant(client: &str) -> Grant {
    Grant {
        user: Profile {
            id: UserId::new(),
            email: "grant@example.com".to_owned(),
            display_name: "Grant Holder".to_owned(),
        },
        client: ClientId::parse(client).unwrap(),
        redirect_uri: Some("http://news.localhost:8081/".to_owned()),
        keep_me_logged_in: true,
        auth_time: 1_700_000_000,
        method: sso_core::domain::AuthMethod::Password,
        // Every optional field set, so the round trip covers them all.
        flow: Some("standard".to_owned()),
        code_challenge: Some(
            CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").unwrap(),
        ),
        nonce: Some(Nonce::parse("n-0S6_WzA2Mj").unwrap()),
        session: Some(SessionBinding {
            sid: Secret::generate().hash(),
            segment: Segment::parse("news").unwrap(),
        }),
        sid: Some(SessionId::generate()),
    }
}

fn seg(name: &str) -> Segment {
    Segment::parse(name).unwrap()
}

fn segment_session(visits: &[(&str, u8)]) -> SegmentSession {
    SegmentSession {
        id: SessionId::generate(),
        // A display name with the characters the Redis encoding must survive.
        user: User {
            display_name: "Ann: \"the\" 👩".to_owned(),
            ..user("ann:1@example.com")
        }
        .profile(),
        created: 1_700_000_000,
        expires: 4_000_000_000,
        last_used: 1_700_000_000,
        keep_me_logged_in: false,
        method: sso_core::domain::AuthMethod::Password,
        visits: visits
            .iter()
            .map(|(c, i)| (ClientId::parse(c).unwrap(), *i))
            .collect::<BTreeMap<_, _>>(),
    }
}

const MINUTE: Duration = Duration::from_secs(60);

async fn users_are_found_by_id_and_email(store: DynStore) {
    let u = user("Ann@Example.com");
    store.insert_user(&u).await.unwrap();
    assert_eq!(store.user(u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(
        store.user_by_email("ann@example.com").await.unwrap(),
        Some(u)
    );
    assert_eq!(
        store.user_by_email("other@example.com").await.unwrap(),
        None
    );
    assert_eq!(store.user(UserId::new()).await.unwrap(), None);
}

async fn emails_are_unique_even_under_concurrency(store: DynStore) {
    store.insert_user(&user("dup@example.com")).await.unwrap();
    assert!(matches!(
        store.insert_user(&user("dup@example.com")).await,
        Err(InsertUserError::EmailTaken)
    ));
    let racers: Vec<User> = (0..10).map(|_| user("race@example.com")).collect();
    let results = join_all(racers.iter().map(|u| store.insert_user(u))).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    let winner = store
        .user_by_email("race@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(racers.iter().any(|u| u.id == winner.id));
}

async fn codes_are_taken_once(store: DynStore) {
    let code = Secret::generate().hash();
    let g = grant("news");
    store
        .put_code(CodeKind::SsoCode, &code, &g, MINUTE)
        .await
        .unwrap();
    // Another kind's key space does not see it.
    assert_eq!(
        store
            .take_code(CodeKind::AuthorizationCode, &code)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.take_code(CodeKind::SsoCode, &code).await.unwrap(),
        Some(g)
    );
    assert_eq!(
        store.take_code(CodeKind::SsoCode, &code).await.unwrap(),
        None
    );
}

async fn concurrent_takes_yield_one_winner(store: DynStore) {
    let code = Secret::generate().hash();
    store
        .put_code(CodeKind::AuthorizationCode, &code, &grant("news"), MINUTE)
        .await
        .unwrap();
    let takes = (0..16).map(|_| store.take_code(CodeKind::AuthorizationCode, &code));
    let results = join_all(takes).await;
    assert_eq!(
        results.iter().filter(|r| matches!(r, Ok(Some(_)))).count(),
        1
    );
}

async fn codes_expire(store: DynStore) {
    let code = Secret::generate().hash();
    let short = Duration::from_millis(300);
    store
        .put_code(CodeKind::SsoCode, &code, &grant("news"), short)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        store.take_code(CodeKind::SsoCode, &code).await.unwrap(),
        None
    );
}

async fn sessions_round_trip_and_are_replaced_whole(store: DynStore) {
    let sid = Secret::generate().hash();
    assert!(store.session(&sid).await.unwrap().is_empty());
    let mut s = BrowserSession::default();
    s.segments
        .insert(seg("news"), segment_session(&[("news", 0)]));
    s.segments
        .insert(seg("shop"), segment_session(&[("shop", 1)]));
    store.save_session(&sid, &s, MINUTE).await.unwrap();
    assert_eq!(store.session(&sid).await.unwrap(), s);

    let mut smaller = BrowserSession::default();
    smaller.segments.insert(seg("shop"), segment_session(&[]));
    store.save_session(&sid, &smaller, MINUTE).await.unwrap();
    assert_eq!(store.session(&sid).await.unwrap(), smaller);

    store.delete_session(&sid).await.unwrap();
    assert!(store.session(&sid).await.unwrap().is_empty());
}

async fn visits_are_recorded_only_on_live_segments(store: DynStore) {
    let sid = Secret::generate().hash();
    let mut s = BrowserSession::default();
    s.segments
        .insert(seg("news"), segment_session(&[("news", 0)]));
    store.save_session(&sid, &s, MINUTE).await.unwrap();
    let sport = ClientId::parse("sport").unwrap();
    let shop = ClientId::parse("shop").unwrap();
    let news = seg("news");
    // Concurrent visits of different sites all land.
    join_all([
        store.record_visit(&sid, &news, &sport, 0),
        store.record_visit(&sid, &news, &shop, 2),
    ])
    .await
    .into_iter()
    .for_each(|r| r.unwrap());
    // A visit to a segment the browser has no session in creates nothing.
    store
        .record_visit(&sid, &seg("shop"), &shop, 0)
        .await
        .unwrap();
    let other = Secret::generate().hash();
    store.record_visit(&other, &news, &sport, 0).await.unwrap();
    assert!(store.session(&other).await.unwrap().is_empty());

    let got = store.session(&sid).await.unwrap();
    assert_eq!(got.segments.len(), 1);
    let visits = &got.segments[&news].visits;
    assert_eq!(visits.get(&sport), Some(&0));
    assert_eq!(visits.get(&shop), Some(&2));
}

async fn removing_segments_returns_them_and_keeps_the_rest(store: DynStore) {
    let sid = Secret::generate().hash();
    let mut s = BrowserSession::default();
    s.segments
        .insert(seg("news"), segment_session(&[("news", 0), ("sport", 0)]));
    s.segments
        .insert(seg("shop"), segment_session(&[("shop", 0)]));
    store.save_session(&sid, &s, MINUTE).await.unwrap();

    let removal = store
        .remove_segments(&sid, &[seg("news"), seg("sport")])
        .await
        .unwrap();
    assert!(!removal.session_gone);
    let removed = removal.removed;
    assert_eq!(removed.segments.len(), 1);
    assert_eq!(removed.segments[&seg("news")], s.segments[&seg("news")]);
    let left = store.session(&sid).await.unwrap();
    assert_eq!(left.segments.keys().collect::<Vec<_>>(), [&seg("shop")]);

    let removal = store.remove_segments(&sid, &[seg("shop")]).await.unwrap();
    assert!(removal.session_gone);
    assert_eq!(removal.removed.segments.len(), 1);
    assert!(store.session(&sid).await.unwrap().is_empty());
    // Removing from nothing is fine.
    assert!(
        store
            .remove_segments(&sid, &[seg("shop")])
            .await
            .unwrap()
            .removed
            .is_empty()
    );
}

async fn sessions_expire(store: DynStore) {
    let sid = Secret::generate().hash();
    let mut s = BrowserSession::default();
    s.segments.insert(seg("news"), segment_session(&[]));
    store
        .save_session(&sid, &s, Duration::from_millis(300))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(store.session(&sid).await.unwrap().is_empty());
}

async fn counters_count_within_their_window(store: DynStore) {
    let window = Duration::from_millis(400);
    assert_eq!(store.hits("k").await.unwrap(), 0);
    for expected in 1..=3 {
        assert_eq!(store.hit("k", window).await.unwrap(), expected);
    }
    assert_eq!(store.hits("k").await.unwrap(), 3);
    store.clear_hits("k").await.unwrap();
    assert_eq!(store.hits("k").await.unwrap(), 0);
    store.hit("k", window).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(store.hits("k").await.unwrap(), 0, "window over");
    assert_eq!(store.hit("k", window).await.unwrap(), 1);
}

/// A spend mark is set once per window, by exactly one of many concurrent
/// callers, counts a counter already there as a mark, and ends with its
/// window.
async fn marks_are_set_once_within_their_window(store: DynStore) {
    let window = Duration::from_millis(400);
    let tries = (0..8).map(|_| store.mark_once("m", window));
    let marked = join_all(tries).await;
    let firsts = marked.into_iter().filter(|m| *m.as_ref().unwrap()).count();
    assert_eq!(firsts, 1, "one caller marks it");
    assert!(!store.mark_once("m", window).await.unwrap());
    store.hit("counted", window).await.unwrap();
    assert!(!store.mark_once("counted", window).await.unwrap());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(store.mark_once("m", window).await.unwrap(), "window over");
}

async fn ping_answers(store: DynStore) {
    store.ping().await.unwrap();
}

fn browser_entry(segment: &str, last_used: i64, expires: i64) -> IndexEntry {
    IndexEntry {
        id: SessionId::generate(),
        target: SessionTarget::Browser {
            sid: Secret::generate().hash(),
            segment: seg(segment),
        },
        created: last_used,
        last_used,
        expires,
        keep_me_logged_in: false,
        device: "Firefox on Linux".to_owned(),
    }
}

async fn the_index_lists_replaces_and_removes_entries(store: DynStore) {
    let user = UserId::new();
    let now = unix_now();
    let a = browser_entry("news", now - 10, now + 600);
    let b = IndexEntry {
        id: SessionId::generate(),
        target: SessionTarget::Api {
            sid: Secret::generate().hash(),
        },
        device: "application portal".to_owned(),
        ..browser_entry("news", now - 5, now + 600)
    };
    assert!(
        store
            .index_session(user, &a, &[], 0)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .index_session(user, &b, &[], 0)
            .await
            .unwrap()
            .is_empty()
    );
    let mut listed = store.user_sessions(user).await.unwrap();
    listed.sort_by_key(|e| e.last_used);
    assert_eq!(listed, vec![a.clone(), b.clone()]);
    // Another user's index is another index.
    assert!(store.user_sessions(UserId::new()).await.unwrap().is_empty());

    // A sign-in that moves `a` to a new cookie value replaces its entry.
    let moved = browser_entry("news", now, now + 600);
    store
        .index_session(user, &moved, &[a.id()], 0)
        .await
        .unwrap();
    let ids: Vec<_> = store
        .user_sessions(user)
        .await
        .unwrap()
        .iter()
        .map(IndexEntry::id)
        .collect();
    assert!(ids.contains(&moved.id()) && ids.contains(&b.id()) && !ids.contains(&a.id()));

    let removed = store
        .unindex_sessions(user, &[b.id(), a.id()])
        .await
        .unwrap();
    assert_eq!(removed, vec![b.clone()], "only what was there is returned");
    assert_eq!(store.user_sessions(user).await.unwrap(), vec![moved]);
}

async fn expired_index_entries_are_not_listed(store: DynStore) {
    let user = UserId::new();
    let now = unix_now();
    let old = browser_entry("news", now - 100, now - 1);
    let live = browser_entry("sport", now - 50, now + 600);
    store.index_session(user, &old, &[], 0).await.unwrap();
    store.index_session(user, &live, &[], 0).await.unwrap();
    assert_eq!(store.user_sessions(user).await.unwrap(), vec![live]);
}

async fn the_limit_evicts_the_least_recently_used(store: DynStore) {
    let user = UserId::new();
    let now = unix_now();
    let oldest = browser_entry("news", now - 300, now + 600);
    let middle = browser_entry("news", now - 200, now + 600);
    let newest = browser_entry("news", now - 100, now + 600);
    for e in [&oldest, &middle, &newest] {
        assert!(
            store
                .index_session(user, e, &[], 3)
                .await
                .unwrap()
                .is_empty()
        );
    }
    // Touching the oldest makes `middle` the least recently used.
    store
        .touch_session(user, &oldest.id, &oldest.target, now - 50)
        .await
        .unwrap();
    let fourth = browser_entry("news", now, now + 600);
    let evicted = store.index_session(user, &fourth, &[], 3).await.unwrap();
    assert_eq!(evicted, vec![middle], "the least recently used goes");
    let ids: Vec<_> = store
        .user_sessions(user)
        .await
        .unwrap()
        .iter()
        .map(IndexEntry::id)
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&fourth.id()), "the new one is never evicted");
    // A lower limit takes out as many as it must.
    let fifth = browser_entry("news", now, now + 600);
    assert_eq!(
        store
            .index_session(user, &fifth, &[], 1)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(store.user_sessions(user).await.unwrap().len(), 1);
}

async fn concurrent_sign_ins_never_exceed_the_limit(store: DynStore) {
    let user = UserId::new();
    let now = unix_now();
    let entries: Vec<_> = (0..20)
        .map(|i| browser_entry("news", now - 100 + i, now + 600))
        .collect();
    let results = join_all(entries.iter().map(|e| store.index_session(user, e, &[], 5))).await;
    let evicted: usize = results.into_iter().map(|r| r.unwrap().len()).sum();
    assert_eq!(store.user_sessions(user).await.unwrap().len(), 5);
    assert_eq!(
        evicted, 15,
        "every session beyond the limit was handed back to be ended"
    );
}

async fn touching_never_brings_back_what_was_ended(store: DynStore) {
    let user = UserId::new();
    let now = unix_now();
    let mut session = BrowserSession::default();
    session
        .segments
        .insert(seg("news"), segment_session(&[("news", 0)]));
    let sid = Secret::generate().hash();
    store
        .save_session(&sid, &session, Duration::from_secs(60))
        .await
        .unwrap();
    let target = SessionTarget::Browser {
        sid: sid.clone(),
        segment: seg("news"),
    };
    // A live one is touched in the record too.
    let id = session.segments[&seg("news")].id.clone();
    store.touch_session(user, &id, &target, now).await.unwrap();
    let read = store.session(&sid).await.unwrap();
    assert_eq!(read.segments[&seg("news")].last_used, now);
    // An ended one stays ended, in the record and in the index.
    store.remove_segments(&sid, &[seg("news")]).await.unwrap();
    store
        .touch_session(user, &id, &target, now + 1)
        .await
        .unwrap();
    assert!(store.session(&sid).await.unwrap().is_empty());
    assert!(store.user_sessions(user).await.unwrap().is_empty());
}

async fn delivery_states_are_kept_per_sign_out(store: DynStore) {
    let news = ClientId::parse("news").unwrap();
    let sport = ClientId::parse("sport").unwrap();
    let keep = Duration::from_secs(60);
    let (alice, bob) = (UserId::new(), UserId::new());
    store
        .start_signout("s1", &[alice, bob], &[news.clone(), sport.clone()], keep)
        .await
        .unwrap();
    store
        .set_delivery_state("s1", &news, DeliveryState::Delivered, keep)
        .await
        .unwrap();
    let mut states = store.delivery_states("s1").await.unwrap();
    states.deliveries.sort_by(|a, b| a.0.cmp(&b.0));
    states.users.sort_by_key(|u| u.0);
    let mut people = vec![alice, bob];
    people.sort_by_key(|u| u.0);
    assert_eq!(states.users, people, "who may ask about it");
    assert_eq!(
        states.deliveries,
        vec![
            (news, DeliveryState::Delivered),
            (sport, DeliveryState::Pending)
        ]
    );
    let unknown = store.delivery_states("s2").await.unwrap();
    assert!(unknown.deliveries.is_empty() && unknown.users.is_empty());
}

/// A person's session list reads every record at once: browser sessions
/// and API sessions, in the order asked, gone ones as such (on a cluster
/// the keys live in many slots).
async fn session_records_are_read_at_once_in_order(store: DynStore) {
    let mut targets = Vec::new();
    let mut expected = Vec::new();
    for n in 0..20u8 {
        let sid = Secret::generate().hash();
        let api = sso_core::domain::ApiSession {
            user: UserId::new(),
            created: 1,
            expires: 4_000_000_000,
            application: None,
        };
        match n % 3 {
            0 => {
                let mut session = BrowserSession::default();
                session
                    .segments
                    .insert(seg("news"), segment_session(&[("news", n)]));
                store.save_session(&sid, &session, MINUTE).await.unwrap();
                targets.push(SessionTarget::Browser {
                    sid,
                    segment: seg("news"),
                });
                expected.push(format!("browser {}", session.segments.len()));
            }
            1 => {
                store.put_api_session(&sid, &api, MINUTE).await.unwrap();
                targets.push(SessionTarget::Api { sid });
                expected.push("api".to_owned());
            }
            _ => {
                targets.push(SessionTarget::Api { sid });
                expected.push("gone".to_owned());
            }
        }
    }
    let asked: Vec<&SessionTarget> = targets.iter().collect();
    let records = store.session_records(&asked).await.unwrap();
    let found: Vec<String> = records
        .iter()
        .map(|r| match r {
            SessionRecord::Browser(b) => format!("browser {}", b.segments.len()),
            SessionRecord::Api(Some(_)) => "api".to_owned(),
            SessionRecord::Api(None) => "gone".to_owned(),
        })
        .collect();
    assert_eq!(found, expected);
    assert!(store.session_records(&[]).await.unwrap().is_empty());
}

async fn an_api_session_is_indexed_and_stored_in_one_step(store: DynStore) {
    let user = UserId::new();
    let now = unix_now();
    let mut last = None;
    for n in 0..3 {
        let sid = Secret::generate().hash();
        let entry = IndexEntry {
            id: SessionId::of_api(&sid),
            target: SessionTarget::Api { sid: sid.clone() },
            created: now,
            last_used: now - 10 + n,
            expires: now + 600,
            keep_me_logged_in: false,
            device: "application portal".to_owned(),
        };
        let session = sso_core::domain::ApiSession {
            user,
            created: now,
            expires: now + 600,
            application: Some("portal".to_owned()),
        };
        let evicted = store
            .start_api_session(user, &entry, 2, &sid, &session, Duration::from_secs(600))
            .await
            .unwrap();
        assert_eq!(store.api_session(&sid).await.unwrap(), Some(session));
        assert_eq!(
            evicted.len(),
            usize::from(n == 2),
            "the third goes over the limit of 2"
        );
        last = Some(entry);
    }
    let ids: Vec<_> = store
        .user_sessions(user)
        .await
        .unwrap()
        .iter()
        .map(IndexEntry::id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&last.unwrap().id));
}

suite!(
    users_are_found_by_id_and_email,
    emails_are_unique_even_under_concurrency,
    codes_are_taken_once,
    concurrent_takes_yield_one_winner,
    codes_expire,
    sessions_round_trip_and_are_replaced_whole,
    visits_are_recorded_only_on_live_segments,
    removing_segments_returns_them_and_keeps_the_rest,
    sessions_expire,
    counters_count_within_their_window,
    marks_are_set_once_within_their_window,
    ping_answers,
    the_index_lists_replaces_and_removes_entries,
    expired_index_entries_are_not_listed,
    the_limit_evicts_the_least_recently_used,
    concurrent_sign_ins_never_exceed_the_limit,
    touching_never_brings_back_what_was_ended,
    delivery_states_are_kept_per_sign_out,
    an_api_session_is_indexed_and_stored_in_one_step,
    session_records_are_read_at_once_in_order,
);

/// A code stored in an older build's shape (the grant named the user by id
/// only) is taken and refused like an unknown code, not reported as an
/// outage (which would answer 503).
#[tokio::test]
async fn an_unreadable_code_in_redis_is_taken_and_refused() {
    let (store, redis) = Backend::Redis.store().await;
    let server = redis.as_ref().unwrap();
    let code = Secret::generate().hash();
    let key = format!("sso:a:{{{}}}", code.as_str());
    let old = r#"{"user":"3f1c2d3e-0000-4000-8000-000000000000","client":"news","redirect_uri":null,"keep_me_logged_in":false,"auth_time":0}"#;
    let mut conn = ::redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    ::redis::cmd("SET")
        .arg(&key)
        .arg(old)
        .query_async::<()>(&mut conn)
        .await
        .unwrap();
    let taken = store.take_code(CodeKind::AuthorizationCode, &code).await;
    assert!(matches!(taken, Ok(None)), "{taken:?}");
    let left: Option<String> = ::redis::cmd("GET")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, None, "taken: gone from the store");
}

/// Index entries written as JSON, before the compact form, are still
/// listed, counted for the limit (an expired one dropped, an old one
/// evicted) and taken out whole.
#[tokio::test]
async fn index_entries_stored_as_json_still_work() {
    let (store, redis) = Backend::Redis.store().await;
    let server = redis.as_ref().unwrap();
    let user = UserId::new();
    let now = unix_now();
    let old = browser_entry("news", now - 100, now + 600);
    let gone = browser_entry("news", now - 200, now - 1);
    let mut conn = ::redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let key = format!("sso:x:{{{}}}", user.0.simple());
    for entry in [&old, &gone] {
        let json = serde_json::to_string(entry).unwrap();
        ::redis::cmd("HSET")
            .arg(&key)
            .arg(format!("e:{}", entry.id))
            .arg(json)
            .arg(format!("u:{}", entry.id))
            .arg(entry.last_used)
            .query_async::<()>(&mut conn)
            .await
            .unwrap();
    }
    assert_eq!(store.user_sessions(user).await.unwrap(), vec![old.clone()]);
    // A new sign-in with a limit of one: the expired entry is dropped and
    // the old one evicted, whole.
    let new = browser_entry("news", now, now + 600);
    let evicted = store.index_session(user, &new, &[], 1).await.unwrap();
    assert_eq!(evicted, vec![old]);
    assert_eq!(store.user_sessions(user).await.unwrap(), vec![new.clone()]);
    let removed = store
        .unindex_sessions(user, std::slice::from_ref(&new.id))
        .await
        .unwrap();
    assert_eq!(removed, vec![new]);
}

/// A sign-in's index entry keeps no `u:` field until its first touch (its
/// last use is its creation: 33 bytes a person saved), and reads, touches
/// and re-indexes the same either way.
#[tokio::test]
async fn an_untouched_index_entry_stores_no_last_use() {
    let (store, redis) = Backend::Redis.store().await;
    let server = redis.as_ref().unwrap();
    let conn = ::redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let user = UserId::new();
    let now = unix_now();
    let key = format!("sso:x:{{{}}}", user.0.simple());
    let entry = browser_entry("news", now - 100, now + 600);
    let last_use = format!("u:{}", entry.id);
    store.index_session(user, &entry, &[], 0).await.unwrap();
    let stored = |mut conn: ::redis::aio::MultiplexedConnection| {
        let get = ::redis::cmd("HGET").arg(&key).arg(&last_use).clone();
        async move { get.query_async::<Option<i64>>(&mut conn).await.unwrap() }
    };
    assert_eq!(stored(conn.clone()).await, None, "no u: until a touch");
    assert_eq!(
        store.user_sessions(user).await.unwrap(),
        vec![entry.clone()]
    );
    store
        .touch_session(user, &entry.id, &entry.target, now - 10)
        .await
        .unwrap();
    assert_eq!(stored(conn.clone()).await, Some(now - 10));
    // Indexed again under the same id (its record moved to a new cookie),
    // with the last use it had and then with none: the field follows.
    let moved = IndexEntry {
        last_used: now - 10,
        ..entry.clone()
    };
    store.index_session(user, &moved, &[], 0).await.unwrap();
    assert_eq!(stored(conn.clone()).await, Some(now - 10));
    store.index_session(user, &entry, &[], 0).await.unwrap();
    assert_eq!(stored(conn.clone()).await, None);
    assert_eq!(store.user_sessions(user).await.unwrap(), vec![entry]);
}

/// `rediss://` with a password: the store works over TLS; a wrong password
/// and a plain-text connection to the TLS port are refused (503s, not a
/// silent success).
#[tokio::test]
async fn tls_and_a_password_reach_redis_and_nothing_else_does() {
    use sso_core::store::{RedisStore, SessionStore, Store};
    let server = sso_test_support::RedisServer::start_tls("s3cret-pw");
    let store = RedisStore::open(&server.url()).await.unwrap();
    store
        .ping()
        .await
        .expect("TLS and the password are accepted");
    let sid = Secret::generate().hash();
    let mut session = BrowserSession::default();
    session
        .segments
        .insert(Segment::parse("news").unwrap(), segment_session(&[]));
    store
        .save_session(&sid, &session, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(store.session(&sid).await.unwrap(), session);

    let wrong = RedisStore::open(&server.url().replace("s3cret-pw", "wrong-pw"))
        .await
        .unwrap();
    assert!(wrong.ping().await.is_err(), "a wrong password is refused");
    let plain = RedisStore::open(&format!("redis://:s3cret-pw@127.0.0.1:{}/0", server.port()))
        .await
        .unwrap();
    assert!(
        plain.ping().await.is_err(),
        "plain text to a TLS port fails"
    );
}
