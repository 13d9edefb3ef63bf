//! Nothing secret in the logs: run every flow with the most verbose logging
//! and look for each secret in what was written.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::helpers::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(move || writer.clone())
        .try_init()
        .expect("this test binary installs the only subscriber");

    let app = spawn_app(Backend::Redis).await;
    let (user, cookie) = app.signed_in_browser(&NEWS, "logs@example.com").await;
    let token = app.check(&SPORT, Some(&cookie)).await.result["result"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let code_check = app
        .sso(
            "/sso/check",
            &with(SPORT.check_params(), "response_type", Some("code")),
            Some(&cookie),
            &[],
        )
        .await;
    let code = delivery(&code_check).result["result"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let replayed = app.set_session(&NEWS, &user.sso_code, None).await;
    assert_eq!(replayed.error(), "invalid_code");
    app.sign_in(&NEWS, "logs@example.com", "wrong password 123")
        .await;
    app.end(&SPORT, Some(&cookie)).await;

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("/sso/set"), "requests are logged:\n{text}");
    assert!(text.contains("silent sign-in"), "events are logged");
    for (what, secret) in [
        ("password", PASSWORD),
        ("wrong password", "wrong password 123"),
        ("sso_code", user.sso_code.as_str()),
        ("access token", user.access_token.as_str()),
        ("check token", token.as_str()),
        ("authorization code", code.as_str()),
        ("cookie", cookie.as_str()),
    ] {
        assert!(!text.contains(secret), "the {what} was logged");
    }
    assert!(!text.contains("sso_code="), "no query strings in logs");
}
