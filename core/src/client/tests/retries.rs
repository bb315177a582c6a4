//! Retries: request ids, backoff, which failures are retried.

use super::*;

#[test]
fn retries_reuse_the_request_id() {
    let rig = rig();
    rig.status(START, Code::UNAVAILABLE, "server restarting");
    rig.fail(START, TransportErrorKind::Io);
    rig.fail(START, TransportErrorKind::Connect);
    rig.ok(START, started("run-1"));
    let handle = block_on(rig.client.start_workflow("Echo", ("hi",), start_options())).unwrap();
    assert_eq!(handle.result_run_id(), Some("run-1"));

    let sent: Vec<StartWorkflowExecutionRequest> = rig.sent(START);
    assert_eq!(sent.len(), 4);
    let id = &sent[0].request_id;
    assert_eq!(id.len(), 36, "UUID format: {id}");
    assert_eq!(id.as_bytes()[14], b'4', "version 4: {id}");
    assert!(sent.iter().all(|r| &r.request_id == id));

    // 100 ms, 170 ms, 289 ms, each ±20 %.
    let sleeps = rig.clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (sleep, base) in sleeps.iter().zip([100.0, 170.0, 289.0]) {
        let ms = sleep.as_secs_f64() * 1000.0;
        assert!(
            ms >= base * 0.8 - 0.01 && ms <= base * 1.2 + 0.01,
            "{ms} vs {base}"
        );
    }
}

#[test]
fn request_ids_differ_between_calls_and_honour_the_users() {
    let rig = rig();
    rig.ok(START, started("a"));
    rig.ok(START, started("b"));
    rig.ok(START, started("c"));
    block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap();
    block_on(rig.client.start_workflow("Echo", (), start_options())).unwrap();
    let mine = start_options().request_id("my-request");
    block_on(rig.client.start_workflow("Echo", (), mine)).unwrap();
    let sent: Vec<StartWorkflowExecutionRequest> = rig.sent(START);
    assert_ne!(sent[0].request_id, sent[1].request_id);
    assert_eq!(sent[2].request_id, "my-request");
}

#[test]
fn resource_exhausted_uses_the_longer_backoff() {
    let rig = rig();
    rig.status("GetSystemInfo", Code::RESOURCE_EXHAUSTED, "rate limited");
    rig.status("GetSystemInfo", Code::RESOURCE_EXHAUSTED, "rate limited");
    rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
    block_on(rig.client.get_system_info()).unwrap();
    let sleeps = rig.clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps[0] >= Duration::from_millis(800) && sleeps[0] <= Duration::from_millis(1200));
    assert!(sleeps[1] >= Duration::from_millis(1600) && sleeps[1] <= Duration::from_millis(2400));
}

#[test]
fn permanent_failures_are_not_retried() {
    type Script = Box<dyn Fn(&Rig)>;
    let cases: Vec<Script> = vec![
        Box::new(|t| t.status("GetSystemInfo", Code::INVALID_ARGUMENT, "bad")),
        Box::new(|t| t.status("GetSystemInfo", Code::NOT_FOUND, "gone")),
        Box::new(|t| {
            t.status(
                "GetSystemInfo",
                Code::RESOURCE_EXHAUSTED,
                "grpc: received message larger than max (5000 vs. 4000)",
            )
        }),
        Box::new(|t| {
            t.status(
                "GetSystemInfo",
                Code::INTERNAL,
                "grpc: trying to send message larger than max",
            )
        }),
        Box::new(|t| t.fail("GetSystemInfo", TransportErrorKind::Tls)),
        Box::new(|t| t.fail("GetSystemInfo", TransportErrorKind::Protocol)),
        Box::new(|t| t.fail("GetSystemInfo", TransportErrorKind::ResponseTooLarge)),
    ];
    for script in cases {
        let rig = rig();
        script(&rig);
        assert!(block_on(rig.client.get_system_info()).is_err());
        assert_eq!(rig.mock.requests().len(), 1);
        assert!(rig.clock.sleeps().is_empty());
    }
}

#[test]
fn transient_statuses_are_retried() {
    for code in [
        Code::UNAVAILABLE,
        Code::ABORTED,
        Code::INTERNAL,
        Code::UNKNOWN,
        Code::DATA_LOSS,
        Code::OUT_OF_RANGE,
    ] {
        let rig = rig();
        rig.status("GetSystemInfo", code, "transient");
        rig.ok("GetSystemInfo", GetSystemInfoResponse::default());
        block_on(rig.client.get_system_info()).unwrap();
        assert_eq!(rig.mock.requests().len(), 2, "{code}");
    }
}
