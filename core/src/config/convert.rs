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

use super::address::ServerAddress;
use super::connect::{check_api_key, ConnectOptions, DEFAULT_ADDRESS, DEFAULT_NAMESPACE};
use super::env::{ENV_ADDRESS, ENV_API_KEY, ENV_GRPC_META_PREFIX, ENV_NAMESPACE};
use super::error::{ConfigError, ErrorCategory};
use super::load::{ConfigFiles, MAX_TLS_FILE_SIZE};
use super::profile::{ClientConfigProfile, ClientConfigTls, DataSource, RedactedMeta, RedactedOpt};
use super::secret::{ApiKey, PrivateKey};
use super::tls::TlsOptions;
use crate::grpc;

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
    match files.read_limited(path, MAX_TLS_FILE_SIZE) {
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
    /// Defaults: address [`DEFAULT_ADDRESS`] and namespace [`DEFAULT_NAMESPACE`] when unset;
    /// set but empty is an error ([`ErrorCategory::EmptyValue`]), as is an address that is
    /// not `host:port`. An empty API key counts as none; one a header cannot carry is an
    /// error. TLS is on when the profile has a TLS section that is not disabled, or has an
    /// API key and no TLS section. `disable_host_verification` is honoured. A client
    /// certificate needs a client key and the other way round, and `grpc_meta` must be valid
    /// gRPC metadata (ASCII names of `0-9 a-z - _ .`, printable ASCII values, base64 for
    /// `-bin` names). An `authorization` header in `grpc_meta` is sent instead of the API
    /// key's, as the reference clients do.
    ///
    /// Whether credentials may go over plaintext is checked when connecting
    /// ([`ConnectOptions::validate`]), so that code can still allow it on the result.
    pub fn to_connect_options(
        &self,
        files: &dyn ConfigFiles,
    ) -> Result<ConnectOptions, ConfigError> {
        let address = set_value(&self.address, "address", ENV_ADDRESS)?.unwrap_or(DEFAULT_ADDRESS);
        ServerAddress::parse(address).map_err(|problem| {
            ConfigError::new(ErrorCategory::InvalidAddress, problem)
                .with_key("address")
                .with_variable(ENV_ADDRESS)
        })?;
        let namespace =
            set_value(&self.namespace, "namespace", ENV_NAMESPACE)?.unwrap_or(DEFAULT_NAMESPACE);
        let mut options = ConnectOptions::new(address).namespace(namespace);
        options.api_key = match non_empty(&self.api_key) {
            Some(key) => {
                check_api_key(key).map_err(|problem| {
                    ConfigError::new(
                        ErrorCategory::InvalidApiKey,
                        format!("the API key (`api_key` or {ENV_API_KEY}) {problem}"),
                    )
                    .with_key("api_key")
                    .with_variable(ENV_API_KEY)
                })?;
                Some(ApiKey::new(key))
            }
            None => None,
        };

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
                check_material(section, &material)?;
                Some(TlsOptions {
                    domain: non_empty(&section.server_name).map(String::from),
                    server_root_ca_cert: material.server_ca_cert,
                    client_cert: material.client_cert,
                    client_private_key: material.client_key.map(PrivateKey::new),
                    disable_host_verification: section.disable_host_verification,
                })
            }
            Some(_) => None,
            None if options.api_key.is_some() => Some(TlsOptions::default()),
            None => None,
        };

        for (name, value) in &self.grpc_meta {
            check_grpc_meta(name, value)?;
            options.metadata.insert(name.as_str(), value.as_str());
        }
        Ok(options)
    }
}

/// What a TLS setting must hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PemNeed {
    Certificate,
    PrivateKey,
}

/// Check that each TLS source holds usable PEM of the kind its setting needs, so that a bad
/// file is reported with its name and setting now rather than as a TLS error later.
fn check_material(section: &ClientConfigTls, material: &TlsMaterial) -> Result<(), ConfigError> {
    let slots = [
        (
            "server_ca_cert",
            &section.server_ca_cert,
            &material.server_ca_cert,
            PemNeed::Certificate,
        ),
        (
            "client_cert",
            &section.client_cert,
            &material.client_cert,
            PemNeed::Certificate,
        ),
        (
            "client_key",
            &section.client_key,
            &material.client_key,
            PemNeed::PrivateKey,
        ),
    ];
    for (slot, source, bytes, need) in slots {
        let (Some(source), Some(bytes)) = (source, bytes) else {
            continue;
        };
        let Err(problem) = check_pem(bytes, need) else {
            continue;
        };
        let (kind, file) = match source {
            DataSource::Path(path) => ("path", Some(path.as_str())),
            DataSource::Data(_) => ("data", None),
        };
        let variable = format!(
            "TEMPORAL_TLS_{}_{}",
            slot.to_ascii_uppercase(),
            kind.to_ascii_uppercase()
        );
        let what = match file {
            Some(_) => "file",
            None => "data",
        };
        return Err(ConfigError::new(
            ErrorCategory::TlsInvalidPem,
            format!("the TLS {slot} {what} (tls.{slot}_{kind} or {variable}) {problem}"),
        )
        .with_key(format!("tls.{slot}_{kind}"))
        .with_file(file));
    }
    Ok(())
}

