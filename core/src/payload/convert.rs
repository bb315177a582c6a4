use alloc::vec::Vec;

use serde::de::value::BytesDeserializer;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Payload, PayloadConverter, PayloadError, Payloads, RawBytes, Value};

/// A Rust value that can become a [`Value`]: every `serde::Serialize` type (as JSON, or
/// [`Value::Null`] when it serializes to nothing), [`RawBytes`] (as bytes) and [`Value`].
pub trait ToValue {
    /// Convert to the neutral form.
    fn to_value(&self) -> Result<Value, PayloadError>;
}

impl<T: Serialize + ?Sized> ToValue for T {
    fn to_value(&self) -> Result<Value, PayloadError> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Null) => Ok(Value::Null),
            Ok(json) => Ok(Value::Json(json)),
            Err(e) => Err(PayloadError::new(alloc::format!(
                "value cannot be serialized: {e}"
            ))),
        }
    }
}

impl ToValue for RawBytes {
    fn to_value(&self) -> Result<Value, PayloadError> {
        Ok(Value::Bytes(self.0.clone()))
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Result<Value, PayloadError> {
        Ok(self.clone())
    }
}

/// A Rust value that can be made from a [`Value`]: every `serde::de::DeserializeOwned` type,
/// [`RawBytes`] and [`Value`].
///
/// A serde type reads `binary/null` as `null` (so `()` and `Option<T>` accept it), `json/plain`
/// as its JSON, and `binary/plain` through `deserialize_bytes` (so `serde_bytes::ByteBuf`
/// accepts it).
pub trait FromValue: Sized {
    /// Convert from the neutral form.
    fn from_value(value: Value) -> Result<Self, PayloadError>;
}

impl<T: DeserializeOwned> FromValue for T {
    fn from_value(value: Value) -> Result<Self, PayloadError> {
        let result = match value {
            Value::Null => T::deserialize(serde_json::Value::Null),
            Value::Json(json) => T::deserialize(json),
            Value::Bytes(bytes) => {
                return T::deserialize(BytesDeserializer::<serde_json::Error>::new(&bytes)).map_err(
                    |e| {
                        PayloadError::new(alloc::format!(
                            "binary/plain payload cannot be read as the requested type ({e}); \
                             decode it as RawBytes"
                        ))
                    },
                )
            }
            Value::Payload(_) => {
                return Err(PayloadError::new(
                    "value is a payload that was not decoded by a converter",
                ))
            }
        };
        result.map_err(|e| {
            PayloadError::new(alloc::format!(
                "payload does not match the requested type: {e}"
            ))
        })
    }
}

impl FromValue for RawBytes {
    fn from_value(value: Value) -> Result<Self, PayloadError> {
        match value {
            Value::Bytes(bytes) => Ok(RawBytes(bytes)),
            Value::Null => Err(PayloadError::new(
                "payload is binary/null (no value), not binary/plain; decode it as Value or \
                 as an Option of a serde type",
            )),
            Value::Json(_) => Err(PayloadError::new(
                "payload is json/plain, not binary/plain; decode it as a serde type",
            )),
            Value::Payload(payload) => Ok(RawBytes(payload.data)),
        }
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, PayloadError> {
        Ok(value)
    }
}

/// Encode one value with `converter`.
pub fn encode<T: ToValue + ?Sized>(
    converter: &dyn PayloadConverter,
    value: &T,
) -> Result<Payload, PayloadError> {
    converter.encode(&value.to_value()?)
}

/// Decode one payload with `converter`.
pub fn decode<T: FromValue>(
    converter: &dyn PayloadConverter,
    payload: &Payload,
) -> Result<T, PayloadError> {
    T::from_value(converter.decode(payload)?)
}

/// Decode the first of `payloads`, or [`Value::Null`] when there are none (a workflow that
/// returns nothing in Go sends no payload at all).
pub fn decode_first<T: FromValue>(
    converter: &dyn PayloadConverter,
    payloads: &[Payload],
) -> Result<T, PayloadError> {
    match payloads.first() {
        Some(payload) => decode(converter, payload),
        None => T::from_value(Value::Null),
    }
}

/// A list of arguments (workflow input, signal input, query arguments, details).
///
/// Implemented for `()` (no arguments), tuples of up to six [`ToValue`] types (`(x,)` for a
/// single argument), and already-encoded `Vec<Payload>`, `[Payload]`, [`Payloads`] and
/// `Vec<Value>`.
pub trait ToPayloads {
    /// Encode every argument with `converter`, in order.
    fn to_payloads(&self, converter: &dyn PayloadConverter) -> Result<Vec<Payload>, PayloadError>;
}

impl ToPayloads for () {
    fn to_payloads(&self, _: &dyn PayloadConverter) -> Result<Vec<Payload>, PayloadError> {
        Ok(Vec::new())
    }
}

impl<T: ToPayloads + ?Sized> ToPayloads for &T {
    fn to_payloads(&self, converter: &dyn PayloadConverter) -> Result<Vec<Payload>, PayloadError> {
        (**self).to_payloads(converter)
    }
}

impl ToPayloads for [Payload] {
    fn to_payloads(&self, _: &dyn PayloadConverter) -> Result<Vec<Payload>, PayloadError> {
        Ok(self.to_vec())
    }
}

impl ToPayloads for Vec<Payload> {
    fn to_payloads(&self, _: &dyn PayloadConverter) -> Result<Vec<Payload>, PayloadError> {
        Ok(self.clone())
    }
}

impl ToPayloads for Payloads {
    fn to_payloads(&self, _: &dyn PayloadConverter) -> Result<Vec<Payload>, PayloadError> {
        Ok(self.payloads.clone())
    }
}

impl ToPayloads for Vec<Value> {
    fn to_payloads(&self, converter: &dyn PayloadConverter) -> Result<Vec<Payload>, PayloadError> {
        self.iter()
            .enumerate()
            .map(|(i, v)| {
                converter
                    .encode(v)
                    .map_err(|e| e.context(alloc::format!("argument {}", i + 1)))
            })
            .collect()
    }
}

macro_rules! tuple_to_payloads {
    ($($name:ident $index:tt),+) => {
        impl<$($name: ToValue),+> ToPayloads for ($($name,)+) {
            fn to_payloads(
                &self,
                converter: &dyn PayloadConverter,
            ) -> Result<Vec<Payload>, PayloadError> {
                Ok(alloc::vec![$(
                    encode(converter, &self.$index)
                        .map_err(|e| e.context(alloc::format!("argument {}", $index + 1)))?
                ),+])
            }
        }
    };
}

tuple_to_payloads!(A 0);
tuple_to_payloads!(A 0, B 1);
tuple_to_payloads!(A 0, B 1, C 2);
tuple_to_payloads!(A 0, B 1, C 2, D 3);
tuple_to_payloads!(A 0, B 1, C 2, D 3, E 4);
tuple_to_payloads!(A 0, B 1, C 2, D 3, E 4, F 5);
