//! Config provenance: for every resolved setting, its value (secrets redacted) and where it
//! came from: a built-in default, a config file (file, profile, key, line), an environment
//! variable, or code.
//!
//! Load with [`load_profile_with_provenance`] (or, with `std`,
//! `load_connect_options_with_provenance`) instead of `load_profile`, convert with
//! [`LoadedProfile::to_connect_options`], and read [`LoadedOptions::provenance`] as data
//! ([`Provenance::get`], [`Provenance::iter`]) or print it as a table (`Display`). When code
//! changes the loaded options, [`LoadedOptions::provenance_of`] marks what it changed.
//!
//! ```
//! use temporal_lite_core::config::{
//!     load_profile_with_provenance, ConfigSource, EnvVars, LoadProfileOptions, NoFiles, Source,
//! };
//!
//! let toml = b"[profile.default]\naddress = \"temporal.example:7233\"\napi_key = \"secret\"\n";
//! let env: EnvVars = [("TEMPORAL_NAMESPACE", "prod")].into_iter().collect();
//! let load = LoadProfileOptions::new().with_config_source(ConfigSource::Data(toml.to_vec()));
//! let loaded = load_profile_with_provenance(&load, &env, &NoFiles)?
//!     .to_connect_options(&NoFiles)?;
//!
//! let address = loaded.provenance.get("address").unwrap();
//! assert!(matches!(&address.source, Source::File { line: 2, .. }));
//! let namespace = loaded.provenance.get("namespace").unwrap();
//! assert_eq!(namespace.source, Source::Env { variable: "TEMPORAL_NAMESPACE".into() });
//! assert_eq!(loaded.provenance.get("api_key").unwrap().value.as_deref(), Some("<redacted>"));
//! println!("{}", loaded.provenance); // a table: setting, value, source
//! # Ok::<(), temporal_lite_core::config::ConfigError>(())
//! ```

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::connect::{ConnectOptions, DEFAULT_ADDRESS, DEFAULT_NAMESPACE};
use super::error::{ConfigError, ErrorCategory};
use super::load::{load_profile_traced, Choice, ConfigFiles, LoadProfileOptions, LoadTrace};
use super::profile::{ClientConfigProfile, DataSource};
use super::EnvVars;
use crate::grpc::is_secret_header;

/// What a redacted value shows.
const REDACTED: &str = "<redacted>";

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The client's built-in default (or a rule, such as "an API key turns TLS on"; see
    /// [`Setting::note`]).
    Default,
    /// A config document.
    File {
        /// The file's path; `None` for a document given in code (`ConfigSource::Data`).
        file: Option<String>,
        /// The profile.
        profile: String,
        /// The dotted TOML key, e.g. `profile.prod.tls.client_cert_path`.
        key: String,
        /// 1-based line of the key.
        line: usize,
        /// 1-based column of the key.
        column: usize,
    },
    /// An environment variable.
    Env {
        /// Its name, e.g. `TEMPORAL_ADDRESS`.
        variable: String,
    },
    /// Code: loader options given in code (the config source, the profile name), or a
    /// change to the options after loading.
    Code,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File {
                file, key, line, ..
            } => {
                let file = file.as_deref().unwrap_or("config data");
                write!(f, "{file}:{line} ({key})")
            }
            Source::Env { variable } => write!(f, "env {variable}"),
            Source::Code => f.write_str("code"),
        }
    }
}

/// One resolved setting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Setting {
    /// `config_file`, `profile`, `address`, `namespace`, `api_key`, `tls`, `tls.client_cert`,
    /// `tls.client_key`, `tls.server_ca_cert`, `tls.server_name`,
    /// `tls.disable_host_verification`, `codec.endpoint`, `codec.auth`, `grpc_meta.<header>`,
    /// and for connect options also `identity`, `lazy`, `connect_timeout`,
    /// `allow_plaintext_credentials`, `entropy`.
    pub name: String,
    /// The value as it may be shown: strings quoted, secrets (the API key, codec auth,
    /// secret headers) as `<redacted>`, key and certificate data as a byte count. `None`:
    /// unset, or removed.
    pub value: Option<String>,
    /// Where the value came from.
    pub source: Source,
    /// Earlier sources whose value this one replaced, first to last (e.g. the file's value
    /// under a variable that overrides it).
    pub overridden: Vec<Source>,
    /// Why, where the rule is not obvious (`"an API key turns TLS on"`).
    pub note: Option<String>,
}

