use alloc::string::String;
use alloc::vec::Vec;

use temporal_lite_proto::temporal::api::common::v1::{Payloads, WorkflowExecution};
use temporal_lite_proto::temporal::api::enums::v1::HistoryEventFilterType;
use temporal_lite_proto::temporal::api::history::v1::HistoryEvent;
use temporal_lite_proto::temporal::api::query::v1::WorkflowQuery;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse,
    GetWorkflowExecutionHistoryRequest, GetWorkflowExecutionHistoryResponse, QueryWorkflowRequest,
    QueryWorkflowResponse, RequestCancelWorkflowExecutionRequest,
    RequestCancelWorkflowExecutionResponse, SignalWorkflowExecutionRequest,
    SignalWorkflowExecutionResponse, TerminateWorkflowExecutionRequest,
    TerminateWorkflowExecutionResponse,
};

use super::call::{Call, Deadline, Wait};
use super::codec::Slots;
use super::description::WorkflowDescription;
use super::history::{HistoryEventFilter, HistoryPage, HistoryPageOptions, LongPollPacer};
use super::query_options::QueryOptions;
use super::status::WorkflowStatus;
use super::{CallFuture, CallOptions, Client, Error, MakeCall};
use crate::grpc::Metadata;
use crate::payload::{decode_first, FromValue, ToPayloads};

/// A handle to a workflow execution: its id, and optionally a run id.
///
/// Get one from [`Client::start_workflow`] or [`Client::workflow_handle`]. Cheap to clone;
/// making one performs no call.
///
/// Run ids: calls target [`run_id`](Self::run_id), or the latest run when it is `None`.
/// A handle returned by a start has no `run_id` (so signals reach the current run even after
/// continue-as-new), but remembers the started run as
/// [`result_run_id`](Self::result_run_id), where [`result`](Self::result) starts following
/// the chain, and the first run of its chain as
/// [`first_execution_run_id`](Self::first_execution_run_id), which keeps cancel and
/// terminate within that chain.
#[derive(Clone, Debug)]
pub struct WorkflowHandle {
    pub(super) client: Client,
    pub(super) workflow_id: String,
    pub(super) run_id: Option<String>,
    pub(super) result_run_id: Option<String>,
    first_execution_run_id: Option<String>,
}

impl WorkflowHandle {
    pub(crate) fn new(
        client: Client,
        workflow_id: String,
        run_id: Option<String>,
        result_run_id: Option<String>,
    ) -> Self {
        Self {
            client,
            workflow_id,
            run_id,
            result_run_id,
            first_execution_run_id: None,
        }
    }

    /// A handle for the run a start (or signal-with-start) answered with.
    ///
    /// `started` says whether that run is new; if it is not (an id conflict policy returned
    /// a running workflow), it may be a later run of a continue-as-new / retry / cron chain,
    /// so it is only used as the chain's first run when the server says so
    /// (`first_execution_run_id`, empty from older servers). Using a later run there would
    /// make cancel and terminate fail with "not found".
    pub(crate) fn started(
        client: Client,
        workflow_id: String,
        run_id: String,
        started: bool,
        first_execution_run_id: String,
    ) -> Self {
        let first_execution_run_id = if !first_execution_run_id.is_empty() {
            Some(first_execution_run_id)
        } else if started {
            Some(run_id.clone())
        } else {
            None
        };
        Self {
            client,
            workflow_id,
            run_id: None,
            result_run_id: Some(run_id),
            first_execution_run_id,
        }
    }

    /// This handle, keeping cancel, terminate and update within the chain whose first run is
    /// `first_execution_run_id`: if the workflow id now belongs to another chain (a new
    /// workflow started under the same id), those calls fail with [`Error::NotFound`] instead
    /// of reaching it. For handles made with [`Client::workflow_handle`].
    pub fn with_first_execution_run_id(
        mut self,
        first_execution_run_id: impl Into<String>,
    ) -> Self {
        let run = first_execution_run_id.into();
        self.first_execution_run_id = (!run.is_empty()).then_some(run);
        self
    }

    /// The workflow id.
    pub fn workflow_id(&self) -> &str {
        &self.workflow_id
    }

