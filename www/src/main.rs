//! `www`: serves the demo sites, each on its own port (so each is its own
//! site in the browser): `sites/<name>/` over the files in `sites/shared/`,
//! plus the receiver page from `xd-receiver/`. The news site also runs its
//! account backend (see [`sso_www::account`]).
//!
//! The pages are written for the demo configuration
//! (`http://sso.localhost:8080`, sites on 8081-8083); when started on other
//! ports, other origins or against another server, those URLs are rewritten
//! as the files are loaded, which is what the end-to-end tests do (on
//! HTTPS, behind a TLS listener: `--origins https://news.test:…`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use actix_web::{App, HttpServer, web};
use clap::Parser;
use sso_www::account::AccountBackend;
use sso_www::sites::{self, Site, WwwError};
use sso_www::sso_api::{Connection, Credentials, SsoApi};

const SITES: [(&str, u16); 3] = [("news", 8081), ("sport", 8082), ("shop", 8083)];
const DEMO_SSO: &str = "http://sso.localhost:8080";
/// The site with a backend of its own.
const BACKEND_SITE: &str = "news";

#[derive(Debug, Parser)]
#[command(about = "Serve the demo sites news, sport and shop")]
struct Cli {
    /// The SSO server the pages load the library from and sign in with.
    #[arg(long, env = "WWW_SSO_SERVER", default_value = DEMO_SSO)]
    sso_server: String,
    /// Ports of news, sport and shop.
    #[arg(long, num_args = 3, value_names = ["NEWS", "SPORT", "SHOP"], default_values_t = [8081, 8082, 8083])]
    ports: Vec<u16>,
    /// The origins browsers reach news, sport and shop at, when not
    /// `http://<name>.localhost:<port>` (e.g. behind a TLS listener).
    #[arg(long, num_args = 3, value_names = ["NEWS", "SPORT", "SHOP"])]
    origins: Option<Vec<String>>,
    /// A PEM certificate authority the news backend trusts for the SSO
    /// server, besides the public ones (a private or test authority).
    #[arg(long)]
    sso_ca: Option<PathBuf>,
    /// The address the news backend connects to for the SSO server, instead
    /// of resolving its host name.
    #[arg(long)]
    sso_address: Option<IpAddr>,
    /// The folder with shared/, news/, sport/, shop/.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/sites"))]
    dir: PathBuf,
    /// The receiver page every site hosts (the one operators copy).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../xd-receiver/xd_receiver.html"))]
    receiver: PathBuf,
    /// The news backend's OAuth client secret (client `news`).
    #[arg(long, env = "WWW_NEWS_CLIENT_SECRET", default_value = "news-secret")]
    news_client_secret: String,
    /// The application the news backend calls the application API as.
    #[arg(long, env = "WWW_APP_ID", default_value = "portal")]
    app_id: String,
    #[arg(long, env = "WWW_APP_SECRET", default_value = "portal-secret")]
    app_secret: String,
    /// The SSO service the news backend links its accounts under.
    #[arg(long, env = "WWW_SSO_SERVICE", default_value = "federation")]
    sso_service: String,
}

async fn run(cli: Cli) -> Result<(), WwwError> {
    let sso = cli.sso_server.trim_end_matches('/').to_owned();
    let origins: Vec<String> = match cli.origins {
        Some(origins) => origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect(),
        None => SITES
            .iter()
            .zip(&cli.ports)
            .map(|((name, _), port)| format!("http://{name}.localhost:{port}"))
            .collect(),
    };
    let mut rewrite = vec![(DEMO_SSO.to_owned(), sso.clone())];
    for ((name, demo_port), origin) in SITES.iter().zip(&origins) {
        rewrite.push((
            format!("http://{name}.localhost:{demo_port}"),
            origin.clone(),
        ));
    }
    let connection = Connection {
        extra_root: match &cli.sso_ca {
            Some(path) => Some(std::fs::read(path).map_err(|source| WwwError::Read {
                path: path.clone(),
                source,
            })?),
            None => None,
        },
        address: cli.sso_address,
    };
    let api = SsoApi::connecting(
        &sso,
        Credentials {
            client_id: BACKEND_SITE.to_owned(),
            client_secret: cli.news_client_secret,
            app_id: cli.app_id,
            app_secret: cli.app_secret,
            service: cli.sso_service,
        },
        &connection,
    )
    .map_err(WwwError::Backend)?;
    // What every site serves, read once; each site adds its own folder.
    let mut shared = HashMap::new();
    sites::load_dir(&cli.dir.join("shared"), &rewrite, &mut shared)?;
    sites::load_file(&cli.receiver, &rewrite, &mut shared)?;
    let mut servers = Vec::new();
    for (((name, _), port), origin) in SITES.iter().zip(&cli.ports).zip(&origins) {
        let mut files = shared.clone();
        sites::load_dir(&cli.dir.join(name), &rewrite, &mut files)?;
        let site: Site = Arc::new(files);
        let backend = (*name == BACKEND_SITE).then(|| AccountBackend::new(api.clone(), origin));
        let server = HttpServer::new(move || {
            let backend = backend.clone();
            App::new()
                .app_data(web::Data::new(site.clone()))
                .configure(|cfg| {
                    if let Some(backend) = backend {
                        backend.routes(cfg);
                    }
                })
                .default_service(web::to(sites::serve))
        })
        .workers(1)
        .bind(("127.0.0.1", *port))
        .map_err(|source| WwwError::Bind {
            port: *port,
            source,
        })?
        .run();
        println!("  {name:<6} {origin}");
        servers.push(server);
    }
    // Until Ctrl-C stops them all.
    let handles: Vec<_> = servers.into_iter().map(actix_web::rt::spawn).collect();
    for handle in handles {
        let _ = handle.await;
    }
    Ok(())
}

#[actix_web::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("www: {err}");
            ExitCode::FAILURE
        }
    }
}
