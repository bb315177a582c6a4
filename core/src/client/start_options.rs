//! [`StartWorkflowOptions`]: how to start a workflow, and its id policies.

use alloc::collections::BTreeMap;
use alloc::string::String;
use core::time::Duration;

use temporal_lite_proto::temporal::api::enums::v1 as enums;

use super::priority::Priority;
use super::retry_policy::RetryPolicy;
use super::search_attributes::SearchAttributeValue;
use super::value_fields::value_setter;
use super::Error;
use crate::payload::{PayloadError, Value};

/// What the server does when a workflow is started with the id of a *closed* workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WorkflowIdReusePolicy {
    /// Start a new run, whatever the closed one's outcome (the server default).
    AllowDuplicate,
    /// Start a new run only if the closed one did not complete successfully.
    AllowDuplicateFailedOnly,
    /// Never reuse the id.
    RejectDuplicate,
}

impl WorkflowIdReusePolicy {
    fn to_proto(self) -> enums::WorkflowIdReusePolicy {
        match self {
            Self::AllowDuplicate => enums::WorkflowIdReusePolicy::AllowDuplicate,
            Self::AllowDuplicateFailedOnly => {
                enums::WorkflowIdReusePolicy::AllowDuplicateFailedOnly
            }
            Self::RejectDuplicate => enums::WorkflowIdReusePolicy::RejectDuplicate,
        }
    }
}

/// What the server does when a workflow is started with the id of a *running* workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WorkflowIdConflictPolicy {
    /// Fail with [`Error::WorkflowAlreadyStarted`] (the server default for a start).
    Fail,
    /// Return the running workflow instead of starting one (the default for signal-with-start).
    UseExisting,
    /// Terminate the running workflow and start a new one.
    TerminateExisting,
}

impl WorkflowIdConflictPolicy {
    fn to_proto(self) -> enums::WorkflowIdConflictPolicy {
        match self {
            Self::Fail => enums::WorkflowIdConflictPolicy::Fail,
            Self::UseExisting => enums::WorkflowIdConflictPolicy::UseExisting,
            Self::TerminateExisting => enums::WorkflowIdConflictPolicy::TerminateExisting,
        }
    }
}

/// How to start a workflow. [`new`](Self::new) takes the two required settings; the rest
/// are optional and set with the builder methods (or by assigning the fields).
///
/// ```
/// # use core::time::Duration;
/// # use temporal_lite_core::client::{StartWorkflowOptions, WorkflowIdConflictPolicy};
/// let options = StartWorkflowOptions::new("order-42", "orders")
///     .execution_timeout(Duration::from_secs(3600))
///     .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
///     .memo("customer", &"ACME");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StartWorkflowOptions {
    /// The workflow id: your business identifier, unique among running workflows. Required.
    pub id: String,
    /// The task queue the workflow's worker polls. Required.
    pub task_queue: String,
    /// Limit on the whole execution, retries and continue-as-new included.
    pub execution_timeout: Option<Duration>,
    /// Limit on a single run.
    pub run_timeout: Option<Duration>,
    /// Limit on a single workflow task (server default 10 s).
    pub task_timeout: Option<Duration>,
    /// What to do if the id belongs to a closed workflow.
    pub id_reuse_policy: Option<WorkflowIdReusePolicy>,
    /// What to do if the id belongs to a running workflow.
    pub id_conflict_policy: Option<WorkflowIdConflictPolicy>,
    /// Retry the whole workflow on failure.
    pub retry_policy: Option<RetryPolicy>,
    /// A cron schedule (e.g. `"0 * * * *"`): run the workflow on that schedule.
    pub cron_schedule: Option<String>,
    /// Wait this long before dispatching the first workflow task. Not with a cron schedule.
    pub start_delay: Option<Duration>,
    /// The request id that makes the start idempotent; generated when `None`. Retries of
    /// the same call always reuse it. After [`Error::OutcomeUnknown`] (the start may or may
    /// not have happened), start again with the id that error carries: the server returns
    /// the run the first start created, if it did, rather than a second one.
    pub request_id: Option<String>,
    /// Memo fields, encoded with the client's payload converter.
    pub memo: BTreeMap<String, Value>,
    /// Search attributes, always encoded as JSON (the server requires it).
    pub search_attributes: BTreeMap<String, Value>,
    /// Header fields (for interceptors / context propagation), encoded with the client's
    /// payload converter.
    pub headers: BTreeMap<String, Value>,
    /// Typed search attributes, sent with the index type the server checks them against.
    /// They take precedence over [`search_attributes`](Self::search_attributes) of the same
    /// name.
    pub typed_search_attributes: BTreeMap<String, SearchAttributeValue>,
    /// A single-line summary shown in the Web UI and `temporal workflow describe` (user
    /// metadata; encoded with the converter and codec like any payload).
    pub static_summary: Option<String>,
    /// Longer details (Markdown) shown in the Web UI, encoded like the summary.
    pub static_details: Option<String>,
    /// Task priority and fairness.
    pub priority: Option<Priority>,
    conversion_error: Option<PayloadError>,
}

