//! The client through its public API, over `testing::MockTransport` and virtual time:
//! retries, deadlines, result following and error mapping, with no server and no waiting.

use core::time::Duration;

use serde_json::json;
use temporal_lite_core::client::{
    Client, Error, NotFoundTarget, RetryConfig, RpcOptions, StartWorkflowOptions, WorkflowFailure,
    WorkflowOutcome,
};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::{Code, Status, TransportError, TransportErrorKind};
use temporal_lite_core::testing::{block_on, status, MockTransport, RecordedRequest};
use temporal_lite_core::time::Clock;
use temporal_lite_proto::temporal::api::common::v1::Payloads;
use temporal_lite_proto::temporal::api::enums::v1::HistoryEventFilterType;
use temporal_lite_proto::temporal::api::failure::v1::Failure;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
use temporal_lite_proto::temporal::api::history::v1::{
    History, HistoryEvent, WorkflowExecutionCanceledEventAttributes,
    WorkflowExecutionCompletedEventAttributes, WorkflowExecutionContinuedAsNewEventAttributes,
    WorkflowExecutionFailedEventAttributes, WorkflowExecutionTimedOutEventAttributes,
};
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    DescribeWorkflowExecutionResponse, GetSystemInfoResponse, GetWorkflowExecutionHistoryRequest,
    GetWorkflowExecutionHistoryResponse, StartWorkflowExecutionRequest,
    StartWorkflowExecutionResponse,
};

const START: &str = "StartWorkflowExecution";
const HISTORY: &str = "GetWorkflowExecutionHistory";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn options() -> ConnectOptions {
    ConnectOptions::new("localhost:7233").namespace("orders")
}

/// Retries without jitter, so that virtual times are exact: 100 ms, 200 ms, 400 ms, ...
fn exact_retries(timeout: Duration) -> RpcOptions {
    RpcOptions {
        timeout,
        retry: RetryConfig {
            initial_interval: ms(100),
            multiplier: 2.0,
            jitter: 0.0,
            ..RetryConfig::default()
        },
        ..RpcOptions::default()
    }
}

fn started(run_id: &str) -> StartWorkflowExecutionResponse {
    StartWorkflowExecutionResponse {
        run_id: run_id.into(),
        started: true,
        ..Default::default()
    }
}

/// Connect over `mock` as `Client::connect` would: a first `GetSystemInfo`, then the client.
fn connect(mock: &MockTransport, options: ConnectOptions) -> Result<Client, Error> {
    block_on(Client::connect_with(
        std::sync::Arc::new(mock.clone()),
        mock.clock(),
        options,
    ))
}

/// `error` is a transport error of `kind`, after one attempt and no wait: not retried.
fn assert_failed_at_once(mock: &MockTransport, error: &Error, kind: TransportErrorKind) {
    assert!(
        matches!(error, Error::Transport(e) if e.kind() == kind),
        "{error}"
    );
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(mock.clock().now(), Duration::ZERO);
}

fn start(client: &Client) -> Result<temporal_lite_core::client::WorkflowHandle, Error> {
    block_on(client.start_workflow(
        "Checkout",
        ("cart-7", 3),
        StartWorkflowOptions::new("checkout-7", "shop"),
    ))
}

fn decode_all<M: prost::Message + Default>(requests: &[RecordedRequest]) -> Vec<M> {
    requests.iter().map(|r| r.decode().unwrap()).collect()
}

fn close_page(attributes: Attributes) -> GetWorkflowExecutionHistoryResponse {
    GetWorkflowExecutionHistoryResponse {
        history: Some(History {
            events: vec![HistoryEvent {
                event_id: 12,
                attributes: Some(attributes),
                ..Default::default()
            }],
        }),
        ..Default::default()
    }
}

fn json_result(client: &Client, value: serde_json::Value) -> Option<Payloads> {
    Some(Payloads {
        payloads: vec![client.encode(&value).unwrap()],
    })
}

fn completed(client: &Client, value: serde_json::Value, next_run: &str) -> Attributes {
    Attributes::WorkflowExecutionCompletedEventAttributes(
        WorkflowExecutionCompletedEventAttributes {
            result: json_result(client, value),
            new_execution_run_id: next_run.into(),
            ..Default::default()
        },
    )
}

fn polled_runs(mock: &MockTransport) -> Vec<String> {
    decode_all::<GetWorkflowExecutionHistoryRequest>(&mock.requests_for(HISTORY))
        .into_iter()
        .map(|r| r.execution.unwrap().run_id)
        .collect()
}

