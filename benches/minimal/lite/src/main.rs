//! Connect to a Temporal server and start one `BenchWorkflow` with temporal-lite.
//!
//! `minimal-lite [HOST:PORT]` (default 127.0.0.1:7233). Prints the run id.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use temporal_lite_core::client::StartWorkflowOptions;
use temporal_lite_core::config::ConnectOptions;

#[derive(Serialize)]
struct Arg {
    n: usize,
    note: &'static str,
}

fn main() {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7233".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = rt.block_on(async {
        let options = ConnectOptions::new(address);
        let client = temporal_lite_tokio::connect(options).await.map_err(|e| e.to_string())?;
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let id = format!("minimal-lite-{}", t.as_nanos());
        let handle = client
            .start_workflow(
                "BenchWorkflow",
                (Arg {
                    n: 1,
                    note: "bench",
                },),
                StartWorkflowOptions::new(id, "bench"),
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(
            handle
                .first_execution_run_id()
                .unwrap_or_default()
                .to_string(),
        )
    });
    match result {
        Ok(run_id) => println!("started run {run_id}"),
        Err(e) => {
            eprintln!("minimal-lite: {e}");
            std::process::exit(1);
        }
    }
}
