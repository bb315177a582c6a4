//! gRPC [`Status`]es as the Temporal server sends them, typed details included.
//!
//! The server attaches a `temporal.api.errordetails.v1` message to many errors, packed in a
//! `google.protobuf.Any` inside a `google.rpc.Status` that travels (encoded) in the
//! `grpc-status-details-bin` trailer. The client reads those details to return specific
//! errors such as [`Error::WorkflowAlreadyStarted`](crate::client::Error::WorkflowAlreadyStarted),
//! so scripted errors need them too. Script these with
//! [`MethodScript::respond_status`](super::MethodScript::respond_status).

use alloc::format;
use alloc::string::String;
use alloc::vec;
use bytes::Bytes;
use prost::{Message, Name};
use temporal_lite_proto::google::protobuf::Any;
use temporal_lite_proto::google::rpc::Status as RpcStatus;
use temporal_lite_proto::temporal::api::errordetails::v1 as details;

use crate::grpc::{Code, Status};

/// A status with `code`, `message` and `detail` packed as the server packs details: a
/// `google.rpc.Status` with the same code and message whose `details` hold `detail` as an
/// `Any` (type URL `type.googleapis.com/<full name>`).
pub fn with_details<D: Message + Name>(
    code: Code,
    message: impl Into<String>,
    detail: &D,
) -> Status {
    let message = message.into();
    let rpc = RpcStatus {
        code: i32::try_from(code.0).unwrap_or(i32::MAX),
        message: message.clone(),
        details: vec![Any::from_msg(detail)],
    };
    Status {
        code,
        message,
        details: Bytes::from(rpc.encode_to_vec()),
    }
}

/// `ALREADY_EXISTS` with `WorkflowExecutionAlreadyStartedFailure` details: what a start
/// gets when the workflow id is held by run `run_id`.
///
/// The client turns it into
/// [`Error::WorkflowAlreadyStarted`](crate::client::Error::WorkflowAlreadyStarted).
pub fn already_started(workflow_id: &str, run_id: &str) -> Status {
    with_details(
        Code::ALREADY_EXISTS,
        format!(
            "Workflow execution is already running. WorkflowId: {workflow_id}, RunId: {run_id}."
        ),
        &details::WorkflowExecutionAlreadyStartedFailure {
            start_request_id: String::new(),
            run_id: String::from(run_id),
            first_execution_run_id: String::from(run_id),
        },
    )
}

/// `NOT_FOUND` with `NotFoundFailure` details, e.g. for a workflow execution that does not
/// exist (`"workflow execution not found"`). The client returns
/// [`Error::NotFound`](crate::client::Error::NotFound).
pub fn not_found(message: &str) -> Status {
    with_details(
        Code::NOT_FOUND,
        message,
        &details::NotFoundFailure {
            current_cluster: String::from("active"),
            active_cluster: String::from("active"),
        },
    )
}

/// `NOT_FOUND` with `NamespaceNotFoundFailure` details. The client returns
/// [`Error::NamespaceNotFound`](crate::client::Error::NamespaceNotFound).
pub fn namespace_not_found(namespace: &str) -> Status {
    with_details(
        Code::NOT_FOUND,
        format!("Namespace {namespace} is not found."),
        &details::NamespaceNotFoundFailure {
            namespace: String::from(namespace),
        },
    )
}

/// `PERMISSION_DENIED` with `PermissionDeniedFailure` details giving `reason`. The client
/// returns [`Error::PermissionDenied`](crate::client::Error::PermissionDenied).
pub fn permission_denied(message: &str, reason: &str) -> Status {
    with_details(
        Code::PERMISSION_DENIED,
        message,
        &details::PermissionDeniedFailure {
            reason: String::from(reason),
        },
    )
}

/// `UNAUTHENTICATED`, as for a missing, wrong or expired API key. The client returns
/// [`Error::Unauthenticated`](crate::client::Error::Unauthenticated).
pub fn unauthenticated(message: &str) -> Status {
    Status::new(Code::UNAUTHENTICATED, message)
}

/// `UNAVAILABLE`: the server (or a proxy) cannot take the call now. The client retries it.
pub fn unavailable(message: &str) -> Status {
    Status::new(Code::UNAVAILABLE, message)
}

/// `RESOURCE_EXHAUSTED`, as for a rate limit. The client retries it with a longer backoff.
pub fn resource_exhausted(message: &str) -> Status {
    Status::new(Code::RESOURCE_EXHAUSTED, message)
}
