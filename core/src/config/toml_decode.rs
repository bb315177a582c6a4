//! Decoding a TOML config document into profiles.
//!
//! The document is parsed with the `toml` crate's span-keeping tables (TOML 1.1), then
//! walked by hand: the keys of every table in sorted (byte-wise) order, depth first, so the
//! first error in that order is the one reported, as the reference implementation does.
//! Integers are never converted (no known key takes one), so an integer too large for 64
//! bits is fine under an ignored key and a type error under a known one.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;

use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

use super::error::{ConfigError, ErrorCategory};
use super::profile::{
    normalize_grpc_meta_key, ClientConfig, ClientConfigCodec, ClientConfigProfile, ClientConfigTls,
    DataSource,
};

pub(super) const PROFILE_KEYS: &[&str] = &[
    "address",
    "namespace",
    "api_key",
    "tls",
    "codec",
    "grpc_meta",
];
pub(super) const TLS_KEYS: &[&str] = &[
    "disabled",
    "client_cert_path",
    "client_cert_data",
    "client_key_path",
    "client_key_data",
    "server_ca_cert_path",
    "server_ca_cert_data",
    "server_name",
    "disable_host_verification",
];
const CODEC_KEYS: &[&str] = &["endpoint", "auth"];

/// The three certificate/key slots of a TLS table, in the order they are checked.
const SLOTS: [&str; 3] = ["client_cert", "client_key", "server_ca_cert"];

type Entry<'t, 'i> = (&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>);

/// `*_path` / `*_data` of one slot as written in TOML, before the conflict check.
#[derive(Default)]
struct RawSlot {
    path: Option<String>,
    data: Option<String>,
}

/// A decoded profile whose TLS sources are not yet checked for conflicts.
struct RawProfile {
    profile: ClientConfigProfile,
    slots: [RawSlot; 3],
    places: SettingPlaces,
}

/// Where a setting is written in the document: its dotted TOML key and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) key: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// The places of one profile's settings, by setting name (`address`, `tls`,
/// `tls.client_cert`, `grpc_meta.<header>`, ...).
pub(crate) type SettingPlaces = BTreeMap<String, Place>;

/// Decoding context: the text (for line/column), the file name and the mode.
struct Decoder<'a> {
    text: &'a str,
    file: Option<&'a str>,
    strict: bool,
}

/// Parse and validate a whole config document.
///
/// `file` names the document in errors (`None` for data given in code).
pub(crate) fn decode_document(
    bytes: &[u8],
    strict: bool,
    file: Option<&str>,
) -> Result<ClientConfig, ConfigError> {
    decode_document_with_places(bytes, strict, file).map(|(config, _)| config)
}

/// [`decode_document`], with where each profile's settings are written.
pub(crate) fn decode_document_with_places(
    bytes: &[u8],
    strict: bool,
    file: Option<&str>,
) -> Result<(ClientConfig, BTreeMap<String, SettingPlaces>), ConfigError> {
    let text = match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = &bytes[..err.valid_up_to()];
            // The prefix is valid UTF-8 by construction.
            let prefix = core::str::from_utf8(valid).unwrap_or("");
            return Err(ConfigError::new(
                ErrorCategory::ConfigNotUtf8,
                format!(
                    "the config document is not valid UTF-8 (invalid byte at offset {})",
                    err.valid_up_to()
                ),
            )
            .with_file(file)
            .with_position(Some(line_column(prefix, prefix.len()))));
        }
    };
    if text.trim().is_empty() {
        return Ok((ClientConfig::default(), BTreeMap::new()));
    }
    let decoder = Decoder { text, file, strict };
    let root = DeTable::parse(text).map_err(|err| {
        let position = err.span().map(|span| line_column(text, span.start));
        ConfigError::new(
            ErrorCategory::TomlSyntax,
            format!("invalid TOML: {}", err.message()),
        )
        .with_file(file)
        .with_position(position)
    })?;

    let mut raw: Vec<(String, RawProfile)> = Vec::new();
    for (key, value) in sorted(root.get_ref()) {
        let name = key.get_ref().as_ref();
        if name == "profile" {
            let profiles = decoder.table(value, "profile", None)?;
            for (pkey, pvalue) in sorted(profiles) {
                let pname = pkey.get_ref().as_ref();
                let path = format!("profile.{}", quote_key(pname));
                let table = decoder.table(pvalue, &path, Some(pname))?;
                raw.push((String::from(pname), decoder.profile(table, &path, pname)?));
            }
        } else if decoder.strict {
            return Err(decoder.unknown(key, name, "", &["profile"], None));
        } else {
            decoder.ignored(value, &quote_key(name), None)?;
        }
    }

    let mut config = ClientConfig::default();
    let mut places = BTreeMap::new();
    for (name, mut raw) in raw {
        places.insert(name.clone(), core::mem::take(&mut raw.places));
        let profile = finish_profile(raw, &name, file)?;
        config.profiles.insert(name, profile);
    }
    Ok((config, places))
}

