//! Passkeys for the whole family: one relying party (the SSO server's
//! host), the library sites as related origins, ceremonies kept in the
//! store for five minutes and taken once, passkeys kept in the person's
//! record. User verification is required; the counter and backup state are
//! written back after every sign-in and a counter going backwards refuses
//! the sign-in (a cloned authenticator).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use url::Url;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, DiscoverableKey, PasskeyRegistration,
    PublicKeyCredential, RequestChallengeResponse, Webauthn, WebauthnBuilder, WebauthnError,
};
use webauthn_rs_proto::ResidentKeyRequirement;

/// The browser's answers, as the HTTP layer parses them.
pub use webauthn_rs::prelude::{
    PublicKeyCredential as SignInAnswer, RegisterPublicKeyCredential as RegistrationAnswer,
};

use crate::clock::unix_now;
use crate::config::Settings;
use crate::domain::{
    Ceremony, CeremonyKind, MAX_PASSKEYS, PasskeyName, Secret, StoredPasskey, User, UserId,
};
use crate::store::{Store, StoreError, UserChange};

/// How long a browser has to answer a challenge.
pub const CEREMONY_TTL: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    /// Unknown, used, expired, or started for another purpose or person.
    #[error("the passkey challenge is used, expired or unknown: start again")]
    CeremonyInvalid,
    /// The authenticator's answer does not hold (origin, challenge,
    /// signature, user verification, ...).
    #[error("the passkey's answer was refused: {0}")]
    Refused(&'static str),
    #[error("no account has this passkey")]
    UnknownPasskey,
    #[error("the passkey's counter went backwards: it may have been copied")]
    CounterWentBackwards,
    #[error("an account has at most {MAX_PASSKEYS} passkeys")]
    TooMany,
    #[error("this passkey is registered already")]
    AlreadyRegistered,
    #[error("the account has no passkey with this id")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum PasskeyConfigError {
    #[error("public_url has no host name to be the passkeys' relying party")]
    NoHost,
    #[error("client origin {0:?} is not a URL")]
    Origin(String),
    #[error("the passkeys' relying party could not be set up: {0}")]
    Webauthn(WebauthnError),
}

/// The family's relying party.
#[derive(Debug, Clone)]
pub struct Passkeys {
    /// Signs in from the server's pages and every site's own form.
    family: Webauthn,
    /// Adds passkeys: from the server's own pages only, so a site (or a
    /// hostile script on one) can never add a key to someone's account.
    own: Webauthn,
    related_origins: Vec<String>,
}

impl Passkeys {
    /// The relying party of these settings: `public_url`'s host, its origin
    /// and every client's origins. `None` when that host is an IP address:
    /// WebAuthn has relying parties by domain name only.
    pub fn new(settings: &Settings) -> Result<Option<Self>, PasskeyConfigError> {
        let rp_origin = &settings.public_url;
        let rp_id = match rp_origin.host() {
            Some(url::Host::Domain(domain)) => domain,
            Some(_) => return Ok(None),
            None => return Err(PasskeyConfigError::NoHost),
        };
        let builder = || {
            WebauthnBuilder::new(rp_id, rp_origin)
                .map(|b| b.rp_name(&settings.branding.name).timeout(CEREMONY_TTL))
                .map_err(PasskeyConfigError::Webauthn)
        };
        let own = builder()?.build().map_err(PasskeyConfigError::Webauthn)?;
        let mut family = builder()?;
        let mut related_origins = vec![rp_origin.origin().ascii_serialization()];
        let mut origins: Vec<&String> =
            settings.clients.values().flat_map(|c| &c.origins).collect();
        origins.sort();
        for origin in origins {
            let url = Url::parse(origin).map_err(|_| PasskeyConfigError::Origin(origin.clone()))?;
            let serialized = url.origin().ascii_serialization();
            if !related_origins.contains(&serialized) {
                family = family.append_allowed_origin(&url);
                related_origins.push(serialized);
            }
        }
        Ok(Some(Self {
            family: family.build().map_err(PasskeyConfigError::Webauthn)?,
            own,
            related_origins,
        }))
    }

