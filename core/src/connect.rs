//! [`Connect`]: connecting a [`Client`] over the HTTP/2 engine (feature `engine`).
//!
//! The runtime adapters hand one out (`temporal_lite_tokio::connect(..)`,
//! `connect_from_env()`, `connect_profile(..)`) with their runtime set; awaiting it connects.
//! The settings that matter at connect time (RPC options, connect timeout, keep-alive,
//! waiting for the server, lazy connect) can be set on it whatever the options come from:
//! code, a profile, or the environment.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;
use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::time::Duration;
use std::sync::{Mutex, PoisonError};

use crate::client::{Client, Error, RpcOptions};
use crate::config::{load_connect_options, ConnectOptions, KeepAlive, LoadProfileOptions};
use crate::engine::{Http2Transport, Runtime};
use crate::grpc::{TransportError, TransportErrorKind};
use crate::time::Clock;

/// A connection to make: where the options come from, the settings to apply on top, and the
/// runtime to connect on. `.await` it for a [`Client`].
///
/// Checks the server with `GetSystemInfo` unless [`lazy`](Self::lazy); nothing listening
/// at the address (or a TLS rejection) fails at once unless
/// [`wait_for_server`](Self::wait_for_server) is set.
///
/// ```no_run
/// # async fn demo<R: temporal_lite_core::engine::Runtime>(runtime: std::sync::Arc<R>)
/// #     -> Result<(), temporal_lite_core::client::Error> {
/// use std::time::Duration;
/// use temporal_lite_core::connect::Connect;
///
/// let client = Connect::profile("prod")
///     .connect_timeout(Duration::from_secs(3))
///     .runtime(runtime)
///     .await?;
/// # let _ = client; Ok(()) }
/// ```
#[must_use = "a Connect does nothing until awaited"]
pub struct Connect {
    /// The runtime, also as the client's clock; or why there is none.
    runtime: Result<RuntimeAndClock, String>,
    source: Source,
    rpc: RpcOptions,
    connect_timeout: Option<Duration>,
    keepalive: Option<Option<KeepAlive>>,
    wait_for_server: Option<Duration>,
    lazy: Option<bool>,
}

/// A runtime, and the same runtime as a clock (`Arc<dyn Runtime>` does not upcast to
/// `Arc<dyn Clock>` on Rust 1.85).
type RuntimeAndClock = (Arc<dyn Runtime>, Arc<dyn Clock>);

/// Where the connect options come from.
#[derive(Debug)]
enum Source {
    Options(Box<ConnectOptions>),
    /// Temporal's environment configuration, with this profile (else `TEMPORAL_PROFILE`, else
    /// `default`).
    Env {
        profile: Option<String>,
    },
}

const NO_RUNTIME: &str = "no runtime to connect on: use a runtime adapter's connect functions \
                          (e.g. temporal_lite_tokio::connect), or set one with Connect::runtime";

impl Connect {
    /// Connect with `options` (or an address: `Connect::new("localhost:7233")`).
    pub fn new(options: impl Into<ConnectOptions>) -> Self {
        Self::with_source(Source::Options(Box::new(options.into())))
    }

    /// Connect with the options Temporal's environment configuration gives: profile
    /// `TEMPORAL_PROFILE` (or `default`) of the config file (`TEMPORAL_CONFIG_FILE` or the OS
    /// default path), then the `TEMPORAL_*` variables. The files are read when awaited, on
    /// the runtime's blocking pool.
    pub fn from_env() -> Self {
        Self::with_source(Source::Env { profile: None })
    }

    /// Connect with profile `profile` of the config file (it must exist), then the
    /// `TEMPORAL_*` variables.
    pub fn profile(profile: impl Into<String>) -> Self {
        Self::with_source(Source::Env {
            profile: Some(profile.into()),
        })
    }

    fn with_source(source: Source) -> Self {
        Self {
            runtime: Err(String::from(NO_RUNTIME)),
            source,
            rpc: RpcOptions::default(),
            connect_timeout: None,
            keepalive: None,
            wait_for_server: None,
            lazy: None,
        }
    }

    /// Connect on `runtime`, which also serves as the client's clock.
    pub fn runtime<R: Runtime>(mut self, runtime: Arc<R>) -> Self {
        self.runtime = Ok((runtime.clone(), runtime));
        self
    }

