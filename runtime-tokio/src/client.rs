use std::ops::Deref;
use std::sync::Arc;

use temporal_lite_core::client::{self, Error};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::engine;
use temporal_lite_core::grpc::{TransportError, TransportErrorKind};

use crate::TokioRuntime;

/// A Temporal client on tokio: the core [`client::Client`] with its transport and clock
/// supplied by [`TokioRuntime`].
///
/// Every call of the core client is available through `Deref`; [`into_inner`](Self::into_inner)
/// hands out the core client itself.
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
#[derive(Clone, Debug)]
pub struct Client(client::Client);

impl Client {
    /// Connect with `options` on the tokio runtime this is called from, checking the server
    /// with `GetSystemInfo` unless `options.lazy`.
    pub async fn connect(options: ConnectOptions) -> Result<Client, Error> {
        Client::connect_on(current_runtime()?, options).await
    }

    /// Connect with `options` on `runtime`.
    pub async fn connect_on(runtime: TokioRuntime, options: ConnectOptions) -> Result<Client, Error> {
        engine::connect(Arc::new(runtime), options).await.map(Client)
    }

    /// Connect with the options Temporal's environment configuration gives: profile
    /// `TEMPORAL_PROFILE` (or `default`) of the config file, then the `TEMPORAL_*` variables.
    pub async fn connect_from_env() -> Result<Client, Error> {
        engine::connect_from_env(Arc::new(current_runtime()?), None).await.map(Client)
    }

    /// Connect with profile `profile` of the config file, then the `TEMPORAL_*` variables.
    pub async fn connect_profile(profile: &str) -> Result<Client, Error> {
        engine::connect_from_env(Arc::new(current_runtime()?), Some(profile))
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

fn current_runtime() -> Result<TokioRuntime, Error> {
    TokioRuntime::try_current().ok_or_else(|| {
        Error::Transport(TransportError::new(
            TransportErrorKind::Closed,
            "no tokio runtime: connect from within a tokio runtime, or use Client::connect_on",
        ))
    })
}
