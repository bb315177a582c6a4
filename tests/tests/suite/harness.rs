//! What every case gets ([`Ctx`]), the runtimes and fronts the suite runs over, and helpers.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_util::future::{select, Either};
use temporal_lite_core::client::{
    Client, Error, Failure, HistoryEvent, RetryState, StartWorkflowOptions, WorkflowError,
    WorkflowFailure,
};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::{
    Metadata, Request, Response, Transport, TransportError, TransportErrorKind,
};
use temporal_lite_core::time::Clock;
use temporal_lite_proto::temporal::api::enums::v1::EventType;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
use temporal_lite_proto::temporal::api::history::v1::WorkflowExecutionStartedEventAttributes;
use temporal_lite_tests::tls_front;
use temporal_lite_tests::{
    shared_api_key_front, shared_env, shared_mtls_front, unique_id, DevServer, NginxFront, TestEnv,
};

/// How long one case may take before it fails as hung.
const CASE_TIME_LIMIT: Duration = Duration::from_secs(90);

/// A keyword search attribute the suite registers on the shared server (the dev server has
/// no custom attributes of its own; names starting with `Temporal` are reserved).
pub(crate) const SUITE_KEYWORD: &str = "LiteSuiteKeyword";

// ---------------------------------------------------------------------------------------
// Errors

/// Why a case failed: a message and the place (`?` or [`fail`]) it came from.
///
/// Any displayable error converts into it with `?`, recording where the `?` was.
pub(crate) struct TestError {
    message: String,
    location: &'static Location<'static>,
}

/// What a case returns.
pub(crate) type TestResult<T = ()> = Result<T, TestError>;

// `TestError` is not `Display` itself, so this does not overlap `From<T> for T`.
impl<E: fmt::Display> From<E> for TestError {
    #[track_caller]
    fn from(error: E) -> Self {
        TestError {
            message: error.to_string(),
            location: Location::caller(),
        }
    }
}

impl fmt::Debug for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  at {}", self.message, self.location)
    }
}

/// A failed check, as an error (for `return Err(fail(..))` and `ok_or_else`).
#[track_caller]
pub(crate) fn fail(message: impl Into<String>) -> TestError {
    TestError {
        message: message.into(),
        location: Location::caller(),
    }
}

// ---------------------------------------------------------------------------------------
// Runtimes

/// What a runtime adapter supplies to a client.
type TransportAndClock = (Arc<dyn Transport>, Arc<dyn Clock>);

/// The async runtimes the suite runs over: each case runs on a fresh one.
///
/// To add one: a variant, its `block_on` and its transport + clock below, and a `suite!`
/// line in `main.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Runtime {
    /// temporal-lite-tokio on a current-thread tokio runtime.
    Tokio,
    /// temporal-lite-async-std under `async_std::task::block_on`.
    AsyncStd,
}

impl Runtime {
    /// Run `future` to completion on this runtime.
    pub(crate) fn block_on<F: Future>(self, future: F) -> F::Output {
        match self {
            Runtime::Tokio => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cannot build a tokio runtime")
                .block_on(future),
            Runtime::AsyncStd => async_std::task::block_on(future),
        }
    }

    /// A transport for `options` and a clock, from this runtime's adapter. Call it from
    /// within [`block_on`](Self::block_on).
    pub(crate) fn transport(
        self,
        options: &ConnectOptions,
    ) -> Result<TransportAndClock, TransportError> {
        match self {
            Runtime::Tokio => {
                let runtime = temporal_lite_tokio::TokioRuntime::try_current()
                    .expect("Runtime::transport is called outside Runtime::block_on");
                let transport = temporal_lite_tokio::transport_with(runtime.clone(), options)?;
                Ok((transport, Arc::new(runtime)))
            }
            Runtime::AsyncStd => {
                let runtime = temporal_lite_async_std::AsyncStdRuntime::new();
                let transport = temporal_lite_async_std::transport_with(runtime, options)?;
                Ok((transport, Arc::new(runtime)))
            }
        }
    }

