//! A real `redis-server` on a free loopback port, owned by one test and killed
//! when dropped. Nothing is persisted. [`RedisServer::start_tls`] serves TLS
//! only (a self-signed certificate made for it) and requires a password.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    port: u16,
    child: Option<Child>,
    tls: Option<Tls>,
}

/// Where a TLS server's certificate and key are, and its password.
struct Tls {
    dir: std::path::PathBuf,
    password: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub(crate) fn answers_ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 16];
    s.write_all(b"PING\r\n").is_ok()
        && s.read(&mut buf)
            .map(|n| buf[..n].starts_with(b"+PONG"))
            .unwrap_or(false)
}

impl RedisServer {
    pub fn start() -> Self {
        let mut server = Self {
            port: free_port(),
            child: None,
            tls: None,
        };
        server.spawn();
        server
    }

    /// A server that speaks TLS only, with a self-signed certificate for
    /// 127.0.0.1, and requires `password`.
    pub fn start_tls(password: &str) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("sso-redis-tls-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder for the certificate");
        let rcgen::CertifiedKey { cert, signing_key } = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .expect("a self-signed certificate");
        std::fs::write(dir.join("cert.pem"), cert.pem()).expect("the certificate written");
        std::fs::write(dir.join("key.pem"), signing_key.serialize_pem()).expect("the key written");
        let mut server = Self {
            port,
            child: None,
            tls: Some(Tls {
                dir,
                password: password.to_owned(),
            }),
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let bin = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let mut cmd = Command::new(&bin);
        match &self.tls {
            None => cmd.args(["--port", &self.port.to_string()]),
            Some(tls) => cmd
                .args(["--port", "0", "--tls-port", &self.port.to_string()])
                .arg("--tls-cert-file")
                .arg(tls.dir.join("cert.pem"))
                .arg("--tls-key-file")
                .arg(tls.dir.join("key.pem"))
                .arg("--tls-ca-cert-file")
                .arg(tls.dir.join("cert.pem"))
                .args(["--tls-auth-clients", "no", "--requirepass", &tls.password]),
        };
        let child = cmd
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--dir", &std::env::temp_dir().display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} (run `make test` to install it): {e}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        // A TLS port is ready when it accepts connections.
        let ready = |port| match self.tls {
            None => answers_ping(port),
            Some(_) => TcpStream::connect(("127.0.0.1", port)).is_ok(),
        };
        while !ready(self.port) {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its store URL; a TLS server's skips the certificate check
    /// (`#insecure`: the certificate is self-signed) and carries the password.
    pub fn url(&self) -> String {
        match &self.tls {
            None => format!("redis://127.0.0.1:{}/0", self.port),
            Some(tls) => format!(
                "rediss://:{}@127.0.0.1:{}/0#insecure",
                tls.password, self.port
            ),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        if let Some(tls) = &self.tls {
            let _ = std::fs::remove_dir_all(&tls.dir);
        }
    }
}
