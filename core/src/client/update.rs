//! Workflow update: send a request that the workflow validates, runs and answers.
//!
//! Calls and their retry character:
//! - `UpdateWorkflowExecution` is idempotent: it carries the update id, and the server
//!   answers a repeated id with the same update. The server holds it until the update
//!   reaches the stage asked for, so it runs with the long-poll deadline, and it is sent
//!   again (same id) while the stage reached is below *accepted*.
//! - `PollWorkflowExecutionUpdate` is a long poll (read-only), sent again until the
//!   outcome is known.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use core::time::Duration;

use temporal_lite_proto::temporal::api::common::v1::{Header, Payloads, WorkflowExecution};
use temporal_lite_proto::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage as Stage;
use temporal_lite_proto::temporal::api::update::v1 as update;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    PollWorkflowExecutionUpdateRequest, PollWorkflowExecutionUpdateResponse,
    UpdateWorkflowExecutionRequest, UpdateWorkflowExecutionResponse,
};

use super::call::{Call, Wait};
use super::codec::Slots;
use super::failure::Failure;
use super::update_error::{classify_rejection, UpdateError, UpdateErrorKind};
use super::value_fields::value_setter;
use super::{CallFuture, CallOptions, Client, Error, MakeCall, WorkflowHandle};
use crate::payload::{decode_first, FromValue, PayloadError, ToPayloads, Value};

/// How far an update must have got before [`WorkflowHandle::start_update`] returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UpdateStage {
    /// The workflow's validator accepted it (or there is none) and its handler started:
    /// the update is durable in the history. The default for `start_update`.
    #[default]
    Accepted,
    /// The handler finished, with a result or a failure.
    Completed,
}

impl UpdateStage {
    fn to_proto(self) -> Stage {
        match self {
            Self::Accepted => Stage::Accepted,
            Self::Completed => Stage::Completed,
        }
    }
}

/// How to send an update.
///
/// ```
/// # use temporal_lite_core::client::{UpdateOptions, UpdateStage};
/// let options = UpdateOptions::new()
///     .update_id("order-42-add-item-7")
///     .wait_stage(UpdateStage::Completed);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateOptions {
    /// The update id; generated when `None`. Sending the same id again (a retry, or another
    /// process) reaches the same update instead of running the handler twice, as long as
    /// the workflow remembers it.
    pub update_id: Option<String>,
    /// What [`WorkflowHandle::start_update`] waits for.
    pub wait_stage: UpdateStage,
    /// Header fields for the workflow's interceptors, encoded with the client's converter.
    pub headers: BTreeMap<String, Value>,
    conversion_error: Option<PayloadError>,
}

impl UpdateOptions {
    /// A generated update id, waiting for acceptance.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the update id.
    pub fn update_id(mut self, id: impl Into<String>) -> Self {
        self.update_id = Some(id.into());
        self
    }

    /// Set the stage `start_update` waits for.
    pub fn wait_stage(mut self, stage: UpdateStage) -> Self {
        self.wait_stage = stage;
        self
    }

    value_setter!(
        /// Add a header field. A value that cannot be converted fails the call.
        header => headers, "header"
    );
}

/// An update that was sent: wait for its result with [`result`](Self::result).
///
/// From [`WorkflowHandle::start_update`], [`Client::execute_update_with_start`]'s family or
/// [`WorkflowHandle::update_handle`] (an update sent earlier, by id).
#[derive(Clone, Debug)]
pub struct UpdateHandle {
    client: Client,
    workflow_id: String,
    run_id: String,
    update_id: String,
    name: String,
    known: Option<update::Outcome>,
    /// Whether the update is known to have been accepted (a failed outcome is then the
    /// handler's failure, not a rejection).
    accepted: Option<bool>,
}

