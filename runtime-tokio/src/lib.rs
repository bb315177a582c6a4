//! The tokio runtime adapter for temporal-lite.
//!
//! [`connect`], [`connect_from_env`] and [`connect_profile`] connect a [`Client`] on the
//! tokio runtime they are called from. [`TokioRuntime`] plugs tokio (tasks, timers, TCP,
//! the blocking pool) and tokio-rustls (TLS) into temporal-lite's HTTP/2 engine, and serves
//! as the client's [`Clock`]; [`transport`] builds a bare gRPC transport from connect
//! options.
//!
//! This crate is the only temporal-lite dependency a program needs: it re-exports the
//! core's modules ([`client`], [`config`], [`payload`], ...), the common types, and the
//! protocol types as [`proto`].
//!
//! ```no_run
//! use std::time::Duration;
//! use temporal_lite_tokio::{StartWorkflowOptions, TlsOptions};
//!
//! # async fn demo() -> Result<(), temporal_lite_tokio::Error> {
//! let client = temporal_lite_tokio::connect("localhost:7233").await?;
//! let handle = client
//!     .start_workflow("Greet", ("World",), StartWorkflowOptions::new("greet-1", "greetings"))
//!     .await?;
//! let greeting: String = handle.result().await?;
//!
//! // From a profile, with a shorter connect timeout.
//! let client = temporal_lite_tokio::connect_profile("prod")
//!     .connect_timeout(Duration::from_secs(3))
//!     .await?;
//! # let _ = (greeting, client, TlsOptions::new()); Ok(()) }
//! ```
//!
//! # Crate features
//!
//! - `tracing`: the core's spans and events ([`observe`]).
//! - `testing`: [`testing`], an in-memory transport and virtual clock for tests of code that
//!   uses the [`Client`].
//!
//! [`Clock`]: temporal_lite_core::time::Clock

mod connect;
mod runtime;

use std::sync::Arc;

use temporal_lite_core::engine::Http2Transport;
use temporal_lite_core::grpc::{Transport, TransportError, TransportErrorKind};

pub use connect::{connect, connect_from_env, connect_profile};

pub use runtime::TokioRuntime;

// One dependency is enough: the core's modules, the common types at the top level, and the
// protocol types (event names and attributes), as every adapter exports them.
temporal_lite_core::adapter_exports!();

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
