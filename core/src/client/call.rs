//! How a call site declares a gRPC call: [`Call`] says what the call is (which method,
//! whether the server holds it as a long poll, whether it may be repeated), [`CallOptions`](super::CallOptions)
//! what this one call asks for (a deadline, extra metadata).
//!
//! Every call to the WorkflowService goes through [`Client::call`](super::Client::call)
//! (or `call_with`, `call_until`) with one of these, and the client derives everything
//! else from it: the deadline and each attempt's `grpc-timeout`, which failures are
//! retried, and what error a call that ran out of time ends with.
//!
//! | declared as | examples | retried on | at the deadline, after it may have reached the server |
//! |---|---|---|---|
//! | [`Call::read`] | describe, query, list, count, history page, describe schedule | every transient failure | [`Error::DeadlineExceeded`] |
//! | [`Call::repeatable`] | activity heartbeat | every transient failure | [`Error::DeadlineExceeded`] |
//! | [`Call::idempotent`] | start, signal-with-start, signal, cancel, create / update / patch schedule (each carries a request id) | every transient failure, with the same request id | [`Error::OutcomeUnknown`] with the request id |
//! | [`Call::non_idempotent`] | terminate, delete schedule, complete / fail / cancel an activity | only failures where the server certainly did not process it | [`Error::OutcomeUnknown`] without an id |
//! | [`Call::long_poll`] | history with `wait_new_event`, update outcomes | every transient failure and a poll's own timeout, until the caller's deadline (none by default) | [`Error::DeadlineExceeded`] |
//! | `Call::idempotent(..).held()` | update, update-with-start (update id, start request id) | as `idempotent`, each attempt held like a long poll, no deadline of its own | [`Error::OutcomeUnknown`] with the id |
//!
//! Add `.global()` for the few calls that are not namespaced (`GetSystemInfo`), and
//! `.held()` for a write the server holds like a long poll (an update waiting for its
//! stage).
//!
//! [`Error::DeadlineExceeded`]: super::Error::DeadlineExceeded
//! [`Error::OutcomeUnknown`]: super::Error::OutcomeUnknown

use core::time::Duration;

use crate::grpc::Service;

/// What a call is, as its call site declares it. See the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Call<'a> {
    /// The gRPC service, [`Service::Workflow`] unless [`on`](Self::on) says otherwise.
    pub(crate) service: Service,
    /// The method, e.g. `"StartWorkflowExecution"`.
    pub(crate) method: &'a str,
    /// Whether the server holds the call open (long poll).
    pub(crate) wait: Wait,
    /// Whether, and how, the call may be sent again.
    pub(crate) repeat: Repeat<'a>,
    /// Whether the call carries the `temporal-namespace` header.
    pub(crate) namespaced: bool,
    /// The workflow the call is about, if one (for its tracing span and a not-found error).
    pub(crate) workflow_id: Option<&'a str>,
    /// The run of that workflow the call names, if one (for a not-found error).
    pub(crate) run_id: Option<&'a str>,
    /// The activity the call is about, if named by id (for a not-found error).
    pub(crate) activity_id: Option<&'a str>,
    /// The schedule the call is about, if one (for a not-found error).
    pub(crate) schedule_id: Option<&'a str>,
}

/// How long the server may hold a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Answered at once: one deadline for the whole call ([`RpcOptions::timeout`] unless the
    /// call sets its own), every attempt's `grpc-timeout` the time left.
    ///
    /// [`RpcOptions::timeout`]: super::RpcOptions::timeout
    Normal,
    /// Held by the server until something happens: each poll has its own timeout
    /// ([`RpcOptions::long_poll_timeout`], or less when the caller's deadline is nearer),
    /// and the call is repeated until the caller's deadline, or forever without one.
    ///
    /// [`RpcOptions::long_poll_timeout`]: super::RpcOptions::long_poll_timeout
    LongPoll,
}

