//! Payloads: how values become the `temporal.api.common.v1.Payload`s that workflows exchange,
//! and back.
//!
//! The model is the one every Temporal SDK shares, so values written here are read by
//! workers in Go, Java, Python, TypeScript or .NET and the other way round:
//!
//! - A payload carries its encoding in the `encoding` metadata key.
//! - `binary/null`: no value (`()`, `None`); the data is empty.
//! - `binary/plain`: raw bytes, unchanged ([`RawBytes`]).
//! - `json/plain`: everything else, as JSON (serde + `serde_json`).
//!
//! Conversion has two steps. A Rust value first becomes a converter-neutral [`Value`]
//! ([`ToValue`], implemented for every `serde::Serialize` type, for [`RawBytes`] and for
//! [`Value`] itself); a [`PayloadConverter`] then turns that into a [`Payload`]. Decoding runs
//! the same steps backwards ([`PayloadConverter::decode`], then [`FromValue`]). The
//! converter is a trait object, so a client can be given a custom one; the default is the
//! [`CompositePayloadConverter`] made of the three encodings above, tried in order.
//!
//! A [`PayloadCodec`] is an optional third step on bytes (encryption, compression): it
//! encodes what the converter produced before it leaves the client, and decodes what the
//! client reads before the converter sees it.

mod codec;
mod convert;

#[cfg(test)]
mod tests;

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

pub use codec::PayloadCodec;
pub use convert::{decode, decode_first, encode, FromValue, ToPayloads, ToValue};
pub use temporal_lite_proto::temporal::api::common::v1::{Payload, Payloads};

/// The metadata key naming a payload's encoding.
pub const METADATA_ENCODING: &str = "encoding";
/// Encoding of an absent value (`()`, `None`).
pub const ENCODING_NULL: &str = "binary/null";
/// Encoding of raw bytes.
pub const ENCODING_BINARY_PLAIN: &str = "binary/plain";
/// Encoding of a JSON document.
pub const ENCODING_JSON_PLAIN: &str = "json/plain";

/// A value in converter-neutral form: what [`ToValue`] produces and [`FromValue`] consumes.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value: `()`, `None`, a unit struct. Encoded as `binary/null` by default.
    Null,
    /// Raw bytes. Encoded as `binary/plain` by default.
    Bytes(Vec<u8>),
    /// Any other value, as a JSON tree. Encoded as `json/plain` by default.
    Json(serde_json::Value),
    /// A payload that is already encoded. Converters pass it through unchanged.
    Payload(Payload),
}

/// Raw bytes that travel as a `binary/plain` payload, without JSON around them.
///
/// Use it for data that is already serialized (protobuf, images, ...) and to read
/// `binary/plain` payloads written by other SDKs (a Python `bytes` value, a Go `[]byte`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RawBytes(pub Vec<u8>);

impl From<Vec<u8>> for RawBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl From<&[u8]> for RawBytes {
    fn from(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

/// A value could not be turned into a payload, or a payload into a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadError {
    message: String,
}

impl PayloadError {
    /// An error with an explanation of what went wrong.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error, prefixed with where it happened (e.g. "workflow argument 2").
    pub fn context(self, context: impl fmt::Display) -> Self {
        Self {
            message: alloc::format!("{context}: {}", self.message),
        }
    }
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for PayloadError {}

/// Turns [`Value`]s into [`Payload`]s and back. A client holds one as `Arc<dyn PayloadConverter>`.
pub trait PayloadConverter: Send + Sync {
    /// Encode `value`. [`Value::Payload`] must be returned unchanged.
    fn encode(&self, value: &Value) -> Result<Payload, PayloadError>;

    /// Decode `payload` into a neutral value.
    fn decode(&self, payload: &Payload) -> Result<Value, PayloadError>;
}

/// One encoding (`binary/null`, `json/plain`, ...) inside a [`CompositePayloadConverter`].
pub trait EncodingConverter: Send + Sync {
    /// The encoding name written to and matched against the `encoding` metadata key.
    fn encoding(&self) -> &str;

    /// Encode `value`, or return `Ok(None)` if this encoding does not handle that kind of
    /// value (the composite then tries the next one).
    fn encode(&self, value: &Value) -> Result<Option<Payload>, PayloadError>;

    /// Decode a payload whose `encoding` metadata is [`encoding`](Self::encoding).
    fn decode(&self, payload: &Payload) -> Result<Value, PayloadError>;
}

/// A payload with `encoding` set to `encoding` and the given data.
pub fn payload_with_encoding(encoding: &str, data: Vec<u8>) -> Payload {
    let mut payload = Payload {
        data,
        ..Default::default()
    };
    payload
        .metadata
        .insert(METADATA_ENCODING.to_string(), encoding.as_bytes().to_vec());
    payload
}

/// The `encoding` metadata of `payload`, if present and valid UTF-8.
pub fn payload_encoding(payload: &Payload) -> Option<&str> {
    payload
        .metadata
        .get(METADATA_ENCODING)
        .and_then(|value| core::str::from_utf8(&value[..]).ok())
}

/// `binary/null`: encodes [`Value::Null`] only.
#[derive(Clone, Copy, Debug, Default)]
pub struct BinaryNullConverter;

impl EncodingConverter for BinaryNullConverter {
    fn encoding(&self) -> &str {
        ENCODING_NULL
    }

