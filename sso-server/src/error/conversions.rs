//! The core's errors, each turned into its one public form.

use sso_core::accounts::AccountError;
use sso_core::domain::FieldError;
use sso_core::machine_secret::CheckError;
use sso_core::passkeys::PasskeyError;
use sso_core::password::PasswordError;
use sso_core::rate_limit::RateLimitError;
use sso_core::recovery::RecoveryError;
use sso_core::store::StoreError;
use sso_core::tokens::TokenError;

use super::ApiError;

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        tracing::error!(error = %err, "store operation failed");
        sso_core::metrics::global().store_errors.inc();
        Self::StoreUnavailable
    }
}

/// `From` impls that turn core errors into another public form (the API
/// statuses, the OAuth errors) through [`ApiError`], so each is mapped once.
macro_rules! via_api_error {
    ($target:ty: $($err:ty),+) => {
        $(impl From<$err> for $target {
            fn from(err: $err) -> Self {
                $crate::error::ApiError::from(err).into()
            }
        })+
    };
}
pub(crate) use via_api_error;

impl From<PasswordError> for ApiError {
    fn from(err: PasswordError) -> Self {
        tracing::error!(error = %err, "password hashing failed");
        Self::Internal
    }
}

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::InvalidCredentials => Self::InvalidCredentials,
            AccountError::EmailAddressInUse => Self::EmailAddressInUse,
            AccountError::PasswordIsEmail => Self::invalid(
                "password",
                FieldError::Malformed("different from the email address"),
            ),
            AccountError::RateLimited(err) => err.into(),
            AccountError::Store(err) => err.into(),
            AccountError::Password(err) => err.into(),
        }
    }
}

impl From<RecoveryError> for ApiError {
    fn from(err: RecoveryError) -> Self {
        match err {
            RecoveryError::LinkInvalid => Self::LinkInvalid,
            RecoveryError::PasswordIsEmail => Self::invalid(
                "new_password",
                FieldError::Malformed("different from the email address"),
            ),
            RecoveryError::RateLimited(err) => err.into(),
            RecoveryError::Store(err) => err.into(),
            RecoveryError::Password(err) => err.into(),
        }
    }
}

impl From<RateLimitError> for ApiError {
    fn from(err: RateLimitError) -> Self {
        match err {
            RateLimitError::Limited(retry) => Self::RateLimited(retry),
            RateLimitError::Store(err) => err.into(),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::TooManyCodes(per, retry) => Self::TooManyCodes(per, retry),
            TokenError::InvalidCode => Self::InvalidCode,
            TokenError::AccessTokenInvalid => Self::AccessTokenInvalid,
            TokenError::Store(err) => err.into(),
        }
    }
}

impl From<CheckError> for ApiError {
    fn from(err: CheckError) -> Self {
        match err {
            CheckError::Store(err) => err.into(),
            CheckError::Password(err) => err.into(),
        }
    }
}

impl From<PasskeyError> for ApiError {
    fn from(err: PasskeyError) -> Self {
        match err {
            PasskeyError::NotFound => Self::PasskeyNotFound,
            PasskeyError::TooMany | PasskeyError::AlreadyRegistered => {
                Self::PasskeyConflict(err.to_string())
            }
            PasskeyError::Store(err) => err.into(),
            refused => Self::PasskeyRefused(refused.to_string()),
        }
    }
}
