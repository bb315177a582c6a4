//! Workflow update and update-with-start against `SignalWait`'s update handlers.

use serde_json::json;
use temporal_lite_core::client::{
    Error, FailureKind, UpdateErrorKind, UpdateOptions, UpdateStage, WithStartWorkflowOperation,
    WorkflowIdConflictPolicy,
};

use crate::harness::{fail, Ctx, TestResult};

/// The `kind` of an `Error::Update`, or a failed check.
#[track_caller]
fn update_kind<T: std::fmt::Debug>(result: Result<T, Error>) -> TestResult<UpdateErrorKind> {
    match result {
        Err(Error::Update(error)) => Ok(error.kind),
        other => Err(fail(format!("expected Error::Update, got {other:?}"))),
    }
}

/// execute_update waits for the result; start_update returns at acceptance and the handle's
/// result() long-polls the completion; an update id sent twice runs the handler once.
pub(crate) async fn update_execute_start_and_idempotent_ids(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("SignalWait", (), ctx.options("update"))
        .await?;
    let total: i64 = handle.execute_update("add", (2,)).await?;
    assert_eq!(total, 2);

    // add_slowly sleeps 1 s in the workflow: accepted long before it completes.
    let started = handle
        .start_update("add_slowly", (3,), UpdateOptions::new())
        .await?;
    assert_eq!(started.name(), "add_slowly");
    assert!(!started.update_id().is_empty());
    assert!(!started.run_id().is_empty(), "the server names the run");
    let total: i64 = started.result().await?;
    assert_eq!(total, 5);
    // A handle made by id polls the same outcome.
    let again: i64 = handle.update_handle(started.update_id()).result().await?;
    assert_eq!(again, 5);

    // The same update id twice: the second call gets the first outcome, the handler does
    // not run again.
    let id = format!("{}-add-once", handle.workflow_id());
    let options = UpdateOptions::new()
        .update_id(&id)
        .wait_stage(UpdateStage::Completed);
    let first: i64 = handle
        .start_update("add", (10,), options.clone())
        .await?
        .result()
        .await?;
    let second: i64 = handle
        .start_update("add", (10,), options)
        .await?
        .result()
        .await?;
    assert_eq!((first, second), (15, 15));
    let state: serde_json::Value = handle.query("state", ()).await?;
    assert_eq!(state["total"], json!(15));

    // Waiting for completion in start_update brings the outcome with the handle.
    let completed = handle
        .start_update(
            "add",
            (1,),
            UpdateOptions::new().wait_stage(UpdateStage::Completed),
        )
        .await?;
    assert_eq!(completed.result::<i64>().await?, 16);
    handle.signal("finish", ("done",)).await?;
    assert_eq!(handle.result::<String>().await?, "done");
    Ok(())
}

