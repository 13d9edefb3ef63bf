//! A real SMTP server that keeps what it receives, in memory: the mail
//! server of the tests (each starts one on a free port) and the inbox of
//! `make run`'s demo, whose page shows the mails so a person can follow the
//! links in them. It accepts every message and delivers none.

mod inbox;
mod smtp;

pub use inbox::{Inbox, Mail};
pub use smtp::{MAX_MESSAGE_BYTES, serve};

/// Starts a sink on a free loopback port in the current Tokio runtime (so
/// it must be called inside one): its address and its inbox.
pub fn start() -> std::io::Result<(std::net::SocketAddr, Inbox)> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let addr = listener.local_addr()?;
    let inbox = Inbox::default();
    tokio::spawn(serve(listener, inbox.clone()));
    Ok((addr, inbox))
}
