//! The time model in virtual time: one deadline per call, retries until it and never past
//! it, long polls without a deadline of their own, the first connect, and outcome unknown.

use super::*;
use crate::client::call::Call;
use crate::client::CallOptions;

const SYSTEM_INFO: &str = "GetSystemInfo";
const TERMINATE: &str = "TerminateWorkflowExecution";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A rig whose client has had an answer from the server (so failures to connect are
/// transient), with the mock's record cleared.
fn reached_rig() -> Rig {
    let rig = rig();
    rig.ok(SYSTEM_INFO, GetSystemInfoResponse::default());
    block_on(rig.client.get_system_info()).unwrap();
    rig.mock.clear_requests();
    rig
}

/// Retries without jitter, so that virtual times are exact: 100 ms, 200 ms, 400 ms, ...
fn exact(client: &Client, timeout: Duration) -> Client {
    client.clone().with_rpc_options(RpcOptions {
        timeout,
        retry: RetryConfig {
            multiplier: 2.0,
            jitter: 0.0,
            ..RetryConfig::default()
        },
        ..RpcOptions::default()
    })
}

fn unprocessed(kind: TransportErrorKind) -> TransportError {
    failure(kind).unprocessed()
}

#[test]
fn transient_failures_are_retried_until_the_deadline_and_no_longer() {
    let rig = reached_rig();
    rig.mock
        .on(SYSTEM_INFO)
        .respond_status(Status::new(Code::UNAVAILABLE, "down"));
    let error = block_on(rig.client.get_system_info()).unwrap_err();
    let Error::DeadlineExceeded {
        attempts,
        last_cause,
        message,
    } = &error
    else {
        panic!("{error:?}")
    };
    let requests = rig.mock.requests();
    assert_eq!(*attempts as usize, requests.len());
    // 100 ms ×1.7 up to the 5 s cap takes 11 attempts to pass 15 s; 30 s takes more.
    assert!((12..=16).contains(&requests.len()), "{}", requests.len());
    assert!(
        matches!(last_cause.as_deref(), Some(Error::Status(s)) if s.code == Code::UNAVAILABLE),
        "{last_cause:?}"
    );
    assert!(
        message.contains("GetSystemInfo did not complete within 30s"),
        "{message}"
    );
    assert!(
        message.contains(&alloc::format!("{attempts} attempts")),
        "{message}"
    );
    // The call ends at its deadline exactly: the last backoff was cut short there.
    assert_eq!(rig.clock.now(), secs(30));
    let sleeps = rig.clock.sleeps();
    assert!(sleeps.iter().all(|d| *d <= ms(6000)), "{sleeps:?}");
    // Each attempt's timeout is the time left, and its grpc-timeout says so.
    for request in &requests {
        let left = secs(30) - request.at;
        assert_eq!(request.timeout, Some(left));
        let sent = grpc::decode_timeout(request.header("grpc-timeout").unwrap()).unwrap();
        assert!(sent >= left && sent < left + ms(1), "{sent:?} vs {left:?}");
    }
}

#[test]
fn an_attempt_that_outlasts_the_deadline_ends_the_call_there() {
    let rig = reached_rig();
    rig.mock
        .on(SYSTEM_INFO)
        .respond(GetSystemInfoResponse::default())
        .delay(secs(600));
    let client = rig.client.clone().with_rpc_options(RpcOptions {
        timeout: secs(3),
        ..RpcOptions::default()
    });
    let error = block_on(client.get_system_info()).unwrap_err();
    crate::testing::expect_attempt_timed_out(&error, 1, "within 3s (1 attempt; last: ");
    assert_eq!(error.code(), Some(Code::DEADLINE_EXCEEDED));
    assert_eq!(rig.clock.now(), secs(3));
    assert_eq!(rig.mock.requests().len(), 1);
}

#[test]
fn a_backoff_never_sleeps_past_the_deadline() {
    let rig = reached_rig();
    // The first attempt fails 9.95 s into a 10 s deadline: the 100 ms backoff is cut to
    // 50 ms, and no attempt follows.
    rig.mock
        .on(SYSTEM_INFO)
        .respond_status(Status::new(Code::UNAVAILABLE, "down"))
        .delay(ms(9950));
    let client = exact(&rig.client, secs(10));
    let error = block_on(client.get_system_info()).unwrap_err();
    assert!(
        matches!(&error, Error::DeadlineExceeded { attempts: 1, .. }),
        "{error:?}"
    );
    assert_eq!(rig.clock.sleeps(), [ms(50)]);
    assert_eq!(rig.clock.now(), secs(10));
}

#[test]
fn a_cap_on_attempts_is_opt_in() {
    let rig = reached_rig();
    let capped = rig.client.clone().with_rpc_options(RpcOptions {
        retry: RetryConfig {
            max_attempts: Some(4),
            ..RetryConfig::default()
        },
        ..RpcOptions::default()
    });
    rig.mock
        .on(SYSTEM_INFO)
        .fail(failure(TransportErrorKind::Io));
    let error = block_on(capped.get_system_info()).unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Io),
        "{error:?}"
    );
    assert_eq!(rig.mock.requests().len(), 4);

    // A start that gives up after its request may have arrived: outcome unknown.
    rig.mock.on(START).fail(failure(TransportErrorKind::Io));
    let error = block_on(capped.start_workflow("Echo", (), start_options())).unwrap_err();
    let sent: Vec<StartWorkflowExecutionRequest> = rig.sent(START);
    match &error {
        Error::OutcomeUnknown {
            request_id: Some(id),
            attempts: 4,
            ..
        } => assert_eq!(id, &sent[0].request_id),
        other => panic!("{other:?}"),
    }

    let no_retries = rig.client.clone().with_rpc_options(RpcOptions {
        retry: RetryConfig::no_retries(),
        ..RpcOptions::default()
    });
    rig.mock.clear_requests();
    block_on(no_retries.get_system_info()).unwrap_err();
    assert_eq!(rig.mock.requests().len(), 1);
}

