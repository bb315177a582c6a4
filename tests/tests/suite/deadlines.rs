//! The time model against the real dev server behind the harness's fault proxy
//! ([`FaultProxy`]): outages, silence, lost responses, GOAWAY and load.
//!
//! Timing bounds: the issue asks for "a 3 s deadline ends within 3.0-3.5 s" and "a wrong
//! address fails in under 100 ms". Those are asserted on the client's own clock around the
//! call, with the widening (if any) said at each bound; everything else asserts what
//! happened (attempts, runs, errors), not how fast.

use std::collections::HashSet;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use temporal_lite_core::client::{
    Client, Error, FailureKind, RpcOptions, StartWorkflowOptions, WorkflowStatus,
};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::TransportErrorKind;
use temporal_lite_core::testing::expect_attempt_timed_out;
use temporal_lite_tests::fault_proxy::{DropMode, Drops, FaultProxy};
use temporal_lite_tests::peers::closed_port;
use temporal_lite_tests::DevServer;

use crate::harness::{fail, Ctx, TestResult};

const START: &str = "StartWorkflowExecution";

/// A proxy in front of the shared server.
fn proxy_to_shared(ctx: &Ctx) -> TestResult<FaultProxy> {
    Ok(FaultProxy::start(ctx.env.address().parse::<SocketAddr>()?))
}

/// When an outage began and ended, and when a `Sleep` workflow's `result()` came back.
pub(crate) struct OutageRun {
    /// When the outage began.
    pub(crate) down: Instant,
    /// When it ended.
    pub(crate) up: Instant,
    /// When `result()` returned.
    pub(crate) returned: Instant,
}

/// Start `Sleep(seconds)` (workflow id from `id`) and wait for its result while, half a
/// second in, `begin` starts an outage that `end` ends `length` later. Checks that the
/// result is the workflow's value and came after the outage ended.
pub(crate) async fn result_across_outage(
    ctx: &Ctx,
    client: &Client,
    seconds: u64,
    id: &str,
    begin: impl FnOnce(),
    length: Duration,
    end: impl FnOnce(),
) -> TestResult<OutageRun> {
    let handle = client
        .start_workflow("Sleep", (seconds,), ctx.options(id))
        .await?;
    let waiting = async {
        let slept: f64 = handle.result().await?;
        TestResult::Ok((slept, Instant::now()))
    };
    let outage = async {
        ctx.sleep(Duration::from_millis(500)).await;
        begin();
        let down = Instant::now();
        ctx.sleep(length).await;
        end();
        (down, Instant::now())
    };
    let (waited, (down, up)) = futures_util::join!(waiting, outage);
    let (slept, returned) = waited?;
    assert_eq!(slept, seconds as f64);
    assert!(returned >= up, "the result came during the outage");
    Ok(OutageRun { down, up, returned })
}

/// `result()` waits through a 20 s outage (connections refused and reset) and returns the
/// workflow's value.
pub(crate) async fn result_outlives_a_20_s_outage(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    let (client, calls) = ctx.connect_through(proxy.address()).await?;
    let OutageRun { down, up, .. } = result_across_outage(
        ctx,
        &client,
        3,
        "outage",
        || proxy.refuse(),
        Duration::from_secs(20),
        || proxy.restore(),
    )
    .await?;
    assert!(up.duration_since(down) >= Duration::from_secs(20));
    // The outage hit the polls: some failed (reset, refused) and were retried.
    let polls = calls.calls_of("GetWorkflowExecutionHistory");
    let failed = polls.iter().filter(|c| c.failure.is_some()).count();
    assert!(failed >= 3, "{polls:?}");
    assert!(polls.iter().all(|c| matches!(
        c.failure,
        None | Some(TransportErrorKind::Connect | TransportErrorKind::Io)
    )));
    Ok(())
}

