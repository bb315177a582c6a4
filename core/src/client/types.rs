use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use temporal_lite_proto::google::protobuf::{Duration as ProtoDuration, Timestamp};
use temporal_lite_proto::temporal::api::common::v1 as common;
use temporal_lite_proto::temporal::api::workflow::v1 as workflow;
use temporal_lite_proto::temporal::api::workflowservice::v1::DescribeWorkflowExecutionResponse;

use super::failure::Failure;
use super::priority::Priority;
use super::search_attributes::SearchAttributeValue;
use crate::payload::{Payload, PayloadConverter, PayloadError};

/// Mirror of a proto enum as a Rust enum, with an `Other` variant so unknown values survive.
macro_rules! proto_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $value:literal => $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version of the crate does not know.
            Other(i32),
        }

        impl $name {
            /// The enum from its wire value.
            pub fn from_i32(value: i32) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Other(other),
                }
            }

            /// The wire value.
            pub fn as_i32(self) -> i32 {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Other(other) => other,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Self::$variant => f.write_str($text),)*
                    Self::Other(other) => write!(f, "unknown ({other})"),
                }
            }
        }
    };
}

proto_enum! {
    /// The status of a workflow execution.
    pub enum WorkflowStatus {
        /// The server did not say.
        Unspecified = 0 => "unspecified",
        /// Still running.
        Running = 1 => "running",
        /// Completed with a result.
        Completed = 2 => "completed",
        /// Failed.
        Failed = 3 => "failed",
        /// Canceled.
        Canceled = 4 => "canceled",
        /// Terminated.
        Terminated = 5 => "terminated",
        /// Continued as a new run.
        ContinuedAsNew = 6 => "continued as new",
        /// Timed out.
        TimedOut = 7 => "timed out",
        /// Paused.
        Paused = 8 => "paused",
    }
}

impl WorkflowStatus {
    /// Whether the execution is still open (running or paused).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }
}

proto_enum! {
    /// Whether and why a workflow (or activity) will or will not be retried.
    pub enum RetryState {
        /// The server did not say.
        Unspecified = 0 => "unspecified",
        /// A retry is scheduled.
        InProgress = 1 => "in progress",
        /// The failure was non-retryable.
        NonRetryableFailure = 2 => "non-retryable failure",
        /// The retry would exceed the execution timeout.
        Timeout = 3 => "timeout",
        /// The retry policy's maximum attempts were used up.
        MaximumAttemptsReached = 4 => "maximum attempts reached",
        /// No retry policy was set.
        RetryPolicyNotSet = 5 => "retry policy not set",
        /// The server failed internally.
        InternalServerError = 6 => "internal server error",
        /// Cancellation was requested.
        CancelRequested = 7 => "cancel requested",
    }
}

proto_enum! {
    /// Which timeout fired.
    pub enum TimeoutType {
        /// The server did not say.
        Unspecified = 0 => "unspecified",
        /// Start-to-close.
        StartToClose = 1 => "start-to-close",
        /// Schedule-to-start.
        ScheduleToStart = 2 => "schedule-to-start",
        /// Schedule-to-close.
        ScheduleToClose = 3 => "schedule-to-close",
        /// Heartbeat.
        Heartbeat = 4 => "heartbeat",
    }
}

proto_enum! {
    /// The state of a pending activity.
    pub enum PendingActivityState {
        /// The server did not say.
        Unspecified = 0 => "unspecified",
        /// Scheduled, not yet picked up by a worker.
        Scheduled = 1 => "scheduled",
        /// Running on a worker.
        Started = 2 => "started",
        /// Cancellation requested.
        CancelRequested = 3 => "cancel requested",
        /// Paused.
        Paused = 4 => "paused",
        /// Pause requested.
        PauseRequested = 5 => "pause requested",
    }
}

/// A workflow execution: id and run id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WorkflowExecutionRef {
    /// The workflow id.
    pub workflow_id: String,
    /// The run id.
    pub run_id: String,
}

impl From<common::WorkflowExecution> for WorkflowExecutionRef {
    fn from(execution: common::WorkflowExecution) -> Self {
        Self {
            workflow_id: execution.workflow_id,
            run_id: execution.run_id,
        }
    }
}

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

// Not derivable: the enum is generated by `proto_enum!`.
#[allow(clippy::derivable_impls)]
impl Default for WorkflowStatus {
    fn default() -> Self {
        Self::Unspecified
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
    /// Like `From<WorkflowExecutionInfo>`, copying only the fields kept.
    fn from_ref(info: &workflow::WorkflowExecutionInfo) -> Self {
        let execution = info.execution.as_ref();
        Self {
            workflow_id: execution.map(|e| e.workflow_id.clone()).unwrap_or_default(),
            run_id: execution.map(|e| e.run_id.clone()).unwrap_or_default(),
            workflow_type: info
                .r#type
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            status: WorkflowStatus::from_i32(info.status),
            task_queue: info.task_queue.clone(),
            start_time: info.start_time.as_ref().and_then(timestamp_to_duration),
            close_time: info.close_time.as_ref().and_then(timestamp_to_duration),
            execution_time: info.execution_time.as_ref().and_then(timestamp_to_duration),
            execution_duration: info
                .execution_duration
                .as_ref()
                .and_then(from_proto_duration),
            history_length: u64::try_from(info.history_length).unwrap_or(0),
            history_size_bytes: u64::try_from(info.history_size_bytes).unwrap_or(0),
            parent: info
                .parent_execution
                .clone()
                .map(WorkflowExecutionRef::from),
            first_run_id: info.first_run_id.clone(),
            memo: info
                .memo
                .as_ref()
                .map(|m| {
                    m.fields
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            search_attributes: info
                .search_attributes
                .as_ref()
                .map(|s| {
                    s.indexed_fields
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            priority: info.priority.as_ref().and_then(Priority::from_proto),
        }
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

/// A protobuf timestamp as time since the Unix epoch; `None` before 1970 or when invalid.
pub(crate) fn timestamp_to_duration(timestamp: &Timestamp) -> Option<Duration> {
    seconds_and_nanos(timestamp.seconds, timestamp.nanos)
}

/// A protobuf duration as a Rust one; `None` when negative or invalid.
pub(crate) fn from_proto_duration(duration: &ProtoDuration) -> Option<Duration> {
    seconds_and_nanos(duration.seconds, duration.nanos)
}

fn seconds_and_nanos(seconds: i64, nanos: i32) -> Option<Duration> {
    let seconds = u64::try_from(seconds).ok()?;
    let nanos = u32::try_from(nanos).ok()?;
    (nanos < 1_000_000_000).then(|| Duration::new(seconds, nanos))
}

/// A Rust duration as a protobuf one (saturating at `i64::MAX` seconds).
pub(crate) fn to_proto_duration(duration: Duration) -> ProtoDuration {
    ProtoDuration {
        seconds: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        // Always below 10^9, so it fits.
        nanos: duration.subsec_nanos() as i32,
    }
}
