//! [`NotFoundTarget`]: what an [`Error::NotFound`](super::Error::NotFound) was looking for.

use alloc::string::String;
use core::fmt;

/// What a call did not find, as [`Error::NotFound`](super::Error::NotFound) reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotFoundTarget {
    /// A workflow execution: a run of it when `run_id` is set, else its latest run.
    Workflow {
        /// The workflow id.
        workflow_id: String,
        /// The run id, if the call named one.
        run_id: Option<String>,
    },
    /// A schedule.
    Schedule {
        /// The schedule id.
        schedule_id: String,
    },
    /// An activity of a workflow execution.
    Activity {
        /// The workflow id.
        workflow_id: String,
        /// The run id, if the call named one.
        run_id: Option<String>,
        /// The activity id.
        activity_id: String,
    },
}

impl fmt::Display for NotFoundTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotFoundTarget::Workflow {
                workflow_id,
                run_id,
            } => {
                write!(f, "workflow `{workflow_id}`")?;
                match run_id {
                    Some(run_id) => write!(f, " run `{run_id}`"),
                    None => Ok(()),
                }
            }
            NotFoundTarget::Schedule { schedule_id } => write!(f, "schedule `{schedule_id}`"),
            NotFoundTarget::Activity {
                workflow_id,
                run_id,
                activity_id,
            } => {
                write!(f, "activity `{activity_id}` of workflow `{workflow_id}`")?;
                match run_id {
                    Some(run_id) => write!(f, " run `{run_id}`"),
                    None => Ok(()),
                }
            }
        }
    }
}
