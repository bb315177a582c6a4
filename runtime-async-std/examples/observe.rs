//! Seeing what the client does: its tracing (the core's `tracing` feature) printed by
//! `tracing-subscriber` at DEBUG, and its metrics hooks wired to `prometheus-client` (the
//! Prometheus project's Rust client) with the official SDKs' metric names and labels.
//!
//! ```sh
//! TEMPORAL_ADDRESS=127.0.0.1:7233 cargo run -p temporal-lite-async-std --example observe
//! ```
//!
//! It connects from the environment configuration, makes a few calls (one of them fails with
//! NOT_FOUND), logs them to stderr and prints what Prometheus would scrape to stdout. A
//! service would serve the same text on its `/metrics` endpoint instead.

use std::sync::Arc;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use temporal_lite_async_std::config::load_connect_options;
use temporal_lite_async_std::config::LoadProfileOptions;
use temporal_lite_async_std::grpc::TransportError;
use temporal_lite_async_std::observe::{names, CallInfo, CallOutcome, Metrics};
use tracing_subscriber::filter::LevelFilter as Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

type Labels = Vec<(String, String)>;

fn histogram() -> Histogram {
    // Seconds, from 1 ms to about 65 s (long polls last up to 70 s).
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

/// The client's metrics as Prometheus families.
struct PrometheusMetrics {
    request: Family<Labels, Counter>,
    request_failure: Family<Labels, Counter>,
    request_latency: Family<Labels, Histogram, fn() -> Histogram>,
    long_request: Family<Labels, Counter>,
    long_request_failure: Family<Labels, Counter>,
    long_request_latency: Family<Labels, Histogram, fn() -> Histogram>,
    connections_opened: Counter,
    connections_closed: Counter,
    connections_failed: Counter,
}

impl PrometheusMetrics {
    fn register(registry: &mut Registry) -> Arc<Self> {
        let metrics = PrometheusMetrics {
            request: Family::default(),
            request_failure: Family::default(),
            request_latency: Family::new_with_constructor(histogram),
            long_request: Family::default(),
            long_request_failure: Family::default(),
            long_request_latency: Family::new_with_constructor(histogram),
            connections_opened: Counter::default(),
            connections_closed: Counter::default(),
            connections_failed: Counter::default(),
        };
        // prometheus-client adds `_total` to counters, as OpenMetrics asks (sdk-core's
        // `counters_total_suffix` option does the same).
        registry.register(names::REQUEST, "Client calls", metrics.request.clone());
        registry.register(
            names::REQUEST_FAILURE,
            "Client calls that failed, by status_code",
            metrics.request_failure.clone(),
        );
        registry.register(
            names::REQUEST_LATENCY,
            "Client call latency in seconds, retries included",
            metrics.request_latency.clone(),
        );
        registry.register(
            names::LONG_REQUEST,
            "Long polls",
            metrics.long_request.clone(),
        );
        registry.register(
            names::LONG_REQUEST_FAILURE,
            "Long polls that failed, by status_code",
            metrics.long_request_failure.clone(),
        );
        registry.register(
            names::LONG_REQUEST_LATENCY,
            "Long-poll latency in seconds",
            metrics.long_request_latency.clone(),
        );
        // No official names for these: temporal-lite's own.
        registry.register(
            "temporal_lite_connections_opened",
            "HTTP/2 connections opened",
            metrics.connections_opened.clone(),
        );
        registry.register(
            "temporal_lite_connections_closed",
            "HTTP/2 connections that ended",
            metrics.connections_closed.clone(),
        );
        registry.register(
            "temporal_lite_connections_failed",
            "Connect attempts that failed",
            metrics.connections_failed.clone(),
        );
        Arc::new(metrics)
    }
}

fn labels(call: &CallInfo<'_>) -> Labels {
    vec![
        (names::OPERATION.to_string(), call.method.to_string()),
        (
            names::NAMESPACE.to_string(),
            call.namespace.unwrap_or_default().to_string(),
        ),
    ]
}

impl Metrics for PrometheusMetrics {
    fn call_started(&self, call: &CallInfo<'_>) {
        let family = if call.long_poll {
            &self.long_request
        } else {
            &self.request
        };
        family.get_or_create(&labels(call)).inc();
    }

    fn call_finished(&self, call: &CallInfo<'_>, outcome: &CallOutcome) {
        let (latency, failure) = if call.long_poll {
            (&self.long_request_latency, &self.long_request_failure)
        } else {
            (&self.request_latency, &self.request_failure)
        };
        latency
            .get_or_create(&labels(call))
            .observe(outcome.latency.as_secs_f64());
        if !outcome.is_ok() {
            let mut labels = labels(call);
            labels.push((
                names::STATUS_CODE.to_string(),
                outcome.status_code().to_string(),
            ));
            failure.get_or_create(&labels).inc();
        }
    }

    fn connection_opened(&self, _target: &str) {
        self.connections_opened.inc();
    }

    fn connection_closed(&self, _target: &str) {
        self.connections_closed.inc();
    }

    fn connection_failed(&self, _target: &str, _error: &TransportError) {
        self.connections_failed.inc();
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // temporal-lite's spans and events at DEBUG (TRACE adds each attempt); h2's at INFO.
    let filter = Targets::new()
        .with_target("temporal_lite_core", Level::DEBUG)
        .with_default(Level::INFO);
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
    let mut registry = Registry::default();
    let metrics = PrometheusMetrics::register(&mut registry);
    let options = load_connect_options(&LoadProfileOptions::default())?.metrics(metrics);
    async_std::task::block_on(async {
        let client = temporal_lite_async_std::connect(options).await?;
        client.get_system_info().await?;
        client.count_workflows("").await?;
        // A call that fails: counted in temporal_request_failure with status_code NOT_FOUND.
        let missing = client.workflow_handle("no-such-workflow-for-the-metrics-example");
        let _ = missing.describe().await;
        Ok::<_, temporal_lite_async_std::client::Error>(())
    })?;
    let mut text = String::new();
    encode(&mut text, &registry)?;
    print!("{text}");
    Ok(())
}
