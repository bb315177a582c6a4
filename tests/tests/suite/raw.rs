//! Raw calls: an OperatorService call (add and list search attributes) and WorkflowService
//! calls with another crate's message types, as the escape hatch is meant to be used.

use std::time::Duration;

use temporal_lite_core::client::{Error, Service};
use temporal_lite_proto::temporal::api::enums::v1::IndexedValueType;
use temporal_lite_proto::temporal::api::operatorservice::v1::{
    AddSearchAttributesRequest, AddSearchAttributesResponse, ListSearchAttributesRequest,
    ListSearchAttributesResponse,
};
use temporalio_protos::temporal::api as upstream;

use crate::harness::{fail, Ctx, TestResult};

/// An Int search attribute the raw-call case registers (adding it again is a no-op).
pub(crate) const RAW_INT_ATTRIBUTE: &str = "LiteRawInt";

/// Register search attributes with a raw OperatorService call (idempotent for the same
/// name and type) and wait until the namespace lists them.
pub(crate) async fn register_search_attributes(
    ctx: &Ctx,
    attributes: &[(&str, IndexedValueType)],
) -> TestResult {
    let request = AddSearchAttributesRequest {
        search_attributes: attributes
            .iter()
            .map(|(name, kind)| (name.to_string(), *kind as i32))
            .collect(),
        namespace: ctx.client.namespace().to_string(),
    };
    // Cases on other threads register the same attributes at the same time; the server
    // may refuse a concurrent change of the namespace's attributes, so try again a while.
    let last_error = std::sync::Mutex::new(None);
    let added = ctx
        .eventually("search attributes added", Duration::from_secs(20), || {
            let request = &request;
            let last_error = &last_error;
            async move {
                let added: Result<AddSearchAttributesResponse, Error> = ctx
                    .client
                    .raw_call(Service::Operator, "AddSearchAttributes", request)
                    .await;
                Ok(match added {
                    Ok(_) => Some(()),
                    Err(error) => {
                        if let Ok(mut last) = last_error.lock() {
                            *last = Some(error.to_string());
                        }
                        None
                    }
                })
            }
        })
        .await;
    if let Err(error) = added {
        return Err(fail(format!("{error:?}; last error: {last_error:?}")));
    }
    let list = ListSearchAttributesRequest {
        namespace: ctx.client.namespace().to_string(),
    };
    let listed: ListSearchAttributesResponse = ctx
        .client
        .raw_call(Service::Operator, "ListSearchAttributes", &list)
        .await?;
    for (name, kind) in attributes {
        assert_eq!(
            listed.custom_attributes.get(*name),
            Some(&(*kind as i32)),
            "{name} in {:?}",
            listed.custom_attributes
        );
    }
    Ok(())
}

/// An operator call, a workflow call and a long poll with upstream's types, and the
/// errors of a bad method name.
pub(crate) async fn raw_calls(ctx: &Ctx) -> TestResult {
    register_search_attributes(ctx, &[(RAW_INT_ATTRIBUTE, IndexedValueType::Int)]).await?;
    let calls = ctx.calls.calls_of("AddSearchAttributes");
    let call = calls
        .last()
        .ok_or_else(|| fail("no AddSearchAttributes call"))?;
    assert_eq!(
        call.metadata.get("temporal-namespace"),
        Some(ctx.client.namespace())
    );
    assert_eq!(call.metadata.get("client-name"), Some("temporal-lite"));

    // A WorkflowService call with the temporalio-protos crate's types: the worker polls.
    let request = upstream::workflowservice::v1::DescribeTaskQueueRequest {
        namespace: ctx.client.namespace().to_string(),
        task_queue: Some(upstream::taskqueue::v1::TaskQueue {
            name: ctx.task_queue.clone(),
            ..Default::default()
        }),
        task_queue_type: upstream::enums::v1::TaskQueueType::Workflow as i32,
        ..Default::default()
    };
    let described: upstream::workflowservice::v1::DescribeTaskQueueResponse = ctx
        .client
        .raw_call(Service::Workflow, "DescribeTaskQueue", &request)
        .await?;
    assert!(!described.pollers.is_empty(), "{described:?}");

    // A long poll: the history of a finished workflow, waiting for its close event.
    let handle = ctx
        .client
        .start_workflow("Echo", ("raw",), ctx.options("raw"))
        .await?;
    let request = upstream::workflowservice::v1::GetWorkflowExecutionHistoryRequest {
        namespace: ctx.client.namespace().to_string(),
        execution: Some(upstream::common::v1::WorkflowExecution {
            workflow_id: handle.workflow_id().to_string(),
            run_id: String::new(),
        }),
        wait_new_event: true,
        history_event_filter_type: upstream::enums::v1::HistoryEventFilterType::CloseEvent as i32,
        ..Default::default()
    };
    let history: upstream::workflowservice::v1::GetWorkflowExecutionHistoryResponse = ctx
        .client
        .raw_long_poll("GetWorkflowExecutionHistory", &request)
        .await?;
    let events = history.history.map(|h| h.events).unwrap_or_default();
    assert_eq!(
        events.last().map(|e| e.event_type),
        Some(upstream::enums::v1::EventType::WorkflowExecutionCompleted as i32)
    );

    // A path instead of a method name fails before any call; an unknown method is the
    // server's UNIMPLEMENTED.
    let before = ctx.calls.calls().len();
    let bad: Result<ListSearchAttributesResponse, Error> = ctx
        .client
        .raw_call(
            Service::Operator,
            "/x.Y/ListSearchAttributes",
            &ListSearchAttributesRequest::default(),
        )
        .await;
    assert!(matches!(bad, Err(Error::InvalidOptions { .. })), "{bad:?}");
    assert_eq!(ctx.calls.calls().len(), before);
    let unknown: Result<ListSearchAttributesResponse, Error> = ctx
        .client
        .raw_call(
            Service::Workflow,
            "NoSuchMethod",
            &ListSearchAttributesRequest::default(),
        )
        .await;
    assert_eq!(
        unknown.as_ref().err().and_then(Error::code),
        Some(temporal_lite_core::grpc::Code::UNIMPLEMENTED),
        "{unknown:?}"
    );
    Ok(())
}
