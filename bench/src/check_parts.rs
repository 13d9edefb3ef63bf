//! `SSO_BENCH_ONLY=parts`: where figure 1's gap to `/healthz` goes. Four
//! loads in alternating wrk rounds, each as a share of `/healthz`:
//! `/healthz` sent the check's query string and cookie (the request's
//! bytes and headers alone), `/sso/check` with no cookie (the handler's
//! parsing, validation and redirect, no store read, nothing minted), and
//! the check of a signed-in browser (figure 1). The round with the median
//! check/healthz ratio is reported, with every round's ratios.

use crate::server::Running;
use crate::{API_ROUNDS, wrk};

/// One round: `/healthz`, then the three loads compared with it.
type Round = [wrk::Load; 4];

/// The rounds, sorted by the signed-in check's share.
pub struct Figures(Vec<Round>);

fn share(round: &Round, i: usize) -> f64 {
    round[i].rps / round[0].rps * 100.0
}

pub fn figure(run: &Running, check_path: &str, cookie: &str) -> Figures {
    let query = check_path.split_once('?').map_or("", |(_, q)| q);
    let health_as_check = run.url(&format!("/healthz?{query}"));
    let mut rounds: Vec<Round> = (0..API_ROUNDS)
        .map(|_| {
            [
                wrk::run(&run.url("/healthz"), None),
                wrk::run(&health_as_check, Some(cookie)),
                wrk::run(&run.url(check_path), None),
                wrk::run(&run.url(check_path), Some(cookie)),
            ]
        })
        .collect();
    rounds.sort_by(|a, b| share(a, 3).total_cmp(&share(b, 3)));
    Figures(rounds)
}

pub fn print(Figures(rounds): &Figures) {
    let median = &rounds[rounds.len() / 2];
    crate::report::line(
        "/healthz",
        format!("{:.0}/s", median[0].rps),
        "(report)",
        true,
    );
    let names = [
        "  /healthz, the check's query and cookie",
        "  /sso/check without a cookie",
        "  /sso/check, signed in (figure 1)",
    ];
    for (i, name) in (1..).zip(names) {
        let each: Vec<String> = rounds
            .iter()
            .map(|r| format!("{:.0}", share(r, i)))
            .collect();
        crate::report::line(
            name,
            format!(
                "{:.0} % ({:.0}/s; rounds {} %)",
                share(median, i),
                median[i].rps,
                each.join(", ")
            ),
            "(report)",
            true,
        );
    }
}
