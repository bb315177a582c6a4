//! The official Temporal Rust client (`temporalio-client` 1.1.1, tonic) under the benchmark.
//!
//! Calls go through `Connection`'s `WorkflowService` implementation: the raw gRPC methods
//! with the client's own interceptors (headers, namespace), retry layer and payload checks,
//! as an application using the official client gets them.

use std::collections::HashMap;
use std::sync::Arc;

use bench_common::{json_arg, run_ops, Args, Call, Op};
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
const IDENTITY: &str = "bench@official";

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
        identity: IDENTITY.into(),
        ..Default::default()
    }
}

/// The latest run of `workflow_id`.
fn execution(workflow_id: String) -> Option<WorkflowExecution> {
    Some(WorkflowExecution {
        workflow_id,
        run_id: String::new(),
    })
}

async fn run(args: Args) -> Result<(), String> {
    let url = Url::parse(&format!("http://{}", args.target)).map_err(|e| e.to_string())?;
    let opts = ConnectionOptions::new(url)
        .identity(IDENTITY.to_string())
        .grpc_compression(if args.gzip {
            GrpcCompression::Gzip
        } else {
            GrpcCompression::None
        })
        .build();
    let conn = Connection::connect(opts)
        .await
        .map_err(|e| format!("connect to {}: {e}", args.target))?;
    let ns: Arc<str> = args.namespace.as_str().into();
    let call = move |Call { op, n, workflow_id }: Call| {
        let mut c = conn.clone();
        let ns = ns.clone();
        async move {
            match op {
                Op::Start => {
                    let req = start_request(&ns, workflow_id, n);
                    c.start_workflow_execution(req.into_request())
                        .await
                        .map(drop)
                }
                Op::Describe => {
                    let req = DescribeWorkflowExecutionRequest {
                        namespace: ns.to_string(),
                        execution: execution(workflow_id),
                    };
                    c.describe_workflow_execution(req.into_request())
                        .await
                        .map(drop)
                }
                Op::History => {
                    let req = GetWorkflowExecutionHistoryRequest {
                        namespace: ns.to_string(),
                        execution: execution(workflow_id),
                        ..Default::default()
                    };
                    c.get_workflow_execution_history(req.into_request())
                        .await
                        .map(drop)
                }
            }
            .map_err(|s| format!("{:?}: {}", s.code(), s.message()))
        }
    };
    run_ops(CLIENT, &args, call).await
}
