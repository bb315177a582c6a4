//! The two runtime adapters, for the test binaries that run each check on both (`tls`,
//! `observe`). Included with `#[path]`, so that each binary adds the `impl Rt` methods only
//! it needs.

use std::future::Future;

use temporal_lite_core::client::{Client, Error};
use temporal_lite_core::config::ConnectOptions;

/// The runtime adapters.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rt {
    Tokio,
    AsyncStd,
}

impl Rt {
    /// Run `future` on this runtime's executor.
    pub(crate) fn block_on<F: Future>(self, future: F) -> F::Output {
        match self {
            Rt::Tokio => temporal_lite_tests::runtimes::block_on_tokio(future),
            Rt::AsyncStd => async_std::task::block_on(future),
        }
    }

    /// Connect as a user would, with the adapter's `connect` (a `GetSystemInfo` check); call
    /// inside `block_on`.
    pub(crate) async fn connect(self, options: ConnectOptions) -> Result<Client, Error> {
        match self {
            Rt::Tokio => temporal_lite_tokio::connect(options).await,
            Rt::AsyncStd => temporal_lite_async_std::connect(options).await,
        }
    }
}
