//! [`Http2Settings`]: the HTTP/2 connection settings beyond the connect options.

use std::time::Duration;

/// Default interval of HTTP/2 keepalive pings.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Default time a keepalive ping may go unanswered before the connection is declared dead.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(15);
/// Default limit on the size of one response's header or trailer list, in bytes as HTTP/2
/// counts them (each field's name and value plus 32).
///
/// gRPC error details travel in the trailers (`grpc-status-details-bin`, base64): a failed
/// query carries the worker's failure there, stack trace and details included. The largest
/// the dev server sent in our measurements was about 4 KiB for a query that failed with
/// a stack trace and about 1.4 MiB for one whose failure carried a 1 MiB detail (see the
/// README); 8 MiB leaves room for failures with details up to the server's default payload
/// limit (2 MiB, base64 on the wire). hyper's own default (16 KiB) would drop such trailers
/// and turn the typed error into a bare stream error.
pub const MAX_HEADER_LIST_SIZE: u32 = 8 * 1024 * 1024;

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

impl Default for Http2Settings {
    fn default() -> Self {
        Self {
            keepalive_interval: Some(KEEPALIVE_INTERVAL),
            keepalive_timeout: KEEPALIVE_TIMEOUT,
            max_header_list_size: MAX_HEADER_LIST_SIZE,
        }
    }
}
