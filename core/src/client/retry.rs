use core::time::Duration;

use crate::grpc::{Code, Status};

/// How a client spaces out the retries of a call that failed for a transient reason.
///
/// Retries go on until the call's deadline ([`RpcOptions`](super::RpcOptions)), never past
/// it: a wait that would end after the deadline is cut short, and the call then ends with
/// [`Error::DeadlineExceeded`](super::Error::DeadlineExceeded) (or
/// [`Error::OutcomeUnknown`](super::Error::OutcomeUnknown) when a write may have reached
/// the server). There is no retry budget of its own beside the deadline, unless
/// [`max_attempts`](Self::max_attempts) sets one.
///
/// Retried: gRPC `UNAVAILABLE`, `RESOURCE_EXHAUSTED` (with its own, longer backoff),
/// `ABORTED`, `INTERNAL`, `UNKNOWN`, `DATA_LOSS`, `OUT_OF_RANGE` (never when the message
/// says a message was larger than the limit), and transport failures: refused or failed
/// connects once the client has reached the server (the first connect of a new client
/// fails at once, see [`ConnectOptions::wait_for_server`](crate::config::ConnectOptions)),
/// broken connections, and a long poll's own timeout. A call without a request id
/// (terminate) is retried only when the server certainly did not process it. Never
/// retried: TLS failures before the client has reached the server, protocol failures,
/// responses over the receive limit, and every other status.
///
/// The defaults are those of the official clients: 100 ms, ×1.7, ±20 % jitter, at most
/// 5 s between attempts; `RESOURCE_EXHAUSTED` 1 s, ×2, at most 10 s.
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
    /// Give up after this many attempts of one call, the first included (for a long poll:
    /// this many failed polls in a row), with the last attempt's error. `None` (the
    /// default): retry until the call's deadline. `Some(1)` disables retries.
    pub max_attempts: Option<u32>,
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
            max_attempts: None,
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
            max_attempts: Some(1),
            ..Self::default()
        }
    }

    /// Whether a call that has made `attempts` attempts may make another.
    pub(crate) fn allows_another(&self, attempts: u32) -> bool {
        self.max_attempts.is_none_or(|max| attempts < max)
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
