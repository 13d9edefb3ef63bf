//! A person's sessions across browsers and applications: indexed as they
//! start, listed, and ended from anywhere (the person, an application, the
//! session limit), whether or not the browser that holds one is open.
//!
//! The order of writes keeps one invariant on every store, a Redis Cluster
//! included (where a user's index and a browser session's record live in
//! different slots): **every live session is in its user's index.** An entry
//! is written before its record and taken out after it; an entry whose record
//! is gone is harmless (skipped when listed, dropped when it expires).

use crate::backchannel::{self, Backchannel};
use crate::config::ServiceKind;
use crate::config::{MAX_SESSIONS_CEILING, Settings};
use crate::domain::{ApiSession, BrowserSession, IndexEntry, SessionId, SessionTarget, UserId};
use crate::domain::{SecretHash, Segment};
use crate::store::{Removal, SessionRecord, Store, StoreError};

/// What starting and ending sessions works with: the store, the settings
/// (the session limit, the clients) and the back-channel sender that tells
/// site backends about sign-ins that ended.
#[derive(Clone, Copy)]
pub struct Sessions<'a> {
    pub store: &'a dyn Store,
    pub settings: &'a Settings,
    pub backchannel: &'a Backchannel,
}

/// The limit the index enforces: the configured one, or the ceiling.
pub fn limit(settings: &Settings) -> u32 {
    match settings.max_sessions_per_user {
        0 => MAX_SESSIONS_CEILING,
        n => n.min(MAX_SESSIONS_CEILING),
    }
}

/// What an ending did: how many sessions, and the sign-out whose
/// back-channel logouts were queued (none when no client takes them).
#[derive(Debug, Default)]
pub struct Ended {
    pub count: usize,
    pub signout: Option<String>,
}

/// Indexes a new session (before its record is written) in place of
/// `replaces`, and ends the sessions the limit evicts (with their
/// back-channel logouts). Returns the evicted.
pub async fn start(
    ctx: Sessions<'_>,
    user: UserId,
    entry: &IndexEntry,
    replaces: &[SessionId],
) -> Result<Vec<IndexEntry>, StoreError> {
    let store = ctx.store;
    let evicted = store
        .index_session(user, entry, replaces, limit(ctx.settings))
        .await?;
    end_over_limit(ctx, user, &evicted).await?;
    Ok(evicted)
}

/// [`start`] for an API session, with its record written in the same round
/// trip, after its entry.
pub async fn start_api(
    ctx: Sessions<'_>,
    user: UserId,
    entry: &IndexEntry,
    sid: &SecretHash,
    session: &ApiSession,
    ttl: std::time::Duration,
) -> Result<(), StoreError> {
    let store = ctx.store;
    let evicted = store
        .start_api_session(user, entry, limit(ctx.settings), sid, session, ttl)
        .await?;
    end_over_limit(ctx, user, &evicted).await?;
    Ok(())
}

/// After the records of `entries` (all of `user`) are written: a concurrent
/// sign-in may have evicted one of them in between, and ended a record that
/// did not exist yet. Such a record is ended now, so the limit holds exactly.
/// Returns whether all of them still stand. Only a configured limit evicts
/// in practice, so only then is the index read again.
pub async fn confirm_started(
    ctx: Sessions<'_>,
    user: UserId,
    entries: &[IndexEntry],
) -> Result<bool, StoreError> {
    if ctx.settings.max_sessions_per_user == 0 || entries.is_empty() {
        return Ok(true);
    }
    let store = ctx.store;
    let indexed: Vec<SessionId> = store
        .user_sessions(user)
        .await?
        .iter()
        .map(IndexEntry::id)
        .collect();
    let overtaken: Vec<IndexEntry> = entries
        .iter()
        .filter(|e| !indexed.contains(&e.id()))
        .cloned()
        .collect();
    end_over_limit(ctx, user, &overtaken).await?;
    Ok(overtaken.is_empty())
}

/// Ends the records of entries the session limit took out of the index
/// (their entries are gone already) and tells the sites' backends.
async fn end_over_limit(
    ctx: Sessions<'_>,
    user: UserId,
    entries: &[IndexEntry],
) -> Result<(), StoreError> {
    // The usual case of every sign-in: nothing was over the limit.
    if entries.is_empty() {
        return Ok(());
    }
    let mut ended = BrowserSession::default();
    for entry in entries {
        let removed = end_record(ctx.store, &entry.target).await?;
        ended.segments.extend(removed.segments);
        tracing::info!(user = %user, session = %entry.id(), "session ended: over max_sessions_per_user");
    }
    backchannel::announce(ctx.store, ctx.settings, ctx.backchannel, &ended).await?;
    Ok(())
}

