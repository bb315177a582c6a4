//! The tokio runtime adapter for temporal-lite.
//!
//! [`TokioRuntime`] plugs tokio (tasks, timers, TCP) and tokio-rustls (TLS) into
//! temporal-lite's HTTP/2 engine, and serves as the client's [`Clock`]. [`transport`]
//! builds a ready-to-use gRPC transport from connect options.
//!
//! ```no_run
//! # async fn demo() -> Result<(), temporal_lite_core::grpc::TransportError> {
//! use temporal_lite_core::config::ConnectOptions;
//!
//! let transport = temporal_lite_tokio::transport(&ConnectOptions::new("localhost:7233"))?;
//! # let _ = transport; Ok(()) }
//! ```
//!
//! # Crate features
//!
//! - `tracing`: the core's spans and events (`temporal_lite_core::observe`).
//!
//! [`Clock`]: temporal_lite_core::time::Clock

mod client;
mod io;
mod runtime;

use std::sync::Arc;

use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::engine::Http2Transport;
use temporal_lite_core::grpc::{Transport, TransportError, TransportErrorKind};

pub use client::Client;
pub use io::TokioIo;
pub use runtime::TokioRuntime;

/// A gRPC transport for `options` on the tokio runtime this is called from.
///
/// Does not connect yet; the first call does. Fails with [`TransportErrorKind::Closed`]
/// outside a tokio runtime, and like [`Http2Transport::new`] for bad options.
pub fn transport(options: &ConnectOptions) -> Result<Arc<dyn Transport>, TransportError> {
    let runtime = TokioRuntime::try_current().ok_or_else(|| {
        TransportError::new(
            TransportErrorKind::Closed,
            "no tokio runtime: call this from within a tokio runtime, or build a \
             TokioRuntime from a runtime handle and use transport_with",
        )
    })?;
    transport_with(runtime, options)
}

/// A gRPC transport for `options` on `runtime`. Does not connect yet.
pub fn transport_with(
    runtime: TokioRuntime,
    options: &ConnectOptions,
) -> Result<Arc<dyn Transport>, TransportError> {
    Ok(Arc::new(Http2Transport::new(Arc::new(runtime), options)?))
}
