//! [`ManualClock`]: virtual time for tests.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::poll_fn;
use core::task::{Poll, Waker};
use core::time::Duration;

use crate::time::{Clock, Sleep};

/// A [`Clock`] whose time only moves when a sleep, a scripted delay or the test moves it.
///
/// Time starts at zero, so [`now`](Clock::now) is also the virtual time elapsed since the
/// clock was made. There are two modes:
///
/// - **Auto-advancing** ([`new`](Self::new), the default): a
///   [`sleep`](Clock::sleep) moves time forward by its duration and returns at once. Code
///   that backs off, retries and checks deadlines runs to completion without waiting, and
///   the test then asserts how much virtual time passed.
/// - **Paused** ([`paused`](Self::paused)): a sleep pends until the test moves time past
///   its end with [`advance`](Self::advance). Use it to check what code does *while* it
///   waits (poll its future with [`poll_once`](super::poll_once) in between).
///
/// Every duration passed to [`Clock::sleep`] is logged, in order, for assertions on backoff
/// ([`sleeps`](Self::sleeps)); the delays a [`MockTransport`](super::MockTransport) spends
/// on scripted replies move the same time but are not logged.
///
/// ```
/// use core::time::Duration;
/// use temporal_lite_core::testing::{block_on, ManualClock};
/// use temporal_lite_core::time::Clock;
///
/// let clock = ManualClock::new();
/// block_on(clock.sleep(Duration::from_millis(250)));
/// assert_eq!(clock.now(), Duration::from_millis(250));
/// assert_eq!(clock.sleeps(), [Duration::from_millis(250)]);
/// ```
#[derive(Debug)]
pub struct ManualClock {
    /// Shared with the sleeps handed out, which outlive the call that made them.
    state: Arc<spin::Mutex<State>>,
}

#[derive(Debug)]
struct State {
    now: Duration,
    auto_advance: bool,
    sleeps: Vec<Duration>,
    waiters: Vec<Waiter>,
    next_id: u64,
}

/// A pending sleep of a paused clock.
#[derive(Debug)]
struct Waiter {
    id: u64,
    deadline: Duration,
    waker: Waker,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// An auto-advancing clock at time zero: sleeps return at once, moving time forward.
    pub fn new() -> Self {
        Self::with_mode(true)
    }

    /// A paused clock at time zero: sleeps pend until [`advance`](Self::advance) moves time
    /// past their end.
    pub fn paused() -> Self {
        Self::with_mode(false)
    }

    fn with_mode(auto_advance: bool) -> Self {
        Self {
            state: Arc::new(spin::Mutex::new(State {
                now: Duration::ZERO,
                auto_advance,
                sleeps: Vec::new(),
                waiters: Vec::new(),
                next_id: 0,
            })),
        }
    }

    /// Switch between auto-advancing (`true`) and paused (`false`). Sleeps already pending
    /// keep waiting for time to reach their end.
    pub fn set_auto_advance(&self, auto_advance: bool) {
        self.state.lock().auto_advance = auto_advance;
    }

    /// Whether sleeps move time forward by themselves.
    pub fn is_auto_advance(&self) -> bool {
        self.state.lock().auto_advance
    }

    /// Move time forward by `duration` and wake every sleep that has ended by then.
    ///
    /// Sleeps woken this way complete the next time their future is polled.
    pub fn advance(&self, duration: Duration) {
        let woken = {
            let mut state = self.state.lock();
            state.now = state.now.saturating_add(duration);
            state.take_due()
        };
        woken.into_iter().for_each(Waker::wake);
    }

    /// When the earliest pending sleep ends, if any sleep is pending (paused mode).
    pub fn next_wakeup(&self) -> Option<Duration> {
        self.state.lock().waiters.iter().map(|w| w.deadline).min()
    }

    /// How many sleeps (and scripted transport delays) are pending (paused mode).
    pub fn pending_sleeps(&self) -> usize {
        self.state.lock().waiters.len()
    }

    /// Every duration passed to [`Clock::sleep`], in call order. Transport delays are not
    /// included.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().sleeps.clone()
    }

    /// Wait `duration` of virtual time without logging it as a sleep: at once in
    /// auto-advance mode, else until the test advances time.
    pub(crate) fn pass(&self, duration: Duration) -> Sleep {
        self.wait(duration, false)
    }

    /// A sleep that, when first polled, logs `duration` (if `log`) and, in auto-advance
    /// mode, moves time forward by it; then pends until time has reached its end.
    fn wait(&self, duration: Duration, log: bool) -> Sleep {
        let state = self.state.clone();
        Box::pin(async move {
            let (deadline, woken) = {
                let mut state = state.lock();
                if log {
                    state.sleeps.push(duration);
                }
                let deadline = state.now.saturating_add(duration);
                if state.auto_advance {
                    state.now = deadline;
                    (deadline, state.take_due())
                } else {
                    (deadline, Vec::new())
                }
            };
            woken.into_iter().for_each(Waker::wake);
            wait_until(state, deadline).await;
        })
    }
}

/// Pend until the time of `state` reaches `deadline`.
async fn wait_until(state: Arc<spin::Mutex<State>>, deadline: Duration) {
    let id = {
        let mut state = state.lock();
        if state.now >= deadline {
            return;
        }
        state.next_id += 1;
        state.next_id
    };
    // Unregisters the waiter if the sleep is dropped before it ends.
    let guard = Unregister { state, id };
    poll_fn(|cx| {
        let mut state = guard.state.lock();
        if state.now >= deadline {
            state.waiters.retain(|w| w.id != id);
            return Poll::Ready(());
        }
        match state.waiters.iter_mut().find(|w| w.id == id) {
            Some(waiter) => waiter.waker.clone_from(cx.waker()),
            None => state.waiters.push(Waiter {
                id,
                deadline,
                waker: cx.waker().clone(),
            }),
        }
        Poll::Pending
    })
    .await;
}

impl State {
    /// Remove the waiters whose deadline has passed and return their wakers.
    fn take_due(&mut self) -> Vec<Waker> {
        let now = self.now;
        let mut woken = Vec::new();
        self.waiters.retain(|w| {
            if w.deadline <= now {
                woken.push(w.waker.clone());
                false
            } else {
                true
            }
        });
        woken
    }
}

struct Unregister {
    state: Arc<spin::Mutex<State>>,
    id: u64,
}

impl Drop for Unregister {
    fn drop(&mut self) {
        self.state.lock().waiters.retain(|w| w.id != self.id);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        self.state.lock().now
    }

    /// Log `duration`, then: in auto-advance mode move time forward by it and return; when
    /// paused, pend until the test has advanced time by at least `duration`.
    fn sleep(&self, duration: Duration) -> Sleep {
        self.wait(duration, true)
    }
}
