//! [`MockTransport`]: scripted replies, recorded requests, virtual delays.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use bytes::Bytes;
use core::fmt;
use core::time::Duration;

use async_trait::async_trait;

use super::clock::ManualClock;
use super::wire::{ok_response, status_response, unimplemented};
use crate::client::Client;
use crate::config::ConnectOptions;
use crate::grpc::{
    FrameDecoder, Metadata, Request, Response, Status, Transport, TransportError,
    TransportErrorKind,
};
use crate::time::Clock;

/// An in-memory [`Transport`]: answers each call with a reply scripted for its method and
/// records every request.
///
/// Plug it into a [`Client`] in place of the network ([`client`](Self::client) does that,
/// with the mock's [`ManualClock`]). Script replies per method with [`on`](Self::on); read
/// what the client sent with [`requests`](Self::requests) and
/// [`requests_for`](Self::requests_for).
///
/// # Replies
///
/// Each method has a queue of replies, used in order. A reply is used once, or `n` times
/// with [`times`](MethodScript::times); the **last** reply of a queue keeps answering unless
/// it was given a count. A call with nothing (left) to answer it gets an `UNIMPLEMENTED`
/// status whose message names the method and the methods that are scripted; the client
/// does not retry that, so the test fails with a readable error.
///
/// # Time
///
/// A reply may take virtual time ([`delay`](MethodScript::delay)). The delay runs on the
/// mock's clock and honours the request's timeout the way a network transport does: a
/// delay longer than [`Request::timeout`] ends, after the timeout, in a
/// [`TransportErrorKind::Timeout`] error. With the default auto-advancing clock no test ever
/// waits in real time.
///
/// Cloning gives another handle to the same script, records and clock.
#[derive(Clone, Default)]
pub struct MockTransport {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    clock: Arc<ManualClock>,
    scripts: spin::Mutex<Scripts>,
    requests: spin::Mutex<Vec<RecordedRequest>>,
}

#[derive(Default)]
struct Scripts {
    methods: Vec<Script>,
    next_step: u64,
}

/// The replies of one method.
struct Script {
    /// What [`MockTransport::on`] was given.
    method: String,
    steps: VecDeque<Step>,
    /// Replies handed out so far.
    used: usize,
}

struct Step {
    id: u64,
    action: Action,
    delay: Duration,
    /// `None`: once if another reply follows, else for every remaining call.
    times: Option<u32>,
    used: u32,
}

#[derive(Clone)]
enum Action {
    Reply(Reply),
    With(Arc<dyn Fn(&RecordedRequest) -> Reply + Send + Sync>),
}

/// What a scripted call returns: a response (a message or a status) or a transport error.
///
/// [`MethodScript`] builds these for you; make them yourself for
/// [`respond_with`](MethodScript::respond_with).
#[derive(Clone, Debug)]
pub struct Reply {
    result: Result<Response, TransportError>,
}

impl Reply {
    /// An OK response carrying `message`.
    pub fn message<M: prost::Message>(message: &M) -> Self {
        Self::raw(ok_response(message))
    }

    /// An error response carrying `status` (see [`status`](super::status) for statuses with
    /// the details the server attaches).
    pub fn status(status: Status) -> Self {
        Self::raw(status_response(&status))
    }

    /// This exact response, e.g. an HTTP 502 page from a proxy.
    pub fn raw(response: Response) -> Self {
        Self {
            result: Ok(response),
        }
    }

    /// A transport failure: no response was obtained.
    pub fn fail(error: TransportError) -> Self {
        Self { result: Err(error) }
    }
}

/// Builds the replies of one method; returned by [`MockTransport::on`].
///
/// Reply methods append a reply to the method's queue at once; [`delay`](Self::delay) and
/// [`times`](Self::times) modify the reply added last. Chain them, and drop the builder
/// when done:
///
/// ```
/// # use core::time::Duration;
/// # use temporal_lite_core::testing::{status, MockTransport};
/// # use temporal_lite_proto::temporal::api::workflowservice::v1::GetSystemInfoResponse;
/// let mock = MockTransport::new();
/// mock.on("GetSystemInfo")
///     .respond_status(status::unavailable("restarting"))
///     .times(2)
///     .respond(GetSystemInfoResponse::default())
///     .delay(Duration::from_millis(30));
/// ```
///
/// # Panics
///
/// `delay` and `times` panic when no reply was added by this builder yet, or when that
/// reply has been used up already: both are mistakes in the test.
pub struct MethodScript {
    transport: MockTransport,
    index: usize,
    last: Option<u64>,
}