/// Whether a call may be sent again after a failure that leaves its outcome open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat<'a> {
    /// A read: repeating it changes nothing on the server.
    Read,
    /// A write the server de-duplicates by this request id (or update id): repeating it
    /// with the same bytes applies it once. The id is reported when the outcome is unknown.
    RequestId(&'a str),
    /// A write without a request id: sent again only when the server certainly did not
    /// process it ([`TransportError::is_unprocessed`](crate::grpc::TransportError::is_unprocessed)).
    Once,
}

impl<'a> Call<'a> {
    const fn new(method: &'a str, wait: Wait, repeat: Repeat<'a>) -> Self {
        Self {
            service: Service::Workflow,
            method,
            wait,
            repeat,
            namespaced: true,
            workflow_id: None,
            run_id: None,
            activity_id: None,
            schedule_id: None,
        }
    }

    /// A call that only reads: retried on every transient failure.
    pub(crate) const fn read(method: &'a str) -> Self {
        Self::new(method, Wait::Normal, Repeat::Read)
    }

    /// A write that repeating changes nothing more (an activity heartbeat): retried on every
    /// transient failure, like a read.
    pub(crate) const fn repeatable(method: &'a str) -> Self {
        Self::new(method, Wait::Normal, Repeat::Read)
    }

    /// A write that carries `request_id` (start, signal, cancel, ...): retried on every
    /// transient failure with the same bytes, so the server applies it once; a call that
    /// runs out of time after it may have reached the server ends in
    /// [`Error::OutcomeUnknown`](super::Error::OutcomeUnknown) with this id.
    pub(crate) const fn idempotent(method: &'a str, request_id: &'a str) -> Self {
        Self::new(method, Wait::Normal, Repeat::RequestId(request_id))
    }

    /// A write without a request id (terminate, ...): sent again only when the server
    /// certainly did not process it; when it may have, the call ends in
    /// [`Error::OutcomeUnknown`](super::Error::OutcomeUnknown) without an id.
    pub(crate) const fn non_idempotent(method: &'a str) -> Self {
        Self::new(method, Wait::Normal, Repeat::Once)
    }

    /// A long poll (a read the server holds until there is news): see [`Wait::LongPoll`].
    pub(crate) const fn long_poll(method: &'a str) -> Self {
        Self::new(method, Wait::LongPoll, Repeat::Read)
    }

    /// The same call on another gRPC service.
    pub(crate) const fn on(mut self, service: Service) -> Self {
        self.service = service;
        self
    }

    /// The same call without the `temporal-namespace` header.
    pub(crate) const fn global(mut self) -> Self {
        self.namespaced = false;
        self
    }

    /// The same call, about workflow `workflow_id` (shown in its tracing span).
    pub(crate) const fn workflow(mut self, workflow_id: &'a str) -> Self {
        self.workflow_id = Some(workflow_id);
        self
    }

    /// The same call, about run `run_id` of its workflow (`None` or empty: the latest).
    pub(crate) const fn run(mut self, run_id: Option<&'a str>) -> Self {
        self.run_id = run_id;
        self
    }

    /// The same call, about activity `activity_id` of its workflow.
    pub(crate) const fn activity(mut self, activity_id: &'a str) -> Self {
        self.activity_id = Some(activity_id);
        self
    }

    /// The same call, about schedule `schedule_id`.
    pub(crate) const fn schedule(mut self, schedule_id: &'a str) -> Self {
        self.schedule_id = Some(schedule_id);
        self
    }

    /// The same call, held by the server like a long poll (see [`Wait::LongPoll`]): e.g.
    /// `Call::idempotent("UpdateWorkflowExecution", &update_id).held()`, which waits for the
    /// update's stage with no deadline of its own and is repeated with the same id.
    pub(crate) const fn held(mut self) -> Self {
        self.wait = Wait::LongPoll;
        self
    }
}

/// When a call must be over: a time on the client's clock, or never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Deadline {
    /// When the call started (for messages).
    pub(crate) started: Duration,
    /// When it must end; `None`: no deadline (a long poll without one).
    pub(crate) at: Option<Duration>,
}

impl Deadline {
    /// The time left at `now`; `None` without a deadline.
    pub(crate) fn remaining(&self, now: Duration) -> Option<Duration> {
        self.at.map(|at| at.saturating_sub(now))
    }
}