    /// A client for `options` without any I/O (whatever `options.lazy` says).
    pub(crate) fn client(self, options: ConnectOptions) -> Result<Client, Error> {
        let (transport, clock) = self.transport(&options)?;
        Ok(Client::new(transport, clock, options))
    }

    /// Like [`connect`](Self::connect), with a record of every exchange.
    pub(crate) async fn connect_recorded(
        self,
        options: ConnectOptions,
    ) -> Result<(Client, Arc<Recorder>), Error> {
        let (transport, clock) = self.transport(&options)?;
        let recorder = Recorder::wrap(transport);
        let client = Client::connect_with(recorder.clone(), clock, options).await?;
        Ok((client, recorder))
    }

    /// A client for `options`, checked with `GetSystemInfo` unless `options.lazy`.
    pub(crate) async fn connect(self, options: ConnectOptions) -> Result<Client, Error> {
        let (transport, clock) = self.transport(&options)?;
        Client::connect_with(transport, clock, options).await
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Runtime::Tokio => "tokio",
            Runtime::AsyncStd => "async-std",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Recording

/// One exchange a [`Recorder`] passed on.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    /// The method, e.g. `GetWorkflowExecutionHistory`.
    pub(crate) method: String,
    /// The request metadata the client sent.
    pub(crate) metadata: Metadata,
    /// The transport failure, if the exchange produced no response.
    pub(crate) failure: Option<TransportErrorKind>,
    /// The `grpc-status` of the response (trailers, or headers when Trailers-Only).
    pub(crate) grpc_status: Option<String>,
    /// The size of the response's larger header list (headers or trailers) as HTTP/2
    /// counts it: each field's name and value plus 32 bytes.
    pub(crate) header_list_bytes: usize,
}

impl Call {
    /// Whether the server was unreachable for this exchange: a transport failure, or an
    /// UNAVAILABLE answer from a front whose upstream is down.
    pub(crate) fn hit_outage(&self) -> bool {
        self.failure.is_some() || self.grpc_status.as_deref() == Some("14")
    }
}

/// A transport that records every exchange of the transport it wraps: lets cases check
/// what went over the wire (retries, re-polls, headers) without a proxy.
pub(crate) struct Recorder {
    inner: Arc<dyn Transport>,
    calls: Mutex<Vec<Call>>,
}

impl Recorder {
    fn wrap(inner: Arc<dyn Transport>) -> Arc<Recorder> {
        Arc::new(Recorder {
            inner,
            calls: Mutex::new(Vec::new()),
        })
    }

    /// The exchanges so far, oldest first.
    pub(crate) fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// The exchanges of `method` so far.
    pub(crate) fn calls_of(&self, method: &str) -> Vec<Call> {
        let mut calls = self.calls();
        calls.retain(|c| c.method == method);
        calls
    }
}

#[async_trait]
impl Transport for Recorder {
    async fn unary(&self, request: Request) -> Result<Response, TransportError> {
        let method = request
            .path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let metadata = request.metadata.clone();
        let result = self.inner.unary(request).await;
        let call = Call {
            method,
            metadata,
            failure: result.as_ref().err().map(TransportError::kind),
            grpc_status: result.as_ref().ok().and_then(|response| {
                let status = response.trailers.get("grpc-status");
                status
                    .or_else(|| response.headers.get("grpc-status"))
                    .map(String::from)
            }),
            header_list_bytes: result.as_ref().map_or(0, |response| {
                let size = |list: &Metadata| -> usize {
                    list.iter().map(|(n, v)| n.len() + v.len() + 32).sum()
                };
                size(&response.headers).max(size(&response.trailers))
            }),
        };
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
        result
    }
}

// ---------------------------------------------------------------------------------------
// Fronts

/// How the client reaches the server: directly, or through a TLS front (nginx mTLS or API
/// key, added later).
///
/// This is the seam for fronts: a variant gives the [`ConnectOptions`] that reach the
/// shared server through it ([`connect_options`](Self::connect_options)) and, when it can,
/// a dedicated server ([`options_for_server`](Self::options_for_server)); cases only ever
/// see the resulting client. A front that needs a process of its own (nginx) should start
/// it once, lazily, in a `OnceLock`, like [`shared_env`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Front {
    /// Plaintext HTTP/2, straight to the dev server.
    Plain,
    /// TLS through nginx, which requires a client certificate (mTLS).
    Mtls,
    /// TLS through nginx, which requires `authorization: Bearer <key>`.
    ApiKey,
}

