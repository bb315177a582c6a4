//! Starting workflows: every option of `StartWorkflowOptions`, as the server records it.

use std::time::{Duration, Instant};

use serde_json::json;
use temporal_lite_core::client::{
    Error, RetryPolicy, StartWorkflowOptions, WorkflowFailure, WorkflowIdConflictPolicy,
    WorkflowIdReusePolicy, WorkflowStatus,
};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_tests::peers::closed_port;

use crate::harness::{fail, started_attributes, workflow_error, Ctx, TestResult};

/// Every option at once, checked in the description and in the started event.
pub(crate) async fn start_with_every_option(ctx: &Ctx) -> TestResult {
    let keyword = ctx.suite_keyword()?;
    let retry = RetryPolicy {
        initial_interval: Some(Duration::from_secs(2)),
        backoff_coefficient: 1.5,
        maximum_interval: Some(Duration::from_secs(20)),
        maximum_attempts: 4,
        non_retryable_error_types: vec!["Fatal".to_string()],
    };
    let options = ctx.options("every-option");
    let id = options.id.clone();
    let request_id = format!("request-{id}");
    let options = options
        .execution_timeout(Duration::from_secs(120))
        .run_timeout(Duration::from_secs(60))
        .task_timeout(Duration::from_secs(7))
        .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
        .id_conflict_policy(WorkflowIdConflictPolicy::Fail)
        .retry_policy(retry)
        .memo("owner", "suite")
        .memo("limits", &json!({"max": 3, "tags": ["a", "b"]}))
        .search_attribute(keyword, &id)
        .header("trace-id", "abc-123")
        .request_id(&request_id);
    let handle = ctx
        .client
        .start_workflow("SignalWait", ("arg-1", 2), options)
        .await?;
    assert_eq!(handle.workflow_id(), id);
    assert_eq!(
        handle.run_id(),
        None,
        "a started handle follows the latest run"
    );
    let run_id = handle
        .result_run_id()
        .ok_or_else(|| fail("no run id after start"))?
        .to_string();
    assert_eq!(handle.first_execution_run_id(), Some(run_id.as_str()));

    let description = handle.describe().await?;
    let info = &description.info;
    assert_eq!(info.workflow_id, id);
    assert_eq!(info.run_id, run_id);
    assert_eq!(info.workflow_type, "SignalWait");
    assert_eq!(info.status, WorkflowStatus::Running);
    assert_eq!(info.task_queue, ctx.task_queue);
    assert_eq!(
        description.execution_timeout,
        Some(Duration::from_secs(120))
    );
    assert_eq!(description.run_timeout, Some(Duration::from_secs(60)));
    assert_eq!(description.task_timeout, Some(Duration::from_secs(7)));
    let owner: String = ctx.client.decode(&info.memo["owner"])?;
    assert_eq!(owner, "suite");
    let limits: serde_json::Value = ctx.client.decode(&info.memo["limits"])?;
    assert_eq!(limits, json!({"max": 3, "tags": ["a", "b"]}));
    let indexed = info
        .search_attributes
        .get(keyword)
        .ok_or_else(|| fail(format!("{keyword} missing: {:?}", info.search_attributes)))?;
    assert_eq!(ctx.client.decode::<String>(indexed)?, id);

    let history = handle.fetch_history().await?;
    let started = started_attributes(&history)?;
    assert_eq!(started.identity, ctx.identity());
    assert_eq!(started.attempt, 1);
    assert_eq!(
        started.task_queue.as_ref().map(|q| q.name.as_str()),
        Some(ctx.task_queue.as_str())
    );
    let input = &started
        .input
        .as_ref()
        .ok_or_else(|| fail("no input"))?
        .payloads;
    assert_eq!(input.len(), 2);
    assert_eq!(ctx.client.decode::<String>(&input[0])?, "arg-1");
    assert_eq!(ctx.client.decode::<i64>(&input[1])?, 2);
    let header = started.header.as_ref().ok_or_else(|| fail("no header"))?;
    assert_eq!(
        ctx.client.decode::<String>(&header.fields["trace-id"])?,
        "abc-123"
    );
    let policy = started
        .retry_policy
        .as_ref()
        .ok_or_else(|| fail("no retry policy"))?;
    assert_eq!(policy.initial_interval.as_ref().map(|d| d.seconds), Some(2));
    assert_eq!(policy.backoff_coefficient, 1.5);
    assert_eq!(
        policy.maximum_interval.as_ref().map(|d| d.seconds),
        Some(20)
    );
    assert_eq!(policy.maximum_attempts, 4);
    assert_eq!(policy.non_retryable_error_types, vec!["Fatal".to_string()]);
    assert_eq!(
        started
            .workflow_execution_timeout
            .as_ref()
            .map(|d| d.seconds),
        Some(120)
    );

    handle.signal("finish", ("done",)).await?;
    assert_eq!(handle.result::<String>().await?, "done");
    Ok(())
}