/// The entries of a table in byte-wise key order, whatever the map's own order is.
fn sorted<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<Entry<'t, 'i>> = table.iter().collect();
    entries.sort_by(|a, b| a.0.get_ref().as_bytes().cmp(b.0.get_ref().as_bytes()));
    entries
}

impl Decoder<'_> {
    fn position(&self, span: Range<usize>) -> Option<(usize, usize)> {
        Some(line_column(self.text, span.start))
    }

    /// Where `key` is written, as a [`Place`] with the dotted path `path`.
    fn place(&self, key: &Spanned<DeString<'_>>, path: &str) -> Place {
        let (line, column) = line_column(self.text, key.span().start);
        Place {
            key: String::from(path),
            line,
            column,
        }
    }

    fn wrong_type(
        &self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        expected: &str,
        profile: Option<&str>,
    ) -> ConfigError {
        let mut err = ConfigError::new(
            ErrorCategory::TomlWrongType,
            format!(
                "`{path}` must be {expected}, found {}",
                type_name(value.get_ref())
            ),
        )
        .with_key(path)
        .with_file(self.file)
        .with_position(self.position(value.span()));
        if let Some(profile) = profile {
            err = err.with_profile(profile);
        }
        err
    }

    fn unknown(
        &self,
        key: &Spanned<DeString<'_>>,
        name: &str,
        parent: &str,
        known: &[&str],
        profile: Option<&str>,
    ) -> ConfigError {
        let path = if parent.is_empty() {
            quote_key(name)
        } else {
            format!("{parent}.{}", quote_key(name))
        };
        let where_ = if parent.is_empty() {
            String::from("at the top level")
        } else {
            format!("in `{parent}`")
        };
        let mut err = ConfigError::new(
            ErrorCategory::TomlUnknownField,
            format!(
                "unknown key `{}` {where_} (strict mode); expected one of: {}",
                quote_key(name),
                known.join(", ")
            ),
        )
        .with_key(path)
        .with_file(self.file)
        .with_position(self.position(key.span()));
        if let Some(profile) = profile {
            err = err.with_profile(profile);
        }
        err
    }

    /// Reject a number that the reference cannot represent (an integer outside both the
    /// `i128` and `u128` ranges, such as `0x` without digits, or a float that overflows to
    /// infinity). The reference converts every scalar it visits, so this comes before any
    /// type check and applies to ignored values too.
    fn check_number(
        &self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        profile: Option<&str>,
    ) -> Result<(), ConfigError> {
        let problem = match value.get_ref() {
            DeValue::Integer(int) => {
                let (digits, radix) = (int.as_str(), int.radix());
                let fits = i128::from_str_radix(digits, radix).is_ok()
                    || u128::from_str_radix(digits, radix).is_ok();
                (!fits).then_some("integer out of range (or without digits)")
            }
            DeValue::Float(float) => {
                let text = float.as_str();
                let fits = text
                    .parse::<f64>()
                    .is_ok_and(|f| !f.is_infinite() || text.contains("inf"));
                (!fits).then_some("floating-point number out of range")
            }
            _ => None,
        };
        match problem {
            None => Ok(()),
            Some(problem) => {
                let mut err = ConfigError::new(
                    ErrorCategory::TomlSyntax,
                    format!("invalid TOML: {problem} in `{path}`"),
                )
                .with_key(path)
                .with_file(self.file)
                .with_position(self.position(value.span()));
                if let Some(profile) = profile {
                    err = err.with_profile(profile);
                }
                Err(err)
            }
        }
    }

    /// Visit an ignored value (unknown key, non-strict) as the reference does: every
    /// number inside it must be representable.
    fn ignored(
        &self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        profile: Option<&str>,
    ) -> Result<(), ConfigError> {
        match value.get_ref() {
            DeValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.ignored(item, &format!("{path}[{index}]"), profile)?;
                }
                Ok(())
            }
            DeValue::Table(table) => {
                for (key, item) in sorted(table) {
                    let child = format!("{path}.{}", quote_key(key.get_ref()));
                    self.ignored(item, &child, profile)?;
                }
                Ok(())
            }
            _ => self.check_number(value, path, profile),
        }
    }

    fn table<'t, 'i>(
        &self,
        value: &'t Spanned<DeValue<'i>>,
        path: &str,
        profile: Option<&str>,
    ) -> Result<&'t DeTable<'i>, ConfigError> {
        self.check_number(value, path, profile)?;
        match value.get_ref() {
            DeValue::Table(table) => Ok(table),
            _ => Err(self.wrong_type(value, path, "a table", profile)),
        }
    }

    fn string(
        &self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        profile: &str,
    ) -> Result<String, ConfigError> {
        self.check_number(value, path, Some(profile))?;
        match value.get_ref() {
            DeValue::String(s) => Ok(String::from(s.as_ref())),
            _ => Err(self.wrong_type(value, path, "a string", Some(profile))),
        }
    }

    fn boolean(
        &self,
        value: &Spanned<DeValue<'_>>,
        path: &str,
        profile: &str,
    ) -> Result<bool, ConfigError> {
        self.check_number(value, path, Some(profile))?;
        match value.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            _ => Err(self.wrong_type(value, path, "a boolean", Some(profile))),
        }
    }

    fn profile(
        &self,
        table: &DeTable<'_>,
        path: &str,
        name: &str,
    ) -> Result<RawProfile, ConfigError> {
        let mut raw = RawProfile {
            profile: ClientConfigProfile::default(),
            slots: Default::default(),
            places: SettingPlaces::new(),
        };
        for (key, value) in sorted(table) {
            let k = key.get_ref().as_ref();
            let key_path = format!("{path}.{}", quote_key(k));
            if PROFILE_KEYS.contains(&k) {
                raw.places
                    .insert(String::from(k), self.place(key, &key_path));
            }
            match k {
                "address" => raw.profile.address = Some(self.string(value, &key_path, name)?),
                "namespace" => raw.profile.namespace = Some(self.string(value, &key_path, name)?),
                "api_key" => raw.profile.api_key = Some(self.string(value, &key_path, name)?),
                "tls" => {
                    let table = self.table(value, &key_path, Some(name))?;
                    let (tls, slots) = self.tls(table, &key_path, name, &mut raw.places)?;
                    raw.profile.tls = Some(tls);
                    raw.slots = slots;
                }
                "codec" => {
                    let table = self.table(value, &key_path, Some(name))?;
                    raw.profile.codec =
                        Some(self.codec(table, &key_path, name, &mut raw.places)?);
                }
                "grpc_meta" => {
                    let table = self.table(value, &key_path, Some(name))?;
                    raw.profile.grpc_meta =
                        self.grpc_meta(table, &key_path, name, &mut raw.places)?;
                }
                _ if self.strict => {
                    return Err(self.unknown(key, k, path, PROFILE_KEYS, Some(name)));
                }
                _ => self.ignored(value, &key_path, Some(name))?,
            }
        }
        Ok(raw)
    }

    fn tls(
        &self,
        table: &DeTable<'_>,
        path: &str,
        name: &str,
        places: &mut SettingPlaces,
    ) -> Result<(ClientConfigTls, [RawSlot; 3]), ConfigError> {
        let mut tls = ClientConfigTls::default();
        let mut slots: [RawSlot; 3] = Default::default();
        for (key, value) in sorted(table) {
            let k = key.get_ref().as_ref();
            let key_path = format!("{path}.{}", quote_key(k));
            let slot = SLOTS.iter().position(|slot| {
                k.strip_prefix(slot)
                    .is_some_and(|rest| rest == "_path" || rest == "_data")
            });
            let setting = match slot {
                Some(index) => Some(format!("tls.{}", SLOTS[index])),
                None => TLS_KEYS.contains(&k).then(|| format!("tls.{k}")),
            };
            if let Some(setting) = setting {
                places.insert(setting, self.place(key, &key_path));
            }
            match (k, slot) {
                ("disabled", _) => tls.disabled = Some(self.boolean(value, &key_path, name)?),
                ("server_name", _) => {
                    tls.server_name = Some(self.string(value, &key_path, name)?);
                }
                ("disable_host_verification", _) => {
                    tls.disable_host_verification = self.boolean(value, &key_path, name)?;
                }
                (_, Some(index)) => {
                    let s = self.string(value, &key_path, name)?;
                    if k.ends_with("_path") {
                        slots[index].path = Some(s);
                    } else {
                        slots[index].data = Some(s);
                    }
                }
                _ if self.strict => {
                    return Err(self.unknown(key, k, path, TLS_KEYS, Some(name)));
                }
                _ => self.ignored(value, &key_path, Some(name))?,
            }
        }
        Ok((tls, slots))
    }

    fn codec(
        &self,
        table: &DeTable<'_>,
        path: &str,
        name: &str,
        places: &mut SettingPlaces,
    ) -> Result<ClientConfigCodec, ConfigError> {
        let mut codec = ClientConfigCodec::default();
        for (key, value) in sorted(table) {
            let k = key.get_ref().as_ref();
            let key_path = format!("{path}.{}", quote_key(k));
            if CODEC_KEYS.contains(&k) {
                places.insert(format!("codec.{k}"), self.place(key, &key_path));
            }
            match k {
                "endpoint" => codec.endpoint = Some(self.string(value, &key_path, name)?),
                "auth" => codec.auth = Some(self.string(value, &key_path, name)?),
                _ if self.strict => {
                    return Err(self.unknown(key, k, path, CODEC_KEYS, Some(name)));
                }
                _ => self.ignored(value, &key_path, Some(name))?,
            }
        }
        Ok(codec)
    }

    fn grpc_meta(
        &self,
        table: &DeTable<'_>,
        path: &str,
        name: &str,
        places: &mut SettingPlaces,
    ) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut meta = BTreeMap::new();
        for (key, value) in sorted(table) {
            let k = key.get_ref().as_ref();
            let key_path = format!("{path}.{}", quote_key(k));
            let v = self.string(value, &key_path, name)?;
            places.insert(
                format!("grpc_meta.{}", normalize_grpc_meta_key(k)),
                self.place(key, &key_path),
            );
            // Colliding names: the last in sorted key order wins (the reference leaves it
            // unspecified).
            meta.insert(normalize_grpc_meta_key(k), v);
        }
        Ok(meta)
    }
}