/// Ends the one session `id` among the person's (see [`entries`]); `None`
/// when it is not one of them.
pub async fn end_by_id(
    ctx: Sessions<'_>,
    user: UserId,
    id: &SessionId,
    linked: bool,
) -> Result<Option<Ended>, StoreError> {
    let found = entries(ctx.store, ctx.settings, user, linked)
        .await?
        .into_iter()
        .find(|(_, e)| &e.id() == id);
    match found {
        Some(entry) => end_entries(ctx, &[entry]).await.map(Some),
        None => Ok(None),
    }
}

/// Ends the record an entry points to (the entry itself stays: see [`end`]);
/// returns the browser sign-ins it took out.
async fn end_record(
    store: &dyn Store,
    target: &SessionTarget,
) -> Result<BrowserSession, StoreError> {
    match target {
        SessionTarget::Browser { sid, segment } => Ok(store
            .remove_segments(sid, std::slice::from_ref(segment))
            .await?
            .removed),
        SessionTarget::Api { sid } => {
            store.delete_api_session(sid).await?;
            Ok(BrowserSession::default())
        }
    }
}

/// Ends sessions of a user: each record, then the entries, then tells the
/// sites' backends. Returns how many there were and the sign-out.
pub async fn end(
    ctx: Sessions<'_>,
    user: UserId,
    entries: &[IndexEntry],
) -> Result<Ended, StoreError> {
    end_entries(
        ctx,
        &entries
            .iter()
            .map(|e| (user, e.clone()))
            .collect::<Vec<_>>(),
    )
    .await
}

/// Signs a browser out of `segments`: its sign-ins there end, leave their
/// users' indexes, and the clients that used them are told (back channel).
/// For `/sso/end` and RP-initiated logout.
pub async fn sign_out_browser(
    ctx: Sessions<'_>,
    sid: &SecretHash,
    segments: &[Segment],
) -> Result<Removal, StoreError> {
    let removal = ctx.store.remove_segments(sid, segments).await?;
    forget_removed(ctx.store, &removal.removed).await?;
    backchannel::announce(ctx.store, ctx.settings, ctx.backchannel, &removal.removed).await?;
    Ok(removal)
}

/// Takes the entries of segments just removed from a browser session (by
/// `/sso/end` or a sign-in that replaced them) out of their users' indexes.
pub async fn forget_removed(store: &dyn Store, removed: &BrowserSession) -> Result<(), StoreError> {
    for session in removed.segments.values() {
        store
            .unindex_sessions(session.user.id, std::slice::from_ref(&session.id))
            .await?;
    }
    Ok(())
}

/// The accounts whose sessions are a person's: the account itself, and the
/// application-API accounts linked to it through a `federated` SSO service
/// (a site backend's own account for this person, made with
/// `user/linkssotoken`). Signing a person out everywhere ends them all.
pub async fn accounts(
    store: &dyn Store,
    settings: &Settings,
    user: UserId,
) -> Result<Vec<UserId>, StoreError> {
    let mut accounts = vec![user];
    let token = SecretHash::of_sso_token(&user.to_string());
    for service in settings.sso_services.values() {
        if !matches!(service.kind, ServiceKind::Federated { .. }) {
            continue;
        }
        if let Some(linked) = store.sso_token_user(&service.id, &token).await?
            && !accounts.contains(&linked)
        {
            accounts.push(linked);
        }
    }
    Ok(accounts)
}

/// Every entry of the user's index, or with `linked` of all the person's
/// [`accounts`], each with the account it is in. A person managing their own
/// sessions sees their sign-ins; an application signing a person out
/// everywhere reaches the linked site accounts too.
pub async fn entries(
    store: &dyn Store,
    settings: &Settings,
    user: UserId,
    linked: bool,
) -> Result<Vec<(UserId, IndexEntry)>, StoreError> {
    let accounts = if linked {
        accounts(store, settings, user).await?
    } else {
        vec![user]
    };
    let mut out = Vec::new();
    for account in accounts {
        for entry in store.user_sessions(account).await? {
            out.push((account, entry));
        }
    }
    Ok(out)
}

