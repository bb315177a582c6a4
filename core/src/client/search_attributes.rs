//! Typed search attributes: a value with the index type the server expects.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::payload::{Payload, PayloadError, ENCODING_JSON_PLAIN, METADATA_ENCODING};

/// The payload metadata key that names a search attribute's index type.
pub const METADATA_SEARCH_ATTRIBUTE_TYPE: &str = "type";

/// A search attribute value with its index type.
///
/// Sent as a `json/plain` payload whose `type` metadata names the type (`Text`, `Keyword`,
/// `Int`, `Double`, `Bool`, `Datetime`, `KeywordList`), as every Temporal SDK writes it, so
/// the server checks the value against the attribute's registered type. Set it with
/// [`StartWorkflowOptions::typed_search_attribute`](super::StartWorkflowOptions::typed_search_attribute),
/// read it back with [`WorkflowInfo::typed_search_attribute`](super::WorkflowInfo::typed_search_attribute).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SearchAttributeValue {
    /// Full-text searchable text.
    Text(String),
    /// An exact-match keyword.
    Keyword(String),
    /// A 64-bit integer.
    Int(i64),
    /// A 64-bit float.
    Double(f64),
    /// A boolean.
    Bool(bool),
    /// A point in time, as RFC 3339 text (`2024-05-01T12:00:00Z`); see
    /// [`datetime_from_unix`](Self::datetime_from_unix).
    Datetime(String),
    /// A list of keywords.
    KeywordList(Vec<String>),
}

impl SearchAttributeValue {
    /// A `Datetime` value for `since_epoch` after 1970-01-01T00:00:00Z, in UTC.
    pub fn datetime_from_unix(since_epoch: Duration) -> Self {
        Self::Datetime(rfc3339_utc(since_epoch))
    }

    /// The index type's name, as written to the payload's `type` metadata.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Text(_) => "Text",
            Self::Keyword(_) => "Keyword",
            Self::Int(_) => "Int",
            Self::Double(_) => "Double",
            Self::Bool(_) => "Bool",
            Self::Datetime(_) => "Datetime",
            Self::KeywordList(_) => "KeywordList",
        }
    }

    /// The payload the server expects for this value.
    pub fn to_payload(&self) -> Result<Payload, PayloadError> {
        let json = match self {
            Self::Text(s) | Self::Keyword(s) | Self::Datetime(s) => {
                serde_json::Value::String(s.clone())
            }
            Self::Int(n) => serde_json::Value::from(*n),
            Self::Double(x) => serde_json::Number::from_f64(*x)
                .map(serde_json::Value::Number)
                .ok_or_else(|| {
                    PayloadError::new(alloc::format!(
                        "a Double search attribute must be finite, not {x}"
                    ))
                })?,
            Self::Bool(b) => serde_json::Value::Bool(*b),
            Self::KeywordList(list) => {
                serde_json::Value::Array(list.iter().cloned().map(Into::into).collect())
            }
        };
        let data = serde_json::to_vec(&json)
            .map_err(|e| PayloadError::new(alloc::format!("JSON encoding failed: {e}")))?;
        let mut payload = crate::payload::payload_with_encoding(ENCODING_JSON_PLAIN, data);
        payload.metadata.insert(
            String::from(METADATA_SEARCH_ATTRIBUTE_TYPE),
            self.type_name().as_bytes().to_vec(),
        );
        Ok(payload)
    }

    /// Read a search attribute payload as the server returns it (`json/plain` with `type`
    /// metadata). A payload without `type` metadata is read by the shape of its JSON:
    /// strings as `Keyword`, integers as `Int`, other numbers as `Double`, lists of strings
    /// as `KeywordList`.
    pub fn from_payload(payload: &Payload) -> Result<Self, PayloadError> {
        let encoding = payload.metadata.get(METADATA_ENCODING).map(|v| &v[..]);
        if encoding != Some(ENCODING_JSON_PLAIN.as_bytes()) {
            return Err(PayloadError::new(
                "a search attribute payload must be json/plain",
            ));
        }
        let json: serde_json::Value = serde_json::from_slice(&payload.data)
            .map_err(|e| PayloadError::new(alloc::format!("search attribute is not JSON: {e}")))?;
        let type_name = payload
            .metadata
            .get(METADATA_SEARCH_ATTRIBUTE_TYPE)
            .and_then(|t| core::str::from_utf8(t).ok());
        let mismatch = |expected: &str| {
            PayloadError::new(alloc::format!(
                "search attribute of type {expected} holds {json}"
            ))
        };
        let string = |json: &serde_json::Value, t: &str| {
            json.as_str().map(String::from).ok_or_else(|| mismatch(t))
        };
        Ok(match type_name {
            Some("Text") => Self::Text(string(&json, "Text")?),
            Some("Keyword") => Self::Keyword(string(&json, "Keyword")?),
            Some("Datetime") => Self::Datetime(string(&json, "Datetime")?),
            Some("Int") => Self::Int(json.as_i64().ok_or_else(|| mismatch("Int"))?),
            Some("Double") => Self::Double(json.as_f64().ok_or_else(|| mismatch("Double"))?),
            Some("Bool") => Self::Bool(json.as_bool().ok_or_else(|| mismatch("Bool"))?),
            Some("KeywordList") => {
                Self::KeywordList(keywords(&json).ok_or_else(|| mismatch("KeywordList"))?)
            }
            Some(other) => {
                return Err(PayloadError::new(alloc::format!(
                    "unknown search attribute type `{other}`"
                )))
            }
            None => match &json {
                serde_json::Value::String(s) => Self::Keyword(s.clone()),
                serde_json::Value::Bool(b) => Self::Bool(*b),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => Self::Int(i),
                    None => Self::Double(n.as_f64().unwrap_or_default()),
                },
                serde_json::Value::Array(_) => {
                    Self::KeywordList(keywords(&json).ok_or_else(|| mismatch("KeywordList"))?)
                }
                _ => return Err(mismatch("(none)")),
            },
        })
    }
}

