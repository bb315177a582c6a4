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
mod record;

use alloc::vec::Vec;

use super::connect::ConnectOptions;
use super::error::{ConfigError, ErrorCategory};
use super::load::{load_profile_traced, ConfigFiles, LoadProfileOptions};
use super::profile::ClientConfigProfile;
use super::EnvVars;
use build::{options_provenance, profile_provenance, snapshot};
pub use record::{Provenance, Setting, Source};

// Building a provenance from options needs `build`, which needs the record types: so
// these live here, above both.
impl Provenance {
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
