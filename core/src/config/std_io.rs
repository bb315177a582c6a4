//! The `std` side of the loader: real files, the process environment and the OS default
//! config path.

use alloc::string::String;
use alloc::vec::Vec;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::connect::ConnectOptions;
use super::env::EnvVars;
use super::error::ConfigError;
use super::load::{
    load_all_profiles, load_profile, ConfigFiles, FileError, LoadConfigOptions, LoadProfileOptions,
};
use super::profile::{ClientConfig, ClientConfigProfile};
use super::provenance::{load_profile_with_provenance, LoadedOptions};

/// The real file system, with the OS default config path (or one you inject).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StdFiles {
    default_path: Option<PathBuf>,
}

impl StdFiles {
    /// The file system with the OS default config path ([`default_config_path`]).
    pub fn new() -> Self {
        Self {
            default_path: default_config_path(),
        }
    }

    /// The file system with `path` as the default config file (`None`: no default file).
    pub fn with_default_path(path: Option<PathBuf>) -> Self {
        Self { default_path: path }
    }
}

impl Default for StdFiles {
    fn default() -> Self {
        Self::new()
    }
}

impl StdFiles {
    /// The path to open for `path`: the default path may not be UTF-8; it is handed out
    /// lossily, so map it back.
    fn resolve<'a>(&'a self, path: &'a str) -> &'a Path {
        match &self.default_path {
            Some(default) if default.to_string_lossy() == path => default,
            _ => Path::new(path),
        }
    }
}

impl ConfigFiles for StdFiles {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, FileError> {
        self.read_limited(path, usize::MAX)
    }

    fn read_limited(&self, path: &str, limit: usize) -> Result<Option<Vec<u8>>, FileError> {
        let path = self.resolve(path);
        // Like the reference: a path that does not exist (or whose metadata cannot be
        // read) is "no file"; one that exists but cannot be read is an error.
        if !path.exists() {
            return Ok(None);
        }
        let io_error = |err: std::io::Error| FileError::new(alloc::format!("{err}"));
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(io_error(err)),
        };
        // The size the file claims, to fail before reading; then a bounded read, for files
        // that claim nothing (pipes, /dev/zero, /proc).
        let claimed = file.metadata().map(|m| m.len()).unwrap_or(0);
        if usize::try_from(claimed).map_or(true, |claimed| claimed > limit) {
            return Err(FileError::too_large(limit));
        }
        let mut bytes = Vec::new();
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        std::io::Read::read_to_end(&mut std::io::Read::take(file, cap), &mut bytes)
            .map_err(io_error)?;
        if bytes.len() > limit {
            return Err(FileError::too_large(limit));
        }
        Ok(Some(bytes))
    }

    fn default_config_path(&self) -> Option<String> {
        self.default_path
            .as_ref()
            .map(|p| String::from(p.to_string_lossy()))
    }
}

/// The OS default config file, `<config dir>/temporalio/temporal.toml`, computed from the
/// real process environment:
///
/// - Linux and other Unix: `$XDG_CONFIG_HOME` if it is absolute, else `$HOME/.config`
///   (with the home directory of the passwd entry when `HOME` is unset or empty);
/// - macOS: `$HOME/Library/Application Support`;
/// - Windows: `%APPDATA%` (the roaming application data folder).
///
/// `None` when no config folder can be found.
pub fn default_config_path() -> Option<PathBuf> {
    config_dir().map(|dir| dir.join("temporalio").join("temporal.toml"))
}

#[allow(deprecated)] // `home_dir` is correct on the Rust versions we support.
fn home_dir() -> Option<PathBuf> {
    std::env::home_dir().filter(|p| !p.as_os_str().is_empty())
}

#[cfg(target_os = "macos")]
fn config_dir() -> Option<PathBuf> {
    home_dir().map(|home| home.join("Library").join("Application Support"))
}

#[cfg(windows)]
fn config_dir() -> Option<PathBuf> {
    std::env::var_os("APPDATA")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
}

#[cfg(not(any(windows, target_os = "macos")))]
fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home_dir().map(|home| home.join(".config")))
}

impl EnvVars {
    /// The process environment ([`from_os_vars`](Self::from_os_vars) of
    /// `std::env::vars_os()`).
    pub fn from_process() -> Self {
        Self::from_os_vars(std::env::vars_os())
    }

    /// Variables as the OS gives them. Those whose name is not UTF-8 are skipped; those whose
    /// value is not UTF-8 are recorded as such ([`insert_not_utf8`](Self::insert_not_utf8)),
    /// never converted lossily.
    pub fn from_os_vars(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Self {
        let mut env = Self::new();
        for (name, value) in vars {
            let Ok(name) = name.into_string() else {
                continue;
            };
            match value.into_string() {
                Ok(value) => env.insert(name, value),
                Err(_) => env.insert_not_utf8(name),
            }
        }
        env
    }
}

/// Load a profile from the process environment, the real files and the OS default path.
pub fn load_process_profile(
    options: &LoadProfileOptions,
) -> Result<ClientConfigProfile, ConfigError> {
    load_profile(options, &EnvVars::from_process(), &StdFiles::new())
}

/// Load every profile of the config file found as [`load_process_profile`] finds it, without
/// environment overrides.
pub fn load_process_config(options: &LoadConfigOptions) -> Result<ClientConfig, ConfigError> {
    load_all_profiles(options, &EnvVars::from_process(), &StdFiles::new())
}

/// Load a profile as [`load_process_profile`] does and convert it to [`ConnectOptions`]
/// (reading certificate files now).
pub fn load_connect_options(options: &LoadProfileOptions) -> Result<ConnectOptions, ConfigError> {
    let files = StdFiles::new();
    load_profile(options, &EnvVars::from_process(), &files)?.to_connect_options(&files)
}

/// [`load_connect_options`], also telling where each option came from (see
/// [`Provenance`](super::Provenance)).
pub fn load_connect_options_with_provenance(
    options: &LoadProfileOptions,
) -> Result<LoadedOptions, ConfigError> {
    let files = StdFiles::new();
    load_profile_with_provenance(options, &EnvVars::from_process(), &files)?
        .to_connect_options(&files)
}

/// The connect options Temporal users expect with no code-side configuration: the profile
/// named by `TEMPORAL_PROFILE` (or `default`) from `TEMPORAL_CONFIG_FILE` (or the OS default
/// path), overridden by `TEMPORAL_*` variables, with defaults for what is left unset.
pub fn load_default() -> Result<ConnectOptions, ConfigError> {
    load_connect_options(&LoadProfileOptions::default())
}
