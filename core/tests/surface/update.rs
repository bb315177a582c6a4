//! Update and update-with-start: resends, error kinds, multi-operation errors.

use crate::support::*;

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
    let options = UpdateOptions::new()
        .update_id("u-1")
        .header("h", &1)
        .wait_stage(UpdateStage::Completed);
    let update = block_on(handle.start_update("add", (7,), options)).unwrap();
    let total: i64 = block_on(update.result()).unwrap();
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
    assert_list_wrapped(input.args.as_ref(), "update args");
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
    let error =
        block_on(client.execute_update_with_start::<_, i64>(start, "add", (2,))).unwrap_err();
    assert!(
        matches!(&error, Error::WorkflowAlreadyStarted { workflow_id, run_id } if workflow_id == "order-1" && run_id == "run-0"),
        "{error:?}"
    );
    let request: ws::ExecuteMultiOperationRequest = mock.requests_for("ExecuteMultiOperation")[0]
        .decode()
        .unwrap();
    assert_eq!(request.operations.len(), 2);
}
