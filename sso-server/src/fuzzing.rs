//! One entry function per fuzz target, for every parser that sees untrusted
//! input. `fuzz/fuzz_targets/<name>.rs` calls `<name>` under
//! `cargo +nightly fuzz` (`make fuzz`), and `tests/fuzz_corpus.rs` replays
//! each target's saved corpus (`fuzz/corpus/<name>/`) through the same
//! function on stable in `make test`. Each takes any bytes, must not panic,
//! and asserts what must hold of every input.

use std::sync::OnceLock;

use crate::oauth::ClientCredentials;
use sso_core::access_token::{AccessClaims, AccessTokens};
use sso_core::authorization_codes::AuthorizationCodes;
use sso_core::config::AccessTokenKey;
use sso_core::config::{Overrides, Release, Settings};
use sso_core::domain::{
    ApiSession, ClientId, CodeChallenge, CodeVerifier, DisplayName, Email, Grant, Nonce, Password,
    SegmentList, State, UserId,
};
use sso_core::domain::{MAX_PEOPLE, Secret, SessionCookie};
use sso_core::oidc::SigningKeys;
use sso_core::sso_service::OwnIssuer;

/// The demo configuration: the clients, receivers, segments and services
/// the fuzzed requests are checked against.
fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| Settings::demo(&Overrides::default()).expect("the demo loads"))
}

/// Query strings of `/sso/check`, `/sso/set` and `/sso/end`, with their
/// segment lists: a `Location` only ever goes to a registered URL.
pub fn sso_query(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let Some(answer) = crate::routes::sso::parse_query(settings(), query) else {
        return;
    };
    let (url, fragment) = answer.location.split_once('#').expect("a fragment");
    let client = answer.client;
    assert!(
        client.xd_receivers.iter().any(|r| r == url)
            || client.redirect_uris.iter().any(|r| r == url),
        "delivered to an unregistered URL: {url}"
    );
    let result = fragment
        .strip_prefix(&format!("state={}&sso=", answer.state))
        .expect("the fragment starts with the state");
    assert!(
        crate::routes::sso::is_fragment_encoded(result),
        "not fragment-safe: {result}"
    );
}

/// Urlencoded bodies (`/oauth/*`, `/api`) and each field's parser.
pub fn form_fields(data: &[u8]) {
    let Ok(form) = crate::routes::params::parse_form(data) else {
        return;
    };
    for value in form.values() {
        if let Ok(email) = Email::parse(value) {
            // Normalising is idempotent: a normalised address parses to itself.
            let again = Email::parse(email.normalized())
                .unwrap_or_else(|e| panic!("{value:?} normalised to {email:?}: {e:?}"));
            assert_eq!(again.normalized(), email.normalized());
        }
        let _ = Password::parse(value);
        let _ = Password::candidate(value);
        let _ = DisplayName::parse(value);
        let _ = ClientId::parse(value);
        let _ = SegmentList::parse(value);
        let _ = State::parse(value);
        let _ = Nonce::parse(value);
        if let (Ok(challenge), Ok(verifier)) =
            (CodeChallenge::parse(value), CodeVerifier::parse(value))
        {
            // A verifier is not its own challenge (S256 hashes it).
            assert!(!challenge.is_met_by(&verifier));
        }
        let _ = sso_core::domain::Username::parse(value);
        let _ = sso_core::domain::ServiceId::parse(value);
        let _ = Secret::parse(value);
    }
}

fn access_tokens() -> &'static (AccessTokens, String) {
    static TOKENS: OnceLock<(AccessTokens, String)> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let key = AccessTokenKey::parse(&"k".repeat(43)).expect("a key");
        let tokens = AccessTokens::new(&key);
        let minted = tokens.mint(&AccessClaims {
            user: UserId(uuid::Uuid::nil()),
            client: ClientId::parse("news").expect("an id"),
            expires: i64::MAX,
            issued_ms: 0,
            release: Release::of(None),
            session: None,
        });
        (tokens, minted)
    })
}

/// Bearer access tokens: nothing but a token this key minted opens.
pub fn access_token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (tokens, minted) = access_tokens();
    // Authorization codes are sealed the same way: this key sealed none.
    static CODES: OnceLock<AuthorizationCodes> = OnceLock::new();
    let codes = CODES.get_or_init(|| {
        AuthorizationCodes::new(&AccessTokenKey::parse(&"k".repeat(43)).expect("a key"))
    });
    assert!(
        codes.open(text).is_none(),
        "a code opened that this key never sealed"
    );
    if let Some(claims) = tokens.open(text) {
        assert_eq!(text, minted, "a token opened that this key never minted");
        assert_eq!(claims.client.as_str(), "news");
    }
    let _ = AccessTokenKey::parse(text);
}

