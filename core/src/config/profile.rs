//! The data model of environment configuration: a config of named profiles.
//!
//! `Debug` of every type here hides secrets: API keys, codec auth, the bytes of TLS sources
//! (a client key can come as data) and values of credential-like `grpc_meta` headers.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The profile used when none is named in code or by `TEMPORAL_PROFILE`.
pub const DEFAULT_PROFILE: &str = "default";

/// Every profile of a config document, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientConfig {
    /// Profiles by exact (case-sensitive) name.
    pub profiles: BTreeMap<String, ClientConfigProfile>,
}

/// One resolved profile: where to connect, as whom, and how.
///
/// No defaults are filled in: an unset field is `None` (see
/// [`to_connect_options`](Self::to_connect_options) for the defaults clients use).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientConfigProfile {
    /// Server address (`host:port`, passed through unparsed).
    pub address: Option<String>,
    /// Temporal namespace.
    pub namespace: Option<String>,
    /// API key. Hidden by `Debug`.
    pub api_key: Option<String>,
    /// TLS section, if configured.
    pub tls: Option<ClientConfigTls>,
    /// Remote codec section, if configured.
    pub codec: Option<ClientConfigCodec>,
    /// gRPC metadata by normalised header name (see [`normalize_grpc_meta_key`]).
    pub grpc_meta: BTreeMap<String, String>,
}

/// The TLS section of a profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientConfigTls {
    /// `None`: not configured; `Some(true)`: TLS explicitly off; `Some(false)`: explicitly on.
    pub disabled: Option<bool>,
    /// Client certificate chain (PEM).
    pub client_cert: Option<DataSource>,
    /// Client private key (PEM).
    pub client_key: Option<DataSource>,
    /// CA certificate(s) to trust for the server (PEM).
    pub server_ca_cert: Option<DataSource>,
    /// Name for SNI and certificate verification.
    pub server_name: Option<String>,
    /// Skip host-name verification of the server certificate.
    pub disable_host_verification: bool,
}

/// The remote codec section of a profile.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientConfigCodec {
    /// Codec server endpoint.
    pub endpoint: Option<String>,
    /// Value of the `authorization` header sent to the codec server. Hidden by `Debug`.
    pub auth: Option<String>,
}

/// Where a certificate or key comes from: a file path or the bytes themselves.
#[derive(Clone, PartialEq, Eq)]
pub enum DataSource {
    /// A file, read when connect options are built. Relative paths are relative to the
    /// working directory.
    Path(String),
    /// The PEM bytes. `Debug` shows only their length.
    Data(Vec<u8>),
}

/// Normalise a gRPC metadata name as Temporal does: full Unicode lower-casing, then every
/// `_` becomes `-`. Nothing else changes.
pub fn normalize_grpc_meta_key(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

/// Debug helper: a metadata map with credential-like values redacted.
pub(crate) struct RedactedMeta<'a>(pub(crate) &'a BTreeMap<String, String>);

impl fmt::Debug for RedactedMeta<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if crate::grpc::is_secret_header(name) {
                map.entry(name, &Redacted);
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// Debug helper: an optional secret shown as `Some(<redacted>)` or `None`.
pub(crate) struct RedactedOpt(pub(crate) bool);

impl fmt::Debug for RedactedOpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 {
            f.write_str("Some(<redacted>)")
        } else {
            f.write_str("None")
        }
    }
}

struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Debug for ClientConfigProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigProfile")
            .field("address", &self.address)
            .field("namespace", &self.namespace)
            .field("api_key", &RedactedOpt(self.api_key.is_some()))
            .field("tls", &self.tls)
            .field("codec", &self.codec)
            .field("grpc_meta", &RedactedMeta(&self.grpc_meta))
            .finish()
    }
}

impl fmt::Debug for ClientConfigCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfigCodec")
            .field("endpoint", &self.endpoint)
            .field("auth", &RedactedOpt(self.auth.is_some()))
            .finish()
    }
}

impl fmt::Debug for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(path) => f.debug_tuple("Path").field(path).finish(),
            Self::Data(data) => write!(f, "Data(<{} bytes>)", data.len()),
        }
    }
}
