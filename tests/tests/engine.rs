//! The HTTP/2 engine (through the tokio adapter) against an in-process mock server: normal
//! replies, gRPC edge cases, faults, timeouts, multiplexing and TLS.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use temporal_lite_core::client::{Error as ClientError, RpcOptions};
use temporal_lite_core::config::{ConnectOptions, PrivateKey, TlsOptions};
use temporal_lite_core::engine::{Http2Settings, Http2Transport};
use temporal_lite_core::grpc::{
    decode_unary_response, Code, Metadata, Request, Transport, TransportError, TransportErrorKind,
    DEFAULT_RECEIVE_LIMIT,
};
use temporal_lite_tests::mock_server::{frame, MockPki, MockServer, Reply};
use temporal_lite_tests::peers::{
    assert_ended_by_keepalive, assert_refused_at_once, closed_port, SilentPeer,
};
use temporal_lite_tokio::TokioRuntime;

const PATH: &str = "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo";

fn request(payload: &[u8]) -> Request {
    Request {
        path: PATH.into(),
        metadata: Metadata::new(),
        body: frame(payload),
        timeout: Some(Duration::from_secs(10)),
        receive_limit: DEFAULT_RECEIVE_LIMIT,
    }
}

fn transport_for(options: &ConnectOptions) -> Arc<dyn Transport> {
    temporal_lite_tokio::transport(options).expect("transport")
}

fn plaintext(server: &MockServer) -> Arc<dyn Transport> {
    transport_for(&ConnectOptions::new(server.address_string()))
}

async fn call_ok(transport: &dyn Transport, payload: &[u8]) -> Bytes {
    let response = transport.unary(request(payload)).await.expect("exchange");
    decode_unary_response(&response, DEFAULT_RECEIVE_LIMIT).expect("OK status")
}

async fn call_err(transport: &dyn Transport, request: Request) -> TransportError {
    match transport.unary(request).await {
        Ok(response) => panic!("expected a transport error, got {response:?}"),
        Err(error) => error,
    }
}

fn echo() -> impl Fn(&temporal_lite_tests::mock_server::RecordedRequest) -> Reply + Send + Sync {
    |request| Reply::unary(request.body_message())
}

/// Answers `special` to a request whose message is `trigger`, and `otherwise` to the rest.
fn on_message(
    trigger: &'static str,
    special: Reply,
    otherwise: Reply,
) -> impl Fn(&temporal_lite_tests::mock_server::RecordedRequest) -> Reply + Send + Sync {
    move |request| {
        if request.body_message() == trigger {
            special.clone()
        } else {
            otherwise.clone()
        }
    }
}

#[tokio::test]
async fn unary_round_trip_sends_grpc_headers() {
    let server = MockServer::start(echo()).await;
    let transport = plaintext(&server);
    let mut req = request(b"ping");
    req.metadata.insert("temporal-namespace", "default");
    req.metadata.insert("authorization", "Bearer secret");
    req.metadata.insert("grpc-timeout", "10S");
    let response = transport.unary(req).await.unwrap();
    assert_eq!(response.http_status, 200);
    assert_eq!(
        response.headers.get("content-type"),
        Some("application/grpc")
    );
    assert_eq!(response.trailers.get("grpc-status"), Some("0"));
    assert_eq!(
        decode_unary_response(&response, DEFAULT_RECEIVE_LIMIT).unwrap(),
        Bytes::from_static(b"ping")
    );

    let recorded = &server.requests()[0];
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.scheme.as_deref(), Some("http"));
    assert_eq!(recorded.authority, Some(server.address_string()));
    assert_eq!(recorded.path, PATH);
    assert_eq!(recorded.header("content-type"), Some("application/grpc"));
    assert_eq!(recorded.header("te"), Some("trailers"));
    assert!(recorded
        .header("user-agent")
        .unwrap()
        .starts_with("temporal-lite/"));
    assert_eq!(recorded.header("temporal-namespace"), Some("default"));
    assert_eq!(recorded.header("authorization"), Some("Bearer secret"));
    assert_eq!(recorded.header("grpc-timeout"), Some("10S"));
    assert_eq!(recorded.body, frame(b"ping"));
}

