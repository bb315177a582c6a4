//! [`CallFuture`]: what every call of the client returns, so that one call can carry its
//! own deadline and metadata (Python's `rpc_timeout` and `rpc_metadata`), at no cost to
//! calls that set none: no allocation, the call's future is the `async` body itself.

use alloc::format;
use alloc::string::String;
use core::fmt;
use core::future::{Future, IntoFuture};
use core::time::Duration;

use super::Error;
use crate::grpc::{self, Metadata};

/// What one call asks for beyond the client's [`RpcOptions`](super::RpcOptions): set with
/// [`CallFuture::timeout`] and [`CallFuture::metadata`], or all at once with
/// [`CallFuture::options`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// This call's deadline, counted from its start: replaces
    /// [`RpcOptions::timeout`](super::RpcOptions::timeout) for a normal call, and bounds a
    /// long poll (which otherwise has no deadline).
    pub(crate) timeout: Option<Duration>,
    /// Metadata sent with this call only, after the client's.
    pub(crate) metadata: Metadata,
}

impl CallOptions {
    /// The options of a call that asks for nothing special.
    pub(crate) const NONE: &'static CallOptions = &CallOptions {
        timeout: None,
        metadata: Metadata::new(),
    };

    /// No deadline of its own, no metadata.
    pub fn new() -> Self {
        Self::default()
    }

    /// See [`CallFuture::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Header `name: value`, unchecked until the options are given to a call (see
    /// [`CallFuture::metadata`]).
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.append(name, value);
        self
    }

    /// The first header that cannot be sent, as an error naming `option`.
    fn check(&self, option: &str) -> Result<(), Error> {
        for (name, value) in self.metadata.iter() {
            grpc::check_metadata_name(name)
                .and_then(|()| grpc::check_metadata_value(name, value))
                .map_err(|problem| {
                    Error::invalid(format!("metadata header {name:?} ({option}) {problem}"))
                })?;
        }
        Ok(())
    }
}

/// How a [`CallFuture`] makes its call once its options are known: implemented by the
/// client's own call bodies only.
pub trait MakeCall: Send + sealed::Sealed {
    /// What the call returns on success.
    type Output;
    /// The call under way.
    type Future: Future<Output = Result<Self::Output, Error>> + Send;

    /// Start the call with `options` (or fail at once with their error).
    #[doc(hidden)]
    fn make(self, options: Result<CallOptions, Error>) -> Self::Future;
}

mod sealed {
    pub trait Sealed {}
}

impl<F, Fut, T> sealed::Sealed for F
where
    F: FnOnce(Result<CallOptions, Error>) -> Fut + Send,
    Fut: Future<Output = Result<T, Error>> + Send,
{
}

impl<F, Fut, T> MakeCall for F
where
    F: FnOnce(Result<CallOptions, Error>) -> Fut + Send,
    Fut: Future<Output = Result<T, Error>> + Send,
{
    type Output = T;
    type Future = Fut;

    fn make(self, options: Result<CallOptions, Error>) -> Fut {
        self(options)
    }
}

/// A call not yet made: `.await` it, after setting options for this call only.
///
/// ```no_run
/// # use core::time::Duration;
/// # use temporal_lite_core::client::{Client, Error};
/// # async fn demo(client: &Client) -> Result<(), Error> {
/// let description = client
///     .workflow_handle("order-42")
///     .describe()
///     .timeout(Duration::from_secs(5))
///     .metadata("x-request-source", "billing")
///     .await?;
/// # Ok(()) }
/// ```
///
/// It is [`IntoFuture`]: `.await` works on it directly; where a [`Future`] is needed (to
/// spawn it, or join or select it with others) call
/// [`into_future`](IntoFuture::into_future) first. Nothing happens until the future is
/// polled; dropping it before makes no call.
#[must_use = "a call does nothing until it is awaited"]
pub struct CallFuture<M> {
    options: CallOptions,
    make: M,
}

impl<F, Fut, T> CallFuture<F>
where
    F: FnOnce(Result<CallOptions, Error>) -> Fut + Send,
    Fut: Future<Output = Result<T, Error>> + Send,
{
    /// The call that `make` runs with the options set on it (or their error).
    pub(crate) fn new(make: F) -> Self {
        CallFuture {
            options: CallOptions::default(),
            make,
        }
    }
}

impl<M: MakeCall> CallFuture<M> {
    /// This call with `options` in place of those set so far.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// This call's deadline, counted from when it is first polled: replaces
    /// [`RpcOptions::timeout`](super::RpcOptions::timeout). For a call the server holds
    /// (a result, an update, a history long poll) it bounds the whole wait, which
    /// otherwise has none. For a call made of several gRPC calls (every page of
    /// [`fetch_history`](super::WorkflowHandle::fetch_history)) each gets this deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Send header `name: value` with this call only, after the client's metadata (names
    /// are lower-cased).
    ///
    /// An invalid name or value fails the call, before anything is sent, with
    /// [`Error::InvalidOptions`] naming the header. A secret header
    /// ([`is_secret_header`](crate::grpc::is_secret_header)) is refused over plaintext to a
    /// host that is not loopback, as the client's own metadata is.
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.metadata.append(name, value);
        self
    }
}

impl<M: MakeCall> IntoFuture for CallFuture<M> {
    type Output = Result<M::Output, Error>;
    type IntoFuture = M::Future;

    fn into_future(self) -> M::Future {
        let options = match self.options.check("CallFuture::metadata") {
            Ok(()) => Ok(self.options),
            Err(error) => Err(error),
        };
        self.make.make(options)
    }
}

impl<M> fmt::Debug for CallFuture<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Metadata`'s Debug hides secret values.
        f.debug_struct("CallFuture")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
