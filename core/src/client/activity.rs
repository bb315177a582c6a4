//! Completing an activity from outside its worker (asynchronous activity completion).
//!
//! An activity that hands its work to another system returns without a result (in Python
//! `activity.raise_complete_async()`, in Go `activity.ErrResultPending`); whoever finishes
//! the work reports back with an [`AsyncActivityHandle`]. Calls and their retry character:
//! heartbeat, complete, fail and report-cancellation change the activity once; a retried
//! call after a lost answer finds the activity already closed and fails with
//! [`Error::NotFound`] (the first attempt did the work).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use temporal_lite_proto::temporal::api::common::v1::Payloads;
use temporal_lite_proto::temporal::api::failure::v1::{
    failure::FailureInfo, ApplicationFailureInfo, Failure as ProtoFailure,
};
use temporal_lite_proto::temporal::api::workflowservice::v1 as ws;

use super::call::Call;
use super::codec::Slots;
use super::proto_time::to_proto_duration;
use super::{CallFuture, Client, Error, MakeCall};
use crate::payload::{Payload, PayloadError, ToPayloads, ToValue, Value};

/// Which activity a handle reports for.
#[derive(Clone, PartialEq, Eq)]
enum Target {
    /// The task token the activity got from the server.
    Token(Vec<u8>),
    /// The activity's workflow and id; an empty run id means the latest run.
    Id {
        workflow_id: String,
        run_id: String,
        activity_id: String,
    },
}

/// Reports heartbeats and the outcome of an activity that completes asynchronously.
///
/// Get one with [`Client::async_activity_handle`] (by task token) or
/// [`Client::async_activity_handle_by_id`] (by workflow id, run id and activity id).
#[derive(Clone)]
pub struct AsyncActivityHandle {
    client: Client,
    target: Target,
}

/// What the server answered to a heartbeat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActivityHeartbeat {
    /// The workflow asked to cancel the activity: stop the work and call
    /// [`AsyncActivityHandle::report_cancellation`].
    pub cancel_requested: bool,
    /// The activity was paused by an operator.
    pub paused: bool,
    /// The activity was reset by an operator.
    pub reset: bool,
}

/// An application failure to report for an activity ([`AsyncActivityHandle::fail`]): what
/// the workflow sees as the cause of its `ActivityError`.
///
/// ```
/// # use temporal_lite_core::client::ApplicationFailure;
/// let failure = ApplicationFailure::new("card declined")
///     .error_type("PaymentError")
///     .non_retryable()
///     .detail(&serde_json::json!({"code": 51}));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApplicationFailure {
    /// The message.
    pub message: String,
    /// The error type the workflow (and retry policies) match on.
    pub error_type: String,
    /// Whether the activity must not be retried, whatever its retry policy says.
    pub non_retryable: bool,
    /// Details, encoded with the client's converter (and codec).
    pub details: Vec<Value>,
    /// The delay before the next retry, overriding the retry policy's.
    pub next_retry_delay: Option<Duration>,
    conversion_error: Option<PayloadError>,
}

impl ApplicationFailure {
    /// A failure with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            ..Self::default()
        }
    }

    /// Set the error type.
    pub fn error_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = error_type.into();
        self
    }

    /// Mark it non-retryable.
    pub fn non_retryable(mut self) -> Self {
        self.non_retryable = true;
        self
    }

    /// Add a detail. A value that cannot be converted fails the call.
    pub fn detail(mut self, value: &(impl ToValue + ?Sized)) -> Self {
        match value.to_value() {
            Ok(value) => self.details.push(value),
            Err(e) if self.conversion_error.is_none() => {
                self.conversion_error = Some(e.context("failure detail"))
            }
            Err(_) => {}
        }
        self
    }

    /// Set the next retry delay.
    pub fn next_retry_delay(mut self, delay: Duration) -> Self {
        self.next_retry_delay = Some(delay);
        self
    }

    fn to_proto(&self, client: &Client) -> Result<ProtoFailure, Error> {
        if let Some(error) = &self.conversion_error {
            return Err(Error::PayloadConversion(error.clone()));
        }
        let details = self.details.to_payloads(client.converter())?;
        Ok(ProtoFailure {
            message: self.message.clone(),
            source: String::from(super::CLIENT_NAME),
            failure_info: Some(FailureInfo::ApplicationFailureInfo(
                ApplicationFailureInfo {
                    r#type: self.error_type.clone(),
                    non_retryable: self.non_retryable,
                    details: (!details.is_empty()).then_some(Payloads { payloads: details }),
                    next_retry_delay: self.next_retry_delay.map(to_proto_duration),
                    ..Default::default()
                },
            )),
            ..Default::default()
        })
    }
}

impl Client {
    /// A handle to the activity that got `task_token` (from its activity info). No call is
    /// made.
    pub fn async_activity_handle(&self, task_token: impl Into<Vec<u8>>) -> AsyncActivityHandle {
        AsyncActivityHandle {
            client: self.clone(),
            target: Target::Token(task_token.into()),
        }
    }

    /// A handle to activity `activity_id` of workflow `workflow_id`, run `run_id` (empty for
    /// the latest run). No call is made.
    pub fn async_activity_handle_by_id(
        &self,
        workflow_id: impl Into<String>,
        run_id: impl Into<String>,
        activity_id: impl Into<String>,
    ) -> AsyncActivityHandle {
        AsyncActivityHandle {
            client: self.clone(),
            target: Target::Id {
                workflow_id: workflow_id.into(),
                run_id: run_id.into(),
                activity_id: activity_id.into(),
            },
        }
    }
}