    /// The origins that may use the family's passkeys, the server's first:
    /// `/.well-known/webauthn`.
    pub fn related_origins(&self) -> &[String] {
        &self.related_origins
    }

    /// Starts adding a passkey to `user`'s account: the ceremony id and
    /// the options for `navigator.credentials.create`.
    pub async fn start_registration(
        &self,
        store: &dyn Store,
        user: &User,
    ) -> Result<(Secret, CreationChallengeResponse), PasskeyError> {
        if user.passkeys.len() >= MAX_PASSKEYS {
            return Err(PasskeyError::TooMany);
        }
        let exclude = user.passkeys.iter().map(|p| p.key.cred_id().clone());
        let name = user.username.as_deref().unwrap_or(&user.email);
        let (mut options, state) = self
            .own
            .start_passkey_registration(
                user.id.0,
                name,
                &user.display_name,
                Some(exclude.collect()),
            )
            .map_err(|_| PasskeyError::Refused("the challenge could not be made"))?;
        // A passkey, not a second factor: the browser keeps it, so the
        // person signs in by choosing it, with no name typed first.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let id = self
            .put(store, CeremonyKind::Register(user.id), &state)
            .await?;
        Ok((id, options))
    }

    /// Finishes adding a passkey to `user` (as the caller read them): the
    /// person's record, now with it.
    pub async fn finish_registration(
        &self,
        store: &dyn Store,
        user: &User,
        ceremony: &str,
        credential: &RegistrationAnswer,
        name: PasskeyName,
    ) -> Result<User, PasskeyError> {
        let state: PasskeyRegistration = self
            .take(store, ceremony, CeremonyKind::Register(user.id))
            .await?;
        // The browser was told to exclude the person's own keys; one that
        // answers anyway is named here (webauthn-rs reports it as an
        // altered algorithm). A concurrent addition of the same key is
        // caught by `AddPasskey` below.
        if user
            .passkey(&URL_SAFE_NO_PAD.encode(credential.raw_id.as_slice()))
            .is_some()
        {
            return Err(PasskeyError::AlreadyRegistered);
        }
        let key = self
            .own
            .finish_passkey_registration(credential, &state)
            .map_err(refused)?;
        let passkey = StoredPasskey {
            name,
            created: unix_now(),
            last_used: None,
            key,
        };
        let id = passkey.id();
        let had = user.passkeys.len();
        let change = UserChange::AddPasskey(Box::new(passkey));
        let changed = store
            .update_user(user.id, change)
            .await?
            .ok_or(PasskeyError::CeremonyInvalid)?;
        match changed.passkey(&id) {
            None => Err(PasskeyError::TooMany),
            Some(_) if changed.passkeys.len() > had => Ok(changed),
            Some(_) => Err(PasskeyError::AlreadyRegistered),
        }
    }

    /// Starts a sign-in with any of the family's passkeys: the ceremony id
    /// and the options for `navigator.credentials.get` (conditional
    /// mediation, so the browser offers them in the name field's autofill).
    pub async fn start_sign_in(
        &self,
        store: &dyn Store,
    ) -> Result<(Secret, RequestChallengeResponse), PasskeyError> {
        let (options, state) = self
            .family
            .start_discoverable_authentication()
            .map_err(|_| PasskeyError::Refused("the challenge could not be made"))?;
        let id = self.put(store, CeremonyKind::SignIn, &state).await?;
        Ok((id, options))
    }

