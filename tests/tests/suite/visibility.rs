//! Listing and counting workflows (visibility is updated asynchronously: poll).

use std::time::Duration;

use temporal_lite_core::client::{Error, WorkflowStatus};
use temporal_lite_core::grpc::Code;

use crate::harness::{fail, Ctx, TestResult};

/// Three workflows tagged with one search attribute value: counted, listed in pages of two,
/// and found again by workflow id and type.
pub(crate) async fn list_and_count(ctx: &Ctx) -> TestResult {
    let keyword = ctx.suite_keyword()?;
    let batch = ctx.id("batch");
    let mut ids = Vec::new();
    let mut run_ids = Vec::new();
    for i in 0..3i64 {
        let options = ctx
            .options(&format!("list-{i}"))
            .search_attribute(keyword, &batch);
        ids.push(options.id.clone());
        let handle = ctx.client.start_workflow("Echo", (i,), options).await?;
        assert_eq!(handle.result::<i64>().await?, i);
        run_ids.push(handle.result_run_id().unwrap_or_default().to_string());
    }

    let query = format!("{keyword} = '{batch}'");
    let completed = format!("{query} AND ExecutionStatus = 'Completed'");
    let (client, completed_query) = (&ctx.client, &completed);
    ctx.eventually(
        "three completed workflows in visibility",
        Duration::from_secs(10),
        || async move { Ok((client.count_workflows(completed_query).await?.count == 3).then_some(())) },
    )
    .await?;
    assert_eq!(ctx.client.count_workflows(&query).await?.count, 3);
    let grouped = format!("{query} GROUP BY ExecutionStatus");
    let by_status = ctx.client.count_workflows(&grouped).await?;
    assert_eq!(by_status.count, 3);
    assert_eq!(by_status.groups.len(), 1, "{by_status:?}");
    assert_eq!(by_status.groups[0].count, 3);
    let status: String = ctx.client.decode(&by_status.groups[0].values[0])?;
    assert_eq!(status, "Completed");

    // As a stream: every workflow through pages of 2, or the first 2.
    let mut stream = ctx.client.list_workflows(&query).page_size(2);
    let mut streamed = Vec::new();
    while let Some(workflow) = stream.next_workflow().await {
        streamed.push(workflow?.workflow_id);
    }
    streamed.sort_unstable();
    let mut expected_ids = ids.clone();
    expected_ids.sort_unstable();
    assert_eq!(streamed, expected_ids);
    let mut limited = ctx.client.list_workflows(&query).limit(2);
    let mut first_two = 0;
    while let Some(workflow) = limited.next_workflow().await {
        workflow?;
        first_two += 1;
    }
    assert_eq!(first_two, 2);

    let mut listed = Vec::new();
    let mut token = Vec::new();
    let mut pages = 0;
    loop {
        let page = ctx.client.list_workflows_page(&query, 2, &token).await?;
        pages += 1;
        assert!(
            page.executions.len() <= 2,
            "{} on one page",
            page.executions.len()
        );
        let more = page.has_next();
        listed.extend(page.executions);
        if !more {
            break;
        }
        token = page.next_page_token;
        assert!(pages < 10, "the pages never end");
    }
    assert!(
        pages >= 2,
        "3 workflows in pages of 2 came in {pages} page(s)"
    );
    let mut listed_ids: Vec<&str> = listed.iter().map(|w| w.workflow_id.as_str()).collect();
    listed_ids.sort_unstable();
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(listed_ids, expected);
    for info in &listed {
        assert_eq!(info.workflow_type, "Echo");
        assert_eq!(info.status, WorkflowStatus::Completed);
        assert_eq!(info.task_queue, ctx.task_queue);
        assert!(info.start_time.is_some() && info.close_time.is_some());
        assert!(info.history_length > 0);
        let tag = info.search_attributes.get(keyword).ok_or_else(|| {
            fail(format!(
                "{keyword} not listed: {:?}",
                info.search_attributes
            ))
        })?;
        assert_eq!(ctx.client.decode::<String>(tag)?, batch);
    }

    let by_id = format!("WorkflowId = '{}' AND WorkflowType = 'Echo'", ids[0]);
    let page = ctx.client.list_workflows_page(&by_id, 0, &[]).await?;
    assert_eq!(page.executions.len(), 1);
    assert_eq!(page.executions[0].run_id, run_ids[0]);
    assert!(!page.has_next());
    assert_eq!(ctx.client.count_workflows(&by_id).await?.count, 1);
    let other_type = format!("WorkflowId = '{}' AND WorkflowType = 'Sleep'", ids[0]);
    assert_eq!(ctx.client.count_workflows(&other_type).await?.count, 0);

    let error = ctx
        .client
        .list_workflows("this is not a query")
        .next_workflow()
        .await
        .expect("an answer")
        .expect_err("a malformed query was accepted");
    assert!(
        matches!(&error, Error::Status(s) if s.code == Code::INVALID_ARGUMENT),
        "{error:?}"
    );
    Ok(())
}
