//! Talking to running workflows: signals, queries, cancel, terminate, signal-with-start.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;
use temporal_lite_core::client::{
    Error, StartWorkflowOptions, WorkflowFailure, WorkflowHandle, WorkflowIdConflictPolicy,
    WorkflowStatus,
};
use temporal_lite_proto::temporal::api::enums::v1::EventType;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;

use crate::harness::{event_type, fail, workflow_error, Ctx, TestResult};

/// The answer of `SignalWait`'s `state` query.
#[derive(Debug, PartialEq, Deserialize)]
struct State {
    status: String,
    value: serde_json::Value,
    total: i64,
}

/// Query the waiting workflow, signal it, read its result, and query it once closed.
pub(crate) async fn signal_and_query(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("SignalWait", (), ctx.options("signal-query"))
        .await?;
    let state: State = handle.query("state", ()).await?;
    assert_eq!(
        state,
        State {
            status: "waiting".into(),
            value: serde_json::Value::Null,
            total: 0,
        }
    );
    let raw: serde_json::Value = handle.query("state", ()).await?;
    assert_eq!(raw, json!({"status": "waiting", "value": null, "total": 0}));

    let value = json!({"k": [1, 2], "s": "ü"});
    handle.signal("finish", (value.clone(),)).await?;
    assert_eq!(handle.result::<serde_json::Value>().await?, value);

    // A closed workflow still answers queries (the worker replays it).
    let state: State = handle.query("state", ()).await?;
    assert_eq!(state.status, "finished");
    assert_eq!(state.value, value);
    Ok(())
}

/// A query the workflow has no handler for fails with `QueryFailed`.
pub(crate) async fn query_failures(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("SignalWait", (), ctx.options("query-fail"))
        .await?;
    let error = handle
        .query::<serde_json::Value>("no-such-query", ())
        .await
        .expect_err("an unknown query succeeded");
    match &error {
        Error::QueryFailed { message, .. } => {
            assert!(message.contains("no-such-query"), "{message}");
        }
        other => return Err(fail(format!("expected QueryFailed, got {other:?}"))),
    }
    assert!(error.to_string().starts_with("query failed"), "{error}");
    // The workflow is unharmed.
    let state: State = handle.query("state", ()).await?;
    assert_eq!(state.status, "waiting");
    handle.terminate("query case done").await?;
    Ok(())
}

/// Cancel and terminate through handles made from an id and from a run id.
pub(crate) async fn cancel_and_terminate_by_id(ctx: &Ctx) -> TestResult {
    let started = ctx
        .client
        .start_workflow("SignalWait", (), ctx.options("cancel-by-id"))
        .await?;
    ctx.client
        .workflow_handle(started.workflow_id())
        .cancel()
        .await?;
    let error = workflow_error(started.result::<String>().await)?;
    assert!(
        matches!(error.failure, WorkflowFailure::Canceled { .. }),
        "{error:?}"
    );

    let started = ctx
        .client
        .start_workflow("Sleep", (60,), ctx.options("terminate-by-run"))
        .await?;
    let run_id = started.result_run_id().unwrap_or_default();
    let by_run = ctx
        .client
        .workflow_handle_with_run(started.workflow_id(), run_id);
    by_run.terminate("by run id").await?;
    match workflow_error(by_run.result::<f64>().await)?.failure {
        WorkflowFailure::Terminated { reason, .. } => assert_eq!(reason, "by run id"),
        other => return Err(fail(format!("expected Terminated, got {other:?}"))),
    }
    assert_eq!(
        by_run.describe().await?.status(),
        WorkflowStatus::Terminated
    );

    // Terminating it again: the run is closed, so the server says it is not found.
    let again = by_run.terminate("again").await;
    assert!(matches!(again, Err(Error::NotFound { .. })), "{again:?}");
    Ok(())
}

