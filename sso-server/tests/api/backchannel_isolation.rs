//! One failing site backend must not cost the others their sign-outs: a
//! receiver that never answers, one that keeps failing (circuit breaker),
//! and a dead receiver's queue filling up (its cap).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::backchannel::{receiver, takes_logouts};
use crate::helpers::*;
use sso_test_support::each_store;

/// A receiver that accepts connections and never answers (a hung site
/// backend); counts the connections.
fn hung() -> (String, Arc<AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "http://127.0.0.1:{}/backchannel",
        listener.local_addr().unwrap().port()
    );
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (url, accepted)
}

/// Sport's receiver hangs (each attempt runs into the 10 s timeout); news's
/// is healthy. Sign-outs spaced over several seconds, each used by both:
/// every news delivery arrives within a second, long before the first hung
/// attempt even times out.
async fn a_hung_receiver_does_not_delay_another_sites_sign_outs(backend: Backend) {
    let news = receiver(0).await;
    let (sport_url, sport_attempts) = hung();
    let n = news.url.clone();
    let app = spawn_app_with(backend, move |s| {
        takes_logouts(s, "news", &n);
        takes_logouts(s, "sport", &sport_url);
        s.backchannel.timeout = Duration::from_secs(10);
    })
    .await;
    let mut browsers = Vec::new();
    for n in 0..12 {
        let (_, cookie) = app
            .signed_in_browser(&NEWS, &format!("hung{n}@example.com"))
            .await;
        app.check(&SPORT, Some(&cookie)).await;
        browsers.push(cookie);
    }
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for (n, cookie) in browsers.iter().enumerate() {
        let asked = Instant::now();
        assert_eq!(app.end(&NEWS, Some(cookie)).await.status(), "success");
        let got = news.wait_for(n + 1, Duration::from_secs(5)).await;
        assert_eq!(got.len(), n + 1, "news told of sign-out {n}");
        slowest = slowest.max(asked.elapsed());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        slowest < Duration::from_secs(1),
        "every news delivery within 1 s, not behind sport's 10 s timeout: slowest {slowest:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        sport_attempts.load(Ordering::SeqCst) >= 1,
        "sport was tried meanwhile"
    );
}

/// A receiver that keeps failing trips its breaker: its jobs wait in the
/// retry schedule instead of costing an attempt each, then, once it answers
/// again, a probe finds out and every waiting logout is delivered.
async fn a_failing_receiver_is_probed_not_hammered(backend: Backend) {
    // Answers 500 until it recovers.
    let news = receiver(usize::MAX).await;
    let url = news.url.clone();
    let app = spawn_app_with(backend, move |s| {
        takes_logouts(s, "news", &url);
        add_helpdesk(s);
    })
    .await;
    let mut signouts = Vec::new();
    for n in 0..20 {
        let (user, _) = app
            .signed_in_browser(&NEWS, &format!("probe{n}@example.com"))
            .await;
        signouts.push(app.end_everything(&user.uuid).await);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Five failures open the breaker; at most the eight attempts of one
    // claim were under way by then. Without it: twenty attempts, then each
    // again after 1 s and 2 s.
    let attempts = news.tokens().len();
    assert!(
        (5..=9).contains(&attempts),
        "{attempts} attempts for 20 logouts"
    );
    news.recover();
    for signout in &signouts {
        let states = app
            .wait_for_state(signout, "delivered", Duration::from_secs(15))
            .await;
        assert_eq!(states, [("news".to_owned(), "delivered".to_owned())]);
    }
}

/// A dead receiver's queue holds at most `max_waiting_per_client`: the
/// oldest sign-outs beyond it are reported abandoned and counted.
async fn a_full_queue_abandons_its_oldest_logouts(backend: Backend) {
    let (url, _) = hung();
    let app = spawn_app_with(backend, move |s| {
        takes_logouts(s, "news", &url);
        s.backchannel.max_waiting_per_client = 2;
        add_helpdesk(s);
    })
    .await;
    let mut signouts = Vec::new();
    for n in 0..4 {
        let (user, _) = app
            .signed_in_browser(&NEWS, &format!("full{n}@example.com"))
            .await;
        signouts.push(app.end_everything(&user.uuid).await);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let abandoned = [("news".to_owned(), "abandoned".to_owned())];
    for signout in &signouts[..2] {
        assert_eq!(app.delivery_state(signout).await, abandoned);
    }
    for signout in &signouts[2..] {
        assert_ne!(app.delivery_state(signout).await, abandoned);
    }
    let metrics = app.metrics().await;
    assert_eq!(
        metrics.value("sso_backchannel_logouts_total{outcome=\"evicted\"}"),
        2.0
    );
}

each_store!(
    a_hung_receiver_does_not_delay_another_sites_sign_outs,
    a_failing_receiver_is_probed_not_hammered,
    a_full_queue_abandons_its_oldest_logouts,
);
