//! Authorization codes: sealed, so minting one costs no store write (a
//! standard client's silent sign-in and a library check with
//! `response_type=code` each mint one) and no page can fill the store with
//! them. A code is the grant and its expiry under AES-256-GCM-SIV with a
//! key derived from `access_token_key`: it says nothing to whoever holds
//! it. It redeems once: the first redemption marks it used in the store for
//! the rest of its life, whoever presents it, so a failed redemption burns
//! it as before.
//!
//! A code is a [`Sealer`] envelope whose payload is the JSON `{exp, grant}`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::unix_now_ms;
use crate::config::{AccessTokenKey, Settings};
use crate::domain::{ClientId, Grant, SecretHash};
use crate::metrics;
use crate::sealed::Sealer;
use crate::store::Store;
use crate::tokens::TokenError;

const VERSION: u8 = 1;
/// Longer than any code we mint (a grant holds an email and a name of
/// bounded length); anything longer is refused unread.
pub const MAX_CODE_LEN: usize = 2048;

#[derive(Serialize, Deserialize)]
struct Sealed {
    /// Unix milliseconds.
    exp: i64,
    grant: Grant,
}

/// Mints and opens authorization codes under one key.
pub struct AuthorizationCodes {
    sealer: Sealer,
}

impl AuthorizationCodes {
    pub fn new(key: &AccessTokenKey) -> Self {
        Self {
            sealer: Sealer::new(key, "authorization code seal", VERSION, MAX_CODE_LEN),
        }
    }

    /// A code for `grant`, good for `ttl.authorization_code_secs`.
    pub fn issue(&self, settings: &Settings, grant: &Grant) -> String {
        let lifetime = i64::try_from(settings.ttl.authorization_code.as_millis()).unwrap_or(60_000);
        let sealed = Sealed {
            exp: unix_now_ms().saturating_add(lifetime),
            grant: grant.clone(),
        };
        let payload = serde_json::to_vec(&sealed).expect("a grant serialises");
        metrics::global()
            .codes_issued
            .with_label_values(&["authorization_code"])
            .inc();
        self.sealer.seal(payload)
    }

    /// The grant and expiry (unix ms) of a code this key minted, or `None`
    /// for anything else (malformed, tampered, or of another key).
    pub fn open(&self, text: &str) -> Option<(Grant, i64)> {
        self.unseal(text).map(|s| (s.grant, s.exp))
    }

    fn unseal(&self, text: &str) -> Option<Sealed> {
        serde_json::from_slice(&self.sealer.open(text)?).ok()
    }

    /// The grant of `presented` if this key minted it and it has not
    /// expired; nothing is spent yet (see [`Self::spend`]). Anything else is
    /// refused without a store call.
    pub fn open_unexpired(&self, presented: &str) -> Result<Grant, TokenError> {
        match self.unseal(presented) {
            Some(sealed) if sealed.exp > unix_now_ms() => Ok(sealed.grant),
            _ => Err(rejected()),
        }
    }

    /// Spends `presented`, whose grant [`Self::open_unexpired`] gave, for
    /// `client`: it redeems once. The first presentation spends it,
    /// whether or not it succeeds (another client's code is burned too).
    /// One store call, which the caller may run beside the reads its
    /// answer needs: nothing is answered before this has succeeded.
    pub async fn spend(
        &self,
        store: &dyn Store,
        settings: &Settings,
        presented: &str,
        grant: &Grant,
        client: &ClientId,
    ) -> Result<(), TokenError> {
        // Marked for at least the code's remaining life: a second
        // presentation within it finds the mark.
        let key = format!("code-used:{}", SecretHash::of_sso_token(presented).as_str());
        let window = settings.ttl.authorization_code.max(Duration::from_secs(1));
        if !store.mark_once(&key, window).await? {
            tracing::warn!(%client, "an authorization code was presented again");
            return Err(rejected());
        }
        if &grant.client != client {
            tracing::warn!(
                issued_to = %grant.client,
                presented_by = %client,
                "code presented by another client; burned"
            );
            return Err(rejected());
        }
        metrics::global()
            .codes_redeemed
            .with_label_values(&["authorization_code"])
            .inc();
        Ok(())
    }
}

/// A refused code, counted.
fn rejected() -> TokenError {
    metrics::global()
        .codes_rejected
        .with_label_values(&["authorization_code"])
        .inc();
    TokenError::InvalidCode
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Profile, UserId};

    fn grant() -> Grant {
        Grant {
            user: Profile {
                id: UserId::new(),
                email: "ada@example.com".into(),
                display_name: "Ada".into(),
            },
            client: ClientId::parse("news").unwrap(),
            redirect_uri: Some("http://news.localhost:8081/".into()),
            keep_me_logged_in: false,
            auth_time: 1,
            method: crate::domain::AuthMethod::Password,
            flow: Some("standard".into()),
            code_challenge: None,
            nonce: None,
            session: None,
            sid: None,
        }
    }

    #[test]
    fn a_code_opens_under_its_key_only_and_says_nothing() {
        let settings = Settings::demo(&Default::default()).unwrap();
        let codes = AuthorizationCodes::new(&AccessTokenKey::generate());
        let code = codes.issue(&settings, &grant());
        assert!(!code.contains("ada"));
        let (opened, _) = codes.open(&code).expect("opens");
        assert_eq!(opened.user.email, "ada@example.com");
        assert!(
            AuthorizationCodes::new(&AccessTokenKey::generate())
                .open(&code)
                .is_none()
        );
        // Any changed character is refused.
        let mut tampered = code.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            codes
                .open(std::str::from_utf8(&tampered).unwrap())
                .is_none()
        );
        assert!(codes.open(&"A".repeat(MAX_CODE_LEN + 1)).is_none());
    }
}
