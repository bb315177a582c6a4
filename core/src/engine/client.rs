use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use super::{connect_from_env, connect_with_rpc_options, Runtime};
use crate::client::{self, Error, RpcOptions};
use crate::config::ConnectOptions;

/// A runtime that an adapter finds by itself when the caller names none: for tokio the
/// runtime the call is made from, for async-std its global runtime.
pub trait CurrentRuntime: Runtime + Sized {
    /// The runtime to connect on. Fails (with an error that says what to do instead) when
    /// there is none, e.g. outside a tokio runtime.
    fn current() -> Result<Self, Error>;
}

/// A Temporal client on runtime `R`: the core [`client::Client`] with its transport and clock
/// supplied by `R`. Each adapter names it `Client` (`temporal_lite_tokio::Client`,
/// `temporal_lite_async_std::Client`).
///
/// Every call of the core client is available through `Deref`; [`into_inner`](Self::into_inner)
/// hands out the core client itself.
pub struct RuntimeClient<R> {
    client: client::Client,
    // `fn() -> R`: the client holds no `R`, so it is `Send + Sync` whatever `R` is.
    runtime: PhantomData<fn() -> R>,
}

impl<R: CurrentRuntime> RuntimeClient<R> {
    /// Connect with `options` on the [current](CurrentRuntime::current) runtime, checking
    /// the server with `GetSystemInfo` unless `options.lazy`. Nothing listening at the
    /// address (or a TLS rejection) fails at once, unless
    /// [`ConnectOptions::wait_for_server`] is set.
    pub async fn connect(options: ConnectOptions) -> Result<Self, Error> {
        Self::connect_on(R::current()?, options).await
    }

    /// Connect with `options` on `runtime`.
    pub async fn connect_on(runtime: R, options: ConnectOptions) -> Result<Self, Error> {
        Self::connect_inner(runtime, options, RpcOptions::default()).await
    }

    /// Connect as [`connect`](Self::connect) does, with `rpc` deadlines and retries in force
    /// from the start, the `GetSystemInfo` check included (it ends at `rpc.timeout`). (On a
    /// runtime of your choosing:
    /// [`engine::connect_with_rpc_options`](super::connect_with_rpc_options).)
    pub async fn connect_with_rpc_options(
        options: ConnectOptions,
        rpc: RpcOptions,
    ) -> Result<Self, Error> {
        Self::connect_inner(R::current()?, options, rpc).await
    }

    /// Connect with the options Temporal's environment configuration gives: profile
    /// `TEMPORAL_PROFILE` (or `default`) of the config file, then the `TEMPORAL_*` variables.
    pub async fn connect_from_env() -> Result<Self, Error> {
        connect_from_env(Arc::new(R::current()?), None)
            .await
            .map(Self::from_inner)
    }

    /// Connect with profile `profile` of the config file, then the `TEMPORAL_*` variables.
    pub async fn connect_profile(profile: &str) -> Result<Self, Error> {
        connect_from_env(Arc::new(R::current()?), Some(profile))
            .await
            .map(Self::from_inner)
    }
}

impl<R: Runtime> RuntimeClient<R> {
    async fn connect_inner(
        runtime: R,
        options: ConnectOptions,
        rpc: RpcOptions,
    ) -> Result<Self, Error> {
        connect_with_rpc_options(Arc::new(runtime), options, rpc)
            .await
            .map(Self::from_inner)
    }
}

impl<R> RuntimeClient<R> {
    fn from_inner(client: client::Client) -> Self {
        Self {
            client,
            runtime: PhantomData,
        }
    }

    /// The runtime-agnostic client.
    pub fn into_inner(self) -> client::Client {
        self.client
    }
}

impl<R> Clone for RuntimeClient<R> {
    fn clone(&self) -> Self {
        Self::from_inner(self.client.clone())
    }
}

impl<R> fmt::Debug for RuntimeClient<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.client.fmt(f)
    }
}

impl<R> Deref for RuntimeClient<R> {
    type Target = client::Client;

    fn deref(&self) -> &client::Client {
        &self.client
    }
}

impl<R> From<RuntimeClient<R>> for client::Client {
    fn from(client: RuntimeClient<R>) -> client::Client {
        client.client
    }
}
