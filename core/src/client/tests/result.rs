//! `result()` and `outcome()`: following runs, long-poll pacing, failures.

use super::*;

#[test]
fn result_follows_continue_as_new_and_repolls_empty_pages() {
    let rig = rig();
    rig.ok(START, started("run-1"));
    rig.ok(HISTORY, continued_as_new("run-2"));
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
    let mut result = Box::pin(handle.result::<u32>().into_future());
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
        .respond(history_page(vec![event_with_id(1)], b"after-1"))
        .times(1)
        .respond(history_page(vec![], b"empty"))
        .times(2)
        .respond(history_page(vec![event_with_id(2)], b""))
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

    rig.ok(HISTORY, continued_as_new("run-2"));
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
