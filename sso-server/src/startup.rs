//! Building and running the HTTP server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};

use crate::assets::{AssetError, Assets};
use crate::discovery::Discovery;
use crate::routes;
use crate::state::AppState;
use crate::telemetry;
use sso_core::access_token::AccessTokens;
use sso_core::authorization_codes::AuthorizationCodes;
use sso_core::backchannel::{self, Backchannel};
use sso_core::config::AccessTokenKey;
use sso_core::config::Settings;
use sso_core::confirmations::Confirmations;
use sso_core::machine_secret::FailurePacing;
use sso_core::oidc::{SigningKeyError, SigningKeys};
use sso_core::password::{PasswordHasher, VerifiedSecrets};
use sso_core::store::{self, DynStore, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Assets(#[from] AssetError),
    #[error(transparent)]
    SigningKeys(#[from] SigningKeyError),
    #[error(transparent)]
    Mail(#[from] sso_core::mail::MailError),
    #[error(transparent)]
    Passkeys(#[from] sso_core::passkeys::PasskeyConfigError),
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// A bound, not yet running server. Binding port 0 gives a free port, which
/// is what the tests do.
pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` and the probes, off the public port (`admin_listen`).
    admin: Option<(u16, Server)>,
    /// For the back-channel logout sender, which runs beside the servers.
    state: web::Data<AppState>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let store = store::open(&settings.store, settings.replica_acks).await?;
        Self::build_with_store(settings, store)
    }

    pub fn build_with_store(settings: Settings, store: DynStore) -> Result<Self, StartupError> {
        let listener = TcpListener::bind(settings.listen).map_err(|source| StartupError::Bind {
            addr: settings.listen,
            source,
        })?;
        Self::build_with_listener(settings, store, listener)
    }

    /// With a socket bound already: tests bind port 0 first so that the
    /// public URL (the OpenID issuer) can name the real port.
    pub fn build_with_listener(
        settings: Settings,
        store: DynStore,
        listener: TcpListener,
    ) -> Result<Self, StartupError> {
        let port = listener.local_addr()?.port();
        let assets = match &settings.assets_dir {
            Some(dir) => Some(Assets::load(dir)?),
            None => None,
        };
        let workers = match settings.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let key = settings.access_token_key.clone().unwrap_or_else(|| {
            tracing::warn!(
                "access_token_key is not set: generated one for this process; access tokens \
                 end when it stops and other instances will not accept them"
            );
            AccessTokenKey::generate()
        });
        let id_tokens = match &settings.id_token_keys {
            Some(path) => SigningKeys::load(path)?,
            None => {
                tracing::warn!(
                    "id_token_keys is not set: generated an ES256 key for this process; ID \
                     tokens it signs stop verifying when it stops"
                );
                SigningKeys::generate()
            }
        };
        let mailer = settings
            .email
            .as_ref()
            .map(sso_core::mail::Mailer::new)
            .transpose()?;
        let discovery = Discovery::new(settings.issuer(), &id_tokens);
        let passkeys = sso_core::passkeys::Passkeys::new(&settings)?;
        if passkeys.is_none() {
            tracing::warn!(public_url = %settings.public_url, "passkeys are off: WebAuthn needs public_url to name its host, not an IP address");
        }
        let state = web::Data::new(AppState {
            access_tokens: AccessTokens::new(&key),
            codes: AuthorizationCodes::new(&key),
            confirmations: Confirmations::new(&key),
            id_tokens,
            discovery,
            openapi: std::sync::OnceLock::new(),
            secrets: VerifiedSecrets::default(),
            auth_pacing: FailurePacing::new(settings.rate_limit.auth_failure_delay),
            backchannel: Backchannel::new(&settings),
            mailer,
            passkeys,
            settings,
            assets,
            store,
            hasher: PasswordHasher::new(),
        });
        let admin = match state.settings.admin_listen {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .map_err(|source| StartupError::Bind { addr, source })?;
                let port = listener.local_addr()?.port();
                let state = state.clone();
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(state.clone())
                        .configure(routes::configure_admin)
                })
                .workers(1)
                .listen(listener)?
                .run();
                Some((port, server))
            }
            None => None,
        };
        let app_state = state.clone();
        let per_worker = crate::fd_budget::connections_per_worker(workers);
        tracing::info!(
            workers,
            per_worker,
            "connections accepted at once, per worker"
        );
        let server = HttpServer::new(move || {
            App::new()
                .wrap(Compress::default())
                .wrap(from_fn(telemetry::observe))
                .app_data(state.clone())
                .configure(routes::configure(&state.settings))
        })
        .workers(workers)
        .max_connections(per_worker)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            admin,
            state: app_state,
        })
    }

    /// The admin listener's port, when `admin_listen` is set.
    pub fn admin_port(&self) -> Option<u16> {
        self.admin.as_ref().map(|(port, _)| *port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the servers stop; the back-channel logout sender runs
    /// as long as they do.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let servers = async {
            match self.admin {
                Some((_, admin)) => tokio::try_join!(self.server, admin).map(|_| ()),
                None => self.server.await,
            }
        };
        tokio::select! {
            stopped = servers => stopped,
            () = backchannel::run(self.state.into_inner(), AppState::delivery) => Ok(()),
        }
    }
}