impl Front {
    /// Options that reach the shared environment's server through this front.
    pub(crate) fn connect_options(self, env: &TestEnv) -> ConnectOptions {
        match self {
            Front::Plain => ConnectOptions::new(env.address()).namespace(env.namespace()),
            Front::Mtls => shared_mtls_front()
                .connect_options()
                .namespace(env.namespace()),
            Front::ApiKey => shared_api_key_front()
                .connect_options()
                .namespace(env.namespace()),
        }
    }

    /// Options that reach `server` (a dedicated one, not the shared one) through this front,
    /// or `None` if this front cannot front it; the cases that need one are then skipped.
    pub(crate) fn options_for_server(self, server: &DevServer) -> Option<ConnectOptions> {
        match self {
            Front::Plain => Some(ConnectOptions::new(server.address())),
            Front::Mtls => Some(NginxFront::mtls(server.address()).leak().connect_options()),
            Front::ApiKey => Some(
                NginxFront::api_key(server.address(), tls_front::shared_api_key())
                    .leak()
                    .connect_options(),
            ),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Front::Plain => "plain",
            Front::Mtls => "mtls",
            Front::ApiKey => "apikey",
        }
    }
}

// ---------------------------------------------------------------------------------------
// The context of a case

/// What a case runs with: a client connected through the front, on the runtime.
pub(crate) struct Ctx {
    /// Connected (not lazily) through [`Ctx::front`], identity [`Ctx::identity`].
    pub(crate) client: Client,
    /// Every exchange of [`Ctx::client`] (and its clones).
    pub(crate) calls: Arc<Recorder>,
    /// The shared dev server and worker.
    pub(crate) env: &'static TestEnv,
    /// The task queue the shared worker polls.
    pub(crate) task_queue: String,
    /// The runtime this case runs on.
    pub(crate) runtime: Runtime,
    /// The front the client goes through.
    pub(crate) front: Front,
    clock: Arc<dyn Clock>,
}

impl Ctx {
    async fn new(runtime: Runtime, front: Front) -> TestResult<Ctx> {
        let env = shared_env();
        let options = front.connect_options(env).identity(format!(
            "temporal-lite-suite/{}/{}",
            runtime.name(),
            front.name()
        ));
        let (transport, clock) = runtime.transport(&options)?;
        let calls = Recorder::wrap(transport);
        let client = Client::connect_with(calls.clone(), clock.clone(), options).await?;
        Ok(Ctx {
            client,
            calls,
            env,
            task_queue: env.task_queue().to_string(),
            runtime,
            front,
            clock,
        })
    }

    /// The identity the client reports.
    pub(crate) fn identity(&self) -> &str {
        self.client.identity()
    }

    /// A recorded client of this case's runtime through `address` (a fault proxy in front of
    /// the server), reporting the identity of the case's client.
    pub(crate) async fn connect_through(
        &self,
        address: impl Into<String>,
    ) -> Result<(Client, Arc<Recorder>), Error> {
        let options = ConnectOptions::new(address).identity(self.identity());
        self.runtime.connect_recorded(options).await
    }

    /// A workflow id no other case uses: `what-RUNTIME-FRONT-PID-N-NANOS`.
    pub(crate) fn id(&self, what: &str) -> String {
        unique_id(&format!(
            "{what}-{}-{}",
            self.runtime.name(),
            self.front.name()
        ))
    }

    /// Start options with a fresh id (see [`id`](Self::id)) on the shared task queue.
    pub(crate) fn options(&self, what: &str) -> StartWorkflowOptions {
        StartWorkflowOptions::new(self.id(what), &self.task_queue)
    }

    /// Options that reach the shared server through this case's front.
    pub(crate) fn connect_options(&self) -> ConnectOptions {
        self.front
            .connect_options(self.env)
            .identity(self.identity())
    }

    /// Wait without blocking the runtime.
    pub(crate) async fn sleep(&self, duration: Duration) {
        self.clock.sleep(duration).await;
    }

