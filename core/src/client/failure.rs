use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use temporal_lite_proto::temporal::api::failure::v1 as proto;
use temporal_lite_proto::temporal::api::failure::v1::failure::FailureInfo;

use super::execution::WorkflowExecutionRef;
use super::proto_time::from_proto_duration;
use super::status::{RetryState, TimeoutType};
use crate::payload::{payload_encoding, Payload, ENCODING_JSON_PLAIN};

/// A failure as Temporal records it: a message, a stack trace, what kind of failure it was,
/// and the failure that caused it (a chain).
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The message.
    pub message: String,
    /// Which SDK produced it (e.g. `PythonSDK`, `GoSDK`).
    pub source: String,
    /// The stack trace, as text.
    pub stack_trace: String,
    /// What kind of failure this is, with its kind-specific fields.
    pub kind: FailureKind,
    /// The failure that caused this one.
    pub cause: Option<Box<Failure>>,
}

/// The kind of a [`Failure`], with the fields that only that kind has.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FailureKind {
    /// An error raised by application code (workflow or activity).
    Application {
        /// The error type, as the application named it (e.g. `ValueError`, `MyError`).
        error_type: String,
        /// Whether the application asked for no retries.
        non_retryable: bool,
        /// Details the application attached, encoded.
        details: Vec<Payload>,
        /// The retry delay the application asked for.
        next_retry_delay: Option<Duration>,
    },
    /// A timeout.
    Timeout {
        /// Which timeout.
        timeout_type: TimeoutType,
        /// The last heartbeat details, for an activity heartbeat timeout.
        last_heartbeat_details: Vec<Payload>,
    },
    /// A cancellation.
    Canceled {
        /// Details attached to the cancellation, encoded.
        details: Vec<Payload>,
    },
    /// A termination.
    Terminated,
    /// A failure produced by the server.
    Server {
        /// Whether it is non-retryable.
        non_retryable: bool,
    },
    /// An activity failed; the cause says why.
    Activity {
        /// The activity type name.
        activity_type: String,
        /// The activity id.
        activity_id: String,
        /// Whether it will be retried.
        retry_state: RetryState,
    },
    /// A child workflow failed; the cause says why.
    ChildWorkflow {
        /// The child's namespace.
        namespace: String,
        /// The child execution.
        execution: WorkflowExecutionRef,
        /// The child's workflow type name.
        workflow_type: String,
        /// Whether it will be retried.
        retry_state: RetryState,
    },
    /// A kind this crate does not model (reset, Nexus, ...), or none.
    Other,
}

impl Failure {
    /// Convert from the wire form. Decodes `encoded_attributes` (message and stack trace that
    /// a failure converter moved into a JSON payload) when they are present.
    pub fn from_proto(failure: proto::Failure) -> Self {
        let mut message = failure.message;
        let mut stack_trace = failure.stack_trace;
        if let Some(attributes) = failure.encoded_attributes.as_ref() {
            if payload_encoding(attributes) == Some(ENCODING_JSON_PLAIN) {
                if let Ok(serde_json::Value::Object(fields)) =
                    serde_json::from_slice::<serde_json::Value>(&attributes.data[..])
                {
                    if let Some(serde_json::Value::String(m)) = fields.get("message") {
                        message = m.clone();
                    }
                    if let Some(serde_json::Value::String(s)) = fields.get("stack_trace") {
                        stack_trace = s.clone();
                    }
                }
            }
        }
        let payloads = |p: Option<temporal_lite_proto::temporal::api::common::v1::Payloads>| {
            p.map(|p| p.payloads).unwrap_or_default()
        };
        let kind = match failure.failure_info {
            Some(FailureInfo::ApplicationFailureInfo(info)) => FailureKind::Application {
                error_type: info.r#type,
                non_retryable: info.non_retryable,
                details: payloads(info.details),
                next_retry_delay: info.next_retry_delay.as_ref().and_then(from_proto_duration),
            },
            Some(FailureInfo::TimeoutFailureInfo(info)) => FailureKind::Timeout {
                timeout_type: TimeoutType::from_i32(info.timeout_type),
                last_heartbeat_details: payloads(info.last_heartbeat_details),
            },
            Some(FailureInfo::CanceledFailureInfo(info)) => FailureKind::Canceled {
                details: payloads(info.details),
            },
            Some(FailureInfo::TerminatedFailureInfo(_)) => FailureKind::Terminated,
            Some(FailureInfo::ServerFailureInfo(info)) => FailureKind::Server {
                non_retryable: info.non_retryable,
            },
            Some(FailureInfo::ActivityFailureInfo(info)) => FailureKind::Activity {
                activity_type: info.activity_type.map(|t| t.name).unwrap_or_default(),
                activity_id: info.activity_id,
                retry_state: RetryState::from_i32(info.retry_state),
            },
            Some(FailureInfo::ChildWorkflowExecutionFailureInfo(info)) => {
                FailureKind::ChildWorkflow {
                    namespace: info.namespace,
                    execution: info
                        .workflow_execution
                        .map(WorkflowExecutionRef::from)
                        .unwrap_or_default(),
                    workflow_type: info.workflow_type.map(|t| t.name).unwrap_or_default(),
                    retry_state: RetryState::from_i32(info.retry_state),
                }
            }
            _ => FailureKind::Other,
        };
        Self {
            message,
            source: failure.source,
            stack_trace,
            kind,
            cause: failure
                .cause
                .map(|cause| Box::new(Failure::from_proto(*cause))),
        }
    }

    /// The application error type, for an application failure.
    pub fn error_type(&self) -> Option<&str> {
        match &self.kind {
            FailureKind::Application { error_type, .. } => Some(error_type),
            _ => None,
        }
    }

