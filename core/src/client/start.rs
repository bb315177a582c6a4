use alloc::collections::BTreeMap;
use alloc::string::String;

use temporal_lite_proto::temporal::api::common::v1::Priority;
use temporal_lite_proto::temporal::api::common::v1::{
    Header, Memo, Payload, Payloads, SearchAttributes,
};
use temporal_lite_proto::temporal::api::sdk::v1::UserMetadata;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    SignalWithStartWorkflowExecutionRequest, SignalWithStartWorkflowExecutionResponse,
    StartWorkflowExecutionRequest,
};

use super::call::Call;
use super::codec::Slots;
use super::search_attributes::SearchAttributeValue;
use super::start_options::StartWorkflowOptions;
use super::{CallFuture, CallOptions, Client, Error, MakeCall, WorkflowHandle};
use crate::payload::{
    EncodingConverter, FromValue, JsonPlainConverter, PayloadConverter, PayloadError, ToPayloads,
    Value,
};

/// What a handle needs of a `StartWorkflowExecutionResponse` (same field numbers); the
/// rest (the link, an eager workflow task) is skipped rather than decoded.
#[derive(Clone, PartialEq, prost::Message)]
struct StartedRun {
    #[prost(string, tag = "1")]
    run_id: String,
    #[prost(bool, tag = "3")]
    started: bool,
    #[prost(string, tag = "6")]
    first_execution_run_id: String,
}

/// What both start and signal-with-start send (and update-with-start and a schedule's
/// action): the options, checked, and their encoded parts.
pub(crate) struct StartFields<'a> {
    pub(crate) client: &'a Client,
    pub(crate) workflow_type: &'a str,
    pub(crate) options: &'a StartWorkflowOptions,
    pub(crate) input: Option<Payloads>,
    pub(crate) memo: Option<Memo>,
    pub(crate) search_attributes: Option<SearchAttributes>,
    pub(crate) header: Option<Header>,
    pub(crate) user_metadata: Option<UserMetadata>,
    pub(crate) priority: Option<Priority>,
    pub(crate) request_id: String,
}

/// A `$message` (`StartWorkflowExecutionRequest`, `SignalWithStartWorkflowExecutionRequest`
/// or a schedule's `NewWorkflowExecutionInfo`, which share these fields) made of the
/// [`StartFields`] `$fields` (moved from) and the fields in `$extra`.
macro_rules! new_execution {
    ($message:ident, $fields:ident, { $($extra:tt)* }) => {{
        use ::temporal_lite_proto::temporal::api as api;
        use $crate::client::proto_time::to_proto_duration;
        let options = $fields.options;
        $message {
            workflow_id: options.id.clone(),
            workflow_type: Some(api::common::v1::WorkflowType {
                name: String::from($fields.workflow_type),
            }),
            task_queue: Some(api::taskqueue::v1::TaskQueue {
                name: options.task_queue.clone(),
                kind: api::enums::v1::TaskQueueKind::Normal as i32,
                ..Default::default()
            }),
            input: $fields.input,
            workflow_execution_timeout: options.execution_timeout.map(to_proto_duration),
            workflow_run_timeout: options.run_timeout.map(to_proto_duration),
            workflow_task_timeout: options.task_timeout.map(to_proto_duration),
            retry_policy: options.retry_policy.as_ref().map(|p| p.to_proto()),
            memo: $fields.memo,
            search_attributes: $fields.search_attributes,
            header: $fields.header,
            user_metadata: $fields.user_metadata,
            priority: $fields.priority,
            $($extra)*
            ..Default::default()
        }
    }};
}
pub(crate) use new_execution;

/// A `$request` (`StartWorkflowExecutionRequest` or `SignalWithStartWorkflowExecutionRequest`)
/// made of the [`StartFields`] `$fields`, what only a request carries (namespace, identity,
/// request id, id policies, cron, start delay) and the fields in `$extra`.
macro_rules! start_request {
    ($request:ident, $fields:expr, { $($extra:tt)* }) => {{
        let fields: StartFields<'_> = $fields;
        let options = fields.options;
        let namespace = String::from(fields.client.namespace());
        let identity = String::from(fields.client.identity());
        let request_id = fields.request_id;
        $crate::client::start::new_execution!($request, fields, {
            namespace,
            identity,
            request_id,
            workflow_id_reuse_policy: options.reuse_policy_proto(),
            workflow_id_conflict_policy: options.conflict_policy_proto(),
            cron_schedule: options.cron_schedule.clone().unwrap_or_default(),
            workflow_start_delay: options.start_delay.map($crate::client::proto_time::to_proto_duration),
            $($extra)*
        })
    }};
}
pub(crate) use start_request;

