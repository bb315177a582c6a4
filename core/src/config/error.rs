//! The typed error of environment-config loading and conversion.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// The broad kind of a [`ConfigError`], matching the kinds Temporal's SDKs report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The options or the combined configuration are contradictory.
    InvalidConfig,
    /// A profile that was asked for by name does not exist.
    ProfileNotFound,
    /// The config document could not be read, decoded or parsed.
    LoadError,
    /// A file named by the profile (a TLS certificate or key) could not be read.
    Io,
}

impl ErrorKind {
    /// The kind's name as the reference implementation spells it (`InvalidConfig`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidConfig => "InvalidConfig",
            Self::ProfileNotFound => "ProfileNotFound",
            Self::LoadError => "LoadError",
            Self::Io => "Io",
        }
    }
}

/// When an error happened: while loading the profile, or while turning it into connect
/// options (reading certificate files).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Locating, reading, parsing or resolving the configuration.
    Load,
    /// Converting a loaded profile into connect options.
    Connect,
}

impl Stage {
    /// `"load"` or `"connect"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Load => "load",
            Self::Connect => "connect",
        }
    }
}

/// The precise reason of a [`ConfigError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCategory {
    /// Both `disable_file` and `disable_env` were set: there is nothing to load from.
    /// Enable at least one of them.
    FileAndEnvBothDisabled,
    /// A profile named in code or by `TEMPORAL_PROFILE` is not in the config document.
    ProfileNotFound,
    /// The config file exists but could not be read (for example it is a directory).
    ConfigFileReadError,
    /// The config document is not valid UTF-8.
    ConfigNotUtf8,
    /// The config document is not valid TOML 1.1 (includes duplicate keys and bad dates).
    TomlSyntax,
    /// A known key holds a value of the wrong type.
    TomlWrongType,
    /// An unknown key, reported in strict mode only.
    TomlUnknownField,
    /// One TOML `tls` table sets both `*_path` and `*_data` of the same certificate or key.
    TlsPathAndDataBothInToml,
    /// Both `TEMPORAL_TLS_*_PATH` and `TEMPORAL_TLS_*_DATA` of the same slot are present.
    TlsPathAndDataBothInEnv,
    /// An environment variable gives a path where the TOML gives data, or the other way.
    TlsPathDataConflictEnvVsToml,
    /// A certificate or key file could not be read while building connect options.
    CertFileReadError,
    /// Connect options only: a client certificate was configured without a client key, or
    /// a key without a certificate. (The Python-shaped conversion accepts this.)
    TlsClientCertKeyMismatch,
    /// Connect options only: a `grpc_meta` header name or value cannot be sent as gRPC
    /// metadata. (The Python-shaped conversion passes it through.)
    InvalidGrpcMeta,
    /// Connect options only: a TLS certificate or key (file or data) is not usable PEM of
    /// the kind its setting needs (no `CERTIFICATE` block, no private key, bad base64, an
    /// encrypted key, ...). The message names the setting and the file.
    TlsInvalidPem,
    /// Connect options only: the address or the namespace is set but empty (e.g.
    /// `TEMPORAL_NAMESPACE=` from a docker-compose `${NS}` whose `NS` is unset). Set a value,
    /// or remove the setting to use the default.
    EmptyValue,
    /// Connect options only: the address is not `host:port` (with an optional `http://` or
    /// `https://`).
    InvalidAddress,
    /// Connect options only: the API key cannot be sent in a header (a line break, a
    /// control or non-ASCII character, surrounding spaces, or empty in code).
    InvalidApiKey,
    /// A `TEMPORAL_*` variable the loader reads holds bytes that are not UTF-8. Its value
    /// is not used, not even in part; fix the variable.
    EnvNotUtf8,
    /// Credentials (the API key, or secret metadata such as `authorization`) would go over
    /// plaintext to a host that is not loopback. Turn TLS on, or set
    /// `ConnectOptions::allow_plaintext_credentials` if the network is trusted.
    PlaintextCredentials,
}

impl ErrorCategory {
    /// The category's snake-case name, e.g. `"toml_wrong_type"`.
    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    /// The broad kind this category belongs to.
    pub fn kind(self) -> ErrorKind {
        self.row().1
    }

    /// The stage at which errors of this category happen.
    pub fn stage(self) -> Stage {
        self.row().2
    }

