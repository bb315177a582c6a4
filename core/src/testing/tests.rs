//! Tests of the mock transport and the manual clock themselves (the client's behaviour
//! over them is tested in `core/tests/client_offline.rs`).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::task::Poll;
use core::time::Duration;

use bytes::Bytes;
use prost::Message;
use temporal_lite_proto::google::rpc::Status as RpcStatus;
use temporal_lite_proto::temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    GetSystemInfoRequest, GetSystemInfoResponse,
};

use super::*;
use crate::grpc::{
    decode_unary_response, encode_message, Code, Metadata, Request, Response, Status, Transport,
    TransportError, TransportErrorKind, DEFAULT_RECEIVE_LIMIT,
};
use crate::time::Clock;

const PATH: &str = "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo";

fn request(path: &str, timeout: Option<Duration>) -> Request {
    let mut metadata = Metadata::new();
    metadata.insert("temporal-namespace", "ns");
    Request {
        path: String::from(path),
        metadata,
        body: encode_message(&GetSystemInfoRequest::default()),
        timeout,
        receive_limit: DEFAULT_RECEIVE_LIMIT,
    }
}

fn call(mock: &MockTransport, path: &str) -> Result<Response, TransportError> {
    block_on(mock.unary(request(path, None)))
}

/// The status a call ends with, or `None` for an OK reply.
fn status_of(result: Result<Response, TransportError>) -> Option<Status> {
    decode_unary_response(&result.unwrap(), DEFAULT_RECEIVE_LIMIT).err()
}

fn capabilities_reply(version: &str) -> GetSystemInfoResponse {
    GetSystemInfoResponse {
        server_version: String::from(version),
        ..Default::default()
    }
}

fn version_of(result: Result<Response, TransportError>) -> String {
    let body = decode_unary_response(&result.unwrap(), DEFAULT_RECEIVE_LIMIT).unwrap();
    GetSystemInfoResponse::decode(body).unwrap().server_version
}

#[test]
fn replies_are_used_in_order_and_the_last_repeats() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond_status(Status::new(Code::UNAVAILABLE, "down"))
        .times(2)
        .respond(capabilities_reply("1"))
        .respond(capabilities_reply("2"));
    assert_eq!(
        status_of(call(&mock, PATH)).unwrap().code,
        Code::UNAVAILABLE
    );
    assert_eq!(
        status_of(call(&mock, PATH)).unwrap().code,
        Code::UNAVAILABLE
    );
    assert_eq!(version_of(call(&mock, PATH)), "1");
    for _ in 0..3 {
        assert_eq!(version_of(call(&mock, PATH)), "2");
    }
    assert!(mock.unused().is_empty(), "{:?}", mock.unused());
    assert_eq!(mock.requests().len(), 6);
}

#[test]
fn a_counted_last_reply_runs_out() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(capabilities_reply("1"))
        .times(2);
    assert_eq!(mock.unused(), ["GetSystemInfo: 2 replies never used"]);
    call(&mock, PATH).unwrap();
    assert_eq!(mock.unused(), ["GetSystemInfo: 1 reply never used"]);
    call(&mock, PATH).unwrap();
    assert!(mock.unused().is_empty());
    let status = status_of(call(&mock, PATH)).unwrap();
    assert_eq!(status.code, Code::UNIMPLEMENTED);
    assert!(
        status
            .message
            .contains("unexpected call 3 to GetSystemInfo"),
        "{}",
        status.message
    );
    // `times(0)` drops the reply.
    mock.on("GetSystemInfo")
        .respond(capabilities_reply("x"))
        .times(0);
    assert_eq!(
        status_of(call(&mock, PATH)).unwrap().code,
        Code::UNIMPLEMENTED
    );
}

#[test]
fn unscripted_calls_are_unimplemented_and_name_the_method() {
    let mock = MockTransport::new();
    mock.on("StartWorkflowExecution")
        .respond(GetSystemInfoResponse::default());
    let status = status_of(call(&mock, PATH)).unwrap();
    assert_eq!(status.code, Code::UNIMPLEMENTED);
    assert!(status
        .message
        .contains("no reply scripted for GetSystemInfo"));
    assert!(status.message.contains("[StartWorkflowExecution]"));
    assert!(status.message.contains("mock.on(\"GetSystemInfo\")"));
    // The call is recorded all the same.
    assert_eq!(mock.requests_for("GetSystemInfo").len(), 1);
    assert_eq!(
        mock.unused(),
        ["StartWorkflowExecution: 1 reply never used"]
    );
}

