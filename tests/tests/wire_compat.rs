//! Wire compatibility of `temporal-lite-proto` with the upstream Temporal API types.
//!
//! The reference is `temporalio-protos` (prost code generated from the upstream `.proto` files),
//! a dev-dependency of this package only. `wire_compat/generated.rs` (written by
//! `scripts/gen-proto`) builds, for every message of ours, an instance with every field set;
//! [`roundtrip`] sends it through the upstream type and back. The hand-written tests below go
//! the other way (upstream first) and check that fields and enum values unknown to us decode.

#[path = "wire_compat/generated.rs"]
mod generated;

use std::fmt::Debug;

use prost::encoding::{encode_key, encode_varint, WireType};
use prost::Message;
use temporal_lite_proto as ours;
use temporalio_protos as up;

/// Encodes `ours`, decodes it as `U`, re-encodes that and decodes it as `O` again; the result
/// must equal `ours` and both encodings must have the same length (upstream kept every field).
/// `fieldless` says the message has no fields, so an empty value is expected.
fn roundtrip<O, U>(name: &str, v: usize, ours: O, fieldless: bool) -> Result<(), String>
where
    O: Message + Default + PartialEq + Debug,
    U: Message + Default,
{
    let bytes = ours.encode_to_vec();
    if (ours == O::default()) != fieldless {
        return Err(format!("{name} (v={v}): test value is empty"));
    }
    let theirs = U::decode(bytes.as_slice())
        .map_err(|e| format!("{name} (v={v}): upstream cannot decode ours: {e}"))?;
    let their_bytes = theirs.encode_to_vec();
    if their_bytes.len() != bytes.len() {
        return Err(format!(
            "{name} (v={v}): upstream re-encodes {} bytes, ours were {}",
            their_bytes.len(),
            bytes.len()
        ));
    }
    let back = O::decode(their_bytes.as_slice())
        .map_err(|e| format!("{name} (v={v}): cannot decode upstream's encoding: {e}"))?;
    if back != ours {
        return Err(format!(
            "{name} (v={v}): differs after the upstream round trip"
        ));
    }
    Ok(())
}

/// Converts between our and upstream's types through the wire.
fn convert<T: Message + Default>(from: &impl Message) -> T {
    T::decode(from.encode_to_vec().as_slice()).expect("re-decodes")
}