impl Setting {
    fn new(name: impl Into<String>, value: Option<String>, source: Source) -> Self {
        Self {
            name: name.into(),
            value,
            source,
            overridden: Vec::new(),
            note: None,
        }
    }

    fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// Where every resolved setting came from. `Display` prints a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    settings: Vec<Setting>,
}

impl Provenance {
    /// The setting named `name` (see [`Setting::name`]).
    pub fn get(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.name == name)
    }

    /// Every setting, in a fixed order (where config comes from, then the settings).
    pub fn iter(&self) -> core::slice::Iter<'_, Setting> {
        self.settings.iter()
    }

    /// Number of settings.
    pub fn len(&self) -> usize {
        self.settings.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
    }

    /// The provenance of options built in code: settings that differ from
    /// `ConnectOptions::default()` come from [`Source::Code`], the rest are defaults.
    pub fn of_code(options: &ConnectOptions) -> Provenance {
        let defaults = ConnectOptions::default();
        let base = Provenance {
            settings: snapshot(&defaults)
                .into_iter()
                .map(|entry| Setting::new(entry.name, entry.shown, Source::Default))
                .collect(),
        };
        base.with_changes(&defaults, options)
    }

    /// This provenance, for `changed` instead of `loaded`: each setting whose value differs
    /// comes from [`Source::Code`], over its old source.
    fn with_changes(&self, loaded: &ConnectOptions, changed: &ConnectOptions) -> Provenance {
        let before = snapshot(loaded);
        let after = snapshot(changed);
        let mut result = self.clone();
        let mut names: Vec<&str> = before.iter().chain(&after).map(|e| &*e.name).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let old = before.iter().find(|e| e.name == name);
            let new = after.iter().find(|e| e.name == name);
            let same = match name {
                // Two sources of your own are the same only when they are the same one.
                "entropy" => loaded.entropy == changed.entropy,
                _ => old.map(|e| &e.compare) == new.map(|e| &e.compare),
            };
            if same {
                continue;
            }
            let value = new.and_then(|e| e.shown.clone());
            match result.settings.iter_mut().find(|s| s.name == name) {
                Some(setting) => {
                    let old_source = core::mem::replace(&mut setting.source, Source::Code);
                    setting.overridden.push(old_source);
                    setting.value = value;
                    setting.note = None;
                }
                None => result
                    .settings
                    .push(Setting::new(name, value, Source::Code)),
            }
        }
        result
    }
}

impl fmt::Display for Provenance {
    /// A table: setting, value, source (with what it overrode, and a note).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: Vec<(&str, String, String)> = self
            .settings
            .iter()
            .map(|s| {
                let mut source = s.source.to_string();
                for old in s.overridden.iter().rev() {
                    source.push_str(&format!(", over {old}"));
                }
                if let Some(note) = &s.note {
                    source.push_str(&format!(" ({note})"));
                }
                let value = s.value.clone().unwrap_or_else(|| "(unset)".to_owned());
                (s.name.as_str(), value, source)
            })
            .collect();
        let name_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(7);
        let value_width = rows
            .iter()
            .map(|r| r.1.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        writeln!(
            f,
            "{:name_width$}  {:value_width$}  source",
            "setting", "value"
        )?;
        for (name, value, source) in rows {
            writeln!(f, "{name:name_width$}  {value:value_width$}  {source}")?;
        }
        Ok(())
    }
}

/// A profile as [`load_profile_with_provenance`] resolved it, with where each setting came
/// from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadedProfile {
    /// The profile, as `load_profile` returns it.
    pub profile: ClientConfigProfile,
    /// Where the config and each setting of the profile came from.
    pub provenance: Provenance,
}

/// Connect options with where each setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadedOptions {
    /// The options, as `ClientConfigProfile::to_connect_options` returns them.
    pub options: ConnectOptions,
    /// Where each setting came from, defaults included.
    pub provenance: Provenance,
}

/// [`load_profile`](super::load_profile), also telling where each setting came from.
pub fn load_profile_with_provenance(
    options: &LoadProfileOptions,
    env: &EnvVars,
    files: &dyn ConfigFiles,
) -> Result<LoadedProfile, ConfigError> {
    let (profile, trace) = load_profile_traced(options, env, files)?;
    let provenance = profile_provenance(&profile, &trace);
    Ok(LoadedProfile {
        profile,
        provenance,
    })
}

