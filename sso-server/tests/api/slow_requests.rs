//! A body that trickles in is cut off: every endpoint that reads a body
//! answers 408 once it has not arrived within 10 s, and closes the
//! connection, so slow clients cannot hold the server's connections.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;

/// Declares a 10,000-byte form and sends one byte every 2 s; returns the
/// answer (head and body) and how long it took, once the server closed.
async fn trickle(base: &str, path: &str) -> (String, Duration) {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let dribble = tokio::spawn(async move {
        while writer.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read_to_end(&mut answer)).await;
    dribble.abort();
    assert!(read.is_ok(), "{path}: the server closed the connection");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_trickling_body_is_answered_408_and_its_connection_closed() {
    let app = spawn_app(Backend::Memory).await;
    let paths = [
        "/api/user/info",
        "/oauth/token",
        "/oauth/auth_native_traditional",
    ];
    let answers = futures::future::join_all(paths.iter().map(|p| trickle(&app.base, p))).await;
    for (path, (answer, took)) in paths.iter().zip(answers) {
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "{path}: {}",
            answer.lines().next().unwrap_or_default()
        );
        let named = ["REQUEST_TIMEOUT", "invalid_request", "request_timeout"];
        assert!(named.iter().any(|n| answer.contains(n)), "{path}: {answer}");
        assert!(
            (Duration::from_secs(9)..Duration::from_secs(14)).contains(&took),
            "{path}: cut off after {took:?}"
        );
    }
}

/// While a hundred clients trickle bodies, the server still answers others.
#[tokio::test]
async fn slow_bodies_do_not_starve_other_requests() {
    let app = spawn_app(Backend::Memory).await;
    let slow: Vec<_> = (0..100)
        .map(|_| {
            let base = app.base.clone();
            tokio::spawn(async move { trickle(&base, "/api/user/info").await })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    for s in slow {
        let (answer, _) = s.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"));
    }
}
