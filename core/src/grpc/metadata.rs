use alloc::borrow::Cow;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Deref;

/// One name or value: borrowed when fixed, owned, or shared (cheap to clone).
#[derive(Clone)]
enum Text {
    Static(&'static str),
    Owned(String),
    Shared(Arc<str>),
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Static(text) => text,
            Text::Owned(text) => text,
            Text::Shared(text) => text,
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        if let (Text::Shared(a), Text::Shared(b)) = (self, other) {
            if Arc::ptr_eq(a, b) {
                return true;
            }
        }
        **self == **other
    }
}

impl Eq for Text {}

impl From<Cow<'static, str>> for Text {
    fn from(text: Cow<'static, str>) -> Text {
        match text {
            Cow::Borrowed(text) => Text::Static(text),
            Cow::Owned(text) => Text::Owned(text),
        }
    }
}

/// Parts of a header name that mark its value as a credential.
const SECRET_MARKERS: &[&str] = &[
    "auth", // authorization, proxy-authorization, x-auth-token, x-amz-...-auth
    "key",  // x-api-key, api-key, x-functions-key
    "token",
    "secret",
    "passw", // password, passwd
    "cookie",
    "credential",
    "session",
    "jwt",
];

/// Whether the value of header `name` is a secret: `authorization`, or any name that holds
/// (ignoring case) `auth`, `key`, `token`, `secret`, `passw`, `cookie`, `credential`,
/// `session` or `jwt`, such as `x-api-key` or `x-auth-token`.
///
/// This is the one rule of the crate: such values are never shown by `Debug` or `Display`,
/// the HTTP/2 engine sends them as never-indexed HPACK literals (so they never enter a
/// compression table), and a client refuses to send them over plaintext to a host that is
/// not loopback unless told to
/// ([`ConnectOptions::allow_plaintext_credentials`](crate::config::ConnectOptions::allow_plaintext_credentials)).
/// It errs on the side of secrecy: a harmless `x-monkey` header is hidden too.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.as_bytes();
    SECRET_MARKERS.iter().any(|marker| {
        name.windows(marker.len())
            .any(|window| window.eq_ignore_ascii_case(marker.as_bytes()))
    })
}

/// Why `name` cannot be sent as gRPC metadata (`0-9 a-z - _ .`, not empty), as the end of
/// a sentence.
pub(crate) fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    let valid = name
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b"-_.".contains(&b));
    if valid {
        Ok(())
    } else {
        Err("is not a valid gRPC metadata name (use 0-9, a-z, '-', '_', '.')")
    }
}

/// Why `value` cannot be sent as the value of metadata `name`: printable ASCII, and base64
/// for `-bin` names. Never quotes the value (it may be a credential).
pub(crate) fn check_value(name: &str, value: &str) -> Result<(), &'static str> {
    if !value.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(
            "has a value that is not printable ASCII (a line break, a control character or \
             a non-ASCII character)",
        );
    }
    if name.ends_with("-bin") && super::base64::decode(value).is_none() {
        return Err("is a binary (-bin) header whose value is not base64");
    }
    Ok(())
}

/// Response header names that are stored without a copy (see [`Metadata::append_lowercase`]).
#[cfg_attr(not(feature = "engine"), allow(dead_code))]
pub(crate) const WELL_KNOWN: &[&str] = &[
    "content-type",
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "content-length",
    "date",
    "server",
];

/// Response header values that are stored without a copy.
#[cfg_attr(not(feature = "engine"), allow(dead_code))]
const WELL_KNOWN_VALUES: &[&str] = &["0", "application/grpc", "application/grpc+proto", ""];

/// gRPC metadata: an ordered list of (lower-case name, value) pairs as they go on the wire.
///
/// Values of `-bin` headers are kept in their wire form (base64). `Debug` hides the values
/// of secret headers ([`is_secret_header`]: `authorization`, `x-api-key`, ...).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Borrowed for the fixed names and values the library itself adds to every call, so
    /// building a call's metadata allocates only for what varies.
    entries: Vec<(Text, Text)>,
}

impl Metadata {
    /// An empty set of metadata.
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// Append an entry, keeping any existing entries with the same name.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let mut name = name.into();
        name.make_ascii_lowercase();
        self.entries
            .push((Text::Owned(name), Text::Owned(value.into())));
    }

    /// Replace every entry named `name` with a single one.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let mut name = name.into();
        name.make_ascii_lowercase();
        self.entries.retain(|(n, _)| **n != *name);
        self.entries
            .push((Text::Owned(name), Text::Owned(value.into())));
    }

    /// [`insert`](Self::insert) for a lower-case name known at compile time, without
    /// copying it (nor `value`, when that is borrowed too).
    pub(crate) fn insert_static(&mut self, name: &'static str, value: Cow<'static, str>) {
        debug_assert!(!name.bytes().any(|b| b.is_ascii_uppercase()));
        self.entries.retain(|(n, _)| **n != *name);
        self.entries.push((Text::Static(name), value.into()));
    }

    /// [`append`](Self::append) for a name that is already lower case (as HTTP/2 requires
    /// of header names), borrowing it when it is one of the few the library looks at, and
    /// the value when it is one of the usual ones (`grpc-status: 0`, ...).
    #[cfg_attr(not(feature = "engine"), allow(dead_code))]
    pub(crate) fn append_lowercase(&mut self, name: &str, value: &str) {
        debug_assert!(!name.bytes().any(|b| b.is_ascii_uppercase()));
        let name = match WELL_KNOWN.iter().find(|known| **known == name) {
            Some(known) => Text::Static(known),
            None => Text::Owned(String::from(name)),
        };
        let value = match WELL_KNOWN_VALUES.iter().find(|known| **known == value) {
            Some(known) => Text::Static(known),
            None => Text::Owned(String::from(value)),
        };
        self.entries.push((name, value));
    }

    /// Make every owned name and value shared, so clones of this set copy no text.
    pub(crate) fn share(&mut self) {
        for (name, value) in &mut self.entries {
            for text in [name, value] {
                if let Text::Owned(owned) = text {
                    *text = Text::Shared(Arc::from(core::mem::take(owned)));
                }
            }
        }
    }

    /// An empty set with room for `capacity` entries.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Remove every entry named `name`.
    pub fn remove(&mut self, name: &str) {
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The first value of `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| {
                // Stored names are nearly always lower case already: try the exact match
                // first.
                let n: &str = n;
                n.len() == name.len() && (n == name || n.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| &**v)
    }

    /// All entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (&**n, &**v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Append every entry of `other`.
    pub fn extend(&mut self, other: &Metadata) {
        self.entries.extend(other.entries.iter().cloned());
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.entries {
            if is_secret_header(name) {
                map.entry(&&**name, &"<redacted>");
            } else {
                map.entry(&&**name, &&**value);
            }
        }
        map.finish()
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Metadata {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut metadata = Metadata::new();
        for (name, value) in iter {
            metadata.append(name, value);
        }
        metadata
    }
}
