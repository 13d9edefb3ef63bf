//! The HTTP client the news backend reaches the SSO server with.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::SsoApiError;

/// How the backend reaches the SSO server beyond its URL: a private
/// certificate authority to trust besides the public ones, and an address
/// to connect to instead of resolving the server's host name (a server on
/// an internal network, or one the system resolver does not know).
#[derive(Debug, Default, Clone)]
pub struct Connection {
    /// A PEM certificate authority.
    pub extra_root: Option<Vec<u8>>,
    pub address: Option<IpAddr>,
}

/// A client for the server at `base` (no redirects, short timeouts).
pub fn client(base: &str, connection: &Connection) -> Result<reqwest::Client, SsoApiError> {
    let mut http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        // Shorter than the server's keep-alive (actix: 5 s), so a pooled
        // connection is never reused just as the server closes it (the
        // request then fails with "error sending request").
        .pool_idle_timeout(Duration::from_secs(2))
        .redirect(reqwest::redirect::Policy::none());
    let host = reqwest::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    // `*.localhost` is loopback (RFC 6761) in browsers, but not in every
    // system resolver; the port in the address is ignored, the URL's counts.
    let address = connection.address.or_else(|| {
        host.as_deref()
            .filter(|h| h.ends_with(".localhost"))
            .map(|_| IpAddr::V4(Ipv4Addr::LOCALHOST))
    });
    if let (Some(address), Some(host)) = (address, &host) {
        http = http.resolve(host, SocketAddr::new(address, 0));
    }
    if let Some(pem) = &connection.extra_root {
        http = http.add_root_certificate(reqwest::Certificate::from_pem(pem)?);
    }
    Ok(http.build()?)
}