    /// Fail when awaited, with `reason`, unless [`runtime`](Self::runtime) is called later:
    /// for an adapter that finds no runtime to connect on.
    pub fn runtime_unavailable(mut self, reason: impl Into<String>) -> Self {
        self.runtime = Err(reason.into());
        self
    }

    /// Deadlines, limits and retries of the client, in force from the start: the
    /// `GetSystemInfo` check uses them too.
    pub fn rpc_options(mut self, rpc: RpcOptions) -> Self {
        self.rpc = rpc;
        self
    }

    /// Override [`ConnectOptions::connect_timeout`](ConnectOptions#structfield.connect_timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Override [`ConnectOptions::keepalive`](ConnectOptions#structfield.keepalive)
    /// (`None`: no pings).
    pub fn keepalive(mut self, keepalive: impl Into<Option<KeepAlive>>) -> Self {
        self.keepalive = Some(keepalive.into());
        self
    }

    /// Override [`ConnectOptions::wait_for_server`](ConnectOptions#structfield.wait_for_server).
    pub fn wait_for_server(mut self, wait: Duration) -> Self {
        self.wait_for_server = Some(wait);
        self
    }

    /// Override [`ConnectOptions::lazy`](ConnectOptions#structfield.lazy).
    pub fn lazy(mut self, lazy: bool) -> Self {
        self.lazy = Some(lazy);
        self
    }

    async fn connect(self) -> Result<Client, Error> {
        let (runtime, clock) = self.runtime.map_err(|reason| {
            Error::Transport(TransportError::new(TransportErrorKind::Closed, reason))
        })?;
        let mut options = match self.source {
            Source::Options(options) => *options,
            Source::Env { profile } => load_on_blocking_pool(runtime.as_ref(), profile).await?,
        };
        if let Some(timeout) = self.connect_timeout {
            options.connect_timeout = timeout;
        }
        if let Some(keepalive) = self.keepalive {
            options.keepalive = keepalive;
        }
        if let Some(wait) = self.wait_for_server {
            options.wait_for_server = Some(wait);
        }
        if let Some(lazy) = self.lazy {
            options.lazy = lazy;
        }
        let transport = Http2Transport::new(runtime, &options)?;
        Client::connect_with_rpc_options(Arc::new(transport), clock, options, self.rpc).await
    }
}

/// Resolve the environment configuration on `runtime`'s blocking pool (it reads files).
async fn load_on_blocking_pool(
    runtime: &dyn Runtime,
    profile: Option<String>,
) -> Result<ConnectOptions, Error> {
    let slot = Arc::new(Mutex::new(None));
    let result = slot.clone();
    runtime
        .spawn_blocking(Box::new(move || {
            let mut load = LoadProfileOptions::default();
            if let Some(profile) = profile {
                load = load.profile(profile);
            }
            let options = load_connect_options(&load);
            *result.lock().unwrap_or_else(PoisonError::into_inner) = Some(options);
        }))
        .await;
    let options = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    match options {
        Some(options) => Ok(options?),
        None => Err(Error::Transport(TransportError::new(
            TransportErrorKind::Closed,
            "the runtime dropped the task reading the environment configuration (is it \
             shutting down?)",
        ))),
    }
}

impl IntoFuture for Connect {
    type Output = Result<Client, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Client, Error>> + Send + 'static>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.connect())
    }
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("source", &self.source)
            .field("runtime", &self.runtime.is_ok())
            .field("rpc", &self.rpc)
            .field("connect_timeout", &self.connect_timeout)
            .field("keepalive", &self.keepalive)
            .field("wait_for_server", &self.wait_for_server)
            .field("lazy", &self.lazy)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use core::future::IntoFuture;

    use crate::testing::block_on;

    #[test]
    fn without_a_runtime_awaiting_fails_naming_what_to_do() {
        let error = block_on(Connect::new("localhost:7233").into_future()).unwrap_err();
        assert!(error.to_string().contains("Connect::runtime"), "{error}");
        let error = block_on(
            Connect::from_env()
                .runtime_unavailable("no tokio runtime here")
                .into_future(),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("no tokio runtime here"),
            "{error}"
        );
    }
}
