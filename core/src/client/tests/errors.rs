//! Error mapping: statuses and their details to typed errors, invalid options.

use super::*;

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
