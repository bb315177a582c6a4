use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use prost::Message;
use temporal_lite_proto::google::rpc::Status as RpcStatus;
use temporal_lite_proto::temporal::api::errordetails::v1 as details;

use super::failure::{Failure, WorkflowError};
use super::not_found::NotFoundTarget;
use super::status::WorkflowStatus;
use crate::config::ConfigError;
use crate::grpc::{Code, Status, TransportError, TransportErrorKind};
use crate::payload::PayloadError;

/// Everything that can go wrong in a client call.
///
/// Server errors that carry a meaning of their own (already started, not found, permission
/// denied, ...) get their own variant; any other gRPC status is [`Error::Status`]. A workflow
/// that ended other than by completing is [`Error::Workflow`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// A workflow with this id is already running (or the id reuse policy forbids reusing
    /// the id). Pick another workflow id, or set an id conflict / reuse policy that allows it.
    WorkflowAlreadyStarted {
        /// The workflow id that was asked for.
        workflow_id: String,
        /// The run id of the execution that holds the id.
        run_id: String,
    },
    /// A schedule with this id exists already.
    ScheduleAlreadyExists {
        /// The schedule id that was asked for.
        schedule_id: String,
    },
    /// The workflow execution (or another entity) does not exist.
    NotFound {
        /// The server's message.
        message: String,
        /// What the call was looking for, when the client knows (every call of a
        /// [`WorkflowHandle`](super::WorkflowHandle) or
        /// [`ScheduleHandle`](super::ScheduleHandle) does).
        target: Option<NotFoundTarget>,
    },
    /// The namespace does not exist on this server.
    NamespaceNotFound {
        /// The namespace that was asked for.
        namespace: String,
    },
    /// The caller is authenticated but not allowed to do this.
    PermissionDenied {
        /// The server's message.
        message: String,
    },
    /// The server did not accept the caller's credentials (API key or client certificate).
    Unauthenticated {
        /// The server's message.
        message: String,
    },
    /// The call did not complete within its deadline, and the server cannot have acted on
    /// it (a read, or a write that certainly never reached the server). Every transient
    /// failure before the deadline was retried; `attempts` says how many attempts were
    /// made and `last_cause` why the last one failed.
    ///
    /// Also what a server's own `DEADLINE_EXCEEDED` status becomes (`attempts` then counts
    /// the attempt that got it).
    DeadlineExceeded {
        /// What ran out of time, and the last cause.
        message: String,
        /// Attempts made, the first included (0 when the deadline had passed before the
        /// first could start).
        attempts: u32,
        /// Why the last attempt failed (for a transport timeout: "no answer from ... within
        /// ..."), if it failed before the deadline ended it.
        last_cause: Option<Box<Error>>,
    },
    /// The call ended without an answer after its request may have reached the server: a
    /// start, signal or terminate may or may not have happened.
    ///
    /// With a `request_id` (start, signal-with-start, signal, cancel), sending the same
    /// request again with that id is safe: the server applies it at most once, and a start
    /// repeated with the same id returns the run the first one started (set it with
    /// [`StartWorkflowOptions::request_id`](super::StartWorkflowOptions::request_id)).
    /// Without one (terminate), check the workflow's state before repeating the call.
    OutcomeUnknown {
        /// What happened, and the last cause.
        message: String,
        /// The request id the call carried, which makes repeating it safe.
        request_id: Option<String>,
        /// Attempts made, the first included.
        attempts: u32,
        /// Why the last attempt failed.
        last_cause: Option<Box<Error>>,
    },
    /// The server refused the query because the workflow's state matched the query's
    /// [reject condition](super::QueryOptions::reject_condition).
    QueryRejected {
        /// The status of the workflow when it refused.
        status: WorkflowStatus,
    },
    /// The worker ran the query handler and it failed (or no handler has that name).
    QueryFailed {
        /// The failure message.
        message: String,
        /// The failure, when the server sent it.
        failure: Option<Box<Failure>>,
    },
    /// No gRPC response was obtained: connection, TLS or protocol failure.
    Transport(TransportError),
    /// Any other non-OK gRPC status from the server.
    Status(Status),
    /// The call was not made because its options are invalid.
    InvalidOptions {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A value could not be converted to or from a payload.
    PayloadConversion(PayloadError),
    /// The workflow ended without completing: it failed, was canceled, was terminated or
    /// timed out.
    Workflow(Box<WorkflowError>),
    /// A workflow update did not produce a result: the validator rejected it, no handler
    /// has its name, the handler failed, or the workflow is missing or closed.
    Update(Box<super::UpdateError>),
    /// The connection settings could not be resolved from the config file or the
    /// `TEMPORAL_*` environment variables; the error names the file, profile, key or variable.
    Config(ConfigError),
}

