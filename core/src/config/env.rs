//! `TEMPORAL_*` environment variables: the map type and the overrides they apply.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::error::{ConfigError, ErrorCategory};
use super::profile::{
    normalize_grpc_meta_key, ClientConfigCodec, ClientConfigProfile, ClientConfigTls, DataSource,
};

/// `TEMPORAL_CONFIG_FILE`: path of the config file (empty means unset).
pub const ENV_CONFIG_FILE: &str = "TEMPORAL_CONFIG_FILE";
/// `TEMPORAL_PROFILE`: the profile to select (empty means unset).
pub const ENV_PROFILE: &str = "TEMPORAL_PROFILE";
/// `TEMPORAL_ADDRESS`.
pub const ENV_ADDRESS: &str = "TEMPORAL_ADDRESS";
/// `TEMPORAL_NAMESPACE`.
pub const ENV_NAMESPACE: &str = "TEMPORAL_NAMESPACE";
/// `TEMPORAL_API_KEY`.
pub const ENV_API_KEY: &str = "TEMPORAL_API_KEY";
/// `TEMPORAL_TLS`: a boolean; `true` enables TLS, `false` disables it.
pub const ENV_TLS: &str = "TEMPORAL_TLS";
/// `TEMPORAL_TLS_SERVER_NAME`.
pub const ENV_TLS_SERVER_NAME: &str = "TEMPORAL_TLS_SERVER_NAME";
/// `TEMPORAL_TLS_DISABLE_HOST_VERIFICATION`: a boolean.
pub const ENV_TLS_DISABLE_HOST_VERIFICATION: &str = "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION";
/// `TEMPORAL_CODEC_ENDPOINT`.
pub const ENV_CODEC_ENDPOINT: &str = "TEMPORAL_CODEC_ENDPOINT";
/// `TEMPORAL_CODEC_AUTH`.
pub const ENV_CODEC_AUTH: &str = "TEMPORAL_CODEC_AUTH";
/// Prefix of variables that set gRPC metadata headers.
pub const ENV_GRPC_META_PREFIX: &str = "TEMPORAL_GRPC_META_";

/// The (path variable, data variable) pairs, in processing order.
const SOURCE_VARS: [(&str, &str); 3] = [
    (
        "TEMPORAL_TLS_CLIENT_CERT_PATH",
        "TEMPORAL_TLS_CLIENT_CERT_DATA",
    ),
    (
        "TEMPORAL_TLS_CLIENT_KEY_PATH",
        "TEMPORAL_TLS_CLIENT_KEY_DATA",
    ),
    (
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
        "TEMPORAL_TLS_SERVER_CA_CERT_DATA",
    ),
];

/// Every TLS variable; any of them being present creates a TLS section.
pub(crate) const TLS_VARS: [&str; 9] = [
    ENV_TLS,
    SOURCE_VARS[0].0,
    SOURCE_VARS[0].1,
    SOURCE_VARS[1].0,
    SOURCE_VARS[1].1,
    SOURCE_VARS[2].0,
    SOURCE_VARS[2].1,
    ENV_TLS_SERVER_NAME,
    ENV_TLS_DISABLE_HOST_VERIFICATION,
];

/// An environment: variable name to value, case-sensitive.
///
/// The loader never reads the process environment by itself; pass the variables in (with
/// the `std` feature, `EnvVars::from_process` collects them). A variable may also be
/// recorded as set to bytes that are not UTF-8 ([`insert_not_utf8`](Self::insert_not_utf8)):
/// the loader then fails, naming it, if it reads it. `Debug` shows the names only, never
/// the values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EnvVars {
    vars: BTreeMap<String, String>,
    /// Variables that are set, to a value that is not UTF-8.
    not_utf8: BTreeSet<String>,
}

impl EnvVars {
    /// An empty environment.
    pub const fn new() -> Self {
        Self {
            vars: BTreeMap::new(),
            not_utf8: BTreeSet::new(),
        }
    }