#[tokio::test]
async fn reply_in_tiny_data_frames() {
    let payload: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let body = frame(&payload);
    let server = MockServer::start(move |_| Reply::framed(body.clone(), 1)).await;
    let transport = plaintext(&server);
    assert_eq!(call_ok(&*transport, b"x").await, payload);
    // Frame boundaries inside chunks of 3 too.
    let body = frame(b"seven b");
    let server = MockServer::start(move |_| Reply::framed(body.clone(), 3)).await;
    assert_eq!(call_ok(&*plaintext(&server), b"x").await, &b"seven b"[..]);
}

#[tokio::test]
async fn trailers_only_error_status() {
    let server =
        MockServer::start(|_| Reply::status(16, "invalid API key %E2%80%94 check it")).await;
    let transport = plaintext(&server);
    let response = transport.unary(request(b"x")).await.unwrap();
    assert!(response.trailers.is_empty());
    let status = decode_unary_response(&response, DEFAULT_RECEIVE_LIMIT).unwrap_err();
    assert_eq!(status.code, Code::UNAUTHENTICATED);
    assert_eq!(status.message, "invalid API key \u{2014} check it");
}

#[tokio::test]
async fn html_502_from_proxy_is_unavailable() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
    let server = MockServer::start(move |_| Reply::http(502, "text/html", html)).await;
    let response = plaintext(&server).unary(request(b"x")).await.unwrap();
    assert_eq!(response.http_status, 502);
    let status = decode_unary_response(&response, DEFAULT_RECEIVE_LIMIT).unwrap_err();
    assert_eq!(status.code, Code::UNAVAILABLE);
    assert!(
        status
            .message
            .starts_with("HTTP 502 Bad Gateway from proxy: <html> <head><title>502 Bad Gateway"),
        "{}",
        status.message
    );
}