#[test]
fn methods_match_by_name_or_full_path() {
    let mock = MockTransport::new();
    mock.on(PATH).respond(capabilities_reply("full"));
    mock.on("DescribeNamespace")
        .respond(capabilities_reply("name"));
    assert_eq!(version_of(call(&mock, PATH)), "full");
    assert_eq!(
        version_of(call(
            &mock,
            "/temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace"
        )),
        "name"
    );
    // A full path for another service does not match.
    let other = "/other.Service/GetSystemInfo";
    assert_eq!(
        status_of(call(&mock, other)).unwrap().code,
        Code::UNIMPLEMENTED
    );
    assert_eq!(mock.requests_for("GetSystemInfo").len(), 2);
    assert_eq!(mock.requests_for(PATH).len(), 1);
    assert_eq!(
        mock.requests_for(PATH.trim_start_matches('/'))[0].path,
        PATH
    );
}

#[test]
fn requests_are_recorded_with_metadata_time_and_body() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default())
        .delay(Duration::from_millis(40));
    call(&mock, PATH).unwrap();
    call(&mock, PATH).unwrap();
    let recorded = mock.requests();
    assert_eq!(recorded[0].at, Duration::ZERO);
    assert_eq!(recorded[1].at, Duration::from_millis(40));
    assert_eq!(recorded[0].method(), "GetSystemInfo");
    assert_eq!(recorded[0].header("temporal-namespace"), Some("ns"));
    assert_eq!(
        recorded[0].decode::<GetSystemInfoRequest>().unwrap(),
        GetSystemInfoRequest::default()
    );
    assert!(recorded[0].message_bytes().unwrap().is_empty());
    mock.clear_requests();
    assert!(mock.requests().is_empty());
}

#[test]
fn bad_bodies_fail_to_decode_with_the_path() {
    let mut recorded = {
        let mock = MockTransport::new();
        call(&mock, PATH).unwrap();
        mock.requests().remove(0)
    };
    recorded.body = Bytes::from_static(&[0, 0, 0, 0, 9, 1]);
    let error = recorded.decode::<GetSystemInfoRequest>().unwrap_err();
    assert!(format!("{error}").contains(PATH), "{error}");
    recorded.body = Bytes::new();
    assert!(recorded.message_bytes().is_err());
    // A field with an invalid wire type.
    recorded.body = encode_message(&GetSystemInfoResponse {
        server_version: String::from("1.2"),
        ..Default::default()
    });
    let mut garbage = recorded.body.to_vec();
    garbage[5] = 0x0f;
    recorded.body = Bytes::from(garbage);
    let error = recorded.decode::<GetSystemInfoRequest>().unwrap_err();
    assert!(format!("{error}").contains("not a valid"), "{error}");
}

#[test]
fn statuses_round_trip_through_the_wire_format() {
    let status = status::already_started("wf-1", "run-9");
    let mock = MockTransport::new();
    mock.on("GetSystemInfo").respond_status(status.clone());
    let decoded = status_of(call(&mock, PATH)).unwrap();
    assert_eq!(decoded, status);
    let rpc = RpcStatus::decode(decoded.details).unwrap();
    assert_eq!(rpc.code, Code::ALREADY_EXISTS.0 as i32);
    let detail = rpc.details[0]
        .to_msg::<WorkflowExecutionAlreadyStartedFailure>()
        .unwrap()
        .unwrap();
    assert_eq!(detail.run_id, "run-9");
    assert_eq!(
        rpc.details[0].type_url,
        "type.googleapis.com/temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure"
    );

    // Messages outside printable ASCII and `%` survive percent-encoding.
    let odd = Status::new(Code::INVALID_ARGUMENT, "100% \"café\"\nline two ✓");
    let response = status_response(&odd);
    assert!(response.headers.get("grpc-message").unwrap().is_ascii());
    assert_eq!(decode_unary_response(&response, 100).unwrap_err(), odd);
    // Details of every length survive base64.
    for len in 0..8u8 {
        let status = Status {
            code: Code::INTERNAL,
            message: String::new(),
            details: Bytes::from((0..len).map(|i| i.wrapping_mul(97)).collect::<Vec<u8>>()),
        };
        let decoded = decode_unary_response(&status_response(&status), 100).unwrap_err();
        assert_eq!(decoded, status);
    }
}

