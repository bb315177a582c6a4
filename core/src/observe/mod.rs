//! Seeing what the client does: tracing spans and events (feature `tracing`) and metrics
//! hooks ([`Metrics`]).
//!
//! # Tracing
//!
//! With the core's `tracing` feature (it builds without `std`), the client emits through the
//! [`tracing`](https://docs.rs/tracing) crate:
//!
//! | what | level | fields |
//! |---|---|---|
//! | span `temporal_call`, one per call | DEBUG | `method`, `namespace`, `workflow_id` (calls about one workflow), `long_poll`, `deadline_remaining_ms`, `attempt` (the last), `code` (how it ended: `OK`, `NOT_FOUND`, ...) |
//! | each attempt | TRACE | `attempt`, `timeout_ms` |
//! | a retry after a transient failure | DEBUG | `attempt`, `backoff_ms`, `cause` |
//! | a long poll polling again after it expired | DEBUG | `attempt`, `backoff_ms` |
//! | a call's final error | DEBUG | `attempts`, `error` |
//! | `result()` asking again after an empty long poll | DEBUG | `workflow_id` |
//! | connected / reconnected (engine) | DEBUG | `server`, `connect_attempt`, `elapsed_ms` |
//! | a connect attempt failed (engine) | WARN | `server`, `error` |
//! | a connection ended: closed, GOAWAY | DEBUG | `server`, `reason` |
//! | a connection stopped answering keepalive pings, or broke | WARN | `server`, `reason` |
//! | a request sent again after GOAWAY or `REFUSED_STREAM` (engine) | DEBUG | `server`, `reason` |
//!
//! A call that succeeds, even after retries, emits nothing above DEBUG; WARN means the
//! network or the server is in trouble. No field or message holds a secret: no API key,
//! header value, key material or payload (the test `tests/tests/observe` captures every
//! span and event of calls made with an API key, a client key and secret headers, and
//! searches them). The HTTP/2 crate underneath (h2) emits its own events at DEBUG and
//! TRACE, under its own target `h2`.
//!
//! Without the feature the crate is not compiled in and the calls above compile to
//! nothing. With it but no subscriber, each call costs a few atomic loads (measured in the
//! repository's README).
//!
//! # Metrics
//!
//! [`Metrics`] is a trait the client reports to: calls started and finished (method,
//! namespace, long poll or not, gRPC code, latency, attempts) and connections opened, closed
//! and failed. The core has no metrics stack of its own; [`names`] holds the metric names
//! and labels of the official SDKs. Set a sink with
//! [`ConnectOptions::metrics`](crate::config::ConnectOptions::metrics).

mod call;
mod metrics;

pub(crate) use call::{history_repoll, CallObserver};
pub use metrics::{names, CallInfo, CallOutcome, Metrics, MetricsSink, StatusCodeLabel};
