//! `mail-sink`: the demo's mail server. It receives the SSO server's mail
//! over SMTP and shows it on a page, newest first, so a person trying
//! `make run` can open a verification or password-reset link.

use std::net::SocketAddr;

use actix_web::{App, HttpResponse, HttpServer, web};
use clap::Parser;
use mail_sink::{Inbox, Mail};

#[derive(Parser)]
#[command(about = "An SMTP server that keeps what it receives and shows it on a web page")]
struct Args {
    /// Where to receive mail (SMTP).
    #[arg(long, default_value = "127.0.0.1:2525")]
    smtp: SocketAddr,
    /// Where to show it (HTTP).
    #[arg(long, default_value = "127.0.0.1:8085")]
    http: SocketAddr,
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let inbox = Inbox::default();
    let listener = tokio::net::TcpListener::bind(args.smtp).await?;
    tokio::spawn(mail_sink::serve(listener, inbox.clone()));
    let data = web::Data::new(inbox);
    HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/", web::get().to(page))
    })
    .workers(1)
    .bind(args.http)?
    .run()
    .await
}

async fn page(inbox: web::Data<Inbox>) -> HttpResponse {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"5\">\
         <title>Demo inbox</title>\
         <style>body{font:16px system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}\
         article{border:1px solid #ccc;border-radius:6px;padding:0 1rem;margin:1rem 0}\
         pre{white-space:pre-wrap}</style>\
         <main><h1>Demo inbox</h1><p>Every mail the SSO server sent, newest first \
         (this page reloads every 5 seconds).</p>",
    );
    let mails = inbox.mails();
    if mails.is_empty() {
        html.push_str("<p>No mail yet.</p>");
    }
    for mail in mails.iter().rev() {
        article(&mut html, mail);
    }
    html.push_str("</main></html>");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(html)
}

fn article(html: &mut String, mail: &Mail) {
    html.push_str("<article><h2>");
    html.push_str(&escape(&mail.subject));
    html.push_str("</h2><p>To ");
    html.push_str(&escape(&mail.to.join(", ")));
    html.push_str("</p><pre>");
    // Each http(s) word becomes a link, the rest stays text.
    for (i, word) in mail.text.split(' ').enumerate() {
        if i > 0 {
            html.push(' ');
        }
        let mut rest = word;
        while let Some(at) = rest.find("http") {
            html.push_str(&escape(&rest[..at]));
            let link = &rest[at..];
            let end = link.find(char::is_whitespace).unwrap_or(link.len());
            let url = escape(&link[..end]);
            if url.starts_with("http://") || url.starts_with("https://") {
                html.push_str(&format!("<a href=\"{url}\">{url}</a>"));
            } else {
                html.push_str(&url);
            }
            rest = &link[end..];
        }
        html.push_str(&escape(rest));
    }
    html.push_str("</pre></article>");
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
