//! Connect to a Temporal server and start one `BenchWorkflow` with the official Rust client.
//!
//! `minimal-official [HOST:PORT]` (default 127.0.0.1:7233). Prints the run id.

use std::error::Error;
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

// A current-thread runtime, as minimal/lite builds by hand (tokio's `macros` feature is
// already in the official client's graph, so the attribute costs this program nothing).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7233".into());
    let url = Url::parse(&format!("http://{address}"))?;
    let connection = Connection::connect(ConnectionOptions::new(url).build()).await?;
    let client = Client::new(connection, ClientOptions::new("default").build())?;
    let id = format!(
        "minimal-official-{}",
        SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos()
    );
    let options = WorkflowStartOptions::new("bench", id).build();
    let input = serde_json::json!({"n": 1, "note": "bench"});
    let handle = client.start_workflow(BenchWorkflow, input, options).await?;
    println!("started run {}", handle.run_id().unwrap_or_default());
    Ok(())
}
