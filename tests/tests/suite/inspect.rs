//! Looking at workflows: describe, handles by id and run, history pages, streams and long polls.

use std::time::{Duration, Instant};

use futures_util::stream::FusedStream;
use futures_util::TryStreamExt;
use temporal_lite_core::client::{
    HistoryEventFilter, HistoryPageOptions, PendingActivityState, WorkflowStatus,
};
use temporal_lite_proto::temporal::api::enums::v1::EventType;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;

use crate::harness::{event_type, event_types, fail, unix_now, Ctx, TestResult};

/// Describe a running workflow, then the same one closed.
pub(crate) async fn describe_running_and_closed(ctx: &Ctx) -> TestResult {
    let options = ctx.options("describe");
    let id = options.id.clone();
    let handle = ctx.client.start_workflow("SignalWait", (), options).await?;
    let run_id = handle.result_run_id().unwrap_or_default().to_string();

    let running = handle.describe().await?;
    let info = &running.info;
    assert_eq!(info.workflow_id, id);
    assert_eq!(info.run_id, run_id);
    assert_eq!(info.first_run_id, run_id);
    assert_eq!(info.workflow_type, "SignalWait");
    assert_eq!(info.task_queue, ctx.task_queue);
    assert_eq!(info.status, WorkflowStatus::Running);
    assert!(info.status.is_open());
    let start = info.start_time.ok_or_else(|| fail("no start time"))?;
    let now = unix_now();
    assert!(
        start <= now + Duration::from_secs(5) && start + Duration::from_secs(60) >= now,
        "start time {start:?} is not about now ({now:?})"
    );
    assert_eq!(info.close_time, None);
    assert_eq!(info.execution_duration, None);
    assert!(info.history_length >= 2, "{}", info.history_length);
    assert_eq!(info.parent, None);
    assert!(running.pending_activities.is_empty());
    assert_eq!(running.pending_children, 0);
    assert!(running.raw().workflow_execution_info.is_some());

    handle.signal("finish", ("closed",)).await?;
    assert_eq!(handle.result::<String>().await?, "closed");

    let closed = handle.describe().await?;
    let info = &closed.info;
    assert_eq!(info.status, WorkflowStatus::Completed);
    assert!(!info.status.is_open());
    let close = info.close_time.ok_or_else(|| fail("no close time"))?;
    assert!(
        close >= start,
        "closed {close:?} before it started {start:?}"
    );
    assert!(info.execution_duration.is_some());
    let history = handle.fetch_history().await?;
    assert_eq!(info.history_length, history.len() as u64);
    assert!(info.history_size_bytes > 0);
    Ok(())
}

/// An activity that keeps failing shows as pending, with its attempt and last failure.
pub(crate) async fn describe_pending_activity(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow(
            "RetryingActivity",
            (1000,),
            // Ends it even if the case fails before terminating it.
            ctx.options("pending-activity")
                .execution_timeout(Duration::from_secs(60)),
        )
        .await?;
    let h = &handle;
    let activity = ctx
        .eventually(
            "a retried pending activity",
            Duration::from_secs(15),
            || async move {
                let description = h.describe().await?;
                Ok(description
                    .pending_activities
                    .into_iter()
                    .find(|a| a.attempt >= 2 && a.last_failure.is_some()))
            },
        )
        .await?;
    assert_eq!(activity.activity_type, "Flaky");
    assert!(!activity.activity_id.is_empty());
    assert!(
        matches!(
            activity.state,
            PendingActivityState::Scheduled | PendingActivityState::Started
        ),
        "{:?}",
        activity.state
    );
    assert_eq!(activity.maximum_attempts, 0, "unlimited attempts");
    assert!(activity.scheduled_time.is_some());
    let failure = activity
        .last_failure
        .as_ref()
        .ok_or_else(|| fail("no failure"))?;
    assert!(failure.message.contains("fails on purpose"), "{failure}");
    assert_eq!(failure.error_type(), Some("Flaky"));
    assert!(
        activity
            .last_worker_identity
            .contains("temporal-lite-test-worker"),
        "{}",
        activity.last_worker_identity
    );
    handle.terminate("pending activity case done").await?;
    Ok(())
}

/// Handles made from an id follow the latest run; handles made from a run id stay on it.
pub(crate) async fn handles_by_id_and_by_run(ctx: &Ctx) -> TestResult {
    let options = ctx.options("handles");
    let id = options.id.clone();
    let first = ctx
        .client
        .start_workflow("Echo", ("first",), options.clone())
        .await?;
    let first_run = first.result_run_id().unwrap_or_default().to_string();

    let by_id = ctx.client.workflow_handle(&id);
    assert_eq!(by_id.workflow_id(), id);
    assert_eq!(by_id.run_id(), None);
    assert_eq!(by_id.result::<String>().await?, "first");
    let by_run = ctx.client.workflow_handle_with_run(&id, &first_run);
    assert_eq!(by_run.run_id(), Some(first_run.as_str()));
    assert_eq!(by_run.result_run_id(), Some(first_run.as_str()));
    assert_eq!(ctx.client.workflow_handle_with_run(&id, "").run_id(), None);

    let second = ctx
        .client
        .start_workflow("Echo", ("second",), options)
        .await?;
    let second_run = second.result_run_id().unwrap_or_default().to_string();
    assert_ne!(second_run, first_run);
    assert_eq!(second.result::<String>().await?, "second");

    assert_eq!(by_id.describe().await?.info.run_id, second_run);
    assert_eq!(by_id.result::<String>().await?, "second");
    assert_eq!(by_run.describe().await?.info.run_id, first_run);
    assert_eq!(by_run.result::<String>().await?, "first");
    Ok(())
}

