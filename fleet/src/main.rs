//! `sso-fleet`: a local Redis Cluster, several `sso-server` instances on it
//! and a round-robin proxy in front, until SIGTERM, Ctrl-C or the end of
//! standard input. Prints `ready <proxy URL>` and one `instance <URL>` line
//! per instance once every instance answers. The browser e2e run on many
//! instances starts it (www/tests/support/servers.ts).

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;

use clap::Parser;
use sso_fleet::{Fleet, FleetOptions, proxy};
use tokio::io::AsyncReadExt;

#[derive(Debug, Parser)]
struct Cli {
    /// The configuration every instance reads.
    #[arg(long)]
    config: PathBuf,
    /// The `sso-server` binary.
    #[arg(long, default_value = "target/debug/sso-server")]
    server_bin: PathBuf,
    #[arg(long, default_value_t = 3)]
    instances: usize,
    /// Where the proxy listens (the configuration's public URL names it).
    #[arg(long)]
    listen: String,
    #[arg(long)]
    assets_dir: Option<PathBuf>,
    #[arg(long, default_value = "warn")]
    log: String,
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    let listener = TcpListener::bind(&cli.listen)?;
    let fleet = Fleet::start(FleetOptions {
        server_bin: cli.server_bin,
        config: cli.config,
        instances: cli.instances,
        assets_dir: cli.assets_dir,
        log: cli.log,
    })
    .await;
    let server = proxy::serve(listener, fleet.instance_urls())?;
    let handle = server.handle();
    let serving = tokio::spawn(server);
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready http://{}", cli.listen)?;
    for url in fleet.instance_urls() {
        writeln!(out, "instance {url}")?;
    }
    out.flush()?;
    drop(out);

    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 64];
    let stdin_closed = async { while stdin.read(&mut buf).await.is_ok_and(|n| n > 0) {} };
    tokio::select! {
        _ = terminate.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
        () = stdin_closed => {}
    }
    handle.stop(false).await;
    let _ = serving.await;
    drop(fleet);
    // The runtime would wait at shutdown for the blocking read of standard
    // input, which cannot be cancelled: everything is stopped, so leave.
    std::process::exit(0)
}
