//! Schedules: start workflows at times given by calendars, intervals or cron expressions.
//!
//! Calls and their retry character: create, update and patch (pause, unpause, trigger,
//! backfill) carry a request id, so a retried call is applied once; describe and list are
//! reads; delete has no request id (a retry after a lost answer fails with
//! [`Error::NotFound`]: the first attempt deleted it).

mod action;
mod describe;
mod spec;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use temporal_lite_proto::temporal::api::common::v1::{Memo, SearchAttributes};
use temporal_lite_proto::temporal::api::schedule::v1 as proto;
use temporal_lite_proto::temporal::api::workflowservice::v1 as ws;

pub use action::{
    ScheduleAction, ScheduleBackfill, ScheduleOverlapPolicy, SchedulePolicy, ScheduleStartWorkflow,
    ScheduleState,
};
pub use describe::{
    ScheduleActionResult, ScheduleDescription, ScheduleInfo, ScheduleList, ScheduleListEntry,
};
pub use spec::{CalendarSpec, IntervalSpec, ScheduleRange, ScheduleSpec};

use super::call::Call;
use super::codec::Slots;
use super::start::encode_search_attributes;
use super::value_fields::value_setter;
use super::{CallFuture, CallOptions, Client, Error, MakeCall, SearchAttributeValue};
use crate::payload::{PayloadError, Value};

/// A schedule: what it does, when, with which policies, in which state.
///
/// ```
/// # use core::time::Duration;
/// # use temporal_lite_core::client::{IntervalSpec, Schedule, ScheduleAction, ScheduleSpec, StartWorkflowOptions};
/// let action = ScheduleAction::start_workflow("Report", StartWorkflowOptions::new("report", "reports"))
///     .arg(&"daily");
/// let schedule = Schedule::new(
///     ScheduleAction::StartWorkflow(action),
///     ScheduleSpec::default().interval(IntervalSpec::every(Duration::from_secs(86_400))),
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// What it does.
    pub action: ScheduleAction,
    /// When.
    pub spec: ScheduleSpec,
    /// Overlap, catch-up and failure policies.
    pub policy: SchedulePolicy,
    /// Paused or not, with a note; a limit on actions.
    pub state: ScheduleState,
}

impl Schedule {
    /// A running schedule with the default policies.
    pub fn new(action: ScheduleAction, spec: ScheduleSpec) -> Self {
        Self {
            action,
            spec,
            policy: SchedulePolicy::default(),
            state: ScheduleState::default(),
        }
    }

    /// Set the policies.
    pub fn policy(mut self, policy: SchedulePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Set the state (e.g. paused at creation, with a note).
    pub fn state(mut self, state: ScheduleState) -> Self {
        self.state = state;
        self
    }

    async fn to_proto(&self, client: &Client) -> Result<proto::Schedule, Error> {
        let action = match &self.action {
            ScheduleAction::StartWorkflow(start) => start.to_proto(client).await?,
        };
        Ok(proto::Schedule {
            spec: Some(self.spec.to_proto()),
            action: Some(action),
            policies: Some(self.policy.to_proto()),
            state: Some(self.state.to_proto()),
        })
    }

    async fn from_proto(client: &Client, schedule: proto::Schedule) -> Result<Self, Error> {
        let action = match schedule.action.and_then(|a| a.action) {
            Some(proto::schedule_action::Action::StartWorkflow(info)) => {
                ScheduleStartWorkflow::from_proto(client, info).await?
            }
            None => {
                return Err(Error::protocol(
                    "the schedule has no action this client knows (only start-workflow)",
                ))
            }
        };
        Ok(Self {
            action: ScheduleAction::StartWorkflow(action),
            spec: ScheduleSpec::from_proto(schedule.spec.unwrap_or_default()),
            policy: SchedulePolicy::from_proto(schedule.policies.unwrap_or_default()),
            state: ScheduleState::from_proto(schedule.state.unwrap_or_default()),
        })
    }
}

/// Options of [`Client::create_schedule`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateScheduleOptions {
    /// Take the action once right away.
    pub trigger_immediately: bool,
    /// Take the actions of these past periods right away.
    pub backfill: Vec<ScheduleBackfill>,
    /// Memo fields of the schedule, encoded with the client's converter and codec.
    pub memo: BTreeMap<String, Value>,
    /// Typed search attributes of the schedule.
    pub search_attributes: BTreeMap<String, SearchAttributeValue>,
    /// The request id that makes the create idempotent; generated when `None`.
    pub request_id: Option<String>,
    conversion_error: Option<PayloadError>,
}

impl CreateScheduleOptions {
    value_setter!(
        /// Add a memo field. A value that cannot be converted fails the call.
        memo => memo, "memo field"
    );

    /// Add a typed search attribute.
    pub fn search_attribute(mut self, key: impl Into<String>, value: SearchAttributeValue) -> Self {
        self.search_attributes.insert(key.into(), value);
        self
    }

