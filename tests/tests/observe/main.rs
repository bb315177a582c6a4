//! Seeing what the client does, against real components on both runtime adapters:
//!
//! - [`doctor`]: the connection doctor against the suite's nginx TLS fronts (mTLS and API
//!   key) and the dev server, with a good connection and each misconfiguration a user hits;
//! - [`telemetry`]: tracing events and metrics counts for a retried call, a reconnect, a
//!   keepalive timeout and a long poll (through the fault proxy and the real dev server), the
//!   levels of the happy path, and that no secret is in anything emitted.
//!
//! Tracing is captured by a process-wide subscriber ([`capture`]): tests find their own
//! events by the unique workflow ids and proxy addresses they use.

mod capture;
mod doctor;
mod telemetry;

use std::sync::Arc;

use temporal_lite_core::client::{Client, Error};
use temporal_lite_core::config::ConnectOptions;

#[path = "../common/rt.rs"]
mod rt;
pub(crate) use rt::Rt;

impl Rt {
    /// A client over the engine with HTTP/2 `settings`, checked with `GetSystemInfo`; call
    /// inside `block_on`.
    pub(crate) async fn connect_with_settings(
        self,
        options: ConnectOptions,
        settings: temporal_lite_core::engine::Http2Settings,
    ) -> Result<Client, Error> {
        use temporal_lite_core::engine::Http2Transport;
        match self {
            Rt::Tokio => {
                let runtime =
                    Arc::new(temporal_lite_tokio::TokioRuntime::try_current().expect("tokio"));
                let transport = Http2Transport::with_settings(runtime.clone(), &options, settings)?;
                Client::connect_with(Arc::new(transport), runtime, options).await
            }
            Rt::AsyncStd => {
                let runtime = Arc::new(temporal_lite_async_std::AsyncStdRuntime::new());
                let transport = Http2Transport::with_settings(runtime.clone(), &options, settings)?;
                Client::connect_with(Arc::new(transport), runtime, options).await
            }
        }
    }

    /// The connection doctor on this runtime; call inside `block_on`.
    pub(crate) async fn diagnose(
        self,
        options: &ConnectOptions,
    ) -> temporal_lite_core::engine::doctor::Report {
        use temporal_lite_core::engine::doctor;
        match self {
            Rt::Tokio => {
                let runtime = temporal_lite_tokio::TokioRuntime::try_current().expect("tokio");
                doctor::diagnose(Arc::new(runtime), options).await
            }
            Rt::AsyncStd => {
                let runtime = temporal_lite_async_std::AsyncStdRuntime::new();
                doctor::diagnose(Arc::new(runtime), options).await
            }
        }
    }

    /// Sleep on this runtime.
    pub(crate) async fn sleep(self, duration: std::time::Duration) {
        match self {
            Rt::Tokio => tokio::time::sleep(duration).await,
            Rt::AsyncStd => async_std::task::sleep(duration).await,
        }
    }
}

/// The same checks as `#[test]`s for each runtime: `tokio_rt::NAME` and `async_std_rt::NAME`.
macro_rules! on_both_runtimes {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod tokio_rt {
            $(#[test] fn $name() { crate::Rt::Tokio.block_on(crate::$module::$name(crate::Rt::Tokio)) })*
        }
        mod async_std_rt {
            $(#[test] fn $name() { crate::Rt::AsyncStd.block_on(crate::$module::$name(crate::Rt::AsyncStd)) })*
        }
    };
}

on_both_runtimes!(
    doctor::good_connections_pass_every_check,
    doctor::wrong_ca,
    doctor::no_client_certificate,
    doctor::rogue_client_certificate,
    doctor::wrong_api_key,
    doctor::plaintext_to_a_tls_port,
    doctor::tls_to_a_plaintext_port,
    doctor::wrong_namespace,
    doctor::unresolvable_host,
    doctor::refused_port,
    doctor::expired_server_certificate,
    telemetry::retried_call,
    telemetry::reconnect_after_goaway_and_outage,
    telemetry::long_poll,
    telemetry::keepalive_timeout,
    telemetry::happy_path_stays_at_debug_and_below,
    telemetry::nothing_emitted_holds_a_secret,
);
