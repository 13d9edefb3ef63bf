//! What `make bench` prints: each figure beside its target.

use crate::redemptions::{self, Beside};
use crate::sign_ins::{Flood, PerCore};
use crate::{SESSIONS, backchannel, cluster, code_check, sessions_list, silent_authorization, wrk};

/// Everything measured, for [`print`].
pub struct Summary {
    pub check: wrk::Load,
    pub health: wrk::Load,
    /// check / healthz, every round, in percent.
    pub check_rounds: Vec<f64>,
    pub per_session: f64,
    pub rss_idle: u64,
    pub rss_after: u64,
    pub set_secs: f64,
    pub sign_ins: PerCore,
    pub flood: Flood,
    pub redemptions: redemptions::Figures,
    /// Refresh-token grants beside /healthz.
    pub refresh: Beside,
    pub silent: silent_authorization::Figures,
    pub code_check: code_check::Figures,
    pub logouts: backchannel::Figures,
    pub listing: sessions_list::Figures,
    pub fleet: cluster::Figures,
}

pub fn print(summary: Summary) {
    let Summary {
        check,
        health,
        check_rounds: ratios,
        per_session,
        rss_idle,
        rss_after,
        set_secs,
        sign_ins:
            PerCore {
                cores,
                per_core,
                total: sign_ins,
                ceiling_per_core: raw_per_core,
            },
        flood:
            Flood {
                idle_p50,
                flooded_p50,
                ratios: flood_ratios,
                flood,
            },
        redemptions,
        refresh:
            Beside {
                rps: refresh_rps,
                ratio: refresh_ratio,
                rounds: refresh_rounds,
            },
        silent,
        code_check,
        logouts: logout_figures,
        listing,
        fleet,
    } = summary;
    println!();
    println!("sso-server benchmark ({cores} cores; release build; Redis store; log level warn)");
    println!();
    let ratio = check.rps / health.rps * 100.0;
    line(
        "/sso/check with live session",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            check.rps, check.p50_ms, check.p99_ms
        ),
        "",
        true,
    );
    line(
        "/healthz (same server, same run)",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            health.rps, health.p50_ms, health.p99_ms
        ),
        "",
        true,
    );
    line(
        "check rate / healthz rate (median round)",
        format!("{ratio:.0} % (rounds: {} %)", rounds(&ratios, 0)),
        ">= 60 %",
        ratio >= 60.0,
    );
    line(
        "Redis bytes per SSO session (100,000)",
        format!("{per_session:.0} B"),
        "<= 400 B",
        per_session <= 400.0,
    );
    line(
        "server RSS idle",
        format!("{:.1} MB", rss_idle as f64 / 1024.0),
        "<= 20 MB",
        rss_idle as f64 / 1024.0 <= 20.0,
    );
    line(
        "server RSS after 100,000 sessions",
        format!(
            "{:.1} MB ({:.0} sign-ins/s, each a set and its confirmation)",
            rss_after as f64 / 1024.0,
            SESSIONS as f64 / set_secs
        ),
        "(report)",
        true,
    );
    line(
        "password sign-ins per second per core",
        format!("{per_core:.1} /s/core ({sign_ins:.1} /s total)"),
        ">= 30",
        per_core >= 30.0,
    );
    line(
        "  ceiling: argon2id alone, all cores",
        format!("{raw_per_core:.1} hashes/s/core"),
        "(context)",
        true,
    );
    let flood_ratio = flooded_p50 / idle_p50;
    line(
        "sign-in p50 under wrong-secret flood / idle",
        format!(
            "{flood_ratio:.2}x ({idle_p50:.0} -> {flooded_p50:.0} ms; rounds {})",
            flood_ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "<= 1.5x",
        flood_ratio <= 1.5,
    );
    line(
        "  the flood: 64 connections, wrong secrets",
        format!("{:.0} req/s, {} refused", flood.rps, flood.refused),
        "(context)",
        true,
    );
    print_api(&redemptions);
    line(
        "/oauth/token refresh grants / healthz",
        format!(
            "{refresh_ratio:.0} % ({refresh_rps:.0}/s; rounds {} %)",
            rounds(&refresh_rounds, 0)
        ),
        "(report)",
        true,
    );
    print_silent(&silent);
    print_code_check(&code_check);
    print_backchannel(&logout_figures);
    print_sessions_list(&listing);
    print_cluster(&fleet);
}

/// Figure 5: code redemptions and createwithsso beside /healthz.
pub fn print_api(f: &redemptions::Figures) {
    let redemptions::Figures {
        redeem:
            Beside {
                rps: redeem_rps,
                ratio: redeem_ratio,
                rounds: redeem_rounds,
            },
        create:
            Beside {
                rps: create_rps,
                ratio: create_ratio,
                rounds: create_rounds,
            },
        partner:
            Beside {
                rps: partner_rps,
                ratio: partner_ratio,
                ..
            },
    } = f;
    let (redeem_ratio, create_ratio) = (*redeem_ratio, *create_ratio);
    line(
        "/oauth/token redemptions / healthz",
        format!(
            "{redeem_ratio:.0} % ({redeem_rps:.0}/s; rounds {} %)",
            rounds(redeem_rounds, 0)
        ),
        ">= 30 %",
        redeem_ratio >= 30.0,
    );
    line(
        "session/createwithsso / healthz",
        format!(
            "{create_ratio:.0} % ({create_rps:.0}/s; rounds {} %)",
            rounds(create_rounds, 0)
        ),
        ">= 30 %",
        create_ratio >= 30.0,
    );
    line(
        "  context: createwithsso, signature checked",
        format!("{partner_ratio:.0} % ({partner_rps:.0}/s; an oidc service's ES256 response)"),
        "(context)",
        true,
    );
}

