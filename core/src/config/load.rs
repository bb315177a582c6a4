//! Loading profiles: locating the document, selecting a profile, applying the environment.
//!
//! Everything here is a pure function of its inputs: the options, an [`EnvVars`] map and a
//! [`ConfigFiles`] implementation that reads files. No process state is consulted.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::env::{apply_env, check_utf8, EnvVars, ENV_CONFIG_FILE, ENV_PROFILE};
use super::error::{ConfigError, ErrorCategory};
use super::profile::{ClientConfig, ClientConfigProfile, DEFAULT_PROFILE};
use super::toml_decode::{decode_document, decode_document_with_places, SettingPlaces};

/// Where the TOML config document comes from, when given in code.
#[derive(Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file path. A missing file means an empty config (not an error).
    Path(String),
    /// The TOML document itself. `Debug` shows only its length (it may hold keys).
    Data(Vec<u8>),
}

impl fmt::Debug for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(path) => f.debug_tuple("Path").field(path).finish(),
            Self::Data(data) => write!(f, "Data(<{} bytes>)", data.len()),
        }
    }
}

/// The largest config file the loader reads: 1 MiB (real ones hold a few kB).
pub const MAX_CONFIG_FILE_SIZE: usize = 1024 * 1024;
/// The largest certificate or key file read for TLS: 4 MiB (a bundle of every public root
/// CA is about 0.2 MiB).
pub const MAX_TLS_FILE_SIZE: usize = 4 * 1024 * 1024;

/// Why a file could not be read (other than "it does not exist").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    message: String,
}

impl FileError {
    /// An error described by `message` (for example the OS error text).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The error for a file larger than `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::new(format!(
            "the file is larger than {limit} bytes, the most this setting reads; is it the \
             right file?"
        ))
    }

    /// The description.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// File access for the loader: reading config and certificate files, and the platform's
/// default config file location.
///
/// With the `std` feature, `StdFiles` reads the real file system. Without
/// it, use [`NoFiles`] (configuration comes only from [`ConfigSource::Data`] and the
/// environment) or [`InMemoryFiles`], or implement this for your storage.
pub trait ConfigFiles {
    /// Read the whole file at `path`. Return `Ok(None)` if nothing exists there, and an
    /// error if something exists but cannot be read (for example a directory).
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, FileError>;

    /// Read the file at `path` as [`read`](Self::read) does, failing with
    /// [`FileError::too_large`] if it holds more than `limit` bytes. The loader reads every
    /// file this way ([`MAX_CONFIG_FILE_SIZE`], [`MAX_TLS_FILE_SIZE`]). The default reads
    /// the whole file, then checks; `StdFiles` never reads more than `limit + 1` bytes.
    fn read_limited(&self, path: &str, limit: usize) -> Result<Option<Vec<u8>>, FileError> {
        match self.read(path)? {
            Some(bytes) if bytes.len() > limit => Err(FileError::too_large(limit)),
            other => Ok(other),
        }
    }

    /// The OS default config file (`<config dir>/temporalio/temporal.toml`), if the
    /// platform has one. Used when neither the options nor `TEMPORAL_CONFIG_FILE` name a file.
    fn default_config_path(&self) -> Option<String>;
}

impl<T: ConfigFiles + ?Sized> ConfigFiles for &T {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, FileError> {
        (**self).read(path)
    }

    fn read_limited(&self, path: &str, limit: usize) -> Result<Option<Vec<u8>>, FileError> {
        (**self).read_limited(path, limit)
    }

    fn default_config_path(&self) -> Option<String> {
        (**self).default_config_path()
    }
}

/// No file system: every path is missing and there is no default config file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoFiles;

impl ConfigFiles for NoFiles {
    fn read(&self, _path: &str) -> Result<Option<Vec<u8>>, FileError> {
        Ok(None)
    }

    fn default_config_path(&self) -> Option<String> {
        None
    }
}

/// Files held in memory, by exact path, plus an optional default config path.
///
/// Useful on targets without a file system and in tests. `Debug` shows paths only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct InMemoryFiles {
    files: BTreeMap<String, Vec<u8>>,
    default_path: Option<String>,
}

impl InMemoryFiles {
    /// No files and no default path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) the file at `path`.
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// Set the default config file path.
    pub fn set_default_config_path(&mut self, path: Option<String>) {
        self.default_path = path;
    }
}

