//! `test-ca DIR NAME...`: a certificate authority made for one test run, and
//! a server certificate it signs for the given host names, so that a browser
//! suite can serve the SSO server and the sites over HTTPS on
//! production-like names (`sso.family.test`, `news.test`, ...).
//!
//! Writes into DIR: `ca.pem` (the authority's certificate), `cert.pem` (the
//! server certificate followed by the authority's: the chain a server
//! presents) and `key.pem` (the server's private key). The browser is told
//! to trust the authority's key; nothing here is trusted anywhere else, and
//! the authority's private key is never written.

use std::path::PathBuf;
use std::process::ExitCode;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(dir), names) = (args.next(), args.collect::<Vec<_>>()) else {
        eprintln!("usage: test-ca DIR NAME...");
        return ExitCode::from(2);
    };
    if names.is_empty() {
        eprintln!("test-ca: name at least one host for the server certificate");
        return ExitCode::from(2);
    }
    match write(PathBuf::from(dir), names) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("test-ca: {err}");
            ExitCode::FAILURE
        }
    }
}

fn write(dir: PathBuf, names: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "sso test run authority");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate()?)?;

    let mut server = CertificateParams::new(names)?;
    server
        .distinguished_name
        .push(DnType::CommonName, "sso test run server");
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate()?;
    let cert = server.signed_by(&key, &ca)?;

    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("ca.pem"), ca.pem())?;
    std::fs::write(dir.join("cert.pem"), cert.pem() + &ca.pem())?;
    std::fs::write(dir.join("key.pem"), key.serialize_pem())?;
    Ok(())
}