    /// The run id calls target; `None` means the latest run.
    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// The run [`result`](Self::result) starts from: the started run for a handle returned
    /// by a start, else [`run_id`](Self::run_id).
    pub fn result_run_id(&self) -> Option<&str> {
        self.result_run_id.as_deref()
    }

    /// The first run of the chain this handle was started with, if known.
    pub fn first_execution_run_id(&self) -> Option<&str> {
        self.first_execution_run_id.as_deref()
    }

    /// The client this handle calls through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub(super) fn execution(&self, run_id: Option<&str>) -> WorkflowExecution {
        WorkflowExecution {
            workflow_id: self.workflow_id.clone(),
            run_id: String::from(run_id.unwrap_or_default()),
        }
    }

    fn namespace(&self) -> String {
        String::from(self.client.namespace())
    }

    /// Describe the execution: status, type, times, pending activities, memo, ...
    pub fn describe(&self) -> CallFuture<impl MakeCall<Output = WorkflowDescription> + '_> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let request = DescribeWorkflowExecutionRequest {
                namespace: self.namespace(),
                execution: Some(self.execution(self.run_id.as_deref())),
            };
            let mut response: DescribeWorkflowExecutionResponse = self
                .client
                .call_with(
                    self.on(Call::read("DescribeWorkflowExecution")),
                    &request,
                    &call_options,
                )
                .await?;
            let mut slots = Slots::new();
            slots.description(&mut response);
            self.client.decode_slots(slots).await?;
            let mut description = WorkflowDescription::from(response);
            description.decode_user_metadata(self.client.converter())?;
            Ok(description)
        })
    }

    /// Fetch one page of the history of [`run_id`](Self::run_id) (latest run when `None`).
    ///
    /// With `wait_new_event` this is a long poll: it waits until there is news or the
    /// server's long-poll interval passes (each poll bounded by
    /// [`long_poll_timeout`](super::RpcOptions::long_poll_timeout)), through transient
    /// failures and outages, with no deadline of its own.
    pub fn fetch_history_page<'a>(
        &'a self,
        options: &'a HistoryPageOptions,
    ) -> CallFuture<impl MakeCall<Output = HistoryPage> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let deadline = self.client.deadline(page_wait(options), &call_options);
            self.fetch_page(
                self.run_id.as_deref(),
                options,
                deadline,
                &call_options.metadata,
            )
            .await
        })
    }

    async fn fetch_page(
        &self,
        run_id: Option<&str>,
        options: &HistoryPageOptions,
        deadline: Deadline,
        extra: &Metadata,
    ) -> Result<HistoryPage, Error> {
        let filter = match options.event_filter {
            HistoryEventFilter::AllEvents => HistoryEventFilterType::AllEvent,
            HistoryEventFilter::CloseEvent => HistoryEventFilterType::CloseEvent,
        };
        let request = GetWorkflowExecutionHistoryRequest {
            namespace: self.namespace(),
            execution: Some(self.execution(run_id)),
            maximum_page_size: i32::try_from(options.maximum_page_size).unwrap_or(i32::MAX),
            next_page_token: options.next_page_token.clone(),
            wait_new_event: options.wait_new_event,
            history_event_filter_type: filter as i32,
            skip_archival: options.skip_archival,
        };
        let call = match page_wait(options) {
            Wait::LongPoll => Call::long_poll("GetWorkflowExecutionHistory"),
            Wait::Normal => Call::read("GetWorkflowExecutionHistory"),
        }
        .workflow(&self.workflow_id)
        .run(run_id);
        let response: GetWorkflowExecutionHistoryResponse = self
            .client
            .call_until(call, &request, deadline, extra)
            .await?;
        Ok(HistoryPage {
            events: response.history.map(|h| h.events).unwrap_or_default(),
            next_page_token: response.next_page_token,
            archived: response.archived,
        })
    }

    /// Fetch one page as [`fetch_page`](Self::fetch_page) does, within `deadline` (`None`:
    /// the call's own); if it is a long poll that came back empty, wait as `pacer` says
    /// (never past the deadline) before returning, so that the caller can poll again at once
    /// without spinning.
    pub(crate) async fn fetch_page_paced(
        &self,
        run_id: Option<&str>,
        options: &HistoryPageOptions,
        pacer: &mut LongPollPacer,
        deadline: Option<Deadline>,
        extra: &Metadata,
    ) -> Result<HistoryPage, Error> {
        let deadline =
            deadline.unwrap_or_else(|| self.client.deadline(page_wait(options), CallOptions::NONE));
        if !options.wait_new_event {
            return self.fetch_page(run_id, options, deadline, extra).await;
        }
        let clock = &self.client.shared.clock;
        let started = clock.now();
        let page = self.fetch_page(run_id, options, deadline, extra).await?;
        let now = clock.now();
        let mut wait = pacer.after_page(&page, now.saturating_sub(started));
        if let Some(remaining) = deadline.remaining(now) {
            wait = wait.min(remaining);
        }
        if !wait.is_zero() {
            clock.sleep(wait).await;
        }
        Ok(page)
    }

    /// Every event of the history of [`run_id`](Self::run_id) as it is now.
    pub fn fetch_history(&self) -> CallFuture<impl MakeCall<Output = Vec<HistoryEvent>> + '_> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let mut options = HistoryPageOptions::default();
            let mut events = Vec::new();
            loop {
                let page = self
                    .fetch_history_page(&options)
                    .options(call_options.clone())
                    .await?;
                events.extend(page.events);
                if page.next_page_token.is_empty() {
                    return Ok(events);
                }
                options.next_page_token = page.next_page_token;
            }
        })
    }

    /// Send signal `name` with `args` (`()` for none, `(x,)` for one).
    pub fn signal<'a>(
        &'a self,
        name: &'a str,
        args: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let input = args
                .to_payloads(self.client.converter())
                .map_err(|e| e.context(alloc::format!("signal `{name}`")))?;
            let input = self.client.encode_payloads(input).await?;
            let request = SignalWorkflowExecutionRequest {
                namespace: self.namespace(),
                workflow_execution: Some(self.execution(self.run_id.as_deref())),
                signal_name: String::from(name),
                input: Some(Payloads { payloads: input }),
                identity: String::from(self.client.identity()),
                request_id: self.client.new_request_id()?,
                ..Default::default()
            };
            let call = self.on(Call::idempotent(
                "SignalWorkflowExecution",
                &request.request_id,
            ));
            let _: SignalWorkflowExecutionResponse =
                self.client.call_with(call, &request, &call_options).await?;
            Ok(())
        })
    }

    /// Run query `query_type` with `args` on a worker and decode the answer as `T`.
    ///
    /// Fails with [`Error::QueryFailed`] if the handler failed or does not exist. Closed
    /// workflows are queried too; see [`query_with_options`](Self::query_with_options) to
    /// refuse those.
    pub fn query<'a, T: FromValue + Send + 'a>(
        &'a self,
        query_type: &'a str,
        args: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = T> + 'a> {
        self.query_with_options(query_type, args, QueryOptions::default())
    }

    /// Like [`query`](Self::query), with `options`: with a
    /// [reject condition](QueryOptions::reject_condition) the server refuses the query when
    /// the workflow's state matches it, and this fails with [`Error::QueryRejected`]
    /// carrying that state.
    pub fn query_with_options<'a, T: FromValue + Send + 'a>(
        &'a self,
        query_type: &'a str,
        args: impl ToPayloads + Send + 'a,
        options: QueryOptions,
    ) -> CallFuture<impl MakeCall<Output = T> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let query_args = args
                .to_payloads(self.client.converter())
                .map_err(|e| e.context(alloc::format!("query `{query_type}`")))?;
            let query_args = self.client.encode_payloads(query_args).await?;
            let request = QueryWorkflowRequest {
                namespace: self.namespace(),
                execution: Some(self.execution(self.run_id.as_deref())),
                query: Some(WorkflowQuery {
                    query_type: String::from(query_type),
                    query_args: Some(Payloads {
                        payloads: query_args,
                    }),
                    ..Default::default()
                }),
                query_reject_condition: options.reject_condition_proto(),
            };
            let result: Result<QueryWorkflowResponse, Error> = self
                .client
                .call_with(
                    self.on(Call::read("QueryWorkflow")),
                    &request,
                    &call_options,
                )
                .await;
            let mut response = match result {
                Ok(response) => response,
                Err(Error::QueryFailed {
                    message,
                    failure: Some(mut failure),
                }) => {
                    self.client.decode_failure(&mut failure).await?;
                    return Err(Error::QueryFailed {
                        message,
                        failure: Some(failure),
                    });
                }
                Err(error) => return Err(error),
            };
            let mut slots = Slots::new();
            slots.payloads(response.query_result.as_mut());
            self.client.decode_slots(slots).await?;
            if let Some(rejected) = response.query_rejected {
                return Err(Error::QueryRejected {
                    status: WorkflowStatus::from_i32(rejected.status),
                });
            }
            let answer = response
                .query_result
                .map(|p| p.payloads)
                .unwrap_or_default();
            Ok(decode_first(self.client.converter(), &answer)
                .map_err(|e| e.context(alloc::format!("answer to query `{query_type}`")))?)
        })
    }

    /// Ask the workflow to cancel itself. Returns once the request is recorded; the workflow
    /// decides what to do with it.
    pub fn cancel(&self) -> CallFuture<impl MakeCall<Output = ()> + '_> {
        self.cancel_with_reason("")
    }

    /// Like [`cancel`](Self::cancel), recording `reason`.
    pub fn cancel_with_reason<'a>(
        &'a self,
        reason: &'a str,
    ) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let request = RequestCancelWorkflowExecutionRequest {
                namespace: self.namespace(),
                workflow_execution: Some(self.execution(self.run_id.as_deref())),
                identity: String::from(self.client.identity()),
                request_id: self.client.new_request_id()?,
                first_execution_run_id: self.first_execution_run_id.clone().unwrap_or_default(),
                reason: String::from(reason),
                ..Default::default()
            };
            let call = self.on(Call::idempotent(
                "RequestCancelWorkflowExecution",
                &request.request_id,
            ));
            let _: RequestCancelWorkflowExecutionResponse =
                self.client.call_with(call, &request, &call_options).await?;
            Ok(())
        })
    }

    /// Terminate the workflow at once, recording `reason`. No workflow code runs.
    pub fn terminate<'a>(&'a self, reason: &'a str) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        self.terminate_with_details(reason, ())
    }

    /// Like [`terminate`](Self::terminate), attaching `details`.
    pub fn terminate_with_details<'a>(
        &'a self,
        reason: &'a str,
        details: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = ()> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let details = details
                .to_payloads(self.client.converter())
                .map_err(|e| e.context("terminate details"))?;
            let details = self.client.encode_payloads(details).await?;
            let request = TerminateWorkflowExecutionRequest {
                namespace: self.namespace(),
                workflow_execution: Some(self.execution(self.run_id.as_deref())),
                reason: String::from(reason),
                details: (!details.is_empty()).then_some(Payloads { payloads: details }),
                identity: String::from(self.client.identity()),
                first_execution_run_id: self.first_execution_run_id.clone().unwrap_or_default(),
                ..Default::default()
            };
            // No request id in a terminate: it is sent again only when the server certainly
            // did not process it, and a lost answer is reported as such.
            let call = self.on(Call::non_idempotent("TerminateWorkflowExecution"));
            let _: TerminateWorkflowExecutionResponse =
                self.client.call_with(call, &request, &call_options).await?;
            Ok(())
        })
    }
}

/// Whether a history request is a long poll.
fn page_wait(options: &HistoryPageOptions) -> Wait {
    if options.wait_new_event {
        Wait::LongPoll
    } else {
        Wait::Normal
    }
}

impl WorkflowHandle {
    /// `call`, declared as about this handle's workflow and run (shown in its tracing span
    /// and a not-found error).
    pub(super) fn on<'a>(&'a self, call: Call<'a>) -> Call<'a> {
        call.workflow(self.workflow_id()).run(self.run_id())
    }
}
