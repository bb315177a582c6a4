//! Activity completion, schedules and raw calls on the wire; Send futures.

use crate::support::*;

#[test]
fn activity_completion_and_schedules_send_encoded_payloads() {
    let mock = MockTransport::new();
    mock.on("RecordActivityTaskHeartbeatById").respond(
        ws::RecordActivityTaskHeartbeatByIdResponse {
            cancel_requested: true,
            ..Default::default()
        },
    );
    mock.on("RespondActivityTaskFailed")
        .respond(ws::RespondActivityTaskFailedResponse::default());
    mock.on("CreateSchedule")
        .respond(ws::CreateScheduleResponse::default());
    let client = client(&mock);
    let by_id = client.async_activity_handle_by_id("wf", "", "a-1");
    assert!(block_on(by_id.heartbeat((1,))).unwrap().cancel_requested);
    let by_token = client.async_activity_handle(vec![1, 2, 3]);
    block_on(by_token.fail(ApplicationFailure::new("no").detail(&"d"), (2,))).unwrap();
    let action =
        ScheduleAction::start_workflow("Report", StartWorkflowOptions::new("r", "q")).arg(&"daily");
    let schedule = Schedule::new(
        ScheduleAction::StartWorkflow(action),
        ScheduleSpec::default().interval(IntervalSpec::every(core::time::Duration::from_secs(60))),
    );
    block_on(client.create_schedule("s-1", schedule, Default::default())).unwrap();

    let heartbeat: ws::RecordActivityTaskHeartbeatByIdRequest = mock
        .requests_for("RecordActivityTaskHeartbeatById")[0]
        .decode()
        .unwrap();
    assert_eq!(
        (
            heartbeat.workflow_id.as_str(),
            heartbeat.activity_id.as_str()
        ),
        ("wf", "a-1")
    );
    assert_list_wrapped(heartbeat.details.as_ref(), "heartbeat");
    let failed: ws::RespondActivityTaskFailedRequest = mock
        .requests_for("RespondActivityTaskFailed")[0]
        .decode()
        .unwrap();
    assert_eq!(failed.task_token, vec![1, 2, 3]);
    let Some(FailureInfo::ApplicationFailureInfo(info)) = failed.failure.unwrap().failure_info
    else {
        panic!("not an application failure");
    };
    assert_list_wrapped(info.details.as_ref(), "failure details");
    assert_list_wrapped(
        failed.last_heartbeat_details.as_ref(),
        "last heartbeat details",
    );
    let create: ws::CreateScheduleRequest =
        mock.requests_for("CreateSchedule")[0].decode().unwrap();
    let action = create.schedule.unwrap().action.unwrap().action.unwrap();
    let temporal_lite_proto::temporal::api::schedule::v1::schedule_action::Action::StartWorkflow(
        info,
    ) = action;
    assert_list_wrapped(info.input.as_ref(), "schedule input");
    assert!(!create.request_id.is_empty());
}

#[test]
fn raw_calls_reach_the_named_service_with_the_client_headers() {
    let mock = MockTransport::new();
    mock.on("ListSearchAttributes")
        .respond(temporal_lite_proto::temporal::api::operatorservice::v1::ListSearchAttributesResponse::default());
    let client = client(&mock);
    let request =
        temporal_lite_proto::temporal::api::operatorservice::v1::ListSearchAttributesRequest {
            namespace: "shop".into(),
        };
    let _: temporal_lite_proto::temporal::api::operatorservice::v1::ListSearchAttributesResponse =
        block_on(client.raw_call(Service::Operator, "ListSearchAttributes", &request)).unwrap();
    let sent = &mock.requests()[0];
    assert_eq!(sent.method(), "ListSearchAttributes");
    assert_eq!(sent.header("temporal-namespace"), Some("shop"));
    let bad: Result<ws::GetSystemInfoResponse, Error> =
        block_on(client.raw_call(Service::Workflow, "", &ws::GetSystemInfoRequest::default()));
    assert!(matches!(bad, Err(Error::InvalidOptions { .. })));
}

#[test]
fn the_new_calls_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let mock = MockTransport::new();
    let client = client(&mock);
    let handle = client.workflow_handle("w");
    assert_send(&handle.execute_update::<i64>("add", (1,)));
    assert_send(&handle.start_update("add", (1,), UpdateOptions::new()));
    let start = WithStartWorkflowOperation::new("W", (1,), StartWorkflowOptions::new("w", "q"));
    assert_send(&client.execute_update_with_start::<_, i64>(start, "add", (1,)));
    let activity = client.async_activity_handle(vec![1]);
    assert_send(&activity.heartbeat((1,)));
    assert_send(&activity.complete((1,)));
    assert_send(&activity.fail(ApplicationFailure::new("x"), ()));
    let schedule = client.schedule_handle("s");
    assert_send(&schedule.describe());
    assert_send(&schedule.pause("n"));
    assert_send(&client.list_schedules("", 0));
    assert_send(&client.raw_call::<_, ws::GetSystemInfoResponse>(
        Service::Workflow,
        "GetSystemInfo",
        &ws::GetSystemInfoRequest::default(),
    ));
    assert_send(&client.decode_payloads(Vec::new()));
    let action = ScheduleAction::start_workflow("R", StartWorkflowOptions::new("r", "q"));
    let plan = Schedule::new(
        ScheduleAction::StartWorkflow(action),
        ScheduleSpec::default(),
    );
    assert_send(&client.create_schedule("s", plan, Default::default()));
    assert_send(&schedule.update_with(|d| Some(d.schedule)));
}