// ---------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------

#[test]
fn unavailable_twice_then_ok_is_one_start_with_one_request_id() {
    let mock = MockTransport::new();
    mock.on(START)
        .respond_status(status::unavailable("frontend restarting"))
        .times(2)
        .respond(started("run-1"));
    let client = mock
        .client(options())
        .with_rpc_options(exact_retries(Duration::from_secs(10)));

    let handle = start(&client).unwrap();
    assert_eq!(handle.first_execution_run_id(), Some("run-1"));

    let attempts = mock.requests_for(START);
    assert_eq!(attempts.len(), 3);
    // Every attempt sends the same bytes, so the same request id: the server starts one
    // workflow even if an earlier attempt did reach it.
    assert!(attempts.iter().all(|a| a.body == attempts[0].body));
    let sent: Vec<StartWorkflowExecutionRequest> = decode_all(&attempts);
    assert!(!sent[0].request_id.is_empty());
    assert!(sent.iter().all(|s| s.request_id == sent[0].request_id));
    // Backoff in virtual time: 100 ms, then 200 ms.
    let clock = mock.clock();
    assert_eq!(clock.sleeps(), [ms(100), ms(200)]);
    let arrivals: Vec<Duration> = attempts.iter().map(|a| a.at).collect();
    assert_eq!(arrivals, [ms(0), ms(100), ms(300)]);
    assert_eq!(clock.now(), ms(300));
}

#[test]
fn another_start_gets_another_request_id() {
    let mock = MockTransport::new();
    mock.on(START).respond(started("run-1"));
    let client = mock.client(options());
    start(&client).unwrap();
    start(&client).unwrap();
    let sent: Vec<StartWorkflowExecutionRequest> = decode_all(&mock.requests_for(START));
    assert_ne!(sent[0].request_id, sent[1].request_id);
}

#[test]
fn the_first_connect_fails_at_once_and_later_failures_are_retried() {
    let refused = || TransportError::new(TransportErrorKind::Connect, "connection refused");
    // Nothing listens: a misconfigured address fails the connect at once.
    let mock = MockTransport::new();
    mock.on("GetSystemInfo").fail(refused());
    let error = connect(&mock, options()).unwrap_err();
    assert_failed_at_once(&mock, &error, TransportErrorKind::Connect);

    // Once the server has answered, the same failures are transient.
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse {
            server_version: "1.27.0".into(),
            ..Default::default()
        })
        .times(1)
        .fail(refused())
        .fail(TransportError::new(
            TransportErrorKind::Io,
            "connection reset",
        ))
        .respond(GetSystemInfoResponse::default());
    let client = connect(&mock, options()).unwrap();
    block_on(client.get_system_info()).unwrap();
    assert_eq!(mock.requests_for("GetSystemInfo").len(), 4);
    assert_eq!(client.namespace(), "orders");
    // Not namespaced, and no request id to reuse.
    assert_eq!(mock.requests()[0].header("temporal-namespace"), None);
}

#[test]
fn tls_failures_are_not_retried() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo").fail(TransportError::new(
        TransportErrorKind::Tls,
        "certificate not trusted",
    ));
    let error = connect(&mock, options()).unwrap_err();
    assert_failed_at_once(&mock, &error, TransportErrorKind::Tls);
}

// ---------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------

#[test]
fn a_reply_slower_than_the_deadline_ends_the_call_at_the_deadline() {
    let mock = MockTransport::new();
    mock.on("DescribeWorkflowExecution")
        .respond(DescribeWorkflowExecutionResponse::default())
        .delay(Duration::from_secs(5));
    let client = mock
        .client(options())
        .with_rpc_options(exact_retries(Duration::from_secs(3)));

    let error = block_on(client.workflow_handle("checkout-7").describe()).unwrap_err();
    assert!(
        matches!(error, Error::DeadlineExceeded { attempts: 1, .. }),
        "{error}"
    );
    assert_eq!(error.code(), Some(Code::DEADLINE_EXCEEDED));
    // One attempt, given the whole deadline, cut off at it. All in virtual time.
    let attempts = mock.requests();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].timeout, Some(Duration::from_secs(3)));
    assert_eq!(attempts[0].header("grpc-timeout"), Some("3000000u"));
    assert_eq!(mock.clock().now(), Duration::from_secs(3));
    assert!(mock.clock().sleeps().is_empty());
}

