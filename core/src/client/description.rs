//! What the server says about workflow executions: [`WorkflowInfo`] (listed or described),
//! [`WorkflowDescription`] (described), [`PendingActivity`].

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use temporal_lite_proto::google::protobuf::Duration as ProtoDuration;
use temporal_lite_proto::temporal::api::workflow::v1 as workflow;
use temporal_lite_proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionResponse;

use super::execution::WorkflowExecutionRef;
use super::failure::Failure;
use super::priority::Priority;
use super::proto_time::{from_proto_duration, timestamp_to_duration};
use super::search_attributes::SearchAttributeValue;
use super::status::{PendingActivityState, WorkflowStatus};
use crate::payload::{Payload, PayloadConverter, PayloadError};

/// What the server knows about one workflow execution: as listed, or as described.
///
/// Times are durations since the Unix epoch (`UNIX_EPOCH + t` with std).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkflowInfo {
    /// The workflow id.
    pub workflow_id: String,
    /// The run id.
    pub run_id: String,
    /// The workflow type name.
    pub workflow_type: String,
    /// Current status.
    pub status: WorkflowStatus,
    /// The task queue its workflow tasks go to.
    pub task_queue: String,
    /// When the execution started.
    pub start_time: Option<Duration>,
    /// When the execution closed; `None` while it is open.
    pub close_time: Option<Duration>,
    /// When the first workflow task was (or will be) scheduled, after any start delay or
    /// cron / retry backoff.
    pub execution_time: Option<Duration>,
    /// How long the closed execution ran.
    pub execution_duration: Option<Duration>,
    /// Number of events in its history.
    pub history_length: u64,
    /// Size of its history in bytes.
    pub history_size_bytes: u64,
    /// The parent workflow, for a child workflow.
    pub parent: Option<WorkflowExecutionRef>,
    /// The run id of the first execution in its continue-as-new / retry / cron chain.
    pub first_run_id: String,
    /// Memo fields, encoded.
    pub memo: BTreeMap<String, Payload>,
    /// Search attributes, encoded (JSON); read one with
    /// [`typed_search_attribute`](Self::typed_search_attribute).
    pub search_attributes: BTreeMap<String, Payload>,
    /// The priority it was started with, if any was set.
    pub priority: Option<Priority>,
}

impl WorkflowInfo {
    /// Search attribute `name` with its type, if the execution has it.
    pub fn typed_search_attribute(
        &self,
        name: &str,
    ) -> Option<Result<SearchAttributeValue, PayloadError>> {
        self.search_attributes
            .get(name)
            .map(SearchAttributeValue::from_payload)
    }
}

impl From<workflow::WorkflowExecutionInfo> for WorkflowInfo {
    fn from(info: workflow::WorkflowExecutionInfo) -> Self {
        let execution = info.execution.unwrap_or_default();
        Self {
            workflow_id: execution.workflow_id,
            run_id: execution.run_id,
            workflow_type: info.r#type.map(|t| t.name).unwrap_or_default(),
            status: WorkflowStatus::from_i32(info.status),
            task_queue: info.task_queue,
            start_time: info.start_time.as_ref().and_then(timestamp_to_duration),
            close_time: info.close_time.as_ref().and_then(timestamp_to_duration),
            execution_time: info.execution_time.as_ref().and_then(timestamp_to_duration),
            execution_duration: info
                .execution_duration
                .as_ref()
                .and_then(from_proto_duration),
            history_length: u64::try_from(info.history_length).unwrap_or(0),
            history_size_bytes: u64::try_from(info.history_size_bytes).unwrap_or(0),
            parent: info.parent_execution.map(WorkflowExecutionRef::from),
            first_run_id: info.first_run_id,
            memo: info
                .memo
                .map(|m| m.fields.into_iter().collect())
                .unwrap_or_default(),
            search_attributes: info
                .search_attributes
                .map(|s| s.indexed_fields.into_iter().collect())
                .unwrap_or_default(),
            priority: info.priority.as_ref().and_then(Priority::from_proto),
        }
    }
}

impl WorkflowInfo {
    /// Like `From<WorkflowExecutionInfo>`, copying only the fields it reads (not the reset
    /// points, callbacks and the rest a description also carries).
    fn from_ref(info: &workflow::WorkflowExecutionInfo) -> Self {
        Self::from(workflow::WorkflowExecutionInfo {
            execution: info.execution.clone(),
            r#type: info.r#type.clone(),
            status: info.status,
            task_queue: info.task_queue.clone(),
            start_time: info.start_time,
            close_time: info.close_time,
            execution_time: info.execution_time,
            execution_duration: info.execution_duration,
            history_length: info.history_length,
            history_size_bytes: info.history_size_bytes,
            parent_execution: info.parent_execution.clone(),
            first_run_id: info.first_run_id.clone(),
            memo: info.memo.clone(),
            search_attributes: info.search_attributes.clone(),
            priority: info.priority.clone(),
            ..Default::default()
        })
    }
}

