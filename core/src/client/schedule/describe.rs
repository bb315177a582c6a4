//! What the server says about a schedule: its description, and its entry in a listing.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;

use temporal_lite_proto::temporal::api::schedule::v1 as proto;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    ListSchedulesRequest, ListSchedulesResponse,
};

use super::{Schedule, ScheduleSpec};
use crate::client::call::Call;
use crate::client::codec::Slots;
use crate::client::execution::WorkflowExecutionRef;
use crate::client::pages::Pages;
use crate::client::proto_time::timestamp_to_duration;
use crate::client::status::WorkflowStatus;
use crate::client::{Client, Error};
use crate::payload::Payload;

/// The answer to [`ScheduleHandle::describe`](super::ScheduleHandle::describe).
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleDescription {
    /// The schedule id.
    pub id: String,
    /// The schedule as it is now: pass it (changed) to an update.
    pub schedule: Schedule,
    /// What it has done.
    pub info: ScheduleInfo,
    /// Memo fields, codec-decoded (read them with [`Client::decode`]).
    pub memo: BTreeMap<String, Payload>,
    /// Search attributes, encoded (JSON).
    pub search_attributes: BTreeMap<String, Payload>,
    /// Identifies this version of the schedule for a conditional update.
    pub conflict_token: Vec<u8>,
}

/// What a schedule has done and will do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScheduleInfo {
    /// Actions taken so far.
    pub action_count: u64,
    /// Actions skipped because they were older than the catch-up window.
    pub missed_catchup_window: u64,
    /// Actions skipped by the overlap policy.
    pub overlap_skipped: u64,
    /// Workflows it started that are still running.
    pub running_workflows: Vec<WorkflowExecutionRef>,
    /// The latest actions, oldest first.
    pub recent_actions: Vec<ScheduleActionResult>,
    /// The next times it will act (since the Unix epoch).
    pub next_action_times: Vec<Duration>,
    /// When it was created.
    pub create_time: Option<Duration>,
    /// When it was last updated.
    pub update_time: Option<Duration>,
}

/// One action a schedule took.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScheduleActionResult {
    /// The time the action was due (jitter included).
    pub schedule_time: Option<Duration>,
    /// When it was taken.
    pub actual_time: Option<Duration>,
    /// The workflow it started.
    pub workflow: Option<WorkflowExecutionRef>,
    /// That workflow's status, as last known by the schedule.
    pub workflow_status: WorkflowStatus,
}

impl ScheduleActionResult {
    fn from_proto(result: proto::ScheduleActionResult) -> Self {
        Self {
            schedule_time: result
                .schedule_time
                .as_ref()
                .and_then(timestamp_to_duration),
            actual_time: result.actual_time.as_ref().and_then(timestamp_to_duration),
            workflow: result.start_workflow_result.map(WorkflowExecutionRef::from),
            workflow_status: WorkflowStatus::from_i32(result.start_workflow_status),
        }
    }
}

fn times(times: Vec<temporal_lite_proto::google::protobuf::Timestamp>) -> Vec<Duration> {
    times.iter().filter_map(timestamp_to_duration).collect()
}

fn actions(actions: Vec<proto::ScheduleActionResult>) -> Vec<ScheduleActionResult> {
    actions
        .into_iter()
        .map(ScheduleActionResult::from_proto)
        .collect()
}

impl ScheduleInfo {
    pub(crate) fn from_proto(info: proto::ScheduleInfo) -> Self {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Self {
            action_count: count(info.action_count),
            missed_catchup_window: count(info.missed_catchup_window),
            overlap_skipped: count(info.overlap_skipped),
            running_workflows: info
                .running_workflows
                .into_iter()
                .map(WorkflowExecutionRef::from)
                .collect(),
            recent_actions: actions(info.recent_actions),
            next_action_times: times(info.future_action_times),
            create_time: info.create_time.as_ref().and_then(timestamp_to_duration),
            update_time: info.update_time.as_ref().and_then(timestamp_to_duration),
        }
    }
}