/// History in small pages with next-page tokens, as a whole, and as a stream: all the same.
pub(crate) async fn history_pages_and_stream(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("Echo", ("history",), ctx.options("history"))
        .await?;
    assert_eq!(handle.result::<String>().await?, "history");

    let all = handle.fetch_history().await?;
    let ids: Vec<i64> = all.iter().map(|e| e.event_id).collect();
    assert_eq!(ids, (1..=all.len() as i64).collect::<Vec<_>>());
    assert_eq!(
        all.first().map(event_type),
        Some(EventType::WorkflowExecutionStarted)
    );
    assert_eq!(
        all.last().map(event_type),
        Some(EventType::WorkflowExecutionCompleted)
    );

    let mut options = HistoryPageOptions {
        maximum_page_size: 2,
        ..HistoryPageOptions::default()
    };
    let mut paged = Vec::new();
    let mut pages = 0;
    loop {
        let page = handle.fetch_history_page(&options).await?;
        pages += 1;
        assert!(!page.archived);
        let more = page.has_next();
        paged.extend(page.events);
        if !more {
            break;
        }
        options.next_page_token = page.next_page_token;
        assert!(pages < 100, "the pages never end");
    }
    assert!(pages >= 2, "{} events came in {pages} page(s)", all.len());
    assert_eq!(paged, all);

    let streamed: Vec<_> = handle
        .history_events(HistoryPageOptions {
            maximum_page_size: 3,
            ..HistoryPageOptions::default()
        })
        .try_collect()
        .await?;
    assert_eq!(streamed, all);

    let mut events = handle.history_events(HistoryPageOptions::default());
    let mut count = 0;
    while let Some(event) = events.next_event().await {
        assert_eq!(event?.event_id, count + 1);
        count += 1;
    }
    assert_eq!(count, all.len() as i64);
    assert!(events.is_terminated());
    Ok(())
}

/// A `wait_new_event` history stream blocks in a long poll until the signal arrives, then
/// follows the run to its close.
pub(crate) async fn history_long_poll_returns_on_signal(ctx: &Ctx) -> TestResult {
    let handle = ctx
        .client
        .start_workflow("SignalWait", (), ctx.options("long-poll"))
        .await?;
    let mut events = handle.history_events(HistoryPageOptions {
        wait_new_event: true,
        ..HistoryPageOptions::default()
    });
    // Once the first workflow task completed, the run waits for the signal.
    loop {
        let event = events
            .next_event()
            .await
            .ok_or_else(|| fail("the history ended before the first workflow task"))??;
        if event_type(&event) == EventType::WorkflowTaskCompleted {
            break;
        }
    }

    let reader = async {
        let mut seen = Vec::new();
        while let Some(event) = events.next_event().await {
            seen.push((event?, Instant::now()));
        }
        TestResult::Ok(seen)
    };
    let signaller = async {
        ctx.sleep(Duration::from_millis(700)).await;
        let sent = Instant::now();
        handle.signal("finish", ("polled",)).await?;
        TestResult::Ok(sent)
    };
    let (seen, sent) = futures_util::join!(reader, signaller);
    let (seen, sent) = (seen?, sent?);

    let types: Vec<EventType> = seen.iter().map(|(e, _)| event_type(e)).collect();
    let (signaled, arrived) = seen
        .iter()
        .find(|(e, _)| event_type(e) == EventType::WorkflowExecutionSignaled)
        .ok_or_else(|| fail(format!("no signal event in {types:?}")))?;
    assert!(
        *arrived >= sent,
        "the signal event came before the signal was sent"
    );
    let Some(Attributes::WorkflowExecutionSignaledEventAttributes(signal)) = &signaled.attributes
    else {
        return Err(fail("signal event without attributes"));
    };
    assert_eq!(signal.signal_name, "finish");
    assert_eq!(signal.identity, ctx.identity());
    let input = signal
        .input
        .as_ref()
        .ok_or_else(|| fail("no signal input"))?;
    assert_eq!(ctx.client.decode::<String>(&input.payloads[0])?, "polled");
    assert_eq!(
        types.last(),
        Some(&EventType::WorkflowExecutionCompleted),
        "{types:?}"
    );
    assert_eq!(handle.result::<String>().await?, "polled");
    Ok(())
}

/// The close-event filter returns only the event that closed the run.
pub(crate) async fn close_event_filter(ctx: &Ctx) -> TestResult {
    let close_only = HistoryPageOptions {
        event_filter: HistoryEventFilter::CloseEvent,
        ..HistoryPageOptions::default()
    };

    let completed = ctx
        .client
        .start_workflow("Echo", ("close",), ctx.options("close-filter"))
        .await?;
    assert_eq!(completed.result::<String>().await?, "close");
    let page = completed.fetch_history_page(&close_only).await?;
    assert_eq!(
        event_types(&page.events),
        vec![EventType::WorkflowExecutionCompleted]
    );
    assert!(!page.has_next());

    let failed = ctx
        .client
        .start_workflow("Fail", (), ctx.options("close-filter-fail"))
        .await?;
    // A long poll with the filter waits for the close event (an empty page with a token
    // means the poll expired first: ask again).
    let mut waiting = HistoryPageOptions {
        wait_new_event: true,
        ..close_only
    };
    let page = loop {
        let page = failed.fetch_history_page(&waiting).await?;
        if !page.events.is_empty() || !page.has_next() {
            break page;
        }
        waiting.next_page_token = page.next_page_token;
    };
    assert_eq!(
        event_types(&page.events),
        vec![EventType::WorkflowExecutionFailed]
    );
    Ok(())
}