impl ConfigFiles for InMemoryFiles {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, FileError> {
        Ok(self.files.get(path).cloned())
    }

    fn default_config_path(&self) -> Option<String> {
        self.default_path.clone()
    }
}

impl fmt::Debug for InMemoryFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryFiles")
            .field("paths", &self.files.keys())
            .field("default_path", &self.default_path)
            .finish()
    }
}

/// Options of [`load_profile`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadProfileOptions {
    /// The config document; `None` means `TEMPORAL_CONFIG_FILE`, else the OS default path.
    pub config_source: Option<ConfigSource>,
    /// The profile to select. `Some` (even `""`) must exist. `None` means
    /// `TEMPORAL_PROFILE` if set and non-empty, else `default` (which may be missing).
    pub profile: Option<String>,
    /// Reject unknown keys.
    pub config_file_strict: bool,
    /// Do not read any config document; use the environment only.
    pub disable_file: bool,
    /// Apply no environment overrides. `TEMPORAL_CONFIG_FILE` is still used to find the file.
    pub disable_env: bool,
}

impl LoadProfileOptions {
    /// Default options: find the file, select `default`, apply the environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Use this config document.
    pub fn config_source(mut self, source: ConfigSource) -> Self {
        self.config_source = Some(source);
        self
    }

    /// Select this profile (it must exist).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Reject unknown keys.
    pub fn strict(mut self, strict: bool) -> Self {
        self.config_file_strict = strict;
        self
    }

    /// Do not read any config document.
    pub fn disable_file(mut self, disable: bool) -> Self {
        self.disable_file = disable;
        self
    }

    /// Apply no environment overrides.
    pub fn disable_env(mut self, disable: bool) -> Self {
        self.disable_env = disable;
        self
    }
}

/// Options of [`load_all_profiles`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadConfigOptions {
    /// The config document; `None` means `TEMPORAL_CONFIG_FILE`, else the OS default path.
    pub config_source: Option<ConfigSource>,
    /// Reject unknown keys.
    pub config_file_strict: bool,
}

/// Parse and validate a config document given as bytes, returning all its profiles.
///
/// This is the pure core of the loader: no files and no environment. `strict` rejects
/// unknown keys.
pub fn parse_config(toml: &[u8], strict: bool) -> Result<ClientConfig, ConfigError> {
    decode_document(toml, strict, None)
}

/// Load one profile: read the config document, select a profile, and apply the
/// `TEMPORAL_*` variables of `env` on top. No defaults are filled in.
///
/// Every profile of the document is validated, not only the selected one.
pub fn load_profile(
    options: &LoadProfileOptions,
    env: &EnvVars,
    files: &dyn ConfigFiles,
) -> Result<ClientConfigProfile, ConfigError> {
    load_profile_traced(options, env, files).map(|(profile, _)| profile)
}

/// How the loader chose something: given in code, by a variable, or by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Choice {
    Code,
    Env(&'static str),
    Default,
}

/// What [`load_profile_traced`] found on the way: where the document and the profile came
/// from, where each setting is written, and which variables set what.
#[derive(Clone, Debug)]
pub(crate) struct LoadTrace {
    /// The document's path (`None` for data given in code, or no document looked for) and
    /// how it was chosen; `None` when the file was disabled.
    pub(crate) document: Option<(Option<String>, Choice)>,
    /// Whether a document was there to read.
    pub(crate) document_found: bool,
    /// The selected profile and how it was chosen.
    pub(crate) profile: (String, Choice),
    /// Whether the document holds that profile.
    pub(crate) profile_found: bool,
    /// Where the selected profile's settings are written.
    pub(crate) places: SettingPlaces,
    /// (setting, variable) for every override, in the order applied.
    pub(crate) env: Vec<(String, String)>,
}

