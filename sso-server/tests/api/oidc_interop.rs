//! A standard OpenID Connect client this project did not write (the
//! `openidconnect` crate, unmodified) discovers the server, redeems a code
//! from `/sso/check` with PKCE and a client secret, and validates the ID
//! token: signature from the JWKS, issuer, audience, expiry and nonce.

use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl,
    TokenResponse,
};

use crate::helpers::*;
use sso_test_support::each_store;

async fn the_openidconnect_crate_signs_in_through_a_check_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "interop@example.com").await;

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let issuer = IssuerUrl::new(app.base.clone()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("sport".to_owned()),
        Some(ClientSecret::new("sport-secret".to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(SPORT.receiver()).unwrap());

    // What the site's page would ask `check_session` for.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = Nonce::new_random();
    let mut params = with(SPORT.check_params(), "response_type", Some("code"));
    for (k, v) in [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", challenge.method().as_str()),
        ("nonce", nonce.secret()),
    ] {
        params = with(params, k, Some(v));
    }
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    let code = d.result["result"]["code"]
        .as_str()
        .expect("a code")
        .to_owned();

    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("a token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("the code redeems");
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("the ID token validates");
    assert_eq!(claims.subject().as_str(), user.uuid);
    assert_eq!(
        claims.email().map(|e| e.as_str()),
        Some("interop@example.com")
    );

    // The same client refuses a token meant for someone else's nonce.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut params = with(SPORT.check_params(), "response_type", Some("code"));
    for (k, v) in [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("nonce", "another-nonce"),
    ] {
        params = with(params, k, Some(v));
    }
    let d = delivery(&app.sso("/sso/check", &params, Some(&cookie), &[]).await);
    let code = d.result["result"]["code"].as_str().unwrap().to_owned();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = tokens.id_token().unwrap();
    assert!(
        id_token
            .claims(&client.id_token_verifier(), &nonce)
            .is_err()
    );
}

each_store!(the_openidconnect_crate_signs_in_through_a_check_code);