#[test]
fn a_start_cut_off_by_its_deadline_reports_the_request_id() {
    let mock = MockTransport::new();
    mock.on(START)
        .respond(started("run-1"))
        .delay(Duration::from_secs(30))
        .times(1);
    let rpc = RpcOptions {
        timeout: Duration::from_secs(2),
        retry: RetryConfig::no_retries(),
        ..RpcOptions::default()
    };
    let client = mock.client(options()).with_rpc_options(rpc);
    let error = start(&client).unwrap_err();
    let sent: StartWorkflowExecutionRequest = mock.requests()[0].decode().unwrap();
    // The request may have reached the server: the start may have happened.
    match &error {
        Error::OutcomeUnknown {
            request_id: Some(id),
            attempts: 1,
            ..
        } => assert_eq!(id, &sent.request_id),
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    assert_eq!(mock.clock().now(), Duration::from_secs(2));
    assert_eq!(mock.requests().len(), 1);

    // Starting again with that request id is safe: the server answers with the same run.
    let options = StartWorkflowOptions::new("checkout-7", "shop").request_id(&sent.request_id);
    mock.on(START).respond(started("run-1"));
    let handle = block_on(client.start_workflow("Checkout", ("cart-7", 3), options)).unwrap();
    assert_eq!(handle.result_run_id(), Some("run-1"));
    let again: StartWorkflowExecutionRequest = mock.requests()[1].decode().unwrap();
    assert_eq!(again.request_id, sent.request_id);
}

#[test]
fn a_slow_reply_within_the_deadline_succeeds() {
    let mock = MockTransport::new();
    mock.on(START).respond(started("run-1")).delay(ms(950));
    let client = mock
        .client(options())
        .with_rpc_options(exact_retries(Duration::from_secs(1)));
    start(&client).unwrap();
    assert_eq!(mock.clock().now(), ms(950));
    assert!(mock.clock().sleeps().is_empty());
}

#[test]
fn long_polls_use_the_long_deadline() {
    let mock = MockTransport::new();
    mock.on(START).respond(started("run-1"));
    let client = mock.client(options());
    // The first poll hangs past the long-poll deadline; the retry gets the result.
    mock.on(HISTORY)
        .respond(close_page(completed(&client, json!("late"), "")))
        .delay(Duration::from_secs(600))
        .times(1)
        .respond(close_page(completed(&client, json!("done"), "")));
    let handle = start(&client).unwrap();
    let before = mock.clock().now();
    let result: String = block_on(handle.result()).unwrap();
    assert_eq!(result, "done");
    let polls = mock.requests_for(HISTORY);
    assert_eq!(polls.len(), 2);
    let long_poll = client.rpc_options().long_poll_timeout;
    assert_eq!(polls[0].timeout, Some(long_poll));
    // One long-poll deadline plus one backoff of virtual time.
    let elapsed = mock.clock().now() - before;
    assert!(elapsed > long_poll && elapsed < long_poll + Duration::from_secs(1));
}

// ---------------------------------------------------------------------------------------
// Result following
// ---------------------------------------------------------------------------------------

#[test]
fn result_follows_continue_as_new_to_the_next_runs_completion() {
    let mock = MockTransport::new();
    mock.on(START).respond(started("run-1"));
    let client = mock.client(options());
    mock.on(HISTORY)
        .respond(close_page(
            Attributes::WorkflowExecutionContinuedAsNewEventAttributes(
                WorkflowExecutionContinuedAsNewEventAttributes {
                    new_execution_run_id: "run-2".into(),
                    ..Default::default()
                },
            ),
        ))
        // The long poll on run-2 expires once with nothing new.
        .respond(GetWorkflowExecutionHistoryResponse {
            next_page_token: b"page-2".to_vec(),
            ..Default::default()
        })
        .respond(close_page(completed(&client, json!({"paid": true}), "")))
        .times(1);

    let handle = start(&client).unwrap();
    let result: serde_json::Value = block_on(handle.result()).unwrap();
    assert_eq!(result, json!({"paid": true}));

    assert_eq!(polled_runs(&mock), ["run-1", "run-2", "run-2"]);
    let polls: Vec<GetWorkflowExecutionHistoryRequest> = decode_all(&mock.requests_for(HISTORY));
    assert_eq!(polls[2].next_page_token, b"page-2");
    for poll in &polls {
        assert!(poll.wait_new_event);
        assert_eq!(
            poll.history_event_filter_type,
            HistoryEventFilterType::CloseEvent as i32
        );
        assert_eq!(poll.execution.as_ref().unwrap().workflow_id, "checkout-7");
    }
    assert!(mock.unused().is_empty(), "{:?}", mock.unused());
}

#[test]
fn result_follows_cron_and_retry_runs() {
    let mock = MockTransport::new();
    mock.on(START).respond(started("run-1"));
    let client = mock.client(options());
    mock.on(HISTORY)
        // A cron run completed; the next one is scheduled.
        .respond(close_page(completed(&client, json!("first"), "run-2")))
        // That run failed, and the retry policy started another.
        .respond(close_page(
            Attributes::WorkflowExecutionFailedEventAttributes(
                WorkflowExecutionFailedEventAttributes {
                    failure: Some(Failure {
                        message: "card declined".into(),
                        ..Default::default()
                    }),
                    new_execution_run_id: "run-3".into(),
                    ..Default::default()
                },
            ),
        ))
        // That one timed out, and was retried once more.
        .respond(close_page(
            Attributes::WorkflowExecutionTimedOutEventAttributes(
                WorkflowExecutionTimedOutEventAttributes {
                    new_execution_run_id: "run-4".into(),
                    ..Default::default()
                },
            ),
        ))
        .respond(close_page(completed(&client, json!("last"), "")))
        .times(1);

    let handle = start(&client).unwrap();
    let result: String = block_on(handle.result()).unwrap();
    assert_eq!(result, "last");
    assert_eq!(polled_runs(&mock), ["run-1", "run-2", "run-3", "run-4"]);

    // Without following, the first run's own outcome.
    mock.clear_requests();
    mock.on(HISTORY)
        .respond(close_page(completed(&client, json!("first"), "run-2")));
    match block_on(handle.outcome_following(false)).unwrap() {
        WorkflowOutcome::Completed { run_id, result } => {
            assert_eq!(run_id, "run-1");
            assert_eq!(client.decode::<String>(&result[0]).unwrap(), "first");
        }
        other => panic!("unexpected outcome {other:?}"),
    }
}

#[test]
fn a_canceled_run_is_final() {
    let mock = MockTransport::new();
    mock.on(START).respond(started("run-1"));
    mock.on(HISTORY).respond(close_page(
        Attributes::WorkflowExecutionCanceledEventAttributes(
            WorkflowExecutionCanceledEventAttributes::default(),
        ),
    ));
    let client = mock.client(options());
    let handle = start(&client).unwrap();
    let error = block_on(handle.result::<String>()).unwrap_err();
    match error {
        Error::Workflow(error) => {
            assert_eq!(error.run_id, "run-1");
            assert!(matches!(error.failure, WorkflowFailure::Canceled { .. }));
        }
        other => panic!("unexpected error {other}"),
    }
    assert_eq!(polled_runs(&mock), ["run-1"]);
}

// ---------------------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------------------

#[test]
fn already_started_names_the_workflow_and_the_running_run() {
    let mock = MockTransport::new();
    mock.on(START)
        .respond_status(status::already_started("checkout-7", "run-0"));
    let client = mock.client(options());
    match start(&client).unwrap_err() {
        Error::WorkflowAlreadyStarted {
            workflow_id,
            run_id,
        } => {
            assert_eq!(workflow_id, "checkout-7");
            assert_eq!(run_id, "run-0");
        }
        other => panic!("unexpected error {other}"),
    }
    assert_eq!(mock.requests().len(), 1, "not retried");
}

#[test]
fn not_found_namespace_not_found_and_permission_denied() {
    let mock = MockTransport::new();
    mock.on("DescribeWorkflowExecution")
        .respond_status(status::not_found("workflow execution not found"))
        .respond_status(status::namespace_not_found("orders"))
        .respond_status(status::permission_denied(
            "Request unauthorized.",
            "read-only API key",
        ))
        .respond(DescribeWorkflowExecutionResponse::default());
    let client = mock.client(options());
    let handle = client.workflow_handle("checkout-7");

    let error = block_on(handle.describe()).unwrap_err();
    assert!(
        matches!(&error, Error::NotFound { message, .. } if message == "workflow execution not found"),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "workflow `checkout-7` not found: workflow execution not found"
    );
    let error = block_on(handle.describe()).unwrap_err();
    assert!(
        matches!(&error, Error::NamespaceNotFound { namespace } if namespace == "orders"),
        "{error}"
    );
    let error = block_on(handle.describe()).unwrap_err();
    assert!(
        matches!(&error, Error::PermissionDenied { message } if message.contains("read-only")),
        "{error}"
    );
    assert_eq!(error.code(), Some(Code::PERMISSION_DENIED));
    assert_eq!(mock.requests().len(), 3, "none of these is retried");
}

#[test]
fn not_found_names_the_run_the_schedule_and_the_activity() {
    let mock = MockTransport::new();
    mock.on("DescribeWorkflowExecution")
        .respond_status(status::not_found("gone"));
    mock.on("DeleteSchedule")
        .respond_status(status::not_found("gone"));
    mock.on("RespondActivityTaskCompletedById")
        .respond_status(status::not_found("gone"));
    let client = mock.client(options());

    let run = client.workflow_handle_with_run("checkout-7", "run-1");
    let error = block_on(run.describe()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "workflow `checkout-7` run `run-1` not found: gone"
    );
    let error = block_on(client.schedule_handle("nightly").delete()).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::NotFound { target: Some(NotFoundTarget::Schedule { schedule_id }), .. }
                if schedule_id == "nightly"
        ),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "schedule `nightly` not found: gone");
    let activity = client.async_activity_handle_by_id("checkout-7", "", "charge");
    let error = block_on(activity.complete(())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "activity `charge` of workflow `checkout-7` not found: gone"
    );
}