    /// Set `name` to `value`, replacing an earlier value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.not_utf8.remove(&name);
        self.vars.insert(name, value.into());
    }

    /// Record that `name` is set to a value that is not valid UTF-8. Loading fails with
    /// [`ErrorCategory::EnvNotUtf8`] naming the variable if the loader reads it (rather than
    /// using a lossy conversion, which would turn a mangled API key into an
    /// authentication failure far from its cause).
    pub fn insert_not_utf8(&mut self, name: impl Into<String>) {
        let name = name.into();
        self.vars.remove(&name);
        self.not_utf8.insert(name);
    }

    /// Remove `name`.
    pub fn remove(&mut self, name: &str) {
        self.vars.remove(name);
        self.not_utf8.remove(name);
    }

    /// Whether `name` is set to a value that is not UTF-8.
    pub fn is_not_utf8(&self, name: &str) -> bool {
        self.not_utf8.contains(name)
    }

    /// The value of `name`, if present (possibly empty). `None` for a value that is not
    /// UTF-8.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The value of `name` if present and non-empty.
    pub fn get_non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// Whether `name` is present (an empty value counts, and so does one that is not UTF-8).
    pub fn contains(&self, name: &str) -> bool {
        self.vars.contains_key(name) || self.not_utf8.contains(name)
    }

    /// All variables with a UTF-8 value, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvVars {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut env = Self::new();
        env.extend(iter);
        env
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for EnvVars {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvVars")
            .field("names", &self.vars.keys())
            .field("not_utf8", &self.not_utf8)
            .finish()
    }
}

/// Parse a boolean variable: Unicode lower-case, then `true`/`1` or `false`/`0`. Anything
/// else is "no value".
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value.to_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Fail if `name` is set to a value that is not UTF-8 (the loader is about to read it).
pub(crate) fn check_utf8(env: &EnvVars, name: &str) -> Result<(), ConfigError> {
    if !env.is_not_utf8(name) {
        return Ok(());
    }
    Err(ConfigError::new(
        ErrorCategory::EnvNotUtf8,
        format!("{name} is set to bytes that are not valid UTF-8; its value was not used"),
    )
    .with_variable(name))
}

/// Whether `apply_env` reads variable `name`.
fn is_override(name: &str) -> bool {
    [
        ENV_ADDRESS,
        ENV_NAMESPACE,
        ENV_API_KEY,
        ENV_CODEC_ENDPOINT,
        ENV_CODEC_AUTH,
    ]
    .contains(&name)
        || TLS_VARS.contains(&name)
        || name.starts_with(ENV_GRPC_META_PREFIX)
}

/// Apply the `TEMPORAL_*` overrides to `profile` (named `profile_name` in errors), adding
/// (setting, variable) to `applied` for each one, in order.
pub(crate) fn apply_env(
    profile: &mut ClientConfigProfile,
    env: &EnvVars,
    profile_name: &str,
    applied: &mut Vec<(String, String)>,
) -> Result<(), ConfigError> {
    for name in env.not_utf8.iter().filter(|name| is_override(name)) {
        check_utf8(env, name).map_err(|error| error.with_profile(profile_name))?;
    }
    let mut record = |setting: &str, variable: &str| {
        applied.push((String::from(setting), String::from(variable)));
    };
    if let Some(v) = env.get(ENV_ADDRESS) {
        profile.address = Some(String::from(v));
        record("address", ENV_ADDRESS);
    }
    if let Some(v) = env.get(ENV_NAMESPACE) {
        profile.namespace = Some(String::from(v));
        record("namespace", ENV_NAMESPACE);
    }
    if let Some(v) = env.get(ENV_API_KEY) {
        profile.api_key = Some(String::from(v));
        record("api_key", ENV_API_KEY);
    }
    apply_tls(profile, env, profile_name, &mut record)?;
    apply_codec(profile, env, &mut record);
    apply_grpc_meta(profile, env, &mut record);
    Ok(())
}

