//! The HTTP/2 engine shared by every runtime adapter (feature `engine`).
//!
//! [`Http2Transport`] implements [`crate::grpc::Transport`] with hyper's HTTP/2 client and
//! rustls. It is runtime-agnostic: an adapter crate supplies a [`Runtime`] (tasks, a
//! [`Clock`](crate::time::Clock), TCP and TLS connections) and the engine does the rest:
//! lazy connect on a task of its own, multiplexing, reconnect after GOAWAY or a dead
//! connection, keepalive pings, call timeouts, receive limits and error classification.
//!
//! The files follow those concerns: `transport` (the API and one exchange, resends
//! included), `settings`, `conn` (one live connection), `connection` (the connection state machine), `handshake`
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
//!
//! # Dependency types in this API
//!
//! The adapter contract names other crates' types: [`Io`] is hyper's `rt::Read` +
//! `rt::Write`, and [`TlsConnect`] carries a rustls `ClientConfig` and `ServerName`, which
//! [`Runtime::connect`] hands to the adapter's TLS crate (tokio-rustls, futures-rustls). So
//! a new major version of hyper or rustls is a breaking change of this module. We accept
//! that, for now, because:
//! - only adapter authors meet these types; a program using an adapter crate never names
//!   them, and the adapters in this workspace move in lockstep with the core;
//! - confining them is not cheap: the engine would need its own I/O trait (poll read,
//!   write, flush, shutdown) glued to hyper's inside the engine, and would have to drive
//!   rustls itself over the adapter's plain TCP stream, replacing tokio-rustls and
//!   futures-rustls with a TLS stream of our own (the subtle part: close_notify, partial
//!   writes, handshake I/O), a few hundred lines changing every adapter.
//!
//! Do it when a third-party adapter appears or hyper 2 / a rustls API break lands: the I/O
//! half (an own `Io` trait) first, as it is the cheaper one.

mod body;
mod conn;
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
mod verifier;
mod watch;

pub use runtime::{BoxFuture, BoxIo, ConnectError, ConnectTarget, Io, Runtime, TlsConnect};
pub use settings::{Http2Settings, KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT, MAX_HEADER_LIST_SIZE};
pub use transport::Http2Transport;

#[cfg(test)]
mod tests;
