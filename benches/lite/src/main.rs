//! temporal-lite under the benchmark: the same calls as `benches/official`, made with the
//! public client API (`Client::start_workflow`, `WorkflowHandle::describe`,
//! `WorkflowHandle::fetch_history_page`) over the tokio adapter's HTTP/2 transport.
//!
//! temporal-lite never compresses; `--gzip on` is refused.

use bench_common::{run_ops, Args, Call, Op};
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
    let call = move |call: Call| {
        let client = client.clone();
        async move {
            match call.op {
                Op::Start => client
                    .start_workflow(
                        "BenchWorkflow",
                        (Arg {
                            n: call.n,
                            note: "bench",
                        },),
                        StartWorkflowOptions::new(call.workflow_id, "bench"),
                    )
                    .await
                    .map(drop),
                Op::Describe => client
                    .workflow_handle(call.workflow_id)
                    .describe()
                    .await
                    .map(drop),
                Op::History => client
                    .workflow_handle(call.workflow_id)
                    .fetch_history_page(&HistoryPageOptions::default())
                    .await
                    .map(drop),
            }
            .map_err(|e| e.to_string())
        }
    };
    run_ops(CLIENT, &args, call).await
}
