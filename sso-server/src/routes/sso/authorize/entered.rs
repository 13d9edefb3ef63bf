//! What the person typed into a hosted form: parsed into domain types,
//! or an error in their language to show next to the field.

use crate::pages::Text;
use crate::routes::params::Params;
use crate::state::AppState;
use sso_core::accounts::NewAccount;
use sso_core::domain::{DisplayName, Email, FieldError, Password, User};
use sso_core::passkeys::PasskeyError;
use sso_core::store::StoreError;

/// What a form shows beyond its labels: values to keep, and errors.
#[derive(Default)]
pub(super) struct Shown {
    pub email: String,
    pub display_name: String,
    pub problem: Option<&'static str>,
    pub email_error: Option<String>,
    pub password_error: Option<String>,
    pub display_name_error: Option<String>,
}

/// A typed value kept for the page again (bounded by `Params`).
pub(super) fn text_field(p: &Params<'_>, name: &'static str) -> String {
    p.optional(name).ok().flatten().unwrap_or("").to_owned()
}

pub(super) fn credentials(
    p: &Params<'_>,
    shown: &mut Shown,
    t: &Text,
) -> Option<(Email, Password)> {
    let email = field(p, "email", Email::parse, &mut shown.email_error, t);
    let password = field(
        p,
        "password",
        Password::candidate,
        &mut shown.password_error,
        t,
    );
    Some((email?, password?))
}

/// The passkey answer the sign-in page's script put into the form (the
/// ceremony and the credential's JSON), if it did.
pub(super) fn passkey_answer<'p>(p: &'p Params<'_>) -> Option<(&'p str, &'p str)> {
    let credential = p.optional("passkey_credential").ok().flatten()?;
    let ceremony = p.optional("passkey_ceremony").ok().flatten().unwrap_or("");
    Some((ceremony, credential))
}

/// The person whose passkey answered; `Ok(None)` when it is refused (the
/// page says so, and the log says why).
pub(super) async fn passkey_user(
    state: &AppState,
    (ceremony, credential): (&str, &str),
) -> Result<Option<User>, StoreError> {
    let (Ok(passkeys), Ok(answer)) = (state.passkeys(), serde_json::from_str(credential)) else {
        return Ok(None);
    };
    match passkeys
        .finish_sign_in(state.store.as_ref(), ceremony, &answer)
        .await
    {
        Ok(user) => Ok(Some(user)),
        Err(PasskeyError::Store(err)) => Err(err),
        Err(reason) => {
            tracing::info!(%reason, "hosted passkey sign-in refused");
            Ok(None)
        }
    }
}

pub(super) fn new_account(p: &Params<'_>, shown: &mut Shown, t: &Text) -> Option<NewAccount> {
    let display_name = field(
        p,
        "display_name",
        DisplayName::parse,
        &mut shown.display_name_error,
        t,
    );
    let email = field(p, "email", Email::parse, &mut shown.email_error, t);
    let password = field(p, "password", Password::parse, &mut shown.password_error, t);
    Some(NewAccount {
        email: email?,
        password: password?,
        display_name: display_name?,
    })
}

/// The field's value parsed, or its error set next to it.
fn field<T>(
    p: &Params<'_>,
    name: &'static str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
    error: &mut Option<String>,
    t: &Text,
) -> Option<T> {
    let raw = match p.optional(name) {
        Ok(raw) => raw.unwrap_or(""),
        Err(_) => return set(error, t.too_long.replace("{n}", "4096")),
    };
    let problem = if raw.is_empty() {
        FieldError::Empty
    } else {
        match parse(raw) {
            Ok(value) => return Some(value),
            Err(problem) => problem,
        }
    };
    set(error, t.field_error(name, &problem))
}

fn set<T>(error: &mut Option<String>, message: String) -> Option<T> {
    *error = Some(message);
    None
}
