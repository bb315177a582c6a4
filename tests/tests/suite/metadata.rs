//! Start options beyond the basics: static summary and details, priority, typed search
//! attributes, and `first_execution_run_id` on handles made by id.

use std::time::Duration;

use temporal_lite_core::client::{Error, Priority, SearchAttributeValue, WorkflowHandle};
use temporal_lite_proto::temporal::api::enums::v1::IndexedValueType;

use crate::harness::{fail, started_attributes, Ctx, TestResult};
use crate::raw::{register_search_attributes, RAW_INT_ATTRIBUTE};

/// Summary and details show in the description (decoded), priority in the execution info,
/// typed search attributes come back with their types and can be queried.
pub(crate) async fn summary_priority_and_typed_search_attributes(ctx: &Ctx) -> TestResult {
    let keyword = ctx.suite_keyword()?;
    let typed = [
        ("LiteTypedText", IndexedValueType::Text),
        ("LiteTypedDouble", IndexedValueType::Double),
        ("LiteTypedBool", IndexedValueType::Bool),
        ("LiteTypedDatetime", IndexedValueType::Datetime),
        ("LiteTypedKeywordList", IndexedValueType::KeywordList),
        (RAW_INT_ATTRIBUTE, IndexedValueType::Int),
    ];
    register_search_attributes(ctx, &typed).await?;
    let id = ctx.id("metadata");
    let values = [
        (keyword, SearchAttributeValue::Keyword(id.clone())),
        (
            "LiteTypedText",
            SearchAttributeValue::Text("free text here".into()),
        ),
        ("LiteTypedDouble", SearchAttributeValue::Double(2.5)),
        ("LiteTypedBool", SearchAttributeValue::Bool(true)),
        (
            "LiteTypedDatetime",
            SearchAttributeValue::datetime_from_unix(Duration::from_secs(1_714_564_800)),
        ),
        (
            "LiteTypedKeywordList",
            SearchAttributeValue::KeywordList(vec!["a".into(), "b".into()]),
        ),
        (RAW_INT_ATTRIBUTE, SearchAttributeValue::Int(42)),
    ];
    // A search attribute added a moment ago may not be known to every part of the server
    // yet: retry the start while the server says it is not defined.
    let handle: WorkflowHandle = ctx
        .eventually(
            "a start with the new attributes",
            Duration::from_secs(20),
            || async {
                let mut options = ctx
                    .options("metadata")
                    .static_summary("**Order** 42")
                    .static_details("Details in *Markdown*")
                    .priority(
                        Priority::new()
                            .priority_key(2)
                            .fairness_key("tenant-7")
                            .fairness_weight(1.5),
                    );
                options.id = id.clone();
                for (name, value) in &values {
                    options = options.typed_search_attribute(*name, value.clone());
                }
                match ctx.client.start_workflow("SignalWait", (), options).await {
                    Ok(handle) => Ok(Some(handle)),
                    Err(Error::Status(status)) if status.message.contains("not defined") => {
                        Ok(None)
                    }
                    Err(e) => Err(e.into()),
                }
            },
        )
        .await?;

    let description = handle.describe().await?;
    assert_eq!(description.static_summary.as_deref(), Some("**Order** 42"));
    assert_eq!(
        description.static_details.as_deref(),
        Some("Details in *Markdown*")
    );
    let priority = description
        .info
        .priority
        .clone()
        .ok_or_else(|| fail("no priority"))?;
    assert_eq!(priority.priority_key, Some(2));
    assert_eq!(priority.fairness_key.as_deref(), Some("tenant-7"));
    for (name, value) in &values {
        let read = description
            .info
            .typed_search_attribute(name)
            .ok_or_else(|| fail(format!("search attribute {name} missing")))??;
        match (value, &read) {
            // The server normalises the time's text.
            (SearchAttributeValue::Datetime(_), SearchAttributeValue::Datetime(text)) => {
                assert!(text.starts_with("2024-05-01T12:00:00"), "{text}")
            }
            _ => assert_eq!(&read, value, "{name}"),
        }
    }
    // The started event carries the summary as user metadata.
    let events = handle.fetch_history().await?;
    let started = started_attributes(&events)?;
    assert!(started.priority.is_some());

    // Visibility finds it by the typed values.
    let query = format!("{keyword} = '{id}' AND {RAW_INT_ATTRIBUTE} = 42 AND LiteTypedBool = true");
    ctx.eventually(
        "the workflow in a typed query",
        Duration::from_secs(20),
        || async { Ok((ctx.client.count_workflows(&query).await?.count == 1).then_some(())) },
    )
    .await?;
    handle.terminate("metadata case done").await?;
    Ok(())
}

/// A handle made by id with a first execution run id only reaches that chain.
pub(crate) async fn first_execution_run_id_on_handles_by_id(ctx: &Ctx) -> TestResult {
    let options = ctx.options("first-run");
    let id = options.id.clone();
    let first = ctx
        .client
        .start_workflow("SignalWait", (), options.clone())
        .await?;
    let first_run = first
        .first_execution_run_id()
        .unwrap_or_default()
        .to_string();
    first.terminate("make room").await?;
    let second = ctx.client.start_workflow("SignalWait", (), options).await?;
    let second_run = second
        .first_execution_run_id()
        .unwrap_or_default()
        .to_string();
    assert_ne!(first_run, second_run);

    // The id now names the second chain: a handle pinned to the first chain cannot touch it.
    let pinned = ctx
        .client
        .workflow_handle(&id)
        .with_first_execution_run_id(&first_run);
    assert_eq!(pinned.first_execution_run_id(), Some(first_run.as_str()));
    let refused = pinned.cancel().await;
    assert!(
        matches!(refused, Err(Error::NotFound { .. })),
        "{refused:?}"
    );
    let refused = pinned.terminate("wrong chain").await;
    assert!(
        matches!(refused, Err(Error::NotFound { .. })),
        "{refused:?}"
    );

    // Pinned to the right chain, it does.
    ctx.client
        .workflow_handle(&id)
        .with_first_execution_run_id(&second_run)
        .terminate("right chain")
        .await?;
    Ok(())
}

/// Per-call options on the wire: a header given to one call is sent with that call only,
/// and a deadline given to `result` bounds the whole wait.
pub(crate) async fn per_call_metadata_and_deadline(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("Sleep", (60,), ctx.options("per-call"))
        .await?;
    handle
        .describe()
        .metadata("x-suite-call", "described")
        .await?;
    handle.describe().await?;
    let describes = ctx.calls.calls_of("DescribeWorkflowExecution");
    let sent: Vec<Option<&str>> = describes
        .iter()
        .map(|c| c.metadata.get("x-suite-call"))
        .collect();
    assert_eq!(sent[sent.len() - 2..], [Some("described"), None]);

    let waited = handle
        .result::<f64>()
        .timeout(Duration::from_millis(1500))
        .await;
    assert!(
        matches!(waited, Err(Error::DeadlineExceeded { .. })),
        "{waited:?}"
    );
    handle.terminate("done").await?;
    Ok(())
}
