//! Connecting: the `GetSystemInfo` check, lazy clients, and a server that is not there.

use std::time::{Duration, Instant};

use temporal_lite_core::client::{Error, CLIENT_NAME, CLIENT_VERSION};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::TransportErrorKind;
use temporal_lite_tests::peers::closed_port;

use crate::harness::{fail, Ctx, TestResult};

/// A connected client reads the server's version and capabilities, and sends its headers;
/// a second, eager connect succeeds too and keeps the options it was given.
pub(crate) async fn connect_reads_system_info(ctx: &Ctx) -> TestResult {
    let info = ctx.client.get_system_info().await?;
    let capabilities = info
        .capabilities
        .ok_or_else(|| fail("GetSystemInfo returned no capabilities"))?;
    assert!(capabilities.signal_and_query_header, "{capabilities:?}");
    assert!(capabilities.encoded_failure_attributes, "{capabilities:?}");

    // What went over the wire: the connect check first, then the calls, with the client's
    // headers; only namespaced calls name the namespace.
    ctx.client.count_workflows("").await?;
    let calls = ctx.calls.calls();
    assert_eq!(calls[0].method, "GetSystemInfo");
    for call in &calls {
        assert_eq!(call.failure, None, "{call:?}");
        assert_eq!(call.metadata.get("client-name"), Some(CLIENT_NAME));
        assert_eq!(call.metadata.get("client-version"), Some(CLIENT_VERSION));
        assert!(call.metadata.get("grpc-timeout").is_some(), "{call:?}");
        let namespace = call.metadata.get("temporal-namespace");
        match call.method.as_str() {
            "GetSystemInfo" => assert_eq!(namespace, None),
            _ => assert_eq!(namespace, Some("default"), "{call:?}"),
        }
    }
    assert_eq!(ctx.calls.calls_of("CountWorkflowExecutions").len(), 1);

    let options = ctx.connect_options().identity("suite-second-client");
    let client = ctx.runtime.connect(options.clone()).await?;
    assert_eq!(client.namespace(), "default");
    assert_eq!(client.identity(), "suite-second-client");
    assert_eq!(client.options().address, options.address);
    assert_eq!(client.has_api_key(), options.api_key.is_some());
    // The new client works for namespaced calls too.
    client.count_workflows("").await?;
    Ok(())
}

/// A lazy client makes no call when created, even if nothing listens at its address; a lazy
/// client to the real server connects on its first call.
pub(crate) async fn lazy_connect_makes_no_call(ctx: &Ctx) -> TestResult {
    let nowhere = format!("127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let (client, calls) = ctx
        .runtime
        .connect_recorded(ConnectOptions::new(nowhere).lazy(true))
        .await?;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a lazy connect took {:?}",
        started.elapsed()
    );
    assert_eq!(client.namespace(), "default");
    assert!(calls.calls().is_empty(), "{:?}", calls.calls());

    let (lazy, calls) = ctx
        .runtime
        .connect_recorded(ctx.connect_options().lazy(true))
        .await?;
    assert!(calls.calls().is_empty(), "{:?}", calls.calls());
    lazy.count_workflows("").await?;
    let methods: Vec<String> = calls.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, vec!["CountWorkflowExecutions".to_string()]);
    Ok(())
}

/// Nothing listening: a transport error of kind `Connect`, at once: a client that has never
/// reached its server takes a refused connection for a wrong address, not an outage.
pub(crate) async fn connection_refused_is_a_connect_error(ctx: &Ctx) -> TestResult {
    let address = format!("127.0.0.1:{}", closed_port());
    let (client, calls) = ctx
        .runtime
        .connect_recorded(ConnectOptions::new(address.clone()).lazy(true))
        .await?;
    let started = Instant::now();
    let error = client
        .get_system_info()
        .await
        .expect_err("GetSystemInfo to a closed port succeeded");
    let elapsed = started.elapsed();
    match &error {
        Error::Transport(transport) => {
            assert_eq!(transport.kind(), TransportErrorKind::Connect, "{error}");
            assert!(transport.message().contains(&address), "{error}");
        }
        other => return Err(fail(format!("expected a Connect error, got {other:?}"))),
    }
    assert!(
        error.to_string().contains("is a Temporal server listening"),
        "{error}"
    );
    assert!(error.code().is_none());
    // One attempt, no retries.
    let attempts = calls.calls_of("GetSystemInfo");
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].failure, Some(TransportErrorKind::Connect));
    // (A bound for a busy machine; tests/tests/deadlines.rs holds the 100 ms one.)
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");

    // Namespaced calls fail the same way.
    let error = client
        .count_workflows("")
        .await
        .expect_err("CountWorkflowExecutions to a closed port succeeded");
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{error:?}"
    );
    Ok(())
}