    /// Everything said of a category, in one place: its name, kind and stage.
    fn row(self) -> (&'static str, ErrorKind, Stage) {
        use ErrorKind::{InvalidConfig, Io, LoadError, ProfileNotFound};
        use Stage::{Connect, Load};
        match self {
            Self::FileAndEnvBothDisabled => ("file_and_env_both_disabled", InvalidConfig, Load),
            Self::ProfileNotFound => ("profile_not_found", ProfileNotFound, Load),
            Self::ConfigFileReadError => ("config_file_read_error", LoadError, Load),
            Self::ConfigNotUtf8 => ("config_not_utf8", LoadError, Load),
            Self::TomlSyntax => ("toml_syntax", LoadError, Load),
            Self::TomlWrongType => ("toml_wrong_type", LoadError, Load),
            Self::TomlUnknownField => ("toml_unknown_field", LoadError, Load),
            Self::TlsPathAndDataBothInToml => {
                ("tls_path_and_data_both_in_toml", InvalidConfig, Load)
            }
            Self::TlsPathAndDataBothInEnv => ("tls_path_and_data_both_in_env", InvalidConfig, Load),
            Self::TlsPathDataConflictEnvVsToml => {
                ("tls_path_data_conflict_env_vs_toml", InvalidConfig, Load)
            }
            Self::CertFileReadError => ("cert_file_read_error", Io, Connect),
            Self::TlsClientCertKeyMismatch => {
                ("tls_client_cert_key_mismatch", InvalidConfig, Connect)
            }
            Self::InvalidGrpcMeta => ("invalid_grpc_meta", InvalidConfig, Connect),
            Self::TlsInvalidPem => ("tls_invalid_pem", InvalidConfig, Connect),
            Self::EmptyValue => ("empty_value", InvalidConfig, Connect),
            Self::InvalidAddress => ("invalid_address", InvalidConfig, Connect),
            Self::InvalidApiKey => ("invalid_api_key", InvalidConfig, Connect),
            Self::EnvNotUtf8 => ("env_not_utf8", LoadError, Load),
            Self::PlaintextCredentials => ("plaintext_credentials", InvalidConfig, Connect),
        }
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error while loading an environment-config profile or converting it to connect options.
///
/// It carries a [category](Self::category) (and so a [kind](Self::kind) and a
/// [stage](Self::stage)), a message saying what is wrong, and where it is: the profile, the
/// TOML key, the environment variable, the file, and the line and column in the TOML
/// document, whichever apply. It never contains an API key, a private key or another
/// configured secret value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    inner: Box<Inner>,
}

/// The fields of a [`ConfigError`], boxed to keep `Result`s small.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    category: ErrorCategory,
    message: String,
    profile: Option<String>,
    key: Option<String>,
    variable: Option<String>,
    file: Option<String>,
    position: Option<(usize, usize)>,
}

impl ConfigError {
    pub(crate) fn new(category: ErrorCategory, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                category,
                message: message.into(),
                profile: None,
                key: None,
                variable: None,
                file: None,
                position: None,
            }),
        }
    }

    pub(crate) fn with_profile(mut self, profile: &str) -> Self {
        self.inner.profile = Some(String::from(profile));
        self
    }

    pub(crate) fn with_key(mut self, key: impl Into<String>) -> Self {
        self.inner.key = Some(key.into());
        self
    }

    pub(crate) fn with_variable(mut self, variable: &str) -> Self {
        self.inner.variable = Some(String::from(variable));
        self
    }

    pub(crate) fn with_file(mut self, file: Option<&str>) -> Self {
        self.inner.file = file.map(String::from);
        self
    }

    pub(crate) fn with_position(mut self, position: Option<(usize, usize)>) -> Self {
        self.inner.position = position;
        self
    }

    /// The precise reason.
    pub fn category(&self) -> ErrorCategory {
        self.inner.category
    }

    /// The broad kind (derived from the category).
    pub fn kind(&self) -> ErrorKind {
        self.inner.category.kind()
    }

    /// Whether the error happened while loading or while building connect options.
    pub fn stage(&self) -> Stage {
        self.inner.category.stage()
    }

    /// What is wrong, without the location details (see [`Display`](fmt::Display) for the
    /// full text).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The profile involved, if one is.
    pub fn profile(&self) -> Option<&str> {
        self.inner.profile.as_deref()
    }

    /// The TOML key involved, as a dotted path such as `profile.default.tls.disabled`.
    pub fn key(&self) -> Option<&str> {
        self.inner.key.as_deref()
    }

    /// The environment variable involved, if one is.
    pub fn variable(&self) -> Option<&str> {
        self.inner.variable.as_deref()
    }

    /// The file involved: the config file, or a certificate or key file.
    pub fn file(&self) -> Option<&str> {
        self.inner.file.as_deref()
    }

    /// The 1-based line and column in the TOML document, when the parser reports one.
    pub fn position(&self) -> Option<(usize, usize)> {
        self.inner.position
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind() {
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::ProfileNotFound => "profile not found",
            ErrorKind::LoadError => "configuration loading error",
            ErrorKind::Io => "cannot read file",
        };
        write!(f, "{what}: {}", self.inner.message)?;
        let mut sep = " (";
        if let Some(file) = &self.inner.file {
            write!(f, "{sep}file '{file}'")?;
            sep = ", ";
        }
        if let Some((line, column)) = self.inner.position {
            write!(f, "{sep}line {line}, column {column}")?;
            sep = ", ";
        }
        if let Some(profile) = &self.inner.profile {
            write!(f, "{sep}profile '{profile}'")?;
            sep = ", ";
        }
        if let Some(key) = &self.inner.key {
            write!(f, "{sep}key `{key}`")?;
            sep = ", ";
        }
        if let Some(variable) = &self.inner.variable {
            write!(f, "{sep}variable {variable}")?;
            sep = ", ";
        }
        if sep == ", " {
            f.write_str(")")?;
        }
        write!(f, " [{}]", self.inner.category)
    }
}

impl core::error::Error for ConfigError {}
