//! The HTTP/2 engine through the async-std adapter against the in-process mock server, with
//! no tokio context anywhere on the client side.
//!
//! The mock server runs on its own multi-thread tokio runtime (its worker threads only);
//! the test threads never enter it. Every future the engine gets from the runtime (the
//! connection drivers it spawns, its timers and its connects) and every call is wrapped in
//! a check that counts polls made inside a tokio context: the count must stay zero.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use temporal_lite_async_std::AsyncStdRuntime;
use temporal_lite_core::config::{ConnectOptions, TlsOptions};
use temporal_lite_core::engine::{
    BoxFuture, BoxIo, ConnectError, ConnectTarget, Http2Settings, Http2Transport, Runtime,
};
use temporal_lite_core::grpc::{
    decode_unary_response, Metadata, Request, Transport, TransportError, TransportErrorKind,
    DEFAULT_RECEIVE_LIMIT,
};
use temporal_lite_core::time::{Clock, Sleep};
use temporal_lite_tests::mock_server::{frame, MockPki, MockServer, RecordedRequest, Reply};
use temporal_lite_tests::peers::{assert_ended_by_keepalive, assert_refused_at_once, closed_port};
use tokio_rustls::rustls;

const PATH: &str = "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo";

/// Poll counts: all polls, and polls that found a tokio context (must stay 0).
#[derive(Default)]
struct Probe {
    polls: AtomicUsize,
    spawned_polls: AtomicUsize,
    in_tokio: AtomicUsize,
}

impl Probe {
    fn check(&self) {
        self.polls.fetch_add(1, Ordering::SeqCst);
        if tokio::runtime::Handle::try_current().is_ok() {
            self.in_tokio.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn assert_no_tokio(&self) {
        assert_eq!(
            self.in_tokio.load(Ordering::SeqCst),
            0,
            "a future was polled inside a tokio context"
        );
        assert!(self.polls.load(Ordering::SeqCst) > 0, "nothing was polled");
        assert!(
            self.spawned_polls.load(Ordering::SeqCst) > 0,
            "no connection task was polled"
        );
    }
}

/// A future that reports every poll to a [`Probe`].
struct Checked<F> {
    future: F,
    probe: Arc<Probe>,
    spawned: bool,
}

impl<F: Future + Unpin> Future for Checked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.probe.check();
        if self.spawned {
            self.probe.spawned_polls.fetch_add(1, Ordering::SeqCst);
        }
        Pin::new(&mut self.future).poll(cx)
    }
}

fn checked<F: Future + Unpin>(probe: &Arc<Probe>, future: F) -> Checked<F> {
    Checked {
        future,
        probe: probe.clone(),
        spawned: false,
    }
}

/// [`AsyncStdRuntime`] with every future it hands the engine wrapped in a check.
struct CheckedRuntime {
    inner: AsyncStdRuntime,
    probe: Arc<Probe>,
}

impl Runtime for CheckedRuntime {
    fn spawn(&self, future: BoxFuture<()>) {
        let mut task = checked(&self.probe, future);
        task.spawned = true;
        self.inner.spawn(Box::pin(task));
    }

    fn connect(&self, target: ConnectTarget) -> BoxFuture<Result<BoxIo, ConnectError>> {
        Box::pin(checked(&self.probe, self.inner.connect(target)))
    }
}

impl Clock for CheckedRuntime {
    fn now(&self) -> Duration {
        self.inner.now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(checked(&self.probe, self.inner.sleep(duration)))
    }
}

fn checked_transport(
    options: &ConnectOptions,
    settings: Http2Settings,
) -> (Arc<Probe>, Http2Transport) {
    let probe = Arc::new(Probe::default());
    let runtime = Arc::new(CheckedRuntime {
        inner: AsyncStdRuntime::new(),
        probe: probe.clone(),
    });
    let transport = Http2Transport::with_settings(runtime, options, settings).expect("transport");
    (probe, transport)
}

/// A mock server on a tokio runtime of its own; the caller's thread leaves its context
/// as soon as the server is listening.
struct Server {
    server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime for the mock server");
        let mut builder = MockServer::builder();
        if let Some(tls) = tls {
            builder = builder.tls(tls);
        }
        let server = runtime.block_on(builder.start(handler));
        assert!(tokio::runtime::Handle::try_current().is_err());
        Server {
            server,
            _runtime: runtime,
        }
    }

    fn echo() -> Server {
        Server::start(None, |request| Reply::unary(request.body_message()))
    }
}

