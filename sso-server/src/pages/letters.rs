//! The mails a person receives, from the pages' catalog in their language.

use std::time::Duration;

use sso_core::domain::User;
use sso_core::mail::Letter;

use super::Text;

/// The mail with the link that confirms `user`'s address.
pub fn verification_letter(t: &Text, user: &User, link: &str, ttl: Duration) -> Letter {
    Letter {
        to: user.email.clone(),
        subject: t.mail_verify_subject.to_owned(),
        text: t
            .mail_verify_body
            .replace("{name}", &user.display_name)
            .replace("{link}", link)
            .replace("{hours}", &(ttl.as_secs() / 3600).max(1).to_string()),
    }
}

/// The mail with the link that lets `user` choose a new password.
pub fn reset_letter(t: &Text, user: &User, link: &str, ttl: Duration) -> Letter {
    Letter {
        to: user.email.clone(),
        subject: t.mail_reset_subject.to_owned(),
        text: t
            .mail_reset_body
            .replace("{name}", &user.display_name)
            .replace("{link}", link)
            .replace("{minutes}", &(ttl.as_secs() / 60).max(1).to_string()),
    }
}
