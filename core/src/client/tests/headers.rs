//! Headers and connection: standard headers, API key, metadata cache, connect.

use super::*;

#[test]
fn every_call_carries_the_standard_headers() {
    let rig = rig_with(
        ConnectOptions::new("localhost:7233")
            .namespace("orders-ns")
            .metadata("x-team", "payments"),
    );
    rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
    rig.ok(START, started("run-1"));
    block_on(rig.client.get_system_info()).unwrap();
    block_on(rig.client.start_workflow("Echo", ("hi",), start_options())).unwrap();

    let requests = rig.mock.requests();
    for request in &requests {
        let m = &request.metadata;
        assert_eq!(m.get("client-name"), Some("temporal-lite"));
        assert_eq!(m.get("client-version"), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(m.get("x-team"), Some("payments"));
        assert_eq!(m.get("authorization"), None, "no API key was set");
        let timeout = grpc::decode_timeout(m.get("grpc-timeout").unwrap()).unwrap();
        assert_eq!(timeout, Duration::from_secs(30));
        assert_eq!(request.timeout, Some(Duration::from_secs(30)));
    }
    assert_eq!(
        requests[0].path,
        "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo"
    );
    assert_eq!(requests[0].metadata.get("temporal-namespace"), None);
    assert_eq!(
        requests[1].metadata.get("temporal-namespace"),
        Some("orders-ns")
    );
}

#[test]
fn api_key_is_sent_only_when_set_and_can_be_replaced_live() {
    let rig = rig_with(ConnectOptions::new("h:1").api_key("first-key"));
    for _ in 0..3 {
        rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
    }
    let clone = rig.client.clone();
    block_on(rig.client.get_system_info()).unwrap();
    clone.set_api_key(Some("second-key".to_string())).unwrap();
    block_on(rig.client.get_system_info()).unwrap();
    rig.client.set_api_key(None).unwrap();
    block_on(clone.get_system_info()).unwrap();

    let auth: Vec<Option<String>> = rig
        .mock
        .requests()
        .iter()
        .map(|r| r.metadata.get("authorization").map(String::from))
        .collect();
    assert_eq!(
        auth,
        [
            Some("Bearer first-key".to_string()),
            Some("Bearer second-key".to_string()),
            None
        ]
    );
    // Neither Debug of the client nor of the metadata shows the key.
    rig.client
        .set_api_key(Some("secret-key".to_string()))
        .unwrap();
    let debug = alloc::format!("{:?}", rig.client);
    assert!(!debug.contains("secret-key"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn changed_settings_rebuild_the_call_metadata() {
    let rig = rig_with(ConnectOptions::new("h:1").namespace("first-ns"));
    for _ in 0..3 {
        rig.ok(
            "CountWorkflowExecutions",
            CountWorkflowExecutionsResponse::default(),
        );
    }
    let Rig { mock, client, .. } = rig;
    block_on(client.count_workflows("")).unwrap();
    // The only handle to its settings: changed in place.
    let client = client.with_namespace("second-ns");
    block_on(client.count_workflows("")).unwrap();
    let other = client.clone().with_namespace("third-ns");
    block_on(other.count_workflows("")).unwrap();
    let namespaces: Vec<Option<String>> = mock
        .requests()
        .iter()
        .map(|r| r.metadata.get("temporal-namespace").map(String::from))
        .collect();
    assert_eq!(
        namespaces,
        [
            Some("first-ns".to_string()),
            Some("second-ns".to_string()),
            Some("third-ns".to_string())
        ]
    );
}

#[test]
fn connect_with_checks_the_server_unless_lazy() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond_status(Status::new(Code::UNAUTHENTICATED, "bad key"));
    let error = connect_over(&mock, ConnectOptions::default()).unwrap_err();
    assert!(
        matches!(&error, Error::Unauthenticated { message } if message == "bad key"),
        "{error:?}"
    );
    assert!(error.to_string().contains("API key"), "{error}");

    let client = connect_over(&mock, ConnectOptions::default().lazy(true)).unwrap();
    assert_eq!(mock.requests().len(), 1, "a lazy connect makes no call");
    assert_eq!(client.namespace(), "default");
}
