//! Connect to a Temporal server and start one `BenchWorkflow` with the official Rust client.
//!
//! `minimal-official [HOST:PORT]` (default 127.0.0.1:7233). Prints the run id.

use std::time::{SystemTime, UNIX_EPOCH};

use temporalio_client::{
    Client, ClientOptions, Connection, ConnectionOptions, Url, WorkflowStartOptions,
};
use temporalio_common::{HasWorkflowDefinition, WorkflowDefinition};

struct BenchWorkflow;

impl WorkflowDefinition for BenchWorkflow {
    type Input = serde_json::Value;
    type Output = serde_json::Value;
    fn name(&self) -> &str {
        "BenchWorkflow"
    }
}

impl HasWorkflowDefinition for BenchWorkflow {
    type Run = Self;
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
        let url = Url::parse(&format!("http://{address}")).map_err(|e| e.to_string())?;
        let connection = Connection::connect(ConnectionOptions::new(url).build())
            .await
            .map_err(|e| e.to_string())?;
        let client = Client::new(connection, ClientOptions::new("default").build())
            .map_err(|e| e.to_string())?;
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let id = format!("minimal-official-{}", t.as_nanos());
        let handle = client
            .start_workflow(
                BenchWorkflow,
                serde_json::json!({"n": 1, "note": "bench"}),
                WorkflowStartOptions::new("bench", id).build(),
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(handle.run_id().unwrap_or_default().to_string())
    });
    match result {
        Ok(run_id) => println!("started run {run_id}"),
        Err(e) => {
            eprintln!("minimal-official: {e}");
            std::process::exit(1);
        }
    }
}
