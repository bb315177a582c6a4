//! [`RpcOptions`]: the deadlines, limits and retries of every call of a client.

use core::time::Duration;

use super::retry::RetryConfig;
use crate::grpc::DEFAULT_RECEIVE_LIMIT;

/// Deadlines, limits and retries of the client's gRPC calls.
///
/// The time model, in short: a call has **one deadline**, [`timeout`](Self::timeout),
/// covering every attempt, backoff and reconnect; each attempt's `grpc-timeout` is the time
/// left, and transient failures are retried (see [`RetryConfig`]) until then, never past
/// it. **Long polls** ([`result`](super::WorkflowHandle::result), history with
/// `wait_new_event`) have no deadline: each poll is bounded by
/// [`long_poll_timeout`](Self::long_poll_timeout), and failures are retried until there is
/// an answer. When a start, signal or terminate ends without an answer after it may have
/// reached the server, the error is [`Error::OutcomeUnknown`](super::Error::OutcomeUnknown)
/// (with the request id that makes repeating it safe).
#[derive(Clone, Debug, PartialEq)]
pub struct RpcOptions {
    /// The deadline of an ordinary call, counted from its start: every attempt, backoff and
    /// reconnect included. Default 30 s, like the official clients.
    pub timeout: Duration,
    /// The longest one poll of a long poll may take (the server answers an empty page
    /// before that: after 20 s by default, keeping about 1 s back; with about 1 s or less
    /// it answers at once, and the client then spaces its polls out, 100 ms doubling up to
    /// 1 s, instead of spinning). A poll without an answer in that time is retried, like a
    /// broken connection. Default 70 s.
    pub long_poll_timeout: Duration,
    /// Largest response the transport may accept, in bytes. Default 128 MiB.
    pub receive_limit: usize,
    /// How retries are spaced out (and an optional cap on attempts).
    pub retry: RetryConfig,
}

impl Default for RpcOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            long_poll_timeout: Duration::from_secs(70),
            receive_limit: DEFAULT_RECEIVE_LIMIT,
            retry: RetryConfig::default(),
        }
    }
}
