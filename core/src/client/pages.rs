//! [`Pages`]: the paging behind the client's listing streams ([`WorkflowList`](super::WorkflowList),
//! [`ScheduleList`](super::ScheduleList)): fetch a page, hand out its items, fetch the
//! next with its token, stop at the last page, at a limit, or after an error.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::Error;

/// One page: its items and the token of the next (empty on the last page).
pub(crate) type Page<T> = (Vec<T>, Vec<u8>);

/// A page being fetched.
pub(crate) type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

/// Where a listing is: the items of the page in hand, the page being fetched, what is left.
pub(crate) struct Pages<T> {
    next_page_token: Vec<u8>,
    buffered: VecDeque<T>,
    pending: Option<PageFuture<T>>,
    finished: bool,
    /// How many more items to hand out; `None`: all.
    remaining: Option<usize>,
}

impl<T> Pages<T> {
    pub(crate) fn new() -> Self {
        Self {
            next_page_token: Vec::new(),
            buffered: VecDeque::new(),
            pending: None,
            finished: false,
            remaining: None,
        }
    }

    /// Hand out at most `limit` items in all.
    pub(crate) fn limit(&mut self, limit: usize) {
        self.remaining = Some(limit);
    }

    /// How many items are at hand, fetched but not handed out yet.
    pub(crate) fn buffered(&self) -> usize {
        self.buffered.len()
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished || self.remaining == Some(0)
    }

    /// The next item, fetching a page with `fetch(next_page_token)` when none is at hand.
    pub(crate) fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
        mut fetch: impl FnMut(Vec<u8>) -> PageFuture<T>,
    ) -> Poll<Option<Result<T, Error>>> {
        loop {
            if self.remaining == Some(0) {
                return Poll::Ready(None);
            }
            if let Some(item) = self.buffered.pop_front() {
                if let Some(remaining) = &mut self.remaining {
                    *remaining -= 1;
                }
                return Poll::Ready(Some(Ok(item)));
            }
            if self.finished {
                return Poll::Ready(None);
            }
            let pending = self
                .pending
                .get_or_insert_with(|| fetch(core::mem::take(&mut self.next_page_token)));
            let result = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            };
            self.pending = None;
            match result {
                Ok((items, next_page_token)) => {
                    self.buffered.extend(items);
                    self.finished = next_page_token.is_empty();
                    self.next_page_token = next_page_token;
                }
                Err(error) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}
