//! What a schedule does when its time comes, and the policies and state around it.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use temporal_lite_proto::temporal::api::enums::v1::ScheduleOverlapPolicy as ProtoOverlap;
use temporal_lite_proto::temporal::api::schedule::v1 as proto;
use temporal_lite_proto::temporal::api::workflow::v1::NewWorkflowExecutionInfo;

use crate::client::codec::Slots;
use crate::client::priority::Priority;
use crate::client::proto_time::{from_proto_duration, to_proto_duration};
use crate::client::start::new_execution;
use crate::client::{Client, Error, RetryPolicy, StartWorkflowOptions};
use crate::payload::{PayloadError, ToValue, Value};

/// What a schedule does each time: start a workflow.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ScheduleAction {
    /// Start a workflow.
    StartWorkflow(ScheduleStartWorkflow),
}

impl ScheduleAction {
    /// Start workflow `workflow_type` with `options` (see [`ScheduleStartWorkflow`]); add
    /// arguments with [`ScheduleStartWorkflow::arg`].
    pub fn start_workflow(
        workflow_type: impl Into<String>,
        options: StartWorkflowOptions,
    ) -> ScheduleStartWorkflow {
        ScheduleStartWorkflow {
            workflow_type: workflow_type.into(),
            args: Vec::new(),
            options,
            conversion_error: None,
        }
    }
}

/// The workflow a schedule starts.
///
/// `options.id` is the workflow id prefix: the server appends the scheduled time to it for
/// each run. `options.id_reuse_policy`, `cron_schedule` and `start_delay` do not apply to
/// scheduled workflows; setting them fails the call.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleStartWorkflow {
    /// The workflow type.
    pub workflow_type: String,
    /// Its arguments. In a description they are [`Value::Payload`]s (codec-decoded), to be
    /// read with [`Client::decode`].
    pub args: Vec<Value>,
    /// Its start options.
    pub options: StartWorkflowOptions,
    conversion_error: Option<PayloadError>,
}

impl ScheduleStartWorkflow {
    /// Add an argument. A value that cannot be converted fails the call.
    pub fn arg(mut self, value: &(impl ToValue + ?Sized)) -> Self {
        match value.to_value() {
            Ok(value) => self.args.push(value),
            Err(e) if self.conversion_error.is_none() => {
                self.conversion_error = Some(e.context("schedule workflow argument"))
            }
            Err(_) => {}
        }
        self
    }

    pub(crate) async fn to_proto(&self, client: &Client) -> Result<proto::ScheduleAction, Error> {
        if let Some(error) = &self.conversion_error {
            return Err(Error::PayloadConversion(error.clone()));
        }
        let options = &self.options;
        if options.id_reuse_policy.is_some()
            || options.id_conflict_policy.is_some()
            || options.cron_schedule.is_some()
            || options.start_delay.is_some()
        {
            return Err(Error::invalid(
                "a schedule's workflow takes no id reuse or conflict policy, cron schedule or \
                 start delay: the schedule decides when and how it starts",
            ));
        }
        let mut fields = client.start_fields(&self.workflow_type, &self.args, options)?;
        client.encode_start_fields(&mut fields).await?;
        let info = new_execution!(NewWorkflowExecutionInfo, fields, {});
        Ok(proto::ScheduleAction {
            action: Some(proto::schedule_action::Action::StartWorkflow(info)),
        })
    }

    /// The action of a description, with its payloads decoded by the client's codec.
    pub(crate) async fn from_proto(
        client: &Client,
        mut info: NewWorkflowExecutionInfo,
    ) -> Result<Self, Error> {
        let mut slots = Slots::new();
        slots
            .payloads(info.input.as_mut())
            .memo(info.memo.as_mut())
            .header(info.header.as_mut())
            .user_metadata(info.user_metadata.as_mut());
        client.decode_slots(slots).await?;
        let payload_map = |fields: Option<_>| -> alloc::collections::BTreeMap<String, Value> {
            fields
                .map(|m: alloc::collections::BTreeMap<String, _>| {
                    m.into_iter().map(|(k, v)| (k, Value::Payload(v))).collect()
                })
                .unwrap_or_default()
        };
        let text = |p: Option<&crate::payload::Payload>| -> Result<Option<String>, Error> {
            p.map(|p| client.decode::<String>(p)).transpose()
        };
        let metadata = info.user_metadata.as_ref();
        let mut options = StartWorkflowOptions::new(
            info.workflow_id,
            info.task_queue.map(|t| t.name).unwrap_or_default(),
        );
        options.execution_timeout = info
            .workflow_execution_timeout
            .as_ref()
            .and_then(from_proto_duration);
        options.run_timeout = info
            .workflow_run_timeout
            .as_ref()
            .and_then(from_proto_duration);
        options.task_timeout = info
            .workflow_task_timeout
            .as_ref()
            .and_then(from_proto_duration);
        options.retry_policy = info.retry_policy.as_ref().map(RetryPolicy::from_proto);
        options.static_summary = text(metadata.and_then(|m| m.summary.as_ref()))?;
        options.static_details = text(metadata.and_then(|m| m.details.as_ref()))?;
        options.priority = info.priority.as_ref().and_then(Priority::from_proto);
        options.memo = payload_map(info.memo.map(|m| m.fields));
        options.headers = payload_map(info.header.map(|h| h.fields));
        options.search_attributes = payload_map(info.search_attributes.map(|s| s.indexed_fields));
        Ok(Self {
            workflow_type: info.workflow_type.map(|t| t.name).unwrap_or_default(),
            args: info
                .input
                .map(|p| p.payloads.into_iter().map(Value::Payload).collect())
                .unwrap_or_default(),
            options,
            conversion_error: None,
        })
    }
}

