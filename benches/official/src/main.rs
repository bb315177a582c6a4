//! The official Temporal Rust client (`temporalio-client` 1.1.1, tonic) under the benchmark.
//!
//! Calls go through `Connection`'s `WorkflowService` implementation: the raw gRPC methods
//! with the client's own interceptors (headers, namespace), retry layer and payload checks,
//! as an application using the official client gets them.

use std::collections::HashMap;
use std::sync::Arc;

use bench_common::{json_arg, measure, report, Args, Ids, Op};
use temporalio_client::grpc::WorkflowService;
use temporalio_client::tonic::IntoRequest;
use temporalio_client::{Connection, ConnectionOptions, GrpcCompression, Url};
use temporalio_common::protos::temporal::api::common::v1::{
    Payload, Payloads, WorkflowExecution, WorkflowType,
};
use temporalio_common::protos::temporal::api::taskqueue::v1::TaskQueue;
use temporalio_common::protos::temporal::api::workflowservice::v1::{
    DescribeWorkflowExecutionRequest, GetWorkflowExecutionHistoryRequest,
    StartWorkflowExecutionRequest,
};

const CLIENT: &str = "official";

fn main() {
    let args = Args::parse();
    let rt = bench_common::runtime();
    if let Err(e) = rt.block_on(run(args)) {
        eprintln!("official: {e}");
        std::process::exit(1);
    }
}

fn start_request(ns: &str, id: String, n: usize) -> StartWorkflowExecutionRequest {
    let mut metadata = HashMap::new();
    metadata.insert("encoding".to_string(), b"json/plain".to_vec());
    StartWorkflowExecutionRequest {
        namespace: ns.to_string(),
        request_id: format!("{id}-req"),
        workflow_id: id,
        workflow_type: Some(WorkflowType {
            name: "BenchWorkflow".into(),
        }),
        task_queue: Some(TaskQueue {
            name: "bench".into(),
            ..Default::default()
        }),
        input: Some(Payloads {
            payloads: vec![Payload {
                metadata,
                data: json_arg(n).into_bytes(),
                ..Default::default()
            }],
        }),
        identity: "bench@official".into(),
        ..Default::default()
    }
}

async fn run(args: Args) -> Result<(), String> {
    let url = Url::parse(&format!("http://{}", args.target)).map_err(|e| e.to_string())?;
    let opts = ConnectionOptions::new(url)
        .identity("bench@official".to_string())
        .grpc_compression(if args.gzip {
            GrpcCompression::Gzip
        } else {
            GrpcCompression::None
        })
        .build();
    let conn = Connection::connect(opts)
        .await
        .map_err(|e| format!("connect to {}: {e}", args.target))?;
    let ids = Arc::new(Ids::new(CLIENT));
    let ns: Arc<str> = args.namespace.as_str().into();
    // Ids started so far; describe and history cycle through them.
    let mut started: Vec<String> = Vec::new();

    for &op in &args.ops {
        if op != Op::Start && started.is_empty() {
            // Something to describe: a few workflows, outside the measurement.
            let n = args.calls.clamp(1, 64);
            for i in 0..n {
                let id = ids.next();
                let mut c = conn.clone();
                c.start_workflow_execution(start_request(&ns, id.clone(), i).into_request())
                    .await
                    .map_err(|e| format!("seeding workflows: {e}"))?;
                started.push(id);
            }
        }
        let pool: Arc<Vec<String>> = Arc::new(started.clone());
        let make = {
            let conn = conn.clone();
            let ns = ns.clone();
            let ids = ids.clone();
            move |i: usize| {
                let mut c = conn.clone();
                let ns = ns.clone();
                let ids = ids.clone();
                let pool = pool.clone();
                async move {
                    match op {
                        Op::Start => {
                            let id = ids.next();
                            c.start_workflow_execution(start_request(&ns, id, i).into_request())
                                .await
                                .map(drop)
                        }
                        Op::Describe => {
                            let req = DescribeWorkflowExecutionRequest {
                                namespace: ns.to_string(),
                                execution: Some(WorkflowExecution {
                                    workflow_id: pool[i % pool.len()].clone(),
                                    run_id: String::new(),
                                }),
                            };
                            c.describe_workflow_execution(req.into_request())
                                .await
                                .map(drop)
                        }
                        Op::History => {
                            let req = GetWorkflowExecutionHistoryRequest {
                                namespace: ns.to_string(),
                                execution: Some(WorkflowExecution {
                                    workflow_id: pool[i % pool.len()].clone(),
                                    run_id: String::new(),
                                }),
                                ..Default::default()
                            };
                            c.get_workflow_execution_history(req.into_request())
                                .await
                                .map(drop)
                        }
                    }
                    .map_err(|s| format!("{:?}: {}", s.code(), s.message()))
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
