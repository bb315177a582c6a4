//! [`TlsOptions`]: the TLS settings of a connection, named as in the Python SDK.

use alloc::string::String;
use alloc::vec::Vec;

use super::PrivateKey;

/// TLS settings of a connection. All certificates and keys are PEM bytes.
///
/// The names are the Python SDK's (`TLSConfig`); in a profile or the environment they are
/// envconfig's (`server_name`, `server_ca_cert_*`, `client_cert_*`, `client_key_*`).
///
/// ```
/// use temporal_lite_core::config::{ConnectOptions, TlsOptions};
///
/// let tls = TlsOptions::new()
///     .domain("temporal.internal")
///     .server_root_ca_cert(b"-----BEGIN CERTIFICATE-----...".to_vec());
/// let options = ConnectOptions::new("10.0.0.7:7233").tls(tls);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// The server's name, instead of the address host: sent as SNI, verified against the
    /// certificate, and sent as the `:authority` of every request (as the official clients
    /// do), e.g. when connecting by IP address or through a proxy.
    pub domain: Option<String>,
    /// CA certificate(s) to trust for the server; `None` uses the public web roots.
    pub server_root_ca_cert: Option<Vec<u8>>,
    /// Client certificate chain for mTLS.
    pub client_cert: Option<Vec<u8>>,
    /// Client private key for mTLS (PKCS#8, PKCS#1 or SEC1).
    pub client_private_key: Option<PrivateKey>,
    /// Accept a server certificate whose name does not match. Dangerous; only when set
    /// explicitly.
    pub disable_host_verification: bool,
}

impl TlsOptions {
    /// TLS with the public web roots and no client certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the server's name (see [`domain`](Self#structfield.domain)).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Trust these CA certificates (PEM) for the server instead of the public web roots.
    pub fn server_root_ca_cert(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.server_root_ca_cert = Some(pem.into());
        self
    }

    /// Present this client certificate chain (PEM) for mTLS.
    pub fn client_cert(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.client_cert = Some(pem.into());
        self
    }

    /// Use this client private key (PEM) for mTLS.
    pub fn client_private_key(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.client_private_key = Some(PrivateKey::new(pem.into()));
        self
    }

    /// Accept a server certificate whose name does not match (dangerous).
    pub fn disable_host_verification(mut self, disable: bool) -> Self {
        self.disable_host_verification = disable;
        self
    }
}
