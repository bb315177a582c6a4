//! The async-std runtime adapter for temporal-lite.
//!
//! [`AsyncStdRuntime`] plugs async-std (tasks, timers, TCP) and futures-rustls (TLS, with
//! the same rustls 0.23 and *ring* provider as the engine) into temporal-lite's HTTP/2
//! engine, and serves as the client's [`Clock`]. [`connect`], [`connect_from_env`] and
//! [`connect_profile`] connect a [`Client`] on it; [`transport`] builds a bare gRPC
//! transport from connect options. This crate has no HTTP/2 or gRPC code of its own: it
//! only supplies I/O and time. It re-exports the core's modules, the common types and the
//! protocol types ([`proto`]), so it is the only temporal-lite dependency a program needs.
//!
//! ```no_run
//! async_std::task::block_on(async {
//!     let client = temporal_lite_async_std::connect("localhost:7233").await?;
//!     println!("connected to namespace {}", client.namespace());
//!     Ok::<_, temporal_lite_async_std::Error>(())
//! })?;
//! # Ok::<_, temporal_lite_async_std::Error>(())
//! ```
//!
//! # async-std is deprecated
//!
//! async-std is no longer maintained upstream: its authors point to smol instead
//! ([RUSTSEC-2025-0052]). This adapter exists because users asked for it; new projects
//! should prefer the tokio adapter (`temporal-lite-tokio`).
//!
//! # No tokio
//!
//! Nothing here starts or needs a tokio runtime. hyper and h2 drive the connection through
//! the tasks, timers and sockets this crate supplies. The `tokio` crate is still compiled,
//! as a dependency of h2, but only with the features h2 asks for (`io-util`, `sync`): on
//! its own this crate does not even build tokio's executor, reactor or timer.
//!
//! # smol
//!
//! The I/O glue, [`AsyncStdIo`], is written over futures-io only, and async-std's timers and
//! sockets are async-io's, the same reactor smol uses. Calls made through this adapter work
//! under any executor, `smol::block_on` (that is, `async_io::block_on`) included: the
//! connection tasks run on async-std's global executor, and async-io's reactor drives the
//! sockets and timers whichever executor polls the calls. A smol adapter would be a near
//! copy of `runtime.rs` with `smol::spawn(..).detach()`, `smol::Timer` and
//! `smol::net::TcpStream`.
//!
//! # Crate features
//!
//! - `tracing`: the core's spans and events ([`observe`]).
//! - `testing`: [`testing`], an in-memory transport and virtual clock for tests of code that
//!   uses the [`Client`].
//!
//! async-std is used with its default features, which `task::spawn`, `task::sleep` and
//! `net::TcpStream` require.
//!
//! [`Clock`]: temporal_lite_core::time::Clock
//! [RUSTSEC-2025-0052]: https://rustsec.org/advisories/RUSTSEC-2025-0052.html

mod connect;
mod io;
mod runtime;

// The README's code blocks, compiled (and, unless `no_run`, run) as doctests, so the README
// cannot drift from the API; the dev-dependencies supply what the blocks use. They live in
// this crate, not the tokio adapter, so that the demo's build (an example of the tokio
// adapter, which compiles that crate's dev-dependencies) does not build async-std as well.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use temporal_lite_core::engine::Http2Transport;
use temporal_lite_core::grpc::{Transport, TransportError};

pub use connect::{connect, connect_from_env, connect_profile};

pub use io::AsyncStdIo;
pub use runtime::AsyncStdRuntime;

// One dependency is enough: the core's modules, the common types at the top level, and the
// protocol types (event names and attributes), as every adapter exports them.
temporal_lite_core::adapter_exports!();

/// A gRPC transport for `options` on async-std's global runtime.
///
/// Does not connect yet; the first call does. Fails like [`Http2Transport::new`] for bad
/// options (an unusable address or TLS settings). Unlike the tokio adapter's, this works
/// from any thread: async-std's runtime is global and starts on first use.
pub fn transport(options: &ConnectOptions) -> Result<Arc<dyn Transport>, TransportError> {
    transport_with(AsyncStdRuntime::new(), options)
}

/// A gRPC transport for `options` on `runtime`. Does not connect yet.
pub fn transport_with(
    runtime: AsyncStdRuntime,
    options: &ConnectOptions,
) -> Result<Arc<dyn Transport>, TransportError> {
    Ok(Arc::new(Http2Transport::new(Arc::new(runtime), options)?))
}
