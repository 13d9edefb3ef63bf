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
    pub forgot_link: &'static str,
    pub forgot_title: &'static str,
    pub forgot_explain: &'static str,
    pub send_link: &'static str,
    /// `{minutes}`: how long the link works.
    pub forgot_sent: &'static str,
    pub reset_title: &'static str,
    pub reset_button: &'static str,
    pub reset_done_title: &'static str,
    pub reset_done_note: &'static str,
    pub verify_title: &'static str,
    pub verify_explain: &'static str,
    pub verify_button: &'static str,
    pub verified_title: &'static str,
    pub verified_note: &'static str,
    pub passkey_sign_in: &'static str,
    pub passkey_refused: &'static str,
    pub passkeys_title: &'static str,
    pub passkeys_explain: &'static str,
    pub passkeys_none: &'static str,
    pub passkeys_signed_out: &'static str,
    pub passkey_name: &'static str,
    pub passkey_add: &'static str,
    pub passkey_rename: &'static str,
    pub passkey_delete: &'static str,
    pub passkey_last_used: &'static str,
    pub passkey_never_used: &'static str,
    pub link_invalid_title: &'static str,
    pub link_invalid_note: &'static str,
    pub mail_verify_subject: &'static str,
    /// `{name}`, `{link}`, `{hours}`.
    pub mail_verify_body: &'static str,
    pub mail_reset_subject: &'static str,
    /// `{name}`, `{link}`, `{minutes}`.
    pub mail_reset_body: &'static str,
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
    forgot_link: "Forgot your password?",
    forgot_title: "Reset your password",
    forgot_explain: "Enter the email address of your account. We will send a link to choose a new password.",
    send_link: "Send link",
    forgot_sent: "If an account has this address, a link is on its way to it. It works for {minutes} minutes.",
    reset_title: "Choose a new password",
    reset_button: "Set password",
    reset_done_title: "Your password is changed",
    reset_done_note: "You are signed out everywhere. Sign in again with your new password.",
    verify_title: "Confirm your email address",
    verify_explain: "Confirm that this address is yours.",
    verify_button: "Confirm",
    verified_title: "Your email address is confirmed",
    verified_note: "Thank you. You can close this page.",
    passkey_sign_in: "Sign in with a passkey",
    passkey_refused: "That passkey was not accepted. Try again, or use your password.",
    passkeys_title: "Your passkeys",
    passkeys_explain: "Sign in on every site of the family with your device's fingerprint, face or screen lock instead of a password.",
    passkeys_none: "You have no passkeys yet.",
    passkeys_signed_out: "You are not signed in here. Sign in on the site first, then come back to this page.",
    passkey_name: "Name",
    passkey_add: "Add a passkey",
    passkey_rename: "Rename",
    passkey_delete: "Delete",
    passkey_last_used: "Last used",
    passkey_never_used: "Not used yet",
    link_invalid_title: "This link does not work",
    link_invalid_note: "It was used already, has expired, or is not complete. Ask for a new one.",
    mail_verify_subject: "Confirm your email address",
    mail_verify_body: "Hello {name},\n\nConfirm that this address is yours by opening this link:\n\n{link}\n\nThe link works for {hours} hours. If you did not create an account, ignore this mail.\n",
    mail_reset_subject: "Reset your password",
    mail_reset_body: "Hello {name},\n\nSomeone asked to reset the password of your account. To choose a new one, open this link:\n\n{link}\n\nThe link works for {minutes} minutes, once. If it was not you, ignore this mail: your password stays as it is.\n",
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
    forgot_link: "Glömt ditt lösenord?",
    forgot_title: "Återställ ditt lösenord",
    forgot_explain: "Ange e-postadressen för ditt konto. Vi skickar en länk där du kan välja ett nytt lösenord.",
    send_link: "Skicka länk",
    forgot_sent: "Om ett konto har den här adressen är en länk på väg dit. Den fungerar i {minutes} minuter.",
    reset_title: "Välj ett nytt lösenord",
    reset_button: "Spara lösenord",
    reset_done_title: "Ditt lösenord är ändrat",
    reset_done_note: "Du är utloggad överallt. Logga in igen med ditt nya lösenord.",
    verify_title: "Bekräfta din e-postadress",
    verify_explain: "Bekräfta att adressen är din.",
    verify_button: "Bekräfta",
    verified_title: "Din e-postadress är bekräftad",
    verified_note: "Tack. Du kan stänga den här sidan.",
    passkey_sign_in: "Logga in med nyckel",
    passkey_refused: "Nyckeln godtogs inte. Försök igen eller använd ditt lösenord.",
    passkeys_title: "Dina nycklar",
    passkeys_explain: "Logga in på alla webbplatser i familjen med enhetens fingeravtryck, ansikte eller skärmlås i stället för ett lösenord.",
    passkeys_none: "Du har inga nycklar än.",
    passkeys_signed_out: "Du är inte inloggad här. Logga in på webbplatsen först och kom sedan tillbaka hit.",
    passkey_name: "Namn",
    passkey_add: "Lägg till en nyckel",
    passkey_rename: "Byt namn",
    passkey_delete: "Ta bort",
    passkey_last_used: "Senast använd",
    passkey_never_used: "Inte använd än",
    link_invalid_title: "Länken fungerar inte",
    link_invalid_note: "Den har redan använts, har gått ut eller är inte komplett. Be om en ny.",
    mail_verify_subject: "Bekräfta din e-postadress",
    mail_verify_body: "Hej {name},\n\nBekräfta att adressen är din genom att öppna den här länken:\n\n{link}\n\nLänken fungerar i {hours} timmar. Om du inte har skapat något konto kan du bortse från det här mejlet.\n",
    mail_reset_subject: "Återställ ditt lösenord",
    mail_reset_body: "Hej {name},\n\nNågon bad om att återställa lösenordet till ditt konto. Öppna den här länken för att välja ett nytt:\n\n{link}\n\nLänken fungerar i {minutes} minuter, en gång. Om det inte var du kan du bortse från det här mejlet: ditt lösenord förblir detsamma.\n",
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
