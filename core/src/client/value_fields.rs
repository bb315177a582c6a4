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

/// A builder method `$name(key, value)` that puts a named value into the options' map
/// `$field` with [`insert_value`] (a conversion failure, described as `$what`, is kept in
/// the options' `conversion_error`).
macro_rules! value_setter {
    ($(#[$doc:meta])* $name:ident => $field:ident, $what:literal) => {
        $(#[$doc])*
        pub fn $name(
            mut self,
            key: impl Into<alloc::string::String>,
            value: &(impl $crate::payload::ToValue + ?Sized),
        ) -> Self {
            $crate::client::value_fields::insert_value(
                &mut self.$field,
                &mut self.conversion_error,
                $what,
                key.into(),
                value,
            );
            self
        }
    };
}
pub(crate) use value_setter;