impl UpdateHandle {
    /// Update `update_id` (handler `name`, when known) of `workflow`'s run, with its
    /// outcome if an answer already carried it.
    pub(crate) fn new(
        workflow: &WorkflowHandle,
        update_id: String,
        name: String,
        known: Option<update::Outcome>,
    ) -> Self {
        Self {
            client: workflow.client().clone(),
            workflow_id: String::from(workflow.workflow_id()),
            run_id: String::from(workflow.run_id().unwrap_or_default()),
            update_id,
            name,
            known,
            accepted: None,
        }
    }

    /// The update id.
    pub fn update_id(&self) -> &str {
        &self.update_id
    }

    /// The workflow id.
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// The run that took the update (empty for a handle made by id without a run).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The update's name, when known (empty for a handle made by id).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Wait for the update to complete and decode its result as `T`.
    ///
    /// Long-polls `PollWorkflowExecutionUpdate` until the server knows the outcome (the
    /// outcome a start already brought is used without a call). Fails with
    /// [`Error::Update`]: [`UpdateErrorKind::Failed`] if the handler failed,
    /// [`Rejected`](UpdateErrorKind::Rejected) / [`HandlerNotFound`](UpdateErrorKind::HandlerNotFound)
    /// if the worker refused it, [`WorkflowClosed`](UpdateErrorKind::WorkflowClosed) /
    /// [`WorkflowNotFound`](UpdateErrorKind::WorkflowNotFound) for the workflow's state,
    /// [`UpdateNotFound`](UpdateErrorKind::UpdateNotFound) for an unknown update id.
    pub fn result<'a, T: FromValue + Send + 'a>(
        &'a self,
    ) -> CallFuture<impl MakeCall<Output = T> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let outcome = match &self.known {
                Some(outcome) => outcome.clone(),
                None => self.poll_outcome(&call_options).await?,
            };
            self.decode_outcome(outcome, &call_options).await
        })
    }

    async fn poll_outcome(&self, options: &CallOptions) -> Result<update::Outcome, Error> {
        let request = PollWorkflowExecutionUpdateRequest {
            namespace: String::from(self.client.namespace()),
            update_ref: Some(self.update_ref()),
            identity: String::from(self.client.identity()),
            wait_policy: Some(update::WaitPolicy {
                lifecycle_stage: Stage::Completed as i32,
            }),
        };
        let mut pacer = Pacer::default();
        // One deadline for the whole wait, every poll included.
        let deadline = self.client.deadline(Wait::LongPoll, options);
        loop {
            let started = self.client.shared.clock.now();
            let response: PollWorkflowExecutionUpdateResponse = self
                .client
                .call_until(
                    Call::long_poll("PollWorkflowExecutionUpdate").workflow(&self.workflow_id),
                    &request,
                    deadline,
                    &options.metadata,
                )
                .await
                .map_err(|e| self.error_from_status(e, false))?;
            if let Some(outcome) = response.outcome.filter(|o| o.value.is_some()) {
                return Ok(outcome);
            }
            pacer.wait(&self.client, started).await;
        }
    }

    /// After the update call: a failed outcome that came with it is a rejection (reported
    /// as this call's error: there is no update to wait for) or the handler's quick failure
    /// (reported by [`result`](Self::result)).
    pub(crate) async fn finish_start(&mut self, options: &CallOptions) -> Result<(), Error> {
        let failed = matches!(
            self.known.as_ref().and_then(|o| o.value.as_ref()),
            Some(update::outcome::Value::Failure(_))
        );
        if !failed {
            self.accepted = Some(true);
            return Ok(());
        }
        let accepted = self.was_accepted(options).await;
        self.accepted = Some(accepted);
        if accepted {
            return Ok(());
        }
        let Some(update::outcome::Value::Failure(mut failure)) =
            self.known.take().and_then(|o| o.value)
        else {
            return Ok(());
        };
        let mut slots = Slots::new();
        slots.failure(Some(&mut failure));
        self.client.decode_slots(slots).await?;
        let failure = Failure::from_proto(failure);
        Err(self.error(classify_rejection(&self.name, failure)))
    }

    /// This handle with the outcome polled for, if it did not come with the start.
    pub(crate) async fn with_outcome(mut self, options: &CallOptions) -> Result<Self, Error> {
        if self.known.is_none() {
            self.known = Some(self.poll_outcome(options).await?);
        }
        Ok(self)
    }

    pub(crate) fn set_run_id(&mut self, run_id: &str) {
        if !run_id.is_empty() {
            self.run_id = String::from(run_id);
        }
    }

    fn update_ref(&self) -> update::UpdateRef {
        update::UpdateRef {
            workflow_execution: Some(WorkflowExecution {
                workflow_id: self.workflow_id.clone(),
                run_id: self.run_id.clone(),
            }),
            update_id: self.update_id.clone(),
        }
    }

    async fn decode_outcome<T: FromValue>(
        &self,
        mut outcome: update::Outcome,
        options: &CallOptions,
    ) -> Result<T, Error> {
        let mut slots = Slots::new();
        match outcome.value.as_mut() {
            Some(update::outcome::Value::Success(payloads)) => {
                slots.payloads(Some(payloads));
            }
            Some(update::outcome::Value::Failure(failure)) => {
                slots.failure(Some(failure));
            }
            None => {}
        }
        self.client.decode_slots(slots).await?;
        match outcome.value {
            Some(update::outcome::Value::Success(payloads)) => Ok(decode_first(
                self.client.converter(),
                &payloads.payloads,
            )
            .map_err(|e| e.context(alloc::format!("result of update `{}`", self.update_id)))?),
            Some(update::outcome::Value::Failure(failure)) => {
                let failure = Failure::from_proto(failure);
                let accepted = match self.accepted {
                    Some(accepted) => accepted,
                    None => self.was_accepted(options).await,
                };
                let kind = if accepted {
                    UpdateErrorKind::Failed(failure)
                } else {
                    classify_rejection(&self.name, failure)
                };
                Err(self.error(kind))
            }
            None => Err(Error::protocol(alloc::format!(
                "update `{}`: the server sent an empty outcome",
                self.update_id
            ))),
        }
    }

    /// Whether the update was accepted (so a failed outcome is the handler's failure):
    /// the server remembers accepted updates and forgets rejected ones, so a non-blocking
    /// poll answers with the outcome for the first and NOT_FOUND for the second. If the
    /// poll fails otherwise the failure is reported as the handler's.
    async fn was_accepted(&self, options: &CallOptions) -> bool {
        let request = PollWorkflowExecutionUpdateRequest {
            namespace: String::from(self.client.namespace()),
            update_ref: Some(self.update_ref()),
            identity: String::from(self.client.identity()),
            wait_policy: Some(update::WaitPolicy {
                lifecycle_stage: Stage::Accepted as i32,
            }),
        };
        let result: Result<PollWorkflowExecutionUpdateResponse, Error> = self
            .client
            .call_with(
                Call::read("PollWorkflowExecutionUpdate").workflow(&self.workflow_id),
                &request,
                options,
            )
            .await;
        !matches!(result, Err(Error::NotFound { .. }))
    }

    fn error(&self, kind: UpdateErrorKind) -> Error {
        Error::Update(Box::new(UpdateError {
            workflow_id: self.workflow_id.clone(),
            run_id: self.run_id.clone(),
            update_id: self.update_id.clone(),
            update_name: self.name.clone(),
            kind,
        }))
    }

    /// Map a NOT_FOUND of an update call to the update error it means.
    pub(crate) fn error_from_status(&self, error: Error, sending: bool) -> Error {
        let Error::NotFound { message, .. } = error else {
            return error;
        };
        let kind = if message.contains("already completed") {
            UpdateErrorKind::WorkflowClosed { message }
        } else if !sending && message.starts_with("update ") {
            UpdateErrorKind::UpdateNotFound { message }
        } else {
            UpdateErrorKind::WorkflowNotFound { message }
        };
        self.error(kind)
    }
}