#[test]
fn every_message_round_trips_through_upstream() {
    // 203 before update, schedules, activity completion and the OperatorService were added.
    const { assert!(generated::MESSAGE_COUNT >= 262) };
    let errors = generated::run_all();
    assert!(
        errors.is_empty(),
        "{} failures:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn filled_messages_are_deterministic_and_non_trivial() {
    let a = generated::f_temporal__api__workflowservice__v1__start_workflow_execution_request(0, 3);
    let b = generated::f_temporal__api__workflowservice__v1__start_workflow_execution_request(0, 3);
    assert_eq!(a.encode_to_vec(), b.encode_to_vec());
    assert!(a.encoded_len() > 1000, "{}", a.encoded_len());
    // The recursive Failure.cause chain stops.
    let f = generated::f_temporal__api__failure__v1__failure(0, 0);
    assert!(f
        .cause
        .as_ref()
        .unwrap()
        .cause
        .as_ref()
        .unwrap()
        .cause
        .is_none());
}

// ---- upstream first -------------------------------------------------------------------------

#[test]
fn upstream_start_request_decodes_into_ours_and_back() {
    use up::temporal::api::common::v1 as uc;
    use up::temporal::api::enums::v1 as ue;
    use up::temporal::api::workflowservice::v1 as uw;

    let duration = ours::google::protobuf::Duration {
        seconds: 30,
        nanos: 500,
    };
    let payload = uc::Payload {
        metadata: [("encoding".to_owned(), b"json/plain".to_vec())].into(),
        data: b"\"hi\"".to_vec(),
        ..Default::default()
    };
    let theirs = uw::StartWorkflowExecutionRequest {
        namespace: "default".into(),
        workflow_id: "wf-1".into(),
        workflow_type: Some(uc::WorkflowType {
            name: "Greet".into(),
        }),
        task_queue: Some(up::temporal::api::taskqueue::v1::TaskQueue {
            name: "tq".into(),
            kind: ue::TaskQueueKind::Normal as i32,
            normal_name: String::new(),
        }),
        input: Some(uc::Payloads {
            payloads: vec![payload.clone()],
        }),
        workflow_run_timeout: Some(convert(&duration)),
        identity: "me@host".into(),
        request_id: "req-1".into(),
        workflow_id_reuse_policy: ue::WorkflowIdReusePolicy::RejectDuplicate as i32,
        workflow_id_conflict_policy: ue::WorkflowIdConflictPolicy::UseExisting as i32,
        retry_policy: Some(uc::RetryPolicy {
            initial_interval: Some(convert(&duration)),
            backoff_coefficient: 2.0,
            maximum_attempts: 5,
            non_retryable_error_types: vec!["Fatal".into()],
            ..Default::default()
        }),
        memo: Some(uc::Memo {
            fields: [("m".to_owned(), payload.clone())].into(),
        }),
        search_attributes: Some(uc::SearchAttributes {
            indexed_fields: [("CustomKeywordField".to_owned(), payload.clone())].into(),
        }),
        header: Some(uc::Header {
            fields: [("h".to_owned(), payload)].into(),
        }),
        ..Default::default()
    };

    let mine: ours::temporal::api::workflowservice::v1::StartWorkflowExecutionRequest =
        convert(&theirs);
    assert_eq!(mine.namespace, "default");
    assert_eq!(mine.workflow_type.as_ref().unwrap().name, "Greet");
    assert_eq!(
        mine.workflow_id_reuse_policy(),
        ours::temporal::api::enums::v1::WorkflowIdReusePolicy::RejectDuplicate
    );
    assert_eq!(
        mine.workflow_id_conflict_policy(),
        ours::temporal::api::enums::v1::WorkflowIdConflictPolicy::UseExisting
    );
    assert_eq!(mine.workflow_run_timeout, Some(duration));
    assert_eq!(
        mine.input.as_ref().unwrap().payloads[0].metadata["encoding"],
        b"json/plain"
    );
    assert_eq!(mine.retry_policy.as_ref().unwrap().maximum_attempts, 5);
    let again: uw::StartWorkflowExecutionRequest = convert(&mine);
    assert_eq!(again, theirs);
}

#[test]
fn upstream_start_response_with_omitted_field_decodes() {
    use up::temporal::api::workflowservice::v1 as uw;
    let theirs = uw::StartWorkflowExecutionResponse {
        run_id: "run-1".into(),
        started: true,
        status: up::temporal::api::enums::v1::WorkflowExecutionStatus::Running as i32,
        // A field temporal-lite leaves out.
        eager_workflow_task: Some(uw::PollWorkflowTaskQueueResponse {
            task_token: vec![1, 2, 3],
            attempt: 1,
            ..Default::default()
        }),
        ..Default::default()
    };
    let mine: ours::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse =
        convert(&theirs);
    assert_eq!(mine.run_id, "run-1");
    assert!(mine.started);
    assert_eq!(
        mine.status(),
        ours::temporal::api::enums::v1::WorkflowExecutionStatus::Running
    );
}

#[test]
fn upstream_history_page_decodes_into_ours() {
    use up::temporal::api::history::v1 as uh;
    let completed = uh::HistoryEvent {
        event_id: 7,
        event_type: up::temporal::api::enums::v1::EventType::WorkflowExecutionCompleted as i32,
        attributes: Some(
            uh::history_event::Attributes::WorkflowExecutionCompletedEventAttributes(
                uh::WorkflowExecutionCompletedEventAttributes {
                    result: Some(up::temporal::api::common::v1::Payloads {
                        payloads: vec![up::temporal::api::common::v1::Payload {
                            data: b"42".to_vec(),
                            ..Default::default()
                        }],
                    }),
                    workflow_task_completed_event_id: 6,
                    new_execution_run_id: String::new(),
                },
            ),
        ),
        ..Default::default()
    };
    let theirs = up::temporal::api::workflowservice::v1::GetWorkflowExecutionHistoryResponse {
        history: Some(uh::History {
            events: vec![completed],
        }),
        next_page_token: vec![9, 9],
        ..Default::default()
    };
    let mine: ours::temporal::api::workflowservice::v1::GetWorkflowExecutionHistoryResponse =
        convert(&theirs);
    let event = &mine.history.as_ref().unwrap().events[0];
    assert_eq!(
        event.event_type(),
        ours::temporal::api::enums::v1::EventType::WorkflowExecutionCompleted
    );
    match &event.attributes {
        Some(ours::temporal::api::history::v1::history_event::Attributes::WorkflowExecutionCompletedEventAttributes(a)) => {
            assert_eq!(a.result.as_ref().unwrap().payloads[0].data, b"42");
            assert_eq!(a.workflow_task_completed_event_id, 6);
        }
        other => panic!("unexpected attributes {other:?}"),
    }
    assert_eq!(mine.next_page_token, vec![9, 9]);
}

#[test]
fn upstream_status_details_unpack_with_ours() {
    use up::temporal::api::errordetails::v1 as ue;
    let detail = ue::WorkflowExecutionAlreadyStartedFailure {
        start_request_id: "req-0".into(),
        run_id: "run-0".into(),
        first_execution_run_id: String::new(),
    };
    let any_bytes = {
        // google.protobuf.Any { type_url = 1, value = 2 }, as the server writes it.
        let mine = ours::google::protobuf::Any {
            type_url:
                "type.googleapis.com/temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure"
                    .into(),
            value: detail.encode_to_vec(),
        };
        mine.encode_to_vec()
    };
    let theirs = up::google::rpc::Status {
        code: 6,
        message: "Workflow execution is already running".into(),
        details: vec![convert(
            &ours::google::protobuf::Any::decode(any_bytes.as_slice()).unwrap(),
        )],
    };
    let mine: ours::google::rpc::Status = convert(&theirs);
    assert_eq!(mine.code, 6);
    let unpacked = mine.details[0]
        .to_msg::<ours::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure>()
        .unwrap()
        .unwrap();
    assert_eq!(unpacked.run_id, "run-0");
    assert_eq!(
        mine.details[0].type_url,
        ours::google::protobuf::Any::from_msg(&unpacked).type_url
    );
}

#[test]
fn upstream_failure_chain_decodes_into_ours() {
    use up::temporal::api::failure::v1 as uf;
    let theirs = uf::Failure {
        message: "boom".into(),
        source: "PythonSDK".into(),
        cause: Some(Box::new(uf::Failure {
            message: "root".into(),
            failure_info: Some(uf::failure::FailureInfo::TimeoutFailureInfo(
                uf::TimeoutFailureInfo {
                    timeout_type: up::temporal::api::enums::v1::TimeoutType::StartToClose as i32,
                    last_heartbeat_details: None,
                },
            )),
            ..Default::default()
        })),
        failure_info: Some(uf::failure::FailureInfo::ApplicationFailureInfo(
            uf::ApplicationFailureInfo {
                r#type: "MyError".into(),
                non_retryable: true,
                ..Default::default()
            },
        )),
        ..Default::default()
    };
    let mine: ours::temporal::api::failure::v1::Failure = convert(&theirs);
    use ours::temporal::api::failure::v1::failure::FailureInfo;
    match &mine.failure_info {
        Some(FailureInfo::ApplicationFailureInfo(info)) => {
            assert_eq!(info.r#type, "MyError");
            assert!(info.non_retryable);
        }
        other => panic!("unexpected {other:?}"),
    }
    let cause = mine.cause.as_deref().unwrap();
    assert!(matches!(
        &cause.failure_info,
        Some(FailureInfo::TimeoutFailureInfo(t))
            if t.timeout_type() == ours::temporal::api::enums::v1::TimeoutType::StartToClose
    ));
    let again: uf::Failure = convert(&mine);
    assert_eq!(again, theirs);
}

#[test]
fn upstream_update_and_multi_operation_responses_decode_into_ours() {
    use up::temporal::api::update::v1 as uu;
    use up::temporal::api::workflowservice::v1 as uw;
    let update = uw::UpdateWorkflowExecutionResponse {
        update_ref: Some(uu::UpdateRef {
            workflow_execution: Some(up::temporal::api::common::v1::WorkflowExecution {
                workflow_id: "wf".into(),
                run_id: "run".into(),
            }),
            update_id: "u-1".into(),
        }),
        outcome: Some(uu::Outcome {
            value: Some(uu::outcome::Value::Failure(
                up::temporal::api::failure::v1::Failure {
                    message: "rejected".into(),
                    ..Default::default()
                },
            )),
        }),
        stage: up::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage::Completed
            as i32,
        ..Default::default()
    };
    let theirs = uw::ExecuteMultiOperationResponse {
        responses: vec![
            uw::execute_multi_operation_response::Response {
                response: Some(
                    uw::execute_multi_operation_response::response::Response::StartWorkflow(
                        uw::StartWorkflowExecutionResponse {
                            run_id: "run".into(),
                            started: true,
                            ..Default::default()
                        },
                    ),
                ),
            },
            uw::execute_multi_operation_response::Response {
                response: Some(
                    uw::execute_multi_operation_response::response::Response::UpdateWorkflow(
                        update,
                    ),
                ),
            },
        ],
    };
    use ours::temporal::api::workflowservice::v1 as ow;
    let mine: ow::ExecuteMultiOperationResponse = convert(&theirs);
    let Some(ow::execute_multi_operation_response::response::Response::UpdateWorkflow(update)) =
        &mine.responses[1].response
    else {
        panic!("no update response: {mine:?}");
    };
    assert_eq!(
        update.stage(),
        ours::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage::Completed
    );
    assert_eq!(update.update_ref.as_ref().unwrap().update_id, "u-1");
    assert!(matches!(
        &update.outcome.as_ref().unwrap().value,
        Some(ours::temporal::api::update::v1::outcome::Value::Failure(f)) if f.message == "rejected"
    ));
    let again: uw::ExecuteMultiOperationResponse = convert(&mine);
    assert_eq!(again, theirs);
}

#[test]
#[allow(deprecated)] // sets upstream's deprecated `exclude_calendar`, which we leave out
fn upstream_schedule_description_decodes_into_ours() {
    use up::temporal::api::schedule::v1 as us;
    let theirs = up::temporal::api::workflowservice::v1::DescribeScheduleResponse {
        schedule: Some(us::Schedule {
            spec: Some(us::ScheduleSpec {
                structured_calendar: vec![us::StructuredCalendarSpec {
                    hour: vec![us::Range {
                        start: 9,
                        end: 17,
                        step: 2,
                    }],
                    comment: "office hours".into(),
                    ..Default::default()
                }],
                // A deprecated field temporal-lite leaves out.
                exclude_calendar: vec![us::CalendarSpec {
                    hour: "3".into(),
                    ..Default::default()
                }],
                timezone_name: "Europe/Paris".into(),
                ..Default::default()
            }),
            policies: Some(us::SchedulePolicies {
                overlap_policy: up::temporal::api::enums::v1::ScheduleOverlapPolicy::BufferAll
                    as i32,
                ..Default::default()
            }),
            state: Some(us::ScheduleState {
                notes: "paused for now".into(),
                paused: true,
                ..Default::default()
            }),
            ..Default::default()
        }),
        conflict_token: vec![7],
        ..Default::default()
    };
    let mine: ours::temporal::api::workflowservice::v1::DescribeScheduleResponse = convert(&theirs);
    let schedule = mine.schedule.as_ref().unwrap();
    let spec = schedule.spec.as_ref().unwrap();
    assert_eq!(spec.structured_calendar[0].hour[0].end, 17);
    assert_eq!(spec.timezone_name, "Europe/Paris");
    assert_eq!(
        schedule.policies.as_ref().unwrap().overlap_policy(),
        ours::temporal::api::enums::v1::ScheduleOverlapPolicy::BufferAll
    );
    assert!(schedule.state.as_ref().unwrap().paused);
    assert_eq!(mine.conflict_token, vec![7]);
}

// ---- a newer server: unknown fields, enum values and oneof variants -------------------------

fn varint_field(buf: &mut Vec<u8>, tag: u32, value: u64) {
    encode_key(tag, WireType::Varint, buf);
    encode_varint(value, buf);
}

fn bytes_field(buf: &mut Vec<u8>, tag: u32, value: &[u8]) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(value.len() as u64, buf);
    buf.extend_from_slice(value);
}

#[test]
fn unknown_fields_and_enum_values_decode() {
    use ours::temporal::api::enums::v1::WorkflowExecutionStatus;
    use ours::temporal::api::workflow::v1::WorkflowExecutionInfo;

    let known = WorkflowExecutionInfo {
        history_length: 12,
        task_queue: "tq".into(),
        ..Default::default()
    };
    let mut bytes = known.encode_to_vec();
    varint_field(&mut bytes, 5, 99); // status: a value this crate does not know
    varint_field(&mut bytes, 9_999, 1); // unknown varint field
    bytes_field(&mut bytes, 10_000, b"future"); // unknown length-delimited field
    encode_key(10_001, WireType::ThirtyTwoBit, &mut bytes);
    bytes.extend_from_slice(&[1, 2, 3, 4]);
    encode_key(10_002, WireType::SixtyFourBit, &mut bytes);
    bytes.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);

    let info = WorkflowExecutionInfo::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(info.history_length, 12);
    assert_eq!(info.task_queue, "tq");
    assert_eq!(info.status, 99);
    assert!(WorkflowExecutionStatus::try_from(info.status).is_err());
    // The typed getter falls back to the default for values it does not know.
    assert_eq!(info.status(), WorkflowExecutionStatus::Unspecified);

    // Unknown values in a packed repeated enum are kept too.
    let mut bytes = Vec::new();
    bytes_field(&mut bytes, 1, b"ns");
    bytes_field(&mut bytes, 3, &[1, 77]);
    let failure = ours::temporal::api::errordetails::v1::NamespaceInvalidStateFailure::decode(
        bytes.as_slice(),
    )
    .expect("decodes");
    assert_eq!(failure.allowed_states, vec![1, 77]);
}