#[test]
fn a_server_timeout_before_the_deadline_is_retried() {
    let rig = reached_rig();
    rig.status(
        SYSTEM_INFO,
        Code::DEADLINE_EXCEEDED,
        "context deadline exceeded",
    );
    rig.ok(SYSTEM_INFO, GetSystemInfoResponse::default());
    block_on(rig.client.get_system_info()).unwrap();
    assert_eq!(rig.mock.requests().len(), 2);
}

#[test]
fn the_first_connect_fails_at_once() {
    for kind in [TransportErrorKind::Connect, TransportErrorKind::Tls] {
        let mock = MockTransport::new();
        mock.on(SYSTEM_INFO).fail(failure(kind));
        let error = connect_over(&mock, ConnectOptions::default()).unwrap_err();
        assert!(
            matches!(&error, Error::Transport(e) if e.kind() == kind),
            "{error:?}"
        );
        assert_eq!(mock.requests().len(), 1, "{kind:?}");
        assert_eq!(mock.clock().now(), Duration::ZERO);
    }
}

#[test]
fn a_client_may_wait_for_the_server() {
    let mock = MockTransport::new();
    mock.on(SYSTEM_INFO)
        .fail(failure(TransportErrorKind::Connect))
        .times(12)
        .respond(GetSystemInfoResponse::default());
    let options = ConnectOptions::default().wait_for_server(secs(60));
    connect_over(&mock, options).unwrap();
    assert_eq!(mock.requests().len(), 13);

    // A server that never comes: the wait ends 20 s after the first failure.
    let mock = MockTransport::new();
    mock.on(SYSTEM_INFO)
        .fail(failure(TransportErrorKind::Connect));
    let options = ConnectOptions::default().wait_for_server(secs(20));
    let error = connect_over(&mock, options).unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Connect),
        "{error:?}"
    );
    let now = mock.clock().now();
    assert!(now >= secs(20) && now < secs(26), "{now:?}");
}

