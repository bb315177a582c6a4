//! Connect to a Temporal server and start one `BenchWorkflow` with temporal-lite.
//!
//! `minimal-lite [HOST:PORT]` (default 127.0.0.1:7233). Prints the run id.

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use temporal_lite_core::client::StartWorkflowOptions;
use temporal_lite_core::config::ConnectOptions;

#[derive(Serialize)]
struct Arg {
    n: usize,
    note: &'static str,
}

fn main() -> Result<(), Box<dyn Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7233".into());
    // The runtime is built by hand: `#[tokio::main]` needs tokio's `macros` feature, which
    // would add tokio-macros to this program's crates though temporal-lite does not use it
    // (the official client's graph has it already, so minimal/official uses the attribute).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(start_one(address))
}

async fn start_one(address: String) -> Result<(), Box<dyn Error>> {
    let client = temporal_lite_tokio::connect(ConnectOptions::new(address)).await?;
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let arg = Arg {
        n: 1,
        note: "bench",
    };
    let options =
        StartWorkflowOptions::new(format!("minimal-lite-{}", since_epoch.as_nanos()), "bench");
    let handle = client
        .start_workflow("BenchWorkflow", (arg,), options)
        .await?;
    let run_id = handle.first_execution_run_id().unwrap_or_default();
    println!("started run {run_id}");
    Ok(())
}
