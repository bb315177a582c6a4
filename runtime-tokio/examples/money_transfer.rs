//! The money-transfer tutorial, client side: start a `MoneyTransfer` workflow hosted by a
//! worker in any language, show what the server knows about it, and wait for its result.
//!
//! Connection settings come from Temporal's environment configuration: the `default` profile
//! of the config file (or `TEMPORAL_PROFILE`), overridden by `TEMPORAL_ADDRESS`,
//! `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, ... and `localhost:7233` / `default` otherwise.
//!
//! `bash scripts/demo.sh` starts a dev server and the Python worker and runs this.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use temporal_lite_tokio::client::{Error, HistoryEventExt, StartWorkflowOptions};

const TASK_QUEUE: &str = "money-transfer";

#[derive(Serialize)]
struct PaymentDetails {
    source_account: String,
    target_account: String,
    amount: u64,
    reference_id: String,
}

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("money_transfer: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Error> {
    let client = temporal_lite_tokio::connect_from_env().await?;
    println!("Connected, namespace `{}`", client.namespace());

    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or_default();
    let reference_id = format!("ref-{stamp}");
    let payment = PaymentDetails {
        source_account: "85-150".into(),
        target_account: "43-812".into(),
        amount: 250,
        reference_id: reference_id.clone(),
    };
    let workflow_id = format!("pay-invoice-{stamp}");
    let options = StartWorkflowOptions::new(workflow_id.as_str(), TASK_QUEUE);
    let handle = client
        .start_workflow("MoneyTransfer", (payment,), options)
        .await?;
    println!(
        "Started MoneyTransfer: workflow id {workflow_id}, run id {}",
        handle.result_run_id().unwrap_or("?")
    );

    let description = handle.describe().await?;
    let info = &description.info;
    println!(
        "Described: type {}, task queue {}, status {}",
        info.workflow_type, info.task_queue, info.status
    );

    let result: String = handle.result().await?;
    println!("Result: {result}");

    println!("History:");
    for event in handle.fetch_history().await? {
        println!("  {:>3} {}", event.event_id, event.event_type_name());
    }
    Ok(())
}
