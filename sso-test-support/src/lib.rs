//! What every test crate of the workspace starts the same way: a real
//! `redis-server` on a free port ([`RedisServer`]), a real six-node Redis
//! Cluster ([`RedisCluster`]), a store of each kind ([`Backend`]) and the
//! store matrix that runs a test on each ([`each_store!`]), and the SSO
//! server itself on free ports ([`spawn_server`]), and a passkey
//! authenticator ([`Authenticator`]). A dev-dependency only
//! (and the bench's and the soak's).

mod authenticator;
mod redis_cluster;
mod redis_server;

use std::net::TcpListener;
use std::sync::Arc;

use sso_core::config::AccessTokenKey;
use sso_core::config::{Overrides, Settings};
use sso_core::store::{DynStore, MemoryStore, RedisStore};
use sso_server::startup::Application;

pub use authenticator::Authenticator;
pub use redis_cluster::RedisCluster;
pub use redis_server::RedisServer;

/// The Redis processes behind a test's store, stopped when dropped.
pub enum Redis {
    Node(RedisServer),
    Cluster(RedisCluster),
}

impl Redis {
    /// The store URL that reaches it.
    pub fn url(&self) -> String {
        match self {
            Self::Node(server) => server.url(),
            Self::Cluster(cluster) => cluster.url(),
        }
    }

    /// Kills every process at once, as a crash would.
    pub fn kill(&mut self) {
        match self {
            Self::Node(server) => server.kill(),
            Self::Cluster(cluster) => cluster.kill(),
        }
    }

    /// Starts it again, empty.
    pub fn restart(&mut self) {
        match self {
            Self::Node(server) => server.restart(),
            Self::Cluster(cluster) => cluster.restart(),
        }
    }
}

/// The store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded in-process store.
    Memory,
    /// A real `redis-server` started for this test alone.
    Redis,
    /// A real six-node Redis Cluster started for this test alone.
    RedisCluster,
}

impl Backend {
    /// A fresh, empty store, and the Redis server behind it (kept alive by
    /// holding it; dropping it stops the server).
    pub async fn store(self) -> (DynStore, Option<Redis>) {
        match self {
            Self::Memory => (Arc::new(MemoryStore::new()), None),
            Self::Redis => {
                let server = RedisServer::start();
                let store = RedisStore::open(&server.url())
                    .await
                    .expect("a Redis store on the test's redis-server");
                (Arc::new(store), Some(Redis::Node(server)))
            }
            Self::RedisCluster => {
                let cluster = RedisCluster::start();
                let store = RedisStore::open_cluster(&cluster.node_urls())
                    .await
                    .expect("a Redis store on the test's cluster");
                (Arc::new(store), Some(Redis::Cluster(cluster)))
            }
        }
    }
}

/// Runs each named `async fn name(backend: Backend)` once per store, as
/// `memory::name`, `redis::name` and `cluster::name`.
#[macro_export]
macro_rules! each_store {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $( #[tokio::test] async fn $name() { super::$name($crate::Backend::Memory).await } )*
        }
        mod redis {
            $( #[tokio::test] async fn $name() { super::$name($crate::Backend::Redis).await } )*
        }
        mod cluster {
            $( #[tokio::test] async fn $name() { super::$name($crate::Backend::RedisCluster).await } )*
        }
    };
}

/// A running SSO server.
pub struct Spawned {
    /// `http://127.0.0.1:<port>`, also the public URL (the OpenID issuer)
    /// when the configuration's is http.
    pub base: String,
    /// The admin listener (`/metrics`).
    pub admin: String,
    pub store: DynStore,
    /// The settings it runs with.
    pub settings: Settings,
    pub redis: Option<Redis>,
    /// What it mailed: a real SMTP server of this test's, which the
    /// configuration's `[email]` points at.
    pub inbox: mail_sink::Inbox,
    /// The task serving it: aborting it stops the server at once, as a
    /// crash would (nothing is finished or handed back).
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The SSO server on the demo configuration, `tweak`ed, on `backend`, on
/// free ports, served in the background of the current Tokio runtime. Its
/// access-token key is generated here and known to the test (in
/// `settings`), so a test can mint tokens of its own.
pub async fn spawn_server(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> Spawned {
    let (store, redis) = backend.store().await;
    spawn_server_on(store, redis, tweak)
}

/// The same on a given store: a second instance on the same Redis, or one
/// started again after another stopped.
pub fn spawn_server_on(
    store: DynStore,
    redis: Option<Redis>,
    tweak: impl FnOnce(&mut Settings),
) -> Spawned {
    let overrides = Overrides {
        listen: Some("127.0.0.1:0".into()),
        admin_listen: Some("127.0.0.1:0".into()),
        ..Default::default()
    };
    let mut settings = Settings::demo(&overrides).expect("the demo configuration loads");
    settings.workers = 2;
    settings.access_token_key = Some(AccessTokenKey::generate());
    let (relay, inbox) = mail_sink::start().expect("a mail sink on a free port");
    if let Some(email) = settings.email.as_mut() {
        email.relay_at(&format!("smtp://{relay}"));
    }
    tweak(&mut settings);
    // Bound first, so the public URL (the OpenID issuer) names the real port.
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("a bound port").port();
    let base = format!("http://127.0.0.1:{port}");
    if settings.public_url.scheme() == "http" {
        // `localhost` stays a name (WebAuthn has relying parties by name
        // only: the passkey tests ask for it); the rest is the bound address.
        settings.public_url = match settings.public_url.host_str() {
            Some("localhost") => format!("http://localhost:{port}"),
            _ => base.clone(),
        }
        .parse()
        .expect("a URL");
    }
    let app = Application::build_with_listener(settings.clone(), store.clone(), listener)
        .expect("the server builds");
    let admin = format!(
        "http://127.0.0.1:{}",
        app.admin_port().expect("an admin listener")
    );
    let task = tokio::spawn(app.run_until_stopped());
    Spawned {
        base,
        admin,
        store,
        settings,
        redis,
        inbox,
        task,
    }
}
