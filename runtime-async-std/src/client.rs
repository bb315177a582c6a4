use temporal_lite_core::client::Error;
use temporal_lite_core::engine::{CurrentRuntime, RuntimeClient};

use crate::AsyncStdRuntime;

/// A Temporal client on async-std: the core
/// [`Client`](temporal_lite_core::client::Client) with its transport and clock supplied by
/// [`AsyncStdRuntime`].
///
/// `connect`, `connect_with_rpc_options`, `connect_from_env` and `connect_profile` use
/// async-std's global runtime, so they work from any executor or thread (no runtime to enter
/// first); `connect_on` takes a runtime. Every call of the core client is available through
/// `Deref`; `into_inner` hands out the core client itself.
///
/// ```no_run
/// # async fn demo() -> Result<(), temporal_lite_core::client::Error> {
/// use temporal_lite_async_std::Client;
///
/// // Profile `default` (or TEMPORAL_PROFILE) of the config file, then TEMPORAL_* variables.
/// let client = Client::connect_from_env().await?;
/// println!("connected to namespace {}", client.namespace());
/// # Ok(()) }
/// ```
pub type Client = RuntimeClient<AsyncStdRuntime>;

impl CurrentRuntime for AsyncStdRuntime {
    /// async-std's global runtime; never fails.
    fn current() -> Result<Self, Error> {
        Ok(AsyncStdRuntime::new())
    }
}