fn request(payload: &[u8], timeout: Option<Duration>) -> Request {
    Request {
        path: PATH.into(),
        metadata: Metadata::new(),
        body: frame(payload),
        timeout,
        receive_limit: DEFAULT_RECEIVE_LIMIT,
    }
}

async fn call(probe: &Arc<Probe>, transport: &dyn Transport, payload: &[u8]) -> Bytes {
    let response = checked(
        probe,
        Box::pin(transport.unary(request(payload, Some(Duration::from_secs(10))))),
    )
    .await
    .expect("exchange");
    decode_unary_response(&response, DEFAULT_RECEIVE_LIMIT).expect("OK status")
}

async fn call_err(
    probe: &Arc<Probe>,
    transport: &dyn Transport,
    request: Request,
) -> TransportError {
    match checked(probe, Box::pin(transport.unary(request))).await {
        Ok(response) => panic!("expected a transport error, got {response:?}"),
        Err(error) => error,
    }
}

/// Many concurrent calls, each in its own async-std task: all answered on one connection.
async fn concurrent_calls(probe: &Arc<Probe>, transport: &Http2Transport, calls: usize) {
    let tasks: Vec<_> = (0..calls)
        .map(|i| {
            let probe = probe.clone();
            let transport = transport.clone();
            async_std::task::spawn(async move {
                let payload = format!("call {i}");
                assert_eq!(call(&probe, &transport, payload.as_bytes()).await, payload);
            })
        })
        .collect();
    for task in tasks {
        task.await;
    }
}

#[test]
fn plaintext_calls_need_no_tokio_context() {
    let server = Server::echo();
    async_std::task::block_on(async {
        assert!(tokio::runtime::Handle::try_current().is_err());
        let options = ConnectOptions::new(server.server.address_string());
        let (probe, transport) = checked_transport(&options, Http2Settings::default());
        assert_eq!(call(&probe, &transport, b"first").await, &b"first"[..]);
        concurrent_calls(&probe, &transport, 20).await;
        probe.assert_no_tokio();
    });
    assert_eq!(server.server.connections(), 1);
    assert_eq!(server.server.requests().len(), 21);
    assert_eq!(server.server.requests()[0].scheme.as_deref(), Some("http"));
}

/// The negative control: the probe does notice a tokio context when there is one.
#[test]
fn probe_detects_a_tokio_context() {
    let server = Server::echo();
    let tokio = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    let _context = tokio.enter();
    async_std::task::block_on(async {
        let options = ConnectOptions::new(server.server.address_string());
        let (probe, transport) = checked_transport(&options, Http2Settings::default());
        assert_eq!(call(&probe, &transport, b"x").await, &b"x"[..]);
        assert!(probe.in_tokio.load(Ordering::SeqCst) > 0);
    });
}

#[test]
fn tls_calls_need_no_tokio_context() {
    let pki = MockPki::generate();
    let server = Server::start(Some(pki.server_config(false)), |request| {
        Reply::unary(request.body_message())
    });
    async_std::task::block_on(async {
        let tls = TlsOptions {
            server_root_ca_cert: Some(pki.ca_pem.clone().into_bytes()),
            ..TlsOptions::default()
        };
        let options = ConnectOptions::new(format!(
            "https://localhost:{}",
            server.server.address().port()
        ))
        .tls(tls);
        let (probe, transport) = checked_transport(&options, Http2Settings::default());
        assert_eq!(call(&probe, &transport, b"secure").await, &b"secure"[..]);
        concurrent_calls(&probe, &transport, 10).await;
        probe.assert_no_tokio();

        // Without the test CA: a readable certificate error from futures-rustls.
        let options =
            ConnectOptions::new(server.server.address_string()).tls(TlsOptions::default());
        let (probe, transport) = checked_transport(&options, Http2Settings::default());
        let error = call_err(
            &probe,
            &transport,
            request(b"x", Some(Duration::from_secs(10))),
        )
        .await;
        assert_eq!(error.kind(), TransportErrorKind::Tls, "{error}");
        assert!(error.message().contains("UnknownIssuer"), "{error}");
    });
    assert_eq!(server.server.requests()[0].scheme.as_deref(), Some("https"));
}