/// Signal-with-start starts the workflow the first time and signals the same run the second.
pub(crate) async fn signal_with_start(ctx: &Ctx) -> TestResult {
    let options = ctx.options("signal-with-start");
    let first = ctx
        .client
        .signal_with_start_workflow("SignalWait", (), options.clone(), "nudge", ("ignored",))
        .await?;
    let run_id = first.result_run_id().unwrap_or_default().to_string();
    assert!(!run_id.is_empty());
    assert_eq!(first.workflow_id(), options.id);

    let second = ctx
        .client
        .signal_with_start_workflow("SignalWait", (), options, "finish", ("via sws",))
        .await?;
    assert_eq!(second.result_run_id(), Some(run_id.as_str()));
    assert_eq!(first.result::<String>().await?, "via sws");

    let history = first.fetch_history().await?;
    let started = history
        .iter()
        .filter(|e| event_type(e) == EventType::WorkflowExecutionStarted)
        .count();
    assert_eq!(started, 1);
    let signals: Vec<&str> = history
        .iter()
        .filter_map(|e| match &e.attributes {
            Some(Attributes::WorkflowExecutionSignaledEventAttributes(a)) => {
                Some(a.signal_name.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(signals, vec!["nudge", "finish"]);
    Ok(())
}

/// Start `ContinueAsNewChain` (long enough to outlast the case) and wait until it has
/// continued as new; return its handle and first run id.
async fn running_chain(ctx: &Ctx, what: &str) -> TestResult<(WorkflowHandle, String)> {
    let started = ctx
        .client
        .start_workflow(
            "ContinueAsNewChain",
            (100_000,),
            // Ends the chain even if the case fails before terminating it.
            ctx.options(what).execution_timeout(Duration::from_secs(60)),
        )
        .await?;
    let first_run = started.result_run_id().unwrap_or_default().to_string();
    assert_eq!(started.first_execution_run_id(), Some(first_run.as_str()));
    let (latest, first) = (
        ctx.client.workflow_handle(started.workflow_id()),
        &first_run,
    );
    let latest = &latest;
    ctx.eventually(
        "the chain continued as new",
        Duration::from_secs(10),
        || async move {
            let description = latest.describe().await?;
            Ok((description.info.run_id != *first).then_some(()))
        },
    )
    .await?;
    Ok((started, first_run))
}

/// Terminate through handles from a start reaches the current run of a chain that has
/// continued as new, also for handles from a start or signal-with-start that found the
/// chain running (their run is a later one, not the first of the chain).
pub(crate) async fn terminate_reaches_the_current_run_of_a_chain(ctx: &Ctx) -> TestResult {
    // The handle of the start that began the chain.
    let (started, _) = running_chain(ctx, "chain-a").await?;
    started.terminate("chain a").await?;
    match workflow_error(started.result::<i64>().await)?.failure {
        WorkflowFailure::Terminated { reason, .. } => assert_eq!(reason, "chain a"),
        other => return Err(fail(format!("expected Terminated, got {other:?}"))),
    }

    // Handles of calls that found the chain running.
    let (started, first_run) = running_chain(ctx, "chain-b").await?;
    let id = started.workflow_id();
    let options = StartWorkflowOptions::new(id, &ctx.task_queue);
    let existing = ctx
        .client
        .start_workflow(
            "ContinueAsNewChain",
            (100_000,),
            options
                .clone()
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting),
        )
        .await?;
    let signalled = ctx
        .client
        .signal_with_start_workflow("ContinueAsNewChain", (100_000,), options, "nudge", ())
        .await?;
    for handle in [&existing, &signalled] {
        assert_ne!(handle.result_run_id(), Some(first_run.as_str()));
        let first = handle.first_execution_run_id();
        assert!(
            first.is_none() || first == Some(first_run.as_str()),
            "a later run is taken for the first of the chain: {first:?}, first run {first_run}"
        );
    }
    signalled.terminate("chain b").await?;
    match workflow_error(existing.result::<i64>().await)?.failure {
        WorkflowFailure::Terminated { reason, .. } => assert_eq!(reason, "chain b"),
        other => return Err(fail(format!("expected Terminated, got {other:?}"))),
    }
    let again = existing.terminate("again").await;
    assert!(matches!(again, Err(Error::NotFound { .. })), "{again:?}");
    Ok(())
}
