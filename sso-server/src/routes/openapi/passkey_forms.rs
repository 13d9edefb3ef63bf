//! The passkey forms, as OpenAPI sees them. The browser's answer travels
//! as the JSON of its `PublicKeyCredential` in the `credential` field.
#![allow(dead_code)] // read by the OpenAPI derive, never constructed

use serde::Deserialize;
use utoipa::ToSchema;

use super::forms::RegistrationCommon;

/// `POST /oauth/passkey_challenge`.
#[derive(ToSchema, Deserialize)]
pub struct PasskeyChallengeForm {
    /// The site asking (its registered origins are checked against `Origin`).
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
}

/// `POST /oauth/auth_native_passkey`.
#[derive(ToSchema, Deserialize)]
pub struct PasskeySignInForm {
    #[serde(flatten)]
    common: RegistrationCommon,
    /// The `ceremony` of the challenge.
    #[schema(min_length = 1)]
    ceremony: String,
    /// The JSON of the browser's `PublicKeyCredential` (base64url fields).
    #[schema(min_length = 1)]
    credential: String,
}

/// `POST /account/passkeys/challenge`.
#[derive(ToSchema, Deserialize)]
pub struct AddChallengeForm {
    /// The site whose family the browser is signed in for.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
}

/// `POST /account/passkeys/add`.
#[derive(ToSchema, Deserialize)]
pub struct AddPasskeyForm {
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    #[schema(min_length = 1)]
    ceremony: String,
    /// The JSON of the browser's `PublicKeyCredential` (base64url fields).
    #[schema(min_length = 1)]
    credential: String,
    /// What the person calls it (1 to 64 characters; `Passkey` if absent).
    name: Option<String>,
}

/// `POST /entity/passkeys/rename`.
#[derive(ToSchema, Deserialize)]
pub struct RenamePasskeyForm {
    /// The passkey's `id` from the list.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,1364}$")]
    id: String,
    /// 1 to 64 characters, no control characters.
    #[schema(min_length = 1, examples("Laptop"))]
    name: String,
}

/// `POST /entity/passkeys/delete`.
#[derive(ToSchema, Deserialize)]
pub struct DeletePasskeyForm {
    #[schema(pattern = "^[A-Za-z0-9_-]{1,1364}$")]
    id: String,
}

/// `POST /account/passkeys/rename`.
#[derive(ToSchema, Deserialize)]
pub struct AccountRenameForm {
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    #[schema(pattern = "^[A-Za-z0-9_-]{1,1364}$")]
    id: String,
    #[schema(min_length = 1, examples("Laptop"))]
    name: String,
}

/// `POST /account/passkeys/delete`.
#[derive(ToSchema, Deserialize)]
pub struct AccountDeleteForm {
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$", examples("news"))]
    client_id: String,
    #[schema(pattern = "^[A-Za-z0-9_-]{1,1364}$")]
    id: String,
}