#[test]
fn status_helpers_carry_the_servers_details() {
    for (status, code, type_name) in [
        (
            status::not_found("workflow execution not found"),
            Code::NOT_FOUND,
            "NotFoundFailure",
        ),
        (
            status::namespace_not_found("shop"),
            Code::NOT_FOUND,
            "NamespaceNotFoundFailure",
        ),
        (
            status::permission_denied("no", "read-only key"),
            Code::PERMISSION_DENIED,
            "PermissionDeniedFailure",
        ),
    ] {
        assert_eq!(status.code, code);
        let rpc = RpcStatus::decode(status.details.clone()).unwrap();
        assert_eq!(rpc.message, status.message);
        assert_eq!(
            rpc.details[0].type_name(),
            format!("temporal.api.errordetails.v1.{type_name}")
        );
    }
    assert!(status::unauthenticated("bad key").details.is_empty());
    assert_eq!(status::unavailable("x").code, Code::UNAVAILABLE);
    assert_eq!(
        status::resource_exhausted("x").code,
        Code::RESOURCE_EXHAUSTED
    );
}

#[test]
fn transport_failures_and_raw_responses_are_passed_through() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .fail(TransportError::new(TransportErrorKind::Connect, "refused"))
        .respond_raw(Response {
            http_status: 502,
            body: Bytes::from_static(b"<html>bad gateway</html>"),
            ..Response::default()
        });
    let error = call(&mock, PATH).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Connect);
    assert_eq!(error.message(), "refused");
    let status = status_of(call(&mock, PATH)).unwrap();
    assert_eq!(status.code, Code::UNAVAILABLE);
    assert!(status.message.contains("502"));
}

#[test]
fn delays_consume_virtual_time_and_honour_the_timeout() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default())
        .delay(Duration::from_secs(3))
        .times(2)
        .fail(TransportError::new(TransportErrorKind::Io, "reset"))
        .delay(Duration::from_secs(1));
    let clock = mock.clock();
    // Within the timeout: the reply arrives after the delay.
    block_on(mock.unary(request(PATH, Some(Duration::from_secs(3))))).unwrap();
    assert_eq!(clock.now(), Duration::from_secs(3));
    // Beyond it: a timeout once the timeout has passed; the reply is used up.
    let error = block_on(mock.unary(request(PATH, Some(Duration::from_secs(2))))).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Timeout);
    assert!(error.message().contains("GetSystemInfo"), "{error}");
    assert_eq!(clock.now(), Duration::from_secs(5));
    // A delayed failure.
    let error = block_on(mock.unary(request(PATH, None))).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Io);
    assert_eq!(clock.now(), Duration::from_secs(6));
    // Transport delays are not logged as sleeps.
    assert!(clock.sleeps().is_empty());
}

#[test]
fn responses_over_the_receive_limit_fail() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(capabilities_reply("a long version string"));
    let mut small = request(PATH, None);
    small.receive_limit = 8;
    let error = block_on(mock.unary(small)).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::ResponseTooLarge);
}

#[test]
fn reply_functions_see_the_request_and_may_use_the_mock() {
    let mock = MockTransport::new();
    let inner = mock.clone();
    mock.on("GetSystemInfo").respond_with(move |request| {
        let calls = inner.requests_for(request.method()).len();
        Reply::message(&capabilities_reply(&format!(
            "{}#{calls}",
            request.header("temporal-namespace").unwrap_or_default()
        )))
    });
    assert_eq!(version_of(call(&mock, PATH)), "ns#1");
    assert_eq!(version_of(call(&mock, PATH)), "ns#2");
}

#[test]
#[should_panic(expected = "none was added yet")]
fn modifiers_need_a_reply() {
    let mock = MockTransport::new();
    let _ = mock.on("GetSystemInfo").times(2);
}

