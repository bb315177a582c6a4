//! Client tests over [`MockTransport`] and its virtual clock ([`ManualClock`]): scripted
//! replies, recorded requests, and sleeps that advance virtual time at once, so that
//! [`block_on`] drives every future to completion.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::task::Poll;
use core::time::Duration;

use prost::Message;
use temporal_lite_proto::google::protobuf::Timestamp;
use temporal_lite_proto::temporal::api::common::v1::{
    ActivityType, Payloads, WorkflowExecution, WorkflowType,
};
use temporal_lite_proto::temporal::api::enums::v1::{
    HistoryEventFilterType, QueryRejectCondition as ProtoRejectCondition,
    WorkflowIdConflictPolicy as ProtoConflict, WorkflowIdReusePolicy as ProtoReuse,
};
use temporal_lite_proto::temporal::api::errordetails::v1 as details;
use temporal_lite_proto::temporal::api::failure::v1::{
    failure::FailureInfo, ActivityFailureInfo, ApplicationFailureInfo, Failure as ProtoFailure,
};
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
use temporal_lite_proto::temporal::api::history::v1::{
    History, WorkflowExecutionCanceledEventAttributes, WorkflowExecutionCompletedEventAttributes,
    WorkflowExecutionContinuedAsNewEventAttributes, WorkflowExecutionFailedEventAttributes,
    WorkflowExecutionTerminatedEventAttributes, WorkflowExecutionTimedOutEventAttributes,
};
use temporal_lite_proto::temporal::api::query::v1::QueryRejected;
use temporal_lite_proto::temporal::api::workflow::v1::{
    PendingActivityInfo, WorkflowExecutionInfo,
};
use temporal_lite_proto::temporal::api::workflowservice::v1::*;

use super::*;
use crate::config::ConnectOptions;
use crate::grpc::{self, Code, Status, TransportError, TransportErrorKind};
use crate::payload::RawBytes;
use crate::testing::{self, block_on, status, ManualClock, MockTransport};

mod deadline;

// ---------------------------------------------------------------------------------------
// Test rig
// ---------------------------------------------------------------------------------------

/// A client over a [`MockTransport`] and its auto-advancing clock.
///
/// The helpers script replies that are used once each, in order per method, so that a test
/// can script more replies between calls.
struct Rig {
    mock: MockTransport,
    clock: Arc<ManualClock>,
    client: Client,
}

impl Rig {
    /// Answer the next call to `method` with `message`.
    fn ok<M: Message>(&self, method: &str, message: M) {
        self.mock.on(method).respond(message).times(1);
    }

    /// Answer the next call to `method` with a status.
    fn status(&self, method: &str, code: Code, message: &str) {
        self.mock
            .on(method)
            .respond_status(Status::new(code, message))
            .times(1);
    }

    /// Fail the next call to `method` below gRPC.
    fn fail(&self, method: &str, kind: TransportErrorKind) {
        self.mock.on(method).fail(failure(kind)).times(1);
    }

    /// The decoded bodies of every request to `method`.
    fn sent<M: Message + Default>(&self, method: &str) -> Vec<M> {
        self.mock
            .requests_for(method)
            .iter()
            .map(|r| r.decode().expect("request body decodes"))
            .collect()
    }
}

fn rig_with(options: ConnectOptions) -> Rig {
    let mock = MockTransport::new();
    Rig {
        clock: mock.clock(),
        client: mock.client(options),
        mock,
    }
}

fn rig() -> Rig {
    rig_with(
        ConnectOptions::new("localhost:7233")
            .namespace("orders-ns")
            .identity("tester@host"),
    )
}

fn failure(kind: TransportErrorKind) -> TransportError {
    TransportError::new(kind, "scripted failure")
}

fn json_payloads(values: &[serde_json::Value]) -> Option<Payloads> {
    let converter = crate::payload::CompositePayloadConverter::default();
    Some(Payloads {
        payloads: values
            .iter()
            .map(|v| crate::payload::encode(&converter, v).unwrap())
            .collect(),
    })
}

fn history_page(events: Vec<HistoryEvent>, token: &[u8]) -> GetWorkflowExecutionHistoryResponse {
    GetWorkflowExecutionHistoryResponse {
        history: Some(History { events }),
        next_page_token: token.to_vec(),
        ..Default::default()
    }
}

fn close_page(attributes: Attributes) -> GetWorkflowExecutionHistoryResponse {
    history_page(
        vec![HistoryEvent {
            event_id: 9,
            attributes: Some(attributes),
            ..Default::default()
        }],
        b"",
    )
}

fn completed(value: serde_json::Value, new_run: &str) -> GetWorkflowExecutionHistoryResponse {
    close_page(Attributes::WorkflowExecutionCompletedEventAttributes(
        WorkflowExecutionCompletedEventAttributes {
            result: json_payloads(&[value]),
            new_execution_run_id: new_run.to_string(),
            ..Default::default()
        },
    ))
}

fn started(run_id: &str) -> StartWorkflowExecutionResponse {
    StartWorkflowExecutionResponse {
        run_id: run_id.to_string(),
        started: true,
        ..Default::default()
    }
}

const START: &str = "StartWorkflowExecution";
const HISTORY: &str = "GetWorkflowExecutionHistory";

fn start_options() -> StartWorkflowOptions {
    StartWorkflowOptions::new("order-1", "orders")
}

// ---------------------------------------------------------------------------------------
// Headers and connection
// ---------------------------------------------------------------------------------------

