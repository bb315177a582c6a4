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
    /// How long the whole exchange may take. The transport gives up with
    /// [`TransportErrorKind::Timeout`] when it elapses.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (refused, unreachable, DNS). Nothing was sent.
    Connect,
    /// The TLS handshake failed or TLS is misconfigured. Retrying will not help.
    Tls,
    /// The connection broke while the call was in flight (reset, broken pipe, GOAWAY
    /// before the request was processed). The request may or may not have reached the server.
    Io,
    /// The call did not complete within its timeout.
    Timeout,
    /// The response body exceeded the request's receive limit.
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
}

impl TransportError {
    /// A new error of `kind` with a message that explains the cause.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The explanation of the cause.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportError")
            .field("kind", &self.kind)
            .field("message", &self.message)
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