impl Error {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidOptions {
            message: message.into(),
        }
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Error::Transport(TransportError::new(TransportErrorKind::Protocol, message))
    }

    /// The gRPC code this error came from, if it came from a gRPC status.
    pub fn code(&self) -> Option<Code> {
        match self {
            Error::WorkflowAlreadyStarted { .. } => Some(Code::ALREADY_EXISTS),
            Error::ScheduleAlreadyExists { .. } => Some(Code::ALREADY_EXISTS),
            Error::NotFound { .. } => Some(Code::NOT_FOUND),
            Error::NamespaceNotFound { .. } => Some(Code::NOT_FOUND),
            Error::PermissionDenied { .. } => Some(Code::PERMISSION_DENIED),
            Error::Unauthenticated { .. } => Some(Code::UNAUTHENTICATED),
            Error::DeadlineExceeded { .. } => Some(Code::DEADLINE_EXCEEDED),
            Error::Status(status) => Some(status.code),
            Error::Update(error) => match error.kind {
                super::UpdateErrorKind::WorkflowNotFound { .. }
                | super::UpdateErrorKind::WorkflowClosed { .. }
                | super::UpdateErrorKind::UpdateNotFound { .. } => Some(Code::NOT_FOUND),
                _ => None,
            },
            _ => None,
        }
    }

    /// Map a non-OK gRPC status to the most specific error, using the
    /// `temporal.api.errordetails.v1` message in its details when there is one.
    pub(crate) fn from_status(status: Status) -> Self {
        if let Some(error) = Self::from_details(&status) {
            return error;
        }
        let message = status.message.clone();
        match status.code {
            Code::NOT_FOUND => Error::NotFound {
                message,
                target: None,
            },
            Code::PERMISSION_DENIED => Error::PermissionDenied { message },
            Code::UNAUTHENTICATED => Error::Unauthenticated { message },
            Code::DEADLINE_EXCEEDED => Error::DeadlineExceeded {
                message,
                attempts: 1,
                last_cause: None,
            },
            _ => Error::Status(status),
        }
    }

    fn from_details(status: &Status) -> Option<Self> {
        if status.details.is_empty() {
            return None;
        }
        let rpc_status = RpcStatus::decode(status.details.clone()).ok()?;
        let detail = rpc_status.details.first()?;
        let name = detail.type_url.rsplit('/').next().unwrap_or_default();
        let value = &detail.value[..];
        let message = status.message.clone();
        let error = match name {
            "temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure" => {
                let failure =
                    details::WorkflowExecutionAlreadyStartedFailure::decode(value).ok()?;
                Error::WorkflowAlreadyStarted {
                    workflow_id: String::new(),
                    run_id: failure.run_id,
                }
            }
            "temporal.api.errordetails.v1.NamespaceNotFoundFailure" => {
                let failure = details::NamespaceNotFoundFailure::decode(value).ok()?;
                Error::NamespaceNotFound {
                    namespace: failure.namespace,
                }
            }
            "temporal.api.errordetails.v1.NotFoundFailure" => Error::NotFound {
                message,
                target: None,
            },
            "temporal.api.errordetails.v1.PermissionDeniedFailure" => {
                let failure = details::PermissionDeniedFailure::decode(value).ok()?;
                let message = if failure.reason.is_empty() || message.contains(&failure.reason) {
                    message
                } else {
                    alloc::format!("{message} ({})", failure.reason)
                };
                Error::PermissionDenied { message }
            }
            "temporal.api.errordetails.v1.QueryFailedFailure" => {
                let failure = details::QueryFailedFailure::decode(value).ok()?;
                Error::QueryFailed {
                    message,
                    failure: failure.failure.map(|f| Box::new(Failure::from_proto(f))),
                }
            }
            _ => return None,
        };
        Some(error)
    }

    /// Fill in the workflow id of a [`Error::WorkflowAlreadyStarted`] (the server's details
    /// do not carry it).
    /// This error, naming the `target` of the call if it is a not-found error that does
    /// not say.
    pub(crate) fn about(self, target: impl FnOnce() -> Option<NotFoundTarget>) -> Self {
        match self {
            Error::NotFound {
                message,
                target: None,
            } => Error::NotFound {
                message,
                target: target(),
            },
            other => other,
        }
    }

    pub(crate) fn with_workflow_id(self, id: &str) -> Self {
        match self {
            Error::WorkflowAlreadyStarted {
                workflow_id,
                run_id,
            } if workflow_id.is_empty() => Error::WorkflowAlreadyStarted {
                workflow_id: String::from(id),
                run_id,
            },
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::WorkflowAlreadyStarted {
                workflow_id,
                run_id,
            } => write!(
                f,
                "workflow `{workflow_id}` is already started (run {run_id}); use another \
                 workflow id, or an id conflict policy / id reuse policy that allows this"
            ),
            Error::ScheduleAlreadyExists { schedule_id } => write!(
                f,
                "schedule `{schedule_id}` already exists; use another id, or update or delete                  the existing schedule"
            ),
            Error::NotFound {
                message,
                target: Some(target),
            } => write!(f, "{target} not found: {message}"),
            Error::NotFound {
                message,
                target: None,
            } => write!(f, "not found: {message}"),
            Error::NamespaceNotFound { namespace } => write!(
                f,
                "namespace `{namespace}` not found; check the namespace the client is \
                 configured with (TEMPORAL_NAMESPACE) or register it on the server"
            ),
            Error::PermissionDenied { message } => write!(
                f,
                "permission denied: {message}; check that these credentials may use this \
                 namespace"
            ),
            Error::Unauthenticated { message } => write!(
                f,
                "unauthenticated: {message}; check the API key or client certificate"
            ),
            Error::DeadlineExceeded { message, .. } => write!(f, "deadline exceeded: {message}"),
            Error::OutcomeUnknown {
                message,
                request_id,
                ..
            } => {
                write!(f, "outcome unknown: {message}")?;
                match request_id {
                    Some(id) => write!(
                        f,
                        "; the request may have been applied: sending it again with request id \
                         {id} is safe"
                    ),
                    None => f.write_str(
                        "; the request may have been applied: check before sending it again",
                    ),
                }
            }
            Error::QueryRejected { status } => {
                write!(f, "query rejected: the workflow is {status}")
            }
            Error::QueryFailed { message, .. } => write!(f, "query failed: {message}"),
            Error::Transport(error) => match error.kind() {
                TransportErrorKind::Connect => write!(
                    f,
                    "{error}; is a Temporal server listening at the configured address?"
                ),
                TransportErrorKind::Tls => write!(
                    f,
                    "{error}; check the TLS settings (CA certificate, server name, client \
                     certificate)"
                ),
                _ => write!(f, "{error}"),
            },
            Error::Status(status) => {
                write!(f, "server returned {}: {}", status.code, status.message)
            }
            Error::InvalidOptions { message } => write!(f, "invalid options: {message}"),
            Error::PayloadConversion(error) => write!(f, "payload conversion failed: {error}"),
            Error::Workflow(error) => fmt::Display::fmt(error, f),
            Error::Update(error) => fmt::Display::fmt(error, f),
            Error::Config(error) => write!(f, "connection config: {error}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::DeadlineExceeded {
                last_cause: Some(cause),
                ..
            }
            | Error::OutcomeUnknown {
                last_cause: Some(cause),
                ..
            } => Some(&**cause),
            Error::Transport(error) => Some(error),
            Error::Status(status) => Some(status),
            Error::PayloadConversion(error) => Some(error),
            Error::Workflow(error) => Some(&**error),
            Error::Update(error) => Some(&**error),
            Error::Config(error) => Some(error),
            _ => None,
        }
    }
}

impl From<TransportError> for Error {
    fn from(error: TransportError) -> Self {
        match error.kind() {
            TransportErrorKind::Timeout => Error::DeadlineExceeded {
                message: String::from(error.message()),
                attempts: 1,
                last_cause: None,
            },
            _ => Error::Transport(error),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Error::Config(error)
    }
}

impl From<PayloadError> for Error {
    fn from(error: PayloadError) -> Self {
        Error::PayloadConversion(error)
    }
}