#[test]
fn every_call_carries_the_standard_headers() {
    let rig = rig_with(
        ConnectOptions::new("localhost:7233")
            .namespace("orders-ns")
            .metadata("x-team", "payments"),
    );
    rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
    rig.ok(START, started("run-1"));
    block_on(rig.client.get_system_info()).unwrap();
    block_on(rig.client.start_workflow("Echo", ("hi",), start_options())).unwrap();

    let requests = rig.mock.requests();
    for request in &requests {
        let m = &request.metadata;
        assert_eq!(m.get("client-name"), Some("temporal-lite"));
        assert_eq!(m.get("client-version"), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(m.get("x-team"), Some("payments"));
        assert_eq!(m.get("authorization"), None, "no API key was set");
        let timeout = grpc::decode_timeout(m.get("grpc-timeout").unwrap()).unwrap();
        assert_eq!(timeout, Duration::from_secs(30));
        assert_eq!(request.timeout, Some(Duration::from_secs(30)));
    }
    assert_eq!(
        requests[0].path,
        "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo"
    );
    assert_eq!(requests[0].metadata.get("temporal-namespace"), None);
    assert_eq!(
        requests[1].metadata.get("temporal-namespace"),
        Some("orders-ns")
    );
}

#[test]
fn api_key_is_sent_only_when_set_and_can_be_replaced_live() {
    let rig = rig_with(ConnectOptions::new("h:1").api_key("first-key"));
    for _ in 0..3 {
        rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
    }
    let clone = rig.client.clone();
    block_on(rig.client.get_system_info()).unwrap();
    clone.set_api_key(Some("second-key".to_string())).unwrap();
    block_on(rig.client.get_system_info()).unwrap();
    rig.client.set_api_key(None).unwrap();
    block_on(clone.get_system_info()).unwrap();

    let auth: Vec<Option<String>> = rig
        .mock
        .requests()
        .iter()
        .map(|r| r.metadata.get("authorization").map(String::from))
        .collect();
    assert_eq!(
        auth,
        [
            Some("Bearer first-key".to_string()),
            Some("Bearer second-key".to_string()),
            None
        ]
    );
    // Neither Debug of the client nor of the metadata shows the key.
    rig.client
        .set_api_key(Some("secret-key".to_string()))
        .unwrap();
    let debug = alloc::format!("{:?}", rig.client);
    assert!(!debug.contains("secret-key"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn changed_settings_rebuild_the_call_metadata() {
    let rig = rig_with(ConnectOptions::new("h:1").namespace("first-ns"));
    for _ in 0..3 {
        rig.ok(
            "CountWorkflowExecutions",
            CountWorkflowExecutionsResponse::default(),
        );
    }
    let Rig { mock, client, .. } = rig;
    block_on(client.count_workflows("")).unwrap();
    // The only handle to its settings: changed in place.
    let client = client.with_namespace("second-ns");
    block_on(client.count_workflows("")).unwrap();
    let other = client.clone().with_namespace("third-ns");
    block_on(other.count_workflows("")).unwrap();
    let namespaces: Vec<Option<String>> = mock
        .requests()
        .iter()
        .map(|r| r.metadata.get("temporal-namespace").map(String::from))
        .collect();
    assert_eq!(
        namespaces,
        [
            Some("first-ns".to_string()),
            Some("second-ns".to_string()),
            Some("third-ns".to_string())
        ]
    );
}

#[test]
fn connect_with_checks_the_server_unless_lazy() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond_status(Status::new(Code::UNAUTHENTICATED, "bad key"));
    let error = block_on(Client::connect_with(
        Arc::new(mock.clone()),
        mock.clock(),
        ConnectOptions::default(),
    ))
    .unwrap_err();
    assert!(
        matches!(&error, Error::Unauthenticated { message } if message == "bad key"),
        "{error:?}"
    );
    assert!(error.to_string().contains("API key"), "{error}");

    let client = block_on(Client::connect_with(
        Arc::new(mock.clone()),
        mock.clock(),
        ConnectOptions::default().lazy(true),
    ))
    .unwrap();
    assert_eq!(mock.requests().len(), 1, "a lazy connect makes no call");
    assert_eq!(client.namespace(), "default");
}

// ---------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------

#[test]
fn retries_reuse_the_request_id() {
    let rig = rig();
    rig.status(START, Code::UNAVAILABLE, "server restarting");
    rig.fail(START, TransportErrorKind::Io);
    rig.fail(START, TransportErrorKind::Connect);
    rig.ok(START, started("run-1"));
    let handle = block_on(rig.client.start_workflow("Echo", ("hi",), start_options())).unwrap();
    assert_eq!(handle.result_run_id(), Some("run-1"));

    let sent: Vec<StartWorkflowExecutionRequest> = rig.sent(START);
    assert_eq!(sent.len(), 4);
    let id = &sent[0].request_id;
    assert_eq!(id.len(), 36, "UUID format: {id}");
    assert_eq!(id.as_bytes()[14], b'4', "version 4: {id}");
    assert!(sent.iter().all(|r| &r.request_id == id));

    // 100 ms, 170 ms, 289 ms, each ±20 %.
    let sleeps = rig.clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (sleep, base) in sleeps.iter().zip([100.0, 170.0, 289.0]) {
        let ms = sleep.as_secs_f64() * 1000.0;
        assert!(
            ms >= base * 0.8 - 0.01 && ms <= base * 1.2 + 0.01,
            "{ms} vs {base}"
        );
    }
}

#[test]
fn request_ids_differ_between_calls_and_honour_the_users() {
    let rig = rig();
    rig.ok(START, started("a"));
    rig.ok(START, started("b"));
    rig.ok(START, started("c"));
    block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap();
    block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap();
    let mine = start_options().request_id("my-request");
    block_on(rig.client.start_workflow("Echo", (), mine)).unwrap();
    let sent: Vec<StartWorkflowExecutionRequest> = rig.sent(START);
    assert_ne!(sent[0].request_id, sent[1].request_id);
    assert_eq!(sent[2].request_id, "my-request");
}

#[test]
fn resource_exhausted_uses_the_longer_backoff() {
    let rig = rig();
    rig.status("GetSystemInfo", Code::RESOURCE_EXHAUSTED, "rate limited");
    rig.status("GetSystemInfo", Code::RESOURCE_EXHAUSTED, "rate limited");
    rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
    block_on(rig.client.get_system_info()).unwrap();
    let sleeps = rig.clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] >= Duration::from_millis(800) && sleeps[0] <= Duration::from_millis(1200));
    assert!(sleeps[1] >= Duration::from_millis(1600) && sleeps[1] <= Duration::from_millis(2400));
}

#[test]
fn permanent_failures_are_not_retried() {
    type Script = Box<dyn Fn(&Rig)>;
    let cases: Vec<Script> = vec![
        Box::new(|t| t.status("GetSystemInfo", Code::INVALID_ARGUMENT, "bad")),
        Box::new(|t| t.status("GetSystemInfo", Code::NOT_FOUND, "gone")),
        Box::new(|t| {
            t.status(
                "GetSystemInfo",
                Code::RESOURCE_EXHAUSTED,
                "grpc: received message larger than max (5000 vs. 4000)",
            )
        }),
        Box::new(|t| {
            t.status(
                "GetSystemInfo",
                Code::INTERNAL,
                "grpc: trying to send message larger than max",
            )
        }),
        Box::new(|t| t.fail("GetSystemInfo", TransportErrorKind::Tls)),
        Box::new(|t| t.fail("GetSystemInfo", TransportErrorKind::Protocol)),
        Box::new(|t| t.fail("GetSystemInfo", TransportErrorKind::ResponseTooLarge)),
    ];
    for script in cases {
        let rig = rig();
        script(&rig);
        assert!(block_on(rig.client.get_system_info()).is_err());
        assert_eq!(rig.mock.requests().len(), 1);
        assert!(rig.clock.sleeps().is_empty());
    }
}

#[test]
fn transient_statuses_are_retried() {
    for code in [
        Code::UNAVAILABLE,
        Code::ABORTED,
        Code::INTERNAL,
        Code::UNKNOWN,
        Code::DATA_LOSS,
        Code::OUT_OF_RANGE,
    ] {
        let rig = rig();
        rig.status("GetSystemInfo", code, "transient");
        rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
        block_on(rig.client.get_system_info()).unwrap();
        assert_eq!(rig.mock.requests().len(), 2, "{code}");
    }
}

// ---------------------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------------------

#[test]
fn already_started_maps_to_a_typed_error() {
    let rig = rig();
    let detail = details::WorkflowExecutionAlreadyStartedFailure {
        start_request_id: "other".to_string(),
        run_id: "run-0".to_string(),
        ..Default::default()
    };
    rig.mock.on(START).respond_status(status::with_details(
        Code::ALREADY_EXISTS,
        "Workflow execution is already running.",
        &detail,
    ));
    let error = block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap_err();
    match &error {
        Error::WorkflowAlreadyStarted {
            workflow_id,
            run_id,
        } => {
            assert_eq!(workflow_id, "order-1");
            assert_eq!(run_id, "run-0");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(error.code(), Some(Code::ALREADY_EXISTS));
    assert!(error.to_string().contains("order-1"), "{error}");
    assert_eq!(rig.mock.requests().len(), 1, "not retried");
}

#[test]
fn status_details_and_codes_map_to_typed_errors() {
    let rig = rig();
    let ns = details::NamespaceNotFoundFailure {
        namespace: "nope".to_string(),
    };
    rig.mock
        .on("GetSystemInfo")
        .respond_status(status::with_details(
            Code::NOT_FOUND,
            "Namespace nope is not found.",
            &ns,
        ))
        .times(1);
    let error = block_on(rig.client.get_system_info()).unwrap_err();
    assert!(
        matches!(&error, Error::NamespaceNotFound { namespace } if namespace == "nope"),
        "{error:?}"
    );

    rig.status("GetSystemInfo", Code::NOT_FOUND, "workflow not found");
    rig.status("GetSystemInfo", Code::PERMISSION_DENIED, "no access");
    rig.status("GetSystemInfo", Code::FAILED_PRECONDITION, "odd");
    let e = block_on(rig.client.get_system_info()).unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let e = block_on(rig.client.get_system_info()).unwrap_err();
    assert!(matches!(e, Error::PermissionDenied { .. }), "{e:?}");
    let e = block_on(rig.client.get_system_info()).unwrap_err();
    assert!(
        matches!(&e, Error::Status(s) if s.code == Code::FAILED_PRECONDITION && s.message == "odd"),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "server returned FAILED_PRECONDITION: odd");
}

#[test]
fn invalid_options_fail_before_any_call() {
    let rig = rig();
    let cases = [
        (
            "Echo",
            StartWorkflowOptions::new("", "orders"),
            "id is empty",
        ),
        (
            "Echo",
            StartWorkflowOptions::new("w", " "),
            "task_queue is empty",
        ),
        (
            "",
            StartWorkflowOptions::new("w", "q"),
            "workflow type is empty",
        ),
        (
            "Echo",
            StartWorkflowOptions::new("w", "q")
                .cron_schedule("* * * * *")
                .start_delay(Duration::from_secs(1)),
            "cron",
        ),
        (
            "Echo",
            StartWorkflowOptions::new("w", "q").retry_policy(RetryPolicy {
                backoff_coefficient: 0.5,
                ..RetryPolicy::default()
            }),
            "backoff_coefficient",
        ),
    ];
    for (workflow_type, options, expected) in cases {
        let error = block_on(rig.client.start_workflow(workflow_type, (), options)).unwrap_err();
        assert!(matches!(error, Error::InvalidOptions { .. }), "{error:?}");
        assert!(error.to_string().contains(expected), "{error}");
    }
    assert!(rig.mock.requests().is_empty());
}

// ---------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------

#[test]
fn a_start_that_found_a_running_chain_does_not_take_its_run_for_the_first() {
    // UseExisting answered with a later run of a continue-as-new chain: that run must not be
    // sent as `first_execution_run_id` (the server would answer "not found").
    let rig = rig();
    rig.ok(
        START,
        StartWorkflowExecutionResponse {
            run_id: "run-3".to_string(),
            started: false,
            ..Default::default()
        },
    );
    rig.ok(
        START,
        StartWorkflowExecutionResponse {
            run_id: "run-3".to_string(),
            started: false,
            first_execution_run_id: "run-1".to_string(),
            ..Default::default()
        },
    );
    let options = StartWorkflowOptions::new("chain", "q")
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting);
    let old_server = block_on(rig.client.start_workflow("Chain", (), options.clone())).unwrap();
    assert_eq!(old_server.result_run_id(), Some("run-3"));
    assert_eq!(old_server.first_execution_run_id(), None);
    let new_server = block_on(rig.client.start_workflow("Chain", (), options)).unwrap();
    assert_eq!(new_server.result_run_id(), Some("run-3"));
    assert_eq!(new_server.first_execution_run_id(), Some("run-1"));
}

#[test]
fn start_sends_every_option() {
    let rig = rig();
    rig.ok(START, started("run-1"));
    let options = StartWorkflowOptions::new("order-1", "orders")
        .execution_timeout(Duration::from_secs(3600))
        .run_timeout(Duration::from_millis(1500))
        .task_timeout(Duration::from_secs(5))
        .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
        .retry_policy(RetryPolicy {
            initial_interval: Some(Duration::from_secs(2)),
            backoff_coefficient: 3.0,
            maximum_interval: Some(Duration::from_secs(60)),
            maximum_attempts: 5,
            non_retryable_error_types: vec!["Fatal".to_string()],
        })
        .memo("customer", "ACME")
        .search_attribute("CustomKeywordField", "gold")
        .header("trace", &RawBytes(vec![1, 2]))
        .start_delay(Duration::from_secs(30))
        .request_id("req-1");
    let handle = block_on(rig.client.start_workflow("ProcessOrder", ("a", 2), options)).unwrap();
    assert_eq!(handle.workflow_id(), "order-1");
    assert_eq!(handle.run_id(), None);
    assert_eq!(handle.first_execution_run_id(), Some("run-1"));

    let request = rig.sent::<StartWorkflowExecutionRequest>(START).remove(0);
    assert_eq!(request.namespace, "orders-ns");
    assert_eq!(request.workflow_id, "order-1");
    assert_eq!(request.workflow_type.unwrap().name, "ProcessOrder");
    assert_eq!(request.task_queue.unwrap().name, "orders");
    assert_eq!(request.identity, "tester@host");
    assert_eq!(request.request_id, "req-1");
    let input = request.input.unwrap().payloads;
    assert_eq!(input.len(), 2);
    assert_eq!(input[0].data, br#""a""#.to_vec());
    assert_eq!(input[1].data, b"2".to_vec());
    assert_eq!(request.workflow_execution_timeout.unwrap().seconds, 3600);
    let run = request.workflow_run_timeout.unwrap();
    assert_eq!((run.seconds, run.nanos), (1, 500_000_000));
    assert_eq!(request.workflow_task_timeout.unwrap().seconds, 5);
    assert_eq!(request.workflow_start_delay.unwrap().seconds, 30);
    assert_eq!(
        request.workflow_id_reuse_policy,
        ProtoReuse::RejectDuplicate as i32
    );
    assert_eq!(
        request.workflow_id_conflict_policy,
        ProtoConflict::UseExisting as i32
    );
    let retry = request.retry_policy.unwrap();
    assert_eq!(retry.initial_interval.unwrap().seconds, 2);
    assert_eq!(retry.backoff_coefficient, 3.0);
    assert_eq!(retry.maximum_interval.unwrap().seconds, 60);
    assert_eq!(retry.maximum_attempts, 5);
    assert_eq!(retry.non_retryable_error_types, ["Fatal"]);
    assert_eq!(
        request.memo.unwrap().fields["customer"].data,
        br#""ACME""#.to_vec()
    );
    let sa = &request.search_attributes.unwrap().indexed_fields["CustomKeywordField"];
    assert_eq!(sa.data, br#""gold""#.to_vec());
    assert_eq!(
        sa.metadata["encoding"],
        b"json/plain".to_vec(),
        "search attributes are JSON"
    );
    let header = &request.header.unwrap().fields["trace"];
    assert_eq!(header.data, vec![1, 2]);
    assert_eq!(request.cron_schedule, "");
}

#[test]
fn unset_options_are_left_to_the_server() {
    let rig = rig();
    rig.ok(START, started("run-1"));
    block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap();
    let request = rig.sent::<StartWorkflowExecutionRequest>(START).remove(0);
    assert!(request.input.is_none());
    assert!(request.workflow_execution_timeout.is_none());
    assert!(request.retry_policy.is_none());
    assert!(request.memo.is_none() && request.search_attributes.is_none());
    assert!(request.header.is_none());
    assert_eq!(request.workflow_id_reuse_policy, 0);
    assert_eq!(request.workflow_id_conflict_policy, 0);
}

#[test]
fn signal_with_start_sends_both_inputs() {
    let rig = rig();
    rig.ok(
        "SignalWithStartWorkflowExecution",
        SignalWithStartWorkflowExecutionResponse {
            run_id: "run-9".to_string(),
            started: true,
            ..Default::default()
        },
    );
    let handle = block_on(rig.client.signal_with_start_workflow(
        "Cart",
        (),
        start_options().cron_schedule("0 * * * *"),
        "add-item",
        ("apple", 3),
    ))
    .unwrap();
    assert_eq!(handle.result_run_id(), Some("run-9"));
    let request = rig
        .sent::<SignalWithStartWorkflowExecutionRequest>("SignalWithStartWorkflowExecution")
        .remove(0);
    assert_eq!(request.signal_name, "add-item");
    assert_eq!(request.signal_input.unwrap().payloads.len(), 2);
    assert!(request.input.is_none());
    assert_eq!(request.cron_schedule, "0 * * * *");
    assert_eq!(request.request_id.len(), 36);
}

// ---------------------------------------------------------------------------------------
// result()
// ---------------------------------------------------------------------------------------

#[test]
fn result_follows_continue_as_new_and_repolls_empty_pages() {
    let rig = rig();
    rig.ok(START, started("run-1"));
    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionContinuedAsNewEventAttributes(
            WorkflowExecutionContinuedAsNewEventAttributes {
                new_execution_run_id: "run-2".to_string(),
                ..Default::default()
            },
        )),
    );
    // The long poll on run-2 expires twice with nothing new, each time after the server's
    // long-poll interval (20 s).
    for token in [&b"token-a"[..], b"token-b"] {
        rig.mock
            .on(HISTORY)
            .respond(history_page(vec![], token))
            .times(1)
            .delay(Duration::from_secs(20));
    }
    rig.ok(HISTORY, completed(serde_json::json!({"total": 42}), ""));

    let handle = block_on(rig.client.start_workflow("Count", (), start_options())).unwrap();
    let result: serde_json::Value = block_on(handle.result()).unwrap();
    assert_eq!(result, serde_json::json!({"total": 42}));

    let polls: Vec<GetWorkflowExecutionHistoryRequest> = rig.sent(HISTORY);
    let seen: Vec<(&str, &[u8])> = polls
        .iter()
        .map(|p| {
            (
                p.execution.as_ref().unwrap().run_id.as_str(),
                p.next_page_token.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("run-1", &b""[..]),
            ("run-2", &b""[..]),
            ("run-2", &b"token-a"[..]),
            ("run-2", &b"token-b"[..]),
        ]
    );
    for poll in &polls {
        assert!(poll.wait_new_event);
        assert!(poll.skip_archival);
        assert_eq!(
            poll.history_event_filter_type,
            HistoryEventFilterType::CloseEvent as i32
        );
        assert_eq!(poll.execution.as_ref().unwrap().workflow_id, "order-1");
    }
    assert!(
        rig.clock.sleeps().is_empty(),
        "empty pages of polls the server held are re-polled at once"
    );
}

/// Polls of `HISTORY` that started before `until` (virtual time).
fn history_polls_before(mock: &MockTransport, until: Duration) -> usize {
    mock.requests_for(HISTORY)
        .iter()
        .filter(|r| r.at < until)
        .count()
}

#[test]
fn result_spaces_out_long_polls_the_server_answers_at_once() {
    // With a long-poll deadline of a second or less the server answers every poll at once
    // with an empty page; result() must not poll in a tight loop.
    let mock = MockTransport::with_clock(Arc::new(ManualClock::paused()));
    mock.on(HISTORY).respond(history_page(vec![], b"again"));
    let clock = mock.clock();
    let client = mock
        .client(ConnectOptions::default())
        .with_rpc_options(RpcOptions {
            long_poll_timeout: Duration::from_millis(800),
            ..RpcOptions::default()
        });
    let handle = client.workflow_handle("order-1");
    let mut result = Box::pin(handle.result::<u32>());
    // Ten seconds of virtual time, in 50 ms steps.
    for _ in 0..200 {
        assert!(testing::poll_once(&mut result).is_pending());
        clock.advance(Duration::from_millis(50));
    }
    // Polls at 0, 0.1, 0.3, 0.7 and 1.5 s, then one a second.
    assert_eq!(history_polls_before(&mock, Duration::from_secs(10)), 13);
    let ms = Duration::from_millis;
    assert_eq!(
        clock.sleeps()[..6],
        [ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000)]
    );

    // The result arrives: the next poll returns it.
    mock.on(HISTORY)
        .respond(completed(serde_json::json!(7), ""));
    let value = loop {
        if let Poll::Ready(value) = testing::poll_once(&mut result) {
            break value.unwrap();
        }
        clock.advance(Duration::from_millis(50));
    };
    assert_eq!(value, 7);
    assert!(history_polls_before(&mock, Duration::MAX) <= 15);
}

#[test]
fn a_history_stream_spaces_out_empty_long_polls_until_events_arrive() {
    let rig = rig();
    rig.mock
        .on(HISTORY)
        .respond(history_page(vec![], b"empty"))
        .times(3)
        .respond(history_page(vec![event(1)], b"after-1"))
        .times(1)
        .respond(history_page(vec![], b"empty"))
        .times(2)
        .respond(history_page(vec![event(2)], b""))
        .times(1);
    let mut stream = rig
        .client
        .workflow_handle("order-1")
        .history_events(HistoryPageOptions {
            wait_new_event: true,
            ..HistoryPageOptions::default()
        });
    let mut ids = Vec::new();
    while let Some(event) = block_on(stream.next_event()) {
        ids.push(event.unwrap().event_id);
    }
    assert_eq!(ids, [1, 2]);
    let ms = Duration::from_millis;
    // The pause grows while pages are empty and starts over after events.
    assert_eq!(
        rig.clock.sleeps(),
        [ms(100), ms(200), ms(400), ms(100), ms(200)]
    );
    assert!(rig.mock.unused().is_empty(), "{:?}", rig.mock.unused());
}

#[test]
fn result_follows_cron_retry_and_timeout_runs_but_not_cancel_or_terminate() {
    let rig = rig();
    // Completed with a next cron run, failed with a retry, timed out with a retry, then
    // canceled: canceled is final.
    rig.ok(HISTORY, completed(serde_json::json!(1), "run-2"));
    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionFailedEventAttributes(
            WorkflowExecutionFailedEventAttributes {
                failure: Some(ProtoFailure {
                    message: "try again".to_string(),
                    ..Default::default()
                }),
                retry_state: 1,
                new_execution_run_id: "run-3".to_string(),
                ..Default::default()
            },
        )),
    );
    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionTimedOutEventAttributes(
            WorkflowExecutionTimedOutEventAttributes {
                retry_state: 1,
                new_execution_run_id: "run-4".to_string(),
            },
        )),
    );
    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionCanceledEventAttributes(
            WorkflowExecutionCanceledEventAttributes {
                details: json_payloads(&[serde_json::json!("user asked")]),
                ..Default::default()
            },
        )),
    );
    let handle = rig.client.workflow_handle_with_run("order-1", "run-1");
    let error = block_on(handle.result::<u32>()).unwrap_err();
    let Error::Workflow(error) = error else {
        panic!("{error:?}")
    };
    assert_eq!(error.run_id, "run-4");
    let WorkflowFailure::Canceled { details } = &error.failure else {
        panic!("{error:?}")
    };
    assert_eq!(
        rig.client.decode::<String>(&details[0]).unwrap(),
        "user asked"
    );
    assert_eq!(
        error.to_string(),
        "workflow `order-1` (run run-4) was canceled"
    );
    let runs: Vec<String> = rig
        .sent::<GetWorkflowExecutionHistoryRequest>(HISTORY)
        .into_iter()
        .map(|r| r.execution.unwrap().run_id)
        .collect();
    assert_eq!(runs, ["run-1", "run-2", "run-3", "run-4"]);
}

