//! Server errors as typed client errors: not found, unknown namespace, payload limits, and
//! the client's own receive limit.

use std::fmt::Debug;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use temporal_lite_core::client::{Error, RpcOptions, StartWorkflowOptions};
use temporal_lite_core::grpc::{Code, TransportErrorKind};
use temporal_lite_tests::{DevServer, HarnessError};

use crate::harness::{fail, Ctx, TestResult};

#[track_caller]
/// `result` is NotFound, and its message names `target` first.
fn expect_not_found<T: Debug>(what: &str, target: &str, result: Result<T, Error>) -> TestResult {
    match result {
        Err(error @ Error::NotFound { .. }) => {
            assert_eq!(error.code(), Some(Code::NOT_FOUND), "{what}");
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("{target} not found")),
                "{what}: {error}"
            );
            Ok(())
        }
        other => Err(fail(format!("{what}: expected NotFound, got {other:?}"))),
    }
}

/// Every call on a workflow id that does not exist is `NotFound`.
pub(crate) async fn not_found(ctx: &Ctx) -> TestResult {
    let id = ctx.id("missing");
    let handle = ctx.client.workflow_handle(&id);
    let target = format!("workflow `{id}`");
    expect_not_found("describe", &target, handle.describe().await)?;
    expect_not_found("signal", &target, handle.signal("finish", ()).await)?;
    expect_not_found(
        "query",
        &target,
        handle.query::<serde_json::Value>("state", ()).await,
    )?;
    expect_not_found("cancel", &target, handle.cancel().await)?;
    expect_not_found("terminate", &target, handle.terminate("nothing").await)?;
    expect_not_found("history", &target, handle.fetch_history().await)?;
    expect_not_found("result", &target, handle.result::<String>().await)?;

    // A run id that does not exist, of a workflow id that does.
    let existing = ctx
        .client
        .start_workflow("Echo", ("exists",), ctx.options("missing-run"))
        .await?;
    existing.result::<String>().await?;
    let other_run = ctx.client.workflow_handle_with_run(
        existing.workflow_id(),
        "00000000-0000-4000-8000-000000000000",
    );
    let target = format!(
        "workflow `{}` run `00000000-0000-4000-8000-000000000000`",
        existing.workflow_id()
    );
    expect_not_found(
        "describe of another run",
        &target,
        other_run.describe().await,
    )?;
    Ok(())
}

/// A namespace the server does not have: connecting works (GetSystemInfo is not
/// namespaced), every namespaced call is `NamespaceNotFound`.
pub(crate) async fn namespace_not_found(ctx: &Ctx) -> TestResult {
    let client = ctx
        .runtime
        .connect(ctx.connect_options().namespace("nope"))
        .await?;
    assert_eq!(client.namespace(), "nope");
    let options = StartWorkflowOptions::new(ctx.id("namespace"), &ctx.task_queue);
    let error = client
        .start_workflow("Echo", (), options)
        .await
        .expect_err("a start in an unknown namespace succeeded");
    match &error {
        Error::NamespaceNotFound { namespace } => assert_eq!(namespace, "nope"),
        other => return Err(fail(format!("expected NamespaceNotFound, got {other:?}"))),
    }
    assert!(error.to_string().contains("`nope`"), "{error}");
    assert_eq!(error.code(), Some(Code::NOT_FOUND));

    let counted = client.count_workflows("").await;
    assert!(
        matches!(&counted, Err(Error::NamespaceNotFound { namespace }) if namespace == "nope"),
        "{counted:?}"
    );
    // The same through `with_namespace` on the case's own client.
    let described = ctx
        .client
        .clone()
        .with_namespace("nope")
        .workflow_handle("anything")
        .describe()
        .await;
    assert!(
        matches!(&described, Err(Error::NamespaceNotFound { .. })),
        "{described:?}"
    );
    Ok(())
}

/// A dev server that rejects payloads over 2000 bytes, shared by the instances of
/// [`payload_too_large`].
fn small_blob_server() -> TestResult<&'static DevServer> {
    static SERVER: OnceLock<Result<DevServer, HarnessError>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            DevServer::builder()
                .dynamic_config("limit.blobSize.error", "2000")
                .dynamic_config("limit.blobSize.warn", "1000")
                .try_start()
        })
        .as_ref()
        .map_err(|e| fail(e.to_string()))
}

/// A payload over the server's blob size limit: `INVALID_ARGUMENT`, not retried.
pub(crate) async fn payload_too_large(ctx: &Ctx) -> TestResult {
    let server = small_blob_server()?;
    let Some(options) = ctx.front.options_for_server(server) else {
        eprintln!(
            "skipped: front {:?} cannot front a dedicated server",
            ctx.front
        );
        return Ok(());
    };
    let (client, calls) = ctx.runtime.connect_recorded(options).await?;
    let big = "x".repeat(5000);
    // No worker polls this queue: the workflows never run, which is fine here.
    let queue = "no-worker";

    let started = Instant::now();
    let error = client
        .start_workflow(
            "Echo",
            (big.as_str(),),
            StartWorkflowOptions::new(ctx.id("big"), queue),
        )
        .await
        .expect_err("a 5000-byte payload was accepted over a 2000-byte limit");
    match &error {
        Error::Status(status) => {
            assert_eq!(status.code, Code::INVALID_ARGUMENT, "{error}");
            assert!(
                status.message.contains("Blob data size exceeds limit"),
                "{error}"
            );
        }
        other => {
            return Err(fail(format!(
                "expected an INVALID_ARGUMENT status, got {other:?}"
            )))
        }
    }
    assert_eq!(calls.calls_of("StartWorkflowExecution").len(), 1, "retried");
    assert!(started.elapsed() < Duration::from_secs(2));

    // Small payloads are fine; a big signal to that workflow is rejected the same way.
    let handle = client
        .start_workflow(
            "Echo",
            ("small",),
            StartWorkflowOptions::new(ctx.id("small"), queue),
        )
        .await?;
    let signalled = handle.signal("finish", (big.as_str(),)).await;
    assert!(
        matches!(&signalled, Err(Error::Status(s)) if s.code == Code::INVALID_ARGUMENT),
        "{signalled:?}"
    );
    handle.terminate("payload case done").await?;
    Ok(())
}

/// A response over the client's receive limit fails with `ResponseTooLarge`, at once.
pub(crate) async fn response_over_the_receive_limit(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("Echo", ("x".repeat(2000),), ctx.options("receive-limit"))
        .await?;
    assert_eq!(handle.result::<String>().await?.len(), 2000);

    let before = ctx.calls.calls_of("GetWorkflowExecutionHistory").len();
    let limited = ctx.client.clone().with_rpc_options(RpcOptions {
        receive_limit: 1000,
        ..RpcOptions::default()
    });
    let error = limited
        .workflow_handle(handle.workflow_id())
        .fetch_history()
        .await
        .expect_err("a history over the receive limit was accepted");
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::ResponseTooLarge),
        "{error:?}"
    );
    let attempts = ctx.calls.calls_of("GetWorkflowExecutionHistory").len() - before;
    assert_eq!(attempts, 1, "a response over the limit was retried");
    // Small answers still fit.
    limited.count_workflows("").await?;
    Ok(())
}
