//! Unit tests of the client over [`MockTransport`] and its virtual clock ([`ManualClock`]):
//! scripted replies, recorded requests, and sleeps that advance virtual time at once, so
//! that [`block_on`] drives every future to completion.
//!
//! The split between the two homes of offline client tests: tests here (one file per
//! concept) may reach private items (`Call`, `CallOptions` internals, the metadata cache,
//! request ids) and test behaviour behind the API; tests of what a user can do with the
//! public API alone, over `testing::MockTransport`, live in `core/tests/` (e.g.
//! `client_offline.rs`, `call_options.rs`, `visibility.rs`).

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::future::IntoFuture;
use core::task::Poll;
use core::time::Duration;

use prost::Message;
use temporal_lite_proto::google::protobuf::Timestamp;
use temporal_lite_proto::temporal::api::common::v1::{
    ActivityType, Payloads, WorkflowExecution, WorkflowType,
};
use temporal_lite_proto::temporal::api::enums::v1::{
    HistoryEventFilterType, QueryRejectCondition as ProtoRejectCondition,
    WorkflowIdConflictPolicy as ProtoConflict, WorkflowIdReusePolicy as ProtoReuse,
};
use temporal_lite_proto::temporal::api::errordetails::v1 as details;
use temporal_lite_proto::temporal::api::failure::v1::{
    failure::FailureInfo, ActivityFailureInfo, ApplicationFailureInfo, Failure as ProtoFailure,
};
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
use temporal_lite_proto::temporal::api::history::v1::{
    History, WorkflowExecutionCanceledEventAttributes, WorkflowExecutionCompletedEventAttributes,
    WorkflowExecutionContinuedAsNewEventAttributes, WorkflowExecutionFailedEventAttributes,
    WorkflowExecutionTerminatedEventAttributes, WorkflowExecutionTimedOutEventAttributes,
};
use temporal_lite_proto::temporal::api::query::v1::QueryRejected;
use temporal_lite_proto::temporal::api::workflow::v1::{
    PendingActivityInfo, WorkflowExecutionInfo,
};
use temporal_lite_proto::temporal::api::workflowservice::v1::*;

use super::*;
use crate::config::ConnectOptions;
use crate::grpc::{self, Code, Status, TransportError, TransportErrorKind};
use crate::payload::RawBytes;
use crate::testing::{self, block_on, status, ManualClock, MockTransport};

// ---------------------------------------------------------------------------------------
// Test rig
// ---------------------------------------------------------------------------------------

/// A client over a [`MockTransport`] and its auto-advancing clock.
///
/// The helpers script replies that are used once each, in order per method, so that a test
/// can script more replies between calls.
struct Rig {
    mock: MockTransport,
    clock: Arc<ManualClock>,
    client: Client,
}

impl Rig {
    /// Answer the next call to `method` with `message`.
    fn ok<M: Message>(&self, method: &str, message: M) {
        self.mock.on(method).respond(message).times(1);
    }

    /// Answer the next call to `method` with a status.
    fn status(&self, method: &str, code: Code, message: &str) {
        self.mock
            .on(method)
            .respond_status(Status::new(code, message))
            .times(1);
    }

    /// Fail the next call to `method` below gRPC.
    fn fail(&self, method: &str, kind: TransportErrorKind) {
        self.mock.on(method).fail(failure(kind)).times(1);
    }

    /// The decoded bodies of every request to `method`.
    fn sent<M: Message + Default>(&self, method: &str) -> Vec<M> {
        self.mock
            .requests_for(method)
            .iter()
            .map(|r| r.decode().expect("request body decodes"))
            .collect()
    }
}

fn rig_with(options: ConnectOptions) -> Rig {
    let mock = MockTransport::new();
    Rig {
        clock: mock.clock(),
        client: mock.client(options),
        mock,
    }
}

fn rig() -> Rig {
    rig_with(
        ConnectOptions::new("localhost:7233")
            .namespace("orders-ns")
            .identity("tester@host"),
    )
}

/// Connect over `mock` as `Client::connect` would (a `GetSystemInfo` check unless lazy).
fn connect_over(mock: &MockTransport, options: ConnectOptions) -> Result<Client, Error> {
    block_on(Client::connect_with(
        Arc::new(mock.clone()),
        mock.clock(),
        options,
    ))
}

fn failure(kind: TransportErrorKind) -> TransportError {
    TransportError::new(kind, "scripted failure")
}

fn json_payloads(values: &[serde_json::Value]) -> Option<Payloads> {
    let converter = crate::payload::CompositePayloadConverter::default();
    Some(Payloads {
        payloads: values
            .iter()
            .map(|v| crate::payload::encode(&converter, v).unwrap())
            .collect(),
    })
}

fn history_page(events: Vec<HistoryEvent>, token: &[u8]) -> GetWorkflowExecutionHistoryResponse {
    GetWorkflowExecutionHistoryResponse {
        history: Some(History { events }),
        next_page_token: token.to_vec(),
        ..Default::default()
    }
}

fn close_page(attributes: Attributes) -> GetWorkflowExecutionHistoryResponse {
    history_page(
        vec![HistoryEvent {
            event_id: 9,
            attributes: Some(attributes),
            ..Default::default()
        }],
        b"",
    )
}

fn completed(value: serde_json::Value, new_run: &str) -> GetWorkflowExecutionHistoryResponse {
    close_page(Attributes::WorkflowExecutionCompletedEventAttributes(
        WorkflowExecutionCompletedEventAttributes {
            result: json_payloads(&[value]),
            new_execution_run_id: new_run.to_string(),
            ..Default::default()
        },
    ))
}

fn continued_as_new(new_run: &str) -> GetWorkflowExecutionHistoryResponse {
    close_page(Attributes::WorkflowExecutionContinuedAsNewEventAttributes(
        WorkflowExecutionContinuedAsNewEventAttributes {
            new_execution_run_id: new_run.to_string(),
            ..Default::default()
        },
    ))
}

fn started(run_id: &str) -> StartWorkflowExecutionResponse {
    StartWorkflowExecutionResponse {
        run_id: run_id.to_string(),
        started: true,
        ..Default::default()
    }
}

/// An event with only an id.
fn event_with_id(id: i64) -> HistoryEvent {
    HistoryEvent {
        event_id: id,
        ..Default::default()
    }
}

const START: &str = "StartWorkflowExecution";
const HISTORY: &str = "GetWorkflowExecutionHistory";

fn start_options() -> StartWorkflowOptions {
    StartWorkflowOptions::new("order-1", "orders")
}

mod deadline;
mod describe;
mod errors;
mod handle_calls;
mod headers;
mod result;
mod retries;
mod start;
