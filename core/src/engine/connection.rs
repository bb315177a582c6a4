//! The connection state machine: one live HTTP/2 connection shared by every call, opened
//! on demand by a connect task of its own whose outcome every waiting call shares.
//!
//! A call that needs a connection while none is usable starts a connect attempt (at most
//! one runs at a time) and waits for its outcome. The attempt runs on a task spawned on the
//! runtime, not inside the call: a call that gives up (its deadline passed, or it was
//! dropped) stops waiting, but the attempt goes on for the next calls. So a call whose
//! deadline is shorter than the TCP + TLS + HTTP/2 setup cannot keep a client from ever
//! connecting.

use std::boxed::Box;
use std::string::String;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::vec::Vec;

use super::conn::Conn;
use super::handshake::Dial;
use crate::grpc::{TransportError, TransportErrorKind};

/// Hands out the live connection, connecting when there is none.
pub(super) struct Connector {
    dial: Dial,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    conn: Option<Conn>,
    /// The connect attempt running now, if any; `attempts` numbers them.
    connecting: Option<u64>,
    attempts: u64,
    /// Calls waiting for the running attempt.
    waiters: Vec<Waker>,
    /// The error of the last failed attempt, for the calls that waited for it.
    failure: Option<(u64, TransportError)>,
    closed: bool,
}

impl Connector {
    pub(super) fn new(dial: Dial) -> Arc<Self> {
        Arc::new(Self {
            dial,
            state: Mutex::new(State::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent across a panic in another call: keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A live connection: the current one, or the outcome of the connect attempt running
    /// now (started here if none is). Fails with the attempt's error, which is always
    /// [unprocessed](TransportError::is_unprocessed): nothing was sent.
    pub(super) async fn connection(self: &Arc<Self>) -> Result<Conn, TransportError> {
        loop {
            let (attempt, start) = {
                let mut state = self.lock();
                if state.closed {
                    return Err(closed_error());
                }
                if let Some(conn) = &state.conn {
                    if conn.usable() {
                        return Ok(conn.clone());
                    }
                    state.conn = None;
                }
                match state.connecting {
                    Some(attempt) => (attempt, false),
                    None => {
                        state.attempts += 1;
                        state.connecting = Some(state.attempts);
                        (state.attempts, true)
                    }
                }
            };
            if start {
                // Outside the lock: a runtime may run the task before `spawn` returns.
                self.start(attempt);
            }
            std::future::poll_fn(|cx| {
                let mut state = self.lock();
                if state.connecting == Some(attempt) && !state.closed {
                    if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                        state.waiters.push(cx.waker().clone());
                    }
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            let state = self.lock();
            if let Some((failed, error)) = &state.failure {
                if *failed == attempt {
                    return Err(error.clone());
                }
            }
            // Connected (or closed): look again.
        }
    }

    /// Run connect attempt `attempt` on a task of its own.
    fn start(self: &Arc<Self>, attempt: u64) {
        let guard = Publish {
            connector: self.clone(),
            attempt,
            done: false,
        };
        self.dial.runtime.spawn(Box::pin(async move {
            let mut guard = guard;
            let dial = &guard.connector.dial;
            let started = dial.runtime.now();
            let outcome = dial.open().await;
            match &outcome {
                Ok(_) => dial
                    .observer
                    .connected(attempt, dial.runtime.now().saturating_sub(started)),
                Err(error) => dial.observer.connect_failed(attempt, error),
            }
            guard.done = true;
            guard.connector.finish(attempt, outcome);
        }));
    }

    /// Publish the outcome of attempt `attempt` to the calls waiting for it.
    fn finish(&self, attempt: u64, outcome: Result<Conn, TransportError>) {
        let waiters = {
            let mut state = self.lock();
            if state.connecting == Some(attempt) {
                state.connecting = None;
            }
            match outcome {
                // A connection made after `close` is dropped at once.
                Ok(_) if state.closed => {}
                Ok(conn) => {
                    state.failure = None;
                    state.conn = Some(conn);
                }
                Err(error) => state.failure = Some((attempt, error.unprocessed())),
            }
            std::mem::take(&mut state.waiters)
        };
        waiters.into_iter().for_each(Waker::wake);
    }

    /// Where this connector reports.
    pub(super) fn observer(&self) -> &super::observe::ConnObserver {
        &self.dial.observer
    }

    /// Refuse every later call; calls in flight finish on the old connection.
    pub(super) fn close(&self) {
        let waiters = {
            let mut state = self.lock();
            state.closed = true;
            state.conn = None;
            std::mem::take(&mut state.waiters)
        };
        waiters.into_iter().for_each(Waker::wake);
    }
}

/// Publishes a connect attempt's failure if its task is dropped before it finished (the
/// runtime shutting down), so that the calls waiting for it do not wait forever.
struct Publish {
    connector: Arc<Connector>,
    attempt: u64,
    done: bool,
}

impl Drop for Publish {
    fn drop(&mut self) {
        if !self.done {
            let error = TransportError::new(
                TransportErrorKind::Connect,
                String::from(
                    "the connect task was stopped before it finished (is the runtime shutting \
                     down?)",
                ),
            );
            self.connector.finish(self.attempt, Err(error));
        }
    }
}

pub(super) fn closed_error() -> TransportError {
    TransportError::new(TransportErrorKind::Closed, "the transport was closed")
}