impl LoadedProfile {
    /// [`ClientConfigProfile::to_connect_options`], with the provenance of every option,
    /// defaults included. An error about the address, namespace or API key names exactly
    /// where the value came from (the variable, or the file, key and line).
    pub fn to_connect_options(
        &self,
        files: &dyn ConfigFiles,
    ) -> Result<LoadedOptions, ConfigError> {
        let options = self
            .profile
            .to_connect_options(files)
            .map_err(|error| self.pinpoint(error))?;
        let provenance = options_provenance(&self.provenance, &options);
        Ok(LoadedOptions {
            options,
            provenance,
        })
    }

    /// `error` naming only the one place its setting came from.
    fn pinpoint(&self, error: ConfigError) -> ConfigError {
        let pinpointed = matches!(
            error.category(),
            ErrorCategory::EmptyValue
                | ErrorCategory::InvalidAddress
                | ErrorCategory::InvalidApiKey
        );
        let setting = error.key().and_then(|key| self.provenance.get(key));
        let (true, Some(setting)) = (pinpointed, setting) else {
            return error;
        };
        let plain = ConfigError::new(error.category(), error.message());
        match &setting.source {
            Source::Env { variable } => plain.with_variable(variable),
            Source::File {
                file,
                profile,
                key,
                line,
                column,
            } => plain
                .with_file(file.as_deref())
                .with_profile(profile)
                .with_key(key.clone())
                .with_position(Some((*line, *column))),
            _ => error,
        }
    }
}

impl LoadedOptions {
    /// The provenance of `options`, which code derived from [`options`](Self::options)
    /// (e.g. `loaded.options.clone().with_namespace("other")`): each setting that differs
    /// comes from [`Source::Code`], over where it came from before.
    pub fn provenance_of(&self, options: &ConnectOptions) -> Provenance {
        self.provenance.with_changes(&self.options, options)
    }
}

// ---- building ----

fn source_of(choice: &Choice) -> Source {
    match choice {
        Choice::Code => Source::Code,
        Choice::Env(variable) => Source::Env {
            variable: String::from(*variable),
        },
        Choice::Default => Source::Default,
    }
}

fn quoted(text: &str) -> Option<String> {
    Some(format!("{text:?}"))
}

fn data_source(source: &DataSource, secret: bool) -> String {
    match source {
        DataSource::Path(path) => format!("path {path:?}"),
        DataSource::Data(data) if secret => format!("data, {} bytes, {REDACTED}", data.len()),
        DataSource::Data(data) => format!("data, {} bytes", data.len()),
    }
}

/// The settings a loaded profile holds, each with its value as shown.
fn profile_values(profile: &ClientConfigProfile) -> Vec<(String, Option<String>)> {
    let mut values: Vec<(String, Option<String>)> = Vec::new();
    let mut push = |name: &str, value: Option<String>| values.push((String::from(name), value));
    if let Some(address) = &profile.address {
        push("address", quoted(address));
    }
    if let Some(namespace) = &profile.namespace {
        push("namespace", quoted(namespace));
    }
    if let Some(key) = &profile.api_key {
        // An empty key is shown as such: it means "no key".
        push(
            "api_key",
            Some(if key.is_empty() {
                "\"\"".to_owned()
            } else {
                REDACTED.to_owned()
            }),
        );
    }
    if let Some(tls) = &profile.tls {
        push(
            "tls",
            Some(String::from(if tls.is_enabled() { "on" } else { "off" })),
        );
        let slots = [
            ("tls.client_cert", &tls.client_cert, false),
            ("tls.client_key", &tls.client_key, true),
            ("tls.server_ca_cert", &tls.server_ca_cert, false),
        ];
        for (name, source, secret) in slots {
            if let Some(source) = source {
                push(name, Some(data_source(source, secret)));
            }
        }
        if let Some(name) = &tls.server_name {
            push("tls.server_name", quoted(name));
        }
        push(
            "tls.disable_host_verification",
            Some(tls.disable_host_verification.to_string()),
        );
    }
    if let Some(codec) = &profile.codec {
        if let Some(endpoint) = &codec.endpoint {
            push("codec.endpoint", quoted(endpoint));
        }
        if codec.auth.is_some() {
            push("codec.auth", Some(REDACTED.to_owned()));
        }
    }
    for (name, value) in &profile.grpc_meta {
        let shown = if is_secret_header(name) && !value.is_empty() {
            Some(REDACTED.to_owned())
        } else {
            quoted(value)
        };
        push(&format!("grpc_meta.{name}"), shown);
    }
    values
}