/// Send the request of `$method` (by task token) or of `$method` + `ById` (by workflow and
/// activity id), as the handle's target says, with the fields in braces; `$answer` reads
/// what is needed from either response.
macro_rules! send_to_target {
    (
        $handle:expr, $options:expr, $kind:ident($method:literal),
        $request:ident / $request_by_id:ident -> $response:ident / $response_by_id:ident,
        { $($field:ident: $value:expr),* $(,)? },
        |$answer:ident| $read:expr
    ) => {{
        let handle = $handle;
        let client = &handle.client;
        let (namespace, identity) = (String::from(client.namespace()), handle.identity());
        match &handle.target {
            Target::Token(token) => {
                let request = ws::$request {
                    task_token: token.clone(),
                    identity,
                    namespace,
                    $($field: $value,)*
                    ..Default::default()
                };
                let $answer: ws::$response = client
                    .call_with(Call::$kind($method), &request, $options)
                    .await?;
                $read
            }
            Target::Id {
                workflow_id,
                run_id,
                activity_id,
            } => {
                let request = ws::$request_by_id {
                    namespace,
                    workflow_id: workflow_id.clone(),
                    run_id: run_id.clone(),
                    activity_id: activity_id.clone(),
                    identity,
                    $($field: $value,)*
                    ..Default::default()
                };
                let call = Call::$kind(concat!($method, "ById"))
                    .workflow(workflow_id)
                    .run(Some(run_id))
                    .activity(activity_id);
                let $answer: ws::$response_by_id =
                    client.call_with(call, &request, $options).await?;
                $read
            }
        }
    }};
}

impl AsyncActivityHandle {
    /// Record a heartbeat with `details` (readable by the next attempt and in
    /// `describe`), which also keeps a heartbeat timeout from firing. The answer says
    /// whether the workflow asked to cancel the activity.
    pub fn heartbeat<'a>(
        &'a self,
        details: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = ActivityHeartbeat> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let details = self.convert(&details, "heartbeat details")?;
            let details = self.encode(details).await?;
            Ok(send_to_target!(
                self, &call_options, repeatable("RecordActivityTaskHeartbeat"),
                RecordActivityTaskHeartbeatRequest / RecordActivityTaskHeartbeatByIdRequest
                    -> RecordActivityTaskHeartbeatResponse / RecordActivityTaskHeartbeatByIdResponse,
                { details: details },
                |r| ActivityHeartbeat {
                    cancel_requested: r.cancel_requested,
                    paused: r.activity_paused,
                    reset: r.activity_reset,
                }
            ))
        })
    }

    /// Complete the activity with `result` (`()` for none, `(x,)` for one value).
    pub fn complete<'a>(
        &'a self,
        result: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let result = self.convert(&result, "activity result")?;
            let result = self.encode(result).await?;
            send_to_target!(
                self, &call_options, non_idempotent("RespondActivityTaskCompleted"),
                RespondActivityTaskCompletedRequest / RespondActivityTaskCompletedByIdRequest
                    -> RespondActivityTaskCompletedResponse / RespondActivityTaskCompletedByIdResponse,
                { result: result },
                |_answer| ()
            );
            Ok(())
        })
    }

    /// Fail this attempt of the activity with `failure`; the server retries it as its retry
    /// policy says. `last_heartbeat_details` (`()` for none) are kept for the next attempt.
    pub fn fail<'a>(
        &'a self,
        failure: ApplicationFailure,
        last_heartbeat_details: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let client = &self.client;
            let mut failure = failure.to_proto(client)?;
            let mut slots = Slots::new();
            slots.failure(Some(&mut failure));
            client.encode_slots(slots).await?;
            let details = self.convert(&last_heartbeat_details, "last heartbeat details")?;
            let details = self.encode(details).await?;
            send_to_target!(
                self, &call_options, non_idempotent("RespondActivityTaskFailed"),
                RespondActivityTaskFailedRequest / RespondActivityTaskFailedByIdRequest
                    -> RespondActivityTaskFailedResponse / RespondActivityTaskFailedByIdResponse,
                { failure: Some(failure), last_heartbeat_details: details },
                |_answer| ()
            );
            Ok(())
        })
    }

    /// Report that the activity stopped because cancellation was requested, with `details`
    /// (`()` for none). Only valid after a heartbeat reported
    /// [`cancel_requested`](ActivityHeartbeat::cancel_requested).
    pub fn report_cancellation<'a>(
        &'a self,
        details: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let details = self.convert(&details, "cancellation details")?;
            let details = self.encode(details).await?;
            send_to_target!(
                self, &call_options, non_idempotent("RespondActivityTaskCanceled"),
                RespondActivityTaskCanceledRequest / RespondActivityTaskCanceledByIdRequest
                    -> RespondActivityTaskCanceledResponse / RespondActivityTaskCanceledByIdResponse,
                { details: details },
                |_answer| ()
            );
            Ok(())
        })
    }

    fn identity(&self) -> String {
        String::from(self.client.identity())
    }

    fn convert(&self, values: &dyn ToPayloads, what: &str) -> Result<Vec<Payload>, Error> {
        Ok(values
            .to_payloads(self.client.converter())
            .map_err(|e| e.context(what))?)
    }

    async fn encode(&self, payloads: Vec<Payload>) -> Result<Option<Payloads>, Error> {
        let payloads = self.client.encode_payloads(payloads).await?;
        Ok((!payloads.is_empty()).then_some(Payloads { payloads }))
    }
}

impl fmt::Debug for AsyncActivityHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("AsyncActivityHandle");
        match &self.target {
            Target::Token(token) => s.field("task_token_len", &token.len()),
            Target::Id {
                workflow_id,
                run_id,
                activity_id,
            } => s
                .field("workflow_id", workflow_id)
                .field("run_id", run_id)
                .field("activity_id", activity_id),
        };
        s.finish()
    }
}