fn apply_tls(
    profile: &mut ClientConfigProfile,
    env: &EnvVars,
    profile_name: &str,
    record: &mut dyn FnMut(&str, &str),
) -> Result<(), ConfigError> {
    if profile.tls.is_none() {
        if let Some(variable) = TLS_VARS.iter().find(|v| env.contains(v)) {
            profile.tls = Some(ClientConfigTls::default());
            record("tls", variable);
        }
    }
    let Some(tls) = profile.tls.as_mut() else {
        return Ok(());
    };
    if let Some(enabled) = env.get(ENV_TLS).and_then(parse_bool) {
        tls.disabled = Some(!enabled);
        record("tls", ENV_TLS);
    }
    for (index, (path_var, data_var)) in SOURCE_VARS.iter().enumerate() {
        let (slot, setting) = match index {
            0 => (&mut tls.client_cert, "tls.client_cert"),
            1 => (&mut tls.client_key, "tls.client_key"),
            _ => (&mut tls.server_ca_cert, "tls.server_ca_cert"),
        };
        match (env.get(path_var), env.get(data_var)) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    ErrorCategory::TlsPathAndDataBothInEnv,
                    format!("{path_var} and {data_var} are both set; use only one of them"),
                )
                .with_profile(profile_name)
                .with_variable(path_var));
            }
            (Some(path), None) => {
                if matches!(slot, Some(DataSource::Data(_))) {
                    return Err(conflict(path_var, "a path", "data", profile_name));
                }
                *slot = Some(DataSource::Path(String::from(path)));
                record(setting, path_var);
            }
            (None, Some(data)) => {
                if matches!(slot, Some(DataSource::Path(_))) {
                    return Err(conflict(data_var, "data", "a path", profile_name));
                }
                *slot = Some(DataSource::Data(data.as_bytes().to_vec()));
                record(setting, data_var);
            }
            (None, None) => {}
        }
    }
    if let Some(v) = env.get(ENV_TLS_SERVER_NAME) {
        tls.server_name = Some(String::from(v));
        record("tls.server_name", ENV_TLS_SERVER_NAME);
    }
    if let Some(b) = env
        .get(ENV_TLS_DISABLE_HOST_VERIFICATION)
        .and_then(parse_bool)
    {
        tls.disable_host_verification = b;
        record(
            "tls.disable_host_verification",
            ENV_TLS_DISABLE_HOST_VERIFICATION,
        );
    }
    Ok(())
}

fn conflict(variable: &str, env_gives: &str, toml_gives: &str, profile: &str) -> ConfigError {
    ConfigError::new(
        ErrorCategory::TlsPathDataConflictEnvVsToml,
        format!(
            "{variable} gives {env_gives} but the config file gives {toml_gives} for the same \
             certificate or key; use one kind of source"
        ),
    )
    .with_profile(profile)
    .with_variable(variable)
}

fn apply_codec(
    profile: &mut ClientConfigProfile,
    env: &EnvVars,
    record: &mut dyn FnMut(&str, &str),
) {
    let endpoint = env.get(ENV_CODEC_ENDPOINT);
    let auth = env.get(ENV_CODEC_AUTH);
    if endpoint.is_none() && auth.is_none() {
        return;
    }
    let codec = profile.codec.get_or_insert_with(ClientConfigCodec::default);
    if let Some(v) = endpoint {
        codec.endpoint = Some(String::from(v));
        record("codec.endpoint", ENV_CODEC_ENDPOINT);
    }
    if let Some(v) = auth {
        codec.auth = Some(String::from(v));
        record("codec.auth", ENV_CODEC_AUTH);
    }
}

fn apply_grpc_meta(
    profile: &mut ClientConfigProfile,
    env: &EnvVars,
    record: &mut dyn FnMut(&str, &str),
) {
    // Variables in name order; with colliding names the last one wins (the reference leaves
    // the order unspecified).
    for (name, value) in env.iter() {
        let Some(header) = name.strip_prefix(ENV_GRPC_META_PREFIX) else {
            continue;
        };
        let header = normalize_grpc_meta_key(header);
        record(&format!("grpc_meta.{header}"), name);
        if value.is_empty() {
            profile.grpc_meta.remove(&header);
        } else {
            profile.grpc_meta.insert(header, String::from(value));
        }
    }
}
