//! [`QueryOptions`]: how to run a query.

use temporal_lite_proto::temporal::api::enums::v1 as enums;

/// When the server refuses a query instead of running it, judging by the workflow's state.
///
/// A refused query fails with [`Error::QueryRejected`](super::Error::QueryRejected), which carries the status the
/// workflow was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryRejectCondition {
    /// Never refuse: query closed workflows too (what the server does when none is set).
    None,
    /// Refuse if the workflow is closed, however it ended.
    NotOpen,
    /// Refuse if the workflow closed other than by completing: failed, canceled,
    /// terminated, timed out or continued as new.
    NotCompletedCleanly,
}

impl QueryRejectCondition {
    fn to_proto(self) -> enums::QueryRejectCondition {
        match self {
            Self::None => enums::QueryRejectCondition::None,
            Self::NotOpen => enums::QueryRejectCondition::NotOpen,
            Self::NotCompletedCleanly => enums::QueryRejectCondition::NotCompletedCleanly,
        }
    }
}

/// How to run a query ([`WorkflowHandle::query_with_options`](super::WorkflowHandle::query_with_options)).
///
/// ```
/// # use temporal_lite_core::client::{QueryOptions, QueryRejectCondition};
/// let options = QueryOptions::default().reject_condition(QueryRejectCondition::NotOpen);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// When the server refuses to run the query; `None` leaves it to the server (never).
    pub reject_condition: Option<QueryRejectCondition>,
}

impl QueryOptions {
    /// Set the reject condition.
    pub fn reject_condition(mut self, condition: QueryRejectCondition) -> Self {
        self.reject_condition = Some(condition);
        self
    }

    pub(crate) fn reject_condition_proto(&self) -> i32 {
        self.reject_condition
            .map(|c| c.to_proto() as i32)
            .unwrap_or(0)
    }
}
