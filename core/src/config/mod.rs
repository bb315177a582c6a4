//! Connection configuration: the options a client connects with, and (in later modules)
//! Temporal's environment configuration (TOML profiles + `TEMPORAL_*` variables) that
//! resolves to them.

mod connect;
mod secret;

pub use connect::{ConnectOptions, TlsOptions, DEFAULT_ADDRESS, DEFAULT_NAMESPACE};
pub use secret::{ApiKey, PrivateKey};
