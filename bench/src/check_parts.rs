//! `SSO_BENCH_ONLY=parts`: where figure 1's gap to `/healthz` goes. Four
//! loads in alternating wrk rounds, each as a share of `/healthz`:
//! `/healthz` sent the check's query string and cookie (the request's
//! bytes and headers alone), `/sso/check` with no cookie (the handler's
//! parsing, validation and redirect, no store read, nothing minted), and
//! the check of a signed-in browser (figure 1). The round with the median
//! check/healthz ratio is reported, with every round's ratios.

use crate::server::Running;
use crate::{API_ROUNDS, wrk};

pub struct Figures {
    pub health: wrk::Load,
    /// `/healthz` with the check's query string and cookie.
    pub health_as_check: wrk::Load,
    /// `/sso/check` without a cookie: `no_session`.
    pub no_session: wrk::Load,
    pub check: wrk::Load,
    /// Per round, sorted by the check's share: the three shares, %.
    pub rounds: Vec<[f64; 3]>,
}

pub fn figure(run: &Running, check_path: &str, cookie: &str) -> Figures {
    let query = check_path.split_once('?').map_or("", |(_, q)| q);
    let health_as_check = run.url(&format!("/healthz?{query}"));
    let rounds: Vec<[wrk::Load; 4]> = (0..API_ROUNDS)
        .map(|_| {
            [
                wrk::run(&run.url("/healthz"), None),
                wrk::run(&health_as_check, Some(cookie)),
                wrk::run(&run.url(check_path), None),
                wrk::run(&run.url(check_path), Some(cookie)),
            ]
        })
        .collect();
    let share = |r: &[wrk::Load; 4], i: usize| r[i].rps / r[0].rps * 100.0;
    let mut shares: Vec<[f64; 3]> = rounds
        .iter()
        .map(|r| [share(r, 1), share(r, 2), share(r, 3)])
        .collect();
    shares.sort_by(|a, b| a[2].total_cmp(&b[2]));
    let ([health, health_as_check, no_session, check], _) =
        wrk::median_round(rounds, |r| share(r, 3));
    Figures {
        health,
        health_as_check,
        no_session,
        check,
        rounds: shares,
    }
}

pub fn print(f: &Figures) {
    let share = |l: &wrk::Load| l.rps / f.health.rps * 100.0;
    let each = |i: usize| {
        f.rounds
            .iter()
            .map(|r| format!("{:.0}", r[i]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    crate::report::line(
        "/healthz",
        format!("{:.0}/s", f.health.rps),
        "(report)",
        true,
    );
    for (i, (name, load)) in [
        (
            "  /healthz, the check's query and cookie",
            &f.health_as_check,
        ),
        ("  /sso/check without a cookie", &f.no_session),
        ("  /sso/check, signed in (figure 1)", &f.check),
    ]
    .into_iter()
    .enumerate()
    {
        crate::report::line(
            name,
            format!(
                "{:.0} % ({:.0}/s; rounds {} %)",
                share(load),
                load.rps,
                each(i)
            ),
            "(report)",
            true,
        );
    }
}