#[tokio::test]
async fn oversize_response_body_is_rejected_and_connection_survives() {
    let server = MockServer::start(on_message(
        "big",
        Reply::framed(frame(&[7u8; 100_000]), 16 * 1024),
        Reply::unary("small"),
    ))
    .await;
    let transport = plaintext(&server);
    let mut req = request(b"big");
    req.receive_limit = 50_000;
    let error = call_err(&*transport, req).await;
    assert_eq!(
        error.kind(),
        TransportErrorKind::ResponseTooLarge,
        "{error}"
    );
    assert!(error.message().contains("50000"), "{error}");
    assert_eq!(call_ok(&*transport, b"small").await, &b"small"[..]);
    // A message of exactly the limit fits (the frame prefix comes on top).
    let mut req = request(b"big");
    req.receive_limit = 100_000;
    let response = transport.unary(req).await.unwrap();
    assert_eq!(
        decode_unary_response(&response, 100_000).unwrap().len(),
        100_000
    );
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn oversize_declared_length_fails_before_the_message_arrives() {
    // A prefix declaring 1 GiB, then a few bytes: rejected by the transport from the prefix
    // alone (it would not wait for, nor buffer, the rest), and the stream is reset.
    let mut body = vec![0u8, 0x40, 0, 0, 0];
    body.extend_from_slice(b"abc");
    let body = Bytes::from(body);
    let server = MockServer::start(on_message(
        "big",
        Reply::framed(body, usize::MAX),
        Reply::unary("small"),
    ))
    .await;
    let transport = plaintext(&server);
    let started = Instant::now();
    let error = call_err(&*transport, request(b"big")).await;
    assert_eq!(
        error.kind(),
        TransportErrorKind::ResponseTooLarge,
        "{error}"
    );
    assert!(error.message().contains("1073741824"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The connection is still fine.
    assert_eq!(call_ok(&*transport, b"small").await, &b"small"[..]);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn goaway_then_next_call_uses_a_new_connection() {
    // Every reply is followed by GOAWAY, like nginx with `keepalive_requests 1`.
    let server =
        MockServer::start(|request| Reply::unary(request.body_message()).then_go_away()).await;
    let transport = plaintext(&server);
    for i in 0..5u8 {
        assert_eq!(call_ok(&*transport, &[i]).await, &[i][..]);
    }
    assert_eq!(server.connections(), 5);
    let connections: Vec<usize> = server.requests().iter().map(|r| r.connection).collect();
    let mut sorted = connections.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "{connections:?}");
}

#[tokio::test]
async fn goaway_with_calls_in_flight() {
    // The first call's reply comes with GOAWAY while others are still being answered: those
    // finish on the old connection, later calls go to a new one.
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let server = MockServer::start(move |request| {
        let reply = Reply::unary(request.body_message());
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            reply.then_go_away()
        } else {
            reply.delayed(Duration::from_millis(100))
        }
    })
    .await;
    let transport = plaintext(&server);
    let calls: Vec<_> = (0..20u8)
        .map(|i| {
            let transport = transport.clone();
            tokio::spawn(async move { call_ok(&*transport, &[i]).await == [i][..] })
        })
        .collect();
    for call in calls {
        assert!(call.await.unwrap());
    }
    assert_eq!(call_ok(&*transport, b"after").await, &b"after"[..]);
    assert!(server.connections() >= 2, "{}", server.connections());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_started_around_a_goaway_all_succeed() {
    // Calls keep starting while the server shuts the connection down gracefully: the ones
    // the old connection refuses are sent again on a new connection, never failed.
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let server = MockServer::start(move |request| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let reply = Reply::unary(request.body_message()).delayed(Duration::from_millis(30));
        if n % 10 == 5 {
            reply.then_go_away()
        } else {
            reply
        }
    })
    .await;
    let transport = plaintext(&server);
    let mut calls = Vec::new();
    for i in 0..60u8 {
        let transport = transport.clone();
        calls.push(tokio::spawn(async move {
            call_ok(&*transport, &[i]).await == [i][..]
        }));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    for call in calls {
        assert!(call.await.unwrap());
    }
    assert!(server.connections() >= 2, "{}", server.connections());
}

#[tokio::test]
async fn stream_reset_is_io_error_and_connection_survives() {
    let server = MockServer::start(on_message(
        "reset",
        Reply::Reset(h2::Reason::INTERNAL_ERROR),
        Reply::unary("fine"),
    ))
    .await;
    let transport = plaintext(&server);
    let error = call_err(&*transport, request(b"reset")).await;
    assert_eq!(error.kind(), TransportErrorKind::Io, "{error}");
    assert!(error.message().contains("reset"), "{error}");
    assert_eq!(call_ok(&*transport, b"again").await, &b"fine"[..]);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn connection_drop_mid_call_is_io_error_then_reconnects() {
    let server = MockServer::start(on_message(
        "drop",
        Reply::DropConnection,
        Reply::unary("fine"),
    ))
    .await;
    let transport = plaintext(&server);
    assert_eq!(call_ok(&*transport, b"warm up").await, &b"fine"[..]);
    let error = call_err(&*transport, request(b"drop")).await;
    assert_eq!(error.kind(), TransportErrorKind::Io, "{error}");
    assert_eq!(call_ok(&*transport, b"again").await, &b"fine"[..]);
    assert_eq!(server.connections(), 2);
}

#[tokio::test]
async fn slow_reply_times_out_and_connection_survives() {
    let server = MockServer::start(on_message(
        "slow",
        Reply::unary("late").delayed(Duration::from_secs(5)),
        Reply::unary("quick"),
    ))
    .await;
    let transport = plaintext(&server);
    let mut req = request(b"slow");
    req.timeout = Some(Duration::from_millis(200));
    let started = Instant::now();
    let error = call_err(&*transport, req).await;
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
    assert!(error.message().contains(PATH), "{error}");
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    assert_eq!(call_ok(&*transport, b"next").await, &b"quick"[..]);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let server = MockServer::start(|_| Reply::Hang).await;
    let mut req = request(b"x");
    req.timeout = Some(Duration::from_millis(150));
    let error = call_err(&*plaintext(&server), req).await;
    assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
}

#[tokio::test]
async fn keepalive_detects_a_silent_peer() {
    let server = MockServer::start(on_message(
        "freeze",
        Reply::FreezeConnection,
        Reply::unary("fine"),
    ))
    .await;
    let runtime = Arc::new(TokioRuntime::try_current().unwrap());
    let mut settings = Http2Settings::default();
    settings.keepalive_interval = Some(Duration::from_millis(200));
    settings.keepalive_timeout = Duration::from_millis(200);
    let transport = Http2Transport::with_settings(
        runtime,
        &ConnectOptions::new(server.address_string()),
        settings,
    )
    .unwrap();
    let mut req = request(b"freeze");
    req.timeout = None;
    let started = Instant::now();
    let error = call_err(&transport, req).await;
    assert_ended_by_keepalive(&error, started);
    // The next call reconnects.
    assert_eq!(call_ok(&transport, b"again").await, &b"fine"[..]);
    assert_eq!(server.connections(), 2);
}

async fn many_concurrent_calls(server: &MockServer, calls: usize) {
    let transport = plaintext(server);
    let tasks: Vec<_> = (0..calls)
        .map(|i| {
            let transport = transport.clone();
            tokio::spawn(async move {
                let payload = format!("call {i}");
                call_ok(&*transport, payload.as_bytes()).await == payload.as_bytes()
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap(), "a reply went to the wrong call");
    }
    assert_eq!(server.connections(), 1, "all calls share one connection");
    assert_eq!(server.requests().len(), calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_calls_share_one_connection() {
    let server = MockServer::start(|request| {
        Reply::unary(request.body_message()).delayed(Duration::from_millis(100))
    })
    .await;
    many_concurrent_calls(&server, 150).await;
    assert!(
        server.peak_concurrent_streams() > 50,
        "peak {}",
        server.peak_concurrent_streams()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_beyond_max_concurrent_streams_wait() {
    let server = MockServer::builder()
        .max_concurrent_streams(10)
        .start(|request| Reply::unary(request.body_message()).delayed(Duration::from_millis(20)))
        .await;
    many_concurrent_calls(&server, 120).await;
    let peak = server.peak_concurrent_streams();
    assert!((2..=10).contains(&peak), "peak {peak}");
}

#[tokio::test]
async fn refused_connection_is_connect_error() {
    let port = closed_port();
    let transport = transport_for(&ConnectOptions::new(format!("127.0.0.1:{port}")));
    let error = call_err(&*transport, request(b"x")).await;
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
    assert!(error.message().contains(&port.to_string()), "{error}");
}

#[tokio::test]
async fn connect_rpc_options_apply_the_deadline_to_the_check() {
    // A peer that accepts TCP and never answers: the check ends at its 300 ms deadline,
    // long before the 10 s connect timeout.
    let peer = SilentPeer::start().await;
    let address = peer.address();
    let rpc = RpcOptions {
        timeout: Duration::from_millis(300),
        ..RpcOptions::default()
    };
    let started = Instant::now();
    let error = temporal_lite_tokio::connect(address.to_string())
        .rpc_options(rpc)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ClientError::DeadlineExceeded { attempts: 1, .. }),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_refused_first_connect_fails_at_once() {
    let port = closed_port();
    let started = Instant::now();
    let error = temporal_lite_tokio::connect(ConnectOptions::new(format!("127.0.0.1:{port}")))
        .await
        .unwrap_err();
    assert_refused_at_once(&error, started);
}

#[tokio::test]
async fn unknown_host_is_connect_error() {
    let transport = transport_for(&ConnectOptions::new("no-such-host.invalid:7233"));
    let error = call_err(&*transport, request(b"x")).await;
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
}

#[tokio::test]
async fn silent_tls_server_hits_connect_timeout() {
    let peer = SilentPeer::start().await;
    let address = peer.address();
    let mut options = ConnectOptions::new(address.to_string()).tls(TlsOptions::default());
    options.connect_timeout = Duration::from_millis(300);
    let started = Instant::now();
    let error = call_err(&*transport_for(&options), request(b"x")).await;
    assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
    assert!(
        error.message().contains("no answer from")
            && error.message().contains("within 300ms (connect_timeout)"),
        "{error}"
    );
    assert!(error.is_unprocessed());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn concurrent_first_calls_share_one_failed_connect() {
    let port = closed_port();
    let transport = transport_for(&ConnectOptions::new(format!("127.0.0.1:{port}")));
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let transport = transport.clone();
            tokio::spawn(async move { transport.unary(request(b"x")).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        assert_eq!(
            call.await.unwrap().unwrap_err().kind(),
            TransportErrorKind::Connect
        );
    }
}

#[tokio::test]
async fn closed_transport_refuses_calls() {
    let server = MockServer::start(echo()).await;
    let runtime = Arc::new(TokioRuntime::try_current().unwrap());
    let transport =
        Http2Transport::new(runtime, &ConnectOptions::new(server.address_string())).unwrap();
    assert_eq!(call_ok(&transport, b"one").await, &b"one"[..]);
    transport.close();
    let error = call_err(&transport, request(b"two")).await;
    assert_eq!(error.kind(), TransportErrorKind::Closed);
}

#[test]
fn transport_outside_tokio_is_an_error_not_a_panic() {
    let Err(error) = temporal_lite_tokio::transport(&ConnectOptions::new("127.0.0.1:1")) else {
        panic!("expected an error outside tokio");
    };
    assert_eq!(error.kind(), TransportErrorKind::Closed);
    assert!(error.message().contains("tokio"));
}

#[test]
fn http_scheme_with_tls_options_is_rejected() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let tokio_runtime = Arc::new(TokioRuntime::new(runtime.handle().clone()));
    let options = ConnectOptions::new("http://127.0.0.1:7233").tls(TlsOptions::default());
    let error = Http2Transport::new(tokio_runtime, &options).unwrap_err();
    assert_eq!(error.kind(), TransportErrorKind::Tls);
}

// ---- TLS ----

async fn tls_server(pki: &MockPki, require_client_cert: bool) -> MockServer {
    MockServer::builder()
        .tls(pki.server_config(require_client_cert))
        .start(echo())
        .await
}

fn tls_options(pki: &MockPki) -> TlsOptions {
    TlsOptions {
        server_root_ca_cert: Some(pki.ca_pem.clone().into_bytes()),
        ..TlsOptions::default()
    }
}

#[tokio::test]
async fn tls_with_configured_ca() {
    let pki = MockPki::generate();
    let server = tls_server(&pki, false).await;
    let options = ConnectOptions::new(server.address_string()).tls(tls_options(&pki));
    assert_eq!(
        call_ok(&*transport_for(&options), b"secure").await,
        &b"secure"[..]
    );
    assert_eq!(server.requests()[0].scheme.as_deref(), Some("https"));
    // https:// in the address, with the name in the certificate.
    let options = ConnectOptions::new(format!("https://localhost:{}", server.address().port()))
        .tls(tls_options(&pki));
    assert_eq!(
        call_ok(&*transport_for(&options), b"named").await,
        &b"named"[..]
    );
}

#[tokio::test]
async fn tls_unknown_issuer_is_a_readable_tls_error() {
    let pki = MockPki::generate();
    let server = tls_server(&pki, false).await;
    // No CA configured: the public web roots do not know the test CA.
    let options = ConnectOptions::new(server.address_string()).tls(TlsOptions::default());
    let error = call_err(&*transport_for(&options), request(b"x")).await;
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error}");
    assert!(
        error
            .message()
            .contains("invalid peer certificate: UnknownIssuer"),
        "{error}"
    );
}

#[tokio::test]
async fn tls_name_mismatch_and_disabled_host_verification() {
    let pki = MockPki::generate();
    let server = tls_server(&pki, false).await;
    let mut tls = tls_options(&pki);
    tls.domain = Some("other.example".into());
    let options = ConnectOptions::new(server.address_string()).tls(tls.clone());
    let error = call_err(&*transport_for(&options), request(b"x")).await;
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error}");
    assert!(
        error
            .message()
            .contains("invalid peer certificate: certificate not valid for name \"other.example\""),
        "{error}"
    );

    tls.disable_host_verification = true;
    let options = ConnectOptions::new(server.address_string()).tls(tls);
    assert_eq!(call_ok(&*transport_for(&options), b"ok").await, &b"ok"[..]);
    // The TLS domain is the `:authority` too, as grpc-go sends its TLS server name.
    let authority = server.requests().last().and_then(|r| r.authority.clone());
    assert_eq!(authority.as_deref(), Some("other.example"));

    // Disabling host verification still checks the chain.
    let options = ConnectOptions::new(server.address_string()).tls(TlsOptions {
        disable_host_verification: true,
        ..TlsOptions::default()
    });
    let error = call_err(&*transport_for(&options), request(b"x")).await;
    assert!(error.message().contains("UnknownIssuer"), "{error}");
}

#[tokio::test]
async fn mutual_tls() {
    let pki = MockPki::generate();
    let server = tls_server(&pki, true).await;
    let mut tls = tls_options(&pki);
    tls.client_cert = Some(pki.client_cert_pem.clone().into_bytes());
    tls.client_private_key = Some(PrivateKey::new(pki.client_key_pem.clone().into_bytes()));
    let options = ConnectOptions::new(server.address_string()).tls(tls);
    assert_eq!(
        call_ok(&*transport_for(&options), b"mtls").await,
        &b"mtls"[..]
    );

    // Without a client certificate the server rejects the connection.
    let options = ConnectOptions::new(server.address_string()).tls(tls_options(&pki));
    let error = call_err(&*transport_for(&options), request(b"x")).await;
    assert_eq!(error.kind(), TransportErrorKind::Tls, "{error}");
    assert!(error.message().contains("CertificateRequired"), "{error}");
}

// ---- Response header list limit ----

/// A Trailers-Only error whose `grpc-status-details-bin` is `details` bytes of base64.
fn status_with_details(details: usize) -> Reply {
    Reply::Raw {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/grpc".into()),
            ("grpc-status".into(), "9".into()),
            ("grpc-message".into(), "precondition failed".into()),
            ("grpc-status-details-bin".into(), "QUFB".repeat(details / 4)),
        ],
        chunks: Vec::new(),
        trailers: None,
    }
}

#[tokio::test]
async fn large_error_details_in_trailers_arrive() {
    // 200 KiB of details: far over hyper's own 16 KiB default, well under ours.
    let server = MockServer::start(|_| status_with_details(200 * 1024)).await;
    let response = plaintext(&server).unary(request(b"x")).await.unwrap();
    let status = decode_unary_response(&response, DEFAULT_RECEIVE_LIMIT).unwrap_err();
    assert_eq!(status.code, Code::FAILED_PRECONDITION);
    assert_eq!(status.details.len(), 150 * 1024);

    // Over a configured limit: a clear error naming the setting, not a bare reset.
    let runtime = Arc::new(TokioRuntime::try_current().unwrap());
    let mut settings = Http2Settings::default();
    settings.max_header_list_size = 16 * 1024;
    let transport = Http2Transport::with_settings(
        runtime,
        &ConnectOptions::new(server.address_string()),
        settings,
    )
    .unwrap();
    let error = call_err(&transport, request(b"x")).await;
    assert_eq!(
        error.kind(),
        TransportErrorKind::ResponseTooLarge,
        "{error}"
    );
    assert!(error.message().contains("max_header_list_size"), "{error}");
    assert!(!error.is_unprocessed());
}