/// Spaces out calls the server answered early without what was asked (an update not yet
/// accepted, an outcome not yet known): 100 ms after a quick answer, doubling up to 1 s.
#[derive(Default)]
pub(crate) struct Pacer {
    pause: Duration,
}

impl Pacer {
    pub(crate) async fn wait(&mut self, client: &Client, started: Duration) {
        let clock = &client.shared.clock;
        self.pause = if self.pause.is_zero() {
            Duration::from_millis(100)
        } else {
            self.pause.saturating_mul(2).min(Duration::from_secs(1))
        };
        let elapsed = clock.now().saturating_sub(started);
        let wait = self.pause.saturating_sub(elapsed);
        if !wait.is_zero() {
            clock.sleep(wait).await;
        }
    }
}

/// The request of an update, with its arguments and headers converted (the codec comes
/// after, in [`encode_update_request`]).
pub(crate) fn update_request(
    client: &Client,
    execution: WorkflowExecution,
    first_execution_run_id: String,
    name: &str,
    args: &dyn ToPayloads,
    options: &UpdateOptions,
    stage: UpdateStage,
) -> Result<UpdateWorkflowExecutionRequest, Error> {
    if let Some(error) = &options.conversion_error {
        return Err(Error::PayloadConversion(error.clone()));
    }
    if name.trim().is_empty() {
        return Err(Error::invalid(
            "the update name is empty: pass the name the workflow's update handler has",
        ));
    }
    let converter = client.converter();
    let args = args
        .to_payloads(converter)
        .map_err(|e| e.context(alloc::format!("update `{name}`")))?;
    let mut header = Header::default();
    for (key, value) in &options.headers {
        let payload = converter
            .encode(value)
            .map_err(|e| e.context(alloc::format!("header `{key}`")))?;
        header.fields.insert(key.clone(), payload);
    }
    let input = update::Input {
        header: (!header.fields.is_empty()).then_some(header),
        name: String::from(name),
        args: (!args.is_empty()).then_some(Payloads { payloads: args }),
    };
    Ok(UpdateWorkflowExecutionRequest {
        namespace: String::from(client.namespace()),
        workflow_execution: Some(execution),
        first_execution_run_id,
        wait_policy: Some(update::WaitPolicy {
            lifecycle_stage: stage.to_proto() as i32,
        }),
        request: Some(update::Request {
            meta: Some(update::Meta {
                update_id: options
                    .update_id
                    .clone()
                    .map_or_else(|| client.new_request_id(), Ok)?,
                identity: String::from(client.identity()),
            }),
            input: Some(input),
            ..Default::default()
        }),
    })
}

