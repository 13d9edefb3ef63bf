//! Logging and per-request observation. Request logs carry the method, the
//! path (never the query string: `/sso/set?sso_code=…` is a secret), the
//! status and the latency, all tagged with the request id that error bodies
//! repeat.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::EitherWriter;

use sso_core::config::LogFormat;
use uuid::Uuid;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served (a fresh one outside any request).
pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| Uuid::new_v4().simple().to_string())
}

/// Installs the global log subscriber, writing to standard output, or to
/// standard error for commands whose output is their result
/// (`check-config`); `filter` uses `EnvFilter` syntax. A second call
/// (tests) keeps the first subscriber.
pub fn init(filter: &str, format: LogFormat, to_stderr: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Called for every line: chosen without allocating.
        .with_writer(move || match to_stderr {
            true => EitherWriter::A(std::io::stderr()),
            false => EitherWriter::B(std::io::stdout()),
        });
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // One JSON object per line, the event's fields flattened beside
        // `message`, with the request span's id.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// Paths are logged up to this many bytes: a request line can be as long as
/// the server's header limit, and a log line should not be.
const MAX_LOGGED_PATH: usize = 256;

fn loggable_path(path: &str) -> String {
    match path.char_indices().nth(MAX_LOGGED_PATH) {
        Some((cut, _)) => format!("{}…", &path[..cut]),
        None => path.to_owned(),
    }
}

/// Middleware: assigns the request id, logs, and records metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = Uuid::new_v4().simple().to_string();
    // Every label comes from a fixed set: a request names its method and
    // path, and a label per distinct value would be a series kept forever.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let path = loggable_path(req.path());
    let span = tracing::info_span!("request", id = %request_id);
    let started = Instant::now();

    let result = REQUEST_ID
        .scope(request_id.clone(), next.call(req))
        .instrument(span.clone())
        .await;

    let elapsed = started.elapsed();
    let status = match &result {
        Ok(res) => res.status(),
        Err(err) => err.as_response_error().status_code(),
    };
    crate::metrics::global().observe(&route, method, status.as_u16(), elapsed);
    span.in_scope(|| {
        tracing::info!(
            %method,
            %path,
            status = status.as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
    });

    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

/// The `method` label: the methods the server routes, else `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}
