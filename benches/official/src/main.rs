//! The official Temporal Rust client (`temporalio-client` 1.1.1, tonic) under the benchmark.
//!
//! Calls go through `Connection`'s `WorkflowService` implementation: the raw gRPC methods
//! with the client's own interceptors (headers, namespace), retry layer and payload checks,
//! as an application using the official client gets them.

use std::sync::Arc;

use bench_common::{json_arg, request_id, run_ops, Args, Call, Op, StartRequest};
use prost::Message;
use temporalio_client::grpc::WorkflowService;
use temporalio_client::tonic::IntoRequest;
use temporalio_client::{Connection, ConnectionOptions, GrpcCompression, Url};
use temporalio_common::protos::temporal::api::common::v1::WorkflowExecution;
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

/// The StartWorkflowExecution request in the official client's types. Its shared parts come
/// from `bench_common::StartRequest` (the one definition every program that builds this
/// request uses) through the protobuf encoding, once, before any call; per call only the ids
/// and the argument are set, so the measured calls cost what building it by hand would.
struct StartTemplate(StartWorkflowExecutionRequest);

impl StartTemplate {
    fn new(namespace: &str) -> Result<StartTemplate, String> {
        let shared = StartRequest::template(namespace, IDENTITY).encode_to_vec();
        StartWorkflowExecutionRequest::decode(shared.as_slice())
            .map(StartTemplate)
            .map_err(|e| format!("start request template: {e}"))
    }

    fn for_call(&self, workflow_id: String, n: usize) -> StartWorkflowExecutionRequest {
        let mut request = self.0.clone();
        request.request_id = request_id(&workflow_id);
        request.workflow_id = workflow_id;
        if let Some(payload) = request.input.as_mut().and_then(|i| i.payloads.first_mut()) {
            payload.data = json_arg(n).into_bytes();
        }
        request
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
    let start = Arc::new(StartTemplate::new(&ns)?);
    let call = move |Call { op, n, workflow_id }: Call| {
        let mut c = conn.clone();
        let ns = ns.clone();
        let start = start.clone();
        async move {
            match op {
                Op::Start => {
                    let req = start.for_call(workflow_id, n);
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