    /// The keyword search attribute of the suite, registered on the shared server on first use.
    pub(crate) fn suite_keyword(&self) -> TestResult<&'static str> {
        static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
        let registered = REGISTERED.get_or_init(|| {
            let output = self.env.server().cli(&[
                "operator",
                "search-attribute",
                "create",
                "--name",
                SUITE_KEYWORD,
                "--type",
                "Keyword",
            ]);
            if output.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "cannot register search attribute {SUITE_KEYWORD}: {}\n{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ))
            }
        });
        match registered {
            Ok(()) => Ok(SUITE_KEYWORD),
            Err(e) => Err(fail(e.clone())),
        }
    }

    /// Call `probe` until it returns `Some`, every 100 ms for up to `limit` (for what the
    /// server does asynchronously, like visibility).
    pub(crate) async fn eventually<T, F, Fut>(
        &self,
        what: &str,
        limit: Duration,
        mut probe: F,
    ) -> TestResult<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = TestResult<Option<T>>>,
    {
        let started = Instant::now();
        loop {
            if let Some(value) = probe().await? {
                return Ok(value);
            }
            if started.elapsed() > limit {
                return Err(fail(format!("{what}: not so after {limit:?}")));
            }
            self.sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Run `case` on `runtime` through `front`, failing it if it takes longer than
/// [`CASE_TIME_LIMIT`].
pub(crate) fn run<F>(runtime: Runtime, front: Front, name: &str, case: F) -> TestResult
where
    F: for<'a> FnOnce(&'a Ctx) -> Pin<Box<dyn Future<Output = TestResult> + 'a>>,
{
    runtime.block_on(async move {
        let ctx = Ctx::new(runtime, front).await?;
        let started = Instant::now();
        let limit = ctx.clock.sleep(CASE_TIME_LIMIT);
        let outcome = match select(case(&ctx), limit).await {
            Either::Left((outcome, _)) => outcome,
            Either::Right(((), _)) => Err(fail(format!(
                "{name} did not finish within {CASE_TIME_LIMIT:?}"
            ))),
        };
        eprintln!(
            "[{}/{}] {name}: {:.2} s",
            runtime.name(),
            front.name(),
            started.elapsed().as_secs_f64()
        );
        outcome
    })
}

// ---------------------------------------------------------------------------------------
// Helpers

/// The type of `event`.
pub(crate) fn event_type(event: &HistoryEvent) -> EventType {
    EventType::try_from(event.event_type).unwrap_or(EventType::Unspecified)
}

/// The types of `events`, in order.
pub(crate) fn event_types(events: &[HistoryEvent]) -> Vec<EventType> {
    events.iter().map(event_type).collect()
}

/// The attributes of the `WorkflowExecutionStarted` event that opens `events`.
pub(crate) fn started_attributes(
    events: &[HistoryEvent],
) -> TestResult<&WorkflowExecutionStartedEventAttributes> {
    match events.first().and_then(|e| e.attributes.as_ref()) {
        Some(Attributes::WorkflowExecutionStartedEventAttributes(a)) => Ok(a),
        _ => Err(fail(format!(
            "history does not start with WorkflowExecutionStarted: {:?}",
            event_types(events)
        ))),
    }
}

/// The workflow error inside `result`, which must be an [`Error::Workflow`].
#[track_caller]
pub(crate) fn workflow_error<T: fmt::Debug>(result: Result<T, Error>) -> TestResult<WorkflowError> {
    match result {
        Err(Error::Workflow(error)) => Ok(*error),
        other => Err(fail(format!("expected Error::Workflow, got {other:?}"))),
    }
}

/// The failure and retry state of `failure`, which must be [`WorkflowFailure::Failed`].
pub(crate) fn failed(failure: WorkflowFailure) -> TestResult<(Failure, RetryState)> {
    match failure {
        WorkflowFailure::Failed {
            failure,
            retry_state,
        } => Ok((failure, retry_state)),
        other => Err(fail(format!("expected Failed, got {other:?}"))),
    }
}

/// Now, as time since the Unix epoch (how the client reports server times).
pub(crate) fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}
