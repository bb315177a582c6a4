//! The payload codec on every payload a call sends and reads.

use crate::support::*;

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
    assert_list_wrapped(signal.input.as_ref(), "signal");
    let terminate: ws::TerminateWorkflowExecutionRequest = mock
        .requests_for("TerminateWorkflowExecution")[0]
        .decode()
        .unwrap();
    assert_list_wrapped(terminate.details.as_ref(), "terminate");
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

    let page = block_on(client.list_workflows_page("", 0, &[])).unwrap();
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