#[test]
fn result_reports_terminated_and_timed_out() {
    let rig = rig();
    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionTerminatedEventAttributes(
            WorkflowExecutionTerminatedEventAttributes {
                reason: "cleanup".to_string(),
                identity: "ops".to_string(),
                ..Default::default()
            },
        )),
    );
    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionTimedOutEventAttributes(
            WorkflowExecutionTimedOutEventAttributes {
                retry_state: 3,
                new_execution_run_id: String::new(),
            },
        )),
    );
    let handle = rig.client.workflow_handle("order-1");
    let error = block_on(handle.result::<()>()).unwrap_err();
    assert!(
        error.to_string().contains("was terminated: cleanup"),
        "{error}"
    );
    let error = block_on(handle.result::<()>()).unwrap_err();
    let Error::Workflow(error) = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        error.failure,
        WorkflowFailure::TimedOut {
            retry_state: RetryState::Timeout
        }
    );
}

#[test]
fn result_decodes_the_failure_chain() {
    let rig = rig();
    let root = ProtoFailure {
        message: "card declined".to_string(),
        source: "PythonSDK".to_string(),
        stack_trace: "  File \"charge.py\", line 3".to_string(),
        failure_info: Some(FailureInfo::ApplicationFailureInfo(
            ApplicationFailureInfo {
                r#type: "PaymentError".to_string(),
                non_retryable: true,
                details: json_payloads(&[serde_json::json!({"code": 51})]),
                ..Default::default()
            },
        )),
        ..Default::default()
    };
    let activity = ProtoFailure {
        message: "activity error".to_string(),
        failure_info: Some(FailureInfo::ActivityFailureInfo(ActivityFailureInfo {
            activity_type: Some(ActivityType {
                name: "Charge".to_string(),
            }),
            activity_id: "1".to_string(),
            retry_state: 2,
            ..Default::default()
        })),
        cause: Some(Box::new(root)),
        ..Default::default()
    };
    let outer = ProtoFailure {
        message: "order failed".to_string(),
        failure_info: Some(FailureInfo::ApplicationFailureInfo(
            ApplicationFailureInfo {
                r#type: "OrderError".to_string(),
                ..Default::default()
            },
        )),
        cause: Some(Box::new(activity)),
        ..Default::default()
    };
    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionFailedEventAttributes(
            WorkflowExecutionFailedEventAttributes {
                failure: Some(outer),
                retry_state: 5,
                ..Default::default()
            },
        )),
    );
    let handle = rig.client.workflow_handle_with_run("order-1", "run-1");
    let error = block_on(handle.result::<()>()).unwrap_err();
    let Error::Workflow(error) = error else {
        panic!("{error:?}")
    };
    let WorkflowFailure::Failed {
        failure,
        retry_state,
    } = &error.failure
    else {
        panic!("{error:?}")
    };
    assert_eq!(*retry_state, RetryState::RetryPolicyNotSet);
    let chain: Vec<&str> = failure.chain().map(|f| f.message.as_str()).collect();
    assert_eq!(chain, ["order failed", "activity error", "card declined"]);
    assert_eq!(failure.error_type(), Some("OrderError"));
    assert!(!failure.non_retryable());
    let root = failure.root_cause();
    assert_eq!(root.error_type(), Some("PaymentError"));
    assert!(root.non_retryable());
    assert_eq!(root.source, "PythonSDK");
    assert!(root.stack_trace.contains("charge.py"));
    let details: serde_json::Value = rig.client.decode(&root.details()[0]).unwrap();
    assert_eq!(details, serde_json::json!({"code": 51}));
    assert!(matches!(
        &failure.cause.as_ref().unwrap().kind,
        FailureKind::Activity { activity_type, retry_state, .. }
            if activity_type == "Charge" && *retry_state == RetryState::NonRetryableFailure
    ));
    assert_eq!(
        error.to_string(),
        "workflow `order-1` (run run-1) failed: order failed (type OrderError): caused by: \
         activity error (activity Charge, id 1): caused by: card declined (type PaymentError, \
         non-retryable)"
    );
}

