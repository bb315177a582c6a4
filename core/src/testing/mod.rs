//! Test your code that uses the [`Client`](crate::client::Client) without a server (feature
//! `testing`).
//!
//! - [`MockTransport`] takes the place of the network: it answers each call with replies
//!   scripted per method (messages, gRPC statuses with the server's typed details,
//!   transport failures, virtual delays) and records every request with its metadata.
//! - [`ManualClock`] is virtual time: sleeps return at once and move the clock forward, so
//!   retries, backoff and deadlines run without waiting and the test can assert how much
//!   (virtual) time passed.
//! - [`status`] builds the statuses the Temporal server sends (already started, namespace
//!   not found, ...); [`ok_response`] and [`status_response`] build raw responses.
//! - [`block_on`] runs a future that only waits on these two, without a runtime.
//!
//! Everything here is `no_std` + `alloc`, like the rest of the crate. Enable it for your
//! tests only, in `Cargo.toml`:
//!
//! ```toml
//! [dev-dependencies]
//! temporal-lite-core = { version = "0.1", features = ["testing"] }
//! ```
//!
//! # Example: a unit test of your own code
//!
//! Say your application places orders by starting a `ProcessOrder` workflow whose id is
//! derived from the order, and treats a second submission of the same order as a success.
//! This test checks what it sends and how it handles "already started":
//!
//! ```
//! use temporal_lite_core::client::{Client, Error, StartWorkflowOptions};
//! use temporal_lite_core::config::ConnectOptions;
//! use temporal_lite_core::testing::{block_on, status, MockTransport};
//! use temporal_lite_proto::temporal::api::workflowservice::v1::{
//!     StartWorkflowExecutionRequest, StartWorkflowExecutionResponse,
//! };
//!
//! /// The code under test: start the order's workflow; return the run that handles it.
//! async fn place_order(client: &Client, order_id: u32, items: &[&str]) -> Result<String, Error> {
//!     let options = StartWorkflowOptions::new(format!("order-{order_id}"), "orders");
//!     match client.start_workflow("ProcessOrder", (order_id, items), options).await {
//!         Ok(handle) => Ok(handle.first_execution_run_id().unwrap_or_default().to_owned()),
//!         // Placing the same order twice is fine: report the run that already has it.
//!         Err(Error::WorkflowAlreadyStarted { run_id, .. }) => Ok(run_id),
//!         Err(other) => Err(other),
//!     }
//! }
//!
//! // The first start succeeds; every later one finds the workflow running.
//! let mock = MockTransport::new();
//! mock.on("StartWorkflowExecution")
//!     .respond(StartWorkflowExecutionResponse {
//!         run_id: "run-1".into(),
//!         started: true,
//!         ..Default::default()
//!     })
//!     .respond_status(status::already_started("order-42", "run-1"));
//! let client = mock.client(ConnectOptions::new("localhost:7233").namespace("shop"));
//!
//! assert_eq!(block_on(place_order(&client, 42, &["apple", "pear"])).unwrap(), "run-1");
//! assert_eq!(block_on(place_order(&client, 42, &["apple", "pear"])).unwrap(), "run-1");
//!
//! // What was sent: workflow id, type, task queue, namespace and the JSON arguments.
//! let sent = mock.requests_for("StartWorkflowExecution");
//! assert_eq!(sent.len(), 2);
//! assert_eq!(sent[0].header("temporal-namespace"), Some("shop"));
//! let request: StartWorkflowExecutionRequest = sent[0].decode().unwrap();
//! assert_eq!(request.workflow_id, "order-42");
//! assert_eq!(request.workflow_type.unwrap().name, "ProcessOrder");
//! assert_eq!(request.task_queue.unwrap().name, "orders");
//! let input = request.input.unwrap().payloads;
//! assert_eq!(client.decode::<u32>(&input[0]).unwrap(), 42);
//! assert_eq!(client.decode::<Vec<String>>(&input[1]).unwrap(), ["apple", "pear"]);
//! assert_eq!(input[1].data, br#"["apple","pear"]"#);
//! assert!(mock.unused().is_empty());
//! ```
//!
//! # Example: retries and deadlines in virtual time
//!
//! ```
//! use core::time::Duration;
//! use temporal_lite_core::client::{Error, RpcOptions};
//! use temporal_lite_core::config::ConnectOptions;
//! use temporal_lite_core::testing::{block_on, status, MockTransport};
//! use temporal_lite_core::time::Clock;
//! use temporal_lite_proto::temporal::api::workflowservice::v1::GetSystemInfoResponse;
//!
//! let mock = MockTransport::new();
//! mock.on("GetSystemInfo")
//!     .respond_status(status::unavailable("server is starting"))
//!     .times(2)
//!     .respond(GetSystemInfoResponse::default())
//!     .delay(Duration::from_secs(60)); // answers, but only after a minute
//! let rpc = RpcOptions { timeout: Duration::from_secs(5), ..RpcOptions::default() };
//! let client = mock.client(ConnectOptions::new("localhost:7233")).with_rpc_options(rpc);
//!
//! let error = block_on(client.get_system_info()).unwrap_err();
//! // Two quick failures, each followed by a backoff, then an attempt that waits for the
//! // rest of the 5 s deadline and is cut off there. All in virtual time: the test took no
//! // time at all.
//! assert!(matches!(error, Error::DeadlineExceeded { attempts: 3, .. }), "{error}");
//! assert_eq!(mock.requests_for("GetSystemInfo").len(), 3);
//! assert_eq!(mock.clock().sleeps().len(), 2);
//! assert_eq!(mock.clock().now(), Duration::from_secs(5));
//! ```

mod clock;
mod expect;
mod mock;
pub mod status;
mod wire;

#[cfg(test)]
mod tests;

use core::future::{Future, IntoFuture};
use core::pin::pin;
use core::task::{Context, Poll, Waker};

pub use clock::ManualClock;
pub use expect::expect_attempt_timed_out;
pub use mock::{DecodeBodyError, MethodScript, MockTransport, RecordedRequest, Reply};
pub use wire::{ok_response, status_response};

/// How often [`block_on`] polls a pending future before giving up.
const BLOCK_ON_POLLS: usize = 10_000;

/// Run `future` to completion on the current thread, without a runtime.
///
/// Meant for code that waits only on a [`MockTransport`] and an auto-advancing
/// [`ManualClock`], which never leave a future pending. Code that waits on anything else
/// (real I/O, a runtime's timers, a paused clock) needs the runtime's own `block_on`, or
/// [`poll_once`] and [`ManualClock::advance`].
///
/// # Panics
///
/// If the future is still pending after many polls: it waits on something that will not
/// happen by itself.
pub fn block_on<F: IntoFuture>(future: F) -> F::Output {
    let mut future = pin!(future.into_future());
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..BLOCK_ON_POLLS {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!(
        "testing::block_on: the future is still pending after {BLOCK_ON_POLLS} polls; it waits \
         on something other than a MockTransport and an auto-advancing ManualClock (a paused \
         clock needs ManualClock::advance; real I/O needs a runtime)"
    );
}

/// Poll `future` once with a waker that does nothing: `Ready` with its output, or
/// `Pending`. For stepping code that sleeps on a [`ManualClock::paused`] clock:
/// poll, [`advance`](ManualClock::advance) the clock, poll again.
pub fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    let mut cx = Context::from_waker(Waker::noop());
    core::pin::Pin::new(future).poll(&mut cx)
}
