//! A round-robin HTTP proxy, as a load balancer without stickiness: each
//! request goes to the next instance in turn, so one person's sign-in,
//! checks, code redemption and sign-out land on different instances. Each
//! answer names its instance in `x-sso-instance`, for tests to see where
//! each request went, and `GET /_fleet/log` lists the last requests (method,
//! path, instance) as JSON. For tests and the soak, not for production.

use std::collections::VecDeque;
use std::net::TcpListener;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// Headers that belong to one hop, not to the request or answer.
const HOP_BY_HOP: [&str; 7] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailer",
];

/// Requests the log keeps, the oldest dropped first.
const LOG_LENGTH: usize = 10_000;

struct Backends {
    urls: Vec<String>,
    next: AtomicUsize,
    http: reqwest::Client,
    log: Mutex<VecDeque<(String, String, usize)>>,
}

/// Serves the proxy on `listener` in front of `backends` (base URLs).
pub fn serve(listener: TcpListener, backends: Vec<String>) -> std::io::Result<Server> {
    assert!(!backends.is_empty(), "a proxy needs a backend");
    let state = web::Data::new(Backends {
        urls: backends,
        next: AtomicUsize::new(0),
        log: Mutex::new(VecDeque::new()),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?,
    });
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(1 << 20))
            .route("/_fleet/log", web::get().to(log))
            .default_service(web::to(forward))
    })
    .workers(2)
    // Whoever runs the proxy decides when it stops.
    .disable_signals()
    .listen(listener)?
    .run())
}

async fn log(backends: web::Data<Backends>) -> HttpResponse {
    let log = backends.log.lock().expect("log lock");
    let entries: Vec<serde_json::Value> = log
        .iter()
        .map(|(method, path, i)| serde_json::json!({"method": method, "path": path, "instance": i}))
        .collect();
    HttpResponse::Ok().json(entries)
}

async fn forward(
    req: HttpRequest,
    body: web::Bytes,
    backends: web::Data<Backends>,
) -> HttpResponse {
    let i = backends.next.fetch_add(1, Ordering::Relaxed) % backends.urls.len();
    {
        let mut log = backends.log.lock().expect("log lock");
        if log.len() == LOG_LENGTH {
            log.pop_front();
        }
        log.push_back((req.method().to_string(), req.path().to_owned(), i));
    }
    let target = format!(
        "{}{}",
        backends.urls[i],
        req.uri().path_and_query().map_or("/", |p| p.as_str())
    );
    let Ok(method) = reqwest::Method::from_bytes(req.method().as_str().as_bytes()) else {
        return HttpResponse::MethodNotAllowed().finish();
    };
    let mut out = backends.http.request(method, target);
    for (name, value) in req.headers() {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            out = out.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = match out.body(body).send().await {
        Ok(answer) => answer,
        Err(err) => {
            return HttpResponse::BadGateway()
                .insert_header(("x-sso-instance", i.to_string()))
                .body(format!("instance {i} did not answer: {err}"));
        }
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut reply = HttpResponse::build(status);
    for (name, value) in answer.headers() {
        if !HOP_BY_HOP.contains(&name.as_str()) && name.as_str() != "content-length" {
            reply.append_header((name.as_str(), value.as_bytes()));
        }
    }
    reply.insert_header(("x-sso-instance", i.to_string()));
    match answer.bytes().await {
        Ok(bytes) => reply.body(bytes),
        Err(err) => HttpResponse::BadGateway().body(format!("instance {i} broke off: {err}")),
    }
}
