//! The back-channel logout queues: one per client, claimed by due time,
//! leased, capped, and readable after an upgrade.

use std::time::Duration;

use sso_core::clock::unix_now;
use sso_core::domain::{ClientId, LogoutJob, SessionId, UserId};
use sso_core::store::DynStore;
use sso_test_support::Backend;

const LEASE: Duration = Duration::from_secs(30);

fn client(name: &str) -> ClientId {
    ClientId::parse(name).unwrap()
}

fn job(client_name: &str, n: u32, since: i64) -> LogoutJob {
    LogoutJob {
        id: format!("job{n}"),
        signout: "0123456789abcdef0123456789abcdef".to_owned(),
        client: client(client_name),
        user: UserId::new(),
        sid: SessionId::generate(),
        attempts: 0,
        since,
    }
}

fn ids(claimed: &[(sso_core::domain::LogoutLease, LogoutJob)]) -> Vec<String> {
    let mut ids: Vec<_> = claimed.iter().map(|(_, j)| j.id.clone()).collect();
    ids.sort();
    ids
}

async fn logouts_are_claimed_once_finished_and_retried_when_due(store: DynStore) {
    let now = unix_now();
    let jobs: Vec<_> = (0..3).map(|n| job("news", n, now)).collect();
    assert!(store.enqueue_logouts(&jobs, 100).await.unwrap().is_empty());
    // Two instances share the queue: each job goes to one of them.
    let news = client("news");
    let a = store.claim_logouts(&news, 2, LEASE).await.unwrap().jobs;
    let b = store.claim_logouts(&news, 10, LEASE).await.unwrap().jobs;
    assert_eq!((a.len(), b.len()), (2, 1));
    let mut seen = ids(&a);
    seen.extend(ids(&b));
    seen.sort();
    assert_eq!(seen, ["job0", "job1", "job2"]);
    let none = store.claim_logouts(&news, 10, LEASE).await.unwrap();
    assert!(none.jobs.is_empty());
    // Finished: gone. Retried: back when due, with what the attempt changed.
    assert!(store.finish_logout(&a[0].0, None).await.unwrap());
    let mut again = a[1].1.clone();
    again.attempts = 1;
    let wait = Duration::from_millis(300);
    assert!(
        store
            .finish_logout(&a[1].0, Some((&again, wait)))
            .await
            .unwrap()
    );
    assert!(store.finish_logout(&b[0].0, None).await.unwrap());
    let early = store.claim_logouts(&news, 10, LEASE).await.unwrap();
    assert!(early.jobs.is_empty(), "not due yet");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let due = store.claim_logouts(&news, 10, LEASE).await.unwrap().jobs;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].1, again);
}

/// A job taken by an instance that stopped before finishing it is taken
/// again by another once its lease has run out, and the first can then no
/// longer finish it.
async fn an_unfinished_logout_is_taken_again_after_its_lease(store: DynStore) {
    let news = client("news");
    store
        .enqueue_logouts(&[job("news", 7, unix_now())], 100)
        .await
        .unwrap();
    let lease = Duration::from_millis(200);
    let taken = store.claim_logouts(&news, 10, lease).await.unwrap().jobs;
    assert_eq!(taken.len(), 1);
    let during = store.claim_logouts(&news, 10, lease).await.unwrap();
    assert!(during.jobs.is_empty(), "leased");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let again = store.claim_logouts(&news, 10, LEASE).await.unwrap().jobs;
    assert_eq!(ids(&again), ["job7"]);
    assert!(
        !store.finish_logout(&taken[0].0, None).await.unwrap(),
        "a lease that ran out finishes nothing"
    );
    assert!(store.finish_logout(&again[0].0, None).await.unwrap());
    assert!(!store.finish_logout(&again[0].0, None).await.unwrap());
}

/// One client's backlog is not another's: a claim reads its own client's
/// queue only.
async fn each_client_has_a_queue_of_its_own(store: DynStore) {
    let now = unix_now();
    let jobs = [
        job("news", 1, now),
        job("sport", 2, now),
        job("news", 3, now),
    ];
    store.enqueue_logouts(&jobs, 100).await.unwrap();
    let sport = store.claim_logouts(&client("sport"), 10, LEASE).await;
    assert_eq!(ids(&sport.unwrap().jobs), ["job2"]);
    let news = store.claim_logouts(&client("news"), 10, LEASE).await;
    assert_eq!(ids(&news.unwrap().jobs), ["job1", "job3"]);
    let shop = store.claim_logouts(&client("shop"), 10, LEASE).await;
    assert!(shop.unwrap().jobs.is_empty());
}

