//! Figure 11: silent authorization — `/oauth/authorize` with `prompt=none`
//! for a browser already signed in (a standard client of the family gets a
//! code with no page) — beside `/sso/check` (the library's silent check)
//! and `/healthz`, in alternating wrk rounds; the round with the median
//! authorize/check ratio is reported. Every request mints a code (sealed:
//! no store write).

use crate::server::Running;
use crate::{API_ROUNDS, wrk};

/// sport asks for a code; the browser is signed in on news (one family).
pub const AUTHORIZE_PATH: &str = "/oauth/authorize?client_id=sport\
    &redirect_uri=http%3A%2F%2Fsport.localhost%3A8082%2F&response_type=code\
    &scope=openid%20email&state=bench-state-3&nonce=bench-nonce&prompt=none";

pub struct Figures {
    pub authorize: wrk::Load,
    pub check: wrk::Load,
    pub health: wrk::Load,
    /// authorize / check per round, %, sorted.
    pub ratios: Vec<f64>,
}

pub async fn figure(
    run: &Running,
    http: &reqwest::Client,
    check_path: &str,
    cookie: &str,
) -> Figures {
    // The rate counts only if the answer is a code: the first one, checked.
    let probe = http
        .get(run.url(AUTHORIZE_PATH))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let location = probe.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("http://sport.localhost:8082/?code="),
        "{location}"
    );
    let rounds: Vec<(wrk::Load, wrk::Load, wrk::Load)> = (0..API_ROUNDS)
        .map(|_| {
            let authorize = wrk::run(&run.url(AUTHORIZE_PATH), Some(cookie));
            let check = wrk::run(&run.url(check_path), Some(cookie));
            (authorize, check, wrk::run(&run.url("/healthz"), None))
        })
        .collect();
    let ((authorize, check, health), ratios) =
        wrk::median_round(rounds, |r| r.0.rps / r.1.rps * 100.0);
    Figures {
        authorize,
        check,
        health,
        ratios,
    }
}
