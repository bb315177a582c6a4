//! `grpc-message` percent-decoding of any text, and the encode/decode round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use temporal_lite_core::fuzzing::{percent_decode, percent_encode};

fuzz_target!(|text: &str| {
    let decoded = percent_decode(text);
    // Decoding never grows the text by more than U+FFFD replacements (3 bytes per byte).
    assert!(decoded.len() <= text.len() * 3);
    let encoded = percent_encode(text);
    assert!(encoded.bytes().all(|b| (0x20..=0x7e).contains(&b)));
    assert_eq!(percent_decode(&encoded), text);
});
