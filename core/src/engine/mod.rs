//! The HTTP/2 engine shared by every runtime adapter (feature `engine`).
//!
//! [`Http2Transport`] implements [`crate::grpc::Transport`] with hyper's HTTP/2 client and
//! rustls. It is runtime-agnostic: an adapter crate supplies a [`Runtime`] (tasks, timers,
//! TCP and TLS connections) and the engine does the rest: lazy connect, multiplexing,
//! reconnect after GOAWAY or a dead connection, keepalive pings, call timeouts, receive
//! limits and error classification.
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
mod client;
mod connect;
mod endpoint;
mod error;
mod runtime;
mod tls;
mod transport;
mod watch;

pub use client::{CurrentRuntime, RuntimeClient};
pub use connect::{connect, connect_from_env, connect_with_rpc_options};
pub use runtime::{BoxFuture, BoxIo, BoxSleep, ConnectError, Io, Runtime, TlsConnect};
pub use transport::{Http2Settings, Http2Transport, KEEPALIVE_INTERVAL, KEEPALIVE_TIMEOUT};

#[cfg(test)]
mod tests;
