//! The runtime-agnostic core of temporal-lite, a small Temporal client.
//!
//! Everything here is `no_std` + `alloc`: configuration resolution, gRPC framing over an
//! abstract [`grpc::Transport`], and the client API. Runtime adapters
//! (`temporal-lite-tokio`, `temporal-lite-async-std`) supply sockets, TLS, timers and tasks.
//!
//! # Crate features
//! - `std` (default): read config files and process environment variables, find the OS
//!   default config path, and draw request ids from the operating system's randomness
//!   (without it, supply an [`entropy::Entropy`] source).
//! - `engine`: the HTTP/2 engine ([`engine::Http2Transport`], hyper + rustls) that runtime
//!   adapters plug a runtime into, and [`connect::Connect`], the connect builder their
//!   `connect` functions hand out. Implies `std`.
//! - `testing`: `testing::MockTransport` and `testing::ManualClock`, an in-memory
//!   transport and virtual time for testing code that uses the client without a server.
//!   `no_std` like the rest.
//! - `tracing`: spans and events through the `tracing` crate (see [`observe`]); `no_std`
//!   too. Without it, nothing is compiled in.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "engine")]
mod adapter_exports;
pub mod client;
pub mod config;
#[cfg(feature = "engine")]
pub mod connect;
#[cfg(feature = "engine")]
pub mod engine;
pub mod entropy;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod grpc;
pub mod observe;
pub mod payload;
#[cfg(test)]
mod properties;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
