//! Completing `AsyncActivity`'s activity from outside the worker: by task token and by id.

use std::time::Duration;

use serde_json::json;
use temporal_lite_core::client::{
    ApplicationFailure, AsyncActivityHandle, FailureKind, WorkflowFailure, WorkflowHandle,
};
use temporal_lite_tests::base64;

use crate::harness::{fail, failed, workflow_error, Ctx, TestResult};

/// The activity id `AsyncActivity` gives its activity.
const ACTIVITY_ID: &str = "async-activity";

/// Start `AsyncActivity` and wait until its activity handed over its task token.
async fn start(ctx: &Ctx, what: &str) -> TestResult<(WorkflowHandle, Vec<u8>)> {
    let handle = ctx
        .client
        .start_workflow("AsyncActivity", (), ctx.options(what))
        .await?;
    let token = ctx
        .eventually(
            "the activity's task token",
            Duration::from_secs(20),
            || async {
                let token: Option<String> = handle.query("token", ()).await?;
                Ok(token)
            },
        )
        .await?;
    let token = base64::decode(&token).ok_or_else(|| fail("the token is not base64"))?;
    Ok((handle, token))
}

/// Heartbeat with details (visible in describe), then complete by task token.
pub(crate) async fn async_activity_heartbeat_and_complete_by_token(ctx: &Ctx) -> TestResult {
    let (handle, token) = start(ctx, "async-complete").await?;
    let activity = ctx.client.async_activity_handle(token);
    let beat = activity.heartbeat((json!({"progress": 50}),)).await?;
    assert!(!beat.cancel_requested, "{beat:?}");

    let description = handle.describe().await?;
    let pending = description
        .pending_activities
        .first()
        .ok_or_else(|| fail("no pending activity"))?;
    assert_eq!(pending.activity_id, ACTIVITY_ID);
    assert_eq!(pending.activity_type, "CompleteLater");
    let details: serde_json::Value = ctx.client.decode(&pending.heartbeat_details[0])?;
    assert_eq!(details, json!({"progress": 50}));

    activity.complete((json!({"done": true}),)).await?;
    assert_eq!(
        handle.result::<serde_json::Value>().await?,
        json!({"done": true})
    );
    // The activity is closed: a second completion finds nothing.
    let again = activity.complete(("twice",)).await;
    assert!(
        matches!(
            again,
            Err(temporal_lite_core::client::Error::NotFound { .. })
        ),
        "{again:?}"
    );
    Ok(())
}

/// Fail by workflow id + run id + activity id: the workflow fails with the activity failure
/// as the cause, carrying the type, message and details sent.
pub(crate) async fn async_activity_fail_by_id(ctx: &Ctx) -> TestResult {
    let (handle, _) = start(ctx, "async-fail").await?;
    let run_id = handle.result_run_id().unwrap_or_default().to_string();
    let activity: AsyncActivityHandle =
        ctx.client
            .async_activity_handle_by_id(handle.workflow_id(), &run_id, ACTIVITY_ID);
    activity.heartbeat(()).await?;
    let failure = ApplicationFailure::new("card declined")
        .error_type("PaymentError")
        .non_retryable()
        .detail(&json!({"code": 51}));
    activity.fail(failure, ()).await?;

    let error = workflow_error(handle.result::<serde_json::Value>().await)?;
    let (failure, _) = failed(error.failure)?;
    // Python wraps the ActivityError: find the application failure in the chain.
    let mut cause = Some(&failure);
    let mut found = None;
    while let Some(f) = cause {
        if let FailureKind::Application {
            error_type,
            details,
            ..
        } = &f.kind
        {
            if error_type == "PaymentError" {
                found = Some((f.message.clone(), details.clone()));
            }
        }
        cause = f.cause.as_deref();
    }
    let (message, details) =
        found.ok_or_else(|| fail(format!("no PaymentError in {failure:?}")))?;
    assert_eq!(message, "card declined");
    let detail: serde_json::Value = ctx.client.decode(&details[0])?;
    assert_eq!(detail, json!({"code": 51}));
    Ok(())
}

/// Cancel the workflow: the next heartbeat reports the request, and the reported
/// cancellation ends the workflow as canceled.
pub(crate) async fn async_activity_cancellation(ctx: &Ctx) -> TestResult {
    let (handle, token) = start(ctx, "async-cancel").await?;
    let activity = ctx.client.async_activity_handle(token);
    handle.cancel().await?;
    let requested = ctx
        .eventually("the cancel request", Duration::from_secs(20), || async {
            Ok(activity.heartbeat(()).await?.cancel_requested.then_some(()))
        })
        .await;
    requested?;
    activity.report_cancellation(("stopped",)).await?;
    let error = workflow_error(handle.result::<serde_json::Value>().await)?;
    assert!(
        matches!(error.failure, WorkflowFailure::Canceled { .. }),
        "{error:?}"
    );
    Ok(())
}
