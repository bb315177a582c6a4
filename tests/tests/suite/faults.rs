//! Faults with a dedicated server: a crash and restart while calls are in flight.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use temporal_lite_core::client::{StartWorkflowOptions, WorkflowStatus};
use temporal_lite_core::grpc::TransportErrorKind;
use temporal_lite_proto::temporal::api::enums::v1::EventType;
use temporal_lite_tests::{DevServer, PythonWorker};

use crate::harness::{event_type, fail, Ctx, Front, TestResult};

/// `result()` is waiting in a history long poll when the server is SIGKILLed and started
/// again on the same port and database: the broken poll and the refused connections while
/// it is down are retried, and the result arrives. A describe sent during the outage is
/// retried until the server is back.
pub(crate) async fn result_survives_server_restart(ctx: &Ctx) -> TestResult {
    let server = DevServer::builder().persistent(true).try_start()?;
    let Some(options) = ctx.front.options_for_server(&server) else {
        eprintln!(
            "skipped: front {:?} cannot front a dedicated server",
            ctx.front
        );
        return Ok(());
    };
    let queue = ctx.id("fault-queue");
    let worker = PythonWorker::try_start(&server.address(), "default", &queue)?;
    let (client, calls) = ctx
        .runtime
        .connect_recorded(options.identity(ctx.identity()))
        .await?;
    let handle = client
        .start_workflow(
            "Sleep",
            (3,),
            StartWorkflowOptions::new(ctx.id("fault"), &queue),
        )
        .await?;
    // Wait until the worker started the timer: the run now only waits for it.
    let h = &handle;
    ctx.eventually(
        "the timer started",
        Duration::from_secs(10),
        || async move {
            let history = h.fetch_history().await?;
            Ok(history
                .iter()
                .any(|e| event_type(e) == EventType::TimerStarted)
                .then_some(()))
        },
    )
    .await?;

    let killed = Arc::new(AtomicBool::new(false));
    let poll_started = Instant::now();
    let crash = {
        let killed = Arc::clone(&killed);
        let mut server = server;
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(500));
            server.kill_hard();
            let killed_at = Instant::now();
            killed.store(true, Ordering::SeqCst);
            let restarted = server.try_restart();
            (server, restarted, killed_at, Instant::now())
        })
    };

    let waiter = async {
        let slept: f64 = handle.result().await?;
        TestResult::Ok((slept, Instant::now()))
    };
    let during_outage = async {
        while !killed.load(Ordering::SeqCst) {
            ctx.sleep(Duration::from_millis(10)).await;
        }
        let sent = Instant::now();
        let description = handle.describe().await?;
        TestResult::Ok((description.status(), sent, Instant::now()))
    };
    let (waited, described) = futures_util::join!(waiter, during_outage);

    // The restart is over (or nearly: the server answers before the harness sees it ready).
    let (server, restarted, killed_at, restarted_at) = crash
        .join()
        .map_err(|_| fail("the crash thread panicked"))?;
    restarted?;
    let (slept, result_at) = waited?;
    let (status, describe_sent, described_at) = described?;

    assert_eq!(slept, 3.0);
    assert!(
        killed_at > poll_started,
        "the server was killed before result() polled"
    );
    // (The server may answer before the harness sees it ready, so these compare with the
    // kill, not with the end of the restart.)
    assert!(result_at > killed_at, "the result came before the kill");
    assert!(
        describe_sent >= killed_at,
        "the describe was sent before the kill"
    );
    assert!(described_at > describe_sent);
    assert!(
        matches!(status, WorkflowStatus::Running | WorkflowStatus::Completed),
        "{status:?}"
    );
    assert!(
        restarted_at.duration_since(killed_at) < Duration::from_secs(8),
        "the restart took {:?}",
        restarted_at.duration_since(killed_at)
    );

    // The outage really hit the calls: some attempts failed, and were retried. Direct, a
    // failed attempt is a broken or refused connection; through a TLS front, the client's
    // connection to nginx stays up and nginx answers UNAVAILABLE instead.
    let polls = calls.calls_of("GetWorkflowExecutionHistory");
    let failed_polls: Vec<_> = polls.iter().filter(|c| c.hit_outage()).collect();
    assert!(
        !failed_polls.is_empty(),
        "no history poll failed: {polls:?}"
    );
    assert!(
        failed_polls.iter().all(|c| match c.failure {
            Some(kind) => matches!(kind, TransportErrorKind::Io | TransportErrorKind::Connect),
            None => ctx.front != Front::Plain,
        }),
        "{failed_polls:?}"
    );
    assert!(polls.last().is_some_and(|c| !c.hit_outage()));
    let describes = calls.calls_of("DescribeWorkflowExecution");
    assert!(
        describes.len() >= 2,
        "the describe was not retried: {describes:?}"
    );
    assert!(describes.last().is_some_and(|c| !c.hit_outage()));
    drop(worker);
    drop(server);
    Ok(())
}