/// A 3 s deadline into a blackhole ends at 3 s with `DeadlineExceeded`, on a connection
/// that went silent and on a client whose first connect never gets an answer.
pub(crate) async fn a_3_s_deadline_into_a_blackhole(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    let rpc = RpcOptions {
        timeout: Duration::from_secs(3),
        ..RpcOptions::default()
    };
    let (client, _) = ctx
        .runtime
        .connect_recorded(ConnectOptions::new(proxy.address()))
        .await?;
    let client = client.with_rpc_options(rpc.clone());
    proxy.blackhole();
    let fresh = ctx
        .runtime
        .client(ConnectOptions::new(proxy.address()))?
        .with_rpc_options(rpc);
    for (what, client) in [("silent connection", client), ("silent connect", fresh)] {
        let started = Instant::now();
        let error = client
            .count_workflows("")
            .await
            .expect_err("a call into a blackhole succeeded");
        let elapsed = started.elapsed();
        let timeout = expect_attempt_timed_out(&error, 1, "within 3s");
        assert!(timeout.message().contains("no answer"), "{what}: {timeout}");
        // The bound the issue asks for: 3.0-3.5 s (the timer cannot fire early; 0.5 s is
        // scheduling slack on a busy 2-core machine).
        assert!(
            elapsed >= Duration::from_secs(3) && elapsed <= Duration::from_millis(3500),
            "{what}: {elapsed:?}"
        );
        eprintln!("[{what}] DeadlineExceeded after {elapsed:?}");
    }
    Ok(())
}

/// `connect_timeout` 2 s into a peer that accepts TCP and never answers: a connect error at
/// about 2 s that says what happened (not the call's 30 s deadline).
pub(crate) async fn connect_timeout_into_a_silent_peer(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    proxy.blackhole();
    let options = ConnectOptions::new(proxy.address()).connect_timeout(Duration::from_secs(2));
    let started = Instant::now();
    let error = ctx
        .runtime
        .connect(options)
        .await
        .expect_err("a connect into a blackhole succeeded");
    let elapsed = started.elapsed();
    match &error {
        Error::Transport(t) if t.kind() == TransportErrorKind::Connect => {
            assert!(
                t.message().contains("within 2s (connect_timeout)")
                    && t.message().contains("sent no HTTP/2 settings"),
                "{t}"
            );
            assert!(!t.message().contains("TLS"), "{t}");
        }
        other => return Err(fail(format!("expected a Connect error, got {other:?}"))),
    }
    assert!(proxy.accepted() >= 1, "the TCP connection was not accepted");
    // About 2 s: the timer cannot fire early; 0.5 s of scheduling slack for a busy machine.
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed <= Duration::from_millis(2500),
        "{elapsed:?}"
    );
    eprintln!("connect error after {elapsed:?}: {error}");
    Ok(())
}