#[test]
fn auto_advancing_clock_moves_on_sleep() {
    let clock = ManualClock::new();
    assert!(clock.is_auto_advance());
    block_on(clock.sleep(Duration::from_millis(100)));
    block_on(clock.sleep(Duration::from_millis(250)));
    clock.advance(Duration::from_secs(1));
    assert_eq!(clock.now(), Duration::from_millis(1350));
    assert_eq!(
        clock.sleeps(),
        [Duration::from_millis(100), Duration::from_millis(250)]
    );
    assert_eq!(clock.pending_sleeps(), 0);
    // Saturates instead of overflowing.
    clock.advance(Duration::MAX);
    block_on(clock.sleep(Duration::from_secs(1)));
    assert_eq!(clock.now(), Duration::MAX);
}

#[test]
fn paused_clock_waits_for_the_test() {
    let clock = ManualClock::paused();
    let mut sleep = clock.sleep(Duration::from_secs(2));
    assert_eq!(poll_once(&mut sleep), Poll::Pending);
    assert_eq!(clock.pending_sleeps(), 1);
    assert_eq!(clock.next_wakeup(), Some(Duration::from_secs(2)));
    clock.advance(Duration::from_secs(1));
    assert_eq!(poll_once(&mut sleep), Poll::Pending);
    clock.advance(Duration::from_secs(1));
    assert_eq!(poll_once(&mut sleep), Poll::Ready(()));
    assert_eq!(clock.pending_sleeps(), 0);
    // A zero sleep is ready at once; a dropped sleep unregisters.
    assert_eq!(poll_once(&mut clock.sleep(Duration::ZERO)), Poll::Ready(()));
    let mut dropped = clock.sleep(Duration::from_secs(5));
    assert_eq!(poll_once(&mut dropped), Poll::Pending);
    drop(dropped);
    assert_eq!(clock.pending_sleeps(), 0);
    assert_eq!(clock.next_wakeup(), None);
}

#[test]
fn paused_clock_wakes_the_sleeper() {
    use alloc::task::Wake;
    use core::sync::atomic::{AtomicUsize, Ordering};
    use core::task::Context;

    struct Counter(AtomicUsize);
    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let counter = Arc::new(Counter(AtomicUsize::new(0)));
    let waker = core::task::Waker::from(counter.clone());
    let mut cx = Context::from_waker(&waker);
    let clock = ManualClock::paused();
    let mut sleep = clock.sleep(Duration::from_millis(10));
    assert!(sleep.as_mut().poll(&mut cx).is_pending());
    assert!(sleep.as_mut().poll(&mut cx).is_pending());
    assert_eq!(clock.pending_sleeps(), 1);
    clock.advance(Duration::from_millis(9));
    assert_eq!(counter.0.load(Ordering::SeqCst), 0);
    clock.advance(Duration::from_millis(1));
    assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    assert!(sleep.as_mut().poll(&mut cx).is_ready());
}

#[test]
fn transport_delays_on_a_paused_clock_wait_for_the_test() {
    let clock = Arc::new(ManualClock::paused());
    let mock = MockTransport::with_clock(clock.clone());
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default())
        .delay(Duration::from_secs(2));
    let mut call = mock.unary(request(PATH, Some(Duration::from_secs(5))));
    assert!(poll_once(&mut call).is_pending());
    assert_eq!(clock.next_wakeup(), Some(Duration::from_secs(2)));
    clock.advance(Duration::from_secs(2));
    match poll_once(&mut call) {
        Poll::Ready(result) => assert!(result.is_ok()),
        Poll::Pending => panic!("still pending after the delay"),
    }
    // Switching to auto-advance lets later sleeps run through.
    clock.set_auto_advance(true);
    block_on(clock.sleep(Duration::from_secs(1)));
    assert_eq!(clock.now(), Duration::from_secs(3));
}

#[test]
fn block_on_gives_up_on_a_future_that_never_completes() {
    let clock = ManualClock::paused();
    let result = std_catch(|| block_on(clock.sleep(Duration::from_secs(1))));
    assert!(result.is_none());
}

/// Run `f`, returning `None` if it panicked (tests always have std).
fn std_catch<T>(f: impl FnOnce() -> T) -> Option<T> {
    extern crate std;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

#[test]
fn mock_and_clock_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<MockTransport>();
    check::<ManualClock>();
    check::<RecordedRequest>();
    check::<Reply>();
    let _: Box<dyn Transport> = Box::new(MockTransport::new());
    let _: Arc<dyn Clock> = Arc::new(ManualClock::new());
}