#[test]
fn encoded_failure_attributes_are_decoded() {
    let attributes = crate::payload::payload_with_encoding(
        "json/plain",
        br#"{"message":"real message","stack_trace":"real stack"}"#.to_vec(),
    );
    let failure = Failure::from_proto(ProtoFailure {
        message: "Encoded failure".to_string(),
        encoded_attributes: Some(attributes),
        ..Default::default()
    });
    assert_eq!(failure.message, "real message");
    assert_eq!(failure.stack_trace, "real stack");
}

#[test]
fn outcome_without_following_stops_at_the_first_run() {
    let rig = rig();
    rig.ok(HISTORY, completed(serde_json::json!("first"), "run-2"));
    let handle = rig.client.workflow_handle_with_run("order-1", "run-1");
    let outcome = block_on(handle.outcome_following(false)).unwrap();
    let WorkflowOutcome::Completed { run_id, result } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(run_id, "run-1");
    assert_eq!(rig.client.decode::<String>(&result[0]).unwrap(), "first");

    rig.ok(
        HISTORY,
        close_page(Attributes::WorkflowExecutionContinuedAsNewEventAttributes(
            WorkflowExecutionContinuedAsNewEventAttributes {
                new_execution_run_id: "run-2".to_string(),
                ..Default::default()
            },
        )),
    );
    let outcome = block_on(handle.outcome_following(false)).unwrap();
    assert_eq!(
        outcome,
        WorkflowOutcome::ContinuedAsNew {
            run_id: "run-1".to_string(),
            new_execution_run_id: "run-2".to_string()
        }
    );
}