/// Ends entries of several accounts (see [`end`]), as one sign-out.
pub async fn end_entries(
    ctx: Sessions<'_>,
    entries: &[(UserId, IndexEntry)],
) -> Result<Ended, StoreError> {
    let store = ctx.store;
    let mut ended = BrowserSession::default();
    for (_, entry) in entries {
        ended
            .segments
            .extend(end_record(store, &entry.target).await?.segments);
    }
    let mut accounts: Vec<UserId> = Vec::new();
    for (account, _) in entries {
        if !accounts.contains(account) {
            accounts.push(*account);
        }
    }
    for account in accounts {
        let ids: Vec<SessionId> = entries
            .iter()
            .filter(|(a, _)| *a == account)
            .map(|(_, e)| e.id())
            .collect();
        store.unindex_sessions(account, &ids).await?;
    }
    Ok(Ended {
        count: entries.len(),
        signout: backchannel::announce(ctx.store, ctx.settings, ctx.backchannel, &ended).await?,
    })
}

/// One session as its person or an application sees it (the HTTP layer
/// gives it its wire form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: String,
    /// `browser` or `api`.
    pub kind: &'static str,
    /// The segment of a browser sign-in.
    pub segment: Option<String>,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds, to within a minute.
    pub last_used: i64,
    /// Unix seconds.
    pub expires: i64,
    pub keep_me_logged_in: bool,
    /// "Firefox on Linux", or for an API session the application that made it.
    pub device: String,
    /// The sites (client ids) that used a browser sign-in.
    pub sites: Vec<String>,
    /// The session the caller's own token belongs to.
    pub current: bool,
}

/// Where a page of a session list starts: after the session of this
/// `last_used` and id (the order is `last_used` descending, then id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub last_used: i64,
    pub id: String,
}

/// One page of a person's sessions, and where the next starts, if any.
pub struct Page {
    pub sessions: Vec<SessionSummary>,
    pub next: Option<After>,
}

/// The user's live sessions, most recently used first: at most `limit`
/// after `after`. The index entries are sorted and cut first, then the
/// records of the page are read in one round trip; an entry whose record
/// is gone (ended a moment ago, or a crash between two writes) is left out.
pub async fn list(
    store: &dyn Store,
    mut entries: Vec<(UserId, IndexEntry)>,
    current: Option<&SessionId>,
    now: i64,
    after: Option<&After>,
    limit: usize,
) -> Result<Page, StoreError> {
    let mut keyed: Vec<(i64, String, UserId, IndexEntry)> = entries
        .drain(..)
        .map(|(user, entry)| (entry.last_used, entry.id().to_string(), user, entry))
        .filter(|(used, id, ..)| {
            after.is_none_or(|a| *used < a.last_used || (*used == a.last_used && *id > a.id))
        })
        .collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let next = (keyed.len() > limit).then(|| After {
        last_used: keyed[limit - 1].0,
        id: keyed[limit - 1].1.clone(),
    });
    keyed.truncate(limit);
    let targets: Vec<&SessionTarget> = keyed.iter().map(|(.., e)| &e.target).collect();
    let records = store.session_records(&targets).await?;
    let mut sessions = Vec::with_capacity(keyed.len());
    for ((_, id, user, entry), record) in keyed.iter().zip(records) {
        let (segment, sites) = match (&entry.target, record) {
            (SessionTarget::Browser { segment, .. }, SessionRecord::Browser(session)) => {
                let session = session.without_expired(now);
                let Some(found) = session.segments.get(segment).filter(|s| s.user.id == *user)
                else {
                    continue;
                };
                let sites = found.visits.keys().map(|c| c.as_str().to_owned()).collect();
                (Some(segment.as_str().to_owned()), sites)
            }
            (SessionTarget::Api { .. }, SessionRecord::Api(Some(api))) if api.expires > now => {
                (None, Vec::new())
            }
            _ => continue,
        };
        sessions.push(SessionSummary {
            current: current == Some(&entry.id()),
            id: id.clone(),
            kind: entry.target.kind(),
            segment,
            created: entry.created,
            last_used: entry.last_used,
            expires: entry.expires,
            keep_me_logged_in: entry.keep_me_logged_in,
            device: entry.device.clone(),
            sites,
        });
    }
    Ok(Page { sessions, next })
}
