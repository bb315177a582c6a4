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
//! let load = LoadProfileOptions::new().config_source(ConfigSource::Data(toml.to_vec()));
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

mod build;

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::connect::ConnectOptions;
use super::error::{ConfigError, ErrorCategory};
use super::load::{load_profile_traced, ConfigFiles, LoadProfileOptions};
use super::profile::ClientConfigProfile;
use super::EnvVars;
use build::{options_provenance, profile_provenance, snapshot};

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
    /// and for connect options also `identity`, `lazy`, `connect_timeout`, `keepalive`,
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
    pub(super) fn new(name: impl Into<String>, value: Option<String>, source: Source) -> Self {
        Self {
            name: name.into(),
            value,
            source,
            overridden: Vec::new(),
            note: None,
        }
    }

    pub(super) fn with_note(mut self, note: impl Into<String>) -> Self {
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
    /// (e.g. `loaded.options.clone().namespace("other")`): each setting that differs
    /// comes from [`Source::Code`], over where it came from before.
    pub fn provenance_of(&self, options: &ConnectOptions) -> Provenance {
        self.provenance.with_changes(&self.options, options)
    }
}
