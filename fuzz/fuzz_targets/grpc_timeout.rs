//! The `grpc-timeout` header: decoding any text, and encoding any duration so that the
//! server never sees a shorter deadline than asked for.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use temporal_lite_core::grpc::{decode_timeout, encode_timeout};

/// The largest duration the header can carry: 99,999,999 hours.
const MAX: Duration = Duration::from_secs(99_999_999 * 3600);

fn unit(encoded: &str) -> Duration {
    match encoded.chars().last() {
        Some('n') => Duration::from_nanos(1),
        Some('u') => Duration::from_micros(1),
        Some('m') => Duration::from_millis(1),
        Some('S') => Duration::from_secs(1),
        Some('M') => Duration::from_secs(60),
        Some('H') => Duration::from_secs(3600),
        other => panic!("unit {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(duration) = decode_timeout(text) {
            assert!(duration <= MAX);
        }
    }
    let mut u = Unstructured::new(data);
    let seconds: u64 = u.arbitrary().unwrap_or(0);
    let nanos: u32 = u.int_in_range(0..=999_999_999).unwrap_or(0);
    let duration = Duration::new(seconds, nanos);
    let encoded = encode_timeout(duration);
    assert!(encoded.len() <= 9, "{encoded}");
    let decoded = decode_timeout(&encoded).expect("what we send, we can read");
    if duration <= MAX {
        // Never shorter, and rounded up by less than one unit.
        assert!(decoded >= duration, "{duration:?} sent as {encoded}");
        assert!(
            decoded - duration < unit(&encoded),
            "{duration:?} sent as {encoded}"
        );
    } else {
        assert_eq!(decoded, MAX);
    }
});
