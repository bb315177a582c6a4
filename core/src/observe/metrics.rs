//! [`Metrics`]: what the client reports to a metrics stack of the user's choosing.

use alloc::sync::Arc;
use core::fmt;
use core::time::Duration;

use crate::grpc::{Code, Service, TransportError};

/// The names the official Temporal SDKs (Go, Java, sdk-core) give the client's request
/// metrics, for sinks that want dashboards made for those SDKs to work unchanged.
///
/// Labels, as the SDKs set them: `operation` (the method, e.g. `StartWorkflowExecution`),
/// `namespace`, and on the failure counters `status_code` (the gRPC code's upper-case name,
/// [`CallOutcome::status_code`]). Latencies: the Go SDK and sdk-core with
/// `use_seconds_for_durations` export seconds; sdk-core's default is milliseconds.
pub mod names {
    /// Counter: calls started (not long polls).
    pub const REQUEST: &str = "temporal_request";
    /// Counter: calls that ended with an error (not long polls), by `status_code`.
    pub const REQUEST_FAILURE: &str = "temporal_request_failure";
    /// Histogram: call latency (not long polls).
    pub const REQUEST_LATENCY: &str = "temporal_request_latency";
    /// Counter: long polls started.
    pub const LONG_REQUEST: &str = "temporal_long_request";
    /// Counter: long polls that ended with an error, by `status_code`.
    pub const LONG_REQUEST_FAILURE: &str = "temporal_long_request_failure";
    /// Histogram: long-poll latency.
    pub const LONG_REQUEST_LATENCY: &str = "temporal_long_request_latency";
    /// Label: the method.
    pub const OPERATION: &str = "operation";
    /// Label: the namespace.
    pub const NAMESPACE: &str = "namespace";
    /// Label: the gRPC status code of a failure.
    pub const STATUS_CODE: &str = "status_code";
}

/// Receives what the client does: calls started and finished, long polls apart, and
/// connections opened, closed and failed. Implement it over the metrics crate you use (the
/// async-std adapter's `metrics` example wires it to `prometheus-client`) and hand it to
/// the client with [`ConnectOptions::metrics`](crate::config::ConnectOptions::metrics).
///
/// Every method has an empty default, so an implementation picks what it needs. Methods are
/// called on the task making the call (or, for connections, the engine's connect and
/// connection tasks): keep them short and never block. Nothing passed holds a secret: no
/// API key, header value or payload.
///
/// One call is what the caller asked for: its attempts (retries after transient failures)
/// and, for a long poll, its re-polls after a poll's own timeout are inside it, and counted
/// in [`CallOutcome::attempts`]. (sdk-core counts each attempt as a request; the Go SDK
/// counts calls, as here.)
pub trait Metrics: Send + Sync {
    /// A call starts.
    fn call_started(&self, call: &CallInfo<'_>) {
        let _ = call;
    }

    /// A call ended, with an answer or an error.
    fn call_finished(&self, call: &CallInfo<'_>, outcome: &CallOutcome) {
        let _ = (call, outcome);
    }

    /// A connection to `target` (`host:port`) is ready for calls (TCP, TLS and HTTP/2 setup
    /// done).
    fn connection_opened(&self, target: &str) {
        let _ = target;
    }

    /// A connection to `target` ended (the server closed it, sent GOAWAY, stopped answering
    /// keepalive pings, or the client closed it).
    fn connection_closed(&self, target: &str) {
        let _ = target;
    }

    /// An attempt to connect to `target` failed with `error`.
    fn connection_failed(&self, target: &str, error: &TransportError) {
        let _ = (target, error);
    }
}

/// What a call is, for [`Metrics`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo<'a> {
    /// The gRPC service.
    pub service: Service,
    /// The method, e.g. `StartWorkflowExecution` (the SDKs' `operation` label).
    pub method: &'a str,
    /// The namespace, for namespaced calls.
    pub namespace: Option<&'a str>,
    /// Whether the server holds the call open (a long poll, or an update waiting for its
    /// stage): the SDKs count those as `temporal_long_request`.
    pub long_poll: bool,
}

impl CallInfo<'_> {
    /// The SDKs' counter name for this kind of call: [`names::REQUEST`] or
    /// [`names::LONG_REQUEST`].
    pub fn request_metric(&self) -> &'static str {
        if self.long_poll {
            names::LONG_REQUEST
        } else {
            names::REQUEST
        }
    }

    /// The SDKs' failure counter name: [`names::REQUEST_FAILURE`] or
    /// [`names::LONG_REQUEST_FAILURE`].
    pub fn failure_metric(&self) -> &'static str {
        if self.long_poll {
            names::LONG_REQUEST_FAILURE
        } else {
            names::REQUEST_FAILURE
        }
    }

    /// The SDKs' latency histogram name: [`names::REQUEST_LATENCY`] or
    /// [`names::LONG_REQUEST_LATENCY`].
    pub fn latency_metric(&self) -> &'static str {
        if self.long_poll {
            names::LONG_REQUEST_LATENCY
        } else {
            names::REQUEST_LATENCY
        }
    }
}

/// How a call ended, for [`Metrics`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOutcome {
    /// [`Code::OK`] for an answer; else the gRPC code of the error: the server's status, or
    /// for failures without one, the code the official clients report for them
    /// (`UNAVAILABLE` for a connection or transport failure, `DEADLINE_EXCEEDED` when the
    /// call ran out of time, `INVALID_ARGUMENT` for options refused before any I/O).
    pub code: Code,
    /// From the call's start to its end, every attempt and backoff included.
    pub latency: Duration,
    /// Attempts made, the first included (0 when the call failed before its first).
    pub attempts: u32,
}

impl CallOutcome {
    /// Whether the call got an answer.
    pub fn is_ok(&self) -> bool {
        self.code == Code::OK
    }

    /// The code as the SDKs' `status_code` label shows it: `NOT_FOUND`, `UNAVAILABLE`, ...
    /// (`CODE_<n>` for a code outside the gRPC spec).
    pub fn status_code(&self) -> StatusCodeLabel {
        StatusCodeLabel(self.code)
    }
}

/// A gRPC code as a metric label; see [`CallOutcome::status_code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusCodeLabel(Code);

impl fmt::Display for StatusCodeLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "CODE_{}", self.0 .0),
        }
    }
}

/// The [`Metrics`] of a client, as [`ConnectOptions`](crate::config::ConnectOptions) holds
/// it: cheap to clone; two are equal when they are the same sink.
#[derive(Clone)]
pub struct MetricsSink(pub(crate) Arc<dyn Metrics>);

impl MetricsSink {
    /// Report to `metrics`.
    pub fn new(metrics: Arc<dyn Metrics>) -> Self {
        Self(metrics)
    }

    /// The sink.
    pub fn get(&self) -> &Arc<dyn Metrics> {
        &self.0
    }
}

impl PartialEq for MetricsSink {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for MetricsSink {}

impl fmt::Debug for MetricsSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsSink(..)")
    }
}
