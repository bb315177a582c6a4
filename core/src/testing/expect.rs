//! Assertions on the errors a test provokes on purpose.

use crate::client::Error;
use crate::grpc::{TransportError, TransportErrorKind};

/// `error` as a call whose deadline ended its last attempt: [`Error::DeadlineExceeded`]
/// after `attempts` attempts, the last cut off by the transport's timeout (no answer in
/// time), with a message that says `within` (such as `"within 3s"`). Returns that
/// transport error, for checks of its own.
///
/// # Panics
///
/// With `error`, when it is anything else.
pub fn expect_attempt_timed_out<'e>(
    error: &'e Error,
    attempts: u32,
    within: &str,
) -> &'e TransportError {
    let Error::DeadlineExceeded {
        attempts: made,
        last_cause: Some(cause),
        message,
    } = error
    else {
        panic!("expected DeadlineExceeded with a cause, got {error:?}");
    };
    assert_eq!(*made, attempts, "attempts of {error:?}");
    assert!(message.contains(within), "{within:?} not in {message:?}");
    match &**cause {
        Error::Transport(timeout) if timeout.kind() == TransportErrorKind::Timeout => timeout,
        other => panic!("expected a transport timeout as the cause, got {other:?}"),
    }
}