/// What the schedule does when an action is due while the workflow it started last is
/// still running.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScheduleOverlapPolicy {
    /// Do not start it (the server default).
    #[default]
    Skip,
    /// Start it when the running one closes; at most one waits.
    BufferOne,
    /// Start each in turn as the previous one closes.
    BufferAll,
    /// Ask the running one to cancel, then start.
    CancelOther,
    /// Terminate the running one, then start.
    TerminateOther,
    /// Start it alongside.
    AllowAll,
}

impl ScheduleOverlapPolicy {
    pub(crate) fn to_proto(self) -> i32 {
        (match self {
            Self::Skip => ProtoOverlap::Skip,
            Self::BufferOne => ProtoOverlap::BufferOne,
            Self::BufferAll => ProtoOverlap::BufferAll,
            Self::CancelOther => ProtoOverlap::CancelOther,
            Self::TerminateOther => ProtoOverlap::TerminateOther,
            Self::AllowAll => ProtoOverlap::AllowAll,
        }) as i32
    }

    pub(crate) fn from_proto(value: i32) -> Self {
        match ProtoOverlap::try_from(value) {
            Ok(ProtoOverlap::BufferOne) => Self::BufferOne,
            Ok(ProtoOverlap::BufferAll) => Self::BufferAll,
            Ok(ProtoOverlap::CancelOther) => Self::CancelOther,
            Ok(ProtoOverlap::TerminateOther) => Self::TerminateOther,
            Ok(ProtoOverlap::AllowAll) => Self::AllowAll,
            _ => Self::Skip,
        }
    }
}

/// How a schedule handles overlaps, missed times and failures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchedulePolicy {
    /// What to do when the previous workflow is still running.
    pub overlap: ScheduleOverlapPolicy,
    /// How late (after an outage of the server) a missed action is still taken; older ones
    /// are skipped. `None` uses the server default (one year).
    pub catchup_window: Option<Duration>,
    /// Pause the schedule when a workflow it started fails.
    pub pause_on_failure: bool,
    /// Start workflows with the id given, without appending the scheduled time.
    pub keep_original_workflow_id: bool,
}

impl SchedulePolicy {
    pub(crate) fn to_proto(&self) -> proto::SchedulePolicies {
        proto::SchedulePolicies {
            overlap_policy: self.overlap.to_proto(),
            catchup_window: self.catchup_window.map(to_proto_duration),
            pause_on_failure: self.pause_on_failure,
            keep_original_workflow_id: self.keep_original_workflow_id,
        }
    }

    pub(crate) fn from_proto(policies: proto::SchedulePolicies) -> Self {
        Self {
            overlap: ScheduleOverlapPolicy::from_proto(policies.overlap_policy),
            catchup_window: policies
                .catchup_window
                .as_ref()
                .and_then(from_proto_duration),
            pause_on_failure: policies.pause_on_failure,
            keep_original_workflow_id: policies.keep_original_workflow_id,
        }
    }
}

/// Whether a schedule runs, and how many more actions it may take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleState {
    /// A note on the state (why it is paused, ...).
    pub note: String,
    /// Paused: no action is taken until it is unpaused.
    pub paused: bool,
    /// How many more actions it takes; `None` for no limit.
    pub remaining_actions: Option<u64>,
}

impl ScheduleState {
    pub(crate) fn to_proto(&self) -> proto::ScheduleState {
        proto::ScheduleState {
            notes: self.note.clone(),
            paused: self.paused,
            limited_actions: self.remaining_actions.is_some(),
            remaining_actions: self
                .remaining_actions
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
                .unwrap_or(0),
        }
    }

    pub(crate) fn from_proto(state: proto::ScheduleState) -> Self {
        Self {
            note: state.notes,
            paused: state.paused,
            remaining_actions: state
                .limited_actions
                .then(|| u64::try_from(state.remaining_actions).unwrap_or(0)),
        }
    }
}

/// Take the actions a schedule would have taken between two times (since the Unix epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleBackfill {
    /// From this time (exclusive).
    pub start_at: Duration,
    /// To this time (inclusive).
    pub end_at: Duration,
    /// The overlap policy for these actions; `None` uses the schedule's.
    pub overlap: Option<ScheduleOverlapPolicy>,
}

impl ScheduleBackfill {
    /// The actions between `start_at` and `end_at`.
    pub fn new(start_at: Duration, end_at: Duration) -> Self {
        Self {
            start_at,
            end_at,
            overlap: None,
        }
    }

    /// Set the overlap policy.
    pub fn overlap(mut self, overlap: ScheduleOverlapPolicy) -> Self {
        self.overlap = Some(overlap);
        self
    }

    pub(crate) fn to_proto(self) -> proto::BackfillRequest {
        proto::BackfillRequest {
            start_time: Some(super::spec::timestamp(self.start_at)),
            end_time: Some(super::spec::timestamp(self.end_at)),
            overlap_policy: self
                .overlap
                .map(ScheduleOverlapPolicy::to_proto)
                .unwrap_or(0),
        }
    }
}
