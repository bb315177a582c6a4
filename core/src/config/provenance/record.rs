//! What provenance records: each setting's value and its [`Source`], in a [`Provenance`]
//! table.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// What a redacted value shows.
pub(super) const REDACTED: &str = "<redacted>";

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
    pub(super) settings: Vec<Setting>,
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
