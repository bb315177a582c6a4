//! The one StartWorkflowExecution request the programs that build requests themselves send.
//!
//! `benches/official` builds it with the official client's prost types and `mock-server`'s
//! floor and capture tools with temporal-lite-proto's; neither may link the other. So it is
//! defined once here, as a prost message holding only the fields the benchmark sets, under the
//! field numbers of `temporal.api.workflowservice.v1.StartWorkflowExecutionRequest`; its
//! encoding decodes into either program's full type.

use std::collections::BTreeMap;

use prost::Message;

use crate::json_arg;

/// `StartWorkflowExecutionRequest`, the benchmark's fields only.
#[derive(Clone, PartialEq, Message)]
pub struct StartRequest {
    /// Namespace.
    #[prost(string, tag = "1")]
    pub namespace: String,
    /// The workflow to start.
    #[prost(string, tag = "2")]
    pub workflow_id: String,
    /// Always `BenchWorkflow`.
    #[prost(message, optional, tag = "3")]
    pub workflow_type: Option<Name>,
    /// Always `bench`.
    #[prost(message, optional, tag = "4")]
    pub task_queue: Option<Name>,
    /// One JSON payload.
    #[prost(message, optional, tag = "5")]
    pub input: Option<Payloads>,
    /// The sending program.
    #[prost(string, tag = "9")]
    pub identity: String,
    /// Derived from the workflow id.
    #[prost(string, tag = "10")]
    pub request_id: String,
}

/// `WorkflowType` and `TaskQueue`: both carry their name under field 1.
#[derive(Clone, PartialEq, Message)]
pub struct Name {
    /// The name.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `Payloads`.
#[derive(Clone, PartialEq, Message)]
pub struct Payloads {
    /// The payloads.
    #[prost(message, repeated, tag = "1")]
    pub payloads: Vec<Payload>,
}

/// `Payload`.
#[derive(Clone, PartialEq, Message)]
pub struct Payload {
    /// `encoding` and the like.
    #[prost(btree_map = "string, bytes", tag = "1")]
    pub metadata: BTreeMap<String, Vec<u8>>,
    /// The encoded value.
    #[prost(bytes = "vec", tag = "2")]
    pub data: Vec<u8>,
}

impl StartRequest {
    /// The parts every call shares: no workflow id, request id or argument yet.
    pub fn template(namespace: &str, identity: &str) -> StartRequest {
        let name = |name: &str| {
            Some(Name {
                name: name.to_string(),
            })
        };
        let payload = Payload {
            metadata: BTreeMap::from([("encoding".to_string(), b"json/plain".to_vec())]),
            data: Vec::new(),
        };
        StartRequest {
            namespace: namespace.to_string(),
            workflow_id: String::new(),
            workflow_type: name("BenchWorkflow"),
            task_queue: name("bench"),
            input: Some(Payloads {
                payloads: vec![payload],
            }),
            identity: identity.to_string(),
            request_id: String::new(),
        }
    }

    /// The request of call `n`, starting `workflow_id`.
    pub fn for_call(&self, workflow_id: String, n: usize) -> StartRequest {
        let mut request = self.clone();
        request.request_id = request_id(&workflow_id);
        request.workflow_id = workflow_id;
        if let Some(payload) = request.input.as_mut().and_then(|i| i.payloads.first_mut()) {
            payload.data = json_arg(n).into_bytes();
        }
        request
    }
}

/// The request id sent with the start of `workflow_id`.
pub fn request_id(workflow_id: &str) -> String {
    format!("{workflow_id}-req")
}