/// Each way an update can fail has its own error kind.
pub(crate) async fn update_errors_are_typed(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("SignalWait", (), ctx.options("update-errors"))
        .await?;

    // Rejected by the validator: start_update itself fails (there is no update to wait for).
    let kind = update_kind(
        handle
            .start_update("add", (-1,), UpdateOptions::new())
            .await,
    )?;
    match &kind {
        UpdateErrorKind::Rejected(failure) => {
            assert_eq!(failure.message, "n must not be negative")
        }
        other => return Err(fail(format!("expected Rejected, got {other:?}"))),
    }
    let kind = update_kind(handle.execute_update::<i64>("add", (-5,)).await)?;
    assert!(matches!(kind, UpdateErrorKind::Rejected(_)), "{kind:?}");

    // No handler of that name.
    let error = handle
        .execute_update::<i64>("no-such-update", (1,))
        .await
        .expect_err("an unknown update succeeded");
    assert!(error.to_string().contains("no handler"), "{error}");
    match update_kind(Err::<(), _>(error))? {
        UpdateErrorKind::HandlerNotFound(failure) => {
            assert!(failure.message.contains("no-such-update"), "{failure:?}")
        }
        other => return Err(fail(format!("expected HandlerNotFound, got {other:?}"))),
    }

    // The handler ran and failed: accepted, then failed, with its type and details.
    let started = handle
        .start_update("fail", ("bad input",), UpdateOptions::new())
        .await?;
    match update_kind(started.result::<()>().await)? {
        UpdateErrorKind::Failed(failure) => {
            assert_eq!(failure.message, "bad input");
            match &failure.kind {
                FailureKind::Application {
                    error_type,
                    details,
                    ..
                } => {
                    assert_eq!(error_type, "UpdateFailure");
                    let detail: serde_json::Value = ctx.client.decode(&details[0])?;
                    assert_eq!(detail, json!({"update": "fail"}));
                }
                other => return Err(fail(format!("expected an application failure: {other:?}"))),
            }
        }
        other => return Err(fail(format!("expected Failed, got {other:?}"))),
    }
    // Rejections left nothing behind: the total is untouched.
    let state: serde_json::Value = handle.query("state", ()).await?;
    assert_eq!(state["total"], json!(0));

    // An update id the workflow never saw.
    let kind = update_kind(handle.update_handle("never-sent").result::<i64>().await)?;
    assert!(
        matches!(kind, UpdateErrorKind::UpdateNotFound { .. }),
        "{kind:?}"
    );

    // A workflow that does not exist, and one that is closed.
    let missing = ctx.client.workflow_handle(ctx.id("no-such-workflow"));
    let kind = update_kind(missing.execute_update::<i64>("add", (1,)).await)?;
    assert!(
        matches!(kind, UpdateErrorKind::WorkflowNotFound { .. }),
        "{kind:?}"
    );
    handle.signal("finish", ()).await?;
    handle.result::<()>().await?;
    let error = handle
        .execute_update::<i64>("add", (1,))
        .await
        .expect_err("an update of a closed workflow succeeded");
    assert_eq!(
        error.code(),
        Some(temporal_lite_core::grpc::Code::NOT_FOUND)
    );
    let kind = update_kind(Err::<(), _>(error))?;
    assert!(
        matches!(kind, UpdateErrorKind::WorkflowClosed { .. }),
        "{kind:?}"
    );
    Ok(())
}

/// Update-with-start starts the workflow the first time and updates the running one after,
/// in one call each; a conflict policy is required.
pub(crate) async fn update_with_start(ctx: &Ctx) -> TestResult {
    let options = ctx
        .options("update-with-start")
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting);
    let id = options.id.clone();
    let start = WithStartWorkflowOperation::new("SignalWait", (), options.clone());
    let (workflow, total): (_, i64) = ctx
        .client
        .execute_update_with_start(start, "add", (4,))
        .await?;
    assert_eq!(total, 4);
    assert_eq!(workflow.workflow_id(), id);
    let first_run = workflow
        .first_execution_run_id()
        .ok_or_else(|| fail("no first run id"))?
        .to_string();

    // Again: the running workflow takes the update, no new run.
    let start = WithStartWorkflowOperation::new("SignalWait", (), options.clone());
    let (again, update) = ctx
        .client
        .start_update_with_start(start, "add_slowly", (6,), UpdateOptions::new())
        .await?;
    assert_eq!(again.result_run_id(), Some(first_run.as_str()));
    assert_eq!(update.result::<i64>().await?, 10);

    // Fail refuses a running workflow, and nothing is updated.
    let refuse = options
        .clone()
        .id_conflict_policy(WorkflowIdConflictPolicy::Fail);
    let start = WithStartWorkflowOperation::new("SignalWait", (), refuse);
    let error = ctx
        .client
        .execute_update_with_start::<_, i64>(start, "add", (100,))
        .await
        .expect_err("Fail policy started a second workflow");
    match &error {
        Error::WorkflowAlreadyStarted {
            workflow_id,
            run_id,
        } => {
            assert_eq!(workflow_id, &id);
            assert_eq!(run_id, &first_run);
        }
        other => {
            return Err(fail(format!(
                "expected WorkflowAlreadyStarted, got {other:?}"
            )))
        }
    }
    let state: serde_json::Value = workflow.query("state", ()).await?;
    assert_eq!(state["total"], json!(10));

    // Without a conflict policy: refused before any call.
    let calls = ctx.calls.calls_of("ExecuteMultiOperation").len();
    let mut no_policy = options;
    no_policy.id_conflict_policy = None;
    let start = WithStartWorkflowOperation::new("SignalWait", (), no_policy);
    let error = ctx
        .client
        .execute_update_with_start::<_, i64>(start, "add", (1,))
        .await;
    assert!(
        matches!(error, Err(Error::InvalidOptions { .. })),
        "{error:?}"
    );
    assert_eq!(ctx.calls.calls_of("ExecuteMultiOperation").len(), calls);
    workflow.terminate("update-with-start case done").await?;
    Ok(())
}
