//! Applying the client's [`PayloadCodec`](crate::payload::PayloadCodec) to every payload of a
//! request or a response.
//!
//! A call gathers mutable references to all payloads of its message ([`Slots`]) and passes
//! them through the codec in one batch; without a codec nothing is gathered or copied.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use temporal_lite_proto::temporal::api::common::v1::{Header, Memo, Payloads};
use temporal_lite_proto::temporal::api::failure::v1::failure::FailureInfo;
use temporal_lite_proto::temporal::api::failure::v1::Failure as ProtoFailure;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
use temporal_lite_proto::temporal::api::history::v1::HistoryEvent;
use temporal_lite_proto::temporal::api::sdk::v1::UserMetadata;
use temporal_lite_proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionResponse;

use super::failure::{Failure, FailureKind};
use super::{Client, Error};
use crate::payload::{Payload, PayloadError};

/// The payloads of one message that go through the codec together.
#[derive(Default)]
pub(crate) struct Slots<'a>(Vec<&'a mut Payload>);

impl<'a> Slots<'a> {
    pub(crate) fn new() -> Self {
        Self(Vec::new())
    }

    pub(crate) fn optional(&mut self, payload: Option<&'a mut Payload>) -> &mut Self {
        if let Some(payload) = payload {
            self.0.push(payload);
        }
        self
    }

    pub(crate) fn list(&mut self, payloads: &'a mut [Payload]) -> &mut Self {
        self.0.extend(payloads.iter_mut());
        self
    }

    pub(crate) fn payloads(&mut self, payloads: Option<&'a mut Payloads>) -> &mut Self {
        if let Some(payloads) = payloads {
            self.0.extend(payloads.payloads.iter_mut());
        }
        self
    }

    pub(crate) fn map(&mut self, map: &'a mut BTreeMap<String, Payload>) -> &mut Self {
        self.0.extend(map.values_mut());
        self
    }

    pub(crate) fn memo(&mut self, memo: Option<&'a mut Memo>) -> &mut Self {
        if let Some(memo) = memo {
            self.map(&mut memo.fields);
        }
        self
    }

    pub(crate) fn header(&mut self, header: Option<&'a mut Header>) -> &mut Self {
        if let Some(header) = header {
            self.map(&mut header.fields);
        }
        self
    }

    pub(crate) fn user_metadata(&mut self, metadata: Option<&'a mut UserMetadata>) -> &mut Self {
        if let Some(metadata) = metadata {
            self.optional(metadata.summary.as_mut());
            self.optional(metadata.details.as_mut());
        }
        self
    }

    /// The payloads of a workflow's close event: result, failure or details.
    pub(crate) fn close_event(&mut self, event: &'a mut HistoryEvent) -> &mut Self {
        match event.attributes.as_mut() {
            Some(Attributes::WorkflowExecutionCompletedEventAttributes(a)) => {
                self.payloads(a.result.as_mut());
            }
            Some(Attributes::WorkflowExecutionFailedEventAttributes(a)) => {
                self.failure(a.failure.as_mut());
            }
            Some(Attributes::WorkflowExecutionCanceledEventAttributes(a)) => {
                self.payloads(a.details.as_mut());
            }
            Some(Attributes::WorkflowExecutionTerminatedEventAttributes(a)) => {
                self.payloads(a.details.as_mut());
            }
            _ => {}
        }
        self
    }

    /// The payloads of a description: memo, user metadata, pending activities' heartbeat
    /// details and last failures.
    pub(crate) fn description(
        &mut self,
        response: &'a mut DescribeWorkflowExecutionResponse,
    ) -> &mut Self {
        let DescribeWorkflowExecutionResponse {
            workflow_execution_info,
            execution_config,
            pending_activities,
            ..
        } = response;
        if let Some(info) = workflow_execution_info.as_mut() {
            self.memo(info.memo.as_mut());
        }
        if let Some(config) = execution_config.as_mut() {
            self.user_metadata(config.user_metadata.as_mut());
        }
        for activity in pending_activities {
            self.payloads(activity.heartbeat_details.as_mut());
            self.failure(activity.last_failure.as_mut());
        }
        self
    }

