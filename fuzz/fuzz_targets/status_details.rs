//! `grpc-status-details-bin` as the client reads it: base64 text, then a `google.rpc.Status`
//! whose details are Temporal's `errordetails` messages, mapped to typed errors.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use temporal_lite_core::fuzzing::{base64_decode, error_from_status};
use temporal_lite_core::grpc::{Code, Status};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let code = Code(u.int_in_range(0..=17u32).unwrap_or(2));
    let message: String = u.arbitrary().unwrap_or_default();
    let raw = u.arbitrary::<bool>().unwrap_or(false);
    let details = if raw {
        // The header text itself.
        let text: String = u.arbitrary().unwrap_or_default();
        base64_decode(&text).map(Bytes::from).unwrap_or_default()
    } else {
        Bytes::copy_from_slice(u.take_rest())
    };
    let error = error_from_status(Status {
        code,
        message,
        details,
    });
    let _ = format!("{error} {error:?} {:?}", error.code());
});
