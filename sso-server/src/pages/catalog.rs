//! The pages' text, one catalog per language. `ui_locales` (a
//! space-separated list of BCP 47 tags, most wanted first) chooses; a
//! language without a catalog falls back to English.

use sso_core::domain::FieldError;

/// The words of every page, in one language.
pub struct Text {
    /// The `lang` of the page.
    pub lang: &'static str,
    pub sign_in_title: &'static str,
    pub create_title: &'static str,
    /// Before the site's name: "to continue to …".
    pub continue_to: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub new_password: &'static str,
    pub display_name: &'static str,
    pub keep_signed_in: &'static str,
    pub sign_in: &'static str,
    pub create: &'static str,
    pub no_account: &'static str,
    pub create_link: &'static str,
    pub have_account: &'static str,
    pub sign_in_link: &'static str,
    pub wrong_credentials: &'static str,
    pub email_in_use: &'static str,
    pub password_is_email: &'static str,
    pub rate_limited: &'static str,
    pub form_expired: &'static str,
    pub unavailable: &'static str,
    pub required: &'static str,
    /// `{n}` is the number.
    pub too_short: &'static str,
    pub too_long: &'static str,
    pub email_invalid: &'static str,
    /// Before the reason a value was refused.
    pub invalid: &'static str,
    pub continue_button: &'static str,
    pub continue_note: &'static str,
    pub error_title: &'static str,
    pub request_id: &'static str,
    pub sign_out_title: &'static str,
    /// Before the person's email.
    pub signed_in_as: &'static str,
    pub sign_out_explain: &'static str,
    pub sign_out_button: &'static str,
    pub signed_out_title: &'static str,
    pub signed_out_note: &'static str,
}

const EN: Text = Text {
    lang: "en",
    sign_in_title: "Sign in",
    create_title: "Create your account",
    continue_to: "to continue to",
    email: "Email address",
    password: "Password",
    new_password: "Password (at least 8 characters)",
    display_name: "Your name",
    keep_signed_in: "Keep me signed in",
    sign_in: "Sign in",
    create: "Create account",
    no_account: "No account yet?",
    create_link: "Create an account",
    have_account: "Already have an account?",
    sign_in_link: "Sign in",
    wrong_credentials: "The email address or password is wrong.",
    email_in_use: "An account with this email address already exists.",
    password_is_email: "The password must not be your email address.",
    rate_limited: "Too many attempts. Try again in a few minutes.",
    form_expired: "This form has expired. Please try again.",
    unavailable: "The service is briefly unavailable. Try again shortly.",
    required: "Fill in this field.",
    too_short: "Use at least {n} characters.",
    too_long: "Use at most {n} characters.",
    email_invalid: "Enter an email address such as name@example.com.",
    invalid: "Not accepted",
    continue_button: "Continue",
    continue_note: "You are signed in. Continue to the site.",
    error_title: "Something went wrong",
    request_id: "Request id",
    sign_out_title: "Sign out?",
    signed_in_as: "You are signed in as",
    sign_out_explain: "Signing out here signs you out of every site that shares this sign-in.",
    sign_out_button: "Sign out",
    signed_out_title: "You are signed out",
    signed_out_note: "You can close this page.",
};

const SV: Text = Text {
    lang: "sv",
    sign_in_title: "Logga in",
    create_title: "Skapa ditt konto",
    continue_to: "för att fortsätta till",
    email: "E-postadress",
    password: "Lösenord",
    new_password: "Lösenord (minst 8 tecken)",
    display_name: "Ditt namn",
    keep_signed_in: "Håll mig inloggad",
    sign_in: "Logga in",
    create: "Skapa konto",
    no_account: "Inget konto ännu?",
    create_link: "Skapa ett konto",
    have_account: "Har du redan ett konto?",
    sign_in_link: "Logga in",
    wrong_credentials: "E-postadressen eller lösenordet är fel.",
    email_in_use: "Det finns redan ett konto med den här e-postadressen.",
    password_is_email: "Lösenordet får inte vara din e-postadress.",
    rate_limited: "För många försök. Försök igen om några minuter.",
    form_expired: "Formuläret har gått ut. Försök igen.",
    unavailable: "Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.",
    required: "Fyll i fältet.",
    too_short: "Använd minst {n} tecken.",
    too_long: "Använd högst {n} tecken.",
    email_invalid: "Ange en e-postadress, till exempel namn@example.com.",
    invalid: "Inte godtaget",
    continue_button: "Fortsätt",
    continue_note: "Du är inloggad. Fortsätt till webbplatsen.",
    error_title: "Något gick fel",
    request_id: "Förfrågans id",
    sign_out_title: "Logga ut?",
    signed_in_as: "Du är inloggad som",
    sign_out_explain: "Om du loggar ut här loggas du ut från alla webbplatser som delar den här inloggningen.",
    sign_out_button: "Logga ut",
    signed_out_title: "Du är utloggad",
    signed_out_note: "Du kan stänga den här sidan.",
};

/// A language with a catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    Sv,
}

impl Locale {
    /// The first tag of `ui_locales` whose language has a catalog.
    pub fn choose(ui_locales: Option<&str>) -> Self {
        ui_locales
            .into_iter()
            .flat_map(|l| l.split(' '))
            .take(16)
            .find_map(|tag| {
                let language = tag.split('-').next()?.to_ascii_lowercase();
                match language.as_str() {
                    "en" => Some(Self::En),
                    "sv" => Some(Self::Sv),
                    _ => None,
                }
            })
            .unwrap_or_default()
    }

    pub fn text(self) -> &'static Text {
        match self {
            Self::En => &EN,
            Self::Sv => &SV,
        }
    }
}

impl Text {
    /// What to say next to a field whose value was refused.
    pub fn field_error(&self, field: &str, problem: &FieldError) -> String {
        match problem {
            FieldError::Empty => self.required.to_owned(),
            FieldError::TooShort(n) => self.too_short.replace("{n}", &n.to_string()),
            FieldError::TooLong(n) => self.too_long.replace("{n}", &n.to_string()),
            FieldError::Malformed(_) if field == "email" => self.email_invalid.to_owned(),
            FieldError::Malformed(what) => format!("{}: {what}", self.invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_locales_choose_the_first_language_with_a_catalog() {
        assert_eq!(Locale::choose(None), Locale::En);
        assert_eq!(Locale::choose(Some("fi sv-FI en")), Locale::Sv);
        assert_eq!(Locale::choose(Some("EN-gb sv")), Locale::En);
        assert_eq!(Locale::choose(Some("de")), Locale::En);
    }
}