    /// Finishes a sign-in: the person whose passkey answered, with its
    /// counter and last use written back.
    pub async fn finish_sign_in(
        &self,
        store: &dyn Store,
        ceremony: &str,
        credential: &PublicKeyCredential,
    ) -> Result<User, PasskeyError> {
        let state: DiscoverableAuthentication =
            self.take(store, ceremony, CeremonyKind::SignIn).await?;
        let (uuid, cred_id) = self
            .family
            .identify_discoverable_authentication(credential)
            .map_err(|_| PasskeyError::UnknownPasskey)?;
        let user = store
            .user(UserId(uuid))
            .await?
            .ok_or(PasskeyError::UnknownPasskey)?;
        let passkey = user
            .passkeys
            .iter()
            .find(|p| p.key.cred_id().as_slice() == cred_id)
            .ok_or(PasskeyError::UnknownPasskey)?;
        let key = DiscoverableKey::from(&passkey.key);
        let result = match self
            .family
            .finish_discoverable_authentication(credential, state, &[key])
        {
            Ok(result) => result,
            Err(WebauthnError::CredentialPossibleCompromise) => {
                tracing::warn!(user = %user.id, passkey = %passkey.id(), "passkey counter went backwards: refused");
                return Err(PasskeyError::CounterWentBackwards);
            }
            Err(e) => return Err(refused(e)),
        };
        if !result.user_verified() {
            return Err(PasskeyError::Refused(
                "the authenticator did not verify the person",
            ));
        }
        let change = UserChange::UsePasskey {
            result: Box::new(result),
            at: unix_now(),
        };
        store
            .update_user(user.id, change)
            .await?
            .ok_or(PasskeyError::UnknownPasskey)
    }

    /// Renames one of the person's passkeys.
    pub async fn rename(
        store: &dyn Store,
        user: UserId,
        id: &str,
        name: PasskeyName,
    ) -> Result<User, PasskeyError> {
        let change = UserChange::RenamePasskey {
            id: id.to_owned(),
            name: name.clone(),
        };
        match store.update_user(user, change).await? {
            Some(changed) if changed.passkey(id).is_some_and(|p| p.name == name) => Ok(changed),
            _ => Err(PasskeyError::NotFound),
        }
    }

    /// Deletes one of the person's passkeys.
    pub async fn delete(store: &dyn Store, user: UserId, id: &str) -> Result<User, PasskeyError> {
        let had = store
            .user(user)
            .await?
            .is_some_and(|u| u.passkey(id).is_some());
        if !had {
            return Err(PasskeyError::NotFound);
        }
        let change = UserChange::DeletePasskey { id: id.to_owned() };
        store
            .update_user(user, change)
            .await?
            .ok_or(PasskeyError::NotFound)
    }

    async fn put<T: serde::Serialize>(
        &self,
        store: &dyn Store,
        kind: CeremonyKind,
        state: &T,
    ) -> Result<Secret, PasskeyError> {
        let state = serde_json::to_string(state)
            .map_err(|e| StoreError::Corrupt(format!("passkey ceremony: {e}")))?;
        let id = Secret::generate();
        let ceremony = Ceremony { kind, state };
        store
            .put_ceremony(&id.hash(), &ceremony, CEREMONY_TTL)
            .await?;
        Ok(id)
    }

    async fn take<T: serde::de::DeserializeOwned>(
        &self,
        store: &dyn Store,
        raw: &str,
        kind: CeremonyKind,
    ) -> Result<T, PasskeyError> {
        let id = Secret::parse(raw).map_err(|_| PasskeyError::CeremonyInvalid)?;
        let ceremony = store
            .take_ceremony(&id.hash())
            .await?
            .ok_or(PasskeyError::CeremonyInvalid)?;
        if ceremony.kind != kind {
            return Err(PasskeyError::CeremonyInvalid);
        }
        serde_json::from_str(&ceremony.state)
            .map_err(|e| StoreError::Corrupt(format!("passkey ceremony: {e}")).into())
    }
}

/// What a refused answer tells the person, by the check that failed.
fn refused(error: WebauthnError) -> PasskeyError {
    PasskeyError::Refused(match error {
        WebauthnError::InvalidRPOrigin => "it was made for another site",
        WebauthnError::MismatchedChallenge => "it answers another challenge",
        WebauthnError::UserNotVerified => "the authenticator did not verify the person",
        WebauthnError::InvalidRPIDHash => "it was made for another relying party",
        WebauthnError::CredentialAlteredAlgFromRequest => "the credential is not acceptable",
        _ => "it could not be verified",
    })
}