/// Check path/data conflicts of a decoded profile and build its TLS sources.
fn finish_profile(
    raw: RawProfile,
    name: &str,
    file: Option<&str>,
) -> Result<ClientConfigProfile, ConfigError> {
    let RawProfile {
        mut profile, slots, ..
    } = raw;
    let [cert, key, ca] = slots;
    if let Some(tls) = profile.tls.as_mut() {
        tls.client_cert = slot_source(cert, SLOTS[0], name, file)?;
        tls.client_key = slot_source(key, SLOTS[1], name, file)?;
        tls.server_ca_cert = slot_source(ca, SLOTS[2], name, file)?;
    }
    Ok(profile)
}

fn slot_source(
    slot: RawSlot,
    slot_name: &str,
    profile: &str,
    file: Option<&str>,
) -> Result<Option<DataSource>, ConfigError> {
    match (slot.path, slot.data) {
        (Some(_), Some(_)) => Err(ConfigError::new(
            ErrorCategory::TlsPathAndDataBothInToml,
            format!("`{slot_name}_path` and `{slot_name}_data` are both set; use only one of them"),
        )
        .with_profile(profile)
        .with_key(format!(
            "profile.{}.tls.{slot_name}_path",
            quote_key(profile)
        ))
        .with_file(file)),
        (Some(path), None) => Ok(Some(DataSource::Path(path))),
        // An empty `*_data` string counts as absent.
        (None, Some(data)) if data.is_empty() => Ok(None),
        (None, Some(data)) => Ok(Some(DataSource::Data(data.into_bytes()))),
        (None, None) => Ok(None),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A key as it would be written in TOML: bare when possible, otherwise quoted.
fn quote_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        String::from(key)
    } else {
        let mut out = String::from("\"");
        for c in key.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