    /// Take the action once right away.
    pub fn trigger_immediately(mut self) -> Self {
        self.trigger_immediately = true;
        self
    }
}

impl Client {
    /// Create schedule `id` and return a handle to it.
    ///
    /// Fails with [`Error::ScheduleAlreadyExists`] if the id is taken, and with
    /// [`Error::InvalidOptions`] before any call if the action's options are invalid.
    pub fn create_schedule(
        &self,
        id: impl Into<String>,
        schedule: Schedule,
        options: CreateScheduleOptions,
    ) -> CallFuture<impl MakeCall<Output = ScheduleHandle> + '_> {
        let id = id.into();
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            if id.trim().is_empty() {
                return Err(Error::invalid("the schedule id is empty"));
            }
            if let Some(error) = &options.conversion_error {
                return Err(Error::PayloadConversion(error.clone()));
            }
            let converter = self.converter();
            let mut memo = Memo::default();
            for (key, value) in &options.memo {
                let payload = converter
                    .encode(value)
                    .map_err(|e| e.context(alloc::format!("memo field `{key}`")))?;
                memo.fields.insert(key.clone(), payload);
            }
            let mut slots = Slots::new();
            slots.memo(Some(&mut memo));
            self.encode_slots(slots).await?;
            let attributes =
                encode_search_attributes(&BTreeMap::new(), &options.search_attributes)?;
            let patch = (options.trigger_immediately || !options.backfill.is_empty()).then(|| {
                proto::SchedulePatch {
                    trigger_immediately: options.trigger_immediately.then(|| {
                        proto::TriggerImmediatelyRequest {
                            overlap_policy: schedule.policy.overlap.to_proto(),
                            scheduled_time: None,
                        }
                    }),
                    backfill_request: options.backfill.iter().map(|b| b.to_proto()).collect(),
                    ..Default::default()
                }
            });
            let request = ws::CreateScheduleRequest {
                namespace: String::from(self.namespace()),
                schedule_id: id.clone(),
                schedule: Some(schedule.to_proto(self).await?),
                initial_patch: patch,
                identity: String::from(self.identity()),
                request_id: options
                    .request_id
                    .clone()
                    .map_or_else(|| self.new_request_id(), Ok)?,
                memo: (!memo.fields.is_empty()).then_some(memo),
                search_attributes: (!attributes.is_empty()).then(|| SearchAttributes {
                    indexed_fields: attributes.into_iter().collect(),
                }),
            };
            let result: Result<ws::CreateScheduleResponse, Error> = self
                .call_with(
                    Call::idempotent("CreateSchedule", &request.request_id),
                    &request,
                    &call_options,
                )
                .await;
            match result {
                Ok(_) => Ok(self.schedule_handle(id)),
                Err(Error::WorkflowAlreadyStarted { .. }) => {
                    Err(Error::ScheduleAlreadyExists { schedule_id: id })
                }
                Err(error) => Err(error),
            }
        })
    }

    /// A handle to schedule `id`. No call is made.
    pub fn schedule_handle(&self, id: impl Into<String>) -> ScheduleHandle {
        ScheduleHandle {
            client: self.clone(),
            id: id.into(),
        }
    }

    /// The schedules matching a visibility `query` (empty for all), as a stream fetched a
    /// page at a time (`page_size` 0: the server default). Visibility is updated
    /// asynchronously: a schedule created a moment ago may not be listed yet.
    pub fn list_schedules(&self, query: &str, page_size: u32) -> ScheduleList {
        ScheduleList::new(self.clone(), String::from(query), page_size)
    }
}

/// A handle to a schedule: describe, update, pause, trigger, backfill, delete.
#[derive(Clone, Debug)]
pub struct ScheduleHandle {
    client: Client,
    id: String,
}

