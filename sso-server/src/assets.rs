//! The browser library's files (`sso.js`, `sso_bg.wasm`, `sso.d.ts`), read
//! once at startup from `assets_dir` and kept in memory with their gzip and
//! brotli encodings and an ETag, so serving one costs no disk or CPU.

use std::io::Write;
use std::path::{Path, PathBuf};

use actix_web::web::Bytes;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    #[error("cannot read the browser library at {path}: {source} (run `make build` first)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One file in its three encodings.
pub struct Asset {
    pub content_type: &'static str,
    /// Quoted strong validator: the first 64 bits of the SHA-256 of the file.
    pub etag: String,
    /// The same 16 hex digits, unquoted.
    pub version: String,
    pub identity: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
}

impl Asset {
    fn load(dir: &Path, name: &str, content_type: &'static str) -> Result<Self, AssetError> {
        let path = dir.join(name);
        let data = std::fs::read(&path).map_err(|source| AssetError::Read { path, source })?;
        let digest = Sha256::digest(&data);
        let version: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Ok(Self {
            content_type,
            etag: format!("\"{version}\""),
            version,
            gzip: gzip(&data).into(),
            brotli: brotli(&data).into(),
            identity: data.into(),
        })
    }

    /// The smallest encoding the client accepts: `(body, Content-Encoding)`.
    pub fn negotiate(&self, accept_encoding: &str) -> (&Bytes, Option<&'static str>) {
        if accepts(accept_encoding, "br") {
            (&self.brotli, Some("br"))
        } else if accepts(accept_encoding, "gzip") {
            (&self.gzip, Some("gzip"))
        } else {
            (&self.identity, None)
        }
    }
}

/// Whether an `Accept-Encoding` value allows `coding` (absent or `q=0` does not).
fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
    out
}

/// The three files of the bundle.
pub struct Assets {
    pub script: Asset,
    pub wasm: Asset,
    pub types: Asset,
}

impl Assets {
    pub fn load(dir: &Path) -> Result<Self, AssetError> {
        Ok(Self {
            script: Asset::load(dir, "sso.js", "text/javascript; charset=utf-8")?,
            wasm: Asset::load(dir, "sso_bg.wasm", "application/wasm")?,
            types: Asset::load(dir, "sso.d.ts", "text/plain; charset=utf-8")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_is_read_with_q_values() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("GZIP;q=0.5", "gzip"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "br"));
    }
}
