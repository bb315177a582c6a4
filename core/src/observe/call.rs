//! What one call reports while it runs: its span and events (feature `tracing`) and its
//! metrics ([`Metrics`](super::Metrics)). The retry loop (`client::rpc`) calls these at
//! its few decision points; without a metrics sink and without the feature, each is a
//! branch on `None` or nothing at all.

use core::time::Duration;

use super::metrics::{CallInfo, CallOutcome, MetricsSink};
use crate::client::Error;
use crate::grpc::Code;

/// The gRPC code a call's error counts as (see [`CallOutcome::code`]).
pub(crate) fn error_code(error: &Error) -> Code {
    if let Some(code) = error.code() {
        return code;
    }
    match error {
        Error::OutcomeUnknown { last_cause, .. } => last_cause
            .as_deref()
            .map_or(Code::DEADLINE_EXCEEDED, error_code),
        Error::InvalidOptions { .. } | Error::Config(_) | Error::PayloadConversion(_) => {
            Code::INVALID_ARGUMENT
        }
        Error::Transport(_) => Code::UNAVAILABLE,
        _ => Code::UNKNOWN,
    }
}

/// One call being observed: created when it starts, told about its attempts, finished
/// with its result.
pub(crate) struct CallObserver<'a> {
    info: CallInfo<'a>,
    metrics: Option<&'a MetricsSink>,
    started: Duration,
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

impl<'a> CallObserver<'a> {
    /// A call of `info` starting at `now` (on the client's clock), with `remaining` before
    /// its deadline (`None`: no deadline) and `workflow_id` when it concerns one workflow.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn start(
        info: CallInfo<'a>,
        metrics: Option<&'a MetricsSink>,
        now: Duration,
        remaining: Option<Duration>,
        workflow_id: Option<&str>,
    ) -> Self {
        if let Some(metrics) = metrics {
            metrics.0.call_started(&info);
        }
        #[cfg(feature = "tracing")]
        let span = {
            let remaining_ms = remaining.map(|r| r.as_millis() as u64);
            tracing::debug_span!(
                "temporal_call",
                method = info.method,
                namespace = info.namespace,
                workflow_id = workflow_id,
                long_poll = info.long_poll,
                deadline_remaining_ms = remaining_ms,
                attempt = tracing::field::Empty,
                code = tracing::field::Empty,
            )
        };
        Self {
            info,
            metrics,
            started: now,
            #[cfg(feature = "tracing")]
            span,
        }
    }

    /// The call's span, to run its attempts in.
    #[cfg(feature = "tracing")]
    pub(crate) fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Attempt `attempt` starts, with `timeout` for it.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    #[inline]
    pub(crate) fn attempt(&self, attempt: u32, timeout: Duration) {
        #[cfg(feature = "tracing")]
        {
            self.span.record("attempt", attempt);
            tracing::trace!(attempt, timeout_ms = timeout.as_millis() as u64, "attempt");
        }
    }

    /// Attempt `attempt` failed with `cause` (shown with `Display`), and the call tries again
    /// after `backoff`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    #[inline]
    pub(crate) fn retry(&self, attempt: u32, backoff: Duration, cause: &dyn core::fmt::Display) {
        #[cfg(feature = "tracing")]
        tracing::debug!(
            attempt,
            backoff_ms = backoff.as_millis() as u64,
            cause = %cause,
            "retrying {} after a transient failure",
            self.info.method
        );
    }

    /// A long poll's attempt ended without news (its own timeout, or the server's), and the
    /// call polls again after `backoff`.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    #[inline]
    pub(crate) fn repoll(&self, attempt: u32, backoff: Duration) {
        #[cfg(feature = "tracing")]
        tracing::debug!(
            attempt,
            backoff_ms = backoff.as_millis() as u64,
            "long poll {} expired without an answer; polling again",
            self.info.method
        );
    }

    /// The call ends at `now` with `result` after `attempts` attempts.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn finish<T>(self, result: &Result<T, Error>, attempts: u32, now: Duration) {
        let code = match result {
            Ok(_) => Code::OK,
            Err(error) => error_code(error),
        };
        #[cfg(feature = "tracing")]
        {
            self.span.record("code", tracing::field::display(code));
            if let Err(error) = result {
                let _entered = self.span.enter();
                tracing::debug!(attempts, error = %error, "{} failed", self.info.method);
            }
        }
        if let Some(metrics) = self.metrics {
            let outcome = CallOutcome {
                code,
                latency: now.saturating_sub(self.started),
                attempts,
            };
            metrics.0.call_finished(&self.info, &outcome);
        }
    }

    /// Whether the end of the call needs the time (for its latency).
    pub(crate) fn needs_end_time(&self) -> bool {
        self.metrics.is_some()
    }
}

/// `result()` polls the history of `workflow_id` again after a long poll that brought
/// nothing new.
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
#[inline]
pub(crate) fn history_repoll(workflow_id: &str) {
    #[cfg(feature = "tracing")]
    tracing::debug!(workflow_id, "no close event yet; polling the history again");
}
