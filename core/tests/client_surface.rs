//! Offline tests of update, update-with-start, schedules, async activity completion, raw
//! calls and the payload codec stage, over `testing::MockTransport`: what goes on the wire
//! and how answers and errors are read.

use std::sync::Arc;

use async_trait::async_trait;
use prost::Message;
use temporal_lite_core::client::{
    ApplicationFailure, Client, Error, FailureKind, IntervalSpec, Schedule, ScheduleAction,
    ScheduleSpec, SearchAttributeValue, Service, StartWorkflowOptions, UpdateErrorKind,
    UpdateOptions, WithStartWorkflowOperation, WorkflowIdConflictPolicy,
};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::Code;
use temporal_lite_core::payload::{
    payload_encoding, Payload, PayloadCodec, PayloadError, Payloads,
};
use temporal_lite_core::testing::{block_on, status, MockTransport};
use temporal_lite_proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;
use temporal_lite_proto::temporal::api::errordetails::v1::{
    multi_operation_execution_failure::OperationStatus, MultiOperationExecutionFailure,
    WorkflowExecutionAlreadyStartedFailure,
};
use temporal_lite_proto::temporal::api::failure::v1::{
    failure::FailureInfo, ApplicationFailureInfo, Failure as ProtoFailure,
    MultiOperationExecutionAborted,
};
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
use temporal_lite_proto::temporal::api::history::v1::{
    History, HistoryEvent, WorkflowExecutionFailedEventAttributes,
};
use temporal_lite_proto::temporal::api::update::v1::{outcome, Outcome};
use temporal_lite_proto::temporal::api::workflow::v1::{
    PendingActivityInfo, WorkflowExecutionInfo,
};
use temporal_lite_proto::temporal::api::workflowservice::v1 as ws;

/// Wraps each payload in another whose encoding is `test/wrapped` (the data is the
/// original payload, serialized), and unwraps those on decode.
struct Wrap;

const WRAPPED: &str = "test/wrapped";

fn wrap(payload: &Payload) -> Payload {
    let mut out = Payload {
        data: payload.encode_to_vec(),
        ..Default::default()
    };
    out.metadata
        .insert("encoding".into(), WRAPPED.as_bytes().to_vec());
    out
}

#[async_trait]
impl PayloadCodec for Wrap {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
        Ok(payloads.iter().map(wrap).collect())
    }

    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
        payloads
            .into_iter()
            .map(|p| match payload_encoding(&p) {
                Some(WRAPPED) => {
                    Payload::decode(p.data.as_slice()).map_err(|e| PayloadError::new(e.to_string()))
                }
                _ => Ok(p),
            })
            .collect()
    }
}

fn client(mock: &MockTransport) -> Client {
    mock.client(ConnectOptions::new("localhost:7233").with_namespace("shop"))
        .with_payload_codec(Some(Arc::new(Wrap)))
}

/// The payload `value` encodes to, as the default converter writes it, then wrapped.
fn wrapped_json(value: &serde_json::Value) -> Payload {
    let plain = Client::new(
        Arc::new(MockTransport::new()),
        MockTransport::new().clock(),
        ConnectOptions::new("x"),
    )
    .encode(value)
    .unwrap();
    wrap(&plain)
}

fn assert_wrapped(payloads: &[&Payload], what: &str) {
    assert!(!payloads.is_empty(), "{what}: no payloads");
    for payload in payloads {
        assert_eq!(
            payload_encoding(payload),
            Some(WRAPPED),
            "{what}: {payload:?}"
        );
    }
}

