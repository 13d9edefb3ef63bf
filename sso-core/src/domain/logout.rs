//! Back-channel logouts waiting to be delivered: one job per site backend
//! to tell that a sign-in ended.

use serde::{Deserialize, Serialize};

use super::{ClientId, SessionId, UserId};

/// One logout token to deliver to one client, and how far its delivery got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutJob {
    /// The job's id in its client's queue. Each attempt's logout token has
    /// a `jti` of its own: receivers keep replay caches and refuse a `jti`
    /// they saw, so a retry after a lost answer must not repeat one.
    #[serde(rename = "j")]
    pub id: String,
    /// The sign-out this delivery belongs to (reported by `logout/status`).
    #[serde(rename = "o")]
    pub signout: String,
    #[serde(rename = "c")]
    pub client: ClientId,
    /// The person (`sub`).
    #[serde(rename = "u")]
    pub user: UserId,
    /// The sign-in that ended (`sid`).
    #[serde(rename = "s")]
    pub sid: SessionId,
    /// Attempts made so far.
    #[serde(rename = "n")]
    pub attempts: u32,
    /// Unix seconds of the sign-out: retries stop `backchannel.retry_secs`
    /// after it.
    #[serde(rename = "t")]
    pub since: i64,
}

/// A claimed job's hold on it. Finishing acts only while the job is still
/// leased under it: once a lease runs out (its instance stopped), another
/// instance may take the job, and the first must not finish it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutLease {
    pub client: ClientId,
    pub id: String,
    /// When the lease runs out, unix milliseconds on the store's clock.
    pub until_ms: i64,
}

/// What one claim took from a client's queue.
#[derive(Debug, Default)]
pub struct ClaimedLogouts {
    pub jobs: Vec<(LogoutLease, LogoutJob)>,
    /// Entries that could not be read: dropped from the queue, counted here.
    pub unreadable: usize,
}

/// What `logout/status` reads of a sign-out: whose sign-ins it ended (who
/// may ask about it) and where each client's delivery stands.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SignoutStates {
    pub users: Vec<UserId>,
    pub deliveries: Vec<(ClientId, DeliveryState)>,
}

/// Where one client's delivery of one sign-out stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Retrying,
    Abandoned,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Retrying => "retrying",
            Self::Abandoned => "abandoned",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Delivered,
            Self::Retrying,
            Self::Abandoned,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}
