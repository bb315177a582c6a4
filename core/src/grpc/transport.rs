use alloc::boxed::Box;
use alloc::string::String;
use bytes::Bytes;
use core::fmt;
use core::time::Duration;

use async_trait::async_trait;

use super::Metadata;

/// One gRPC unary request as it goes on the wire.
#[derive(Clone, Debug)]
pub struct Request {
    /// The HTTP/2 `:path`, e.g. `/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo`.
    pub path: String,
    /// Request metadata (custom headers, `grpc-timeout`, `authorization`, ...). The transport
    /// adds the fixed gRPC headers (`content-type`, `te`, `:method`, `:scheme`, `:authority`).
    pub metadata: Metadata,
    /// The request body: one length-prefixed gRPC message.
    pub body: Bytes,
    /// How long the whole exchange may take, waiting for a connection included: the time
    /// left until the call's deadline (for a long poll, at most its per-poll timeout). The
    /// transport gives up with [`TransportErrorKind::Timeout`] when it elapses. The same
    /// value is in `metadata` as `grpc-timeout`.
    pub timeout: Option<Duration>,
    /// The largest response message accepted, in bytes (the same limit the caller gives
    /// [`decode_unary_response`](super::decode_unary_response)). The transport buffers at
    /// most one such message plus its 5-byte frame prefix; beyond that it stops reading and
    /// fails with [`TransportErrorKind::ResponseTooLarge`].
    pub receive_limit: usize,
}

/// One gRPC unary response as it came off the wire, not yet interpreted.
///
/// gRPC status rules (Trailers-Only, `grpc-status` in headers or trailers, HTTP errors from
/// proxies) are applied by the core, not by the transport.
#[derive(Clone, Debug, Default)]
pub struct Response {
    /// The HTTP `:status`.
    pub http_status: u16,
    /// Response headers.
    pub headers: Metadata,
    /// The raw response body: zero or more length-prefixed messages.
    pub body: Bytes,
    /// Response trailers (empty for a Trailers-Only response).
    pub trailers: Metadata,
}

/// What kind of transport failure happened. Decides whether a call may be retried.
///
/// Each kind of fault has one kind, whatever the moment it strikes: a peer that resets or
/// closes every connection before HTTP/2 is set up is always [`Connect`](Self::Connect), a
/// connection that breaks under a call is always [`Io`](Self::Io), silence is always
/// [`Timeout`](Self::Timeout) (or `Connect` when the connect timeout ran out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be set up: refused, unreachable, unknown host, no answer within
    /// the connect timeout, or closed or reset before the server's HTTP/2 settings arrived.
    /// Nothing was sent.
    Connect,
    /// The TLS handshake failed or TLS is misconfigured, or the bytes the server sent show
    /// that TLS is expected where the client spoke plaintext.
    Tls,
    /// The connection or the call's stream broke while the call was in flight (reset,
    /// broken pipe, GOAWAY, keepalive pings unanswered). The request may or may not have
    /// reached the server, unless [`TransportError::is_unprocessed`] says it did not.
    Io,
    /// No answer within the call's timeout.
    Timeout,
    /// The response exceeded the request's receive limit.
    ResponseTooLarge,
    /// The peer broke the HTTP/2 or gRPC protocol.
    Protocol,
    /// The transport was closed by the user.
    Closed,
}

/// A failure below gRPC: the exchange did not produce a response.
#[derive(Clone)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    unprocessed: bool,
}

impl TransportError {
    /// A new error of `kind` with a message that explains the cause.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            unprocessed: false,
        }
    }

    /// This error, marked as one whose request the server certainly did not process (see
    /// [`is_unprocessed`](Self::is_unprocessed)). Only a transport that knows it may say so.
    pub fn unprocessed(mut self) -> Self {
        self.unprocessed = true;
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The explanation of the cause.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the server certainly did not process the request: it was never written
    /// (no connection, the connection closed first, the call gave up while waiting for a
    /// connection), or the server refused it unprocessed (`REFUSED_STREAM`, or a GOAWAY whose
    /// last stream id is below the request's). Always true for
    /// [`TransportErrorKind::Connect`].
    ///
    /// The client sends such a request again even when the call is not idempotent.
    pub fn is_unprocessed(&self) -> bool {
        self.unprocessed || self.kind == TransportErrorKind::Connect
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("unprocessed", &self.is_unprocessed())
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "connect failed",
            TransportErrorKind::Tls => "TLS failed",
            TransportErrorKind::Io => "connection broken",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::ResponseTooLarge => "response too large",
            TransportErrorKind::Protocol => "protocol error",
            TransportErrorKind::Closed => "transport closed",
        };
        write!(f, "{what}: {}", self.message)
    }
}

impl core::error::Error for TransportError {}

/// Carries gRPC unary exchanges to a server.
///
/// This is the seam between the runtime-agnostic client and the network. The HTTP/2 engine
/// in the runtime adapters implements it; so does the in-memory test transport, and a user
/// may write their own. Object safe: the client holds an `Arc<dyn Transport>`.
#[async_trait]
pub trait Transport: Send + Sync {
    /// Send one unary request and return the raw response.
    ///
    /// Must be safe to call concurrently; implementations multiplex or queue as they see fit.
    /// Returns `Err` only when no HTTP response was obtained; an HTTP error status or a
    /// non-OK `grpc-status` is a successful exchange at this level.
    async fn unary(&self, request: Request) -> Result<Response, TransportError>;
}
