//! Update-with-start: start a workflow (or find the running one) and send it an update, in
//! one atomic `ExecuteMultiOperation` call.
//!
//! The call is idempotent: it carries the start's request id and the update id, and it is
//! sent again with both unchanged while the server reports the update below acceptance.

use alloc::string::String;

use prost::Message;
use temporal_lite_proto::google::rpc::Status as RpcStatus;
use temporal_lite_proto::temporal::api::common::v1::WorkflowExecution;
use temporal_lite_proto::temporal::api::errordetails::v1::MultiOperationExecutionFailure;
use temporal_lite_proto::temporal::api::workflowservice::v1::execute_multi_operation_request::{
    operation, Operation,
};
use temporal_lite_proto::temporal::api::workflowservice::v1::execute_multi_operation_response::response;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    ExecuteMultiOperationRequest, ExecuteMultiOperationResponse, StartWorkflowExecutionRequest,
};

use super::call::{Call, Wait};
use super::start::{start_request, StartFields};
use super::update::{
    encode_update_request, reached, update_request, Pacer, UpdateHandle, UpdateOptions, UpdateStage,
};
use super::{CallFuture, Client, Error, MakeCall, StartWorkflowOptions, WorkflowHandle};
use crate::grpc::{Code, Status};
use crate::payload::{FromValue, ToPayloads};

/// The start half of an update-with-start: which workflow to start if none is running
/// under `options.id`.
///
/// `options.id_conflict_policy` is required: [`UseExisting`](super::WorkflowIdConflictPolicy::UseExisting)
/// sends the update to the running workflow if there is one, [`Fail`](super::WorkflowIdConflictPolicy::Fail)
/// fails with [`Error::WorkflowAlreadyStarted`] instead.
#[derive(Clone, Debug)]
pub struct WithStartWorkflowOperation<A> {
    /// The workflow type to start.
    pub workflow_type: String,
    /// Its arguments (`()` for none, `(x,)` for one).
    pub args: A,
    /// Its start options; the id is also the update's target.
    pub options: StartWorkflowOptions,
}

impl<A: ToPayloads> WithStartWorkflowOperation<A> {
    /// Start `workflow_type` with `args` and `options` if needed.
    pub fn new(workflow_type: impl Into<String>, args: A, options: StartWorkflowOptions) -> Self {
        Self {
            workflow_type: workflow_type.into(),
            args,
            options,
        }
    }
}

