//! [`WorkflowExecutionRef`]: which workflow execution, by id and run id.

use alloc::string::String;

use temporal_lite_proto::temporal::api::common::v1 as common;

/// A workflow execution: id and run id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WorkflowExecutionRef {
    /// The workflow id.
    pub workflow_id: String,
    /// The run id.
    pub run_id: String,
}

impl From<common::WorkflowExecution> for WorkflowExecutionRef {
    fn from(execution: common::WorkflowExecution) -> Self {
        Self {
            workflow_id: execution.workflow_id,
            run_id: execution.run_id,
        }
    }
}