    fn encode(&self, value: &Value) -> Result<Option<Payload>, PayloadError> {
        Ok(match value {
            Value::Null => Some(payload_with_encoding(ENCODING_NULL, Vec::new())),
            _ => None,
        })
    }

    fn decode(&self, _payload: &Payload) -> Result<Value, PayloadError> {
        Ok(Value::Null)
    }
}

/// `binary/plain`: encodes [`Value::Bytes`] only, as the bytes themselves.
#[derive(Clone, Copy, Debug, Default)]
pub struct BinaryPlainConverter;

impl EncodingConverter for BinaryPlainConverter {
    fn encoding(&self) -> &str {
        ENCODING_BINARY_PLAIN
    }

    fn encode(&self, value: &Value) -> Result<Option<Payload>, PayloadError> {
        Ok(match value {
            Value::Bytes(bytes) => {
                Some(payload_with_encoding(ENCODING_BINARY_PLAIN, bytes.clone()))
            }
            _ => None,
        })
    }

    fn decode(&self, payload: &Payload) -> Result<Value, PayloadError> {
        Ok(Value::Bytes(payload.data.clone()))
    }
}

/// `json/plain`: encodes [`Value::Json`] (and [`Value::Null`], as `null`) with `serde_json`.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonPlainConverter;

impl EncodingConverter for JsonPlainConverter {
    fn encoding(&self) -> &str {
        ENCODING_JSON_PLAIN
    }

    fn encode(&self, value: &Value) -> Result<Option<Payload>, PayloadError> {
        let json = match value {
            Value::Json(json) => json,
            Value::Null => &serde_json::Value::Null,
            _ => return Ok(None),
        };
        let data = serde_json::to_vec(json)
            .map_err(|e| PayloadError::new(alloc::format!("JSON encoding failed: {e}")))?;
        Ok(Some(payload_with_encoding(ENCODING_JSON_PLAIN, data)))
    }

    fn decode(&self, payload: &Payload) -> Result<Value, PayloadError> {
        serde_json::from_slice(&payload.data[..])
            .map(Value::Json)
            .map_err(|e| PayloadError::new(alloc::format!("json/plain payload is not JSON: {e}")))
    }
}

/// Tries a list of [`EncodingConverter`]s in order when encoding, and picks the one whose
/// name matches the payload's `encoding` metadata when decoding.
pub struct CompositePayloadConverter {
    converters: Vec<Box<dyn EncodingConverter>>,
}

impl CompositePayloadConverter {
    /// A composite of `converters`, tried in this order when encoding.
    pub fn new(converters: Vec<Box<dyn EncodingConverter>>) -> Self {
        Self { converters }
    }

    /// The encodings this converter handles, in order.
    pub fn encodings(&self) -> impl Iterator<Item = &str> {
        self.converters.iter().map(|c| c.encoding())
    }
}

impl Default for CompositePayloadConverter {
    /// `binary/null`, `binary/plain`, `json/plain`: the default of every Temporal SDK
    /// (less protobuf encodings, which this crate does not produce).
    fn default() -> Self {
        Self::new(alloc::vec![
            Box::new(BinaryNullConverter),
            Box::new(BinaryPlainConverter),
            Box::new(JsonPlainConverter),
        ])
    }
}

impl fmt::Debug for CompositePayloadConverter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.encodings()).finish()
    }
}

impl PayloadConverter for CompositePayloadConverter {
    fn encode(&self, value: &Value) -> Result<Payload, PayloadError> {
        if let Value::Payload(payload) = value {
            return Ok(payload.clone());
        }
        for converter in &self.converters {
            if let Some(payload) = converter.encode(value)? {
                return Ok(payload);
            }
        }
        let kind = match value {
            Value::Null => "null",
            Value::Bytes(_) => "bytes",
            _ => "JSON",
        };
        Err(PayloadError::new(alloc::format!(
            "no encoding converter accepts a {kind} value (converters: {:?})",
            self
        )))
    }

    fn decode(&self, payload: &Payload) -> Result<Value, PayloadError> {
        let Some(encoding) = payload_encoding(payload) else {
            return Err(PayloadError::new(
                "payload has no valid `encoding` metadata; decode the raw Payload yourself",
            ));
        };
        match self.converters.iter().find(|c| c.encoding() == encoding) {
            Some(converter) => converter.decode(payload),
            None => Err(PayloadError::new(alloc::format!(
                "payload encoding `{encoding}` is not supported (supported: {:?}); it may be \
                 encrypted or compressed by a codec, or need a custom EncodingConverter",
                self
            ))),
        }
    }
}