#[test]
fn call_timeout_and_keepalive_run_on_async_std_timers() {
    let server = Server::start(None, |request| match &request.body_message()[..] {
        b"slow" => Reply::unary("late").delayed(Duration::from_secs(5)),
        b"freeze" => Reply::FreezeConnection,
        _ => Reply::unary("quick"),
    });
    async_std::task::block_on(async {
        let mut settings = Http2Settings::default();
        settings.keepalive_interval = Some(Duration::from_millis(200));
        settings.keepalive_timeout = Duration::from_millis(200);
        let options = ConnectOptions::new(server.server.address_string());
        let (probe, transport) = checked_transport(&options, settings);

        let started = Instant::now();
        let error = call_err(
            &probe,
            &transport,
            request(b"slow", Some(Duration::from_millis(200))),
        )
        .await;
        let elapsed = started.elapsed();
        assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
        assert!(
            elapsed >= Duration::from_millis(200) && elapsed < Duration::from_secs(2),
            "{elapsed:?}"
        );
        assert_eq!(call(&probe, &transport, b"next").await, &b"quick"[..]);

        let started = Instant::now();
        let error = call_err(&probe, &transport, request(b"freeze", None)).await;
        assert_ended_by_keepalive(&error, started);
        // The next call reconnects.
        assert_eq!(call(&probe, &transport, b"again").await, &b"quick"[..]);
        probe.assert_no_tokio();
    });
    assert_eq!(server.server.connections(), 2);
}

#[test]
fn refused_connection_is_a_connect_error() {
    let port = closed_port();
    async_std::task::block_on(async {
        let transport =
            temporal_lite_async_std::transport(&ConnectOptions::new(format!("127.0.0.1:{port}")))
                .expect("transport");
        let error = match transport
            .unary(request(b"x", Some(Duration::from_secs(5))))
            .await
        {
            Ok(response) => panic!("expected a connect error, got {response:?}"),
            Err(error) => error,
        };
        assert_eq!(error.kind(), TransportErrorKind::Connect, "{error}");
        assert!(
            error.message().contains(&format!("127.0.0.1:{port}")),
            "{error}"
        );
    });
}

#[test]
fn a_refused_first_connect_fails_at_once() {
    let port = closed_port();
    let options = ConnectOptions::new(format!("127.0.0.1:{port}"));
    let started = Instant::now();
    let error =
        async_std::task::block_on(async { temporal_lite_async_std::connect(options).await })
            .unwrap_err();
    assert_refused_at_once(&error, started);
}

#[test]
fn client_api_runs_under_async_std() {
    let server = Server::echo();
    async_std::task::block_on(async {
        let options = ConnectOptions::new(server.server.address_string()).namespace("ns");
        // connect checks the connection with GetSystemInfo (the mock echoes an empty
        // message back: a default response).
        let client = temporal_lite_async_std::connect(options)
            .await
            .expect("connect");
        assert_eq!(client.namespace(), "ns");
        client.get_system_info().await.expect("GetSystemInfo");
        assert!(tokio::runtime::Handle::try_current().is_err());

        // The same through a transport and clock of one's own.
        let options = ConnectOptions::new(server.server.address_string());
        let transport = temporal_lite_async_std::transport(&options).expect("transport");
        let clock = Arc::new(AsyncStdRuntime::new());
        let client = temporal_lite_core::client::Client::connect_with(transport, clock, options)
            .await
            .expect("connect_with");
        assert_eq!(client.namespace(), "default");
    });
    let requests = server.server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.path == PATH));
    assert_eq!(requests[0].header("client-name"), Some("temporal-lite"));
}

/// smol's `block_on` is async-io's: the adapter works under it too (connection tasks still
/// go to async-std's global executor; async-io's reactor drives sockets and timers).
#[test]
fn works_under_smol_block_on() {
    let server = Server::start(None, |request| match &request.body_message()[..] {
        b"hang" => Reply::Hang,
        other => Reply::unary(Bytes::copy_from_slice(other)),
    });
    async_io::block_on(async {
        assert!(tokio::runtime::Handle::try_current().is_err());
        let options = ConnectOptions::new(server.server.address_string());
        let (probe, transport) = checked_transport(&options, Http2Settings::default());
        assert_eq!(call(&probe, &transport, b"smol").await, &b"smol"[..]);
        concurrent_calls(&probe, &transport, 5).await;
        let timeout = Some(Duration::from_millis(100));
        let error = call_err(&probe, &transport, request(b"hang", timeout)).await;
        assert_eq!(error.kind(), TransportErrorKind::Timeout, "{error}");
        probe.assert_no_tokio();
    });
    assert_eq!(server.server.connections(), 1);
}
