//! Turning a resolved profile into what a client connects with.
//!
//! Two shapes share one step (reading the TLS sources):
//! - [`ClientConnectConfig`], the keyword arguments Temporal's Python SDK passes to
//!   `Client.connect`: no defaults, values passed through. Used by the conformance cases.
//! - [`ConnectOptions`], this client's options, with the defaults users expect and the
//!   checks the Python shape leaves to later stages.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::connect::{ConnectOptions, TlsOptions, DEFAULT_ADDRESS, DEFAULT_NAMESPACE};
use super::error::{ConfigError, ErrorCategory};
use super::load::ConfigFiles;
use super::profile::{ClientConfigProfile, ClientConfigTls, DataSource, RedactedMeta, RedactedOpt};
use super::secret::{ApiKey, PrivateKey};

/// A profile as the keyword arguments of Python's `Client.connect`
/// (`ClientConnectConfig`). `None` means the key is absent.
///
/// `Debug` hides the API key and the private key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientConnectConfig {
    /// The address, only when non-empty.
    pub target_host: Option<String>,
    /// The namespace, when set (even `""`).
    pub namespace: Option<String>,
    /// The API key, when set (even `""`).
    pub api_key: Option<String>,
    /// The TLS setting.
    pub tls: Option<ConnectTls>,
    /// The gRPC metadata, when non-empty.
    pub rpc_metadata: Option<BTreeMap<String, String>>,
}

/// The `tls` argument of [`ClientConnectConfig`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectTls {
    /// `tls=True`: TLS with default settings (an API key is set, no TLS section).
    Enabled,
    /// `tls=False`: the TLS section disables TLS.
    Disabled,
    /// A `TLSConfig`.
    Config(ConnectTlsConfig),
}

/// Python's `TLSConfig`: the TLS settings with every source read into bytes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnectTlsConfig {
    /// Server name for SNI and verification.
    pub domain: Option<String>,
    /// CA certificate bytes.
    pub server_root_ca_cert: Option<Vec<u8>>,
    /// Client certificate bytes.
    pub client_cert: Option<Vec<u8>>,
    /// Client private key bytes. Hidden by `Debug`.
    pub client_private_key: Option<Vec<u8>>,
}

impl fmt::Debug for ClientConnectConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConnectConfig")
            .field("target_host", &self.target_host)
            .field("namespace", &self.namespace)
            .field("api_key", &RedactedOpt(self.api_key.is_some()))
            .field("tls", &self.tls)
            .field(
                "rpc_metadata",
                &self.rpc_metadata.as_ref().map(RedactedMeta),
            )
            .finish()
    }
}

impl fmt::Debug for ConnectTlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = |b: &Option<Vec<u8>>| b.as_ref().map(Vec::len);
        f.debug_struct("ConnectTlsConfig")
            .field("domain", &self.domain)
            .field("server_root_ca_cert_len", &len(&self.server_root_ca_cert))
            .field("client_cert_len", &len(&self.client_cert))
            .field(
                "client_private_key",
                &RedactedOpt(self.client_private_key.is_some()),
            )
            .finish()
    }
}

/// The TLS sources of a profile, read into bytes.
struct TlsMaterial {
    server_ca_cert: Option<Vec<u8>>,
    client_cert: Option<Vec<u8>>,
    client_key: Option<Vec<u8>>,
}

impl ClientConfigTls {
    /// Whether this section turns TLS on (`disabled` is not `true`).
    pub fn is_enabled(&self) -> bool {
        self.disabled != Some(true)
    }

    fn read_material(&self, files: &dyn ConfigFiles) -> Result<TlsMaterial, ConfigError> {
        Ok(TlsMaterial {
            server_ca_cert: read_source(self.server_ca_cert.as_ref(), "server_ca_cert", files)?,
            client_cert: read_source(self.client_cert.as_ref(), "client_cert", files)?,
            client_key: read_source(self.client_key.as_ref(), "client_key", files)?,
        })
    }
}

/// The bytes of a TLS source: the data, or the file's contents read now.
fn read_source(
    source: Option<&DataSource>,
    slot: &str,
    files: &dyn ConfigFiles,
) -> Result<Option<Vec<u8>>, ConfigError> {
    let path = match source {
        None => return Ok(None),
        Some(DataSource::Data(data)) => return Ok(Some(data.clone())),
        Some(DataSource::Path(path)) => path,
    };
    let fail = |why: String| {
        ConfigError::new(
            ErrorCategory::CertFileReadError,
            format!("cannot read the TLS {slot} file: {why}"),
        )
        .with_key(format!("tls.{slot}_path"))
        .with_file(Some(path))
    };
    match files.read(path) {
        Ok(Some(bytes)) => Ok(Some(bytes)),
        Ok(None) => Err(fail(String::from("no such file"))),
        Err(err) => Err(fail(String::from(err.message()))),
    }
}