/// An activity the workflow is waiting for.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingActivity {
    /// The activity id.
    pub activity_id: String,
    /// The activity type name.
    pub activity_type: String,
    /// Its state.
    pub state: PendingActivityState,
    /// The current attempt, from 1.
    pub attempt: u32,
    /// The retry policy's maximum attempts (0 = unlimited).
    pub maximum_attempts: u32,
    /// When it was scheduled.
    pub scheduled_time: Option<Duration>,
    /// When the current attempt started.
    pub last_started_time: Option<Duration>,
    /// When it last heartbeat.
    pub last_heartbeat_time: Option<Duration>,
    /// The failure of the previous attempt.
    pub last_failure: Option<Failure>,
    /// Identity of the worker that ran the last attempt.
    pub last_worker_identity: String,
    /// Details of the last heartbeat.
    pub heartbeat_details: Vec<Payload>,
}

impl From<workflow::PendingActivityInfo> for PendingActivity {
    fn from(info: workflow::PendingActivityInfo) -> Self {
        Self {
            activity_id: info.activity_id,
            activity_type: info.activity_type.map(|t| t.name).unwrap_or_default(),
            state: PendingActivityState::from_i32(info.state),
            attempt: u32::try_from(info.attempt).unwrap_or(0),
            maximum_attempts: u32::try_from(info.maximum_attempts).unwrap_or(0),
            scheduled_time: info.scheduled_time.as_ref().and_then(timestamp_to_duration),
            last_started_time: info
                .last_started_time
                .as_ref()
                .and_then(timestamp_to_duration),
            last_heartbeat_time: info
                .last_heartbeat_time
                .as_ref()
                .and_then(timestamp_to_duration),
            last_failure: info.last_failure.map(Failure::from_proto),
            last_worker_identity: info.last_worker_identity,
            heartbeat_details: info
                .heartbeat_details
                .map(|p| p.payloads)
                .unwrap_or_default(),
        }
    }
}

/// The answer to [`WorkflowHandle::describe`](super::WorkflowHandle::describe).
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowDescription {
    /// The execution itself: ids, type, status, times, memo, search attributes, ...
    pub info: WorkflowInfo,
    /// Activities the workflow is waiting for.
    pub pending_activities: Vec<PendingActivity>,
    /// Number of child workflows that are still open.
    pub pending_children: usize,
    /// The execution timeout it was started with.
    pub execution_timeout: Option<Duration>,
    /// The run timeout it was started with.
    pub run_timeout: Option<Duration>,
    /// The default workflow task timeout.
    pub task_timeout: Option<Duration>,
    /// The static summary it was started with (user metadata), decoded.
    pub static_summary: Option<String>,
    /// The static details it was started with (user metadata), decoded.
    pub static_details: Option<String>,
    raw: DescribeWorkflowExecutionResponse,
}

impl WorkflowDescription {
    /// The server's full answer, for fields this type does not surface (its memo, user
    /// metadata and pending activities' payloads already decoded by the client's codec).
    pub fn raw(&self) -> &DescribeWorkflowExecutionResponse {
        &self.raw
    }

    /// The status (shorthand for `info.status`).
    pub fn status(&self) -> WorkflowStatus {
        self.info.status
    }

    /// Fill in the static summary and details from the (codec-decoded) user metadata.
    pub(crate) fn decode_user_metadata(
        &mut self,
        converter: &dyn PayloadConverter,
    ) -> Result<(), PayloadError> {
        let metadata = self
            .raw
            .execution_config
            .as_ref()
            .and_then(|c| c.user_metadata.as_ref());
        let text = |payload: Option<&Payload>, what: &str| {
            payload
                .map(|p| {
                    crate::payload::decode::<String>(converter, p).map_err(|e| e.context(what))
                })
                .transpose()
        };
        let summary = text(metadata.and_then(|m| m.summary.as_ref()), "static summary")?;
        let details = text(metadata.and_then(|m| m.details.as_ref()), "static details")?;
        self.static_summary = summary;
        self.static_details = details;
        Ok(())
    }
}

impl From<DescribeWorkflowExecutionResponse> for WorkflowDescription {
    fn from(raw: DescribeWorkflowExecutionResponse) -> Self {
        let config = raw.execution_config.as_ref();
        let duration = |field: fn(&workflow::WorkflowExecutionConfig) -> Option<&ProtoDuration>| {
            config.and_then(field).and_then(from_proto_duration)
        };
        Self {
            // Copies only what `WorkflowInfo` keeps (the raw answer stays whole).
            info: raw
                .workflow_execution_info
                .as_ref()
                .map(WorkflowInfo::from_ref)
                .unwrap_or_default(),
            pending_activities: raw
                .pending_activities
                .iter()
                .cloned()
                .map(PendingActivity::from)
                .collect(),
            pending_children: raw.pending_children.len(),
            execution_timeout: duration(|c| c.workflow_execution_timeout.as_ref()),
            run_timeout: duration(|c| c.workflow_run_timeout.as_ref()),
            task_timeout: duration(|c| c.default_workflow_task_timeout.as_ref()),
            static_summary: None,
            static_details: None,
            raw,
        }
    }
}
