use alloc::format;
use alloc::string::String;
use core::time::Duration;

use super::address::ServerAddress;
use super::error::{ConfigError, ErrorCategory};
use super::{ApiKey, KeepAlive, TlsOptions};
use crate::entropy::{Entropy, EntropySource};
use crate::grpc::{self, Metadata};
use crate::observe::{Metrics, MetricsSink};

/// The address used when none is configured.
pub const DEFAULT_ADDRESS: &str = "localhost:7233";
/// The namespace used when none is configured.
pub const DEFAULT_NAMESPACE: &str = "default";

/// Everything needed to connect a client: where, as whom, and how securely.
///
/// Build one in code (`ConnectOptions::new("host:7233")`, or an address string where options are expected, and
/// the builder methods named after the fields), or resolve
/// one from a TOML profile and `TEMPORAL_*` variables with the environment-config loader.
/// Connecting checks them first ([`validate`](Self::validate)). `Debug` never shows the API
/// key, the private key or the values of secret metadata.
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
    /// The identity this client reports to the server (shows in history events). Default
    /// [`default_identity`]: `pid@hostname` with `std`, as the official SDKs report it.
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
    /// Send credentials (the API key, or metadata that [`grpc::is_secret_header`] calls
    /// secret, such as `authorization` or `x-api-key`) over a plaintext connection to a host
    /// that is not loopback. Off by default: such a client fails to connect, naming this
    /// option. Turn it on only when the network to the server is trusted, e.g. a
    /// TLS-terminating proxy beside the application. Loopback (`localhost`, `127.0.0.0/8`,
    /// `::1`) is always allowed, for a local dev server.
    pub allow_plaintext_credentials: bool,
    /// HTTP/2 keep-alive pings; `None`: none. Default [`KeepAlive::default`] (30 s
    /// interval, 15 s timeout).
    pub keepalive: Option<KeepAlive>,
    /// Where request ids come from: the operating system's randomness by default (feature
    /// `std`); without `std`, a source you supply with [`entropy`](Self::entropy).
    pub entropy: EntropySource,
    /// Where the client reports calls and connections (see [`crate::observe`]); `None`
    /// (the default): nowhere.
    pub metrics: Option<MetricsSink>,
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
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Authenticate with an API key. Turns TLS on with default settings if it is not
    /// configured yet; call [`plaintext`](Self::plaintext) afterwards to keep plaintext.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        if self.tls.is_none() {
            self.tls = Some(TlsOptions::default());
        }
        self
    }

    /// Use TLS with these settings.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Use plaintext HTTP/2.
    pub fn plaintext(mut self) -> Self {
        self.tls = None;
        self
    }

    /// Add a metadata header sent with every call.
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(name, value);
        self
    }

    /// Set the identity reported to the server.
    pub fn identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = identity.into();
        self
    }

    /// Connect lazily, without the `GetSystemInfo` check.
    pub fn lazy(mut self, lazy: bool) -> Self {
        self.lazy = lazy;
        self
    }

    /// Set the connect timeout (see
    /// [`connect_timeout`](Self#structfield.connect_timeout)).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Wait up to `wait` for the server on the first connect instead of failing at once
    /// (see [`wait_for_server`](Self#structfield.wait_for_server)).
    pub fn wait_for_server(mut self, wait: Duration) -> Self {
        self.wait_for_server = Some(wait);
        self
    }

    /// Set the keep-alive pings (`None`: none; see
    /// [`keepalive`](Self#structfield.keepalive)).
    pub fn keepalive(mut self, keepalive: impl Into<Option<KeepAlive>>) -> Self {
        self.keepalive = keepalive.into();
        self
    }

    /// Allow (or forbid again) credentials over plaintext to a host that is not loopback;
    /// see [`allow_plaintext_credentials`](Self#structfield.allow_plaintext_credentials).
    pub fn allow_plaintext_credentials(mut self, allow: bool) -> Self {
        self.allow_plaintext_credentials = allow;
        self
    }

    /// Draw request ids from `entropy` instead of the operating system (required without
    /// the `std` feature; see [`crate::entropy`]).
    pub fn entropy(mut self, entropy: impl Entropy + 'static) -> Self {
        self.entropy = EntropySource::new(alloc::sync::Arc::new(entropy));
        self
    }

    /// Report calls and connections to `metrics` (see [`crate::observe::Metrics`]).
    pub fn metrics(mut self, metrics: alloc::sync::Arc<dyn Metrics>) -> Self {
        self.metrics = Some(MetricsSink::new(metrics));
        self
    }

    /// Whether calls go over TLS: TLS is configured, or the address says `https://`.
    pub fn uses_tls(&self) -> bool {
        let address = self.address.trim_start().as_bytes();
        self.tls.is_some()
            || address
                .get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case(b"https://"))
    }

    /// Check the options before any I/O; every connect does this first.
    ///
    /// Fails (with a [`ConfigError`] naming the option) when the address is not `host:port`
    /// (with an optional `http://` or `https://`), the namespace is empty, the API key is
    /// empty or holds characters a header cannot carry (a line break, non-ASCII), a metadata
    /// name or value cannot be sent as gRPC metadata, or credentials would go over plaintext
    /// to a host that is not loopback without
    /// [`allow_plaintext_credentials`](Self#structfield.allow_plaintext_credentials).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_with_key(self.api_key.as_ref())
    }

    /// [`validate`](Self::validate) with the API key kept elsewhere (a client keeps the live
    /// key apart from its options).
    pub(crate) fn validate_with_key(&self, api_key: Option<&ApiKey>) -> Result<(), ConfigError> {
        ServerAddress::parse(&self.address).map_err(|problem| {
            ConfigError::new(
                ErrorCategory::InvalidAddress,
                format!("ConnectOptions::address: {problem}"),
            )
        })?;
        if self.namespace.is_empty() {
            return Err(ConfigError::new(
                ErrorCategory::EmptyValue,
                "ConnectOptions::namespace is empty; name the Temporal namespace to use \
                 (e.g. \"default\")",
            ));
        }
        if let Some(key) = api_key {
            check_api_key(key.expose()).map_err(|problem| {
                ConfigError::new(
                    ErrorCategory::InvalidApiKey,
                    format!("the API key (ConnectOptions::api_key) {problem}"),
                )
            })?;
        }
        for (name, value) in self.metadata.iter() {
            grpc::check_metadata_name(name)
                .and_then(|()| grpc::check_metadata_value(name, value))
                .map_err(|problem| {
                    ConfigError::new(
                        ErrorCategory::InvalidGrpcMeta,
                        format!("metadata header {name:?} (ConnectOptions::metadata) {problem}"),
                    )
                })?;
        }
        self.check_plaintext_credentials(api_key.is_some())
    }

    /// Fail if credentials would leave in plaintext for a host that is not loopback: the
    /// API key (`api_key`: whether one is set, wherever it is kept) or secret metadata.
    pub(crate) fn check_plaintext_credentials(&self, api_key: bool) -> Result<(), ConfigError> {
        if self.allow_plaintext_credentials || self.uses_tls() {
            return Ok(());
        }
        let secret_header = self
            .metadata
            .iter()
            .find(|(name, value)| !value.is_empty() && grpc::is_secret_header(name))
            .map(|(name, _)| name);
        let what = match (api_key, secret_header) {
            (false, None) => return Ok(()),
            (true, _) => String::from("the API key"),
            (false, Some(name)) => format!("the value of metadata header {name:?}"),
        };
        let host = match ServerAddress::parse(&self.address) {
            Ok(address) if address.is_loopback() => return Ok(()),
            Ok(address) => address.host,
            // Not parseable: not known to be loopback.
            Err(_) => self.address.clone(),
        };
        Err(ConfigError::new(
            ErrorCategory::PlaintextCredentials,
            format!(
                "refusing to send {what} in plaintext to {host:?}, which is not a loopback \
                 address: TLS is off (`plaintext()`, `tls.disabled = true` in the profile, \
                 or TEMPORAL_TLS=false). Turn TLS on, or, if the network to the server is \
                 trusted (e.g. a TLS-terminating proxy beside you), set \
                 ConnectOptions::allow_plaintext_credentials"
            ),
        ))
    }
}