fn profile_provenance(profile: &ClientConfigProfile, trace: &LoadTrace) -> Provenance {
    let mut settings = Vec::new();
    settings.push(match &trace.document {
        None => Setting::new("config_file", None, Source::Code)
            .with_note("disabled (LoadProfileOptions::disable_file)"),
        Some((None, Choice::Code)) => Setting::new(
            "config_file",
            Some("<data given in code>".to_owned()),
            Source::Code,
        ),
        Some((None, choice)) => Setting::new("config_file", None, source_of(choice))
            .with_note("this platform has no default config path"),
        Some((Some(path), choice)) => {
            let setting = Setting::new("config_file", quoted(path), source_of(choice));
            if trace.document_found {
                setting
            } else {
                setting.with_note("no file there: an empty config")
            }
        }
    });
    let (name, choice) = &trace.profile;
    let profile_setting = Setting::new("profile", quoted(name), source_of(choice));
    settings.push(if trace.profile_found {
        profile_setting
    } else {
        profile_setting.with_note("not in the config: an empty profile")
    });

    let file = trace.document.as_ref().and_then(|(path, _)| path.clone());
    let file_source = |setting: &str| {
        trace.places.get(setting).map(|place| Source::File {
            file: file.clone(),
            profile: name.clone(),
            key: place.key.clone(),
            line: place.line,
            column: place.column,
        })
    };
    let env_sources = |setting: &str| -> Vec<Source> {
        trace
            .env
            .iter()
            .filter(|(s, _)| s == setting)
            .map(|(_, variable)| Source::Env {
                variable: variable.clone(),
            })
            .collect()
    };
    // A TLS section's on/off state comes from `disabled` when that is written.
    let file_place = |setting: &str| match setting {
        "tls" => file_source("tls.disabled").or_else(|| file_source("tls")),
        other => file_source(other),
    };
    let with_history = |name: &str, value: Option<String>| {
        let mut sources: Vec<Source> = file_place(name).into_iter().collect();
        sources.extend(env_sources(name));
        let source = sources.pop().unwrap_or(Source::Default);
        let mut setting = Setting::new(name, value, source);
        setting.overridden = sources;
        setting
    };
    let values = profile_values(profile);
    for (name, value) in &values {
        settings.push(with_history(name, value.clone()));
    }
    // Headers an empty TEMPORAL_GRPC_META_* removed.
    for (setting, _) in &trace.env {
        let removed = setting.starts_with("grpc_meta.")
            && !values.iter().any(|(name, _)| name == setting)
            && !settings.iter().any(|s: &Setting| &s.name == setting);
        if removed {
            settings.push(with_history(setting, None).with_note("removed by an empty variable"));
        }
    }
    Provenance { settings }
}

/// The provenance of connect options converted from a profile whose provenance is
/// `profile`: its settings, the defaults filled in, and the options that only code sets.
fn options_provenance(profile: &Provenance, options: &ConnectOptions) -> Provenance {
    let mut settings: Vec<Setting> = Vec::new();
    let copy = |name: &str| profile.get(name).cloned();
    for name in ["config_file", "profile"] {
        settings.extend(copy(name));
    }
    let defaulted = |name: &str, default: &str| match copy(name) {
        Some(setting) if setting.value.as_deref() != Some("\"\"") => setting,
        _ => Setting::new(name, quoted(default), Source::Default).with_note("unset"),
    };
    settings.push(defaulted("address", DEFAULT_ADDRESS));
    settings.push(defaulted("namespace", DEFAULT_NAMESPACE));
    let key = match copy("api_key") {
        Some(setting) if options.api_key.is_some() => setting,
        Some(mut setting) => {
            setting.value = None;
            setting.with_note("empty: no API key")
        }
        None => Setting::new("api_key", None, Source::Default),
    };
    settings.push(key);
    let tls = match copy("tls") {
        Some(setting) => setting,
        None if options.api_key.is_some() => {
            Setting::new("tls", Some("on".to_owned()), Source::Default)
                .with_note("an API key turns TLS on")
        }
        None => Setting::new("tls", Some("off".to_owned()), Source::Default),
    };
    let tls_on = options.tls.is_some();
    settings.push(tls);
    for name in [
        "tls.client_cert",
        "tls.client_key",
        "tls.server_ca_cert",
        "tls.server_name",
        "tls.disable_host_verification",
    ] {
        if let Some(setting) = copy(name) {
            settings.push(if tls_on {
                setting
            } else {
                setting.with_note("unused: TLS is off")
            });
        }
    }
    for setting in profile.iter() {
        if setting.name.starts_with("grpc_meta.") {
            settings.push(setting.clone());
        }
    }
    for name in ["codec.endpoint", "codec.auth"] {
        if let Some(setting) = copy(name) {
            settings.push(setting.with_note("not used by this client"));
        }
    }
    for entry in snapshot(options) {
        let only_code = matches!(
            &*entry.name,
            "identity" | "lazy" | "connect_timeout" | "allow_plaintext_credentials" | "entropy"
        );
        if only_code {
            settings.push(Setting::new(entry.name, entry.shown, Source::Default));
        }
    }
    Provenance { settings }
}