/// A start delay holds the first workflow task back; the workflow then runs normally.
pub(crate) async fn start_delay_postpones_the_first_task(ctx: &Ctx) -> TestResult {
    let delay = Duration::from_secs(1);
    let started = Instant::now();
    let handle = ctx
        .client
        .start_workflow(
            "Echo",
            ("delayed",),
            ctx.options("delay").start_delay(delay),
        )
        .await?;
    let info = handle.describe().await?.info;
    let start = info.start_time.ok_or_else(|| fail("no start time"))?;
    let execution = info
        .execution_time
        .ok_or_else(|| fail("no execution time"))?;
    assert!(
        execution >= start + Duration::from_millis(990),
        "execution time {execution:?} is not {delay:?} after start time {start:?}"
    );
    let history = handle.fetch_history().await?;
    let backoff = started_attributes(&history)?
        .first_workflow_task_backoff
        .as_ref()
        .map(|d| (d.seconds, d.nanos));
    assert_eq!(backoff, Some((1, 0)));

    assert_eq!(handle.result::<String>().await?, "delayed");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the delayed workflow completed after {:?}",
        started.elapsed()
    );
    Ok(())
}

/// The same request id twice is one start: the second call returns the same run. Another
/// request id for the same running workflow is a real conflict.
pub(crate) async fn same_request_id_starts_once(ctx: &Ctx) -> TestResult {
    let options = ctx.options("request-id");
    let request_id = format!("rid-{}", options.id);
    let options = options.request_id(&request_id);
    let first = ctx
        .client
        .start_workflow("SignalWait", (), options.clone())
        .await?;
    let second = ctx
        .client
        .start_workflow("SignalWait", (), options.clone())
        .await?;
    assert_eq!(first.result_run_id(), second.result_run_id());

    let mut other = options.clone();
    other.request_id = None;
    match ctx.client.start_workflow("SignalWait", (), other).await {
        Err(Error::WorkflowAlreadyStarted {
            workflow_id,
            run_id,
        }) => {
            assert_eq!(workflow_id, options.id);
            assert_eq!(Some(run_id.as_str()), first.result_run_id());
        }
        other => {
            return Err(fail(format!(
                "expected WorkflowAlreadyStarted, got {other:?}"
            )))
        }
    }
    // The latest run of the id is still the first one.
    let latest = ctx.client.workflow_handle(&options.id).describe().await?;
    assert_eq!(Some(latest.info.run_id.as_str()), first.result_run_id());
    first.terminate("request id case done").await?;
    Ok(())
}

/// Reusing the id of a closed workflow, under each reuse policy.
pub(crate) async fn id_reuse_policies(ctx: &Ctx) -> TestResult {
    let options = ctx.options("reuse");
    let id = options.id.clone();
    let first = ctx
        .client
        .start_workflow("Echo", ("one",), options.clone())
        .await?;
    assert_eq!(first.result::<String>().await?, "one");
    let first_run = first.result_run_id().unwrap_or_default().to_string();

    for policy in [
        WorkflowIdReusePolicy::RejectDuplicate,
        WorkflowIdReusePolicy::AllowDuplicateFailedOnly,
    ] {
        let error = ctx
            .client
            .start_workflow("Echo", ("again",), options.clone().id_reuse_policy(policy))
            .await
            .expect_err("reusing the id of a completed workflow was allowed");
        match &error {
            Error::WorkflowAlreadyStarted {
                workflow_id,
                run_id,
            } => {
                assert_eq!(workflow_id, &id, "{policy:?}");
                assert_eq!(run_id, &first_run, "{policy:?}");
            }
            other => {
                return Err(fail(format!(
                    "{policy:?}: expected WorkflowAlreadyStarted, got {other:?}"
                )))
            }
        }
        assert!(error.to_string().contains(&id), "{error}");
    }

    let second = ctx
        .client
        .start_workflow(
            "Echo",
            ("two",),
            options.id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate),
        )
        .await?;
    assert_ne!(second.result_run_id(), Some(first_run.as_str()));
    assert_eq!(second.result::<String>().await?, "two");
    Ok(())
}

