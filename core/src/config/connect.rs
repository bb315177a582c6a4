use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use super::{ApiKey, PrivateKey};
use crate::grpc::Metadata;

/// The address used when none is configured.
pub const DEFAULT_ADDRESS: &str = "localhost:7233";
/// The namespace used when none is configured.
pub const DEFAULT_NAMESPACE: &str = "default";

/// Everything needed to connect a client: where, as whom, and how securely.
///
/// Build one in code (`ConnectOptions::new("host:7233")` and the `with_*` methods), or resolve
/// one from a TOML profile and `TEMPORAL_*` variables with the environment-config loader.
/// `Debug` never shows the API key or the private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `host:port`, optionally with an `http://` or `https://` scheme.
    pub address: String,
    /// The Temporal namespace every namespaced call targets.
    pub namespace: String,
    /// API key sent as `authorization: Bearer <key>`.
    pub api_key: Option<ApiKey>,
    /// TLS settings; `None` means plaintext HTTP/2.
    pub tls: Option<TlsOptions>,
    /// Extra metadata sent with every call.
    pub metadata: Metadata,
    /// The identity this client reports to the server (shows in history events).
    pub identity: String,
    /// Skip the `GetSystemInfo` check at connect time; the first call connects instead.
    pub lazy: bool,
    /// How long opening one connection may take: TCP, TLS, and the HTTP/2 setup up to the
    /// server's first SETTINGS frame. Default 10 s. A call still waits for a connection only
    /// until its own deadline; an attempt that outlasts a call goes on for the next ones.
    pub connect_timeout: Duration,
    /// Until a client has reached the server once, a failure to connect (refused, unknown
    /// host, TLS rejected, no answer within `connect_timeout`) means misconfiguration and
    /// fails the call at once. With `Some(wait)`, such failures are retried for up to `wait`
    /// after the first one instead, e.g. when the application may start before the server;
    /// the connect check then waits that long too. Once the server has answered a call,
    /// the same failures are transient and retried within each call's deadline whatever
    /// this says. Default `None`.
    pub wait_for_server: Option<Duration>,
}

/// TLS settings of a connection. All certificates and keys are PEM bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Name used for SNI and certificate verification instead of the address host.
    pub server_name: Option<String>,
    /// CA certificate(s) to trust for the server; `None` uses the public web roots.
    pub server_ca_cert: Option<Vec<u8>>,
    /// Client certificate chain for mTLS.
    pub client_cert: Option<Vec<u8>>,
    /// Client private key for mTLS (PKCS#8, PKCS#1 or SEC1).
    pub client_key: Option<PrivateKey>,
    /// Accept a server certificate whose name does not match. Dangerous; only when set
    /// explicitly.
    pub disable_host_verification: bool,
}

impl ConnectOptions {
    /// Options for `address` with every other setting at its default.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            ..Self::default()
        }
    }

    /// Use `namespace`.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Authenticate with an API key. Turns TLS on with default settings if it is not
    /// configured yet; call [`without_tls`](Self::without_tls) afterwards to keep plaintext.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        if self.tls.is_none() {
            self.tls = Some(TlsOptions::default());
        }
        self
    }

    /// Use TLS with these settings.
    pub fn with_tls(mut self, tls: TlsOptions) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Use plaintext HTTP/2.
    pub fn without_tls(mut self) -> Self {
        self.tls = None;
        self
    }

    /// Add a metadata header sent with every call.
    pub fn with_metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(name, value);
        self
    }

    /// Set the identity reported to the server.
    pub fn with_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = identity.into();
        self
    }

    /// Connect lazily, without the `GetSystemInfo` check.
    pub fn lazy(mut self, lazy: bool) -> Self {
        self.lazy = lazy;
        self
    }

    /// Set the connect timeout (see [`connect_timeout`](Self::connect_timeout)).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Wait up to `wait` for the server on the first connect instead of failing at once
    /// (see [`wait_for_server`](Self::wait_for_server)).
    pub fn wait_for_server(mut self, wait: Duration) -> Self {
        self.wait_for_server = Some(wait);
        self
    }
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            address: String::from(DEFAULT_ADDRESS),
            namespace: String::from(DEFAULT_NAMESPACE),
            api_key: None,
            tls: None,
            metadata: Metadata::new(),
            identity: String::from("temporal-lite"),
            lazy: false,
            connect_timeout: Duration::from_secs(10),
            wait_for_server: None,
        }
    }
}
