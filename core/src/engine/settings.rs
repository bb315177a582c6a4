//! [`Http2Settings`]: the HTTP/2 connection settings beyond the connect options.

use std::time::Duration;

use crate::config::{ConnectOptions, KeepAlive};

/// Default interval of HTTP/2 keepalive pings ([`KeepAlive::DEFAULT_INTERVAL`]).
pub const KEEPALIVE_INTERVAL: Duration = KeepAlive::DEFAULT_INTERVAL;
/// Default time a keepalive ping may go unanswered before the connection is declared dead
/// ([`KeepAlive::DEFAULT_TIMEOUT`]).
pub const KEEPALIVE_TIMEOUT: Duration = KeepAlive::DEFAULT_TIMEOUT;
/// Default limit on the size of one response's header or trailer list, in bytes as HTTP/2
/// counts them (each field's name and value plus 32): 1 MiB.
///
/// gRPC error details travel in the trailers (`grpc-message`, and
/// `grpc-status-details-bin` in base64). The largest list the dev server (1.32) sent in our
/// measurements was 9.4 KiB, for a failed query with a long message (the server cuts
/// messages at 4000 bytes and repeats them in the details); an already-started error is
/// 0.8 KiB. hyper's own default, 16 KiB, leaves less than twice that, and a server that
/// respects it drops the trailers of a larger error, which the client then sees as a bare
/// stream reset instead of the typed error.
pub const MAX_HEADER_LIST_SIZE: u32 = 1024 * 1024;

/// HTTP/2 connection settings of an [`Http2Transport`](super::Http2Transport) beyond the
/// connect options.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Http2Settings {
    /// Send a PING this often, idle or not (`None`: never). Detects dead connections that
    /// TCP alone would notice only much later. Default [`KEEPALIVE_INTERVAL`].
    pub keepalive_interval: Option<Duration>,
    /// Declare the connection dead when a PING is unanswered this long; its calls then fail
    /// with [`TransportErrorKind::Io`](crate::grpc::TransportErrorKind::Io) (and are retried
    /// on a new connection when that is safe). Default [`KEEPALIVE_TIMEOUT`].
    pub keepalive_timeout: Duration,
    /// The largest header or trailer list a response may carry, in bytes (advertised to the
    /// server as `SETTINGS_MAX_HEADER_LIST_SIZE`). Default [`MAX_HEADER_LIST_SIZE`].
    pub max_header_list_size: u32,
}

impl Http2Settings {
    /// The defaults with the keep-alive of `options`
    /// ([`ConnectOptions::keepalive`](ConnectOptions#structfield.keepalive)).
    pub fn from_options(options: &ConnectOptions) -> Self {
        let keepalive = options.keepalive;
        Self {
            keepalive_interval: keepalive.map(|k| k.interval),
            keepalive_timeout: keepalive.map_or(KEEPALIVE_TIMEOUT, |k| k.timeout),
            ..Self::default()
        }
    }
}

impl Default for Http2Settings {
    fn default() -> Self {
        Self {
            keepalive_interval: Some(KEEPALIVE_INTERVAL),
            keepalive_timeout: KEEPALIVE_TIMEOUT,
            max_header_list_size: MAX_HEADER_LIST_SIZE,
        }
    }
}