impl fmt::Display for SearchAttributeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(s) | Self::Keyword(s) | Self::Datetime(s) => f.write_str(s),
            Self::Int(n) => write!(f, "{n}"),
            Self::Double(x) => write!(f, "{x}"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::KeywordList(list) => write!(f, "{list:?}"),
        }
    }
}

fn keywords(json: &serde_json::Value) -> Option<Vec<String>> {
    json.as_array()?
        .iter()
        .map(|v| v.as_str().map(String::from))
        .collect()
}

/// `since_epoch` as RFC 3339 in UTC with nanoseconds when there are any.
fn rfc3339_utc(since_epoch: Duration) -> String {
    let secs = since_epoch.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's days-to-civil algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let nanos = since_epoch.subsec_nanos();
    if nanos == 0 {
        alloc::format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
    } else {
        alloc::format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{nanos:09}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_formats_as_rfc3339() {
        assert_eq!(rfc3339_utc(Duration::ZERO), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339_utc(Duration::new(1_714_564_800, 5)),
            "2024-05-01T12:00:00.000000005Z"
        );
        assert_eq!(
            rfc3339_utc(Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn payload_round_trip_keeps_the_type() {
        let values = [
            SearchAttributeValue::Text("a b".into()),
            SearchAttributeValue::Keyword("k".into()),
            SearchAttributeValue::Int(-3),
            SearchAttributeValue::Double(1.5),
            SearchAttributeValue::Bool(true),
            SearchAttributeValue::datetime_from_unix(Duration::from_secs(60)),
            SearchAttributeValue::KeywordList(alloc::vec!["x".into(), "y".into()]),
        ];
        for value in values {
            let payload = value.to_payload().unwrap();
            assert_eq!(
                payload.metadata[METADATA_SEARCH_ATTRIBUTE_TYPE],
                value.type_name().as_bytes()
            );
            assert_eq!(SearchAttributeValue::from_payload(&payload).unwrap(), value);
        }
        assert!(SearchAttributeValue::Double(f64::NAN).to_payload().is_err());
    }
}
