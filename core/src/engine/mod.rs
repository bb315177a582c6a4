//! The HTTP/2 engine shared by every runtime adapter (feature `engine`).
//!
//! [`Http2Transport`] implements [`crate::grpc::Transport`] with hyper's HTTP/2 client and
//! rustls. It is runtime-agnostic: an adapter crate supplies a [`Runtime`] (tasks, a
//! [`Clock`](crate::time::Clock), TCP and TLS connections) and the engine does the rest:
//! lazy connect on a task of its own, multiplexing, reconnect after GOAWAY or a dead
//! connection, keepalive pings, call timeouts, receive limits and error classification.
//!
//! The files follow those concerns: `transport` (the API and one exchange, resends
//! included), `settings`, `connection` (the connection state machine), `handshake`
//! (connect: TCP, TLS, HTTP/2 setup), `headers` (header conversion and the request-side
//! caches), `response` (reading a response under the receive limit), `error` (error
//! classification), `watch` (what the socket saw), `runtime` (the adapter contract).
//!
//! ```no_run
//! # fn demo(runtime: std::sync::Arc<dyn temporal_lite_core::engine::Runtime>)
//! #     -> Result<(), temporal_lite_core::grpc::TransportError> {
//! use temporal_lite_core::config::ConnectOptions;
//! use temporal_lite_core::engine::Http2Transport;
//!
//! let transport = Http2Transport::new(runtime, &ConnectOptions::new("localhost:7233"))?;
//! # let _ = transport; Ok(()) }
//! ```

mod body;
mod connection;
pub mod doctor;
mod endpoint;
mod error;
mod handshake;
mod headers;
mod observe;
mod response;
mod runtime;
mod settings;
mod tls;
mod transport;
mod watch;

pub use runtime::{BoxFuture, BoxIo, ConnectError, Io, Runtime, TlsConnect};
pub use settings::{Http2Settings, KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT, MAX_HEADER_LIST_SIZE};
pub use transport::Http2Transport;

#[cfg(test)]
mod tests;
