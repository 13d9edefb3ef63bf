//! The back-channel logout queues on Redis: one per client, hash-tagged by
//! the client, so a dead receiver's backlog lives in a slot of its own and
//! not in the one every instance polls.
//!
//! | key                     | type | holds                                  |
//! |-------------------------|------|----------------------------------------|
//! | `sso:bj:{bq:<client>}`  | hash | job id → job (JSON)                    |
//! | `sso:bd:{bq:<client>}`  | zset | job id, scored by when it is due (ms)  |
//! | `sso:ba:{bq:<client>}`  | zset | job id, scored by when it was queued   |
//!
//! A claim reads the due set up to now (no scan) and moves what it takes
//! to now + lease: a job whose instance stopped is due again when its
//! lease runs out. Finishing checks the score is still that lease's. Times
//! are the Redis server's clock (`TIME`), the same for every instance. The
//! three keys expire [`KEEP`] after their last change, so the queue of a
//! client removed from the configuration does not stay forever.

use async_trait::async_trait;

use std::sync::LazyLock;
use std::time::Duration;

use redis::Script;

use super::*;
use super::{Conn, RedisStore, StoreError, millis, timed, to_json};
use crate::domain::{ClaimedLogouts, ClientId, LogoutJob, LogoutLease};

/// The longest retry window (a week) and a day.
const KEEP: Duration = Duration::from_secs(8 * 24 * 3600);

struct Keys {
    jobs: String,
    due: String,
    age: String,
}

fn keys(client: &ClientId) -> Keys {
    Keys {
        jobs: format!("sso:bj:{{bq:{client}}}"),
        due: format!("sso:bd:{{bq:{client}}}"),
        age: format!("sso:ba:{{bq:{client}}}"),
    }
}

/// KEYS: jobs, due, age. ARGV: cap, keep (ms), then (id, job) per job.
/// Returns the jobs the cap took out, oldest first.
static ENQUEUE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], now, ARGV[i])
  redis.call('ZADD', KEYS[3], now, ARGV[i])
end
local evicted = {}
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[1])
if over > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[3], over)
  for j = 1, #oldest, 2 do
    local job = redis.call('HGET', KEYS[1], oldest[j])
    if job then table.insert(evicted, job) end
    redis.call('HDEL', KEYS[1], oldest[j])
    redis.call('ZREM', KEYS[2], oldest[j])
  end
end
for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], ARGV[2]) end
return evicted",
    )
});

/// KEYS: jobs, due, age. ARGV: max, lease (ms). Returns the lease's end
/// and (id, job) per job taken; an id without a job is dropped.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[2])
local out = {}
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, id in ipairs(ids) do
  local job = redis.call('HGET', KEYS[1], id)
  if job then
    redis.call('ZADD', KEYS[2], until_ms, id)
    table.insert(out, id)
    table.insert(out, job)
  else
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
  end
end
return {until_ms, out}",
    )
});

/// KEYS: jobs, due, age. ARGV: id, the lease's end, then for a retry the
/// wait (ms) and the job's new state. Returns 1, or 0 if the job is no
/// longer held under that lease.
static FINISH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local held = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not held or tonumber(held) ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return 1",
    )
});

fn script<'a>(script: &'a Script, keys: &Keys) -> redis::ScriptInvocation<'a> {
    let mut call = script.key(&keys.jobs);
    call.key(&keys.due).key(&keys.age);
    call
}

impl RedisStore {
    pub(super) async fn enqueue_client_logouts(
        &self,
        conn: &mut Conn,
        client: &ClientId,
        jobs: &[&LogoutJob],
        cap: usize,
    ) -> Result<Vec<LogoutJob>, StoreError> {
        let keys = keys(client);
        let mut call = script(&ENQUEUE, &keys);
        call.arg(cap).arg(millis(KEEP));
        for job in jobs {
            call.arg(&job.id).arg(to_json(job));
        }
        let evicted: Vec<String> = timed(call.invoke_async(conn)).await?;
        Ok(evicted
            .iter()
            .filter_map(|raw| serde_json::from_str(raw).ok())
            .collect())
    }