#[test]
fn unknown_oneof_variants_decode_as_none() {
    use ours::temporal::api::history::v1::{history_event::Attributes, HistoryEvent};

    // A history event whose attributes use a oneof field number this crate does not know.
    let mut bytes = Vec::new();
    varint_field(&mut bytes, 1, 42); // event_id
    varint_field(&mut bytes, 3, 500); // event_type: unknown
    let mut attrs = Vec::new();
    bytes_field(&mut attrs, 1, b"whatever");
    bytes_field(&mut bytes, 199, &attrs);
    let event = HistoryEvent::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(event.event_id, 42);
    assert_eq!(event.event_type, 500);
    assert!(event.attributes.is_none());

    // A known variant carrying a field this crate does not know.
    let mut attrs = Vec::new();
    varint_field(&mut attrs, 2, 6); // workflow_task_completed_event_id
    bytes_field(&mut attrs, 77, b"new");
    let mut bytes = Vec::new();
    varint_field(&mut bytes, 1, 7);
    bytes_field(&mut bytes, 7, &attrs);
    let event = HistoryEvent::decode(bytes.as_slice()).expect("decodes");
    match event.attributes {
        Some(Attributes::WorkflowExecutionCompletedEventAttributes(a)) => {
            assert_eq!(a.workflow_task_completed_event_id, 6)
        }
        other => panic!("unexpected {other:?}"),
    }

    // A failure with a failure_info kind this crate does not know keeps its message.
    let mut bytes = Vec::new();
    bytes_field(&mut bytes, 1, b"boom");
    bytes_field(&mut bytes, 15, b"");
    let failure =
        ours::temporal::api::failure::v1::Failure::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(failure.message, "boom");
    assert!(failure.failure_info.is_none());
}

#[test]
fn upstream_descriptors_name_what_we_encode() {
    // prost::Name gives the same full names upstream uses (used for Any type URLs).
    use prost::Name;
    assert_eq!(
        ours::temporal::api::errordetails::v1::NotFoundFailure::full_name(),
        up::temporal::api::errordetails::v1::NotFoundFailure::full_name()
    );
    assert_eq!(
        ours::temporal::api::history::v1::HistoryEvent::full_name(),
        "temporal.api.history.v1.HistoryEvent"
    );
}