    /// Whether the failure is marked non-retryable (application or server failures).
    pub fn non_retryable(&self) -> bool {
        match &self.kind {
            FailureKind::Application { non_retryable, .. }
            | FailureKind::Server { non_retryable } => *non_retryable,
            _ => false,
        }
    }

    /// Details attached to an application failure or a cancellation; empty otherwise.
    /// Decode them with [`Client::decode`](super::Client::decode).
    pub fn details(&self) -> &[Payload] {
        match &self.kind {
            FailureKind::Application { details, .. } | FailureKind::Canceled { details } => details,
            FailureKind::Timeout {
                last_heartbeat_details,
                ..
            } => last_heartbeat_details,
            _ => &[],
        }
    }

    /// This failure followed by its causes, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &Failure> {
        core::iter::successors(Some(self), |f| f.cause.as_deref())
    }

    /// The causes of this failure, outermost first (this failure itself is not one).
    ///
    /// ```
    /// # use temporal_lite_core::client::Failure;
    /// # fn show(failure: &Failure) {
    /// for cause in failure.causes() {
    ///     println!("caused by: {}", cause.message);
    /// }
    /// println!("root cause: {}", failure.root_cause().message);
    /// # }
    /// ```
    pub fn causes(&self) -> impl Iterator<Item = &Failure> {
        self.chain().skip(1)
    }

    /// The innermost cause (this failure if it has none).
    pub fn root_cause(&self) -> &Failure {
        self.chain().last().unwrap_or(self)
    }
}

impl fmt::Display for Failure {
    /// `message (type ErrorType, non-retryable)`, then `: caused by: ...` for each cause.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, failure) in self.chain().enumerate() {
            if i > 0 {
                f.write_str(": caused by: ")?;
            }
            f.write_str(&failure.message)?;
            match &failure.kind {
                FailureKind::Application {
                    error_type,
                    non_retryable,
                    ..
                } => match (error_type.is_empty(), *non_retryable) {
                    (true, false) => {}
                    (true, true) => f.write_str(" (non-retryable)")?,
                    (false, false) => write!(f, " (type {error_type})")?,
                    (false, true) => write!(f, " (type {error_type}, non-retryable)")?,
                },
                FailureKind::Timeout { timeout_type, .. } => {
                    write!(f, " ({timeout_type} timeout)")?
                }
                FailureKind::Activity {
                    activity_type,
                    activity_id,
                    ..
                } => write!(f, " (activity {activity_type}, id {activity_id})")?,
                FailureKind::ChildWorkflow {
                    workflow_type,
                    execution,
                    ..
                } => write!(
                    f,
                    " (child workflow {workflow_type}, id {})",
                    execution.workflow_id
                )?,
                _ => {}
            }
        }
        Ok(())
    }
}

impl core::error::Error for Failure {}

/// How a workflow execution ended, when it did not complete.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WorkflowFailure {
    /// The workflow failed.
    Failed {
        /// The failure, with its cause chain.
        failure: Failure,
        /// Whether the server will retry the workflow (it did not, if this was returned).
        retry_state: RetryState,
    },
    /// The workflow was canceled.
    Canceled {
        /// Details the workflow attached, encoded.
        details: Vec<Payload>,
    },
    /// The workflow was terminated.
    Terminated {
        /// The reason given to terminate.
        reason: String,
        /// Details given to terminate, encoded.
        details: Vec<Payload>,
        /// Who terminated it.
        identity: String,
    },
    /// The workflow timed out (run or execution timeout).
    TimedOut {
        /// Whether the server will retry the workflow.
        retry_state: RetryState,
    },
}

impl WorkflowFailure {
    /// The failure of a workflow that failed (with its causes: see [`Failure::causes`]),
    /// `None` for the other ways a workflow ends.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            WorkflowFailure::Failed { failure, .. } => Some(failure),
            _ => None,
        }
    }
}

impl fmt::Display for WorkflowFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkflowFailure::Failed { failure, .. } => write!(f, "failed: {failure}"),
            WorkflowFailure::Canceled { .. } => f.write_str("was canceled"),
            WorkflowFailure::Terminated { reason, .. } if reason.is_empty() => {
                f.write_str("was terminated")
            }
            WorkflowFailure::Terminated { reason, .. } => write!(f, "was terminated: {reason}"),
            WorkflowFailure::TimedOut { retry_state } => {
                write!(f, "timed out (retry state: {retry_state})")
            }
        }
    }
}

/// A workflow did not complete: which one, and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkflowError {
    /// The workflow id.
    pub workflow_id: String,
    /// The run that ended this way (the last run of a continue-as-new chain).
    pub run_id: String,
    /// How it ended.
    pub failure: WorkflowFailure,
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.run_id.is_empty() {
            write!(f, "workflow `{}` {}", self.workflow_id, self.failure)
        } else {
            write!(
                f,
                "workflow `{}` (run {}) {}",
                self.workflow_id, self.run_id, self.failure
            )
        }
    }
}

impl core::error::Error for WorkflowError {}

/// How a workflow execution ended, without decoding its result.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WorkflowOutcome {
    /// It completed.
    Completed {
        /// The run that completed (the last run of a continue-as-new chain).
        run_id: String,
        /// Its result payloads: usually one; none when a Go workflow returns only an error.
        result: Vec<Payload>,
    },
    /// It failed, was canceled, was terminated or timed out.
    NotCompleted(WorkflowError),
    /// The run continued as a new run. Only reported when runs are not followed
    /// ([`WorkflowHandle::outcome_following`](super::WorkflowHandle::outcome_following)).
    ContinuedAsNew {
        /// The run that continued.
        run_id: String,
        /// The run it continued as.
        new_execution_run_id: String,
    },
}