/// Run the arguments and headers of an update request through the codec.
pub(crate) async fn encode_update_request(
    client: &Client,
    request: &mut UpdateWorkflowExecutionRequest,
) -> Result<(), Error> {
    let mut slots = Slots::new();
    if let Some(input) = request.request.as_mut().and_then(|r| r.input.as_mut()) {
        slots
            .payloads(input.args.as_mut())
            .header(input.header.as_mut());
    }
    client.encode_slots(slots).await
}

/// Whether an update response reached `stage` (at least acceptance, so it is durable).
pub(crate) fn reached(response: &UpdateWorkflowExecutionResponse, stage: UpdateStage) -> bool {
    let reached = response.stage;
    reached >= stage.to_proto() as i32
        || response.outcome.as_ref().is_some_and(|o| o.value.is_some())
}

impl WorkflowHandle {
    /// Send update `name` with `args` and wait for its result, decoded as `T`, under a
    /// generated update id.
    ///
    /// Like `start_update` with [`UpdateStage::Completed`], then [`UpdateHandle::result`];
    /// do that to choose the update id or send headers:
    ///
    /// ```no_run
    /// # use temporal_lite_core::client::{Error, UpdateOptions, UpdateStage, WorkflowHandle};
    /// # async fn demo(handle: &WorkflowHandle) -> Result<(), Error> {
    /// let options = UpdateOptions::new()
    ///     .update_id("order-42-add-7")
    ///     .wait_stage(UpdateStage::Completed);
    /// let total: i64 = handle.start_update("add", (7,), options).await?.result().await?;
    /// # Ok(()) }
    /// ```
    pub fn execute_update<'a, T: FromValue + Send + 'a>(
        &'a self,
        name: &'a str,
        args: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = T> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let options = UpdateOptions::new().wait_stage(UpdateStage::Completed);
            let handle = self
                .start_update(name, args, options)
                .options(call_options.clone())
                .await?;
            handle.result().options(call_options).await
        })
    }

    /// Send update `name` with `args` and return once it reached `options.wait_stage`
    /// (accepted by default): the workflow's validator passed and the update is durable.
    ///
    /// Fails with [`Error::Update`] if the workflow does not exist or is closed, or (when
    /// the worker answers before the stage is reached) if the validator rejected it or the
    /// workflow has no handler of that name. The call is idempotent: it is sent again with
    /// the same update id while the server reports a stage below acceptance, so with no
    /// worker polling the workflow's task queue it keeps waiting (each attempt held by the
    /// server for up to [`long_poll_timeout`](super::RpcOptions::long_poll_timeout)); bound
    /// the whole wait with [`CallFuture::timeout`] if that matters.
    pub fn start_update<'a>(
        &'a self,
        name: &'a str,
        args: impl ToPayloads + Send + 'a,
        options: UpdateOptions,
    ) -> CallFuture<impl MakeCall<Output = UpdateHandle> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let execution = WorkflowExecution {
                workflow_id: String::from(self.workflow_id()),
                run_id: String::from(self.run_id().unwrap_or_default()),
            };
            let mut request = update_request(
                self.client(),
                execution,
                String::from(self.first_execution_run_id().unwrap_or_default()),
                name,
                &args,
                &options,
                options.wait_stage,
            )?;
            drop(args);
            encode_update_request(self.client(), &mut request).await?;
            let update_id = request
                .request
                .as_ref()
                .and_then(|r| r.meta.as_ref())
                .map(|m| m.update_id.clone())
                .unwrap_or_default();
            let mut handle = UpdateHandle::new(self, update_id, String::from(name), None);
            let mut pacer = Pacer::default();
            // Held by the server until the stage is reached, and repeated with the same update
            // id: idempotent, with no deadline of its own.
            let id = request
                .request
                .as_ref()
                .and_then(|r| r.meta.as_ref())
                .map_or("", |m| m.update_id.as_str());
            let call = Call::idempotent("UpdateWorkflowExecution", id)
                .held()
                .workflow(self.workflow_id());
            // One deadline for the whole wait, every attempt included.
            let deadline = self.client().deadline(Wait::LongPoll, &call_options);
            let response = loop {
                let started = self.client().shared.clock.now();
                let response: UpdateWorkflowExecutionResponse = self
                    .client()
                    .call_until(call, &request, deadline, &call_options.metadata)
                    .await
                    .map_err(|e| handle.error_from_status(e, true))?;
                if reached(&response, UpdateStage::Accepted) {
                    break response;
                }
                pacer.wait(self.client(), started).await;
            };
            if let Some(execution) = response
                .update_ref
                .as_ref()
                .and_then(|r| r.workflow_execution.as_ref())
            {
                handle.set_run_id(&execution.run_id);
            }
            handle.known = response.outcome.filter(|o| o.value.is_some());
            handle.finish_start(&call_options).await?;
            if options.wait_stage == UpdateStage::Completed {
                handle = handle.with_outcome(&call_options).await?;
            }
            Ok(handle)
        })
    }

    /// A handle to update `update_id` of this workflow, sent earlier (by this or another
    /// process). No call is made; [`UpdateHandle::result`] polls for its outcome.
    pub fn update_handle(&self, update_id: impl Into<String>) -> UpdateHandle {
        UpdateHandle::new(self, update_id.into(), String::new(), None)
    }
}