/// A schedule as [`Client::list_schedules`] lists it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScheduleListEntry {
    /// The schedule id.
    pub id: String,
    /// Its times.
    pub spec: ScheduleSpec,
    /// The workflow type it starts.
    pub workflow_type: String,
    /// The note of its state.
    pub note: String,
    /// Whether it is paused.
    pub paused: bool,
    /// The latest actions.
    pub recent_actions: Vec<ScheduleActionResult>,
    /// The next times it will act.
    pub next_action_times: Vec<Duration>,
    /// Memo fields, codec-decoded.
    pub memo: BTreeMap<String, Payload>,
    /// Search attributes, encoded (JSON).
    pub search_attributes: BTreeMap<String, Payload>,
}

impl ScheduleListEntry {
    fn from_proto(entry: proto::ScheduleListEntry) -> Self {
        let info = entry.info.unwrap_or_default();
        Self {
            id: entry.schedule_id,
            spec: ScheduleSpec::from_proto(info.spec.unwrap_or_default()),
            workflow_type: info.workflow_type.map(|t| t.name).unwrap_or_default(),
            note: info.notes,
            paused: info.paused,
            recent_actions: actions(info.recent_actions),
            next_action_times: times(info.future_action_times),
            memo: entry
                .memo
                .map(|m| m.fields.into_iter().collect())
                .unwrap_or_default(),
            search_attributes: entry
                .search_attributes
                .map(|s| s.indexed_fields.into_iter().collect())
                .unwrap_or_default(),
        }
    }
}

/// The schedules matching a query, page by page, as an async stream
/// ([`Client::list_schedules`]).
///
/// Read it with [`next_schedule`](Self::next_schedule) or through `futures_core::Stream`.
/// An error ends the stream after it is returned.
pub struct ScheduleList {
    client: Client,
    query: String,
    page_size: u32,
    pages: Pages<ScheduleListEntry>,
}

impl ScheduleList {
    pub(crate) fn new(client: Client, query: String, page_size: u32) -> Self {
        Self {
            client,
            query,
            page_size,
            pages: Pages::new(),
        }
    }

    /// Stop after `limit` schedules.
    pub fn limit(mut self, limit: usize) -> Self {
        self.pages.limit(limit);
        self
    }

    /// The next schedule; `None` at the end.
    pub async fn next_schedule(&mut self) -> Option<Result<ScheduleListEntry, Error>> {
        core::future::poll_fn(|cx| self.poll_entry(cx)).await
    }

    fn poll_entry(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<ScheduleListEntry, Error>>> {
        let Self {
            client,
            query,
            page_size,
            pages,
        } = self;
        pages.poll_next(cx, |next_page_token| {
            let client = client.clone();
            let request = ListSchedulesRequest {
                namespace: String::from(client.namespace()),
                maximum_page_size: i32::try_from(*page_size).unwrap_or(i32::MAX),
                next_page_token,
                query: query.clone(),
            };
            Box::pin(async move {
                let mut response: ListSchedulesResponse =
                    client.call(Call::read("ListSchedules"), &request).await?;
                let mut slots = Slots::new();
                for entry in &mut response.schedules {
                    slots.memo(entry.memo.as_mut());
                }
                client.decode_slots(slots).await?;
                let entries = response
                    .schedules
                    .into_iter()
                    .map(ScheduleListEntry::from_proto)
                    .collect();
                Ok((entries, response.next_page_token))
            })
        })
    }
}

impl futures_core::Stream for ScheduleList {
    type Item = Result<ScheduleListEntry, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_entry(cx)
    }
}

impl fmt::Debug for ScheduleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScheduleList")
            .field("query", &self.query)
            .field("buffered", &self.pages.buffered())
            .field("finished", &self.pages.is_finished())
            .finish()
    }
}
