//! Status interpretation of a whole unary response (HTTP status, headers, trailers,
//! Trailers-Only, content-type, framing, `grpc-message`, `grpc-status-details-bin`), then
//! the client's mapping of the status to its typed error.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use temporal_lite_core::fuzzing::error_from_status;
use temporal_lite_core::grpc::{decode_unary_response, Code};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let limit = if u.arbitrary::<bool>().unwrap_or(false) {
        usize::from(u.arbitrary::<u16>().unwrap_or(0))
    } else {
        128 * 1024 * 1024
    };
    let Ok(response) = temporal_lite_fuzz::response(&mut u) else {
        return;
    };
    match decode_unary_response(&response, limit) {
        Ok(message) => {
            assert!(message.len() <= limit);
            assert!(response.body.len() == message.len() + 5);
        }
        Err(status) => {
            assert_ne!(status.code, Code::OK, "an error status must not be OK");
            let _ = format!("{status} {status:?}");
            let error = error_from_status(status);
            let _ = format!("{error} {error:?}");
        }
    }
});