/// Starting with the id of a running workflow, under each conflict policy.
pub(crate) async fn id_conflict_policies(ctx: &Ctx) -> TestResult {
    let options = ctx.options("conflict");
    let id = options.id.clone();
    let running = ctx
        .client
        .start_workflow("SignalWait", (), options.clone())
        .await?;
    let run1 = running.result_run_id().unwrap_or_default().to_string();

    match ctx
        .client
        .start_workflow("SignalWait", (), options.clone())
        .await
    {
        Err(Error::WorkflowAlreadyStarted {
            workflow_id,
            run_id,
        }) => {
            assert_eq!(workflow_id, id);
            assert_eq!(run_id, run1);
        }
        other => {
            return Err(fail(format!(
                "expected WorkflowAlreadyStarted, got {other:?}"
            )))
        }
    }

    let existing = ctx
        .client
        .start_workflow(
            "SignalWait",
            (),
            options
                .clone()
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting),
        )
        .await?;
    assert_eq!(existing.result_run_id(), Some(run1.as_str()));

    let replaced = ctx
        .client
        .start_workflow(
            "SignalWait",
            (),
            options.id_conflict_policy(WorkflowIdConflictPolicy::TerminateExisting),
        )
        .await?;
    let run2 = replaced.result_run_id().unwrap_or_default().to_string();
    assert_ne!(run2, run1);
    let old = ctx
        .client
        .workflow_handle_with_run(&id, &run1)
        .describe()
        .await?;
    assert_eq!(old.status(), WorkflowStatus::Terminated);

    replaced.signal("finish", ("second",)).await?;
    assert_eq!(replaced.result::<String>().await?, "second");
    Ok(())
}

/// A cron workflow waits for its first tick; terminating it ends the chain.
pub(crate) async fn cron_schedule(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow(
            "Echo",
            ("cron",),
            ctx.options("cron").cron_schedule("@every 1h"),
        )
        .await?;
    let description = handle.describe().await?;
    assert_eq!(description.status(), WorkflowStatus::Running);
    let start = description
        .info
        .start_time
        .ok_or_else(|| fail("no start time"))?;
    let execution = description
        .info
        .execution_time
        .ok_or_else(|| fail("no execution time"))?;
    assert!(
        execution >= start + Duration::from_secs(59 * 60),
        "the first cron run is not an hour away: start {start:?}, execution {execution:?}"
    );
    let history = handle.fetch_history().await?;
    let started = started_attributes(&history)?;
    assert_eq!(started.cron_schedule, "@every 1h");
    assert!(started.first_workflow_task_backoff.is_some());

    handle.terminate("cron case done").await?;
    let error = workflow_error(handle.result::<String>().await)?;
    match error.failure {
        WorkflowFailure::Terminated { reason, .. } => assert_eq!(reason, "cron case done"),
        other => return Err(fail(format!("expected Terminated, got {other:?}"))),
    }
    Ok(())
}

/// Options the client can tell are wrong fail with `InvalidOptions`, without a call (the
/// client here points at a closed port, so a call would fail differently).
pub(crate) async fn invalid_options_fail_before_any_call(ctx: &Ctx) -> TestResult {
    let nowhere = format!("127.0.0.1:{}", closed_port());
    let client = ctx.runtime.client(ConnectOptions::new(nowhere))?;
    let queue = ctx.task_queue.as_str();
    let cases: Vec<(&str, &str, StartWorkflowOptions)> = vec![
        ("empty id", "Echo", StartWorkflowOptions::new("", queue)),
        (
            "empty task queue",
            "Echo",
            StartWorkflowOptions::new("x", ""),
        ),
        ("empty type", "", StartWorkflowOptions::new("x", queue)),
        (
            "cron with start delay",
            "Echo",
            StartWorkflowOptions::new("x", queue)
                .cron_schedule("@every 1h")
                .start_delay(Duration::from_secs(1)),
        ),
        (
            "bad backoff coefficient",
            "Echo",
            StartWorkflowOptions::new("x", queue).retry_policy(RetryPolicy {
                backoff_coefficient: 0.5,
                ..RetryPolicy::default()
            }),
        ),
    ];
    for (what, workflow_type, options) in cases {
        let started = Instant::now();
        let result = client.start_workflow(workflow_type, (), options).await;
        assert!(
            matches!(&result, Err(Error::InvalidOptions { .. })),
            "{what}: {result:?}"
        );
        assert!(started.elapsed() < Duration::from_millis(100), "{what}");
    }
    let result = client
        .signal_with_start_workflow(
            "SignalWait",
            (),
            StartWorkflowOptions::new("x", queue),
            "",
            (),
        )
        .await;
    assert!(
        matches!(&result, Err(Error::InvalidOptions { .. })),
        "empty signal name: {result:?}"
    );
    Ok(())
}
