//! `www`: serves the demo sites, each on its own port (so each is its own
//! site in the browser): `sites/<name>/` over the files in `sites/shared/`,
//! plus the receiver page from `xd-receiver/`.
//!
//! The pages are written for the demo configuration
//! (`http://sso.localhost:8080`, sites on 8081-8083); when started on other
//! ports or against another server, those URLs are rewritten as the files
//! are loaded, which is what the end-to-end tests do.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use clap::Parser;

const SITES: [(&str, u16); 3] = [("news", 8081), ("sport", 8082), ("shop", 8083)];
const DEMO_SSO: &str = "http://sso.localhost:8080";

#[derive(Debug, Parser)]
#[command(about = "Serve the demo sites news, sport and shop")]
struct Cli {
    /// The SSO server the pages load the library from and sign in with.
    #[arg(long, env = "WWW_SSO_SERVER", default_value = DEMO_SSO)]
    sso_server: String,
    /// Ports of news, sport and shop.
    #[arg(long, num_args = 3, value_names = ["NEWS", "SPORT", "SHOP"], default_values_t = [8081, 8082, 8083])]
    ports: Vec<u16>,
    /// The folder with shared/, news/, sport/, shop/.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/sites"))]
    dir: PathBuf,
    /// The receiver page every site hosts (the one operators copy).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../xd-receiver/xd_receiver.html"))]
    receiver: PathBuf,
}

#[derive(Debug, thiserror::Error)]
enum WwwError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
}

#[derive(Clone)]
struct File {
    content_type: &'static str,
    body: web::Bytes,
}

type Site = Arc<HashMap<String, File>>;

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Reads `dir`'s files into `files` (later folders override earlier ones).
fn load_dir(
    dir: &Path,
    rewrite: &[(String, String)],
    files: &mut HashMap<String, File>,
) -> Result<(), WwwError> {
    let read_err = |source| WwwError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.is_file() {
            load_file(&path, rewrite, files)?;
        }
    }
    Ok(())
}

/// Reads one file, served at `/<its name>`, rewriting the demo URLs in text.
fn load_file(
    path: &Path,
    rewrite: &[(String, String)],
    files: &mut HashMap<String, File>,
) -> Result<(), WwwError> {
    let data = std::fs::read(path).map_err(|source| WwwError::Read {
        path: path.to_owned(),
        source,
    })?;
    let body = match String::from_utf8(data) {
        Ok(mut text) => {
            for (from, to) in rewrite {
                text = text.replace(from.as_str(), to);
            }
            text.into_bytes()
        }
        // Binary files (images) are served as they are.
        Err(e) => e.into_bytes(),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    files.insert(
        format!("/{name}"),
        File {
            content_type: content_type(path),
            body: body.into(),
        },
    );
    Ok(())
}

async fn serve(site: web::Data<Site>, req: HttpRequest) -> HttpResponse {
    let path = match req.path() {
        "/" => "/index.html",
        p => p,
    };
    match site.get(path) {
        Some(file) => HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(file.body.clone()),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body(format!("{path}: no such page on this demo site\n")),
    }
}

async fn run(cli: Cli) -> Result<(), WwwError> {
    let sso = cli.sso_server.trim_end_matches('/').to_owned();
    let mut rewrite = vec![(DEMO_SSO.to_owned(), sso)];
    for ((name, demo_port), port) in SITES.iter().zip(&cli.ports) {
        rewrite.push((
            format!("http://{name}.localhost:{demo_port}"),
            format!("http://{name}.localhost:{port}"),
        ));
    }
    // What every site serves, read once; each site adds its own folder.
    let mut shared = HashMap::new();
    load_dir(&cli.dir.join("shared"), &rewrite, &mut shared)?;
    load_file(&cli.receiver, &rewrite, &mut shared)?;
    let mut servers = Vec::new();
    for ((name, _), port) in SITES.iter().zip(&cli.ports) {
        let mut files = shared.clone();
        load_dir(&cli.dir.join(name), &rewrite, &mut files)?;
        let site: Site = Arc::new(files);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(site.clone()))
                .default_service(web::to(serve))
        })
        .workers(1)
        .bind(("127.0.0.1", *port))
        .map_err(|source| WwwError::Bind {
            port: *port,
            source,
        })?
        .run();
        println!("  {name:<6} http://{name}.localhost:{port}");
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