#[test]
fn unauthenticated_fails_connect_and_is_not_retried() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond_status(status::unauthenticated("API key expired"));
    let error = connect(&mock, options().api_key("old-key")).unwrap_err();
    assert!(
        matches!(&error, Error::Unauthenticated { message } if message == "API key expired"),
        "{error}"
    );
    let sent = mock.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("authorization"), Some("Bearer old-key"));
    // Recorded metadata keeps the key, but its Debug form does not show it.
    assert!(!format!("{:?}", sent[0]).contains("old-key"));
}

#[test]
fn other_statuses_are_passed_through() {
    let mock = MockTransport::new();
    mock.on(START)
        .respond_status(Status::new(Code::INVALID_ARGUMENT, "bad cron schedule"));
    let client = mock.client(options());
    let error = start(&client).unwrap_err();
    assert!(
        matches!(&error, Error::Status(s) if s.code == Code::INVALID_ARGUMENT && s.message == "bad cron schedule"),
        "{error}"
    );
}

#[test]
fn an_unscripted_call_is_a_readable_unimplemented_error() {
    let mock = MockTransport::new();
    mock.on(START).respond(started("run-1"));
    let client = mock.client(options());
    let error = block_on(client.workflow_handle("checkout-7").signal("hurry", ())).unwrap_err();
    let Error::Status(status) = &error else {
        panic!("unexpected error {error}");
    };
    assert_eq!(status.code, Code::UNIMPLEMENTED);
    assert!(
        status.message.contains("SignalWorkflowExecution") && status.message.contains(START),
        "{}",
        status.message
    );
}

