//! Protobuf times and durations to Rust durations and back.

use core::time::Duration;

use temporal_lite_proto::google::protobuf::{Duration as ProtoDuration, Timestamp};

/// A protobuf timestamp as time since the Unix epoch; `None` before 1970 or when invalid.
pub(crate) fn timestamp_to_duration(timestamp: &Timestamp) -> Option<Duration> {
    seconds_and_nanos(timestamp.seconds, timestamp.nanos)
}

/// A protobuf duration as a Rust one; `None` when negative or invalid.
pub(crate) fn from_proto_duration(duration: &ProtoDuration) -> Option<Duration> {
    seconds_and_nanos(duration.seconds, duration.nanos)
}

fn seconds_and_nanos(seconds: i64, nanos: i32) -> Option<Duration> {
    let seconds = u64::try_from(seconds).ok()?;
    let nanos = u32::try_from(nanos).ok()?;
    (nanos < 1_000_000_000).then(|| Duration::new(seconds, nanos))
}

/// A Rust duration as a protobuf one (saturating at `i64::MAX` seconds).
pub(crate) fn to_proto_duration(duration: Duration) -> ProtoDuration {
    ProtoDuration {
        seconds: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        // Always below 10^9, so it fits.
        nanos: duration.subsec_nanos() as i32,
    }
}
