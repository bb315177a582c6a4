//! prost message types for the subset of the Temporal API that temporal-lite uses.
//!
//! The module tree is the one prost-build makes from the upstream packages, so paths read the
//! same as in other Temporal crates: `temporal::api::workflowservice::v1::StartWorkflowExecutionRequest`,
//! `temporal::api::history::v1::history_event::Attributes`, `google::rpc::Status`, and so on.
//! Enum-typed fields are `i32` (with typed getters such as `status()`), oneofs are `Option`s of
//! nested enums, maps are [`BTreeMap`](alloc::collections::BTreeMap)s and every message
//! implements [`prost::Name`] (type URLs use the `type.googleapis.com/` prefix).
//!
//! # What is covered
//!
//! The requests and responses of `GetSystemInfo`, `DescribeNamespace` (with a subset of
//! `temporal.api.namespace.v1`), `StartWorkflowExecution`,
//! `SignalWithStartWorkflowExecution`, `SignalWorkflowExecution`, `QueryWorkflow`,
//! `DescribeWorkflowExecution`, `GetWorkflowExecutionHistory` (with every history event),
//! `RequestCancelWorkflowExecution`, `TerminateWorkflowExecution`, `ListWorkflowExecutions` and
//! `CountWorkflowExecutions`; workflow update (`UpdateWorkflowExecution`,
//! `PollWorkflowExecutionUpdate`) and update-with-start (`ExecuteMultiOperation`); schedules
//! (`CreateSchedule`, `DescribeSchedule`, `UpdateSchedule`, `PatchSchedule`, `ListSchedules`,
//! `DeleteSchedule`, with `temporal.api.schedule.v1`); completing activities from outside a
//! worker (`RecordActivityTaskHeartbeat`, `RespondActivityTaskCompleted`, `...Failed`,
//! `...Canceled`, each also `...ById`); the search-attribute calls of the `OperatorService`
//! (`AddSearchAttributes`, `RemoveSearchAttributes`, `ListSearchAttributes`); the messages
//! they contain; the `temporal.api.errordetails.v1` messages and `google.rpc.Status` for error
//! details. Each field present has the upstream
//! name, number and type; a few deep fields the client never reads are left out (such as
//! `StartWorkflowExecutionResponse.eager_workflow_task`). Decoding skips fields unknown here,
//! keeps enum values unknown here as plain `i32`s and leaves a oneof `None` when the server
//! sends a variant unknown here, so a newer server never makes a message fail to decode.
//!
//! # How it is made
//!
//! The schema is the `.proto` files under `protos/` in this crate's source. The Rust code in
//! `src/generated/` is produced from them by `scripts/gen-proto` (prost-build plus `protoc`)
//! and checked in: building this crate needs neither `protoc` nor a build script, only
//! `prost` (derive) and `bytes`.
//!
//! # Crate features
//!
//! None. The crate is `#![no_std]` and needs `alloc`.
//!
//! # Example
//!
//! ```
//! use prost::Message;
//! use temporal_lite_proto::temporal::api::common::v1::WorkflowExecution;
//! use temporal_lite_proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionRequest;
//!
//! let request = DescribeWorkflowExecutionRequest {
//!     namespace: "default".into(),
//!     execution: Some(WorkflowExecution { workflow_id: "order-1".into(), run_id: String::new() }),
//! };
//! let bytes = request.encode_to_vec();
//! assert_eq!(DescribeWorkflowExecutionRequest::decode(bytes.as_slice()).unwrap(), request);
//! ```
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

#[allow(
    missing_docs,
    unreachable_pub,
    deprecated,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
mod generated {
    include!("generated/mod.rs");
}

pub use generated::{google, temporal};

mod any;
