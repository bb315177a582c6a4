use std::ops::Deref;
use std::sync::Arc;

use temporal_lite_core::client::{self, Error};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::engine;

use crate::AsyncStdRuntime;

/// A Temporal client on async-std: the core [`client::Client`] with its transport and clock
/// supplied by [`AsyncStdRuntime`].
///
/// Every call of the core client is available through `Deref`; [`into_inner`](Self::into_inner)
/// hands out the core client itself. async-std's runtime is global, so these work from any
/// executor or thread (no runtime to enter first).
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
#[derive(Clone, Debug)]
pub struct Client(client::Client);

impl Client {
    /// Connect with `options` on async-std's global runtime, checking the server with
    /// `GetSystemInfo` unless `options.lazy`.
    pub async fn connect(options: ConnectOptions) -> Result<Client, Error> {
        Client::connect_on(AsyncStdRuntime::new(), options).await
    }

    /// Connect with `options` on `runtime`.
    pub async fn connect_on(
        runtime: AsyncStdRuntime,
        options: ConnectOptions,
    ) -> Result<Client, Error> {
        engine::connect(Arc::new(runtime), options)
            .await
            .map(Client)
    }

    /// Connect with the options Temporal's environment configuration gives: profile
    /// `TEMPORAL_PROFILE` (or `default`) of the config file, then the `TEMPORAL_*` variables.
    pub async fn connect_from_env() -> Result<Client, Error> {
        engine::connect_from_env(Arc::new(AsyncStdRuntime::new()), None)
            .await
            .map(Client)
    }

    /// Connect with profile `profile` of the config file, then the `TEMPORAL_*` variables.
    pub async fn connect_profile(profile: &str) -> Result<Client, Error> {
        engine::connect_from_env(Arc::new(AsyncStdRuntime::new()), Some(profile))
            .await
            .map(Client)
    }

    /// The runtime-agnostic client.
    pub fn into_inner(self) -> client::Client {
        self.0
    }
}

impl Deref for Client {
    type Target = client::Client;

    fn deref(&self) -> &client::Client {
        &self.0
    }
}

impl From<Client> for client::Client {
    fn from(client: Client) -> client::Client {
        client.0
    }
}
