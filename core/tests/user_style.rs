//! A unit test as a user of temporal-lite writes one: their own code that starts a workflow,
//! tested against `testing::MockTransport` instead of a server. The same example is in the
//! docs of `temporal_lite_core::testing`.

use temporal_lite_core::client::{Client, Error, StartWorkflowOptions};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::testing::{block_on, status, MockTransport};
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    StartWorkflowExecutionRequest, StartWorkflowExecutionResponse,
};

/// The code under test: start the order's workflow; return the run that handles it.
async fn place_order(client: &Client, order_id: u32, items: &[&str]) -> Result<String, Error> {
    let options = StartWorkflowOptions::new(format!("order-{order_id}"), "orders");
    match client
        .start_workflow("ProcessOrder", (order_id, items), options)
        .await
    {
        Ok(handle) => Ok(handle
            .first_execution_run_id()
            .unwrap_or_default()
            .to_owned()),
        // Placing the same order twice is fine: report the run that already has it.
        Err(Error::WorkflowAlreadyStarted { run_id, .. }) => Ok(run_id),
        Err(other) => Err(other),
    }
}

#[test]
fn place_order_starts_one_workflow_per_order() {
    // The first start succeeds; every later one finds the workflow running.
    let mock = MockTransport::new();
    mock.on("StartWorkflowExecution")
        .respond(StartWorkflowExecutionResponse {
            run_id: "run-1".into(),
            started: true,
            ..Default::default()
        })
        .respond_status(status::already_started("order-42", "run-1"));
    let client = mock.client(ConnectOptions::new("localhost:7233").namespace("shop"));

    assert_eq!(
        block_on(place_order(&client, 42, &["apple", "pear"])).unwrap(),
        "run-1"
    );
    assert_eq!(
        block_on(place_order(&client, 42, &["apple", "pear"])).unwrap(),
        "run-1"
    );

    // What was sent: workflow id, type, task queue, namespace and the JSON arguments.
    let sent = mock.requests_for("StartWorkflowExecution");
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("temporal-namespace"), Some("shop"));
    let request: StartWorkflowExecutionRequest = sent[0].decode().unwrap();
    assert_eq!(request.workflow_id, "order-42");
    assert_eq!(request.workflow_type.unwrap().name, "ProcessOrder");
    assert_eq!(request.task_queue.unwrap().name, "orders");
    let input = request.input.unwrap().payloads;
    assert_eq!(client.decode::<u32>(&input[0]).unwrap(), 42);
    assert_eq!(
        client.decode::<Vec<String>>(&input[1]).unwrap(),
        ["apple", "pear"]
    );
    assert_eq!(input[1].data, br#"["apple","pear"]"#);
    assert!(mock.unused().is_empty());
}

#[test]
fn place_order_reports_other_errors() {
    let mock = MockTransport::new();
    mock.on("StartWorkflowExecution")
        .respond_status(status::namespace_not_found("shop"));
    let client = mock.client(ConnectOptions::new("localhost:7233").namespace("shop"));

    let error = block_on(place_order(&client, 7, &[])).unwrap_err();
    assert!(
        matches!(&error, Error::NamespaceNotFound { namespace } if namespace == "shop"),
        "{error}"
    );
}
