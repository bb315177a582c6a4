//! temporal-lite under the benchmark: the same calls as `benches/official`, made with the
//! public client API (`Client::start_workflow`, `WorkflowHandle::describe`,
//! `WorkflowHandle::fetch_history_page`) over the tokio adapter's HTTP/2 transport.
//!
//! temporal-lite never compresses; `--gzip on` is refused.

use std::sync::Arc;

use bench_common::{measure, report, Args, Ids, Op};
use serde::Serialize;
use temporal_lite_core::client::{Client, HistoryPageOptions, StartWorkflowOptions};
use temporal_lite_core::config::ConnectOptions;

const CLIENT: &str = "lite";

/// The workflow's one JSON argument: `{"n":N,"note":"bench"}`, as the other programs send.
#[derive(Serialize)]
struct Arg {
    n: usize,
    note: &'static str,
}

fn main() {
    let args = Args::parse();
    if args.gzip {
        eprintln!("lite: temporal-lite does not compress; use --gzip off");
        std::process::exit(2);
    }
    let rt = bench_common::runtime();
    if let Err(e) = rt.block_on(run(args)) {
        eprintln!("lite: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut options = ConnectOptions::new(args.target.clone());
    options.namespace = args.namespace.clone();
    options.identity = "bench@lite".into();
    let client: Client = temporal_lite_tokio::connect(options)
        .await
        .map_err(|e| format!("connect to {}: {e}", args.target))?;
    let ids = Arc::new(Ids::new(CLIENT));
    let mut started: Vec<String> = Vec::new();

    for &op in &args.ops {
        if op != Op::Start && started.is_empty() {
            // Something to describe: a few workflows, outside the measurement.
            for i in 0..args.calls.clamp(1, 64) {
                let id = ids.next();
                client
                    .start_workflow(
                        "BenchWorkflow",
                        (Arg {
                            n: i,
                            note: "bench",
                        },),
                        StartWorkflowOptions::new(id.clone(), "bench"),
                    )
                    .await
                    .map_err(|e| format!("seeding workflows: {e}"))?;
                started.push(id);
            }
        }
        let pool: Arc<Vec<String>> = Arc::new(started.clone());
        let make = {
            let client = client.clone();
            let ids = ids.clone();
            move |i: usize| {
                let client = client.clone();
                let ids = ids.clone();
                let pool = pool.clone();
                async move {
                    match op {
                        Op::Start => client
                            .start_workflow(
                                "BenchWorkflow",
                                (Arg {
                                    n: i,
                                    note: "bench",
                                },),
                                StartWorkflowOptions::new(ids.next(), "bench"),
                            )
                            .await
                            .map(drop),
                        Op::Describe => client
                            .workflow_handle(pool[i % pool.len()].as_str())
                            .describe()
                            .await
                            .map(drop),
                        Op::History => client
                            .workflow_handle(pool[i % pool.len()].as_str())
                            .fetch_history_page(&HistoryPageOptions::default())
                            .await
                            .map(drop),
                    }
                    .map_err(|e| e.to_string())
                }
            }
        };
        if args.warmup > 0 {
            let _ = measure(args.warmup, args.concurrency, make.clone()).await;
        }
        let first = ids.count();
        let figures = measure(args.calls, args.concurrency, make).await;
        if op == Op::Start {
            // Later phases describe the workflows this one started.
            started = ids.since(first);
        }
        report(CLIENT, &args, op, &figures);
    }
    Ok(())
}
