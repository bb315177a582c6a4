//! Time as the core sees it: a monotonic clock and a way to sleep, both supplied by the
//! runtime adapter (or by a test, to make time deterministic).

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;
use core::time::Duration;

/// A boxed timer future, as [`Clock::sleep`] returns it. `Sync` and `'static` so that the
/// HTTP/2 engine can hand it to hyper as a timer too.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + Sync + 'static>>;

/// A monotonic clock and timer supplied by the runtime: the only time trait of the crate.
///
/// The core never reads the system clock itself: call deadlines, retry backoff and long-poll
/// pacing all go through this trait, so a test can drive time by hand
/// ([`ManualClock`](crate::testing::ManualClock) with feature `testing`). The HTTP/2 engine
/// uses the same trait for its timeouts and keepalive pings (an engine runtime is a
/// `Clock`), so an adapter implements sleeping once.
///
/// ```
/// use core::time::Duration;
/// use temporal_lite_core::time::{Clock, Sleep};
///
/// /// A clock for a firmware whose timer ticks in milliseconds.
/// struct Ticks;
///
/// impl Clock for Ticks {
///     fn now(&self) -> Duration {
///         Duration::from_millis(0) // read the hardware counter here
///     }
///     fn sleep(&self, duration: Duration) -> Sleep {
///         Box::pin(async move { let _ = duration; /* await the timer here */ })
///     }
/// }
/// ```
pub trait Clock: Send + Sync {
    /// Time elapsed since an arbitrary, fixed origin. Must never go backwards.
    fn now(&self) -> Duration;

    /// A future that completes once `duration` has elapsed on this clock. It must not
    /// borrow `self` (it may outlive the call), and must be pollable from any task.
    fn sleep(&self, duration: Duration) -> Sleep;
}