fn encode_map(
    converter: &dyn PayloadConverter,
    fields: &BTreeMap<String, Value>,
    what: &str,
) -> Result<BTreeMap<String, Payload>, PayloadError> {
    fields
        .iter()
        .map(|(key, value)| {
            converter
                .encode(value)
                .map(|payload| (key.clone(), payload))
                .map_err(|e| e.context(alloc::format!("{what} `{key}`")))
        })
        .collect()
}

/// Search attributes are JSON whatever the client's converter (the server decodes them);
/// typed ones carry their index type and win over untyped ones of the same name.
pub(crate) fn encode_search_attributes(
    fields: &BTreeMap<String, Value>,
    typed: &BTreeMap<String, SearchAttributeValue>,
) -> Result<BTreeMap<String, Payload>, PayloadError> {
    let json = JsonPlainConverter;
    let mut encoded: BTreeMap<String, Payload> = fields
        .iter()
        .map(|(key, value)| {
            let payload = match value {
                Value::Payload(payload) => Some(payload.clone()),
                other => json.encode(other)?,
            };
            payload
                .map(|payload| (key.clone(), payload))
                .ok_or_else(|| {
                    PayloadError::new(alloc::format!(
                        "search attribute `{key}`: only JSON values are allowed, not bytes"
                    ))
                })
        })
        .collect::<Result<_, _>>()?;
    for (key, value) in typed {
        let payload = value
            .to_payload()
            .map_err(|e| e.context(alloc::format!("search attribute `{key}`")))?;
        encoded.insert(key.clone(), payload);
    }
    Ok(encoded)
}

/// The static summary and details as user metadata, encoded with `converter`.
pub(crate) fn encode_user_metadata(
    converter: &dyn PayloadConverter,
    summary: Option<&str>,
    details: Option<&str>,
) -> Result<Option<UserMetadata>, PayloadError> {
    if summary.is_none() && details.is_none() {
        return Ok(None);
    }
    let encode = |text: Option<&str>, what: &str| {
        text.map(|t| crate::payload::encode(converter, t).map_err(|e| e.context(what)))
            .transpose()
    };
    Ok(Some(UserMetadata {
        summary: encode(summary, "static summary")?,
        details: encode(details, "static details")?,
    }))
}

