//! How the Redis store reaches Redis: one node through a reconnecting
//! connection manager, or a Redis Cluster through the crate's async cluster
//! client, behind one connection type so every store operation is written
//! once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use super::{StoreError, backend, timed};

/// Where a connection goes: how long it may take to open and to answer.
/// Below the store's per-operation bound, so a dead node turns into a 503
/// instead of a hung request.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
/// A cluster connection that met a dead node is replaced at most this often.
const REOPEN_EVERY: Duration = Duration::from_millis(500);

/// The Redis deployment a store talks to.
// One per store, made once: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum Target {
    Node(redis::Client),
    Cluster(ClusterClient),
}

impl Target {
    pub(super) fn node(url: &str) -> Result<Self, StoreError> {
        Ok(Self::Node(redis::Client::open(url).map_err(backend)?))
    }

    /// `nodes`: a URL per seed node (credentials and TLS in each); the
    /// client learns the rest of the cluster from them. Every read goes to
    /// the master of its slot: no answer is ever staler than the last write
    /// the master acknowledged.
    pub(super) fn cluster(nodes: &[String]) -> Result<Self, StoreError> {
        let client = ClusterClient::builder(nodes.iter().map(String::as_str))
            .connection_timeout(CONNECT_TIMEOUT)
            .response_timeout(RESPONSE_TIMEOUT)
            // A failover answers MOVED or refuses connections for a few
            // seconds; a few quick retries ride over a redirect, and the
            // store's bound on each operation turns the rest into a 503.
            .retries(2)
            .min_retry_wait(20)
            .max_retry_wait(200)
            .build()
            .map_err(backend)?;
        Ok(Self::Cluster(client))
    }

    pub(super) fn is_cluster(&self) -> bool {
        matches!(self, Self::Cluster(_))
    }

    async fn connect(&self, id: u64) -> Result<Conn, StoreError> {
        match self {
            Self::Node(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(RESPONSE_TIMEOUT))
                    .set_number_of_retries(2)
                    .set_min_delay(Duration::from_millis(20))
                    .set_max_delay(Duration::from_millis(200));
                let manager =
                    timed(ConnectionManager::new_with_config(client.clone(), config)).await?;
                Ok(Conn::Node(manager))
            }
            Self::Cluster(client) => Ok(Conn::Cluster(
                timed(client.get_async_connection()).await?,
                id,
            )),
        }
    }
}

/// A connection to a node or to a cluster; cheap to clone (both multiplex
/// over their sockets and reconnect by themselves). A cluster connection
/// knows its store, to report a dead node (see [`for_this_thread`]).
#[derive(Clone)]
pub(super) enum Conn {
    Node(ConnectionManager),
    Cluster(ClusterConnection, u64),
}

/// Errors after which a cluster connection's map of the slots may be
/// wrong (a master died; its replica may have taken over).
fn topology_suspect(err: &redis::RedisError) -> bool {
    err.is_io_error()
        || err.is_connection_refusal()
        || err.is_connection_dropped()
        || err.is_timeout()
        || err.is_cluster_error()
}

/// Reports a cluster request's failure to this thread's cache: an error a
/// failover causes, or a request given up before it was answered (the
/// store's time bound drops it while the client still waits on a dead node).
async fn noting_failure<T>(
    id: u64,
    request: impl Future<Output = redis::RedisResult<T>>,
) -> redis::RedisResult<T> {
    struct Pending(u64, bool);
    impl Drop for Pending {
        fn drop(&mut self) {
            if self.1 {
                let id = self.0;
                CONNECTIONS.with(|c| {
                    if let Some(cached) = c.borrow_mut().get_mut(&id) {
                        cached.suspect = true;
                    }
                });
            }
        }
    }
    let mut pending = Pending(id, true);
    let result = request.await;
    pending.1 = result.as_ref().is_err_and(topology_suspect);
    result
}

impl Conn {
    /// `WAIT replicas timeout` on the node that holds `key` (on a cluster,
    /// its slot's master: WAIT counts the replicas of the connection's own
    /// node). Returns how many replicas have every write made so far.
    pub(super) async fn wait_for_replicas(
        &mut self,
        key: &str,
        replicas: u32,
        wait: Duration,
    ) -> redis::RedisResult<u32> {
        let mut cmd = redis::cmd("WAIT");
        cmd.arg(replicas)
            .arg(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
        match self {
            Self::Node(c) => cmd.query_async(c).await,
            Self::Cluster(c, _) => {
                use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
                let route = Route::with_key(key, SlotAddr::Master);
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
                Ok(redis::from_redis_value(
                    c.route_command(cmd, routing).await?,
                )?)
            }
        }
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Node(c) => c.req_packed_command(cmd),
            Self::Cluster(c, id) => Box::pin(noting_failure(*id, c.req_packed_command(cmd))),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Node(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c, id) => Box::pin(noting_failure(
                *id,
                c.req_packed_commands(pipeline, offset, count),
            )),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Node(c) => c.get_db(),
            Self::Cluster(c, _) => c.get_db(),
        }
    }
}

/// A thread's connection to one store.
struct Cached {
    conn: Conn,
    opened: Instant,
    /// A request on it failed in a way a failover causes.
    suspect: bool,
}

thread_local! {
    static CONNECTIONS: RefCell<HashMap<u64, Cached>> = RefCell::new(HashMap::new());
}

/// This thread's connection for store `id`, opened on first use. Each HTTP
/// worker is a single-threaded runtime; a connection opened there has its
/// driver task on the same thread, so a request's Redis I/O needs no
/// cross-thread wake-ups (with one shared connection they were most of the
/// kernel time under load).
///
/// A cluster connection that met a dead node is replaced (at most every
/// [`REOPEN_EVERY`]): the cluster client refreshes its slot map when it
/// sees an error, but one refreshed before the replica's promotion keeps
/// the dead master and may not ask again for many seconds, while a new
/// connection reads the current map from the seeds.
pub(super) async fn for_this_thread(id: u64, target: &Target) -> Result<Conn, StoreError> {
    let cached = CONNECTIONS.with(|c| {
        c.borrow()
            .get(&id)
            .filter(|cached| !cached.suspect || cached.opened.elapsed() < REOPEN_EVERY)
            .map(|cached| cached.conn.clone())
    });
    if let Some(conn) = cached {
        return Ok(conn);
    }
    let conn = target.connect(id).await?;
    CONNECTIONS.with(|c| {
        c.borrow_mut().insert(
            id,
            Cached {
                conn: conn.clone(),
                opened: Instant::now(),
                suspect: false,
            },
        )
    });
    Ok(conn)
}
