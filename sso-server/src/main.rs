use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mimalloc::MiMalloc;
use sso_server::config::{Overrides, Settings, StoreSettings};
use sso_server::startup::Application;
use sso_server::telemetry;

// Requests allocate many small short-lived buffers on several threads;
// glibc's malloc took a fifth of the workers' CPU under load.
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// Federated single sign-on server.
///
/// Without --config it serves the built-in demo configuration on the
/// in-process store.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// TOML configuration file (default: the built-in demo).
    #[arg(long, env = "SSO_CONFIG")]
    config: Option<PathBuf>,
    /// Run the built-in demo configuration (published secrets) even on a
    /// public URL that is not loopback or *.localhost.
    #[arg(long)]
    demo: bool,
    /// Listen address, e.g. 127.0.0.1:8080.
    #[arg(long, env = "SSO_LISTEN")]
    listen: Option<String>,
    /// Admin listen address (/metrics, /healthz, /readyz), e.g. 127.0.0.1:9080.
    #[arg(long, env = "SSO_ADMIN_LISTEN")]
    admin_listen: Option<String>,
    /// Public URL of this server, e.g. https://sso.example.com.
    #[arg(long, env = "SSO_PUBLIC_URL")]
    public_url: Option<String>,
    /// Store: `memory` or a redis:// URL.
    #[arg(long, env = "SSO_STORE")]
    store: Option<String>,
    /// Directory with the built browser library (sso.js, sso_bg.wasm).
    #[arg(long, env = "SSO_ASSETS_DIR")]
    assets_dir: Option<String>,
    /// Key that signs access tokens: base64 of at least 32 random bytes
    /// (e.g. `openssl rand -base64 32`). Unset, one is generated at start.
    #[arg(long, env = "SSO_ACCESS_TOKEN_KEY", hide_env_values = true)]
    access_token_key: Option<String>,
    /// PEM file of the P-256 private keys (PKCS#8) that sign ID tokens; the
    /// first signs, all are published. Unset, one is generated at start.
    #[arg(long, env = "SSO_ID_TOKEN_KEYS")]
    id_token_keys: Option<String>,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "SSO_LOG", default_value = "info")]
    log: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Prints a new client or application secret (256 random bits) and, on
    /// the next line, its hash for `secret_hash` in the configuration.
    GenSecret,
    /// Reads an existing client or application secret from standard input
    /// (one line) and prints its hash for `secret_hash`.
    HashSecret,
}

fn gen_secret() -> ExitCode {
    let (secret, hash) = sso_server::machine_secret::generate();
    println!("secret:      {secret}");
    println!("secret_hash: {hash}");
    ExitCode::SUCCESS
}

fn hash_secret() -> ExitCode {
    let mut line = String::new();
    if let Err(err) = std::io::stdin().read_line(&mut line) {
        eprintln!("sso-server: cannot read the secret: {err}");
        return ExitCode::FAILURE;
    }
    let secret = line.trim_end_matches(['\r', '\n']);
    if secret.is_empty() {
        eprintln!("sso-server: the secret is empty");
        return ExitCode::from(2);
    }
    println!(
        "{}",
        sso_server::machine_secret::MachineSecretHash::of(secret)
    );
    ExitCode::SUCCESS
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::GenSecret) => return gen_secret(),
        Some(Command::HashSecret) => return hash_secret(),
        None => {}
    }
    telemetry::init(&cli.log);
    let overrides = Overrides {
        listen: cli.listen,
        admin_listen: cli.admin_listen,
        public_url: cli.public_url,
        store: cli.store,
        assets_dir: cli.assets_dir,
        access_token_key: cli.access_token_key,
        id_token_keys: cli.id_token_keys,
    };
    let settings = match Settings::load(cli.config.as_deref(), &overrides, cli.demo) {
        Ok(s) => s,
        Err(err) => {
            eprintln!("sso-server: {err}");
            return ExitCode::from(2);
        }
    };
    let store = match &settings.store {
        StoreSettings::Memory => "memory (in-process; state is lost on restart)".to_owned(),
        StoreSettings::Redis(url) => redacted(url),
    };
    let public_url = settings.public_url.clone();
    let app = match Application::build(settings).await {
        Ok(app) => app,
        Err(err) => {
            eprintln!("sso-server: {err}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(port = app.port(), admin_port = ?app.admin_port(), %public_url, %store, "sso-server listening");
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sso-server: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The store URL without its password, for the log.
fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}
