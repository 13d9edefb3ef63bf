//! The static half of a demo site: `sites/<name>/` over the files in
//! `sites/shared/`, plus the receiver page, read once at start and served
//! from memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

#[derive(Debug, thiserror::Error)]
pub enum WwwError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot set up the news backend: {0}")]
    Backend(crate::sso_api::SsoApiError),
}

#[derive(Clone)]
pub struct File {
    content_type: &'static str,
    body: web::Bytes,
}

pub type Site = Arc<HashMap<String, File>>;

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
pub fn load_dir(
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
pub fn load_file(
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

pub async fn serve(site: web::Data<Site>, req: HttpRequest) -> HttpResponse {
    let path = match req.path() {
        "/" => "/index.html",
        p => p,
    };
    match site.get(path) {
        // The demo sites send no Referer anywhere, as privacy-minded sites
        // do: the SSO flows must not depend on one.
        Some(file) => HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .body(file.body.clone()),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body(format!("{path}: no such page on this demo site\n")),
    }
}