#[test]
fn a_failures_causes_iterate_outermost_first_to_the_root_cause() {
    let failure = |message: &str, cause: Option<Failure>| Failure {
        message: message.into(),
        cause: cause.map(Box::new),
        ..Default::default()
    };
    let chain = temporal_lite_core::client::Failure::from_proto(failure(
        "activity failed",
        Some(failure(
            "charge declined",
            Some(failure("card expired", None)),
        )),
    ));
    let causes: Vec<&str> = chain.causes().map(|c| c.message.as_str()).collect();
    assert_eq!(causes, ["charge declined", "card expired"]);
    assert_eq!(chain.root_cause().message, "card expired");

    let alone = temporal_lite_core::client::Failure::from_proto(failure("alone", None));
    assert_eq!(alone.causes().count(), 0);
    assert_eq!(alone.root_cause().message, "alone");
}

#[test]
fn history_events_name_their_type() {
    use temporal_lite_core::client::{EventType, HistoryEventExt};
    let event = |event_type: i32| HistoryEvent {
        event_type,
        ..Default::default()
    };
    assert_eq!(
        event(EventType::WorkflowExecutionCompleted as i32).event_type_name(),
        "WorkflowExecutionCompleted"
    );
    assert_eq!(
        event(EventType::ActivityTaskScheduled as i32).event_type_name(),
        "ActivityTaskScheduled"
    );
    assert_eq!(event(9999).event_type_name(), "Unknown(9999)");
}
