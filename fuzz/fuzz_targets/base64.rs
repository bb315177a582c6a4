//! `-bin` metadata base64: decoding any text, and the encode/decode round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use temporal_lite_core::fuzzing::{base64_decode, base64_encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(bytes) = base64_decode(text) {
            // Whatever decodes re-encodes to the canonical form, which decodes the same.
            assert_eq!(base64_decode(&base64_encode(&bytes)), Some(bytes));
        }
    }
    let encoded = base64_encode(data);
    assert_eq!(base64_decode(&encoded).as_deref(), Some(data));
    // Senders may pad; the padded form decodes the same.
    let mut padded = encoded.clone();
    while padded.len() % 4 != 0 {
        padded.push('=');
    }
    assert_eq!(base64_decode(&padded).as_deref(), Some(data));
});