impl Client {
    /// Start the workflow of `start` unless one is running under its id (as its id conflict
    /// policy says), send it update `update_name` with `update_args`, and wait for the
    /// update's result, decoded as `T`. Returns the workflow's handle and that result.
    ///
    /// Both happen atomically: if the update is refused at once, no workflow is started.
    /// The update id is generated; to choose it or send headers, call
    /// [`start_update_with_start`](Self::start_update_with_start) with
    /// [`UpdateStage::Completed`], then [`UpdateHandle::result`].
    pub fn execute_update_with_start<'a, A: ToPayloads + Send + 'a, T: FromValue + Send + 'a>(
        &'a self,
        start: WithStartWorkflowOperation<A>,
        update_name: &'a str,
        update_args: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = (WorkflowHandle, T)> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let options = UpdateOptions::new().wait_stage(UpdateStage::Completed);
            let (workflow, update) = self
                .start_update_with_start(start, update_name, update_args, options)
                .options(call_options.clone())
                .await?;
            let result = update.result().options(call_options).await?;
            Ok((workflow, result))
        })
    }

    /// Like [`execute_update_with_start`](Self::execute_update_with_start), returning once
    /// the update reached `update_options.wait_stage` (accepted by default), with a handle
    /// to wait for its result.
    pub fn start_update_with_start<'a, A: ToPayloads + Send + 'a>(
        &'a self,
        start: WithStartWorkflowOperation<A>,
        update_name: &'a str,
        update_args: impl ToPayloads + Send + 'a,
        update_options: UpdateOptions,
    ) -> CallFuture<impl MakeCall<Output = (WorkflowHandle, UpdateHandle)> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let options = &start.options;
            if options.id_conflict_policy.is_none() {
                return Err(Error::invalid(
                        "update-with-start needs StartWorkflowOptions::id_conflict_policy: UseExisting \
                         to update a running workflow, Fail to refuse",
                    ));
            }
            if options.cron_schedule.is_some() || options.start_delay.is_some() {
                return Err(Error::invalid(
                        "update-with-start cannot start a workflow with a cron schedule or a start delay",
                    ));
            }
            let mut fields = self.start_fields(&start.workflow_type, &start.args, options)?;
            self.encode_start_fields(&mut fields).await?;
            let start_request = start_request!(StartWorkflowExecutionRequest, fields, {});
            let execution = WorkflowExecution {
                workflow_id: options.id.clone(),
                run_id: String::new(),
            };
            let wait_stage = update_options.wait_stage;
            let mut update_request = update_request(
                self,
                execution,
                String::new(),
                update_name,
                &update_args,
                &update_options,
                wait_stage,
            )?;
            encode_update_request(self, &mut update_request).await?;
            let update_id = update_request
                .request
                .as_ref()
                .and_then(|r| r.meta.as_ref())
                .map(|m| m.update_id.clone())
                .unwrap_or_default();
            // A lost answer is reported with the start's request id: repeating the call with it
            // (and the same update id) is safe.
            let start_request_id = start_request.request_id.clone();
            let request = ExecuteMultiOperationRequest {
                namespace: String::from(self.namespace()),
                operations: alloc::vec![
                    Operation {
                        operation: Some(operation::Operation::StartWorkflow(start_request)),
                    },
                    Operation {
                        operation: Some(operation::Operation::UpdateWorkflow(update_request)),
                    },
                ],
                resource_id: String::new(),
            };
            let mut pacer = Pacer::default();
            // One deadline for the whole wait, every attempt included.
            let deadline = self.deadline(Wait::LongPoll, &call_options);
            let (started, updated) = loop {
                let begun = self.shared.clock.now();
                let response: ExecuteMultiOperationResponse = self
                    .call_until(
                        Call::idempotent("ExecuteMultiOperation", &start_request_id).held(),
                        &request,
                        deadline,
                        &call_options.metadata,
                    )
                    .await
                    .map_err(|e| operation_error(e).with_workflow_id(&options.id))?;
                let (started, updated) = split_response(response)?;
                if reached(&updated, UpdateStage::Accepted) {
                    break (started, updated);
                }
                pacer.wait(self, begun).await;
            };
            let workflow = WorkflowHandle::started(
                self.clone(),
                options.id.clone(),
                started.run_id,
                started.started,
                started.first_execution_run_id,
            );
            let mut update = UpdateHandle::new(
                &workflow,
                update_id,
                String::from(update_name),
                updated.outcome.filter(|o| o.value.is_some()),
            );
            // The run this call started or found, unless the update names its own.
            update.set_run_id(workflow.result_run_id().unwrap_or_default());
            if let Some(execution) = updated
                .update_ref
                .as_ref()
                .and_then(|r| r.workflow_execution.as_ref())
            {
                update.set_run_id(&execution.run_id);
            }
            update.finish_start(&call_options).await?;
            if wait_stage == UpdateStage::Completed {
                update = update.with_outcome(&call_options).await?;
            }
            Ok((workflow, update))
        })
    }
}

type Responses = (
    temporal_lite_proto::temporal::api::workflowservice::v1::StartWorkflowExecutionResponse,
    temporal_lite_proto::temporal::api::workflowservice::v1::UpdateWorkflowExecutionResponse,
);

fn split_response(response: ExecuteMultiOperationResponse) -> Result<Responses, Error> {
    let mut start = None;
    let mut update = None;
    for item in response.responses {
        match item.response {
            Some(response::Response::StartWorkflow(r)) => start = Some(r),
            Some(response::Response::UpdateWorkflow(r)) => update = Some(r),
            None => {}
        }
    }
    match (start, update) {
        (Some(start), Some(update)) => Ok((start, update)),
        _ => Err(Error::protocol(
            "ExecuteMultiOperation: the response lacks the start or the update answer",
        )),
    }
}

/// The error of the operation that failed, from the `MultiOperationExecutionFailure` the
/// server packs into its status (the other operations are marked aborted).
fn operation_error(error: Error) -> Error {
    let Error::Status(status) = &error else {
        return error;
    };
    let Some(failure) = RpcStatus::decode(status.details.clone())
        .ok()
        .and_then(|s| s.details.into_iter().next())
        .filter(|d| d.type_url.ends_with("MultiOperationExecutionFailure"))
        .and_then(|d| MultiOperationExecutionFailure::decode(&d.value[..]).ok())
    else {
        return error;
    };
    let aborted = |s: &temporal_lite_proto::temporal::api::errordetails::v1::multi_operation_execution_failure::OperationStatus| {
        s.details
            .first()
            .is_some_and(|d| d.type_url.ends_with("MultiOperationExecutionAborted"))
    };
    let Some(cause) = failure
        .statuses
        .into_iter()
        .find(|s| s.code != 0 && !aborted(s))
    else {
        return error;
    };
    let details = RpcStatus {
        code: cause.code,
        message: cause.message.clone(),
        details: cause.details,
    }
    .encode_to_vec();
    let code = Code(u32::try_from(cause.code).unwrap_or(2));
    let status = Status {
        code,
        message: cause.message,
        details: details.into(),
    };
    Error::from_status(status)
}
