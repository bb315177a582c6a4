use temporal_lite_core::client::Error;
use temporal_lite_core::engine::{CurrentRuntime, RuntimeClient};
use temporal_lite_core::grpc::{TransportError, TransportErrorKind};

use crate::TokioRuntime;

/// A Temporal client on tokio: the core [`Client`](temporal_lite_core::client::Client) with
/// its transport and clock supplied by [`TokioRuntime`].
///
/// `connect`, `connect_with_rpc_options`, `connect_from_env` and `connect_profile` run on the
/// tokio runtime they are called from (and fail outside one); `connect_on` takes a runtime.
/// Every call of the core client is available through `Deref`; `into_inner` hands out the
/// core client itself.
///
/// ```no_run
/// # async fn demo() -> Result<(), temporal_lite_core::client::Error> {
/// use temporal_lite_tokio::Client;
///
/// // Profile `default` (or TEMPORAL_PROFILE) of the config file, then TEMPORAL_* variables.
/// let client = Client::connect_from_env().await?;
/// println!("connected to namespace {}", client.namespace());
/// # Ok(()) }
/// ```
pub type Client = RuntimeClient<TokioRuntime>;

impl CurrentRuntime for TokioRuntime {
    /// The tokio runtime this is called from.
    fn current() -> Result<Self, Error> {
        TokioRuntime::try_current().ok_or_else(|| {
            Error::Transport(TransportError::new(
                TransportErrorKind::Closed,
                "no tokio runtime: connect from within a tokio runtime, or use Client::connect_on",
            ))
        })
    }
}
