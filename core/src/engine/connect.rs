use std::sync::Arc;

use super::{Http2Transport, Runtime};
use crate::client::{Client, Error, RpcOptions};
use crate::config::{load_connect_options, ConnectOptions, LoadProfileOptions};

/// Connect a [`Client`] over the HTTP/2 engine on `runtime`, which also serves as the clock.
///
/// Checks the server with `GetSystemInfo` unless `options.lazy`. This is what the adapters'
/// `Client::connect` calls; use it directly to plug in a runtime of your own.
pub async fn connect<R>(runtime: Arc<R>, options: ConnectOptions) -> Result<Client, Error>
where
    R: Runtime,
{
    connect_with_rpc_options(runtime, options, RpcOptions::default()).await
}

/// Connect as [`connect`] does, with `rpc` deadlines and retries in force from the start,
/// the `GetSystemInfo` check included (see [`Client::connect_with_rpc_options`]).
pub async fn connect_with_rpc_options<R>(
    runtime: Arc<R>,
    options: ConnectOptions,
    rpc: RpcOptions,
) -> Result<Client, Error>
where
    R: Runtime,
{
    let transport = Http2Transport::new(runtime.clone(), &options)?;
    Client::connect_with_rpc_options(Arc::new(transport), runtime, options, rpc).await
}

/// Connect as [`connect`] does, with options resolved by Temporal's environment
/// configuration: `profile` (or `TEMPORAL_PROFILE`, or `default`) from the config file
/// (`TEMPORAL_CONFIG_FILE` or the OS default path), overridden by `TEMPORAL_*` variables.
pub async fn connect_from_env<R>(runtime: Arc<R>, profile: Option<&str>) -> Result<Client, Error>
where
    R: Runtime,
{
    let mut load = LoadProfileOptions::default();
    if let Some(profile) = profile {
        load = load.with_profile(profile);
    }
    connect(runtime, load_connect_options(&load)?).await
}
