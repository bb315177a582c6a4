//! The connect functions: a [`Connect`] with the tokio runtime the call is made from.

use std::sync::Arc;

use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::connect::Connect;

use crate::TokioRuntime;

/// Connect with `options`, or an address: `connect("localhost:7233").await?`.
///
/// Runs on the tokio runtime this is called from (awaiting fails outside one, unless
/// [`Connect::runtime`] sets one: `connect(..).runtime(Arc::new(TokioRuntime::new(handle)))`).
/// Settings such as the connect timeout, keep-alive or RPC options are set on the returned
/// [`Connect`] before awaiting it.
///
/// ```no_run
/// # async fn demo() -> Result<(), temporal_lite_tokio::Error> {
/// let client = temporal_lite_tokio::connect("localhost:7233").await?;
/// println!("connected to namespace {}", client.namespace());
/// # Ok(()) }
/// ```
pub fn connect(options: impl Into<ConnectOptions>) -> Connect {
    on_current_runtime(Connect::new(options))
}

/// Connect with the options Temporal's environment configuration gives: profile
/// `TEMPORAL_PROFILE` (or `default`) of the config file (`TEMPORAL_CONFIG_FILE` or the OS
/// default path), then the `TEMPORAL_*` variables. The file is read on tokio's blocking pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), temporal_lite_tokio::Error> {
/// let client = temporal_lite_tokio::connect_from_env().await?;
/// println!("connected to namespace {}", client.namespace());
/// # Ok(()) }
/// ```
pub fn connect_from_env() -> Connect {
    on_current_runtime(Connect::from_env())
}

/// Connect with profile `profile` of the config file (it must exist), then the `TEMPORAL_*`
/// variables.
pub fn connect_profile(profile: impl Into<String>) -> Connect {
    on_current_runtime(Connect::profile(profile))
}

fn on_current_runtime(connect: Connect) -> Connect {
    match TokioRuntime::try_current() {
        Some(runtime) => connect.runtime(Arc::new(runtime)),
        None => connect.runtime_unavailable(
            "no tokio runtime: connect from within a tokio runtime, or set one with \
             Connect::runtime(Arc::new(TokioRuntime::new(handle)))",
        ),
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn connect_profile_reads_the_config_on_the_blocking_pool_and_names_a_missing_profile() {
        // No such profile in whatever file the environment names: the error says which.
        let profile = "temporal-lite-no-such-profile";
        let error = super::connect_profile(profile).await.unwrap_err();
        assert!(error.to_string().contains(profile), "{error}");
    }

    #[test]
    fn outside_a_tokio_runtime_awaiting_says_how_to_give_one() {
        let connect = super::connect("localhost:7233");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        // Awaited on a runtime, but built outside one: the runtime is looked up at build time.
        let error = runtime.block_on(async { connect.await }).unwrap_err();
        assert!(error.to_string().contains("no tokio runtime"), "{error}");
    }
}
