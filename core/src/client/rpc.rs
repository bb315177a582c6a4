//! One call to the WorkflowService (or another service): its deadline, headers, attempts
//! and retries, and the error it ends with. What a call is comes from its call site
//! ([`Call`]).

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use core::sync::atomic::Ordering;
use core::time::Duration;

use prost::Message;

use super::call::{Call, Deadline, Repeat, Wait};
use super::not_found::NotFoundTarget;
use super::retry::{classify_status, Backoff, RetryClass};
use super::{CallOptions, Client, Error, CLIENT_NAME, CLIENT_VERSION};
use crate::config::ApiKey;
use crate::grpc::{self, Code, Metadata, Request, Status, TransportError, TransportErrorKind};
use crate::observe::{CallInfo, CallObserver};

/// Less time than this left before the deadline counts as none: the `grpc-timeout` the
/// client sends has this precision, and an attempt needs at least that long.
const MIN_ATTEMPT: Duration = Duration::from_millis(1);

/// Why one attempt failed.
enum Failure {
    Status(Status),
    Transport(TransportError),
}

impl Failure {
    /// Whether the server may have acted on the request of this attempt.
    fn maybe_processed(&self) -> bool {
        match self {
            Failure::Status(_) => true,
            Failure::Transport(error) => !error.is_unprocessed(),
        }
    }

    /// Whether this failure leaves the outcome open (no answer, or the server's own
    /// timeout), as opposed to a definite answer.
    fn leaves_outcome_open(&self) -> bool {
        match self {
            Failure::Status(status) => status.code == Code::DEADLINE_EXCEEDED,
            Failure::Transport(error) => {
                !error.is_unprocessed()
                    && matches!(
                        error.kind(),
                        TransportErrorKind::Io | TransportErrorKind::Timeout
                    )
            }
        }
    }

    /// This failure as the cause of a final error.
    fn to_error(&self) -> Error {
        match self {
            Failure::Status(status) => Error::from_status(status.clone()),
            Failure::Transport(error) => Error::Transport(error.clone()),
        }
    }

    /// This failure as the error of the call, when it is the call's last word.
    fn into_error(self, attempts: u32) -> Error {
        let error = match self {
            Failure::Status(status) => Error::from_status(status),
            Failure::Transport(error) => Error::from(error),
        };
        match error {
            Error::DeadlineExceeded {
                message,
                last_cause,
                ..
            } => Error::DeadlineExceeded {
                message,
                attempts,
                last_cause,
            },
            other => other,
        }
    }
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Failure::Status(status) => write!(f, "{}: {}", status.code, status.message),
            Failure::Transport(error) => core::fmt::Display::fmt(error, f),
        }
    }
}

/// The attempts of one call so far: what the call's error will say.
#[derive(Clone, Copy)]
struct Tally<'a> {
    call: Call<'a>,
    deadline: Deadline,
    attempts: u32,
    /// Whether some attempt may have been processed by the server.
    maybe_processed: bool,
}

impl Tally<'_> {
    fn is_write(&self) -> bool {
        self.call.repeat != Repeat::Read
    }

    fn request_id(&self) -> Option<String> {
        match self.call.repeat {
            Repeat::RequestId(id) => Some(String::from(id)),
            _ => None,
        }
    }

    fn summary(&self, last: Option<&Failure>) -> String {
        let s = if self.attempts == 1 { "" } else { "s" };
        match last {
            Some(last) => format!("{} attempt{s}; last: {}", self.attempts, last.to_error()),
            None => format!("{} attempt{s}", self.attempts),
        }
    }

    /// The error of a call whose deadline has passed.
    fn expired(&self, last: Option<Failure>) -> Error {
        let limit = self
            .deadline
            .at
            .unwrap_or_default()
            .saturating_sub(self.deadline.started);
        let message = format!(
            "{} did not complete within {limit:?} ({})",
            self.call.method,
            self.summary(last.as_ref())
        );
        let last_cause = last.map(|f| Box::new(f.to_error()));
        if self.is_write() && self.maybe_processed {
            Error::OutcomeUnknown {
                message,
                request_id: self.request_id(),
                attempts: self.attempts,
                last_cause,
            }
        } else {
            Error::DeadlineExceeded {
                message,
                attempts: self.attempts,
                last_cause,
            }
        }
    }

    /// The error of a call that stops on `last`: not retryable, or out of attempts.
    fn stopped(&self, last: Failure, out_of_attempts: bool) -> Error {
        let open = if out_of_attempts {
            self.maybe_processed
        } else {
            last.leaves_outcome_open()
        };
        if !(self.is_write() && open) {
            return last.into_error(self.attempts);
        }
        let why = if out_of_attempts {
            "gave up"
        } else {
            "failed after its request may have reached the server"
        };
        Error::OutcomeUnknown {
            message: format!("{} {why} ({})", self.call.method, self.summary(Some(&last))),
            request_id: self.request_id(),
            attempts: self.attempts,
            last_cause: Some(Box::new(last.to_error())),
        }
    }
}