#[test]
fn execute_workflow_starts_and_waits() {
    let rig = rig();
    rig.ok(START, started("run-1"));
    rig.ok(HISTORY, completed(serde_json::json!("HI"), ""));
    let value: String = block_on(
        rig.client
            .execute_workflow("Upper", ("hi",), start_options()),
    )
    .unwrap();
    assert_eq!(value, "HI");
}

#[test]
fn a_result_of_the_wrong_type_is_a_payload_error() {
    let rig = rig();
    rig.ok(HISTORY, completed(serde_json::json!("text"), ""));
    let error = block_on(rig.client.workflow_handle("w").result::<u64>()).unwrap_err();
    assert!(matches!(error, Error::PayloadConversion(_)), "{error:?}");
    assert!(
        error.to_string().contains("result of workflow `w`"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------
// Signal, query, cancel, terminate
// ---------------------------------------------------------------------------------------

#[test]
fn signal_cancel_and_terminate_target_the_handle() {
    let rig = rig();
    rig.ok(START, started("run-1"));
    rig.ok(
        "SignalWorkflowExecution",
        SignalWorkflowExecutionResponse::default(),
    );
    rig.ok(
        "RequestCancelWorkflowExecution",
        RequestCancelWorkflowExecutionResponse::default(),
    );
    rig.ok(
        "TerminateWorkflowExecution",
        TerminateWorkflowExecutionResponse::default(),
    );
    let handle = block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap();
    block_on(handle.signal("approve", ("yes",))).unwrap();
    block_on(handle.cancel_with_reason("no longer needed")).unwrap();
    block_on(handle.terminate_with_details("stuck", ("debug info",))).unwrap();

    let signal = rig
        .sent::<SignalWorkflowExecutionRequest>("SignalWorkflowExecution")
        .remove(0);
    let target = signal.workflow_execution.unwrap();
    assert_eq!(
        (target.workflow_id.as_str(), target.run_id.as_str()),
        ("order-1", "")
    );
    assert_eq!(signal.signal_name, "approve");
    assert_eq!(signal.input.unwrap().payloads[0].data, br#""yes""#.to_vec());
    assert_eq!(signal.identity, "tester@host");
    assert_eq!(signal.request_id.len(), 36);

    let cancel = rig
        .sent::<RequestCancelWorkflowExecutionRequest>("RequestCancelWorkflowExecution")
        .remove(0);
    assert_eq!(cancel.first_execution_run_id, "run-1");
    assert_eq!(cancel.reason, "no longer needed");
    assert_eq!(cancel.namespace, "orders-ns");

    let terminate = rig
        .sent::<TerminateWorkflowExecutionRequest>("TerminateWorkflowExecution")
        .remove(0);
    assert_eq!(terminate.reason, "stuck");
    assert_eq!(terminate.first_execution_run_id, "run-1");
    assert_eq!(terminate.details.unwrap().payloads.len(), 1);
}

#[test]
fn query_decodes_answers_and_reports_rejection_and_failure() {
    let rig = rig();
    rig.ok(
        "QueryWorkflow",
        QueryWorkflowResponse {
            query_result: json_payloads(&[serde_json::json!(["a", "b"])]),
            ..Default::default()
        },
    );
    rig.ok(
        "QueryWorkflow",
        QueryWorkflowResponse {
            query_rejected: Some(QueryRejected { status: 3 }),
            ..Default::default()
        },
    );
    let failed = details::QueryFailedFailure {
        failure: Some(ProtoFailure {
            message: "no handler for query type items2".to_string(),
            ..Default::default()
        }),
    };
    rig.mock
        .on("QueryWorkflow")
        .respond_status(status::with_details(
            Code::INVALID_ARGUMENT,
            "no handler for query type items2",
            &failed,
        ))
        .times(1);
    let handle = rig.client.workflow_handle_with_run("order-1", "run-1");
    let items: Vec<String> = block_on(handle.query("items", ("all",))).unwrap();
    assert_eq!(items, ["a", "b"]);
    let request = rig.sent::<QueryWorkflowRequest>("QueryWorkflow").remove(0);
    let query = request.query.unwrap();
    assert_eq!(query.query_type, "items");
    assert_eq!(query.query_args.unwrap().payloads.len(), 1);
    assert_eq!(request.execution.unwrap().run_id, "run-1");

    let error = block_on(handle.query::<Vec<String>>("items", ())).unwrap_err();
    assert!(
        matches!(
            error,
            Error::QueryRejected {
                status: WorkflowStatus::Failed
            }
        ),
        "{error:?}"
    );
    let error = block_on(handle.query::<Vec<String>>("items2", ())).unwrap_err();
    let Error::QueryFailed { message, failure } = &error else {
        panic!("{error:?}")
    };
    assert!(message.contains("items2"));
    assert!(failure.as_ref().unwrap().message.contains("items2"));
}

#[test]
fn query_sends_the_reject_condition_and_reports_the_rejection() {
    let rig = rig();
    rig.ok(
        "QueryWorkflow",
        QueryWorkflowResponse {
            query_rejected: Some(QueryRejected { status: 4 }),
            ..Default::default()
        },
    );
    for answer in [5, 6] {
        rig.ok(
            "QueryWorkflow",
            QueryWorkflowResponse {
                query_result: json_payloads(&[serde_json::json!(answer)]),
                ..Default::default()
            },
        );
    }
    let handle = rig.client.workflow_handle("order-1");
    let cleanly =
        QueryOptions::default().reject_condition(QueryRejectCondition::NotCompletedCleanly);
    let error = block_on(handle.query_with_options::<u32>("count", (), cleanly)).unwrap_err();
    assert!(
        matches!(
            error,
            Error::QueryRejected {
                status: WorkflowStatus::Canceled
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "query rejected: the workflow is canceled"
    );
    let open = QueryOptions {
        reject_condition: Some(QueryRejectCondition::NotOpen),
    };
    let answer: u32 = block_on(handle.query_with_options("count", (), open)).unwrap();
    assert_eq!(answer, 5);
    let answer: u32 = block_on(handle.query("count", ())).unwrap();
    assert_eq!(answer, 6);

    let conditions: Vec<i32> = rig
        .sent::<QueryWorkflowRequest>("QueryWorkflow")
        .iter()
        .map(|r| r.query_reject_condition)
        .collect();
    assert_eq!(
        conditions,
        [
            ProtoRejectCondition::NotCompletedCleanly as i32,
            ProtoRejectCondition::NotOpen as i32,
            // Unset: the server's default.
            ProtoRejectCondition::Unspecified as i32,
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Describe, history, list, count
// ---------------------------------------------------------------------------------------

#[test]
fn describe_gives_a_friendly_description() {
    let rig = rig();
    let info = WorkflowExecutionInfo {
        execution: Some(WorkflowExecution {
            workflow_id: "order-1".to_string(),
            run_id: "run-1".to_string(),
        }),
        r#type: Some(WorkflowType {
            name: "ProcessOrder".to_string(),
        }),
        start_time: Some(Timestamp {
            seconds: 1_700_000_000,
            nanos: 5,
        }),
        status: 1,
        history_length: 11,
        task_queue: "orders".to_string(),
        parent_execution: Some(WorkflowExecution {
            workflow_id: "parent".to_string(),
            run_id: "p-run".to_string(),
        }),
        memo: Some(temporal_lite_proto::temporal::api::common::v1::Memo {
            fields: [("note".to_string(), rig.client.encode("fragile").unwrap())]
                .into_iter()
                .collect(),
        }),
        ..Default::default()
    };
    rig.ok(
        "DescribeWorkflowExecution",
        DescribeWorkflowExecutionResponse {
            workflow_execution_info: Some(info),
            pending_activities: vec![PendingActivityInfo {
                activity_id: "7".to_string(),
                activity_type: Some(ActivityType {
                    name: "Ship".to_string(),
                }),
                state: 2,
                attempt: 3,
                ..Default::default()
            }],
            ..Default::default()
        },
    );
    let description = block_on(rig.client.workflow_handle("order-1").describe()).unwrap();
    let info = &description.info;
    assert_eq!(description.status(), WorkflowStatus::Running);
    assert!(info.status.is_open());
    assert_eq!(info.workflow_type, "ProcessOrder");
    assert_eq!(info.run_id, "run-1");
    assert_eq!(info.task_queue, "orders");
    assert_eq!(info.history_length, 11);
    assert_eq!(info.start_time, Some(Duration::new(1_700_000_000, 5)));
    assert_eq!(info.close_time, None);
    assert_eq!(info.parent.as_ref().unwrap().workflow_id, "parent");
    assert_eq!(
        rig.client.decode::<String>(&info.memo["note"]).unwrap(),
        "fragile"
    );
    let activity = &description.pending_activities[0];
    assert_eq!(activity.activity_type, "Ship");
    assert_eq!(activity.state, PendingActivityState::Started);
    assert_eq!(activity.attempt, 3);
    assert_eq!(
        description
            .raw()
            .workflow_execution_info
            .as_ref()
            .unwrap()
            .history_length,
        11
    );
}

fn event(id: i64) -> HistoryEvent {
    HistoryEvent {
        event_id: id,
        ..Default::default()
    }
}

#[test]
fn history_is_available_as_pages_and_as_a_stream() {
    let rig = rig();
    rig.ok(HISTORY, history_page(vec![event(1), event(2)], b"next"));
    rig.ok(HISTORY, history_page(vec![event(3)], b""));
    let handle = rig.client.workflow_handle_with_run("order-1", "run-1");
    let mut stream = handle.history_events(HistoryPageOptions::default());
    let mut ids = Vec::new();
    while let Some(event) = block_on(stream.next_event()) {
        ids.push(event.unwrap().event_id);
    }
    assert_eq!(ids, [1, 2, 3]);
    assert!(futures_core::FusedStream::is_terminated(&stream));

    // One page by hand, with every option.
    rig.ok(HISTORY, history_page(vec![event(9)], b"more"));
    let page = block_on(handle.fetch_history_page(&HistoryPageOptions {
        next_page_token: b"tok".to_vec(),
        event_filter: HistoryEventFilter::CloseEvent,
        skip_archival: true,
        maximum_page_size: 50,
        ..HistoryPageOptions::default()
    }))
    .unwrap();
    assert!(page.has_next());
    let request = rig
        .sent::<GetWorkflowExecutionHistoryRequest>(HISTORY)
        .pop()
        .unwrap();
    assert_eq!(request.next_page_token, b"tok");
    assert_eq!(request.maximum_page_size, 50);
    assert!(request.skip_archival && !request.wait_new_event);
    assert_eq!(
        request.history_event_filter_type,
        HistoryEventFilterType::CloseEvent as i32
    );
    // Not a long poll: the ordinary deadline.
    assert_eq!(
        rig.mock.requests().last().unwrap().timeout,
        Some(Duration::from_secs(30))
    );
}

#[test]
fn a_history_stream_ends_after_an_error() {
    let rig = rig();
    rig.ok(HISTORY, history_page(vec![event(1)], b"next"));
    rig.status(HISTORY, Code::NOT_FOUND, "gone");
    let mut stream = rig
        .client
        .workflow_handle("order-1")
        .history_events(HistoryPageOptions::default());
    assert_eq!(block_on(stream.next_event()).unwrap().unwrap().event_id, 1);
    assert!(matches!(
        block_on(stream.next_event()),
        Some(Err(Error::NotFound { .. }))
    ));
    assert!(block_on(stream.next_event()).is_none());
}

#[test]
fn fetch_history_collects_every_page() {
    let rig = rig();
    rig.ok(HISTORY, history_page(vec![event(1)], b"p2"));
    rig.ok(HISTORY, history_page(vec![], b"p3"));
    rig.ok(HISTORY, history_page(vec![event(2)], b""));
    let events = block_on(rig.client.workflow_handle("w").fetch_history()).unwrap();
    assert_eq!(
        events.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        [1, 2]
    );
}

#[test]
fn list_and_count_workflows() {
    let rig = rig();
    rig.ok(
        "ListWorkflowExecutions",
        ListWorkflowExecutionsResponse {
            executions: vec![WorkflowExecutionInfo {
                execution: Some(WorkflowExecution {
                    workflow_id: "a".to_string(),
                    run_id: "r".to_string(),
                }),
                status: 2,
                close_time: Some(Timestamp {
                    seconds: 10,
                    nanos: 0,
                }),
                ..Default::default()
            }],
            next_page_token: b"page-2".to_vec(),
        },
    );
    rig.ok(
        "CountWorkflowExecutions",
        CountWorkflowExecutionsResponse {
            count: 17,
            ..Default::default()
        },
    );
    let page = block_on(rig.client.list_workflows("WorkflowType = 'Echo'", 20, b"")).unwrap();
    assert_eq!(page.executions.len(), 1);
    assert_eq!(page.executions[0].status, WorkflowStatus::Completed);
    assert_eq!(page.executions[0].close_time, Some(Duration::from_secs(10)));
    assert!(page.has_next());
    assert_eq!(block_on(rig.client.count_workflows("")).unwrap(), 17);

    let list = rig
        .sent::<ListWorkflowExecutionsRequest>("ListWorkflowExecutions")
        .remove(0);
    assert_eq!(list.query, "WorkflowType = 'Echo'");
    assert_eq!(list.page_size, 20);
    assert_eq!(list.namespace, "orders-ns");
    assert!(rig.mock.unused().is_empty(), "{:?}", rig.mock.unused());
}

#[test]
fn client_is_send_sync_and_futures_are_send() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let rig = rig();
    assert_send_sync(&rig.client);
    let handle = rig.client.workflow_handle("w");
    assert_send_sync(&handle);
    assert_send(&rig.client.start_workflow("Echo", ("x",), start_options()));
    assert_send(&handle.result::<String>());
    assert_send(&handle.query::<String>("q", ()));
    assert_send(&handle.history_events(HistoryPageOptions::default()));
}