/// Why `key` cannot be sent as `authorization: Bearer <key>`, as the end of a sentence.
/// Never quotes the key.
pub(crate) fn check_api_key(key: &str) -> Result<(), &'static str> {
    if key.is_empty() {
        return Err("is empty; leave it unset for no API key");
    }
    if key.bytes().any(|b| !(0x20..=0x7e).contains(&b)) {
        return Err(
            "holds a character a header cannot carry (a line break, a control character or a \
             non-ASCII character); check how the key was copied",
        );
    }
    if key.trim() != key {
        return Err("starts or ends with a space; check how the key was copied");
    }
    Ok(())
}

/// The identity a client reports unless told otherwise: `pid@hostname` with the `std`
/// feature (as the official SDKs: Python's `f"{os.getpid()}@{socket.gethostname()}"`),
/// `temporal-lite` without it (no process or host to name).
pub fn default_identity() -> String {
    #[cfg(feature = "std")]
    {
        let host = gethostname::gethostname();
        alloc::format!("{}@{}", std::process::id(), host.to_string_lossy())
    }
    #[cfg(not(feature = "std"))]
    {
        String::from("temporal-lite")
    }
}

impl From<&str> for ConnectOptions {
    /// Options for this address (see [`ConnectOptions::new`]).
    fn from(address: &str) -> Self {
        Self::new(address)
    }
}

impl From<String> for ConnectOptions {
    /// Options for this address (see [`ConnectOptions::new`]).
    fn from(address: String) -> Self {
        Self::new(address)
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
            identity: default_identity(),
            lazy: false,
            connect_timeout: Duration::from_secs(10),
            wait_for_server: None,
            keepalive: Some(KeepAlive::default()),
            allow_plaintext_credentials: false,
            entropy: EntropySource::os(),
            metrics: None,
        }
    }
}
