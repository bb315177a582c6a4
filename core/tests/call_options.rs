//! Per-call options ([`CallFuture::timeout`], [`CallFuture::metadata`]) and metadata
//! replaced on a live client ([`Client::set_metadata`]), over `testing::MockTransport`.

use core::time::Duration;

use temporal_lite_core::client::{Client, Error};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::{encode_timeout, Metadata};
use temporal_lite_core::testing::{block_on, MockTransport};
use temporal_lite_proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionResponse;

const DESCRIBE: &str = "DescribeWorkflowExecution";

fn mock_with_describes(n: u32) -> MockTransport {
    let mock = MockTransport::new();
    mock.on(DESCRIBE)
        .respond(DescribeWorkflowExecutionResponse::default())
        .times(n);
    mock
}

fn describe(client: &Client) -> Result<(), Error> {
    block_on(client.workflow_handle("order-1").describe()).map(drop)
}

#[test]
fn a_calls_timeout_and_metadata_go_with_that_call_only() {
    let mock = mock_with_describes(2);
    let client = mock.client(ConnectOptions::new("localhost:7233").metadata("x-team", "a"));
    let handle = client.workflow_handle("order-1");
    block_on(
        handle
            .describe()
            .timeout(Duration::from_secs(3))
            .metadata("x-request-source", "billing"),
    )
    .unwrap();
    block_on(handle.describe()).unwrap();

    let requests = mock.requests_for(DESCRIBE);
    assert_eq!(
        requests[0].header("grpc-timeout"),
        Some(encode_timeout(Duration::from_secs(3)).as_str())
    );
    assert_eq!(requests[0].header("x-request-source"), Some("billing"));
    assert_eq!(requests[0].header("x-team"), Some("a"));
    let default_timeout = encode_timeout(client.rpc_options().timeout);
    assert_eq!(
        requests[1].header("grpc-timeout"),
        Some(default_timeout.as_str())
    );
    assert_eq!(requests[1].header("x-request-source"), None);
}

#[test]
fn an_invalid_metadata_name_or_value_fails_the_call_naming_the_option() {
    let mock = mock_with_describes(1);
    let client = mock.client(ConnectOptions::new("localhost:7233"));
    let handle = client.workflow_handle("order-1");

    let error = block_on(handle.describe().metadata("X Bad", "v")).unwrap_err();
    assert!(matches!(error, Error::InvalidOptions { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("\"x bad\""), "{message}");
    assert!(message.contains("CallFuture::metadata"), "{message}");

    let error = block_on(handle.describe().metadata("x-token", "s3cr3t\n")).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("\"x-token\""), "{message}");
    assert!(
        !message.contains("s3cr3t"),
        "the value is not quoted: {message}"
    );
    let sent: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.method().to_string())
        .collect();
    assert!(sent.is_empty(), "nothing was sent: {sent:?}");
}

#[test]
fn secret_call_metadata_is_refused_over_plaintext_to_a_remote_host() {
    let mock = mock_with_describes(1);
    let client = mock.client(ConnectOptions::new("temporal.example.com:7233").plaintext());
    let handle = client.workflow_handle("order-1");
    let error = block_on(handle.describe().metadata("x-api-key", "s3cr3t")).unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("x-api-key"), "{message}");
    assert!(!message.contains("s3cr3t"), "{message}");
    assert!(mock.requests().is_empty());

    // The same header to a loopback address is sent.
    let mock = mock_with_describes(1);
    let client = mock.client(ConnectOptions::new("localhost:7233"));
    block_on(
        client
            .workflow_handle("order-1")
            .describe()
            .metadata("x-api-key", "s3cr3t"),
    )
    .unwrap();
    assert_eq!(
        mock.requests_for(DESCRIBE)[0].header("x-api-key"),
        Some("s3cr3t")
    );
}

#[test]
fn set_metadata_replaces_the_metadata_of_every_clone() {
    let mock = mock_with_describes(3);
    let client = mock.client(ConnectOptions::new("localhost:7233").metadata("x-team", "a"));
    let other_namespace = client.clone().with_namespace("billing");
    describe(&client).unwrap();

    let mut metadata = Metadata::new();
    metadata.insert("x-tenant", "t1");
    client.set_metadata(metadata.clone()).unwrap();
    assert_eq!(other_namespace.metadata(), metadata);
    describe(&client).unwrap();
    describe(&other_namespace).unwrap();

    let requests = mock.requests_for(DESCRIBE);
    assert_eq!(requests[0].header("x-team"), Some("a"));
    for request in &requests[1..] {
        assert_eq!(request.header("x-tenant"), Some("t1"));
        assert_eq!(request.header("x-team"), None, "replaced, not added to");
    }
}

#[test]
fn set_metadata_refuses_invalid_metadata_and_keeps_the_old() {
    let mock = MockTransport::new();
    let client = mock.client(ConnectOptions::new("temporal.example.com:7233").plaintext());
    let mut bad = Metadata::new();
    bad.insert("x tenant", "t1");
    let message = client.set_metadata(bad).unwrap_err().to_string();
    assert!(message.contains("Client::set_metadata"), "{message}");
    assert!(message.contains("\"x tenant\""), "{message}");

    let mut secret = Metadata::new();
    secret.insert("authorization", "Bearer s3cr3t");
    let error = client.set_metadata(secret).unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert!(!error.to_string().contains("s3cr3t"));
    assert!(client.metadata().is_empty());
}