/// A client's queue holds at most its cap: the oldest sign-outs beyond it
/// are handed back (to be reported abandoned), and the rest stay.
async fn a_full_queue_gives_up_its_oldest_jobs(store: DynStore) {
    let now = unix_now();
    let first: Vec<_> = (0..3)
        .map(|n| job("news", n, now - 100 + i64::from(n)))
        .collect();
    assert!(store.enqueue_logouts(&first, 3).await.unwrap().is_empty());
    let more = [
        job("news", 3, now),
        job("news", 4, now),
        job("sport", 5, now),
    ];
    let mut evicted: Vec<_> = store
        .enqueue_logouts(&more, 3)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    evicted.sort();
    assert_eq!(evicted, ["job0", "job1"]);
    let news = store.claim_logouts(&client("news"), 10, LEASE).await;
    assert_eq!(ids(&news.unwrap().jobs), ["job2", "job3", "job4"]);
    let sport = store.claim_logouts(&client("sport"), 10, LEASE).await;
    assert_eq!(ids(&sport.unwrap().jobs), ["job5"]);
}

/// A claim takes the earliest due first and no more than asked.
async fn claims_take_the_earliest_due_first(store: DynStore) {
    let news = client("news");
    let now = unix_now();
    let jobs: Vec<_> = (0..4).map(|n| job("news", n, now)).collect();
    store.enqueue_logouts(&jobs, 100).await.unwrap();
    let all = store.claim_logouts(&news, 10, LEASE).await.unwrap().jobs;
    // Retries due at different times: job3 first, then job1.
    for (lease, job) in &all {
        let wait = match job.id.as_str() {
            "job3" => Duration::from_millis(50),
            "job1" => Duration::from_millis(100),
            _ => Duration::from_secs(60),
        };
        store.finish_logout(lease, Some((job, wait))).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    let first = store.claim_logouts(&news, 1, LEASE).await.unwrap().jobs;
    assert_eq!(ids(&first), ["job3"]);
    let second = store.claim_logouts(&news, 5, LEASE).await.unwrap().jobs;
    assert_eq!(ids(&second), ["job1"]);
}

suite!(
    logouts_are_claimed_once_finished_and_retried_when_due,
    an_unfinished_logout_is_taken_again_after_its_lease,
    each_client_has_a_queue_of_its_own,
    a_full_queue_gives_up_its_oldest_jobs,
    claims_take_the_earliest_due_first,
);

async fn redis_connection(backend_url: &str) -> ::redis::aio::MultiplexedConnection {
    ::redis::Client::open(backend_url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// An entry that cannot be read is dropped and counted, not claimed again
/// and again.
#[tokio::test]
async fn an_unreadable_logout_job_is_dropped_and_counted() {
    let (store, redis) = Backend::Redis.store().await;
    let mut conn = redis_connection(&redis.as_ref().unwrap().url()).await;
    ::redis::pipe()
        .hset("sso:bj:{bq:news}", "bad", "{not a job")
        .zadd("sso:bd:{bq:news}", "bad", 0)
        .zadd("sso:ba:{bq:news}", "bad", 0)
        .query_async::<()>(&mut conn)
        .await
        .unwrap();
    let news = client("news");
    let claimed = store.claim_logouts(&news, 10, LEASE).await.unwrap();
    assert_eq!((claimed.jobs.len(), claimed.unreadable), (0, 1));
    let left: i64 = ::redis::cmd("ZCARD")
        .arg("sso:bd:{bq:news}")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0, "dropped from the queue");
    let again = store.claim_logouts(&news, 10, LEASE).await.unwrap();
    assert_eq!(again.unreadable, 0);
}

/// Jobs left in the single queue of an earlier version (one stream, one
/// retry set) are moved into their clients' queues: an upgrade loses no
/// sign-out.
#[tokio::test]
async fn jobs_of_the_earlier_single_queue_are_adopted() {
    let (store, redis) = Backend::Redis.store().await;
    let mut conn = redis_connection(&redis.as_ref().unwrap().url()).await;
    let now = unix_now();
    let queued = serde_json::to_string(&job("news", 1, now)).unwrap();
    let waiting = serde_json::to_string(&job("sport", 2, now)).unwrap();
    ::redis::pipe()
        .cmd("XADD")
        .arg("sso:bq:{logout}")
        .arg("*")
        .arg("j")
        .arg(&queued)
        .zadd("sso:bw:{logout}", &waiting, 0)
        .query_async::<()>(&mut conn)
        .await
        .unwrap();
    let news = store.claim_logouts(&client("news"), 10, LEASE).await;
    assert_eq!(ids(&news.unwrap().jobs), ["job1"]);
    let sport = store.claim_logouts(&client("sport"), 10, LEASE).await;
    assert_eq!(ids(&sport.unwrap().jobs), ["job2"]);
    let left: i64 = ::redis::cmd("EXISTS")
        .arg("sso:bq:{logout}")
        .arg("sso:bw:{logout}")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