impl MethodScript {
    fn push(mut self, action: Action) -> Self {
        let mut scripts = self.transport.shared.scripts.lock();
        scripts.next_step += 1;
        let id = scripts.next_step;
        scripts.methods[self.index].steps.push_back(Step {
            id,
            action,
            delay: Duration::ZERO,
            times: None,
            used: 0,
        });
        drop(scripts);
        self.last = Some(id);
        self
    }

    fn modify_last(self, what: &str, change: impl FnOnce(&mut Script, usize)) -> Self {
        let Some(id) = self.last else {
            panic!("MethodScript::{what} modifies the reply added last, but none was added yet: call respond, respond_status, respond_raw, respond_with or fail first");
        };
        let mut scripts = self.transport.shared.scripts.lock();
        let script = &mut scripts.methods[self.index];
        let Some(position) = script.steps.iter().position(|s| s.id == id) else {
            panic!(
                "MethodScript::{what}: the last reply scripted for `{}` was already used",
                script.method
            );
        };
        change(script, position);
        drop(scripts);
        self
    }

    /// Reply with an OK response carrying `message`.
    pub fn respond<M: prost::Message>(self, message: M) -> Self {
        self.push(Action::Reply(Reply::message(&message)))
    }

    /// Reply with an error `status`, sent Trailers-Only as a server does (with its details,
    /// if any, in `grpc-status-details-bin`). See [`status`](super::status) for the statuses
    /// the Temporal server sends.
    pub fn respond_status(self, status: Status) -> Self {
        self.push(Action::Reply(Reply::status(status)))
    }

    /// Reply with this exact raw response (e.g. an HTTP error page from a proxy).
    pub fn respond_raw(self, response: Response) -> Self {
        self.push(Action::Reply(Reply::raw(response)))
    }

    /// Fail the call below gRPC with `error`, e.g.
    /// `TransportError::new(TransportErrorKind::Connect, "connection refused")`.
    pub fn fail(self, error: TransportError) -> Self {
        self.push(Action::Reply(Reply::fail(error)))
    }

    /// Reply with what `reply` makes of the request (called once per call this reply
    /// answers), e.g. to echo a field of the request back.
    pub fn respond_with<F>(self, reply: F) -> Self
    where
        F: Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
    {
        self.push(Action::With(Arc::new(reply)))
    }

    /// Make the reply added last take `delay` of virtual time. A delay longer than the
    /// request's timeout ends in a [`TransportErrorKind::Timeout`] error once the timeout
    /// has passed, and the reply counts as used.
    pub fn delay(self, delay: Duration) -> Self {
        self.modify_last("delay", |script, i| script.steps[i].delay = delay)
    }

    /// Use the reply added last for exactly `n` calls (then the next reply, or, if it was
    /// the last, `UNIMPLEMENTED`). `times(0)` removes it.
    pub fn times(self, n: u32) -> Self {
        self.modify_last("times", |script, i| {
            if n == 0 {
                script.steps.remove(i);
            } else {
                script.steps[i].times = Some(n);
            }
        })
    }
}

/// A request the client sent, as the transport received it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The HTTP/2 `:path`, e.g.
    /// `/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution`.
    pub path: String,
    /// The request metadata (`temporal-namespace`, `authorization`, `grpc-timeout`, ...).
    pub metadata: Metadata,
    /// The body: one length-prefixed gRPC message. See [`decode`](Self::decode).
    pub body: Bytes,
    /// The timeout the client gave the exchange.
    pub timeout: Option<Duration>,
    /// The largest response the client would accept, in bytes.
    pub receive_limit: usize,
    /// The virtual time ([`Clock::now`] of the mock's clock) at which the request arrived.
    pub at: Duration,
}