/// Why `bytes` is not usable PEM holding `need`, as the end of a sentence; never quotes the
/// content (it may be a private key).
fn check_pem(bytes: &[u8], need: PemNeed) -> Result<(), String> {
    const KEY_LABELS: [&str; 3] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];
    let Ok(text) = core::str::from_utf8(bytes) else {
        return Err(String::from(
            "is not PEM text (it looks binary, perhaps DER); convert it to PEM, e.g. with \
             `openssl x509 -inform der` for a certificate or `openssl pkey -inform der` for a key",
        ));
    };
    let mut labels: Vec<&str> = Vec::new();
    let mut encrypted = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(label) = line
            .trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for line in lines.by_ref() {
            let line = line.trim();
            if line == end {
                closed = true;
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                // An RFC 1421 header, as in a legacy encrypted key.
                encrypted |= name.trim() == "Proc-Type" && value.contains("ENCRYPTED");
                continue;
            }
            body.push_str(line);
        }
        if !closed {
            return Err(format!("has a \"{label}\" PEM block without its END line"));
        }
        if !is_base64(&body) {
            return Err(format!(
                "has a \"{label}\" PEM block whose content is not valid base64"
            ));
        }
        labels.push(label);
    }
    let has_key = labels.iter().any(|l| KEY_LABELS.contains(l));
    let has_cert = labels.contains(&"CERTIFICATE");
    match need {
        PemNeed::Certificate if has_cert => Ok(()),
        PemNeed::Certificate if has_key => Err(String::from(
            "holds a private key, not a certificate; are the certificate and key settings \
             swapped?",
        )),
        PemNeed::Certificate => Err(String::from(
            "holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)",
        )),
        PemNeed::PrivateKey if encrypted || labels.contains(&"ENCRYPTED PRIVATE KEY") => {
            Err(String::from(
                "holds an encrypted private key, which is not supported; decrypt it first, \
                 e.g. with `openssl pkey -in KEY -out DECRYPTED`",
            ))
        }
        PemNeed::PrivateKey if has_key => Ok(()),
        PemNeed::PrivateKey if has_cert => Err(String::from(
            "holds a certificate, not a private key; are the certificate and key settings \
             swapped?",
        )),
        PemNeed::PrivateKey => Err(String::from(
            "holds no PEM private key (a -----BEGIN PRIVATE KEY----- block for PKCS#8, RSA \
             PRIVATE KEY for PKCS#1 or EC PRIVATE KEY for SEC1)",
        )),
    }
}

/// Whether `text` is non-empty standard base64 (padding optional).
fn is_base64(text: &str) -> bool {
    let data = text.trim_end_matches('=');
    !data.is_empty()
        && text.len() - data.len() <= 2
        && data.len() % 4 != 1
        && data
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// A setting that must not be empty when set: `Ok(None)` when unset.
fn set_value<'a>(
    value: &'a Option<String>,
    key: &str,
    variable: &str,
) -> Result<Option<&'a str>, ConfigError> {
    match value.as_deref() {
        Some("") => Err(ConfigError::new(
            ErrorCategory::EmptyValue,
            format!(
                "the {key} is set but empty (`{key}` in the profile, or {variable}, e.g. from \
                 an unset ${{...}} in docker-compose); set a value, or remove the setting to \
                 use the default"
            ),
        )
        .with_key(key)
        .with_variable(variable)),
        other => Ok(other),
    }
}

/// Check that `name: value` can be sent as gRPC (HTTP/2) metadata.
fn check_grpc_meta(name: &str, value: &str) -> Result<(), ConfigError> {
    let problem = match grpc::check_metadata_name(name) {
        Ok(()) => match grpc::check_metadata_value(name, value) {
            Ok(()) => return Ok(()),
            Err(problem) => problem,
        },
        Err(problem) => problem,
    };
    // The value itself is never shown: it may be a credential.
    let variable = match grpc::check_metadata_name(name) {
        Ok(()) if !name.contains('.') => format!(
            "{ENV_GRPC_META_PREFIX}{}",
            name.to_ascii_uppercase().replace('-', "_")
        ),
        _ => format!("a {ENV_GRPC_META_PREFIX}* variable"),
    };
    Err(ConfigError::new(
        ErrorCategory::InvalidGrpcMeta,
        format!("grpc_meta header {name:?} {problem} (`grpc_meta` in the profile, or {variable})"),
    )
    .with_key(format!("grpc_meta.{name}")))
}
