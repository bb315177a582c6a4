//! Start and signal-with-start: what is sent.

use super::*;

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