/// Records read back from the store: a Redis session hash (one
/// `field\tvalue` per line), code grants and API sessions (JSON). Whatever
/// decodes encodes back to itself.
pub fn stored_records(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let fields: Vec<(&str, &str)> = text
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .collect();
        if let Ok(session) = sso_core::store::decode_session(&fields) {
            let encoded = sso_core::store::encode_session(&session);
            let again = sso_core::store::decode_session(&borrowed(&encoded)).expect("re-decodes");
            assert_eq!(again, session);
        }
    }
    person_records(data);
    if let Ok(grant) = serde_json::from_slice::<Grant>(data) {
        let json = serde_json::to_vec(&grant).expect("serialises");
        assert_eq!(serde_json::from_slice::<Grant>(&json).ok(), Some(grant));
    }
    if let Ok(session) = serde_json::from_slice::<ApiSession>(data) {
        let json = serde_json::to_vec(&session).expect("serialises");
        assert_eq!(
            serde_json::from_slice::<ApiSession>(&json).ok(),
            Some(session)
        );
    }
}

/// Encoded fields as the decoders take them.
fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// A person's hash (`field\tvalue` records, separated by NUL so that a
/// profile's line break fits): the sign-ins of the browser of the first
/// sign-in entry encode back to fields that decode to them again.
fn person_records(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fields: Vec<(&str, &str)> = text
        .split('\0')
        .filter_map(|record| record.split_once('\t'))
        .collect();
    let browser = fields
        .iter()
        .find_map(|(_, v)| v.strip_prefix("c:")?.split(':').next())
        .unwrap_or("h");
    let person = UserId(uuid::Uuid::nil());
    if let Ok(session) = sso_core::store::decode_sign_ins(&fields, browser, person) {
        let encoded = sso_core::store::encode_sign_ins(browser, &session);
        let again = sso_core::store::decode_sign_ins(&borrowed(&encoded), browser, person)
            .expect("re-decodes");
        assert_eq!(again, session);
    }
}

/// Session cookie values, as a browser presents them: whatever parses is a
/// value this server would issue (distinct people, at most
/// [`MAX_PEOPLE`]), reads back to itself, and its sid names exactly those
/// people under the secret's hash.
pub fn session_cookie(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cookie) = SessionCookie::parse(text) else {
        return;
    };
    assert_eq!(cookie.value(), text);
    let people = cookie.people();
    assert!(people.len() <= MAX_PEOPLE);
    let issued = SessionCookie::new(cookie.secret().clone(), people.iter().copied());
    assert_eq!(issued, cookie, "a value `new` would not issue");
    let sid = cookie.sid();
    assert_eq!(sid.names_people(), !people.is_empty());
    assert_eq!(sid.people(), people);
    assert_eq!(sid.browser_hash(), cookie.secret().hash().as_str());
    for &person in people {
        let one = sid.for_person(person);
        assert_eq!(one.people(), vec![person]);
        assert_eq!(one.browser_hash(), sid.browser_hash());
    }
}

/// `Authorization` header values and form credentials at `/oauth/token`
/// (the first byte picks which form fields come along).
pub fn client_credentials(data: &[u8]) {
    let Some((&mode, header)) = data.split_first() else {
        return;
    };
    let form_id = (mode & 1 == 1).then_some("news");
    let form_secret = (mode & 2 == 2).then_some("news-secret");
    let header = (mode & 4 == 0).then_some(header);
    if let Ok(credentials) = ClientCredentials::from_parts(header, form_id, form_secret) {
        // One method per request: never a Basic header and a form secret.
        assert!(!(credentials.basic && form_secret.is_some()));
        if let Some(id) = form_id {
            assert_eq!(credentials.client_id, id);
        }
    }
    if let Ok(crate::credentials::Authorization::Basic { id, .. }) =
        crate::credentials::Authorization::parse(header.unwrap_or_default())
    {
        // The id is what precedes the first colon.
        assert!(!id.contains(':'));
    }
}

fn own_keys() -> &'static SigningKeys {
    static KEYS: OnceLock<SigningKeys> = OnceLock::new();
    KEYS.get_or_init(SigningKeys::generate)
}

/// ID tokens of external services (`session/createwithsso`,
/// `user/linkssotoken`): no forged or malformed token is accepted.
pub fn external_id_token(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let own = OwnIssuer {
        issuer: settings().issuer(),
        keys: own_keys(),
        now: 1_800_000_000,
    };
    for service in settings().sso_services.values() {
        assert!(
            service.token_of(token, &own, 60).is_err(),
            "accepted a token nobody signed: {token}"
        );
    }
}

/// Configuration files: refused with an error, never a panic.
pub fn config_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Settings::from_toml(text, &Overrides::default());
}

/// A fuzz target's entry function.
pub type Target = fn(&[u8]);

/// Every target, by name: what the corpus replay runs.
pub const TARGETS: [(&str, Target); 8] = [
    ("sso_query", sso_query),
    ("form_fields", form_fields),
    ("access_token", access_token),
    ("stored_records", stored_records),
    ("client_credentials", client_credentials),
    ("external_id_token", external_id_token),
    ("config_file", config_file),
    ("session_cookie", session_cookie),
];