fn app_failure(message: &str, detail: Payload) -> ProtoFailure {
    ProtoFailure {
        message: message.into(),
        failure_info: Some(FailureInfo::ApplicationFailureInfo(
            ApplicationFailureInfo {
                r#type: "E".into(),
                details: Some(Payloads {
                    payloads: vec![detail],
                }),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

fn update_response(
    stage: Stage,
    value: Option<outcome::Value>,
) -> ws::UpdateWorkflowExecutionResponse {
    ws::UpdateWorkflowExecutionResponse {
        stage: stage as i32,
        outcome: value.map(|v| Outcome { value: Some(v) }),
        ..Default::default()
    }
}

#[test]
fn the_codec_encodes_every_payload_a_start_and_a_signal_send() {
    let mock = MockTransport::new();
    mock.on("StartWorkflowExecution")
        .respond(ws::StartWorkflowExecutionResponse {
            run_id: "run-1".into(),
            started: true,
            ..Default::default()
        });
    mock.on("SignalWorkflowExecution")
        .respond(ws::SignalWorkflowExecutionResponse::default());
    mock.on("TerminateWorkflowExecution")
        .respond(ws::TerminateWorkflowExecutionResponse::default());
    let client = client(&mock);
    let options = StartWorkflowOptions::new("order-1", "orders")
        .memo("m", &1)
        .header("h", &2)
        .static_summary("sum")
        .static_details("details")
        .typed_search_attribute("CustomerId", SearchAttributeValue::Keyword("c-1".into()));
    let handle = block_on(client.start_workflow("Order", (3, "x"), options)).unwrap();
    block_on(handle.signal("go", (4,))).unwrap();
    block_on(handle.terminate_with_details("stop", (5,))).unwrap();

    let start: ws::StartWorkflowExecutionRequest = mock.requests_for("StartWorkflowExecution")[0]
        .decode()
        .unwrap();
    let input = &start.input.as_ref().unwrap().payloads;
    assert_eq!(input.len(), 2);
    assert_eq!(input[0], wrapped_json(&serde_json::json!(3)));
    let metadata = start.user_metadata.as_ref().unwrap();
    assert_wrapped(
        &[
            &input[1],
            &start.memo.as_ref().unwrap().fields["m"],
            &start.header.as_ref().unwrap().fields["h"],
            metadata.summary.as_ref().unwrap(),
            metadata.details.as_ref().unwrap(),
        ],
        "start",
    );
    // Search attributes stay JSON with their type: the server reads them.
    let attribute = &start.search_attributes.as_ref().unwrap().indexed_fields["CustomerId"];
    assert_eq!(payload_encoding(attribute), Some("json/plain"));
    assert_eq!(attribute.metadata["type"], b"Keyword");

    let signal: ws::SignalWorkflowExecutionRequest = mock.requests_for("SignalWorkflowExecution")
        [0]
    .decode()
    .unwrap();
    assert_wrapped(
        &signal
            .input
            .as_ref()
            .unwrap()
            .payloads
            .iter()
            .collect::<Vec<_>>(),
        "signal",
    );
    let terminate: ws::TerminateWorkflowExecutionRequest = mock
        .requests_for("TerminateWorkflowExecution")[0]
        .decode()
        .unwrap();
    assert_wrapped(
        &terminate
            .details
            .as_ref()
            .unwrap()
            .payloads
            .iter()
            .collect::<Vec<_>>(),
        "terminate",
    );
}

#[test]
fn the_codec_decodes_results_failures_descriptions_and_lists() {
    let mock = MockTransport::new();
    let detail = wrapped_json(&serde_json::json!({"why": "secret"}));
    mock.on("GetWorkflowExecutionHistory")
        .respond(ws::GetWorkflowExecutionHistoryResponse {
            history: Some(History {
                events: vec![HistoryEvent {
                    event_id: 5,
                    attributes: Some(Attributes::WorkflowExecutionFailedEventAttributes(
                        WorkflowExecutionFailedEventAttributes {
                            failure: Some(ProtoFailure {
                                cause: Some(Box::new(app_failure("inner", detail.clone()))),
                                ..app_failure("outer", detail.clone())
                            }),
                            ..Default::default()
                        },
                    )),
                    ..Default::default()
                }],
            }),
            ..Default::default()
        });
    let info = WorkflowExecutionInfo {
        memo: Some(temporal_lite_proto::temporal::api::common::v1::Memo {
            fields: [("m".to_string(), detail.clone())].into(),
        }),
        ..Default::default()
    };
    mock.on("DescribeWorkflowExecution")
        .respond(ws::DescribeWorkflowExecutionResponse {
            workflow_execution_info: Some(info.clone()),
            pending_activities: vec![PendingActivityInfo {
                heartbeat_details: Some(Payloads {
                    payloads: vec![detail.clone()],
                }),
                last_failure: Some(app_failure("last", detail.clone())),
                ..Default::default()
            }],
            ..Default::default()
        });
    mock.on("ListWorkflowExecutions")
        .respond(ws::ListWorkflowExecutionsResponse {
            executions: vec![info],
            ..Default::default()
        });
    let client = client(&mock);
    let handle = client.workflow_handle("order-1");
    let secret = serde_json::json!({"why": "secret"});

    let Err(Error::Workflow(error)) = block_on(handle.result::<()>()) else {
        panic!("expected a workflow failure");
    };
    let temporal_lite_core::client::WorkflowFailure::Failed { failure, .. } = error.failure else {
        panic!("expected Failed");
    };
    for f in [&failure, failure.cause.as_deref().unwrap()] {
        let FailureKind::Application { details, .. } = &f.kind else {
            panic!("not application: {f:?}");
        };
        assert_eq!(
            client.decode::<serde_json::Value>(&details[0]).unwrap(),
            secret
        );
    }

    let description = block_on(handle.describe()).unwrap();
    assert_eq!(
        client
            .decode::<serde_json::Value>(&description.info.memo["m"])
            .unwrap(),
        secret
    );
    let activity = &description.pending_activities[0];
    assert_eq!(
        client
            .decode::<serde_json::Value>(&activity.heartbeat_details[0])
            .unwrap(),
        secret
    );
    let FailureKind::Application { details, .. } = &activity.last_failure.as_ref().unwrap().kind
    else {
        panic!("not application");
    };
    assert_eq!(
        client.decode::<serde_json::Value>(&details[0]).unwrap(),
        secret
    );

    let page = block_on(client.list_workflows("", 0, &[])).unwrap();
    assert_eq!(
        client
            .decode::<serde_json::Value>(&page.executions[0].memo["m"])
            .unwrap(),
        secret
    );
}

#[test]
fn a_codec_that_drops_payloads_is_an_error() {
    struct Drops;
    #[async_trait]
    impl PayloadCodec for Drops {
        async fn encode(&self, _: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
            Ok(Vec::new())
        }
        async fn decode(&self, p: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
            Ok(p)
        }
    }
    let mock = MockTransport::new();
    let client = mock
        .client(ConnectOptions::new("x"))
        .with_payload_codec(Some(Arc::new(Drops)));
    let error = block_on(client.start_workflow("W", (1,), StartWorkflowOptions::new("w", "q")))
        .unwrap_err();
    assert!(matches!(error, Error::PayloadConversion(_)), "{error:?}");
    assert!(
        error.to_string().contains("returned 0 payloads for 1"),
        "{error}"
    );
    assert!(mock.requests().is_empty());
}

#[test]
fn update_is_resent_with_the_same_id_until_accepted_and_decodes_through_the_codec() {
    let mock = MockTransport::new();
    mock.on("UpdateWorkflowExecution")
        .respond(update_response(Stage::Admitted, None))
        .respond(update_response(
            Stage::Completed,
            Some(outcome::Value::Success(Payloads {
                payloads: vec![wrapped_json(&serde_json::json!(7))],
            })),
        ));
    let client = client(&mock);
    let handle = client.workflow_handle("order-1");
    let total: i64 = block_on(handle.execute_update_with_options(
        "add",
        (7,),
        UpdateOptions::new().update_id("u-1").header("h", &1),
    ))
    .unwrap();
    assert_eq!(total, 7);
    let requests = mock.requests_for("UpdateWorkflowExecution");
    assert_eq!(requests.len(), 2, "resent while only admitted");
    assert_eq!(
        requests[0].message_bytes().unwrap(),
        requests[1].message_bytes().unwrap()
    );
    let request: ws::UpdateWorkflowExecutionRequest = requests[0].decode().unwrap();
    let sent = request.request.unwrap();
    assert_eq!(sent.meta.unwrap().update_id, "u-1");
    let input = sent.input.unwrap();
    assert_wrapped(
        &input
            .args
            .as_ref()
            .unwrap()
            .payloads
            .iter()
            .collect::<Vec<_>>(),
        "update args",
    );
    assert_wrapped(
        &[&input.header.as_ref().unwrap().fields["h"]],
        "update header",
    );
    assert_eq!(
        request.wait_policy.unwrap().lifecycle_stage,
        Stage::Completed as i32
    );
}

#[test]
fn a_failed_update_is_a_rejection_when_the_server_does_not_remember_it() {
    let mock = MockTransport::new();
    let failure = |message: &str| {
        update_response(
            Stage::Completed,
            Some(outcome::Value::Failure(app_failure(
                message,
                wrapped_json(&serde_json::json!("d")),
            ))),
        )
    };
    mock.on("UpdateWorkflowExecution")
        .respond(failure("n must not be negative"))
        .respond(failure(
            "Update handler for 'nope' expected but not found, known updates: [add]",
        ))
        .respond(failure("handler blew up"));
    mock.on("PollWorkflowExecutionUpdate")
        .respond_status(status::not_found("update \"u\" not found"))
        .times(2)
        .respond(ws::PollWorkflowExecutionUpdateResponse::default());
    let client = client(&mock);
    let handle = client.workflow_handle("order-1");
    let kind = |result: Result<i64, Error>| match result {
        Err(Error::Update(error)) => error.kind,
        other => panic!("expected an update error, got {other:?}"),
    };
    let rejected = kind(block_on(handle.execute_update("add", (-1,))));
    let UpdateErrorKind::Rejected(failure) = &rejected else {
        panic!("expected Rejected, got {rejected:?}");
    };
    assert_eq!(failure.message, "n must not be negative");
    let FailureKind::Application { details, .. } = &failure.kind else {
        panic!("not application");
    };
    assert_eq!(
        client.decode::<String>(&details[0]).unwrap(),
        "d",
        "decoded by the codec"
    );
    let missing = kind(block_on(handle.execute_update("nope", ())));
    assert!(
        matches!(missing, UpdateErrorKind::HandlerNotFound(_)),
        "{missing:?}"
    );
    let failed = kind(block_on(handle.execute_update("add", (1,))));
    let UpdateErrorKind::Failed(failure) = failed else {
        panic!("expected Failed, got {failed:?}");
    };
    let FailureKind::Application { details, .. } = &failure.kind else {
        panic!("not application");
    };
    assert_eq!(client.decode::<String>(&details[0]).unwrap(), "d");
}

#[test]
fn update_status_errors_name_the_workflow_state() {
    let mock = MockTransport::new();
    mock.on("UpdateWorkflowExecution")
        .respond_status(status::not_found("workflow not found for ID: x"))
        .respond_status(status::not_found("workflow execution already completed"));
    let client = client(&mock);
    let handle = client.workflow_handle("x");
    for expected in ["not found", "closed"] {
        match block_on(handle.execute_update::<i64>("add", ())) {
            Err(Error::Update(error)) => {
                match (&error.kind, expected) {
                    (UpdateErrorKind::WorkflowNotFound { .. }, "not found")
                    | (UpdateErrorKind::WorkflowClosed { .. }, "closed") => {}
                    (other, _) => panic!("expected {expected}, got {other:?}"),
                }
                assert_eq!(Error::Update(error).code(), Some(Code::NOT_FOUND));
            }
            other => panic!("expected an update error, got {other:?}"),
        }
    }
}

#[test]
fn update_with_start_reports_the_failing_operation() {
    let mock = MockTransport::new();
    let failure = MultiOperationExecutionFailure {
        statuses: vec![
            OperationStatus {
                code: Code::ALREADY_EXISTS.0 as i32,
                message: "already running".into(),
                details: vec![prost_types_any(&WorkflowExecutionAlreadyStartedFailure {
                    run_id: "run-0".into(),
                    ..Default::default()
                })],
            },
            OperationStatus {
                code: Code::ABORTED.0 as i32,
                message: "aborted".into(),
                details: vec![prost_types_any(&MultiOperationExecutionAborted {})],
            },
        ],
    };
    mock.on("ExecuteMultiOperation")
        .respond_status(status::with_details(
            Code::ALREADY_EXISTS,
            "multi-op failed",
            &failure,
        ));
    let client = client(&mock);
    let options = StartWorkflowOptions::new("order-1", "orders")
        .id_conflict_policy(WorkflowIdConflictPolicy::Fail);
    let start = WithStartWorkflowOperation::new("Order", (1,), options);
    let error = block_on(client.execute_update_with_start::<_, i64>(
        start,
        "add",
        (2,),
        UpdateOptions::new(),
    ))
    .unwrap_err();
    assert!(
        matches!(&error, Error::WorkflowAlreadyStarted { workflow_id, run_id } if workflow_id == "order-1" && run_id == "run-0"),
        "{error:?}"
    );
    let request: ws::ExecuteMultiOperationRequest = mock.requests_for("ExecuteMultiOperation")[0]
        .decode()
        .unwrap();
    assert_eq!(request.operations.len(), 2);
}

fn prost_types_any<M: prost::Name>(message: &M) -> temporal_lite_proto::google::protobuf::Any {
    temporal_lite_proto::google::protobuf::Any::from_msg(message)
}

#[test]
fn activity_completion_and_schedules_send_encoded_payloads() {
    let mock = MockTransport::new();
    mock.on("RecordActivityTaskHeartbeatById").respond(
        ws::RecordActivityTaskHeartbeatByIdResponse {
            cancel_requested: true,
            ..Default::default()
        },
    );
    mock.on("RespondActivityTaskFailed")
        .respond(ws::RespondActivityTaskFailedResponse::default());
    mock.on("CreateSchedule")
        .respond(ws::CreateScheduleResponse::default());
    let client = client(&mock);
    let by_id = client.async_activity_handle_by_id("wf", "", "a-1");
    assert!(block_on(by_id.heartbeat((1,))).unwrap().cancel_requested);
    let by_token = client.async_activity_handle(vec![1, 2, 3]);
    block_on(by_token.fail(ApplicationFailure::new("no").detail(&"d"), (2,))).unwrap();
    let action =
        ScheduleAction::start_workflow("Report", StartWorkflowOptions::new("r", "q")).arg(&"daily");
    let schedule = Schedule::new(
        ScheduleAction::StartWorkflow(action),
        ScheduleSpec::default().interval(IntervalSpec::every(core::time::Duration::from_secs(60))),
    );
    block_on(client.create_schedule("s-1", schedule, Default::default())).unwrap();

    let heartbeat: ws::RecordActivityTaskHeartbeatByIdRequest = mock
        .requests_for("RecordActivityTaskHeartbeatById")[0]
        .decode()
        .unwrap();
    assert_eq!(
        (
            heartbeat.workflow_id.as_str(),
            heartbeat.activity_id.as_str()
        ),
        ("wf", "a-1")
    );
    assert_wrapped(
        &heartbeat
            .details
            .as_ref()
            .unwrap()
            .payloads
            .iter()
            .collect::<Vec<_>>(),
        "heartbeat",
    );
    let failed: ws::RespondActivityTaskFailedRequest = mock
        .requests_for("RespondActivityTaskFailed")[0]
        .decode()
        .unwrap();
    assert_eq!(failed.task_token, vec![1, 2, 3]);
    let Some(FailureInfo::ApplicationFailureInfo(info)) = failed.failure.unwrap().failure_info
    else {
        panic!("not an application failure");
    };
    assert_wrapped(
        &info
            .details
            .as_ref()
            .unwrap()
            .payloads
            .iter()
            .collect::<Vec<_>>(),
        "failure details",
    );
    assert_wrapped(
        &failed
            .last_heartbeat_details
            .as_ref()
            .unwrap()
            .payloads
            .iter()
            .collect::<Vec<_>>(),
        "last heartbeat details",
    );
    let create: ws::CreateScheduleRequest =
        mock.requests_for("CreateSchedule")[0].decode().unwrap();
    let action = create.schedule.unwrap().action.unwrap().action.unwrap();
    let temporal_lite_proto::temporal::api::schedule::v1::schedule_action::Action::StartWorkflow(
        info,
    ) = action;
    assert_wrapped(
        &info
            .input
            .as_ref()
            .unwrap()
            .payloads
            .iter()
            .collect::<Vec<_>>(),
        "schedule input",
    );
    assert!(!create.request_id.is_empty());
}

#[test]
fn raw_calls_reach_the_named_service_with_the_client_headers() {
    let mock = MockTransport::new();
    mock.on("ListSearchAttributes")
        .respond(temporal_lite_proto::temporal::api::operatorservice::v1::ListSearchAttributesResponse::default());
    let client = client(&mock);
    let request =
        temporal_lite_proto::temporal::api::operatorservice::v1::ListSearchAttributesRequest {
            namespace: "shop".into(),
        };
    let _: temporal_lite_proto::temporal::api::operatorservice::v1::ListSearchAttributesResponse =
        block_on(client.raw_call(Service::Operator, "ListSearchAttributes", &request)).unwrap();
    let sent = &mock.requests()[0];
    assert_eq!(sent.method(), "ListSearchAttributes");
    assert_eq!(sent.header("temporal-namespace"), Some("shop"));
    let bad: Result<ws::GetSystemInfoResponse, Error> =
        block_on(client.raw_call(Service::Workflow, "", &ws::GetSystemInfoRequest::default()));
    assert!(matches!(bad, Err(Error::InvalidOptions { .. })));
}

#[test]
fn the_new_calls_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mock = MockTransport::new();
    let client = client(&mock);
    let handle = client.workflow_handle("w");
    assert_send(&handle.execute_update::<i64>("add", (1,)));
    assert_send(&handle.start_update("add", (1,), UpdateOptions::new()));
    let start = WithStartWorkflowOperation::new("W", (1,), StartWorkflowOptions::new("w", "q"));
    assert_send(&client.execute_update_with_start::<_, i64>(
        start,
        "add",
        (1,),
        UpdateOptions::new(),
    ));
    let activity = client.async_activity_handle(vec![1]);
    assert_send(&activity.heartbeat((1,)));
    assert_send(&activity.complete((1,)));
    assert_send(&activity.fail(ApplicationFailure::new("x"), ()));
    let schedule = client.schedule_handle("s");
    assert_send(&schedule.describe());
    assert_send(&schedule.pause("n"));
    assert_send(&client.list_schedules("", 0));
    assert_send(&client.raw_call::<_, ws::GetSystemInfoResponse>(
        Service::Workflow,
        "GetSystemInfo",
        &ws::GetSystemInfoRequest::default(),
    ));
    assert_send(&client.decode_payloads(Vec::new()));
    let action = ScheduleAction::start_workflow("R", StartWorkflowOptions::new("r", "q"));
    let plan = Schedule::new(
        ScheduleAction::StartWorkflow(action),
        ScheduleSpec::default(),
    );
    assert_send(&client.create_schedule("s", plan, Default::default()));
    assert_send(&schedule.update_with(|d| Some(d.schedule)));
}
