use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};
use mimalloc::MiMalloc;
use sso_core::config::{ConfigSource, LogFormat, Overrides, Settings};
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
    #[arg(long, env = "SSO_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Run the built-in demo configuration (published secrets) even on a
    /// public URL that is not loopback or *.localhost.
    #[arg(long, global = true)]
    demo: bool,
    /// Listen address, e.g. 127.0.0.1:8080.
    #[arg(long, env = "SSO_LISTEN", global = true)]
    listen: Option<String>,
    /// Admin listen address (/metrics, /healthz, /readyz), e.g. 127.0.0.1:9080.
    #[arg(long, env = "SSO_ADMIN_LISTEN", global = true)]
    admin_listen: Option<String>,
    /// Public URL of this server, e.g. https://sso.example.com.
    #[arg(long, env = "SSO_PUBLIC_URL", global = true)]
    public_url: Option<String>,
    /// Store: `memory`, a redis:// (rediss://) URL or a redis+cluster://
    /// (rediss+cluster://) URL listing seed nodes.
    #[arg(long, env = "SSO_STORE", global = true)]
    store: Option<String>,
    /// Directory with the built browser library (sso.js, sso_bg.wasm).
    #[arg(long, env = "SSO_ASSETS_DIR", global = true)]
    assets_dir: Option<String>,
    /// Key that signs access tokens: base64 of at least 32 random bytes
    /// (e.g. `openssl rand -base64 32`). Unset, one is generated at start.
    #[arg(
        long,
        env = "SSO_ACCESS_TOKEN_KEY",
        hide_env_values = true,
        global = true
    )]
    access_token_key: Option<String>,
    /// PEM file of the P-256 private keys (PKCS#8) that sign ID tokens; the
    /// first signs, all are published. Unset, one is generated at start.
    #[arg(long, env = "SSO_ID_TOKEN_KEYS", global = true)]
    id_token_keys: Option<String>,
    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "SSO_LOG", default_value = "info", global = true)]
    log: String,
    /// Log lines as `text` or `json` (one object per line); overrides the
    /// file's `log_format`.
    #[arg(long, env = "SSO_LOG_FORMAT", value_parser = log_format(), global = true)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// `--log-format`'s values (the core's `LogFormat` knows no command line).
fn log_format() -> impl TypedValueParser<Value = LogFormat> {
    clap::builder::PossibleValuesParser::new(["text", "json"]).map(|value| match value.as_str() {
        "json" => LogFormat::Json,
        _ => LogFormat::Text,
    })
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Prints a new client or application secret (256 random bits) and, on
    /// the next line, its hash for `secret_hash` in the configuration.
    GenSecret,
    /// Reads an existing client or application secret from standard input
    /// (one line) and prints its hash for `secret_hash`.
    HashSecret,
    /// Validates the configuration (the file, or the demo, with the flags
    /// and `SSO_*` variables over it) and prints it as it would run, secrets
    /// redacted. Exit status 2 when it is invalid.
    CheckConfig,
    /// Writes a new ES256 ID-token key to the PEM file PATH (which must not
    /// exist) and prints the `access_token_key` and `id_token_keys` lines
    /// for the configuration.
    GenKeys {
        /// Where to write the ID-token key (PEM, PKCS#8; mode 0600).
        path: PathBuf,
    },
}

fn gen_keys(path: &std::path::Path) -> ExitCode {
    use std::io::Write;
    let keys = sso_core::oidc::SigningKeys::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(path)
        .and_then(|mut f| f.write_all(keys.private_pem().as_bytes()));
    if let Err(err) = written {
        eprintln!("sso-server: cannot write {}: {err}", path.display());
        return ExitCode::FAILURE;
    }
    let key = sso_core::config::AccessTokenKey::generate();
    println!("# Keep both secret, and the same on every instance.");
    println!("access_token_key = \"{}\"", key.to_base64());
    println!(
        "# ID-token key {} (kid); to rotate, put a new key first in",
        keys.current_kid()
    );
    println!("# the file and keep the old one after it until its tokens have expired.");
    println!("id_token_keys = \"{}\"", path.display());
    ExitCode::SUCCESS
}

fn gen_secret() -> ExitCode {
    let (secret, hash) = sso_core::machine_secret::generate();
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
    println!("{}", sso_core::domain::MachineSecretHash::of(secret));
    ExitCode::SUCCESS
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::GenSecret) => return gen_secret(),
        Some(Command::HashSecret) => return hash_secret(),
        Some(Command::GenKeys { path }) => return gen_keys(path),
        Some(Command::CheckConfig) | None => {}
    }
    let overrides = Overrides {
        environment: true,
        log_format: cli.log_format,
        listen: cli.listen,
        admin_listen: cli.admin_listen,
        public_url: cli.public_url,
        store: cli.store,
        assets_dir: cli.assets_dir,
        access_token_key: cli.access_token_key,
        id_token_keys: cli.id_token_keys,
    };
    let source = match ConfigSource::read(cli.config.as_deref()) {
        Ok(source) => source,
        Err(err) => {
            eprintln!("sso-server: {err}");
            return ExitCode::from(2);
        }
    };
    let checking = matches!(cli.command, Some(Command::CheckConfig));
    telemetry::init(&cli.log, LogFormat::of(&source, &overrides), checking);
    if let Some(Command::CheckConfig) = cli.command {
        return match Settings::effective_toml(&source, &overrides, cli.demo) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("sso-server: {err}");
                ExitCode::from(2)
            }
        };
    }
    let settings = match Settings::load(&source, &overrides, cli.demo) {
        Ok(s) => s,
        Err(err) => {
            eprintln!("sso-server: {err}");
            return ExitCode::from(2);
        }
    };
    let store = settings.store.describe();
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
