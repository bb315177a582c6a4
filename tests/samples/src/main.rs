//! The seed's samples, written as a user would with `temporal-lite-tokio` as the only
//! temporal-lite dependency: connect (from code, from a profile, or from the environment),
//! start the money-transfer workflow, wait for its result, describe it, and print its
//! history with readable event names.
//!
//! ```text
//! temporal-lite-samples code <address> <namespace>   # ConnectOptions in code
//! temporal-lite-samples profile <name>               # a profile of TEMPORAL_CONFIG_FILE
//! temporal-lite-samples env                          # TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...
//! ```
//!
//! The task queue is `SAMPLES_TASK_QUEUE` (default `money-transfer`); a worker serving the
//! `MoneyTransfer` workflow must poll it (tests/python/worker.py does).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;
use temporal_lite_tokio::{Client, ConnectOptions, Error, EventType, StartWorkflowOptions};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let client = match args.as_slice() {
        ["code", address, namespace] => {
            let options = ConnectOptions::new(*address).namespace(*namespace);
            temporal_lite_tokio::connect(options)
                .connect_timeout(Duration::from_secs(5))
                .await
        }
        ["profile", name] => temporal_lite_tokio::connect_profile(*name).await,
        ["env"] => temporal_lite_tokio::connect_from_env().await,
        _ => {
            eprintln!(
                "usage: temporal-lite-samples code <address> <namespace> | profile <name> | env"
            );
            std::process::exit(2);
        }
    };
    if let Err(error) = run(client).await {
        eprintln!("samples: {error}");
        std::process::exit(1);
    }
}

async fn run(client: Result<Client, Error>) -> Result<(), Error> {
    let client = client?;
    println!(
        "Connected to namespace {} as {}",
        client.namespace(),
        client.identity()
    );
    let task_queue =
        std::env::var("SAMPLES_TASK_QUEUE").unwrap_or_else(|_| String::from("money-transfer"));
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    // The worker's PaymentDetails, as JSON.
    let payment = json!({
        "source_account": "85-150",
        "target_account": "43-812",
        "amount": 250,
        "reference_id": format!("ref-{stamp}"),
    });
    let workflow_id = format!("pay-invoice-{stamp}");
    let options = StartWorkflowOptions::new(workflow_id.as_str(), task_queue);
    let handle = client
        .start_workflow("MoneyTransfer", (payment,), options)
        .await?;
    println!("Started MoneyTransfer {workflow_id}");

    let result: String = handle.result().await?;
    println!("Result: {result}");

    let description = handle.describe().await?;
    println!(
        "Described: type {}, status {}",
        description.info.workflow_type, description.info.status
    );

    println!("History:");
    for event in handle.fetch_history().await? {
        let name = EventType::try_from(event.event_type)
            .map(|kind| kind.as_str_name())
            .unwrap_or("UNKNOWN_EVENT");
        println!("  {:>3} {name}", event.event_id);
    }
    Ok(())
}