impl Client {
    /// Check `options` and convert every part of a start (the codec comes after, in
    /// [`encode_start_fields`](Self::encode_start_fields)).
    pub(crate) fn start_fields<'a>(
        &'a self,
        workflow_type: &'a str,
        args: &dyn ToPayloads,
        options: &'a StartWorkflowOptions,
    ) -> Result<StartFields<'a>, Error> {
        options.validate(workflow_type)?;
        let converter = self.converter();
        let input = args
            .to_payloads(converter)
            .map_err(|e| e.context(alloc::format!("input of workflow `{}`", options.id)))?;
        let memo = encode_map(converter, &options.memo, "memo field")?;
        let headers = encode_map(converter, &options.headers, "header")?;
        let search_attributes =
            encode_search_attributes(&options.search_attributes, &options.typed_search_attributes)?;
        Ok(StartFields {
            client: self,
            workflow_type,
            options,
            input: (!input.is_empty()).then_some(Payloads { payloads: input }),
            memo: (!memo.is_empty()).then(|| Memo {
                fields: memo.into_iter().collect(),
            }),
            search_attributes: (!search_attributes.is_empty()).then(|| SearchAttributes {
                indexed_fields: search_attributes.into_iter().collect(),
            }),
            header: (!headers.is_empty()).then(|| Header {
                fields: headers.into_iter().collect(),
            }),
            user_metadata: encode_user_metadata(
                converter,
                options.static_summary.as_deref(),
                options.static_details.as_deref(),
            )?,
            priority: options.priority.as_ref().map(|p| p.to_proto()),
            request_id: options
                .request_id
                .clone()
                .map_or_else(|| self.new_request_id(), Ok)?,
        })
    }

    /// Run the payloads of `fields` through the codec.
    pub(crate) async fn encode_start_fields(
        &self,
        fields: &mut StartFields<'_>,
    ) -> Result<(), Error> {
        let mut slots = Slots::new();
        slots
            .payloads(fields.input.as_mut())
            .memo(fields.memo.as_mut())
            .header(fields.header.as_mut())
            .user_metadata(fields.user_metadata.as_mut());
        self.encode_slots(slots).await
    }

    /// Start workflow `workflow_type` with `args` (`()` for none, `(x,)` for one, a tuple for
    /// several) and return a handle to it.
    ///
    /// Fails with [`Error::InvalidOptions`] before any call if the id, task queue or type is
    /// empty, and with [`Error::WorkflowAlreadyStarted`] if the id is taken (see
    /// [`WorkflowIdConflictPolicy`](super::WorkflowIdConflictPolicy)). Retries reuse the
    /// request id, so a start that is retried after a lost response starts one workflow.
    pub fn start_workflow<'a>(
        &'a self,
        workflow_type: &'a str,
        args: impl ToPayloads + Send + 'a,
        options: StartWorkflowOptions,
    ) -> CallFuture<impl MakeCall<Output = WorkflowHandle> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let mut fields = self.start_fields(workflow_type, &args, &options)?;
            self.encode_start_fields(&mut fields).await?;
            let request = start_request!(StartWorkflowExecutionRequest, fields, {});
            let call = Call::idempotent("StartWorkflowExecution", &request.request_id);
            let started = |run: StartedRun| run;
            self.send_start(call, &request, options, &call_options, started)
                .await
        })
    }

    /// Start a workflow and wait for its result: [`start_workflow`](Self::start_workflow)
    /// then [`WorkflowHandle::result`].
    pub fn execute_workflow<'a, T: FromValue + Send + 'a>(
        &'a self,
        workflow_type: &'a str,
        args: impl ToPayloads + Send + 'a,
        options: StartWorkflowOptions,
    ) -> CallFuture<impl MakeCall<Output = T> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let handle = self
                .start_workflow(workflow_type, args, options)
                .options(call_options.clone())
                .await?;
            handle.result().options(call_options).await
        })
    }

    /// Send signal `signal_name` with `signal_args` to workflow `options.id`, starting the
    /// workflow first (with `args`) if it is not running. Returns a handle to the run that
    /// got the signal.
    pub fn signal_with_start_workflow<'a>(
        &'a self,
        workflow_type: &'a str,
        args: impl ToPayloads + Send + 'a,
        options: StartWorkflowOptions,
        signal_name: &'a str,
        signal_args: impl ToPayloads + Send + 'a,
    ) -> CallFuture<impl MakeCall<Output = WorkflowHandle> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            let mut fields = self.start_fields(workflow_type, &args, &options)?;
            self.encode_start_fields(&mut fields).await?;
            if signal_name.is_empty() {
                return Err(Error::invalid(
                    "signal-with-start needs a signal name: pass the name the workflow handles",
                ));
            }
            let signal_input = signal_args
                .to_payloads(self.converter())
                .map_err(|e| e.context(alloc::format!("signal `{signal_name}`")))?;
            drop(signal_args);
            let signal_input = self.encode_payloads(signal_input).await?;
            let request = start_request!(SignalWithStartWorkflowExecutionRequest, fields, {
                signal_name: String::from(signal_name),
                signal_input: (!signal_input.is_empty()).then_some(Payloads {
                    payloads: signal_input,
                }),
            });
            let started = |response: SignalWithStartWorkflowExecutionResponse| StartedRun {
                run_id: response.run_id,
                started: response.started,
                first_execution_run_id: response.first_execution_run_id,
            };
            let call = Call::idempotent("SignalWithStartWorkflowExecution", &request.request_id);
            self.send_start(call, &request, options, &call_options, started)
                .await
        })
    }

    /// Make the start-like `call` (idempotent, by the request's id) with `request` and make
    /// a handle to the run it started; `started` picks that run out of the response.
    async fn send_start<Req: prost::Message, Resp: prost::Message + Default>(
        &self,
        call: Call<'_>,
        request: &Req,
        options: StartWorkflowOptions,
        call_options: &CallOptions,
        started: impl FnOnce(Resp) -> StartedRun,
    ) -> Result<WorkflowHandle, Error> {
        let call = call.workflow(&options.id);
        let response: Resp = self
            .call_with(call, request, call_options)
            .await
            .map_err(|e| e.with_workflow_id(&options.id))?;
        let run = started(response);
        Ok(WorkflowHandle::started(
            self.clone(),
            options.id,
            run.run_id,
            run.started,
            run.first_execution_run_id,
        ))
    }
}