impl RecordedRequest {
    /// The method name: the last segment of the path, e.g. `StartWorkflowExecution`.
    pub fn method(&self) -> &str {
        method_of(&self.path)
    }

    /// The first value of metadata entry `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.metadata.get(name)
    }

    /// The encoded message in the body, without its gRPC frame prefix.
    pub fn message_bytes(&self) -> Result<Bytes, DecodeBodyError> {
        let error = |reason: String| DecodeBodyError {
            message: format!("request to {}: {reason}", self.path),
        };
        let mut decoder = FrameDecoder::new(usize::MAX);
        decoder
            .push(&self.body)
            .map_err(|e| error(format!("{e}")))?;
        let message = decoder
            .next_message()
            .map_err(|e| error(format!("{e}")))?
            .ok_or_else(|| error(String::from("the body holds no complete message")))?;
        decoder.finish().map_err(|e| error(format!("{e}")))?;
        if decoder.next_message().ok().flatten().is_some() {
            return Err(error(String::from("the body holds more than one message")));
        }
        Ok(message)
    }

    /// Decode the body as an `M`, e.g. `recorded.decode::<StartWorkflowExecutionRequest>()`.
    pub fn decode<M: prost::Message + Default>(&self) -> Result<M, DecodeBodyError> {
        let bytes = self.message_bytes()?;
        M::decode(bytes).map_err(|e| DecodeBodyError {
            message: format!(
                "request to {}: the body is not a valid {}: {e}",
                self.path,
                core::any::type_name::<M>()
            ),
        })
    }
}

/// A recorded request body could not be decoded as the message type asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeBodyError {
    message: String,
}

impl fmt::Display for DecodeBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for DecodeBodyError {}

/// The method part of a path or a method name: what follows the last `/`.
fn method_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether a script set up with `on(pattern)` answers a request to `path`: a bare method
/// name matches the last segment, anything with a `/` the whole path.
fn matches(pattern: &str, path: &str) -> bool {
    if pattern.contains('/') {
        pattern.trim_start_matches('/') == path.trim_start_matches('/')
    } else {
        pattern == method_of(path)
    }
}

impl MockTransport {
    /// A transport with nothing scripted, on a new auto-advancing [`ManualClock`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A transport whose delays run on `clock` (e.g. a [`ManualClock::paused`] one).
    pub fn with_clock(clock: Arc<ManualClock>) -> Self {
        Self {
            shared: Arc::new(Shared {
                clock,
                scripts: spin::Mutex::default(),
                requests: spin::Mutex::default(),
            }),
        }
    }

    /// The clock delays run on. Give it to the code under test as its [`Clock`], so that
    /// backoff and deadlines happen in the same virtual time.
    pub fn clock(&self) -> Arc<ManualClock> {
        self.shared.clock.clone()
    }

    /// A [`Client`] that calls through this transport and reads time from
    /// [`clock`](Self::clock). No call is made.
    pub fn client(&self, options: ConnectOptions) -> Client {
        Client::new(Arc::new(self.clone()), self.clock(), options)
    }

    /// Script replies for `method`: a method name such as `"StartWorkflowExecution"`
    /// (matching any service) or a full path such as
    /// `"/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"`.
    ///
    /// Calling `on` again with the same name adds to the same queue. When several scripts
    /// match a call, the one set up first answers.
    pub fn on(&self, method: &str) -> MethodScript {
        let mut scripts = self.shared.scripts.lock();
        let index = match scripts.methods.iter().position(|s| s.method == method) {
            Some(index) => index,
            None => {
                scripts.methods.push(Script {
                    method: String::from(method),
                    steps: VecDeque::new(),
                    used: 0,
                });
                scripts.methods.len() - 1
            }
        };
        drop(scripts);
        MethodScript {
            transport: self.clone(),
            index,
            last: None,
        }
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().clone()
    }

