//! A session as the API shows it: the wire form of the core's
//! [`SessionSummary`], described in the OpenAPI document.

use serde::Serialize;
use sso_core::sessions::SessionSummary;

/// One session as its person or an application sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    /// The session's id, to end it.
    pub id: String,
    /// `browser` (a sign-in in one browser, for one segment family) or
    /// `api` (an application-API session).
    #[schema(pattern = "^(browser|api)$")]
    pub kind: &'static str,
    /// The segment of a browser sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, to within a minute.
    pub last_used: i64,
    /// Unix seconds.
    pub expires: i64,
    #[serde(rename = "keepMeLoggedIn")]
    pub keep_me_logged_in: bool,
    /// "Firefox on Linux", or for an API session the application that made it.
    pub device: String,
    /// The sites (client ids) that used a browser sign-in.
    pub sites: Vec<String>,
    /// The session the caller's own token belongs to.
    pub current: bool,
}

impl From<SessionSummary> for SessionView {
    fn from(s: SessionSummary) -> Self {
        Self {
            id: s.id,
            kind: s.kind,
            segment: s.segment,
            created: s.created,
            last_used: s.last_used,
            expires: s.expires,
            keep_me_logged_in: s.keep_me_logged_in,
            device: s.device,
            sites: s.sites,
            current: s.current,
        }
    }
}

/// A page of sessions in their wire form.
pub fn views(sessions: Vec<SessionSummary>) -> Vec<SessionView> {
    sessions.into_iter().map(SessionView::from).collect()
}
