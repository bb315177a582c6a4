//! What the tests share: a codec that marks what it encoded, clients, payload helpers.

pub(crate) use std::sync::Arc;

pub(crate) use async_trait::async_trait;
pub(crate) use prost::Message;
pub(crate) use temporal_lite_core::client::{
    ApplicationFailure, Client, Error, FailureKind, IntervalSpec, Schedule, ScheduleAction,
    ScheduleSpec, SearchAttributeValue, Service, StartWorkflowOptions, UpdateErrorKind,
    UpdateOptions, UpdateStage, WithStartWorkflowOperation, WorkflowIdConflictPolicy,
};
pub(crate) use temporal_lite_core::config::ConnectOptions;
pub(crate) use temporal_lite_core::grpc::Code;
pub(crate) use temporal_lite_core::payload::{
    payload_encoding, Payload, PayloadCodec, PayloadError, Payloads,
};
pub(crate) use temporal_lite_core::testing::{block_on, status, MockTransport};
pub(crate) use temporal_lite_proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;
pub(crate) use temporal_lite_proto::temporal::api::errordetails::v1::{
    multi_operation_execution_failure::OperationStatus, MultiOperationExecutionFailure,
    WorkflowExecutionAlreadyStartedFailure,
};
pub(crate) use temporal_lite_proto::temporal::api::failure::v1::{
    failure::FailureInfo, ApplicationFailureInfo, Failure as ProtoFailure,
    MultiOperationExecutionAborted,
};
pub(crate) use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
pub(crate) use temporal_lite_proto::temporal::api::history::v1::{
    History, HistoryEvent, WorkflowExecutionFailedEventAttributes,
};
pub(crate) use temporal_lite_proto::temporal::api::update::v1::{outcome, Outcome};
pub(crate) use temporal_lite_proto::temporal::api::workflow::v1::{
    PendingActivityInfo, WorkflowExecutionInfo,
};
pub(crate) use temporal_lite_proto::temporal::api::workflowservice::v1 as ws;

/// Wraps each payload in another whose encoding is `test/wrapped` (the data is the
/// original payload, serialized), and unwraps those on decode.
pub(crate) struct Wrap;

pub(crate) const WRAPPED: &str = "test/wrapped";

pub(crate) fn wrap(payload: &Payload) -> Payload {
    let mut out = Payload {
        data: payload.encode_to_vec(),
        ..Default::default()
    };
    out.metadata
        .insert("encoding".into(), WRAPPED.as_bytes().to_vec());
    out
}

#[async_trait]
impl PayloadCodec for Wrap {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
        Ok(payloads.iter().map(wrap).collect())
    }

    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
        payloads
            .into_iter()
            .map(|p| match payload_encoding(&p) {
                Some(WRAPPED) => {
                    Payload::decode(p.data.as_slice()).map_err(|e| PayloadError::new(e.to_string()))
                }
                _ => Ok(p),
            })
            .collect()
    }
}

pub(crate) fn client(mock: &MockTransport) -> Client {
    mock.client(ConnectOptions::new("localhost:7233").namespace("shop"))
        .with_payload_codec(Some(Arc::new(Wrap)))
}

/// The payload `value` encodes to, as the default converter writes it, then wrapped.
pub(crate) fn wrapped_json(value: &serde_json::Value) -> Payload {
    let plain = Client::new(
        Arc::new(MockTransport::new()),
        MockTransport::new().clock(),
        ConnectOptions::new("x"),
    )
    .encode(value)
    .unwrap();
    wrap(&plain)
}

pub(crate) fn assert_wrapped(payloads: &[&Payload], what: &str) {
    assert!(!payloads.is_empty(), "{what}: no payloads");
    for payload in payloads {
        assert_eq!(
            payload_encoding(payload),
            Some(WRAPPED),
            "{what}: {payload:?}"
        );
    }
}

/// Like [`assert_wrapped`], for a message's optional list of payloads (which must be set).
pub(crate) fn assert_list_wrapped(payloads: Option<&Payloads>, what: &str) {
    let payloads = payloads.unwrap_or_else(|| panic!("{what}: no payload list"));
    assert_wrapped(&payloads.payloads.iter().collect::<Vec<_>>(), what);
}

pub(crate) fn app_failure(message: &str, detail: Payload) -> ProtoFailure {
    ProtoFailure {
        message: message.into(),
        failure_info: Some(FailureInfo::ApplicationFailureInfo(
            ApplicationFailureInfo {
                r#type: "E".into(),
                details: Some(Payloads {
                    payloads: vec![detail],
                }),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

pub(crate) fn update_response(
    stage: Stage,
    value: Option<outcome::Value>,
) -> ws::UpdateWorkflowExecutionResponse {
    ws::UpdateWorkflowExecutionResponse {
        stage: stage as i32,
        outcome: value.map(|v| Outcome { value: Some(v) }),
        ..Default::default()
    }
}

pub(crate) fn prost_types_any<M: prost::Name>(
    message: &M,
) -> temporal_lite_proto::google::protobuf::Any {
    temporal_lite_proto::google::protobuf::Any::from_msg(message)
}
