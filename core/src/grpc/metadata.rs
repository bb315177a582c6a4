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

/// Header names whose values are secrets and must never be printed.
const SECRET_HEADERS: &[&str] = &["authorization"];

/// Response header names that are stored without a copy (see [`Metadata::append_lowercase`]).
#[cfg_attr(not(feature = "engine"), allow(dead_code))]
const WELL_KNOWN: &[&str] = &[
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
/// Values of `-bin` headers are kept in their wire form (base64). `Debug` redacts secret
/// headers such as `authorization`.
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
            if SECRET_HEADERS.contains(&&**name) {
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
