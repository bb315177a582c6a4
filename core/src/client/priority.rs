//! Task priority and fairness of a workflow.

use alloc::string::String;

use temporal_lite_proto::temporal::api::common::v1 as common;

use super::Error;

/// How the server orders the workflow's tasks against others on the same task queue.
/// Unset fields use the server's defaults (and, for a child, the parent's values).
///
/// ```
/// # use temporal_lite_core::client::Priority;
/// let urgent = Priority::new().priority_key(1).fairness_key("tenant-7");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Priority {
    /// 1 is the highest priority; larger numbers run later. The server's range is 1 to 5
    /// by default, with 3 as the default.
    pub priority_key: Option<u32>,
    /// A short key (at most 64 bytes, e.g. a tenant id) that tasks are balanced by.
    pub fairness_key: Option<String>,
    /// The weight of [`fairness_key`](Self::fairness_key) in that balance (the server clamps
    /// it to 0.001..=1000; default 1.0).
    pub fairness_weight: Option<f32>,
}

impl Priority {
    /// No preference: the server's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the priority key (1 = highest).
    pub fn priority_key(mut self, key: u32) -> Self {
        self.priority_key = Some(key);
        self
    }

    /// Set the fairness key.
    pub fn fairness_key(mut self, key: impl Into<String>) -> Self {
        self.fairness_key = Some(key.into());
        self
    }

    /// Set the fairness weight.
    pub fn fairness_weight(mut self, weight: f32) -> Self {
        self.fairness_weight = Some(weight);
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if self.priority_key == Some(0) {
            return Err(Error::invalid(
                "Priority::priority_key must be at least 1 (1 is the highest priority); leave \
                 it unset for the server default",
            ));
        }
        if let Some(weight) = self.fairness_weight {
            if !(weight.is_finite() && weight > 0.0) {
                return Err(Error::invalid(alloc::format!(
                    "Priority::fairness_weight must be a positive number, not {weight}"
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn to_proto(&self) -> common::Priority {
        common::Priority {
            priority_key: self
                .priority_key
                .map(|k| i32::try_from(k).unwrap_or(i32::MAX))
                .unwrap_or(0),
            fairness_key: self.fairness_key.clone().unwrap_or_default(),
            fairness_weight: self.fairness_weight.unwrap_or(0.0),
        }
    }

    pub(crate) fn from_proto(proto: &common::Priority) -> Option<Self> {
        let priority = Self {
            priority_key: u32::try_from(proto.priority_key).ok().filter(|k| *k > 0),
            fairness_key: Some(proto.fairness_key.clone()).filter(|k| !k.is_empty()),
            fairness_weight: Some(proto.fairness_weight).filter(|w| *w != 0.0),
        };
        (priority != Self::default()).then_some(priority)
    }
}
