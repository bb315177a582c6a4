//! Schedules: create (every kind of spec, paused), describe, list, trigger, pause and
//! unpause, update, backfill, delete.

use std::time::Duration;

use futures_util::StreamExt;
use temporal_lite_core::client::{
    CalendarSpec, CreateScheduleOptions, Error, IntervalSpec, Schedule, ScheduleAction,
    ScheduleBackfill, ScheduleOverlapPolicy, SchedulePolicy, ScheduleRange, ScheduleSpec,
    ScheduleState, SearchAttributeValue,
};

use crate::harness::{fail, unix_now, Ctx, TestResult};

/// The whole life of a schedule that starts `Echo`.
pub(crate) async fn schedule_lifecycle(ctx: &Ctx) -> TestResult {
    let id = ctx.id("schedule");
    let keyword = ctx.suite_keyword()?;
    let workflow_id = format!("{id}-wf");
    let action = ScheduleAction::start_workflow("Echo", ctx.options("unused").clone())
        .arg(&"scheduled hello");
    let mut action = action;
    action.options.id = workflow_id.clone();
    action.options = action
        .options
        .memo("origin", &"schedule")
        .static_summary("started by a schedule");
    let spec = ScheduleSpec::default()
        .interval(IntervalSpec::every_with_offset(
            Duration::from_secs(3600),
            Duration::from_secs(60),
        ))
        .cron("0 12 * * MON-FRI")
        .calendar(
            CalendarSpec::default()
                .hour([ScheduleRange::value(9)])
                .day_of_week([ScheduleRange::span(1, 5)])
                .comment("9 am on weekdays"),
        )
        .jitter(Duration::from_secs(1));
    let policy = SchedulePolicy {
        overlap: ScheduleOverlapPolicy::AllowAll,
        catchup_window: Some(Duration::from_secs(600)),
        pause_on_failure: true,
        keep_original_workflow_id: false,
    };
    let state = ScheduleState {
        note: "created paused".into(),
        paused: true,
        remaining_actions: None,
    };
    let schedule = Schedule::new(ScheduleAction::StartWorkflow(action), spec)
        .policy(policy.clone())
        .state(state);
    let options = CreateScheduleOptions::default()
        .memo("team", &"payments")
        .search_attribute(keyword, SearchAttributeValue::Keyword(id.clone()));
    let handle = ctx
        .client
        .create_schedule(&id, schedule.clone(), options.clone())
        .await?;
    assert_eq!(handle.id(), id);

    // The id is taken now.
    let again = ctx.client.create_schedule(&id, schedule, options).await;
    assert!(
        matches!(&again, Err(Error::ScheduleAlreadyExists { schedule_id }) if *schedule_id == id),
        "{again:?}"
    );

    let description = handle.describe().await?;
    let described = &description.schedule;
    assert!(described.state.paused);
    assert_eq!(described.state.note, "created paused");
    assert_eq!(described.policy, policy);
    assert_eq!(
        described.spec.intervals,
        vec![IntervalSpec::every_with_offset(
            Duration::from_secs(3600),
            Duration::from_secs(60)
        )]
    );
    // The server turns the cron expression into a calendar, next to ours.
    assert_eq!(described.spec.calendars.len(), 2, "{:?}", described.spec);
    assert!(described
        .spec
        .calendars
        .iter()
        .any(|c| c.comment == "9 am on weekdays" && c.hour == vec![ScheduleRange::value(9)]));
    assert_eq!(described.spec.jitter, Some(Duration::from_secs(1)));
    let temporal_lite_core::client::ScheduleAction::StartWorkflow(start) = &described.action else {
        return Err(fail("not a start-workflow action"));
    };
    assert_eq!(start.workflow_type, "Echo");
    assert_eq!(start.options.id, workflow_id);
    assert_eq!(start.options.task_queue, ctx.task_queue);
    assert_eq!(
        start.options.static_summary.as_deref(),
        Some("started by a schedule")
    );
    let arg: String = match &start.args[0] {
        temporal_lite_core::payload::Value::Payload(p) => ctx.client.decode(p)?,
        other => return Err(fail(format!("argument not a payload: {other:?}"))),
    };
    assert_eq!(arg, "scheduled hello");
    let team: String = ctx.client.decode(&description.memo["team"])?;
    assert_eq!(team, "payments");
    assert!(!description.info.next_action_times.is_empty());
    assert_eq!(description.info.action_count, 0);

    // Trigger now, although paused: one workflow runs and echoes its argument.
    handle.trigger(None).await?;
    let started = ctx
        .eventually("the triggered action", Duration::from_secs(20), || async {
            let info = handle.describe().await?.info;
            Ok(info.recent_actions.first().and_then(|a| a.workflow.clone()))
        })
        .await?;
    assert!(started.workflow_id.starts_with(&workflow_id), "{started:?}");
    let result: String = ctx
        .client
        .workflow_handle_with_run(&started.workflow_id, &started.run_id)
        .result()
        .await?;
    assert_eq!(result, "scheduled hello");

    // Unpause and pause, each with a note.
    handle.unpause("back on").await?;
    let state = handle.describe().await?.schedule.state;
    assert!(!state.paused);
    assert_eq!(state.note, "back on");
    handle.pause("maintenance").await?;
    let state = handle.describe().await?.schedule.state;
    assert!(state.paused);
    assert_eq!(state.note, "maintenance");

    // Update: a conditional edit of the spec.
    handle
        .update_with(|description| {
            let mut schedule = description.schedule;
            schedule.spec =
                ScheduleSpec::default().interval(IntervalSpec::every(Duration::from_secs(7200)));
            Some(schedule)
        })
        .await?;
    let updated = handle.describe().await?.schedule;
    assert_eq!(
        updated.spec.intervals,
        vec![IntervalSpec::every(Duration::from_secs(7200))]
    );
    assert!(updated.spec.calendars.is_empty());

    // Backfill the last six hours: the two-hourly spec matches three times in them.
    let before = handle.describe().await?.info.action_count;
    let now = unix_now();
    let hours = |n: u64| Duration::from_secs(3600 * n);
    handle
        .backfill(&[
            ScheduleBackfill::new(now - hours(6), now).overlap(ScheduleOverlapPolicy::AllowAll)
        ])
        .await?;
    let after = ctx
        .eventually(
            "the backfilled actions",
            Duration::from_secs(20),
            || async {
                let count = handle.describe().await?.info.action_count;
                Ok((count >= before + 3).then_some(count))
            },
        )
        .await?;
    assert_eq!(after, before + 3);

    // Listed (visibility is asynchronous).
    ctx.eventually(
        "the schedule in the list",
        Duration::from_secs(20),
        || async {
            let mut list = ctx.client.list_schedules("", 2);
            while let Some(entry) = list.next().await {
                let entry = entry?;
                if entry.id == id {
                    assert_eq!(entry.workflow_type, "Echo");
                    assert!(entry.paused);
                    let team: String = ctx.client.decode(&entry.memo["team"])?;
                    assert_eq!(team, "payments");
                    return Ok(Some(()));
                }
            }
            Ok(None)
        },
    )
    .await?;

    handle.delete().await?;
    let gone = handle.describe().await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
    Ok(())
}
