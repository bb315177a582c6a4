//! Describe, history pages and streams, list and count.

use super::*;

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

#[test]
fn history_is_available_as_pages_and_as_a_stream() {
    let rig = rig();
    rig.ok(
        HISTORY,
        history_page(vec![event_with_id(1), event_with_id(2)], b"next"),
    );
    rig.ok(HISTORY, history_page(vec![event_with_id(3)], b""));
    let handle = rig.client.workflow_handle_with_run("order-1", "run-1");
    let mut stream = handle.history_events(HistoryPageOptions::default());
    let mut ids = Vec::new();
    while let Some(event) = block_on(stream.next_event()) {
        ids.push(event.unwrap().event_id);
    }
    assert_eq!(ids, [1, 2, 3]);
    assert!(futures_core::FusedStream::is_terminated(&stream));

    // One page by hand, with every option.
    rig.ok(HISTORY, history_page(vec![event_with_id(9)], b"more"));
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
    rig.ok(HISTORY, history_page(vec![event_with_id(1)], b"next"));
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
    rig.ok(HISTORY, history_page(vec![event_with_id(1)], b"p2"));
    rig.ok(HISTORY, history_page(vec![], b"p3"));
    rig.ok(HISTORY, history_page(vec![event_with_id(2)], b""));
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
    let page = block_on(
        rig.client
            .list_workflows_page("WorkflowType = 'Echo'", 20, b""),
    )
    .unwrap();
    assert_eq!(page.executions.len(), 1);
    assert_eq!(page.executions[0].status, WorkflowStatus::Completed);
    assert_eq!(page.executions[0].close_time, Some(Duration::from_secs(10)));
    assert!(page.has_next());
    assert_eq!(block_on(rig.client.count_workflows("")).unwrap().count, 17);

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