impl StartWorkflowOptions {
    /// Options with the required workflow id and task queue.
    pub fn new(id: impl Into<String>, task_queue: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            task_queue: task_queue.into(),
            ..Self::default()
        }
    }

    /// Set the execution timeout.
    pub fn execution_timeout(mut self, timeout: Duration) -> Self {
        self.execution_timeout = Some(timeout);
        self
    }

    /// Set the run timeout.
    pub fn run_timeout(mut self, timeout: Duration) -> Self {
        self.run_timeout = Some(timeout);
        self
    }

    /// Set the workflow task timeout.
    pub fn task_timeout(mut self, timeout: Duration) -> Self {
        self.task_timeout = Some(timeout);
        self
    }

    /// Set the id reuse policy.
    pub fn id_reuse_policy(mut self, policy: WorkflowIdReusePolicy) -> Self {
        self.id_reuse_policy = Some(policy);
        self
    }

    /// Set the id conflict policy.
    pub fn id_conflict_policy(mut self, policy: WorkflowIdConflictPolicy) -> Self {
        self.id_conflict_policy = Some(policy);
        self
    }

    /// Set the retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// Set a cron schedule.
    pub fn cron_schedule(mut self, schedule: impl Into<String>) -> Self {
        self.cron_schedule = Some(schedule.into());
        self
    }

    /// Set the start delay.
    pub fn start_delay(mut self, delay: Duration) -> Self {
        self.start_delay = Some(delay);
        self
    }

    /// Set the request id.
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    value_setter!(
        /// Add a memo field. A value that cannot be converted fails the start call.
        memo => memo, "memo field"
    );

    value_setter!(
        /// Add a search attribute. A value that cannot be converted fails the start call.
        search_attribute => search_attributes, "search attribute"
    );

    value_setter!(
        /// Add a header field. A value that cannot be converted fails the start call.
        header => headers, "header"
    );

    /// Add a typed search attribute (see [`SearchAttributeValue`]).
    pub fn typed_search_attribute(
        mut self,
        key: impl Into<String>,
        value: SearchAttributeValue,
    ) -> Self {
        self.typed_search_attributes.insert(key.into(), value);
        self
    }

    /// Set the static summary shown in the Web UI.
    pub fn static_summary(mut self, summary: impl Into<String>) -> Self {
        self.static_summary = Some(summary.into());
        self
    }

    /// Set the static details shown in the Web UI.
    pub fn static_details(mut self, details: impl Into<String>) -> Self {
        self.static_details = Some(details.into());
        self
    }

    /// Set the priority.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Check the options before any call is made.
    pub(crate) fn validate(&self, workflow_type: &str) -> Result<(), Error> {
        if let Some(error) = &self.conversion_error {
            return Err(Error::PayloadConversion(error.clone()));
        }
        if workflow_type.trim().is_empty() {
            return Err(Error::invalid(
                "the workflow type is empty: pass the name the worker registered the workflow \
                 under",
            ));
        }
        if self.id.trim().is_empty() {
            return Err(Error::invalid(
                "StartWorkflowOptions::id is empty: every workflow needs an id, e.g. \
                 StartWorkflowOptions::new(\"order-42\", \"my-task-queue\")",
            ));
        }
        if self.task_queue.trim().is_empty() {
            return Err(Error::invalid(alloc::format!(
                "StartWorkflowOptions::task_queue is empty for workflow `{}`: set the task \
                 queue your worker polls",
                self.id
            )));
        }
        if self.cron_schedule.is_some() && self.start_delay.is_some() {
            return Err(Error::invalid(
                "StartWorkflowOptions: a start delay cannot be combined with a cron schedule",
            ));
        }
        if let Some(policy) = &self.retry_policy {
            policy.validate()?;
        }
        if let Some(priority) = &self.priority {
            priority.validate()?;
        }
        Ok(())
    }

    pub(crate) fn reuse_policy_proto(&self) -> i32 {
        self.id_reuse_policy
            .map(|p| p.to_proto() as i32)
            .unwrap_or(0)
    }

    pub(crate) fn conflict_policy_proto(&self) -> i32 {
        self.id_conflict_policy
            .map(|p| p.to_proto() as i32)
            .unwrap_or(0)
    }
}
