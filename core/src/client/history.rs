//! One page of a workflow's history: how to ask for it, what comes back, and how long
//! polls that come back empty are spaced out.

use alloc::vec::Vec;
use core::time::Duration;

use temporal_lite_proto::temporal::api::history::v1::HistoryEvent;

/// Which events a history request returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HistoryEventFilter {
    /// Every event (the default).
    #[default]
    AllEvents,
    /// Only the event that closed the run (completed, failed, canceled, terminated, timed
    /// out, continued as new).
    CloseEvent,
}

/// How to fetch one page of history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryPageOptions {
    /// The token from the previous page; empty for the first page.
    pub next_page_token: Vec<u8>,
    /// Long-poll: hold the call until a new (matching) event exists or the server's long-poll
    /// interval passes. An empty page with a token then means "nothing yet, ask again".
    pub wait_new_event: bool,
    /// Which events to return.
    pub event_filter: HistoryEventFilter,
    /// Do not look in the archival store for closed, archived workflows.
    pub skip_archival: bool,
    /// Events per page; 0 = the server's default.
    pub maximum_page_size: u32,
}

/// One page of history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryPage {
    /// The events, oldest first.
    pub events: Vec<HistoryEvent>,
    /// Pass this as [`HistoryPageOptions::next_page_token`] for the next page; empty when
    /// there are no more events (and, with `wait_new_event`, the run is closed).
    pub next_page_token: Vec<u8>,
    /// Whether the history came from the archival store.
    pub archived: bool,
}

impl HistoryPage {
    /// Whether there is a next page to ask for.
    pub fn has_next(&self) -> bool {
        !self.next_page_token.is_empty()
    }
}

/// Spaces out history long polls that come back empty at once.
///
/// The server answers a long poll (`wait_new_event`) with an empty page and a token when its
/// long-poll interval passes with nothing new, and *at once* when the call's deadline leaves
/// it no time to wait (a [`long_poll_timeout`](super::RpcOptions::long_poll_timeout) of
/// about a second or less). Polling again at once would then spin. So after an empty page
/// the next poll starts no sooner than a pause after the previous one started: 100 ms,
/// doubling with each empty page up to 1 s, and back to 100 ms once events arrive. A poll
/// the server held for that long already is followed at once.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LongPollPacer {
    /// The pause used after the last empty page; zero after events (or at first).
    pause: Duration,
}

impl LongPollPacer {
    const FIRST_PAUSE: Duration = Duration::from_millis(100);
    const MAX_PAUSE: Duration = Duration::from_secs(1);

    /// Record a page that took `elapsed` to fetch and return how long to wait before the
    /// next poll (zero: poll at once).
    pub(crate) fn after_page(&mut self, page: &HistoryPage, elapsed: Duration) -> Duration {
        if !page.events.is_empty() || !page.has_next() {
            self.pause = Duration::ZERO;
            return Duration::ZERO;
        }
        self.pause = if self.pause.is_zero() {
            Self::FIRST_PAUSE
        } else {
            self.pause.saturating_mul(2).min(Self::MAX_PAUSE)
        };
        self.pause.saturating_sub(elapsed)
    }
}