/// One option of [`ConnectOptions`]: its name, its value as shown, and its raw value to
/// compare (never shown; dropped after the comparison).
struct Entry {
    name: String,
    shown: Option<String>,
    compare: Vec<u8>,
}

/// Every option of `options`, named as in [`Setting::name`].
fn snapshot(options: &ConnectOptions) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut push = |name: &str, shown: Option<String>, compare: &[u8]| {
        entries.push(Entry {
            name: String::from(name),
            shown,
            compare: compare.to_vec(),
        })
    };
    push(
        "address",
        quoted(&options.address),
        options.address.as_bytes(),
    );
    push(
        "namespace",
        quoted(&options.namespace),
        options.namespace.as_bytes(),
    );
    match &options.api_key {
        Some(key) => push(
            "api_key",
            Some(REDACTED.to_owned()),
            key.expose().as_bytes(),
        ),
        None => push("api_key", None, b"\0none"),
    }
    let on = options.uses_tls();
    push(
        "tls",
        Some(String::from(if on { "on" } else { "off" })),
        if on { b"on" } else { b"off" },
    );
    if let Some(tls) = &options.tls {
        let bytes = |data: &Option<Vec<u8>>, secret: bool| {
            data.as_ref().map(|d| {
                if secret {
                    format!("data, {} bytes, {REDACTED}", d.len())
                } else {
                    format!("data, {} bytes", d.len())
                }
            })
        };
        let raw = |data: Option<&[u8]>| data.map_or(b"\0none".to_vec(), <[u8]>::to_vec);
        push(
            "tls.client_cert",
            bytes(&tls.client_cert, false),
            &raw(tls.client_cert.as_deref()),
        );
        let key = tls.client_key.as_ref().map(|k| k.expose().to_vec());
        push("tls.client_key", bytes(&key, true), &raw(key.as_deref()));
        push(
            "tls.server_ca_cert",
            bytes(&tls.server_ca_cert, false),
            &raw(tls.server_ca_cert.as_deref()),
        );
        let name = tls.server_name.as_deref();
        push(
            "tls.server_name",
            name.and_then(quoted),
            &raw(name.map(str::as_bytes)),
        );
        let verify = tls.disable_host_verification.to_string();
        push(
            "tls.disable_host_verification",
            Some(verify.clone()),
            verify.as_bytes(),
        );
    }
    for (name, value) in options.metadata.iter() {
        let shown = if is_secret_header(name) && !value.is_empty() {
            Some(REDACTED.to_owned())
        } else {
            quoted(value)
        };
        push(&format!("grpc_meta.{name}"), shown, value.as_bytes());
    }
    push(
        "identity",
        quoted(&options.identity),
        options.identity.as_bytes(),
    );
    let lazy = options.lazy.to_string();
    push("lazy", Some(lazy.clone()), lazy.as_bytes());
    let timeout = format!("{:?}", options.connect_timeout);
    push("connect_timeout", Some(timeout.clone()), timeout.as_bytes());
    let allow = options.allow_plaintext_credentials.to_string();
    push(
        "allow_plaintext_credentials",
        Some(allow.clone()),
        allow.as_bytes(),
    );
    let entropy = if options.entropy.is_os() {
        "operating system"
    } else {
        "supplied in code"
    };
    push("entropy", Some(entropy.to_owned()), entropy.as_bytes());
    entries
}