/// [`load_profile`], with a trace of where everything came from.
pub(crate) fn load_profile_traced(
    options: &LoadProfileOptions,
    env: &EnvVars,
    files: &dyn ConfigFiles,
) -> Result<(ClientConfigProfile, LoadTrace), ConfigError> {
    if options.disable_file && options.disable_env {
        return Err(ConfigError::new(
            ErrorCategory::FileAndEnvBothDisabled,
            "both the config file and the environment are disabled; enable at least one",
        ));
    }
    if options.profile.is_none() && !options.disable_env {
        check_utf8(env, ENV_PROFILE)?;
    }
    let explicit = options.profile.as_deref().or_else(|| {
        if options.disable_env {
            None
        } else {
            env.get_non_empty(ENV_PROFILE)
        }
    });
    let name = explicit.unwrap_or(DEFAULT_PROFILE);
    let profile_choice = match (&options.profile, explicit) {
        (Some(_), _) => Choice::Code,
        (None, Some(_)) => Choice::Env(ENV_PROFILE),
        (None, None) => Choice::Default,
    };
    let mut trace = LoadTrace {
        document: None,
        document_found: false,
        profile: (String::from(name), profile_choice),
        profile_found: false,
        places: SettingPlaces::new(),
        env: Vec::new(),
    };

    let mut profile = ClientConfigProfile::default();
    if !options.disable_file {
        let (doc, file, choice) = read_document(options.config_source.as_ref(), env, files)?;
        trace.document = Some((file.clone(), choice));
        trace.document_found = doc.is_some();
        let (mut config, mut places) = match &doc {
            Some(bytes) => {
                decode_document_with_places(bytes, options.config_file_strict, file.as_deref())?
            }
            None => (ClientConfig::default(), BTreeMap::new()),
        };
        match config.profiles.remove(name) {
            Some(found) => {
                profile = found;
                trace.profile_found = true;
                trace.places = places.remove(name).unwrap_or_default();
            }
            None if explicit.is_some() => {
                let mut err = ConfigError::new(
                    ErrorCategory::ProfileNotFound,
                    format!("profile '{name}' not found in the config"),
                )
                .with_profile(name)
                .with_file(file.as_deref());
                if options.profile.is_none() {
                    err = err.with_variable(ENV_PROFILE);
                }
                return Err(err);
            }
            None => {}
        }
    }
    if !options.disable_env {
        apply_env(&mut profile, env, name, &mut trace.env)?;
    }
    Ok((profile, trace))
}

/// Load every profile of the config document, without environment overrides.
///
/// `env` is consulted only for `TEMPORAL_CONFIG_FILE`.
pub fn load_all_profiles(
    options: &LoadConfigOptions,
    env: &EnvVars,
    files: &dyn ConfigFiles,
) -> Result<ClientConfig, ConfigError> {
    let (doc, file, _) = read_document(options.config_source.as_ref(), env, files)?;
    match doc {
        Some(bytes) => decode_document(&bytes, options.config_file_strict, file.as_deref()),
        None => Ok(ClientConfig::default()),
    }
}

/// A config document as found: its bytes (`None`: none there), the path they came from
/// (`None` for data given in code) and how the source was chosen.
type Document = (Option<Vec<u8>>, Option<String>, Choice);

/// Find and read the config document. Returns the bytes (`None`: no document), the file
/// path they came from (`None` for data given in code) and how the source was chosen.
fn read_document(
    source: Option<&ConfigSource>,
    env: &EnvVars,
    files: &dyn ConfigFiles,
) -> Result<Document, ConfigError> {
    let (path, variable) = match source {
        Some(ConfigSource::Data(data)) => return Ok((Some(data.clone()), None, Choice::Code)),
        Some(ConfigSource::Path(path)) => (path.clone(), None),
        None => {
            match check_utf8(env, ENV_CONFIG_FILE).map(|()| env.get_non_empty(ENV_CONFIG_FILE))? {
                // Read even when env overrides are disabled, as the reference does.
                Some(path) => (String::from(path), Some(ENV_CONFIG_FILE)),
                None => match files.default_config_path() {
                    Some(path) => (path, None),
                    None => return Ok((None, None, Choice::Default)),
                },
            }
        }
    };
    let choice = match (source, variable) {
        (Some(_), _) => Choice::Code,
        (None, Some(variable)) => Choice::Env(variable),
        (None, None) => Choice::Default,
    };
    match files.read_limited(&path, MAX_CONFIG_FILE_SIZE) {
        Ok(doc) => Ok((doc, Some(path), choice)),
        Err(err) => {
            let mut e = ConfigError::new(
                ErrorCategory::ConfigFileReadError,
                format!("cannot read the config file: {err}"),
            )
            .with_file(Some(&path));
            if let Some(variable) = variable {
                e = e.with_variable(variable);
            }
            Err(e)
        }
    }
}
