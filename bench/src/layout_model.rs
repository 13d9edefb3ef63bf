//! `SSO_BENCH_ONLY=layout`: Redis bytes per signed-in person for the
//! session layout the server writes and for the alternatives to it,
//! without a server. `layout_model.lua` writes, for 100,000 people, the
//! fields one sign-in leaves in each layout; the figure is the `INFO
//! memory` delta per person on a fresh `redis-server`, the measure of
//! figure 2. `today` reproduces figure 2, so the others can be compared
//! with it (docs/decisions/performance.md, "Redis bytes per sign-in").

use std::process::Command;

use sso_test_support::RedisServer;

use crate::server::redis_used_memory;

const SCRIPT: &str = include_str!("layout_model.lua");
const PEOPLE: usize = 100_000;
/// People written per script call: one call blocks Redis while it runs.
const BATCH: usize = 10_000;

/// Each layout the script knows, and what it holds.
const LAYOUTS: [(&str, &str); 6] = [
    (
        "today",
        "session hash + person's index, as a fresh sign-in leaves them",
    ),
    (
        "today-used",
        "the same after the first touch (last use in both)",
    ),
    ("two-keys-floor", "two keys holding a one-field hash each"),
    ("one-key", "the sign-in's fields in its person's hash"),
    (
        "one-key-used",
        "the same after the first touch (last use in the sign-in's field)",
    ),
    ("one-key-floor", "one key holding a one-field hash"),
];

pub fn figure() -> Vec<(&'static str, &'static str, f64)> {
    let redis = RedisServer::start();
    let url = redis.url();
    let port = url::Url::parse(&url).unwrap().port().unwrap().to_string();
    // redis-cli exits 0 on an error reply too: its output is checked.
    let cli = |args: &[&str], expected: &str| {
        let out = Command::new("redis-cli")
            .args(["-p", &port])
            .args(args)
            .output()
            .expect("redis-cli");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(text.trim(), expected, "redis-cli {}", args[0]);
    };
    LAYOUTS
        .iter()
        .map(|&(layout, what)| {
            cli(&["FLUSHALL", "SYNC"], "OK");
            let before = redis_used_memory(&url);
            for from in (1..=PEOPLE).step_by(BATCH) {
                let to = (from + BATCH - 1).to_string();
                let from = from.to_string();
                cli(
                    &["EVAL", SCRIPT, "0", layout, &from, &to],
                    &BATCH.to_string(),
                );
            }
            let after = redis_used_memory(&url);
            (layout, what, (after - before) as f64 / PEOPLE as f64)
        })
        .collect()
}
