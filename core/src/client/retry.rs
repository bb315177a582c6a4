use core::time::Duration;

use crate::grpc::{Code, Status, TransportError, TransportErrorKind};

/// How a client retries calls that failed for a transient reason.
///
/// Retried: gRPC `UNAVAILABLE`, `RESOURCE_EXHAUSTED` (with its own, longer backoff),
/// `ABORTED`, `INTERNAL`, `UNKNOWN`, `DATA_LOSS`, `OUT_OF_RANGE` (never when the message
/// says a message was larger than the limit), and transport failures to connect, broken
/// connections and per-attempt timeouts. Never retried: TLS and protocol failures, responses
/// over the receive limit, and every other status.
///
/// The defaults are those of the official Rust client: 100 ms, ×1.7, ±20 % jitter, at most
/// 5 s between attempts, 10 attempts, 10 s in all.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryConfig {
    /// Wait before the first retry.
    pub initial_interval: Duration,
    /// Each wait is this many times the previous one.
    pub multiplier: f64,
    /// No wait is longer than this.
    pub max_interval: Duration,
    /// Each wait is randomised by up to this fraction either way (0.2 = ±20 %).
    pub jitter: f64,
    /// Give up when the next attempt would start later than this after the retry budget
    /// started: the start of the call for ordinary calls, the first failure for long polls.
    pub max_elapsed: Duration,
    /// Give up after this many attempts, the first one included. `1` disables retries.
    pub max_attempts: u32,
    /// Wait before the first retry of a `RESOURCE_EXHAUSTED` failure.
    pub resource_exhausted_initial_interval: Duration,
    /// Multiplier for `RESOURCE_EXHAUSTED` waits.
    pub resource_exhausted_multiplier: f64,
    /// Longest wait after a `RESOURCE_EXHAUSTED` failure.
    pub resource_exhausted_max_interval: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_millis(100),
            multiplier: 1.7,
            max_interval: Duration::from_secs(5),
            jitter: 0.2,
            max_elapsed: Duration::from_secs(10),
            max_attempts: 10,
            resource_exhausted_initial_interval: Duration::from_secs(1),
            resource_exhausted_multiplier: 2.0,
            resource_exhausted_max_interval: Duration::from_secs(10),
        }
    }
}

impl RetryConfig {
    /// A configuration that never retries.
    pub fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// Which backoff schedule a retryable failure uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryClass {
    Normal,
    ResourceExhausted,
}

/// Whether a failed attempt may be retried, and with which backoff.
pub(crate) fn classify_status(status: &Status) -> Option<RetryClass> {
    if is_message_too_large(&status.message) {
        return None;
    }
    match status.code {
        Code::RESOURCE_EXHAUSTED => Some(RetryClass::ResourceExhausted),
        Code::UNAVAILABLE
        | Code::ABORTED
        | Code::INTERNAL
        | Code::UNKNOWN
        | Code::DATA_LOSS
        | Code::OUT_OF_RANGE => Some(RetryClass::Normal),
        _ => None,
    }
}

/// Whether a transport failure may be retried.
pub(crate) fn classify_transport(error: &TransportError) -> Option<RetryClass> {
    match error.kind() {
        TransportErrorKind::Connect | TransportErrorKind::Io | TransportErrorKind::Timeout => {
            Some(RetryClass::Normal)
        }
        _ => None,
    }
}

fn is_message_too_large(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("larger than max")
        || lower.contains("larger than the receive limit")
        || lower.contains("message too large")
}

/// The waits of one call's retries.
pub(crate) struct Backoff {
    normal: Duration,
    exhausted: Duration,
}

impl Backoff {
    pub(crate) fn new(config: &RetryConfig) -> Self {
        Self {
            normal: config.initial_interval,
            exhausted: config.resource_exhausted_initial_interval,
        }
    }

    /// The wait before the next attempt, given a uniform random number in `[0, 1)`.
    pub(crate) fn next(
        &mut self,
        config: &RetryConfig,
        class: RetryClass,
        random: f64,
    ) -> Duration {
        let (current, multiplier, max) = match class {
            RetryClass::Normal => (&mut self.normal, config.multiplier, config.max_interval),
            RetryClass::ResourceExhausted => (
                &mut self.exhausted,
                config.resource_exhausted_multiplier,
                config.resource_exhausted_max_interval,
            ),
        };
        let base = (*current).min(max);
        *current = scale(base, multiplier).min(max);
        let jitter = config.jitter.clamp(0.0, 1.0);
        scale(base, 1.0 + jitter * (2.0 * random - 1.0))
    }
}

/// `duration × factor`, saturating instead of panicking on odd factors.
fn scale(duration: Duration, factor: f64) -> Duration {
    if !(factor.is_finite() && factor > 0.0) {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}
