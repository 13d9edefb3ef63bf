//! Figure 5: code redemptions at `/oauth/token` and `session/createwithsso`
//! calls per second, each beside `/healthz` in alternating wrk rounds.
//! createwithsso gets a pool of distinct ID tokens of this server; for
//! context, also a response of an external provider, whose signature is
//! checked every time.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use serde_json::Value;
use sso_core::authorization_codes::AuthorizationCodes;
use sso_core::config::{Overrides, Settings};
use sso_core::domain::{Grant, UserId};

use crate::server::Running;
use crate::{API_ROUNDS, CODES_PER_ROUND, CONCURRENCY, NEWS_RECEIVER, POOL, wrk};

/// A rate measured beside `/healthz`: the median round's rate and its
/// ratio in percent, and every round's ratio.
pub struct Beside {
    pub rps: f64,
    pub ratio: f64,
    pub rounds: Vec<f64>,
}

pub struct Figures {
    pub redeem: Beside,
    pub create: Beside,
    /// createwithsso with an external provider's responses (context).
    pub partner: Beside,
}

pub async fn figure(
    run: &Running,
    http: &reqwest::Client,
    codes: &AuthorizationCodes,
    grant: &Grant,
    scratch: &Path,
) -> Figures {
    // 5: code redemptions. Codes are sealed here under the server's key, as
    // a check with response_type=code would mint them (a redemption takes
    // one each): a first batch redeemed here for ID tokens, then one list
    // per round for wrk.
    let auth_grant = Grant {
        redirect_uri: Some(NEWS_RECEIVER.to_owned()),
        flow: Some("standard".to_owned()),
        ..grant.clone()
    };
    let settings = Settings::demo(&Overrides::default()).unwrap();
    let auth_codes: Vec<String> = (0..POOL + API_ROUNDS * CODES_PER_ROUND)
        .map(|i| {
            // The pool's codes are of distinct people: each ID token below
            // is linked to an account of its own, as a site's users are.
            let mut grant = auth_grant.clone();
            if i < POOL {
                grant.user.id = UserId::new();
            }
            codes.issue(&settings, &grant)
        })
        .collect();
    let (first, rest) = auth_codes.split_at(POOL);
    // Distinct ID tokens of this server, of distinct people: the responses
    // of createwithsso below.
    let token_url = run.url("/oauth/token");
    let pool: Vec<String> = futures::stream::iter(first)
        .map(|code| {
            let request = http
                .post(&token_url)
                .basic_auth("news", Some("news-secret"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(redemption(code));
            async move {
                let v: Value = request.send().await.unwrap().json().await.unwrap();
                v["id_token"].as_str().expect("an ID token").to_owned()
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let code_lists: Vec<_> = rest
        .chunks(CODES_PER_ROUND)
        .enumerate()
        .map(|(i, codes)| {
            bodies_file(
                scratch,
                &format!("codes-{i}"),
                codes.iter().map(|c| redemption(c)),
            )
        })
        .collect();
    let (redeem_rps, redeem_ratio, redeem_rounds) = beside_healthz(run, |round| {
        wrk::post_each(&token_url, "news:news-secret", &code_lists[round], false)
    });

    // session/createwithsso with those ID tokens, each linked once to an
    // API user of its own (users on demand).
    let api = |path: &str| run.url(&format!("/api/{path}"));
    let link = |service: &'static str, response: String, n: usize| {
        let http = &http;
        async move {
            let created: Value = http
                .post(api("user/create"))
                .basic_auth("portal", Some("portal-secret"))
                .form(&[
                    ("email", format!("bench-{service}-{n}@example.com")),
                    ("displayname", "Bench".to_owned()),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let user = created["body"]["user"]["id"].as_str().unwrap().to_owned();
            let linked = http
                .post(api("user/linkssotoken"))
                .basic_auth("portal", Some("portal-secret"))
                .form(&[
                    ("user", user.as_str()),
                    ("service", service),
                    ("response", &response),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(linked.status(), 200);
        }
    };
    futures::stream::iter(pool.iter().cloned().enumerate())
        .for_each_concurrent(CONCURRENCY, |(n, t)| link("federation", t, n))
        .await;
    let create_url = api("session/createwithsso");
    let federated = bodies_file(
        scratch,
        "federated",
        pool.iter()
            .map(|t| format!("service=federation&response={t}")),
    );
    let (create_rps, create_ratio, create_rounds) = beside_healthz(run, |_| {
        wrk::post_each(&create_url, "portal:portal-secret", &federated, true)
    });

    // For context: responses whose signature must be checked (an external
    // provider's; the demo partner's key is a test fixture).
    let partners: Vec<String> = (0..200).map(partner_token).collect();
    futures::stream::iter(partners.iter().cloned().enumerate())
        .for_each_concurrent(CONCURRENCY, |(n, t)| link("partner-idp", t, n))
        .await;
    let external = bodies_file(
        scratch,
        "external",
        partners
            .iter()
            .map(|p| format!("service=partner-idp&response={p}")),
    );
    let (partner_rps, partner_ratio, partner_rounds) = beside_healthz(run, |_| {
        wrk::post_each(&create_url, "portal:portal-secret", &external, true)
    });
    Figures {
        redeem: Beside {
            rps: redeem_rps,
            ratio: redeem_ratio,
            rounds: redeem_rounds,
        },
        create: Beside {
            rps: create_rps,
            ratio: create_ratio,
            rounds: create_rounds,
        },
        partner: Beside {
            rps: partner_rps,
            ratio: partner_ratio,
            rounds: partner_rounds,
        },
    }
}

/// The `/oauth/token` form that redeems `code` for the news client.
pub fn redemption(code: &str) -> String {
    let receiver =
        url::form_urlencoded::byte_serialize(NEWS_RECEIVER.as_bytes()).collect::<String>();
    format!("grant_type=authorization_code&code={code}&redirect_uri={receiver}")
}

/// Alternating wrk rounds of `work(round)` and `/healthz`: the median
/// ratio in percent, its rate, and every round's ratio.
pub fn beside_healthz(
    run: &Running,
    mut work: impl FnMut(usize) -> wrk::Load,
) -> (f64, f64, Vec<f64>) {
    let mut rounds: Vec<(f64, f64)> = (0..API_ROUNDS)
        .map(|round| {
            let load = work(round);
            let health = wrk::run(&run.url("/healthz"), None);
            (load.rps, load.rps / health.rps * 100.0)
        })
        .collect();
    let ratios = rounds.iter().map(|r| r.1).collect();
    rounds.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (rate, ratio) = rounds[API_ROUNDS / 2];
    (rate, ratio, ratios)
}

/// A file of request bodies for [`wrk::post_each`], one per line.
pub fn bodies_file(dir: &Path, name: &str, bodies: impl IntoIterator<Item = String>) -> PathBuf {
    let path = dir.join(format!("{name}.txt"));
    let lines: Vec<String> = bodies.into_iter().collect();
    std::fs::write(&path, lines.join("\n")).unwrap();
    path
}

/// An ID token of the demo's external provider for person `n`, signed
/// with its test key.
fn partner_token(n: usize) -> String {
    let key = include_bytes!("../../sso-server/tests/fixtures/partner-idp.key.pem");
    let jwks: Value =
        serde_json::from_str(include_str!("../../sso-core/config/partner-idp.jwks.json")).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = jwks["keys"][0]["kid"].as_str().map(str::to_owned);
    let now = sso_core::clock::unix_now();
    let claims = serde_json::json!({
        "iss": "https://idp.partner.example", "aud": "sso-demo", "sub": format!("bench-partner-user-{n}"),
        "iat": now, "exp": now + 3600,
    });
    jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_ec_pem(key).unwrap(),
    )
    .unwrap()
}
