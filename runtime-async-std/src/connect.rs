//! The connect functions: a [`Connect`] on async-std's global runtime.

use std::sync::Arc;

use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::connect::Connect;

use crate::AsyncStdRuntime;

/// Connect with `options`, or an address: `connect("localhost:7233").await?`.
///
/// Uses async-std's global runtime, so it works from any executor or thread. Settings such
/// as the connect timeout, keep-alive or RPC options are set on the returned [`Connect`]
/// before awaiting it.
///
/// ```no_run
/// # async fn demo() -> Result<(), temporal_lite_async_std::Error> {
/// let client = temporal_lite_async_std::connect("localhost:7233").await?;
/// println!("connected to namespace {}", client.namespace());
/// # Ok(()) }
/// ```
pub fn connect(options: impl Into<ConnectOptions>) -> Connect {
    Connect::new(options).runtime(Arc::new(AsyncStdRuntime::new()))
}

/// Connect with the options Temporal's environment configuration gives: profile
/// `TEMPORAL_PROFILE` (or `default`) of the config file (`TEMPORAL_CONFIG_FILE` or the OS
/// default path), then the `TEMPORAL_*` variables. The file is read on async-std's blocking
/// pool.
pub fn connect_from_env() -> Connect {
    Connect::from_env().runtime(Arc::new(AsyncStdRuntime::new()))
}

/// Connect with profile `profile` of the config file (it must exist), then the `TEMPORAL_*`
/// variables.
pub fn connect_profile(profile: impl Into<String>) -> Connect {
    Connect::profile(profile).runtime(Arc::new(AsyncStdRuntime::new()))
}