    /// Every payload of a failure chain: encoded attributes and the details of each kind.
    pub(crate) fn failure(&mut self, failure: Option<&'a mut ProtoFailure>) -> &mut Self {
        let mut current = failure;
        while let Some(failure) = current {
            let ProtoFailure {
                encoded_attributes,
                failure_info,
                cause,
                ..
            } = failure;
            self.optional(encoded_attributes.as_mut());
            match failure_info {
                Some(FailureInfo::ApplicationFailureInfo(info)) => {
                    self.payloads(info.details.as_mut());
                }
                Some(FailureInfo::TimeoutFailureInfo(info)) => {
                    self.payloads(info.last_heartbeat_details.as_mut());
                }
                Some(FailureInfo::CanceledFailureInfo(info)) => {
                    self.payloads(info.details.as_mut());
                }
                Some(FailureInfo::ResetWorkflowFailureInfo(info)) => {
                    self.payloads(info.last_heartbeat_details.as_mut());
                }
                _ => {}
            }
            current = cause.as_deref_mut();
        }
        self
    }
}

/// The payloads of a failure already converted from the wire ([`Failure`]): details of each
/// kind, along the cause chain.
fn failure_details<'a>(slots: &mut Slots<'a>, failure: &'a mut Failure) {
    let mut current = Some(failure);
    while let Some(failure) = current {
        let Failure { kind, cause, .. } = failure;
        match kind {
            FailureKind::Application { details, .. } | FailureKind::Canceled { details } => {
                slots.list(details);
            }
            FailureKind::Timeout {
                last_heartbeat_details,
                ..
            } => {
                slots.list(last_heartbeat_details);
            }
            _ => {}
        }
        current = cause.as_deref_mut();
    }
}

/// Which way payloads go through the codec.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Encode,
    Decode,
}

impl Client {
    /// Encode `payloads` with this client's payload codec (unchanged without one).
    ///
    /// The typed calls do this themselves; use it for payloads you send with a
    /// [raw call](Client::raw_call).
    pub async fn encode_payloads(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, Error> {
        self.run_codec(payloads, Direction::Encode).await
    }

    /// Decode `payloads` with this client's payload codec (unchanged without one).
    ///
    /// The typed calls do this themselves; use it on payloads read from history events
    /// ([`WorkflowHandle::fetch_history`](super::WorkflowHandle::fetch_history)) or from a
    /// [raw call](Client::raw_call), before [`Client::decode`].
    pub async fn decode_payloads(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, Error> {
        self.run_codec(payloads, Direction::Decode).await
    }

    /// Decode the details of `failure` (already converted from the wire) in place.
    pub(crate) async fn decode_failure(&self, failure: &mut Failure) -> Result<(), Error> {
        let mut slots = Slots::new();
        failure_details(&mut slots, failure);
        self.decode_slots(slots).await
    }

    /// Encode the payloads in `slots` in place.
    pub(crate) async fn encode_slots(&self, slots: Slots<'_>) -> Result<(), Error> {
        self.transform_slots(slots, Direction::Encode).await
    }

    /// Decode the payloads in `slots` in place.
    pub(crate) async fn decode_slots(&self, slots: Slots<'_>) -> Result<(), Error> {
        self.transform_slots(slots, Direction::Decode).await
    }

    async fn transform_slots(&self, slots: Slots<'_>, direction: Direction) -> Result<(), Error> {
        if self.settings.codec.is_none() || slots.0.is_empty() {
            return Ok(());
        }
        let mut slots = slots.0;
        let payloads = slots
            .iter_mut()
            .map(|p| core::mem::take(&mut **p))
            .collect();
        let payloads = self.run_codec(payloads, direction).await?;
        for (slot, payload) in slots.into_iter().zip(payloads) {
            *slot = payload;
        }
        Ok(())
    }

    async fn run_codec(
        &self,
        payloads: Vec<Payload>,
        direction: Direction,
    ) -> Result<Vec<Payload>, Error> {
        let Some(codec) = self.settings.codec.as_ref() else {
            return Ok(payloads);
        };
        if payloads.is_empty() {
            return Ok(payloads);
        }
        let count = payloads.len();
        let (result, what) = match direction {
            Direction::Encode => (codec.encode(payloads).await, "encode"),
            Direction::Decode => (codec.decode(payloads).await, "decode"),
        };
        let output = result.map_err(|e| e.context(alloc::format!("payload codec ({what})")))?;
        if output.len() != count {
            return Err(Error::PayloadConversion(PayloadError::new(alloc::format!(
                "payload codec ({what}) returned {} payloads for {count}; a codec must return \
                 one payload per payload",
                output.len()
            ))));
        }
        Ok(output)
    }
}