/// A call whose deadline is shorter than the connect gives up, but the connect goes on
/// (on a task of its own) and the next call uses the connection it made.
pub(crate) async fn a_connect_outlives_a_call_that_gave_up(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    // Silence until restored: the TCP connection is accepted, the HTTP/2 setup waits.
    proxy.blackhole();
    let client = ctx
        .runtime
        .client(ConnectOptions::new(proxy.address()))?
        .with_rpc_options(RpcOptions {
            timeout: Duration::from_millis(300),
            ..RpcOptions::default()
        });
    let error = client
        .count_workflows("")
        .await
        .expect_err("a call into a blackhole succeeded");
    assert!(
        matches!(&error, Error::DeadlineExceeded { attempts: 1, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("still connecting"), "{error}");
    proxy.restore();
    let client = client.with_rpc_options(RpcOptions::default());
    client.count_workflows("").await?;
    assert_eq!(proxy.accepted(), 1, "the first connect was abandoned");
    Ok(())
}

/// A start whose responses are all lost for 14 s, with the default 30 s deadline, returns
/// the run it started; exactly one run exists.
pub(crate) async fn start_with_answers_lost_for_14_s(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    let (client, _) = ctx.connect_through(proxy.address()).await?;
    proxy.drop_responses(
        START,
        Drops::Until(Instant::now() + Duration::from_secs(14)),
        DropMode::ResetStream,
    );
    let options = ctx.options("lost-14s");
    let id = options.id.clone();
    let started = Instant::now();
    let handle = client.start_workflow("Sleep", (60,), options).await?;
    let elapsed = started.elapsed();
    let stats = proxy.stats(START);
    assert!(
        stats.dropped >= 2 && stats.forwarded == stats.dropped + 1,
        "{stats:?}"
    );
    assert!(elapsed >= Duration::from_secs(14), "{elapsed:?}");
    let run_id = handle.result_run_id().unwrap_or_default().to_string();
    // The run the server has for this id is the one returned, and it is the only one.
    let description = ctx.client.workflow_handle(&id).describe().await?;
    assert_eq!(description.info.run_id, run_id);
    assert_eq!(handle.first_execution_run_id(), Some(run_id.as_str()));
    let query = format!("WorkflowId = '{id}'");
    let runs = ctx
        .eventually("the run is listed", Duration::from_secs(10), || async {
            let page = ctx.client.list_workflows_page(&query, 10, &[]).await?;
            Ok((!page.executions.is_empty()).then_some(page.executions))
        })
        .await?;
    assert_eq!(runs.len(), 1, "{runs:?}");
    ctx.client.workflow_handle(&id).terminate("done").await?;
    eprintln!(
        "start returned run {run_id} after {elapsed:?}; {} answers lost",
        stats.dropped
    );
    Ok(())
}

/// 1000 starts with every 10th start response lost: 1000 runs, no duplicate, no error.
pub(crate) async fn a_thousand_starts_with_a_tenth_of_answers_lost(ctx: &Ctx) -> TestResult {
    let server = DevServer::builder().try_start()?;
    let proxy = FaultProxy::start(server.address().parse::<SocketAddr>()?);
    proxy.drop_responses(START, Drops::EveryNth(10), DropMode::ResetStream);
    let client = ctx
        .runtime
        .connect(ConnectOptions::new(proxy.address()))
        .await?;
    let prefix = ctx.id("thousand");
    let started = Instant::now();
    let results: Vec<Result<(String, String), Error>> = stream::iter(0..1000)
        .map(|i| {
            let client = client.clone();
            let id = format!("{prefix}-{i}");
            async move {
                let options = StartWorkflowOptions::new(id.clone(), "nobody-polls");
                let handle = client.start_workflow("Sleep", (1,), options).await?;
                Ok((id, handle.result_run_id().unwrap_or_default().to_string()))
            }
        })
        .buffer_unordered(100)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let errors: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    let runs: HashSet<&str> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|(_, run)| run.as_str())
        .collect();
    assert_eq!(runs.len(), 1000);
    let stats = proxy.stats(START);
    assert_eq!(stats.dropped, stats.forwarded / 10, "{stats:?}");
    assert!(stats.dropped >= 100, "{stats:?}");
    // The server has exactly 1000 executions: no start ran twice.
    let direct = ctx
        .runtime
        .connect(ConnectOptions::new(server.address()))
        .await?;
    let count = ctx
        .eventually("every run is visible", Duration::from_secs(20), || async {
            let count = direct.count_workflows("").await?.count;
            Ok((count >= 1000).then_some(count))
        })
        .await?;
    assert_eq!(count, 1000);
    eprintln!(
        "1000 starts in {elapsed:?}; {} answers lost, {} requests in all",
        stats.dropped, stats.forwarded
    );
    Ok(())
}

/// 1024 concurrent starts on one client with default options against a dev server of its
/// own: no errors.
pub(crate) async fn concurrent_starts_with_default_options(ctx: &Ctx) -> TestResult {
    let server = DevServer::builder().try_start()?;
    let client = ctx
        .runtime
        .connect(ConnectOptions::new(server.address()))
        .await?;
    let prefix = ctx.id("burst");
    let started = Instant::now();
    let starts = (0..1024).map(|i| {
        let client = client.clone();
        let options = StartWorkflowOptions::new(format!("{prefix}-{i}"), "nobody-polls");
        async move {
            let begun = Instant::now();
            let result = client.start_workflow("Sleep", (1,), options).await;
            (result.map(|_| ()), begun.elapsed())
        }
    });
    let results = futures_util::future::join_all(starts).await;
    let elapsed = started.elapsed();
    let errors: Vec<&Error> = results
        .iter()
        .filter_map(|(r, _)| r.as_ref().err())
        .collect();
    let slowest = results.iter().map(|(_, d)| *d).max().unwrap_or_default();
    eprintln!(
        "1024 concurrent starts: {} errors, {elapsed:?} in all, slowest {slowest:?}",
        errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    Ok(())
}

/// A terminate whose first response is lost is not sent again (it has no request id), so it
/// never comes back as `NotFound`: the caller learns that the outcome is unknown, and the
/// workflow is terminated.
pub(crate) async fn terminate_whose_answer_is_lost(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    let (client, _) = ctx.connect_through(proxy.address()).await?;
    let handle = client
        .start_workflow("Sleep", (60,), ctx.options("terminate-lost"))
        .await?;
    proxy.drop_responses(
        "TerminateWorkflowExecution",
        Drops::Next(1),
        DropMode::ResetStream,
    );
    let outcome = handle.terminate("lost answer").await;
    match &outcome {
        Err(Error::OutcomeUnknown {
            request_id: None,
            attempts: 1,
            ..
        }) => {}
        other => return Err(fail(format!("expected OutcomeUnknown, got {other:?}"))),
    }
    assert_eq!(proxy.stats("TerminateWorkflowExecution").forwarded, 1);
    let description = handle.describe().await?;
    assert_eq!(description.status(), WorkflowStatus::Terminated);
    Ok(())
}

/// Nothing listens at the address: the first connect fails at once.
pub(crate) async fn a_wrong_address_fails_at_once(ctx: &Ctx) -> TestResult {
    let address = format!("127.0.0.1:{}", closed_port());
    let started = Instant::now();
    let error = ctx
        .runtime
        .connect(ConnectOptions::new(address))
        .await
        .expect_err("connect to a closed port succeeded");
    let elapsed = started.elapsed();
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{error:?}"
    );
    // The bound the issue asks for: under 100 ms (measured: a few ms).
    assert!(elapsed < Duration::from_millis(100), "{elapsed:?}");
    eprintln!("wrong address: {error} after {elapsed:?}");
    Ok(())
}

/// With `wait_for_server`, a first connect to a server that is not up yet waits for it.
pub(crate) async fn a_client_can_wait_for_its_server(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    proxy.refuse();
    let options = ConnectOptions::new(proxy.address()).wait_for_server(Duration::from_secs(30));
    let connecting = ctx.runtime.connect(options);
    let comes_up = async {
        ctx.sleep(Duration::from_secs(2)).await;
        proxy.restore();
    };
    let (client, ()) = futures_util::join!(connecting, comes_up);
    client?.count_workflows("").await?;
    Ok(())
}

/// A peer that resets every connection: always a `Connect` error that says "reset", never
/// a guess about TLS.
pub(crate) async fn a_resetting_peer_says_reset(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    proxy.reset_new();
    for _ in 0..5 {
        let error = ctx
            .runtime
            .connect(ConnectOptions::new(proxy.address()))
            .await
            .expect_err("connect to a resetting peer succeeded");
        match &error {
            Error::Transport(t) if t.kind() == TransportErrorKind::Connect => {
                let text = t.message();
                assert!(text.contains("reset") || text.contains("refused"), "{t}");
                assert!(!text.contains("TLS"), "{t}");
            }
            other => return Err(fail(format!("expected a Connect error, got {other:?}"))),
        }
    }
    Ok(())
}

/// GOAWAY while calls are in flight, reads and terminates alike: none fails, and the
/// client moves to a new connection.
pub(crate) async fn go_away_under_load_fails_nothing(ctx: &Ctx) -> TestResult {
    let proxy = proxy_to_shared(ctx)?;
    let (client, _) = ctx.connect_through(proxy.address()).await?;
    for round in 0..5 {
        let mut handles = Vec::new();
        for _ in 0..4 {
            let options = ctx.options("goaway");
            handles.push(client.start_workflow("Sleep", (60,), options).await?);
        }
        let reads = (0..40).map(|_| {
            let client = client.clone();
            async move { client.count_workflows("").await.map(|_| ()) }
        });
        let terminates = handles.iter().map(|h| h.terminate("go away").into_future());
        let go_away = async {
            ctx.sleep(Duration::from_millis(2)).await;
            proxy.go_away();
        };
        let (reads, terminates, ()) = futures_util::join!(
            futures_util::future::join_all(reads),
            futures_util::future::join_all(terminates),
            go_away
        );
        for result in reads.iter().chain(terminates.iter()) {
            if let Err(error) = result {
                return Err(fail(format!(
                    "round {round}: a call failed across GOAWAY: {error:?}"
                )));
            }
        }
    }
    // Each GOAWAY closed the connection of its round: later rounds used new ones.
    assert!(proxy.accepted() >= 2, "{}", proxy.accepted());
    Ok(())
}

/// Error details in large trailers arrive as typed errors: the response header list limit
/// is far above what the server sends. Prints the sizes the dev server sends for its
/// errors with details (measured for the engine's default limit).
pub(crate) async fn large_error_details_arrive_typed(ctx: &Ctx) -> TestResult {
    let client = &ctx.client;
    let handle = client
        .start_workflow("SignalWait", (), ctx.options("big-details"))
        .await?;
    // Already started: WorkflowExecutionAlreadyStartedFailure in the details.
    let again = StartWorkflowOptions::new(handle.workflow_id(), &ctx.task_queue);
    let error = client
        .start_workflow("SignalWait", (), again)
        .await
        .expect_err("a second start succeeded");
    assert!(
        matches!(&error, Error::WorkflowAlreadyStarted { .. }),
        "{error:?}"
    );
    let mut sizes = vec![("already started", last_header_list(ctx, START))];
    // Failed queries: the worker's failure message (0 B to 1 MiB added to it), and its
    // stack trace and details when the server passes the failure on.
    for extra in [0usize, 64 * 1024, 1024 * 1024] {
        let error = handle
            .query::<serde_json::Value>("fail", (extra,))
            .await
            .expect_err("a failing query succeeded");
        match &error {
            Error::QueryFailed { message, failure } => {
                // (The server cuts messages at 4000 bytes.)
                assert!(
                    message.starts_with("query fails on purpose"),
                    "{extra} B: {message:.200}"
                );
                if let Some(failure) = failure {
                    let FailureKind::Application { details, .. } = &failure.kind else {
                        return Err(fail(format!("not an application failure: {failure:?}")));
                    };
                    let text: String = client.decode(&details[0])?;
                    assert_eq!(text.len(), extra);
                }
            }
            other => {
                return Err(fail(format!(
                    "{extra} B: expected QueryFailed, got {other:?}"
                )))
            }
        }
        sizes.push(("failed query", last_header_list(ctx, "QueryWorkflow")));
    }
    handle.terminate("details case done").await?;
    eprintln!("response header lists (bytes as HTTP/2 counts them): {sizes:?}");
    Ok(())
}

/// The header list size of the last response to `method` on the case's client.
fn last_header_list(ctx: &Ctx, method: &str) -> usize {
    ctx.calls
        .calls_of(method)
        .last()
        .map_or(0, |call| call.header_list_bytes)
}