    /// The requests received so far for `method` (a name or a full path, as for
    /// [`on`](Self::on)), in arrival order.
    pub fn requests_for(&self, method: &str) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .iter()
            .filter(|r| matches(method, &r.path))
            .cloned()
            .collect()
    }

    /// Forget the requests recorded so far (the script is kept).
    pub fn clear_requests(&self) {
        self.shared.requests.lock().clear();
    }

    /// The scripted replies that no call has used yet, one line per method, e.g.
    /// `"StartWorkflowExecution: 2 replies never used"`. A last reply without a count that
    /// has answered at least once is not listed. Empty when the script was played out.
    pub fn unused(&self) -> Vec<String> {
        let scripts = self.shared.scripts.lock();
        scripts
            .methods
            .iter()
            .filter_map(|script| {
                let count: u64 = script
                    .steps
                    .iter()
                    .map(|s| match s.times {
                        Some(n) => u64::from(n.saturating_sub(s.used)),
                        None if s.used == 0 => 1,
                        None => 0,
                    })
                    .sum();
                let s = if count == 1 { "y" } else { "ies" };
                (count > 0).then(|| format!("{}: {count} repl{s} never used", script.method))
            })
            .collect()
    }

    /// Pick the reply for a call to `path`, consuming it as the script says.
    fn next_step(&self, path: &str) -> Result<(Action, Duration), String> {
        let mut scripts = self.shared.scripts.lock();
        let Some(script) = scripts
            .methods
            .iter_mut()
            .find(|s| matches(&s.method, path))
        else {
            let scripted: Vec<&str> = scripts.methods.iter().map(|s| s.method.as_str()).collect();
            let method = method_of(path);
            return Err(format!(
                "MockTransport: no reply scripted for {method} (path {path}); scripted: [{}]. \
                 Script one with mock.on(\"{method}\")",
                scripted.join(", ")
            ));
        };
        let single = script.steps.len() == 1;
        let Some(step) = script.steps.front_mut() else {
            return Err(format!(
                "MockTransport: unexpected call {} to {}: all {} scripted replies were used",
                script.used + 1,
                script.method,
                script.used
            ));
        };
        step.used += 1;
        let picked = (step.action.clone(), step.delay);
        let done = match step.times {
            Some(n) => step.used >= n,
            None => !single,
        };
        if done {
            script.steps.pop_front();
        }
        script.used += 1;
        Ok(picked)
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scripts = self.shared.scripts.lock();
        let methods: Vec<&str> = scripts.methods.iter().map(|s| s.method.as_str()).collect();
        f.debug_struct("MockTransport")
            .field("scripted", &methods)
            .field("requests", &self.shared.requests.lock().len())
            .field("now", &self.shared.clock.now())
            .finish()
    }
}

#[async_trait]
impl Transport for MockTransport {
    async fn unary(&self, request: Request) -> Result<Response, TransportError> {
        let recorded = RecordedRequest {
            path: request.path,
            metadata: request.metadata,
            body: request.body,
            timeout: request.timeout,
            receive_limit: request.receive_limit,
            at: self.shared.clock.now(),
        };
        self.shared.requests.lock().push(recorded.clone());
        let (action, delay) = match self.next_step(&recorded.path) {
            Ok(picked) => picked,
            Err(message) => return Ok(unimplemented(message)),
        };
        // The scripts lock is released: a reply function may use the mock.
        let reply = match action {
            Action::Reply(reply) => reply,
            Action::With(make) => make(&recorded),
        };
        if !delay.is_zero() {
            match recorded.timeout {
                Some(timeout) if delay > timeout => {
                    self.shared.clock.pass(timeout).await;
                    return Err(TransportError::new(
                        TransportErrorKind::Timeout,
                        format!(
                            "{} did not complete within its timeout of {timeout:?} \
                             (MockTransport: the scripted reply takes {delay:?})",
                            recorded.method(),
                        ),
                    ));
                }
                _ => self.shared.clock.pass(delay).await,
            }
        }
        let response = reply.result?;
        if response.body.len() > recorded.receive_limit {
            return Err(TransportError::new(
                TransportErrorKind::ResponseTooLarge,
                format!(
                    "the response to {} has {} bytes, over the receive limit of {} bytes",
                    recorded.method(),
                    response.body.len(),
                    recorded.receive_limit
                ),
            ));
        }
        Ok(response)
    }
}
