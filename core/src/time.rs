//! Time as the core sees it: a monotonic clock and a way to sleep, both supplied by the
//! runtime adapter (or by a test, to make time deterministic).

use alloc::boxed::Box;
use core::time::Duration;

use async_trait::async_trait;

/// A monotonic clock and timer supplied by the runtime.
///
/// The core never reads the system clock itself: retry backoff, deadlines and long-poll
/// budgets all go through this trait, so a test can drive time by hand.
#[async_trait]
pub trait Clock: Send + Sync {
    /// Time elapsed since an arbitrary, fixed origin. Must never go backwards.
    fn now(&self) -> Duration;

    /// Complete after `duration` has elapsed on this clock.
    async fn sleep(&self, duration: Duration);
}
