//! The public view of a user, shared by the registration API, `/entity` and
//! the `userData` of SSO results.

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::macros::format_description;

use sso_core::config::{Flow, Release, UserField};
use sso_core::domain::{Profile, User};

/// `2016-04-20 17:02:18 +0000`, the registration API's timestamp style.
pub fn timestamp(unix: i64) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] +0000");
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// The whole profile, for the user's own token holder.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaptureUser<'a> {
    pub uuid: String,
    /// `2016-04-20 17:02:18 +0000`.
    pub created: String,
    pub email: &'a str,
    /// The person confirmed the address through the mailed link.
    pub email_verified: bool,
    pub display_name: &'a str,
}

pub fn capture_user(user: &User) -> CaptureUser<'_> {
    CaptureUser {
        uuid: user.id.to_string(),
        created: timestamp(user.created),
        email: &user.email,
        email_verified: user.email_verified,
        display_name: &user.display_name,
    }
}

/// Only the fields the flow releases to sites.
pub fn user_data(user: &Profile, flow: &Flow) -> Value {
    Value::Object(released_profile(user, Release::of(Some(flow))))
}

/// The released fields of a profile, by their `userData` names.
pub fn released_profile(user: &Profile, release: Release) -> Map<String, Value> {
    let mut data = Map::new();
    for field in UserField::ALL.into_iter().filter(|f| release.contains(*f)) {
        let (name, value) = match field {
            UserField::Email => ("email", user.email.clone()),
            UserField::DisplayName => ("displayName", user.display_name.clone()),
            UserField::Uuid => ("uuid", user.id.to_string()),
        };
        data.insert(name.to_owned(), Value::String(value));
    }
    data
}