impl ScheduleHandle {
    /// The schedule id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The schedule, what it has done and will do, its memo and search attributes.
    pub fn describe(&self) -> CallFuture<impl MakeCall<Output = ScheduleDescription> + '_> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let request = ws::DescribeScheduleRequest {
                namespace: String::from(self.client.namespace()),
                schedule_id: self.id.clone(),
            };
            let mut response: ws::DescribeScheduleResponse = self
                .client
                .call_with(
                    Call::read("DescribeSchedule").schedule(&self.id),
                    &request,
                    &call_options,
                )
                .await?;
            let mut slots = Slots::new();
            slots.memo(response.memo.as_mut());
            self.client.decode_slots(slots).await?;
            Ok(ScheduleDescription {
                id: self.id.clone(),
                schedule: Schedule::from_proto(&self.client, response.schedule.unwrap_or_default())
                    .await?,
                info: ScheduleInfo::from_proto(response.info.unwrap_or_default()),
                memo: response
                    .memo
                    .map(|m| m.fields.into_iter().collect())
                    .unwrap_or_default(),
                search_attributes: response
                    .search_attributes
                    .map(|s| s.indexed_fields.into_iter().collect())
                    .unwrap_or_default(),
                conflict_token: response.conflict_token,
            })
        })
    }

    /// Replace the schedule with `schedule` (its spec, action, policies and state).
    pub fn update(&self, schedule: Schedule) -> CallFuture<impl MakeCall<Output = ()> + '_> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            self.send_update(&call_options, schedule, Vec::new()).await
        })
    }

    /// Describe the schedule, let `change` edit it, and send the result only if nobody
    /// changed the schedule in between (the description's conflict token); `change`
    /// returning `None` sends nothing. A concurrent change makes the server refuse the
    /// update (an [`Error::Status`] with code `FAILED_PRECONDITION`).
    pub fn update_with<'a, F>(&'a self, change: F) -> CallFuture<impl MakeCall<Output = ()> + 'a>
    where
        F: FnOnce(ScheduleDescription) -> Option<Schedule> + Send + 'a,
    {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let description = self.describe().options(call_options.clone()).await?;
            let token = description.conflict_token.clone();
            match change(description) {
                Some(schedule) => self.send_update(&call_options, schedule, token).await,
                None => Ok(()),
            }
        })
    }

    async fn send_update(
        &self,
        call_options: &CallOptions,
        schedule: Schedule,
        conflict_token: Vec<u8>,
    ) -> Result<(), Error> {
        let request = ws::UpdateScheduleRequest {
            namespace: String::from(self.client.namespace()),
            schedule_id: self.id.clone(),
            schedule: Some(schedule.to_proto(&self.client).await?),
            conflict_token,
            identity: String::from(self.client.identity()),
            request_id: self.client.new_request_id()?,
            ..Default::default()
        };
        let _: ws::UpdateScheduleResponse = self
            .client
            .call_with(
                Call::idempotent("UpdateSchedule", &request.request_id).schedule(&self.id),
                &request,
                call_options,
            )
            .await?;
        Ok(())
    }

    /// Pause the schedule, recording `note` (empty: a default note).
    pub fn pause<'a>(&'a self, note: &'a str) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let note = if note.is_empty() {
                "Paused via temporal-lite"
            } else {
                note
            };
            self.patch(
                &call_options,
                proto::SchedulePatch {
                    pause: String::from(note),
                    ..Default::default()
                },
            )
            .await
        })
    }

    /// Unpause the schedule, recording `note` (empty: a default note).
    pub fn unpause<'a>(&'a self, note: &'a str) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let note = if note.is_empty() {
                "Unpaused via temporal-lite"
            } else {
                note
            };
            self.patch(
                &call_options,
                proto::SchedulePatch {
                    unpause: String::from(note),
                    ..Default::default()
                },
            )
            .await
        })
    }

    /// Take the action now, with `overlap` (`None`: the schedule's policy), even if paused.
    pub fn trigger(
        &self,
        overlap: Option<ScheduleOverlapPolicy>,
    ) -> CallFuture<impl MakeCall<Output = ()> + '_> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            self.patch(
                &call_options,
                proto::SchedulePatch {
                    trigger_immediately: Some(proto::TriggerImmediatelyRequest {
                        overlap_policy: overlap.map(ScheduleOverlapPolicy::to_proto).unwrap_or(0),
                        scheduled_time: None,
                    }),
                    ..Default::default()
                },
            )
            .await
        })
    }

    /// Take the actions the schedule would have taken in the `periods`.
    pub fn backfill<'a>(
        &'a self,
        periods: &'a [ScheduleBackfill],
    ) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            if periods.is_empty() {
                return Err(Error::invalid("backfill needs at least one period"));
            }
            self.patch(
                &call_options,
                proto::SchedulePatch {
                    backfill_request: periods.iter().map(|b| b.to_proto()).collect(),
                    ..Default::default()
                },
            )
            .await
        })
    }

    async fn patch(
        &self,
        call_options: &CallOptions,
        patch: proto::SchedulePatch,
    ) -> Result<(), Error> {
        let request = ws::PatchScheduleRequest {
            namespace: String::from(self.client.namespace()),
            schedule_id: self.id.clone(),
            patch: Some(patch),
            identity: String::from(self.client.identity()),
            request_id: self.client.new_request_id()?,
        };
        let _: ws::PatchScheduleResponse = self
            .client
            .call_with(
                Call::idempotent("PatchSchedule", &request.request_id).schedule(&self.id),
                &request,
                call_options,
            )
            .await?;
        Ok(())
    }

    /// Delete the schedule. Workflows it started keep running.
    pub fn delete(&self) -> CallFuture<impl MakeCall<Output = ()> + '_> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let request = ws::DeleteScheduleRequest {
                namespace: String::from(self.client.namespace()),
                schedule_id: self.id.clone(),
                identity: String::from(self.client.identity()),
            };
            let _: ws::DeleteScheduleResponse = self
                .client
                .call_with(
                    Call::non_idempotent("DeleteSchedule").schedule(&self.id),
                    &request,
                    &call_options,
                )
                .await?;
            Ok(())
        })
    }
}