#[test]
fn once_the_server_was_reached_connect_failures_are_transient() {
    let rig = reached_rig();
    rig.fail(SYSTEM_INFO, TransportErrorKind::Connect);
    rig.fail(SYSTEM_INFO, TransportErrorKind::Connect);
    rig.fail(SYSTEM_INFO, TransportErrorKind::Tls);
    rig.ok(SYSTEM_INFO, GetSystemInfoResponse::default());
    block_on(rig.client.get_system_info()).unwrap();
    assert_eq!(rig.mock.requests().len(), 4);
}

#[test]
fn a_start_without_an_answer_is_outcome_unknown_with_its_request_id() {
    let rig = reached_rig();
    // Every answer is lost (the request reached the server, the response never came).
    rig.mock.on(START).fail(failure(TransportErrorKind::Io));
    let error = block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap_err();
    let sent: Vec<StartWorkflowExecutionRequest> = rig.sent(START);
    match &error {
        Error::OutcomeUnknown {
            request_id: Some(id),
            attempts,
            last_cause: Some(_),
            message,
        } => {
            assert_eq!(id, &sent[0].request_id);
            assert_eq!(*attempts as usize, sent.len());
            assert!(message.contains("within 30s"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains(&sent[0].request_id), "{text}");
    assert!(text.contains("safe"), "{text}");
    assert_eq!(rig.clock.now(), secs(30));

    // A start that never left (every connect refused) certainly did not happen.
    rig.mock.clear_requests();
    rig.mock
        .on("SignalWithStartWorkflowExecution")
        .fail(failure(TransportErrorKind::Connect));
    let error =
        block_on(
            rig.client
                .signal_with_start_workflow("Echo", (), start_options(), "go", ()),
        )
        .unwrap_err();
    assert!(
        matches!(&error, Error::DeadlineExceeded { .. }),
        "{error:?}"
    );
}

#[test]
fn a_start_whose_answers_were_lost_returns_the_run_once_one_arrives() {
    let rig = reached_rig();
    rig.mock
        .on(START)
        .fail(failure(TransportErrorKind::Io))
        .times(8)
        .respond(started("run-1"));
    let handle = block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap();
    assert_eq!(handle.result_run_id(), Some("run-1"));
    let sent: Vec<StartWorkflowExecutionRequest> = rig.sent(START);
    assert_eq!(sent.len(), 9);
    assert!(sent.iter().all(|s| s.request_id == sent[0].request_id));
}

#[test]
fn a_terminate_is_sent_again_only_when_it_certainly_was_not_processed() {
    let rig = reached_rig();
    // Refused, refused stream, never written: sent again.
    rig.fail(TERMINATE, TransportErrorKind::Connect);
    rig.mock
        .on(TERMINATE)
        .fail(unprocessed(TransportErrorKind::Io))
        .times(1);
    rig.mock
        .on(TERMINATE)
        .fail(unprocessed(TransportErrorKind::Timeout))
        .times(1);
    rig.ok(TERMINATE, TerminateWorkflowExecutionResponse::default());
    let handle = rig.client.workflow_handle("order-1");
    block_on(handle.terminate("done")).unwrap();
    assert_eq!(rig.mock.requests_for(TERMINATE).len(), 4);

    // A broken connection after it was sent: not repeated, reported as unknown.
    rig.mock.clear_requests();
    rig.fail(TERMINATE, TransportErrorKind::Io);
    let error = block_on(handle.terminate("again")).unwrap_err();
    assert!(
        matches!(
            &error,
            Error::OutcomeUnknown {
                request_id: None,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("check before"), "{error}");
    assert_eq!(rig.mock.requests_for(TERMINATE).len(), 1);

    // A status is the server's answer: not repeated.
    rig.mock.clear_requests();
    rig.status(TERMINATE, Code::UNAVAILABLE, "busy");
    let error = block_on(handle.terminate("again")).unwrap_err();
    assert!(
        matches!(&error, Error::Status(s) if s.code == Code::UNAVAILABLE),
        "{error:?}"
    );
    assert_eq!(rig.mock.requests_for(TERMINATE).len(), 1);
}

#[test]
fn result_waits_through_an_outage_with_no_deadline() {
    let rig = reached_rig();
    // Ten minutes of refused connections and resets, then the answer.
    rig.mock
        .on(HISTORY)
        .fail(failure(TransportErrorKind::Io))
        .times(1)
        .fail(failure(TransportErrorKind::Connect))
        .times(150)
        .respond_status(Status::new(Code::UNAVAILABLE, "restarting"))
        .times(5)
        .respond(completed(serde_json::json!(42), ""));
    let handle = rig.client.workflow_handle("order-1");
    let value: u32 = block_on(handle.result()).unwrap();
    assert_eq!(value, 42);
    assert_eq!(rig.mock.requests_for(HISTORY).len(), 157);
    // Backoff grows to its 5 s cap (±20 %) and stays there.
    let sleeps = rig.clock.sleeps();
    assert!(sleeps.iter().all(|d| *d <= ms(6000)), "{sleeps:?}");
    assert!(
        rig.clock.now() > Duration::from_secs(600),
        "{:?}",
        rig.clock.now()
    );
}

#[test]
fn each_poll_has_its_own_timeout_and_a_silent_poll_is_retried() {
    let rig = reached_rig();
    rig.mock
        .on(HISTORY)
        .respond(completed(serde_json::json!("late"), ""))
        .delay(secs(600))
        .times(2)
        .respond(completed(serde_json::json!("done"), ""));
    let handle = rig.client.workflow_handle("order-1");
    let value: String = block_on(handle.result()).unwrap();
    assert_eq!(value, "done");
    let polls = rig.mock.requests_for(HISTORY);
    assert_eq!(polls.len(), 3);
    for poll in &polls {
        assert_eq!(poll.timeout, Some(secs(70)));
        assert_eq!(poll.header("grpc-timeout"), Some("70000000u"));
    }
    // Two silent polls of 70 s each, and two short backoffs.
    let elapsed = rig.clock.now();
    assert!(elapsed > secs(140) && elapsed < secs(141), "{elapsed:?}");
}

#[test]
fn a_callers_deadline_bounds_every_poll_of_a_result() {
    let rig = reached_rig();
    rig.mock
        .on(HISTORY)
        .respond(history_page(vec![], b"again"))
        .delay(secs(20));
    let handle = rig.client.workflow_handle("order-1");
    let options = CallOptions {
        timeout: Some(secs(45)),
        ..CallOptions::default()
    };
    let error = block_on(handle.outcome_with(true, &options)).unwrap_err();
    assert!(
        matches!(&error, Error::DeadlineExceeded { attempts: 1, .. }),
        "{error:?}"
    );
    // Polls at 0 and 20 s; the third is cut to the 5 s left.
    let polls = rig.mock.requests_for(HISTORY);
    let timeouts: Vec<Option<Duration>> = polls.iter().map(|p| p.timeout).collect();
    assert_eq!(timeouts, [Some(secs(45)), Some(secs(25)), Some(secs(5))]);
    assert_eq!(rig.clock.now(), secs(45));
}

#[test]
fn a_call_may_set_its_own_deadline_and_metadata() {
    let rig = reached_rig();
    rig.mock
        .on("DescribeWorkflowExecution")
        .respond(DescribeWorkflowExecutionResponse::default())
        .delay(secs(5));
    let mut metadata = grpc::Metadata::new();
    metadata.insert("x-trace", "t-1");
    let options = CallOptions {
        timeout: Some(secs(2)),
        metadata,
    };
    let request = DescribeWorkflowExecutionRequest::default();
    let result: Result<DescribeWorkflowExecutionResponse, Error> = block_on(rig.client.call_with(
        Call::read("DescribeWorkflowExecution"),
        &request,
        &options,
    ));
    assert!(
        matches!(result, Err(Error::DeadlineExceeded { .. })),
        "{result:?}"
    );
    let sent = &rig.mock.requests()[0];
    assert_eq!(sent.timeout, Some(secs(2)));
    assert_eq!(sent.header("grpc-timeout"), Some("2000000u"));
    assert_eq!(sent.header("x-trace"), Some("t-1"));
    assert_eq!(sent.header("temporal-namespace"), Some("orders-ns"));
    assert_eq!(rig.clock.now(), secs(2));
}