/// Every round's ratio, to `decimals` places, for a line.
fn rounds(r: &[f64], decimals: usize) -> String {
    r.iter()
        .map(|x| format!("{x:.decimals$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn line(name: &str, value: String, target: &str, ok: bool) {
    let verdict = if ok { "ok" } else { "MISSED" };
    println!("{name:<44} {value:<34} target {target:<12} {verdict}");
}

pub fn print_sessions_list(f: &sessions_list::Figures) {
    line(
        "GET /entity/sessions, 1,000 sessions",
        format!(
            "first page {:.1} ms, all {} in {} pages {:.1} ms, {:.0} Redis commands",
            f.first_ms, f.listed, f.pages, f.all_ms, f.commands_per_walk
        ),
        "(report)",
        true,
    );
}

pub fn print_backchannel(f: &backchannel::Figures) {
    line(
        "back-channel logouts delivered per second",
        format!(
            "{:.0} /s (1,000 sign-ins used by 3 sites, ended at once)",
            f.rate
        ),
        "(report)",
        true,
    );
    line(
        "/sso/end to the last of 3 deliveries",
        format!("p50 {:.1} ms, p99 {:.1} ms (200 sign-outs)", f.p50, f.p99),
        "(report)",
        true,
    );
    let ((hp50, hp99), (p50, p99)) = (f.healthy, f.beside_hung);
    line(
        "/sso/end to news, sport's receiver hung",
        format!(
            "p50 {p50:.1} / p99 {p99:.1} ms; all healthy {hp50:.1} / {hp99:.1} ms ({:.2}× / {:.2}×)",
            p50 / hp50,
            p99 / hp99
        ),
        "<= 2× healthy",
        p50 <= 2.0 * hp50 && p99 <= 2.0 * hp99,
    );
}

pub fn print_cluster(f: &cluster::Figures) {
    let ratio = f.fleet.rps / f.single.rps * 100.0;
    let rounds = f
        .ratios
        .iter()
        .map(|r| format!("{r:.0}"))
        .collect::<Vec<_>>()
        .join(", ");
    line(
        "/sso/check, 1 instance on 1 Redis node",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            f.single.rps, f.single.p50_ms, f.single.p99_ms
        ),
        "",
        true,
    );
    line(
        "/sso/check, 3 instances on a 6-node cluster",
        format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            f.fleet.rps, f.fleet.p50_ms, f.fleet.p99_ms
        ),
        "",
        true,
    );
    line(
        "  3 on the cluster / 1 on one node",
        format!("{ratio:.0} % (rounds {rounds} %; same 2 cores: the cost, not scaling)"),
        "(report)",
        true,
    );
    line(
        "sign-in write on the cluster, p50 / p99",
        format!(
            "{:.2} / {:.2} ms; waiting for 1 replica {:.2} / {:.2} ms",
            f.write_plain.0, f.write_plain.1, f.write_acked.0, f.write_acked.1
        ),
        "(report)",
        true,
    );
}

pub fn print_passkeys(f: &crate::passkeys::Figure, password_per_core: f64) {
    line(
        "passkey sign-ins per second per core",
        format!(
            "{:.1} /s/core ({:.1} /s total on {} cores; {:.0}x password sign-ins, {:.1} /s/core)",
            f.per_core,
            f.total,
            f.cores,
            f.per_core / password_per_core,
            password_per_core
        ),
        "(report, beside 4)",
        true,
    );
}

pub fn print_silent(f: &silent_authorization::Figures) {
    let ratio = f.authorize.rps / f.check.rps * 100.0;
    let rounds = rounds(&f.ratios, 0);
    line(
        "silent authorization / /sso/check",
        format!(
            "{ratio:.0} % ({:.0}/s vs {:.0}/s; rounds {rounds} %)",
            f.authorize.rps, f.check.rps
        ),
        ">= 80 %",
        ratio >= 80.0,
    );
    line(
        "  silent authorization / healthz",
        format!(
            "{:.0} % (p50 {:.2} ms, p99 {:.2} ms)",
            f.authorize.rps / f.health.rps * 100.0,
            f.authorize.p50_ms,
            f.authorize.p99_ms
        ),
        "(report)",
        true,
    );
}

pub fn print_code_check(f: &code_check::Figures) {
    let ratio = f.code.rps / f.peer.rps;
    let rounds = rounds(&f.ratios, 1);
    line(
        "code check / oidc-provider prompt=none",
        format!(
            "{ratio:.1}x ({:.0}/s vs {:.0}/s; rounds {rounds}x)",
            f.code.rps, f.peer.rps
        ),
        ">= 25x",
        ratio >= 25.0,
    );
    line(
        "  code check / token check, / healthz",
        format!(
            "{:.0} %, {:.0} % (p50 {:.2} ms, p99 {:.2} ms)",
            f.code.rps / f.token.rps * 100.0,
            f.code.rps / f.health.rps * 100.0,
            f.code.p50_ms,
            f.code.p99_ms
        ),
        "(report)",
        true,
    );
}

/// `make profile`: the frames of most weight in the check's samples.
pub fn print_profile(frames: &[(f64, String)]) {
    println!("GET /sso/check under wrk: share of the server's samples per frame (inclusive),");
    println!("the heaviest, then the heaviest of this project's crates");
    println!("flame graph: target/profile/check.svg, stacks: target/profile/check.folded");
    for (share, frame) in frames {
        println!("{share:6.1} %  {frame}");
    }
}

/// `SSO_BENCH_ONLY=layout`: bytes per person of each modelled layout.
pub fn print_layouts(rows: &[(&str, &str, f64)]) {
    println!("Redis bytes per signed-in person, 100,000 people, INFO memory delta");
    for (layout, what, bytes) in rows {
        println!("{layout:<16} {bytes:>6.0} B  {what}");
    }
}