    pub(super) async fn claim_client_logouts(
        &self,
        conn: &mut Conn,
        client: &ClientId,
        max: usize,
        lease: Duration,
    ) -> Result<ClaimedLogouts, StoreError> {
        let keys = keys(client);
        let mut call = script(&CLAIM, &keys);
        call.arg(max).arg(millis(lease));
        let (until_ms, taken): (i64, Vec<(String, String)>) =
            timed(call.invoke_async(conn)).await?;
        let mut claimed = ClaimedLogouts::default();
        for (id, raw) in taken {
            let lease = LogoutLease {
                client: client.clone(),
                id,
                until_ms,
            };
            match serde_json::from_str::<LogoutJob>(&raw) {
                Ok(job) => claimed.jobs.push((lease, job)),
                Err(err) => {
                    tracing::warn!(%client, id = %lease.id, error = %err, "unreadable back-channel logout job dropped");
                    self.finish_client_logout(conn, &lease, None).await?;
                    claimed.unreadable += 1;
                }
            }
        }
        Ok(claimed)
    }

    pub(super) async fn finish_client_logout(
        &self,
        conn: &mut Conn,
        lease: &LogoutLease,
        retry: Option<(&LogoutJob, Duration)>,
    ) -> Result<bool, StoreError> {
        let keys = keys(&lease.client);
        let mut call = script(&FINISH, &keys);
        call.arg(&lease.id).arg(lease.until_ms);
        if let Some((job, wait)) = retry {
            call.arg(millis(wait)).arg(to_json(job));
        }
        let done: i64 = timed(call.invoke_async(conn)).await?;
        Ok(done == 1)
    }
}

/// Where every job lived before the queues were per client: one stream and
/// one retry set. Jobs found there are moved into their clients' queues.
const LEGACY_STREAM: &str = "sso:bq:{logout}";
const LEGACY_WAITING: &str = "sso:bw:{logout}";