/// What `call` is about, if its call site said (for a not-found error).
fn not_found_target(call: &Call<'_>) -> Option<NotFoundTarget> {
    let owned = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(String::from);
    if let Some(schedule_id) = call.schedule_id {
        return Some(NotFoundTarget::Schedule {
            schedule_id: String::from(schedule_id),
        });
    }
    let workflow_id = String::from(call.workflow_id?);
    let run_id = owned(call.run_id);
    Some(match call.activity_id {
        Some(activity_id) => NotFoundTarget::Activity {
            workflow_id,
            run_id,
            activity_id: String::from(activity_id),
        },
        None => NotFoundTarget::Workflow {
            workflow_id,
            run_id,
        },
    })
}

/// `duration` rounded up to a whole millisecond: the precision of the `grpc-timeout` the
/// client sends, so that a first attempt (which starts microseconds after its deadline was
/// set) sends the configured value and finds its metadata in the cache.
fn whole_millis(duration: Duration) -> Duration {
    let millis = duration.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

impl Client {
    /// The metadata of one attempt: built once per kind of call and API key, then cloned
    /// (which shares the text rather than copying it). Attempts with another timeout than
    /// the configured ones (retries, calls with a deadline of their own) or with per-call
    /// metadata are built without the cache.
    ///
    /// Fails, before anything is sent, if the options are invalid (see
    /// `ConnectOptions::validate`), e.g. credentials would go over plaintext to a host that
    /// is not loopback.
    fn call_metadata(
        &self,
        namespaced: bool,
        timeout: Duration,
        extra: &Metadata,
    ) -> Result<Metadata, Error> {
        let rpc = &self.settings.rpc;
        let timeout = whole_millis(timeout);
        let key = self.shared.api_key.read().clone();
        let live = self.shared.metadata.read().clone();
        let cacheable =
            extra.is_empty() && (timeout == rpc.timeout || timeout == rpc.long_poll_timeout);
        if !cacheable {
            self.settings.options.validate_with_key(key.as_deref())?;
            self.check_call_metadata(extra)?;
            let mut metadata =
                self.build_call_metadata(namespaced, timeout, key.as_deref(), live.as_deref());
            metadata.extend(extra);
            return Ok(metadata);
        }
        let cache = &self.settings.call_metadata;
        cache.get_or_build(&key, &live, namespaced, timeout, || {
            self.settings.options.validate_with_key(key.as_deref())?;
            let mut metadata =
                self.build_call_metadata(namespaced, timeout, key.as_deref(), live.as_deref());
            metadata.share();
            Ok(metadata)
        })
    }

    fn build_call_metadata(
        &self,
        namespaced: bool,
        timeout: Duration,
        key: Option<&ApiKey>,
        live: Option<&Metadata>,
    ) -> Metadata {
        let options = &self.settings.options;
        let own = live.unwrap_or(&options.metadata);
        let mut metadata = Metadata::with_capacity(own.len() + 5);
        metadata.extend(own);
        metadata.insert_static("client-name", Cow::Borrowed(CLIENT_NAME));
        metadata.insert_static("client-version", Cow::Borrowed(CLIENT_VERSION));
        if namespaced {
            metadata.insert_static("temporal-namespace", Cow::Owned(options.namespace.clone()));
        }
        // The user's own `authorization` header wins over the API key, as in the official
        // clients (sdk-core sets the key's header only when the metadata has none).
        if let Some(key) = key.filter(|_| own.get("authorization").is_none()) {
            metadata.insert_static(
                "authorization",
                Cow::Owned(format!("Bearer {}", key.expose())),
            );
        }
        metadata.insert_static("grpc-timeout", Cow::Owned(grpc::encode_timeout(timeout)));
        metadata
    }

    /// Fail if `extra` (one call's metadata) holds a secret header that would leave in
    /// plaintext for a host that is not loopback (the names and values are checked when set).
    fn check_call_metadata(&self, extra: &Metadata) -> Result<(), Error> {
        let has_secret = extra
            .iter()
            .any(|(name, value)| !value.is_empty() && grpc::is_secret_header(name));
        if has_secret {
            let mut probe = self.settings.options.clone();
            probe.metadata = extra.clone();
            probe.check_plaintext_credentials(false)?;
        }
        Ok(())
    }

    /// The deadline of a call of kind `wait` that starts now with `options`: its own
    /// timeout, else [`RpcOptions::timeout`](super::RpcOptions::timeout) for a normal call
    /// and none for a long poll.
    pub(crate) fn deadline(&self, wait: Wait, options: &CallOptions) -> Deadline {
        let now = self.shared.clock.now();
        let timeout = match (options.timeout, wait) {
            (Some(timeout), _) => Some(timeout),
            (None, Wait::Normal) => Some(self.settings.rpc.timeout),
            (None, Wait::LongPoll) => None,
        };
        Deadline {
            started: now,
            at: timeout.map(|t| now.saturating_add(t)),
        }
    }

    /// Make `call` with `request` and the client's options; decode the answer.
    pub(crate) async fn call<Req, Resp>(&self, call: Call<'_>, request: &Req) -> Result<Resp, Error>
    where
        Req: Message,
        Resp: Message + Default,
    {
        self.call_with(call, request, CallOptions::NONE).await
    }

    /// Make `call` with `request` and this call's `options`.
    pub(crate) async fn call_with<Req, Resp>(
        &self,
        call: Call<'_>,
        request: &Req,
        options: &CallOptions,
    ) -> Result<Resp, Error>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let deadline = self.deadline(call.wait, options);
        self.call_from(call, request, deadline, &options.metadata, deadline.started)
            .await
    }

    /// Make `call` with `request` until `deadline`, with `extra` metadata; for loops of
    /// calls under one deadline (a result's long polls).
    ///
    /// The request is encoded once, so every attempt sends the same bytes (and the same
    /// request id, for requests that have one). Each attempt's `grpc-timeout` and transport
    /// timeout is the time left (for a long poll, at most its per-poll timeout). Retryable
    /// failures are retried with backoff until the deadline; a backoff never sleeps past it.
    pub(crate) async fn call_until<Req, Resp>(
        &self,
        call: Call<'_>,
        request: &Req,
        deadline: Deadline,
        extra: &Metadata,
    ) -> Result<Resp, Error>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let now = self.shared.clock.now();
        self.call_from(call, request, deadline, extra, now).await
    }

    /// [`call_until`](Self::call_until) when the caller has just read the clock (`now`):
    /// saves reading it again for the first attempt. Reports the call (tracing span,
    /// metrics) around [`attempts`](Self::attempts).
    async fn call_from<Req, Resp>(
        &self,
        call: Call<'_>,
        request: &Req,
        deadline: Deadline,
        extra: &Metadata,
        now: Duration,
    ) -> Result<Resp, Error>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let options = &self.settings.options;
        let info = CallInfo {
            service: call.service,
            method: call.method,
            namespace: call.namespaced.then_some(options.namespace.as_str()),
            long_poll: call.wait == Wait::LongPoll,
        };
        let observer = CallObserver::start(
            info,
            options.metrics.as_ref(),
            now,
            deadline.remaining(now),
            call.workflow_id,
        );
        let mut tally = Tally {
            call,
            deadline,
            attempts: 0,
            maybe_processed: false,
        };
        let attempts = self.attempts(request, extra, now, &mut tally, &observer);
        // Entered on each poll only when a subscriber wants the span: without one, the
        // wrapper would cost more than everything else tracing does here.
        #[cfg(feature = "tracing")]
        let result = if observer.span().is_disabled() {
            attempts.await
        } else {
            tracing::Instrument::instrument(attempts, observer.span().clone()).await
        };
        #[cfg(not(feature = "tracing"))]
        let result = attempts.await;
        let end = if observer.needs_end_time() {
            self.shared.clock.now()
        } else {
            now
        };
        observer.finish(&result, tally.attempts, end);
        result.map_err(|error| error.about(|| not_found_target(&call)))
    }

    /// The attempts of the call `tally` counts, from `now`.
    ///
    /// The request is encoded once, so every attempt sends the same bytes (and the same
    /// request id, for requests that have one). Each attempt's `grpc-timeout` and transport
    /// timeout is the time left (for a long poll, at most its per-poll timeout). Retryable
    /// failures are retried with backoff until the deadline; a backoff never sleeps past it.
    async fn attempts<Req, Resp>(
        &self,
        request: &Req,
        extra: &Metadata,
        mut now: Duration,
        tally: &mut Tally<'_>,
        observer: &CallObserver<'_>,
    ) -> Result<Resp, Error>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let call = tally.call;
        let deadline = tally.deadline;
        let rpc = &self.settings.rpc;
        let retry = &rpc.retry;
        let body = grpc::encode_message(request);
        let clock = &self.shared.clock;
        let mut backoff = Backoff::new(retry);
        let mut last: Option<Failure> = None;
        loop {
            let remaining = deadline.remaining(now);
            if remaining.is_some_and(|r| r < MIN_ATTEMPT) {
                return Err(tally.expired(last));
            }
            let timeout = match call.wait {
                Wait::Normal => remaining.unwrap_or(rpc.timeout),
                Wait::LongPoll => {
                    remaining.map_or(rpc.long_poll_timeout, |r| r.min(rpc.long_poll_timeout))
                }
            };
            tally.attempts += 1;
            observer.attempt(tally.attempts, timeout);
            // Built per attempt (rather than cloned from a kept copy); exactly sized, as the
            // transport takes the bytes over as they are.
            let prefix = call.service.path_prefix();
            let mut path = String::with_capacity(prefix.len() + call.method.len());
            path.push_str(prefix);
            path.push_str(call.method);
            let request = Request {
                path,
                metadata: self.call_metadata(call.namespaced, timeout, extra)?,
                body: body.clone(),
                timeout: Some(timeout),
                receive_limit: rpc.receive_limit,
            };
            let failure = match self.shared.transport.unary(request).await {
                Ok(response) => {
                    self.note_reached();
                    match grpc::decode_unary_response(&response, rpc.receive_limit) {
                        Ok(message) => {
                            return Resp::decode(message).map_err(|e| {
                                Error::protocol(format!(
                                    "{}: the response is not valid: {e}",
                                    call.method
                                ))
                            })
                        }
                        Err(status) => Failure::Status(status),
                    }
                }
                Err(error) => Failure::Transport(error),
            };
            now = clock.now();
            tally.maybe_processed |= failure.maybe_processed();
            let Some(class) = self.retry_class(&call, &failure, now) else {
                return Err(tally.stopped(failure, false));
            };
            let remaining = deadline.remaining(now);
            if remaining.is_some_and(|r| r < MIN_ATTEMPT) {
                return Err(tally.expired(Some(failure)));
            }
            if !retry.allows_another(tally.attempts) {
                return Err(tally.stopped(failure, true));
            }
            let mut delay = backoff.next(retry, class, self.random_unit());
            if let Some(remaining) = remaining {
                delay = delay.min(remaining);
            }
            if call.wait == Wait::LongPoll && failure.leaves_outcome_open() {
                observer.repoll(tally.attempts, delay);
            } else {
                observer.retry(tally.attempts, delay, &failure);
            }
            last = Some(failure);
            clock.sleep(delay).await;
            now = clock.now();
        }
    }

    /// Whether `failure` of an attempt of `call` may be retried, and with which backoff.
    fn retry_class(&self, call: &Call<'_>, failure: &Failure, now: Duration) -> Option<RetryClass> {
        match failure {
            // The server's own timeout of a poll, or of an internal step before the
            // client's deadline: a read or a write with a request id may try again.
            Failure::Status(status) if status.code == Code::DEADLINE_EXCEEDED => {
                (call.repeat != Repeat::Once).then_some(RetryClass::Normal)
            }
            Failure::Status(_) if call.repeat == Repeat::Once => None,
            Failure::Status(status) => classify_status(status),
            Failure::Transport(error) => {
                let kind = error.kind();
                if matches!(kind, TransportErrorKind::Connect | TransportErrorKind::Tls)
                    && self.first_connect_fails(now)
                {
                    return None;
                }
                let transient = matches!(
                    kind,
                    TransportErrorKind::Connect
                        | TransportErrorKind::Tls
                        | TransportErrorKind::Io
                        | TransportErrorKind::Timeout
                );
                let safe = call.repeat != Repeat::Once || error.is_unprocessed();
                (transient && safe).then_some(RetryClass::Normal)
            }
        }
    }

    /// Record that the server answered a call.
    fn note_reached(&self) {
        // Read first: after the first answer this is a shared read, never a write.
        if !self.shared.reached.load(Ordering::Relaxed) {
            self.shared.reached.store(true, Ordering::Relaxed);
        }
    }

    /// Whether a failure to connect (refused, unknown host, TLS rejected, no answer within
    /// the connect timeout) is final at `now`: until the client has had an answer from the
    /// server, such a failure means misconfiguration, unless the options ask to wait for
    /// the server and that wait, counted from the first such failure, is not over.
    fn first_connect_fails(&self, now: Duration) -> bool {
        if self.shared.reached.load(Ordering::Relaxed) {
            return false;
        }
        let Some(wait) = self.settings.options.wait_for_server else {
            return true;
        };
        let mut first = self.shared.first_connect_failure.lock();
        let since = *first.get_or_insert(now);
        now.saturating_sub(since) >= wait
    }
}
