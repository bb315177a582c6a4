//! The metrics hooks over `testing::MockTransport` and virtual time: what a call reports
//! (method, namespace, long poll, code, attempts, latency), exactly.

use core::time::Duration;
use std::sync::{Arc, Mutex};

use temporal_lite_core::client::{HistoryPageOptions, RetryConfig, RpcOptions};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::Code;
use temporal_lite_core::observe::{names, CallInfo, CallOutcome, Metrics};
use temporal_lite_core::testing::{block_on, status, MockTransport};
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    DescribeWorkflowExecutionResponse, GetSystemInfoResponse, GetWorkflowExecutionHistoryResponse,
};

type Finished = (String, Option<String>, bool, Code, u32, Duration);

#[derive(Default)]
struct Recorder {
    started: Mutex<Vec<String>>,
    finished: Mutex<Vec<Finished>>,
    /// The SDK metric names of each finished call: its failure counter when it failed, its
    /// latency histogram when it succeeded.
    names: Mutex<Vec<&'static str>>,
}

impl Metrics for Recorder {
    fn call_started(&self, call: &CallInfo<'_>) {
        self.started.lock().unwrap().push(call.method.to_string());
    }

    fn call_finished(&self, call: &CallInfo<'_>, outcome: &CallOutcome) {
        self.finished.lock().unwrap().push((
            call.method.to_string(),
            call.namespace.map(str::to_string),
            call.long_poll,
            outcome.code,
            outcome.attempts,
            outcome.latency,
        ));
        let name = if outcome.is_ok() {
            call.latency_metric()
        } else {
            call.failure_metric()
        };
        self.names.lock().unwrap().push(name);
    }
}

fn exact_retries() -> RpcOptions {
    RpcOptions {
        retry: RetryConfig {
            initial_interval: Duration::from_millis(100),
            multiplier: 2.0,
            jitter: 0.0,
            ..RetryConfig::default()
        },
        ..RpcOptions::default()
    }
}

#[test]
fn a_retried_call_reports_once_with_its_attempts_and_latency() {
    let mock = MockTransport::new();
    mock.on("DescribeWorkflowExecution")
        .respond_status(status::unavailable("down"))
        .respond_status(status::unavailable("down"))
        .respond(DescribeWorkflowExecutionResponse::default());
    let metrics = Arc::new(Recorder::default());
    let options = ConnectOptions::new("localhost:7233")
        .namespace("orders")
        .metrics(metrics.clone());
    let client = mock.client(options).with_rpc_options(exact_retries());
    block_on(client.workflow_handle("wf-1").describe()).expect("describe");
    assert_eq!(
        *metrics.started.lock().unwrap(),
        ["DescribeWorkflowExecution"]
    );
    let finished = metrics.finished.lock().unwrap().clone();
    // Two backoffs in virtual time: 100 ms + 200 ms.
    assert_eq!(
        finished,
        [(
            "DescribeWorkflowExecution".to_string(),
            Some("orders".to_string()),
            false,
            Code::OK,
            3,
            Duration::from_millis(300)
        )]
    );
}

#[test]
fn failures_report_their_code_and_global_calls_no_namespace() {
    let mock = MockTransport::new();
    mock.on("DescribeWorkflowExecution")
        .respond_status(status::not_found("no such workflow"));
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default());
    let metrics = Arc::new(Recorder::default());
    let client = mock.client(ConnectOptions::new("localhost:7233").metrics(metrics.clone()));
    block_on(client.workflow_handle("wf-1").describe()).expect_err("not found");
    block_on(client.get_system_info()).expect("system info");
    let finished = metrics.finished.lock().unwrap().clone();
    assert_eq!(finished[0].3, Code::NOT_FOUND);
    assert_eq!(finished[0].4, 1);
    assert_eq!(finished[1].0, "GetSystemInfo");
    assert_eq!(finished[1].1, None);
    // The names the official SDKs use, by kind of call.
    assert_eq!(
        *metrics.names.lock().unwrap(),
        [names::REQUEST_FAILURE, names::REQUEST_LATENCY]
    );
}

#[test]
fn long_polls_count_apart() {
    let mock = MockTransport::new();
    mock.on("GetWorkflowExecutionHistory")
        .respond(GetWorkflowExecutionHistoryResponse::default());
    let metrics = Arc::new(Recorder::default());
    let client = mock.client(ConnectOptions::new("localhost:7233").metrics(metrics.clone()));
    let options = HistoryPageOptions {
        wait_new_event: true,
        ..HistoryPageOptions::default()
    };
    block_on(client.workflow_handle("wf-1").fetch_history_page(&options)).expect("page");
    let finished = metrics.finished.lock().unwrap().clone();
    assert!(finished[0].2, "{finished:?}");
    assert_eq!(
        *metrics.names.lock().unwrap(),
        [names::LONG_REQUEST_LATENCY]
    );
}
