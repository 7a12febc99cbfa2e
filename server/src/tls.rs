//! TLS (rustls): a clinic's own certificate, or a self-signed one made on
//! first start for a LAN install, whose SHA-256 fingerprint is printed so
//! it can be checked (pinned) when a tablet is set up.

use crate::transport::Accept;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a certificate and its key are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {0}: {1}")]
    Read(String, String),
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("the certificate and key do not make a TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The self-signed certificate in `dir` (`cert.pem`, `key.pem`), made for
/// `names` (host names and IP addresses) if it is not there yet. Its key
/// file is readable by its owner only.
pub fn self_signed(dir: &Path, names: Vec<String>) -> Result<TlsFiles, TlsError> {
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    if files.cert.exists() && files.key.exists() {
        return Ok(files);
    }
    let made = rcgen::generate_simple_self_signed(names)?;
    std::fs::create_dir_all(dir).map_err(|e| TlsError::Write(dir.display().to_string(), e))?;
    write_private(&files.key, made.signing_key.serialize_pem().as_bytes())?;
    std::fs::write(&files.cert, made.cert.pem())
        .map_err(|e| TlsError::Write(files.cert.display().to_string(), e))?;
    Ok(files)
}

fn write_private(path: &Path, contents: &[u8]) -> Result<(), TlsError> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(contents))
        .map_err(|e| TlsError::Write(path.display().to_string(), e))
}

/// A loaded certificate: the acceptor, and the SHA-256 fingerprint of the
/// leaf certificate (`AB:CD:…`).
pub struct Loaded {
    pub acceptor: Tls,
    pub fingerprint: String,
}

/// Reads the certificate chain and key and makes the server configuration
/// (TLS 1.2 and 1.3, HTTP/1.1).
pub fn load(files: &TlsFiles) -> Result<Loaded, TlsError> {
    let read_error = |path: &Path, e: &dyn std::fmt::Display| {
        TlsError::Read(path.display().to_string(), e.to_string())
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| read_error(&files.cert, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| read_error(&files.cert, &e))?;
    let Some(leaf) = chain.first() else {
        return Err(read_error(&files.cert, &"no certificate in the file"));
    };
    let fingerprint = fingerprint(leaf);
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| read_error(&files.key, &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Loaded {
        acceptor: Tls(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
        fingerprint,
    })
}

/// `AB:CD:…`: the SHA-256 of a certificate, as browsers show it.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    Sha256::digest(cert.as_ref())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Accepts TLS connections.
#[derive(Clone)]
pub struct Tls(tokio_rustls::TlsAcceptor);

impl Accept for Tls {
    type Stream = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

    async fn accept(&self, tcp: tokio::net::TcpStream) -> std::io::Result<Self::Stream> {
        self.0.accept(tcp).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_made_once_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let files = self_signed(dir.path(), names.clone()).unwrap();
        let first = load(&files).unwrap().fingerprint;
        assert_eq!(first.len(), 32 * 3 - 1);
        // The second start keeps it (tablets pinned its fingerprint).
        let again = self_signed(dir.path(), names).unwrap();
        assert_eq!(load(&again).unwrap().fingerprint, first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&files.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is private");
        }
    }

    #[test]
    fn a_broken_certificate_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let files = TlsFiles {
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        };
        std::fs::write(&files.cert, "not a certificate").unwrap();
        std::fs::write(&files.key, "not a key").unwrap();
        let error = load(&files).err().expect("refused").to_string();
        assert!(error.contains("cert.pem"), "{error}");
    }
}
