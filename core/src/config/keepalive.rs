//! [`KeepAlive`]: HTTP/2 keep-alive pings, as set in the connect options.

use core::time::Duration;

/// HTTP/2 keep-alive: send a PING every `interval`, idle or not, and declare the connection
/// dead when one goes unanswered for `timeout` (its calls then fail and are retried on a new
/// connection when that is safe). Catches connections that died silently (a NAT or proxy
/// that dropped them), which TCP alone notices only much later.
///
/// The default (30 s interval, 15 s timeout) is the official SDKs'. Set
/// [`ConnectOptions::keepalive`](super::ConnectOptions::keepalive) to `None` to send no
/// pings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeepAlive {
    /// How often to send a PING.
    pub interval: Duration,
    /// How long a PING may go unanswered.
    pub timeout: Duration,
}

impl KeepAlive {
    /// The default interval between pings: 30 s.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
    /// The default time a ping may go unanswered: 15 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

    /// Pings every `interval`, each answered within `timeout`.
    pub const fn new(interval: Duration, timeout: Duration) -> Self {
        Self { interval, timeout }
    }

    /// Set the interval between pings.
    pub const fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Set how long a ping may go unanswered.
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl Default for KeepAlive {
    fn default() -> Self {
        Self::new(Self::DEFAULT_INTERVAL, Self::DEFAULT_TIMEOUT)
    }
}
