//! Connection configuration: the options a client connects with, and Temporal's environment
//! configuration (TOML profiles plus `TEMPORAL_*` variables) that resolves to them.
//!
//! # Environment configuration
//!
//! A TOML document holds named profiles (`[profile.default]`, `[profile.prod]`, ...); the
//! `TEMPORAL_*` environment variables override the selected profile. Resolution is a pure
//! function of the options, an [`EnvVars`] map and a [`ConfigFiles`] reader, so it works
//! without `std`: embedded users pass [`ConfigSource::Data`] and [`NoFiles`] or
//! [`InMemoryFiles`].
//!
//! 1. [`load_profile`] (or [`load_all_profiles`]) resolves a [`ClientConfigProfile`];
//! 2. [`ClientConfigProfile::to_connect_options`] turns it into [`ConnectOptions`] with the
//!    usual defaults (`localhost:7233`, namespace `default`, TLS with an API key).
//!
//! With the `std` feature, `load_default` does both from the real process environment and
//! the OS default config path (`~/.config/temporalio/temporal.toml` on Linux).
//!
//! ```
//! use temporal_lite_core::config::{load_profile, ConfigSource, EnvVars, LoadProfileOptions, NoFiles};
//!
//! let toml = b"[profile.default]\naddress = \"temporal.example:7233\"\napi_key = \"k\"\n";
//! let env: EnvVars = [("TEMPORAL_NAMESPACE", "prod")].into_iter().collect();
//! let options = LoadProfileOptions::new().config_source(ConfigSource::Data(toml.to_vec()));
//! let profile = load_profile(&options, &env, &NoFiles).unwrap();
//! let connect = profile.to_connect_options(&NoFiles).unwrap();
//! assert_eq!(connect.address, "temporal.example:7233");
//! assert_eq!(connect.namespace, "prod");
//! assert!(connect.tls.is_some()); // an API key turns TLS on
//! ```
//!
//! Where each setting came from (a default, the file, profile, key and line, a variable,
//! or code) is available as data and as a table: see [`load_profile_with_provenance`] and
//! [`Provenance`].
//!
//! Errors are [`ConfigError`]s: a [category](ErrorCategory), a kind and a message naming the
//! profile, key, variable, file and TOML line/column involved. Nothing here panics on any
//! input, and no `Debug` or `Display` output shows an API key, codec auth or key bytes.

pub(crate) mod address;
mod connect;
mod convert;
pub(crate) mod env;
mod error;
mod keepalive;
mod load;
mod profile;
mod provenance;
mod secret;
#[cfg(feature = "std")]
mod std_io;
mod tls;
mod toml_decode;

#[cfg(test)]
mod tests;

pub(crate) use connect::check_api_key;
pub use connect::{default_identity, ConnectOptions, DEFAULT_ADDRESS, DEFAULT_NAMESPACE};
pub use convert::{ClientConnectConfig, ConnectTls, ConnectTlsConfig};
pub use env::{
    EnvVars, ENV_ADDRESS, ENV_API_KEY, ENV_CODEC_AUTH, ENV_CODEC_ENDPOINT, ENV_CONFIG_FILE,
    ENV_GRPC_META_PREFIX, ENV_NAMESPACE, ENV_PROFILE, ENV_TLS, ENV_TLS_DISABLE_HOST_VERIFICATION,
    ENV_TLS_SERVER_NAME,
};
pub use error::{ConfigError, ErrorCategory, ErrorKind, Stage};
pub use keepalive::KeepAlive;
pub use load::{
    load_all_profiles, load_profile, parse_config, ConfigFiles, ConfigSource, FileError,
    InMemoryFiles, LoadConfigOptions, LoadProfileOptions, NoFiles, MAX_CONFIG_FILE_SIZE,
    MAX_TLS_FILE_SIZE,
};
pub use profile::{
    normalize_grpc_meta_key, ClientConfig, ClientConfigCodec, ClientConfigProfile, ClientConfigTls,
    DataSource, DEFAULT_PROFILE,
};
pub use provenance::{
    load_profile_with_provenance, LoadedOptions, LoadedProfile, Provenance, Setting, Source,
};
pub use secret::{ApiKey, PrivateKey};
#[cfg(feature = "std")]
pub use std_io::{
    default_config_path, load_connect_options, load_connect_options_with_provenance, load_default,
    load_process_config, load_process_profile, StdFiles,
};
pub use tls::TlsOptions;