impl RedisStore {
    /// Moves the jobs of a server from before per-client queues into them,
    /// so an upgrade loses no sign-out. Each legacy key is first renamed to
    /// a name of this call's own (same slot): of several instances starting
    /// together, exactly one moves it.
    pub(super) async fn adopt_legacy_logouts(&self, conn: &mut Conn) -> Result<(), StoreError> {
        for legacy in [LEGACY_STREAM, LEGACY_WAITING] {
            let mine = format!("{legacy}:adopting:{}", Uuid::new_v4().simple());
            let renamed = timed(
                redis::cmd("RENAME")
                    .arg(legacy)
                    .arg(&mine)
                    .query_async::<()>(conn),
            )
            .await;
            match renamed {
                Ok(()) => {}
                // Nothing (left) to adopt.
                Err(StoreError::Backend(e)) if e.contains("no such key") => continue,
                Err(e) => return Err(e),
            }
            let raw: Vec<String> = if legacy == LEGACY_STREAM {
                let entries: redis::streams::StreamRangeReply = timed(
                    redis::cmd("XRANGE")
                        .arg(&mine)
                        .arg("-")
                        .arg("+")
                        .query_async(conn),
                )
                .await?;
                entries.ids.iter().filter_map(|e| e.get("j")).collect()
            } else {
                timed(
                    redis::cmd("ZRANGE")
                        .arg(&mine)
                        .arg(0)
                        .arg(-1)
                        .query_async(conn),
                )
                .await?
            };
            let jobs: Vec<LogoutJob> = raw
                .iter()
                .filter_map(|j| serde_json::from_str(j).ok())
                .collect();
            let mut by_client: BTreeMap<&ClientId, Vec<&LogoutJob>> = BTreeMap::new();
            for job in &jobs {
                by_client.entry(&job.client).or_default().push(job);
            }
            for (client, jobs) in by_client {
                self.enqueue_client_logouts(conn, client, &jobs, usize::MAX)
                    .await?;
            }
            let dropped = raw.len() - jobs.len();
            tracing::info!(
                adopted = jobs.len(),
                dropped,
                "back-channel logouts moved into per-client queues"
            );
            timed(redis::cmd("DEL").arg(&mine).query_async::<()>(conn)).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl LogoutStore for RedisStore {
    async fn enqueue_logouts(
        &self,
        jobs: &[LogoutJob],
        cap: usize,
    ) -> Result<Vec<LogoutJob>, StoreError> {
        let mut by_client: BTreeMap<&ClientId, Vec<&LogoutJob>> = BTreeMap::new();
        for job in jobs {
            by_client.entry(&job.client).or_default().push(job);
        }
        let mut conn = self.conn().await?;
        let mut evicted = Vec::new();
        for (client, jobs) in by_client {
            evicted.extend(
                self.enqueue_client_logouts(&mut conn, client, &jobs, cap)
                    .await?,
            );
        }
        Ok(evicted)
    }

    async fn claim_logouts(
        &self,
        client: &ClientId,
        max: usize,
        lease: Duration,
    ) -> Result<ClaimedLogouts, StoreError> {
        let mut conn = self.conn().await?;
        if !self.legacy_adopted.load(Ordering::Relaxed) {
            self.adopt_legacy_logouts(&mut conn).await?;
            self.legacy_adopted.store(true, Ordering::Relaxed);
        }
        self.claim_client_logouts(&mut conn, client, max, lease)
            .await
    }

    async fn finish_logout(
        &self,
        lease: &LogoutLease,
        retry: Option<(&LogoutJob, Duration)>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        self.finish_client_logout(&mut conn, lease, retry).await
    }

    async fn start_signout(
        &self,
        signout: &str,
        users: &[UserId],
        clients: &[ClientId],
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let key = key_deliveries(signout);
        let mut fields: Vec<(String, &str)> = users
            .iter()
            .map(|u| (format!("{SIGNOUT_USER}{}", u.0.simple()), ""))
            .collect();
        fields.extend(
            clients
                .iter()
                .map(|c| (c.as_str().to_owned(), DeliveryState::Pending.as_str())),
        );
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset_multiple(&key, &fields)
            .ignore()
            .pexpire(&key, i64::try_from(millis(keep)).unwrap_or(i64::MAX))
            .ignore();
        timed(pipe.query_async::<()>(&mut conn)).await
    }

    async fn set_delivery_state(
        &self,
        signout: &str,
        client: &ClientId,
        state: DeliveryState,
        keep: Duration,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let key = key_deliveries(signout);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset(&key, client.as_str(), state.as_str())
            .ignore()
            .pexpire(&key, i64::try_from(millis(keep)).unwrap_or(i64::MAX))
            .ignore();
        timed(pipe.query_async::<()>(&mut conn)).await
    }

    async fn delivery_states(&self, signout: &str) -> Result<SignoutStates, StoreError> {
        let mut conn = self.conn().await?;
        let all: HashMap<String, String> = timed(conn.hgetall(key_deliveries(signout))).await?;
        let mut states = SignoutStates::default();
        for (field, value) in all {
            if let Some(user) = field.strip_prefix(SIGNOUT_USER) {
                let id = Uuid::parse_str(user)
                    .map_err(|_| StoreError::Corrupt(format!("sign-out user {user}")))?;
                states.users.push(UserId(id));
                continue;
            }
            let client = ClientId::parse(&field)
                .map_err(|_| StoreError::Corrupt(format!("delivery client {field}")))?;
            let state = DeliveryState::parse(&value)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery state {value}")))?;
            states.deliveries.push((client, state));
        }
        Ok(states)
    }
}
