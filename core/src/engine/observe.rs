//! What the engine reports about its connections: tracing events (feature `tracing`) and
//! [`Metrics`](crate::observe::Metrics) calls. See [`crate::observe`] for the list and the
//! levels. Nothing here names a secret: only `host:port`, counts and error texts (which
//! never hold key material or header values).

use std::string::String;
use std::time::Duration;

use crate::grpc::TransportError;
use crate::observe::MetricsSink;

/// Where the engine reports: the metrics sink of the options, and `host:port` for fields.
#[derive(Clone, Debug)]
pub(crate) struct ConnObserver {
    pub(crate) metrics: Option<MetricsSink>,
    pub(crate) target: String,
}

impl ConnObserver {
    /// Connect attempt `attempt` succeeded after `elapsed`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn connected(&self, attempt: u64, elapsed: Duration) {
        #[cfg(feature = "tracing")]
        if attempt > 1 {
            tracing::debug!(
                server = %self.target,
                connect_attempt = attempt,
                elapsed_ms = elapsed.as_millis() as u64,
                "reconnected to the Temporal server"
            );
        } else {
            tracing::debug!(
                server = %self.target,
                connect_attempt = attempt,
                elapsed_ms = elapsed.as_millis() as u64,
                "connected to the Temporal server"
            );
        }
        if let Some(metrics) = &self.metrics {
            metrics.0.connection_opened(&self.target);
        }
    }

    /// Connect attempt `attempt` failed with `error`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn connect_failed(&self, attempt: u64, error: &TransportError) {
        #[cfg(feature = "tracing")]
        tracing::warn!(
            server = %self.target,
            connect_attempt = attempt,
            error = %error,
            "cannot connect to the Temporal server"
        );
        if let Some(metrics) = &self.metrics {
            metrics.0.connection_failed(&self.target, error);
        }
    }

    /// A connection's driver ended with `result`; `keepalive_lapsed` when it ended without
    /// an error after a silence longer than the keepalive timeout (hyper ends a connection
    /// whose ping went unanswered with `Ok` when no call is waiting on it).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn closed(&self, result: &Result<(), hyper::Error>, keepalive_lapsed: bool) {
        #[cfg(feature = "tracing")]
        match result {
            _ if keepalive_lapsed || result.as_ref().is_err_and(|e| e.is_timeout()) => {
                tracing::warn!(
                    server = %self.target,
                    reason = "keepalive timeout",
                    "the connection stopped answering keepalive pings; it is closed and \
                     calls reconnect"
                )
            }
            Ok(()) => tracing::debug!(
                server = %self.target,
                reason = "closed",
                "connection closed (the server sent GOAWAY or closed it, or the client let it go)"
            ),
            Err(error) if go_away(error).is_some() => tracing::debug!(
                server = %self.target,
                reason = %format_args!("GOAWAY ({})", go_away(error).unwrap_or_default()),
                "the server closed the connection with GOAWAY; calls reconnect"
            ),
            Err(error) => tracing::warn!(
                server = %self.target,
                reason = %super::error::chain(error),
                "the connection broke; calls reconnect"
            ),
        }
        if let Some(metrics) = &self.metrics {
            metrics.0.connection_closed(&self.target);
        }
    }

    /// A request is sent again because the server certainly did not process it (GOAWAY
    /// beyond its stream, `REFUSED_STREAM`, or the connection closed before it went out).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn resent(&self, error: &hyper::Error) {
        #[cfg(feature = "tracing")]
        {
            let reason = match go_away(error) {
                Some(reason) => std::format!("GOAWAY ({reason})"),
                None => super::error::chain(error),
            };
            tracing::debug!(
                server = %self.target,
                reason = %reason,
                "the server did not process the request; sending it again on another connection"
            );
        }
    }
}

/// The reason of a GOAWAY the server sent, if that is what `error` is.
#[cfg(feature = "tracing")]
fn go_away(error: &hyper::Error) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(h2) = e.downcast_ref::<h2::Error>() {
            return (h2.is_go_away() && h2.is_remote()).then(|| {
                h2.reason()
                    .map_or_else(|| String::from("no reason"), |r| std::format!("{r:?}"))
            });
        }
        current = e.source();
    }
    None
}
