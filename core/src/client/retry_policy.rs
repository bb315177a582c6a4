//! [`RetryPolicy`]: how the server retries a failed workflow or activity.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use temporal_lite_proto::temporal::api::common::v1 as common;

use super::proto_time::to_proto_duration;
use super::Error;

/// How the server retries a failed workflow (or activity). Unset fields use server defaults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetryPolicy {
    /// Wait before the first retry (server default 1 s).
    pub initial_interval: Option<Duration>,
    /// Each wait is this many times the previous one; 0 = server default (2.0).
    pub backoff_coefficient: f64,
    /// Longest wait (server default 100 × initial interval).
    pub maximum_interval: Option<Duration>,
    /// Attempts in all, the first included; 0 = unlimited.
    pub maximum_attempts: u32,
    /// Application error types that are never retried.
    pub non_retryable_error_types: Vec<String>,
}

impl RetryPolicy {
    pub(crate) fn to_proto(&self) -> common::RetryPolicy {
        common::RetryPolicy {
            initial_interval: self.initial_interval.map(to_proto_duration),
            backoff_coefficient: self.backoff_coefficient,
            maximum_interval: self.maximum_interval.map(to_proto_duration),
            maximum_attempts: i32::try_from(self.maximum_attempts).unwrap_or(i32::MAX),
            non_retryable_error_types: self.non_retryable_error_types.clone(),
        }
    }

    pub(crate) fn from_proto(policy: &common::RetryPolicy) -> Self {
        Self {
            initial_interval: policy
                .initial_interval
                .as_ref()
                .and_then(super::proto_time::from_proto_duration),
            backoff_coefficient: policy.backoff_coefficient,
            maximum_interval: policy
                .maximum_interval
                .as_ref()
                .and_then(super::proto_time::from_proto_duration),
            maximum_attempts: u32::try_from(policy.maximum_attempts).unwrap_or(0),
            non_retryable_error_types: policy.non_retryable_error_types.clone(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let c = self.backoff_coefficient;
        if !(c == 0.0 || (c.is_finite() && c >= 1.0)) {
            return Err(Error::invalid(alloc::format!(
                "retry policy backoff_coefficient must be 0 (server default) or at least 1, \
                 not {c}"
            )));
        }
        if let (Some(initial), Some(max)) = (self.initial_interval, self.maximum_interval) {
            if max < initial {
                return Err(Error::invalid(
                    "retry policy maximum_interval must not be shorter than initial_interval",
                ));
            }
        }
        Ok(())
    }
}
