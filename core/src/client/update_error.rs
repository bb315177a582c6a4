//! Why an update did not produce a result.

use alloc::string::String;
use core::fmt;

use super::failure::{Failure, FailureKind};

/// An update that did not complete with a result ([`Error::Update`](super::Error::Update)).
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateError {
    /// The workflow id.
    pub workflow_id: String,
    /// The run id, when known.
    pub run_id: String,
    /// The update id.
    pub update_id: String,
    /// The update name, when known.
    pub update_name: String,
    /// What happened.
    pub kind: UpdateErrorKind,
}

/// What happened to an update that did not produce a result.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum UpdateErrorKind {
    /// The workflow's validator refused the update (with the failure it raised). Nothing was
    /// recorded in the history: the update never happened, and sending it again with other
    /// arguments is safe.
    Rejected(Failure),
    /// The workflow has no update handler of that name; the worker refused the update (the
    /// failure is the worker's message). Nothing was recorded.
    HandlerNotFound(Failure),
    /// The handler ran and failed (with its failure). The update is in the history.
    Failed(Failure),
    /// No such workflow (or run, or chain of runs for a first execution run id).
    WorkflowNotFound {
        /// The server's message.
        message: String,
    },
    /// The workflow is closed, so it cannot take updates.
    WorkflowClosed {
        /// The server's message.
        message: String,
    },
    /// The workflow has no update with this id (polling a handle made by id).
    UpdateNotFound {
        /// The server's message.
        message: String,
    },
}

impl UpdateErrorKind {
    /// The failure the worker reported, for the kinds that have one.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::Rejected(f) | Self::HandlerNotFound(f) | Self::Failed(f) => Some(f),
            _ => None,
        }
    }
}

/// A refused update: a missing handler when the worker's message says so (each SDK words it
/// its own way, always naming the update), else a validator's rejection.
pub(crate) fn classify_rejection(name: &str, failure: Failure) -> UpdateErrorKind {
    let message = failure.message.to_ascii_lowercase();
    let names_it = !name.is_empty() && failure.message.contains(name);
    let missing = [
        "expected but not found", // Python, .NET
        "unknown update",         // Go, Java
        "no registered handler",  // TypeScript
        "no handler for update",  // others
    ]
    .iter()
    .any(|phrase| message.contains(phrase));
    let application = matches!(
        failure.kind,
        FailureKind::Application { .. } | FailureKind::Other
    );
    if names_it && missing && application {
        UpdateErrorKind::HandlerNotFound(failure)
    } else {
        UpdateErrorKind::Rejected(failure)
    }
}

impl fmt::Display for UpdateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.update_name.is_empty() {
            String::new()
        } else {
            alloc::format!(" `{}`", self.update_name)
        };
        let (workflow, update) = (&self.workflow_id, &self.update_id);
        match &self.kind {
            UpdateErrorKind::Rejected(failure) => write!(
                f,
                "update{name} ({update}) of workflow `{workflow}` was rejected by its \
                 validator: {}",
                failure.message
            ),
            UpdateErrorKind::HandlerNotFound(failure) => write!(
                f,
                "workflow `{workflow}` has no handler for update{name}: {}; check the update \
                 name the workflow registers",
                failure.message
            ),
            UpdateErrorKind::Failed(failure) => write!(
                f,
                "update{name} ({update}) of workflow `{workflow}` failed: {}",
                failure.message
            ),
            UpdateErrorKind::WorkflowNotFound { message } => {
                write!(
                    f,
                    "update{name}: workflow `{workflow}` not found: {message}"
                )
            }
            UpdateErrorKind::WorkflowClosed { message } => write!(
                f,
                "update{name}: workflow `{workflow}` is closed and takes no updates: {message}"
            ),
            UpdateErrorKind::UpdateNotFound { message } => write!(
                f,
                "workflow `{workflow}` has no update `{update}`: {message}"
            ),
        }
    }
}

impl core::error::Error for UpdateError {}
