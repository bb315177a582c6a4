//! The cost of observing a call, for callgrind: `N` describe calls over the in-memory
//! transport, with or without the `tracing` feature (no subscriber installed) and with or
//! without a metrics sink, and with or without per-call options (a timeout, one header).
//!
//! ```sh
//! cargo build --release -p temporal-lite-core --features testing --example call_cost
//! cargo build --release -p temporal-lite-core --features testing,tracing --example call_cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/call_cost 2000 [metrics] [timeout] [metadata]
//! ```
//!
//! Instructions per call: the difference between two runs with different `N`, divided by
//! the difference in `N` (so start-up costs cancel out).

use std::sync::Arc;
use std::time::Duration;

use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::observe::Metrics;
use temporal_lite_core::testing::{block_on, MockTransport};
use temporal_lite_proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionResponse;

/// A sink that does nothing: measures the hooks, not a metrics stack.
struct Nothing;

impl Metrics for Nothing {}

fn main() {
    let mut args = std::env::args().skip(1);
    let calls: u32 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let modes: Vec<String> = args.collect();
    let metrics = modes.iter().any(|m| m == "metrics");
    let timeout = modes.iter().any(|m| m == "timeout");
    let metadata = modes.iter().any(|m| m == "metadata");
    let mock = MockTransport::new();
    mock.on("DescribeWorkflowExecution")
        .respond(DescribeWorkflowExecutionResponse::default())
        .times(calls);
    let mut options = ConnectOptions::new("localhost:7233");
    if metrics {
        options = options.metrics(Arc::new(Nothing));
    }
    let client = mock.client(options);
    let handle = client.workflow_handle("wf-1");
    for _ in 0..calls {
        // The description decodes into a typed value; failures here would be the mock's.
        let mut describe = handle.describe();
        if timeout {
            describe = describe.timeout(Duration::from_secs(5));
        }
        if metadata {
            describe = describe.metadata("x-request-source", "call-cost");
        }
        block_on(describe).expect("describe");
        mock.clear_requests();
    }
}
