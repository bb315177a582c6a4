//! Named values given to option builders (memo fields, headers, search attributes): a value
//! that cannot be converted is kept as the options' first error, reported by the call.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;

use crate::payload::{PayloadError, ToValue, Value};

/// Put `value` under `key` in `fields`, or, if it cannot be converted, keep the error (the
/// first one only, naming `what` and `key`) in `first_error`.
pub(crate) fn insert_value(
    fields: &mut BTreeMap<String, Value>,
    first_error: &mut Option<PayloadError>,
    what: &str,
    key: String,
    value: &(impl ToValue + ?Sized),
) {
    match value.to_value() {
        Ok(value) => {
            fields.insert(key, value);
        }
        Err(error) if first_error.is_none() => {
            *first_error = Some(error.context(format!("{what} `{key}`")));
        }
        Err(_) => {}
    }
}
