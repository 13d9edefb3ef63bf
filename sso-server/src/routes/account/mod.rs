//! What a person does by mail: confirm their address, reset a forgotten
//! password. The hosted pages (`pages.rs`) and the registration API
//! (`api.rs`) share what happens here: the mail goes out in the background,
//! so no answer waits for the relay or tells, by its time, whether an
//! account has the address; and a reset signs the person out everywhere.

pub mod api;
pub mod pages;

pub use api::{forgot_password, resend_verification, reset_password};
pub use pages::{forgot_form, forgot_post, reset_form, reset_post, verify_form, verify_post};

use actix_web::web;

use crate::pages::Locale;
use crate::state::AppState;
use sso_core::domain::{Email, User};
use sso_core::recovery::RecoveryError;
use sso_core::sessions;
use sso_core::store::StoreError;
use sso_core::tokens;

pub const FORGOT_PATH: &str = "/account/forgot";
pub const RESET_PATH: &str = "/account/reset";
pub const VERIFY_PATH: &str = "/account/verify";

/// A mail to send.
pub enum MailJob {
    /// The verification link of a new account.
    Verify { user: User, locale: Locale },
    /// A reset link, if an account has this address.
    Reset { email: Email, locale: Locale },
}

/// Sends `job` in the background; nothing when the server has no `[email]`.
/// At most `mail::MAX_IN_FLIGHT` at once; beyond, the mail is dropped,
/// logged and counted (`sso_mails_total{outcome="dropped"}`).
pub fn post(state: &web::Data<AppState>, job: MailJob) {
    let Some(mailer) = &state.mailer else {
        return;
    };
    let Some(slot) = mailer.slot() else {
        tracing::warn!("a mail to a person was dropped: too many mails in flight");
        return;
    };
    let state = state.clone();
    actix_web::rt::spawn(async move {
        if let Err(error) = deliver(&state, job).await {
            tracing::warn!(%error, "a mail to a person was not sent");
        }
        drop(slot);
    });
}

#[derive(Debug, thiserror::Error)]
enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Recovery(#[from] RecoveryError),
    #[error(transparent)]
    Mail(#[from] sso_core::mail::MailError),
}

async fn deliver(state: &AppState, job: MailJob) -> Result<(), DeliveryError> {
    let (Some(recovery), Some(mailer)) = (state.recovery(), state.mailer.as_ref()) else {
        return Ok(());
    };
    let link = |path: &str, secret: &sso_core::domain::Secret, locale: Locale| {
        format!(
            "{}{path}?token={}&ui_locales={}",
            state.settings.issuer(),
            secret.expose(),
            locale.text().lang
        )
    };
    let letter = match job {
        MailJob::Verify { user, locale } => {
            let secret = recovery.verification(&user).await?;
            let link = link(VERIFY_PATH, &secret, locale);
            crate::pages::verification_letter(
                locale.text(),
                &user,
                &link,
                recovery.email.verification_ttl,
            )
        }
        MailJob::Reset { email, locale } => {
            let Some((user, secret)) = recovery.reset_ticket(&email).await? else {
                tracing::info!("password reset asked for an address no account has");
                return Ok(());
            };
            let link = link(RESET_PATH, &secret, locale);
            crate::pages::reset_letter(locale.text(), &user, &link, recovery.email.reset_ttl)
        }
    };
    mailer.send(letter).await?;
    Ok(())
}

/// After a reset: every sign-in of the person ends (back-channel logouts
/// to the sites they used) and every access token of theirs is refused.
async fn sign_out_everywhere(state: &AppState, user: &User) -> Result<usize, StoreError> {
    let store = state.store.as_ref();
    let entries = sessions::entries(store, &state.settings, user.id, true).await?;
    let ended = sessions::end_entries(state.sessions(), &entries).await?;
    tokens::revoke_access_tokens(store, &state.settings, user.id).await?;
    tracing::info!(user = %user.id, ended = ended.count, "password reset: signed out everywhere");
    Ok(ended.count)
}
