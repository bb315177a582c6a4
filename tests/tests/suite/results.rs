//! Waiting for results: values through the Python worker, and every way a workflow ends.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;
use temporal_lite_core::client::{
    FailureKind, RetryPolicy, RetryState, RpcOptions, WorkflowFailure, WorkflowOutcome,
    WorkflowStatus,
};
use temporal_lite_core::payload::{FromValue, RawBytes, ToPayloads};
use temporal_lite_proto::temporal::api::enums::v1::EventType;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;

use crate::harness::{event_type, fail, failed, workflow_error, Ctx, TestResult};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    id: String,
    lines: Vec<Line>,
    total_cents: i64,
    discount: f64,
    express: bool,
    note: Option<String>,
    customer: Customer,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Line {
    sku: String,
    quantity: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Customer {
    name: String,
    tags: Vec<String>,
}

/// Run the `Echo` workflow (it returns its arguments) under id `id`.
async fn echo<T: FromValue + Send>(
    ctx: &Ctx,
    args: impl ToPayloads + Send,
    id: &str,
) -> TestResult<T> {
    let options = ctx.options(id);
    Ok(ctx.client.execute_workflow("Echo", args, options).await?)
}

/// A struct goes to Python as JSON and comes back equal.
pub(crate) async fn echo_round_trips_a_struct(ctx: &Ctx) -> TestResult {
    let order = Order {
        id: "order-42".into(),
        lines: vec![
            Line {
                sku: "A-1".into(),
                quantity: 2,
            },
            Line {
                sku: "B-7".into(),
                quantity: 1,
            },
        ],
        total_cents: 12_345,
        discount: 0.125,
        express: true,
        note: None,
        customer: Customer {
            name: "Zoë Ünïcode ✓".into(),
            tags: vec![],
        },
    };
    let back: Order = echo(ctx, (order.clone(),), "echo-struct").await?;
    assert_eq!(back, order);
    Ok(())
}

/// Several arguments come back as a list (read as a tuple), none as null, and bytes as
/// `binary/plain` bytes.
pub(crate) async fn echo_multiple_args_none_and_bytes(ctx: &Ctx) -> TestResult {
    let (a, b, c): (i64, String, Vec<i64>) = echo(ctx, (1, "two", vec![3, 4]), "echo-args").await?;
    assert_eq!((a, b.as_str(), c), (1, "two", vec![3, 4]));

    let nothing: Option<String> = echo(ctx, (), "echo-none").await?;
    assert_eq!(nothing, None);
    let (): () = echo(ctx, (), "echo-unit").await?;

    let bytes = RawBytes(vec![0, 1, 2, 0xfe, 0xff]);
    let back: RawBytes = echo(ctx, (bytes.clone(),), "echo-bytes").await?;
    assert_eq!(back, bytes);
    Ok(())
}

/// `execute_workflow` on a workflow with a durable timer.
pub(crate) async fn execute_sleep(ctx: &Ctx) -> TestResult {
    let started = Instant::now();
    let slept: f64 = ctx
        .client
        .execute_workflow("Sleep", (0.3,), ctx.options("sleep"))
        .await?;
    assert_eq!(slept, 0.3);
    assert!(started.elapsed() >= Duration::from_millis(300));
    Ok(())
}

/// The server ends a history long poll with an empty page after 3 s (harness dynamic
/// config); `result()` must ask again until the 4 s workflow closes.
pub(crate) async fn result_polls_again_after_the_long_poll_interval(ctx: &Ctx) -> TestResult {
    let started = Instant::now();
    let handle = ctx
        .client
        .start_workflow("Sleep", (4,), ctx.options("sleep-long"))
        .await?;
    let before = ctx.calls.calls_of("GetWorkflowExecutionHistory").len();
    let slept: f64 = handle.result().await?;
    assert_eq!(slept, 4.0);
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let polls = ctx.calls.calls_of("GetWorkflowExecutionHistory").len() - before;
    assert!(polls >= 2, "result() made {polls} history poll(s)");
    Ok(())
}

/// `Fail` fails with a non-retryable application error: message, type and details survive.
pub(crate) async fn failure_carries_message_type_and_details(ctx: &Ctx) -> TestResult {
    let options = ctx.options("fail-default");
    let id = options.id.clone();
    let result = ctx.client.execute_workflow::<()>("Fail", (), options).await;
    let error = workflow_error(result)?;
    assert_eq!(error.workflow_id, id);
    assert!(!error.run_id.is_empty());
    let text = error.to_string();
    let (failure, retry_state) = failed(error.failure)?;
    assert_eq!(failure.message, "failed on purpose");
    assert_eq!(failure.error_type(), Some("TestFailure"));
    assert!(failure.non_retryable());
    // No retry policy was given, so the server says so (rather than "non-retryable").
    assert_eq!(retry_state, RetryState::RetryPolicyNotSet);
    assert_eq!(failure.details().len(), 1);
    let detail: serde_json::Value = ctx.client.decode(&failure.details()[0])?;
    assert_eq!(detail, json!({"code": 42, "reason": "test"}));
    assert!(text.contains(&id), "{text}");
    assert!(text.contains("failed on purpose"), "{text}");
    assert!(text.contains("TestFailure"), "{text}");

    let result = ctx
        .client
        .execute_workflow::<()>(
            "Fail",
            ("boom", json!([{"code": 7}, "second"])),
            ctx.options("fail-custom").retry_policy(RetryPolicy {
                initial_interval: Some(Duration::from_millis(100)),
                maximum_attempts: 3,
                ..RetryPolicy::default()
            }),
        )
        .await;
    let error = workflow_error(result)?;
    let (failure, retry_state) = failed(error.failure)?;
    // With a retry policy, the non-retryable failure is what stops the retries.
    assert_eq!(retry_state, RetryState::NonRetryableFailure);
    assert_eq!(failure.message, "boom");
    assert!(matches!(
        &failure.kind,
        FailureKind::Application {
            non_retryable: true,
            ..
        }
    ));
    let details = failure.details();
    assert_eq!(details.len(), 2);
    assert_eq!(
        ctx.client.decode::<serde_json::Value>(&details[0])?,
        json!({"code": 7})
    );
    assert_eq!(ctx.client.decode::<String>(&details[1])?, "second");
    Ok(())
}

/// Cancelling a sleeping workflow: the Python SDK cancels the timer and the workflow ends
/// canceled; the request's reason and identity are recorded.
pub(crate) async fn cancel_gives_canceled(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("Sleep", (60,), ctx.options("cancel"))
        .await?;
    handle.cancel_with_reason("suite cancels").await?;
    let error = workflow_error(handle.result::<f64>().await)?;
    assert!(
        matches!(error.failure, WorkflowFailure::Canceled { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("canceled"), "{error}");
    assert_eq!(handle.describe().await?.status(), WorkflowStatus::Canceled);
    let history = handle.fetch_history().await?;
    let request = history
        .iter()
        .find_map(|e| match &e.attributes {
            Some(Attributes::WorkflowExecutionCancelRequestedEventAttributes(a)) => Some(a),
            _ => None,
        })
        .ok_or_else(|| fail("no WorkflowExecutionCancelRequested event"))?;
    assert_eq!(request.cause, "suite cancels");
    assert_eq!(request.identity, ctx.identity());
    Ok(())
}

/// Terminating: reason, details and identity come back in the outcome.
pub(crate) async fn terminate_gives_terminated(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("Sleep", (60,), ctx.options("terminate"))
        .await?;
    handle
        .terminate_with_details("suite terminates", ("detail", 5))
        .await?;
    let error = workflow_error(handle.result::<f64>().await)?;
    assert!(error.to_string().contains("suite terminates"), "{error}");
    let WorkflowFailure::Terminated {
        reason,
        details,
        identity,
    } = error.failure
    else {
        return Err(fail(format!(
            "expected Terminated, got {:?}",
            error.failure
        )));
    };
    assert_eq!(reason, "suite terminates");
    assert_eq!(identity, ctx.identity());
    assert_eq!(details.len(), 2);
    assert_eq!(ctx.client.decode::<String>(&details[0])?, "detail");
    assert_eq!(ctx.client.decode::<i64>(&details[1])?, 5);
    assert_eq!(
        handle.describe().await?.status(),
        WorkflowStatus::Terminated
    );
    Ok(())
}

/// An execution timeout shorter than the sleep: timed out.
pub(crate) async fn execution_timeout_gives_timed_out(ctx: &Ctx) -> TestResult {
    let started = Instant::now();
    let handle = ctx
        .client
        .start_workflow(
            "Sleep",
            (60,),
            ctx.options("timeout")
                .execution_timeout(Duration::from_secs(1)),
        )
        .await?;
    let error = workflow_error(handle.result::<f64>().await)?;
    assert!(
        matches!(error.failure, WorkflowFailure::TimedOut { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("timed out"), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(handle.describe().await?.status(), WorkflowStatus::TimedOut);
    Ok(())
}

/// `result()` follows three continue-as-new runs to the last one; each run can be addressed.
pub(crate) async fn continue_as_new_chain_is_followed(ctx: &Ctx) -> TestResult {
    let options = ctx.options("continue-as-new");
    let id = options.id.clone();
    let handle = ctx
        .client
        .start_workflow("ContinueAsNewChain", (3,), options)
        .await?;
    let first_run = handle.result_run_id().unwrap_or_default().to_string();
    assert_eq!(handle.result::<i64>().await?, 3);

    // Not following: the first run continued as new.
    let second_run = match handle.outcome_following(false).await? {
        WorkflowOutcome::ContinuedAsNew {
            run_id,
            new_execution_run_id,
        } => {
            assert_eq!(run_id, first_run);
            assert_ne!(new_execution_run_id, first_run);
            new_execution_run_id
        }
        other => return Err(fail(format!("expected ContinuedAsNew, got {other:?}"))),
    };

    // Following: the last run completed.
    let last_run = match handle.outcome().await? {
        WorkflowOutcome::Completed { run_id, result } => {
            assert_eq!(ctx.client.decode::<i64>(&result[0])?, 3);
            run_id
        }
        other => return Err(fail(format!("expected Completed, got {other:?}"))),
    };
    assert_ne!(last_run, first_run);
    assert_ne!(last_run, second_run);

    let first = ctx
        .client
        .workflow_handle_with_run(&id, &first_run)
        .describe()
        .await?;
    assert_eq!(first.status(), WorkflowStatus::ContinuedAsNew);
    let latest = ctx.client.workflow_handle(&id).describe().await?;
    assert_eq!(latest.status(), WorkflowStatus::Completed);
    assert_eq!(latest.info.run_id, last_run);
    assert_eq!(latest.info.first_run_id, first_run);

    // A handle to the second run, by id and run id, follows the chain from there.
    let from_second = ctx.client.workflow_handle_with_run(&id, &second_run);
    assert_eq!(from_second.result::<i64>().await?, 3);
    let history = from_second.fetch_history().await?;
    assert_eq!(
        history.last().map(event_type),
        Some(EventType::WorkflowExecutionContinuedAsNew)
    );
    Ok(())
}

/// A workflow retry policy starts new runs after failures; `result()` follows them.
pub(crate) async fn retry_policy_is_followed_to_the_succeeding_attempt(ctx: &Ctx) -> TestResult {
    let fast = |attempts| RetryPolicy {
        initial_interval: Some(Duration::from_millis(100)),
        backoff_coefficient: 1.0,
        maximum_attempts: attempts,
        ..RetryPolicy::default()
    };

    // Fails twice, succeeds on attempt 3.
    let handle = ctx
        .client
        .start_workflow(
            "RetryWorkflow",
            (2,),
            ctx.options("retry-ok").retry_policy(fast(5)),
        )
        .await?;
    assert_eq!(handle.result::<i64>().await?, 3);
    let first_run = handle.result_run_id().unwrap_or_default();
    let first = ctx
        .client
        .workflow_handle_with_run(handle.workflow_id(), first_run)
        .describe()
        .await?;
    assert_eq!(first.status(), WorkflowStatus::Failed);

    // Out of attempts: the failure of the last attempt, from the last run.
    let handle = ctx
        .client
        .start_workflow(
            "RetryWorkflow",
            (5,),
            ctx.options("retry-exhausted").retry_policy(fast(2)),
        )
        .await?;
    let error = workflow_error(handle.result::<i64>().await)?;
    assert_ne!(Some(error.run_id.as_str()), handle.result_run_id());
    let (failure, retry_state) = failed(error.failure)?;
    assert_eq!(retry_state, RetryState::MaximumAttemptsReached);
    assert_eq!(failure.message, "attempt 2 fails on purpose");
    assert_eq!(failure.error_type(), Some("RetryMe"));
    assert!(!failure.non_retryable());

    // No retry policy: the first failure is final.
    let handle = ctx
        .client
        .start_workflow("RetryWorkflow", (1,), ctx.options("retry-none"))
        .await?;
    let error = workflow_error(handle.result::<i64>().await)?;
    assert_eq!(Some(error.run_id.as_str()), handle.result_run_id());
    let (_, retry_state) = failed(error.failure)?;
    assert_eq!(retry_state, RetryState::RetryPolicyNotSet);
    Ok(())
}

#[derive(Serialize)]
struct PaymentDetails<'a> {
    source_account: &'a str,
    target_account: &'a str,
    amount: i64,
    reference_id: &'a str,
}

/// The demo's workflow: two activities, then a confirmation; a bad amount fails it.
pub(crate) async fn money_transfer(ctx: &Ctx) -> TestResult {
    let reference = ctx.id("ref");
    let details = PaymentDetails {
        source_account: "85-150",
        target_account: "43-812",
        amount: 250,
        reference_id: &reference,
    };
    let confirmation: String = ctx
        .client
        .execute_workflow("MoneyTransfer", (details,), ctx.options("transfer"))
        .await?;
    assert_eq!(
        confirmation,
        format!("Transfer complete (transaction IDs: W-{reference}, D-{reference})")
    );

    let invalid = PaymentDetails {
        source_account: "85-150",
        target_account: "43-812",
        amount: 0,
        reference_id: &reference,
    };
    let result = ctx
        .client
        .execute_workflow::<String>("MoneyTransfer", (invalid,), ctx.options("transfer-bad"))
        .await;
    match workflow_error(result)?.failure {
        WorkflowFailure::Failed { failure, .. } => {
            assert_eq!(failure.error_type(), Some("InvalidAmount"));
            assert!(failure.non_retryable());
            assert!(failure.message.contains("got 0"), "{}", failure.message);
        }
        other => return Err(fail(format!("expected Failed, got {other:?}"))),
    }
    Ok(())
}

/// A long-poll deadline (1.5 s) shorter than the server's long-poll interval (3 s): the
/// server ends each poll early with an empty page, keeping back 1 s of tail room, and
/// `result()` keeps polling until the result arrives, without spinning.
///
/// (With a deadline of 1 s or less the server answers every poll at once; the client then
/// spaces its polls out, 100 ms doubling to 1 s, instead of polling in a tight loop.)
pub(crate) async fn result_with_a_short_long_poll_deadline(ctx: &Ctx) -> TestResult {
    let client = ctx.client.clone().with_rpc_options(RpcOptions {
        long_poll_timeout: Duration::from_millis(1500),
        ..RpcOptions::default()
    });
    let before = ctx.calls.calls_of("GetWorkflowExecutionHistory").len();
    let started = Instant::now();
    let slept: f64 = client
        .execute_workflow("Sleep", (2.5,), ctx.options("short-poll"))
        .await?;
    assert_eq!(slept, 2.5);
    assert!(started.elapsed() >= Duration::from_millis(2500));
    let polls = ctx.calls.calls_of("GetWorkflowExecutionHistory").len() - before;
    assert!((3..=20).contains(&polls), "{polls} history polls in 2.5 s");
    Ok(())
}
