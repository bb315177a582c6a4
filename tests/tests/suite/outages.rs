//! Long outages, run by `scripts/faults.sh` rather than CI (they take minutes): `result()`
//! across a 60 s outage and across 60 s of silence, and 200 waiters across a server
//! SIGKILL + restart. Each prints its
//! figures on a line starting with `FIGURES`.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use temporal_lite_core::client::{StartWorkflowOptions, WorkflowHandle};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_tests::fault_proxy::FaultProxy;
use temporal_lite_tests::{DevServer, PythonWorker};

use crate::deadlines::{result_across_outage, OutageRun};
use crate::harness::{fail, unix_now, Ctx, TestResult};

/// `result()` through a 60 s outage (connections refused, open ones reset) returns the value.
pub(crate) async fn result_outlives_a_60_s_outage(ctx: &Ctx) -> TestResult {
    result_across(ctx, Fault::Refuse).await
}

/// `result()` through 60 s of silence (a blackhole: nothing answers, nothing is refused)
/// returns the value.
pub(crate) async fn result_outlives_60_s_of_silence(ctx: &Ctx) -> TestResult {
    result_across(ctx, Fault::Blackhole).await
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    Refuse,
    Blackhole,
}

async fn result_across(ctx: &Ctx, fault: Fault) -> TestResult {
    let proxy = FaultProxy::start(ctx.env.address().parse::<SocketAddr>()?);
    let (client, calls) = ctx.connect_through(proxy.address()).await?;
    let OutageRun { down, up, returned } = result_across_outage(
        ctx,
        &client,
        5,
        "outage-60",
        || match fault {
            Fault::Refuse => proxy.refuse(),
            Fault::Blackhole => proxy.blackhole(),
        },
        Duration::from_secs(60),
        || proxy.restore(),
    )
    .await?;
    let polls = calls.calls_of("GetWorkflowExecutionHistory");
    let failed: Vec<_> = polls.iter().filter_map(|c| c.failure).collect();
    println!(
        "FIGURES {}: result() across {:.1} s of {fault:?} returned {:.2} s after it ended; \
         {} polls, failures {failed:?}",
        ctx.runtime.name(),
        up.duration_since(down).as_secs_f64(),
        returned.duration_since(up).as_secs_f64(),
        polls.len()
    );
    Ok(())
}

/// 200 `result()` waiters on one client across a SIGKILL and restart of the server (with a
/// database file, so the workflows survive): every one returns its value.
pub(crate) async fn waiters_outlive_a_server_kill_and_restart(ctx: &Ctx) -> TestResult {
    const WAITERS: usize = 200;
    const SLEEP: u64 = 20;
    let server = DevServer::builder().persistent(true).try_start()?;
    let queue = ctx.id("kill-queue");
    let worker = PythonWorker::try_start(&server.address(), "default", &queue)?;
    let client = ctx
        .runtime
        .connect(ConnectOptions::new(server.address()).identity(ctx.identity()))
        .await?;
    let prefix = ctx.id("kill");
    let starts = (0..WAITERS).map(|i| {
        let options = StartWorkflowOptions::new(format!("{prefix}-{i}"), &queue);
        client
            .start_workflow("Sleep", (SLEEP,), options)
            .into_future()
    });
    let started = Instant::now();
    let mut handles: Vec<WorkflowHandle> = Vec::new();
    for handle in futures_util::future::join_all(starts).await {
        handles.push(handle?);
    }
    let starting = started.elapsed();
    let killed = Arc::new(AtomicBool::new(false));
    let crash = {
        let killed = killed.clone();
        let mut server = server;
        thread::spawn(move || {
            thread::sleep(Duration::from_secs(3));
            server.kill_hard();
            let killed_at = (Instant::now(), unix_now());
            killed.store(true, Ordering::SeqCst);
            let restarted = server.try_restart().map_err(|e| e.to_string());
            (server, restarted, killed_at, Instant::now())
        })
    };
    let waits = handles.iter().map(|handle| async move {
        let result: Result<f64, _> = handle.result().await;
        (result, Instant::now(), unix_now())
    });
    let results = futures_util::future::join_all(waits).await;
    let (server, restarted, (killed_at, killed_unix), restarted_at) = crash
        .join()
        .map_err(|_| fail("the crash thread panicked"))?;
    restarted.map_err(fail)?;
    assert!(killed.load(Ordering::SeqCst));
    let errors: Vec<String> = results
        .iter()
        .filter_map(|(r, _, _)| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors: {:?}",
        errors.len(),
        errors.first()
    );
    assert!(results
        .iter()
        .all(|(r, _, _)| matches!(r, Ok(v) if *v == SLEEP as f64)));
    let last = results
        .iter()
        .map(|(_, at, _)| *at)
        .max()
        .unwrap_or(restarted_at);
    // Every workflow was still running at the kill (so every waiter waited across it), and
    // each result came at most `lag` after its workflow closed (server time): the client's
    // own share of the wait, the rest being the server and the worker recovering.
    let mut lag = Duration::ZERO;
    for (handle, (_, _, returned)) in handles.iter().zip(&results) {
        let description = client
            .workflow_handle(handle.workflow_id())
            .describe()
            .await?;
        let closed = description.info.close_time.unwrap_or_default();
        assert!(
            closed > killed_unix,
            "{} closed before the kill",
            handle.workflow_id()
        );
        lag = lag.max(returned.saturating_sub(closed));
    }
    println!(
        "FIGURES {}: {WAITERS} waiters (started in {:.2} s) across SIGKILL + restart ({:.2} s \
         down): 0 errors, the last result {:.2} s after the restart, each at most {:.2} s \
         after its workflow closed",
        ctx.runtime.name(),
        starting.as_secs_f64(),
        restarted_at.duration_since(killed_at).as_secs_f64(),
        last.saturating_duration_since(restarted_at).as_secs_f64(),
        lag.as_secs_f64()
    );
    drop(worker);
    drop(server);
    Ok(())
}