impl ClientConfigProfile {
    /// Convert to Python's `Client.connect` arguments, reading TLS files through `files`
    /// (only when TLS is enabled). No defaults are added.
    pub fn to_client_connect_config(
        &self,
        files: &dyn ConfigFiles,
    ) -> Result<ClientConnectConfig, ConfigError> {
        let mut tls = self.api_key.as_ref().map(|_| ConnectTls::Enabled);
        if let Some(section) = &self.tls {
            tls = Some(if section.is_enabled() {
                let material = section.read_material(files)?;
                ConnectTls::Config(ConnectTlsConfig {
                    domain: section.server_name.clone(),
                    server_root_ca_cert: material.server_ca_cert,
                    client_cert: material.client_cert,
                    client_private_key: material.client_key,
                })
            } else {
                ConnectTls::Disabled
            });
        }
        Ok(ClientConnectConfig {
            target_host: self.address.clone().filter(|a| !a.is_empty()),
            namespace: self.namespace.clone(),
            api_key: self.api_key.clone(),
            tls,
            rpc_metadata: if self.grpc_meta.is_empty() {
                None
            } else {
                Some(self.grpc_meta.clone())
            },
        })
    }

    /// Convert to this client's [`ConnectOptions`], reading TLS files through `files`.
    ///
    /// Defaults: address [`DEFAULT_ADDRESS`] and namespace [`DEFAULT_NAMESPACE`] when unset
    /// or empty. An empty API key counts as none. TLS is on when the profile has a TLS
    /// section that is not disabled, or has an API key and no TLS section.
    /// `disable_host_verification` is honoured. A client certificate needs a client key and
    /// the other way round, and `grpc_meta` must be valid gRPC metadata (ASCII names of
    /// `0-9 a-z - _ .`, printable ASCII values).
    pub fn to_connect_options(
        &self,
        files: &dyn ConfigFiles,
    ) -> Result<ConnectOptions, ConfigError> {
        let mut options = ConnectOptions::default();
        options.address = String::from(non_empty(&self.address).unwrap_or(DEFAULT_ADDRESS));
        options.namespace = String::from(non_empty(&self.namespace).unwrap_or(DEFAULT_NAMESPACE));
        options.api_key = non_empty(&self.api_key).map(ApiKey::new);

        options.tls = match &self.tls {
            Some(section) if section.is_enabled() => {
                let material = section.read_material(files)?;
                if material.client_cert.is_some() != material.client_key.is_some() {
                    let (has, lacks) = if material.client_cert.is_some() {
                        ("client_cert", "client_key")
                    } else {
                        ("client_key", "client_cert")
                    };
                    return Err(ConfigError::new(
                        ErrorCategory::TlsClientCertKeyMismatch,
                        format!("TLS {has} is set without {lacks}; mTLS needs both"),
                    )
                    .with_key(format!("tls.{lacks}")));
                }
                Some(TlsOptions {
                    server_name: non_empty(&section.server_name).map(String::from),
                    server_ca_cert: material.server_ca_cert,
                    client_cert: material.client_cert,
                    client_key: material.client_key.map(PrivateKey::new),
                    disable_host_verification: section.disable_host_verification,
                })
            }
            Some(_) => None,
            None if options.api_key.is_some() => Some(TlsOptions::default()),
            None => None,
        };

        for (name, value) in &self.grpc_meta {
            check_header(name, value)?;
            options.metadata.insert(name.as_str(), value.as_str());
        }
        Ok(options)
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// Check that `name: value` can be sent as gRPC (HTTP/2) metadata.
fn check_header(name: &str, value: &str) -> Result<(), ConfigError> {
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b"-_.".contains(&b));
    if !name_ok {
        return Err(ConfigError::new(
            ErrorCategory::InvalidGrpcMeta,
            format!(
                "grpc_meta header name {name:?} is not a valid gRPC metadata name (use 0-9, \
                 a-z, '-', '_', '.')"
            ),
        )
        .with_key(format!("grpc_meta.{name}")));
    }
    if !value.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        // The value itself is never shown: it may be a credential.
        return Err(ConfigError::new(
            ErrorCategory::InvalidGrpcMeta,
            format!("grpc_meta header '{name}' has a value that is not printable ASCII"),
        )
        .with_key(format!("grpc_meta.{name}")));
    }
    Ok(())
}
