//! Signal, query, cancel and terminate.

use super::*;

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
