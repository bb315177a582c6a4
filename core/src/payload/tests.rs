use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::*;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u32,
    item: String,
}

fn composite() -> CompositePayloadConverter {
    CompositePayloadConverter::default()
}

fn encoding_of(payload: &Payload) -> &str {
    payload_encoding(payload).unwrap()
}

#[test]
fn unit_and_none_are_binary_null() {
    let c = composite();
    for payload in [encode(&c, &()).unwrap(), encode(&c, &None::<u32>).unwrap()] {
        assert_eq!(encoding_of(&payload), "binary/null");
        assert!(payload.data.is_empty());
    }
    let payload = encode(&c, &()).unwrap();
    let () = decode(&c, &payload).unwrap();
    assert_eq!(decode::<Option<String>>(&c, &payload).unwrap(), None);
}

#[test]
fn serde_values_are_json_plain() {
    let c = composite();
    let order = Order {
        id: 7,
        item: "tea".to_string(),
    };
    let payload = encode(&c, &order).unwrap();
    assert_eq!(encoding_of(&payload), "json/plain");
    assert_eq!(payload.data, br#"{"id":7,"item":"tea"}"#.to_vec());
    assert_eq!(decode::<Order>(&c, &payload).unwrap(), order);

    let payload = encode(&c, "hello").unwrap();
    assert_eq!(payload.data, br#""hello""#.to_vec());
    assert_eq!(decode::<String>(&c, &payload).unwrap(), "hello");
    assert_eq!(
        decode::<Option<String>>(&c, &payload).unwrap().as_deref(),
        Some("hello")
    );
}

#[test]
fn raw_bytes_are_binary_plain() {
    let c = composite();
    let payload = encode(&c, &RawBytes(vec![0, 159, 255])).unwrap();
    assert_eq!(encoding_of(&payload), "binary/plain");
    assert_eq!(payload.data, vec![0, 159, 255]);
    assert_eq!(
        decode::<RawBytes>(&c, &payload).unwrap(),
        RawBytes(vec![0, 159, 255])
    );
    // A serde type cannot silently read bytes as JSON.
    let error = decode::<String>(&c, &payload).unwrap_err();
    assert!(error.message().contains("RawBytes"), "{error}");
}

#[test]
fn payloads_written_by_other_sdks_decode() {
    let c = composite();
    // What the Python SDK writes for `{"a": [1, 2]}`, with spaces.
    let payload = payload_with_encoding("json/plain", br#"{"a": [1, 2]}"#.to_vec());
    let value: serde_json::Value = decode(&c, &payload).unwrap();
    assert_eq!(value, serde_json::json!({"a": [1, 2]}));
    let null = payload_with_encoding("binary/null", Vec::new());
    assert_eq!(decode::<Option<u8>>(&c, &null).unwrap(), None);
}

#[test]
fn unknown_or_missing_encoding_is_a_clear_error() {
    let c = composite();
    let payload = payload_with_encoding("binary/encrypted", vec![1, 2, 3]);
    let error = decode::<Value>(&c, &payload).unwrap_err();
    assert!(error.message().contains("binary/encrypted"), "{error}");
    let error = decode::<Value>(&c, &Payload::default()).unwrap_err();
    assert!(error.message().contains("encoding"), "{error}");
}

#[test]
fn wrong_type_is_an_error_not_a_panic() {
    let c = composite();
    let payload = encode(&c, &"text").unwrap();
    let error = decode::<Order>(&c, &payload).unwrap_err();
    assert!(error.message().contains("does not match"), "{error}");
    let garbage = payload_with_encoding("json/plain", b"{not json".to_vec());
    assert!(decode::<Value>(&c, &garbage).is_err());
}

#[test]
fn raw_payloads_pass_through() {
    let c = composite();
    let raw = payload_with_encoding("my/encoding", vec![9]);
    assert_eq!(encode(&c, &Value::Payload(raw.clone())).unwrap(), raw);
    assert_eq!(vec![raw.clone()].to_payloads(&c).unwrap(), vec![raw]);
}

#[test]
fn tuples_become_argument_lists() {
    let c = composite();
    assert!(().to_payloads(&c).unwrap().is_empty());
    let args = ("a", 2u8, RawBytes(vec![3]), (), Some(1.5f64), vec!["x"])
        .to_payloads(&c)
        .unwrap();
    let encodings: Vec<&str> = args.iter().map(encoding_of).collect();
    assert_eq!(
        encodings,
        [
            "json/plain",
            "json/plain",
            "binary/plain",
            "binary/null",
            "json/plain",
            "json/plain"
        ]
    );
    assert_eq!(decode_first::<String>(&c, &args).unwrap(), "a");
    // No payload at all decodes as null.
    decode_first::<()>(&c, &[]).unwrap();
}

#[test]
fn custom_converter_is_pluggable() {
    /// Encodes strings as `text/plain` and defers to JSON for the rest.
    struct Text;
    impl EncodingConverter for Text {
        fn encoding(&self) -> &str {
            "text/plain"
        }
        fn encode(&self, value: &Value) -> Result<Option<Payload>, PayloadError> {
            Ok(match value {
                Value::Json(serde_json::Value::String(s)) => {
                    Some(payload_with_encoding("text/plain", s.as_bytes().to_vec()))
                }
                _ => None,
            })
        }
        fn decode(&self, payload: &Payload) -> Result<Value, PayloadError> {
            let text =
                core::str::from_utf8(&payload.data).map_err(|_| PayloadError::new("not UTF-8"))?;
            Ok(Value::Json(serde_json::Value::String(text.to_string())))
        }
    }
    let c = CompositePayloadConverter::new(vec![
        alloc::boxed::Box::new(BinaryNullConverter),
        alloc::boxed::Box::new(Text),
        alloc::boxed::Box::new(JsonPlainConverter),
    ]);
    let payload = encode(&c, "hi").unwrap();
    assert_eq!(encoding_of(&payload), "text/plain");
    assert_eq!(payload.data, b"hi".to_vec());
    assert_eq!(decode::<String>(&c, &payload).unwrap(), "hi");
    assert_eq!(encoding_of(&encode(&c, &5u8).unwrap()), "json/plain");
    // Bytes have no converter here.
    assert!(encode(&c, &RawBytes(vec![1])).is_err());
}

#[test]
fn argument_errors_name_the_argument() {
    struct Unserializable;
    impl Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("nope"))
        }
    }
    let error = (1u8, Unserializable).to_payloads(&composite()).unwrap_err();
    assert!(error.message().starts_with("argument 2:"), "{error}");
}
