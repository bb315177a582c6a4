//! [`HistoryEvents`]: a run's history as an async stream of events.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use temporal_lite_proto::temporal::api::history::v1::HistoryEvent;

use super::history::{HistoryPage, HistoryPageOptions, LongPollPacer};
use super::{Error, WorkflowHandle};

impl WorkflowHandle {
    /// The history of [`run_id`](Self::run_id) as a stream of events, fetched page by page
    /// starting at `options.next_page_token`.
    pub fn history_events(&self, options: HistoryPageOptions) -> HistoryEvents {
        HistoryEvents::new(self.clone(), options)
    }
}

type PageFuture = Pin<Box<dyn Future<Output = (LongPollPacer, Result<HistoryPage, Error>)> + Send>>;

/// The events of one run's history, page by page, as an async stream.
///
/// Read it with [`next_event`](Self::next_event), or through `futures_core::Stream`
/// (so `StreamExt` and friends from the `futures` crates work). It ends after the last
/// event; with `wait_new_event` it follows the run live until the run closes. An error ends
/// the stream after it is returned.
///
/// Long polls that the server answers at once with nothing new are spaced out (100 ms,
/// doubling up to 1 s, until events arrive), so a short
/// [`long_poll_timeout`](super::RpcOptions::long_poll_timeout) does not make it spin.
pub struct HistoryEvents {
    handle: WorkflowHandle,
    options: HistoryPageOptions,
    buffered: VecDeque<HistoryEvent>,
    pending: Option<PageFuture>,
    pacer: LongPollPacer,
    finished: bool,
}

impl HistoryEvents {
    pub(crate) fn new(handle: WorkflowHandle, options: HistoryPageOptions) -> Self {
        Self {
            handle,
            options,
            buffered: VecDeque::new(),
            pending: None,
            pacer: LongPollPacer::default(),
            finished: false,
        }
    }

    /// The next event; `None` at the end.
    pub async fn next_event(&mut self) -> Option<Result<HistoryEvent, Error>> {
        core::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<HistoryEvent, Error>>> {
        loop {
            if let Some(event) = self.buffered.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            if self.finished {
                return Poll::Ready(None);
            }
            let pending = self.pending.get_or_insert_with(|| {
                let handle = self.handle.clone();
                let options = self.options.clone();
                let mut pacer = self.pacer;
                Box::pin(async move {
                    let run_id = handle.run_id();
                    let result = handle
                        .fetch_page_paced(
                            run_id,
                            &options,
                            &mut pacer,
                            None,
                            &crate::grpc::Metadata::new(),
                        )
                        .await;
                    (pacer, result)
                })
            });
            let (pacer, result) = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(output) => output,
            };
            self.pending = None;
            self.pacer = pacer;
            match result {
                Ok(page) => {
                    self.buffered.extend(page.events);
                    if page.next_page_token.is_empty() {
                        self.finished = true;
                    }
                    self.options.next_page_token = page.next_page_token;
                }
                Err(error) => {
                    self.finished = true;
                    return Poll::Ready(Some(Err(error)));
                }
            }
        }
    }
}

impl futures_core::Stream for HistoryEvents {
    type Item = Result<HistoryEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx)
    }
}

impl futures_core::FusedStream for HistoryEvents {
    fn is_terminated(&self) -> bool {
        self.finished && self.buffered.is_empty()
    }
}

impl fmt::Debug for HistoryEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HistoryEvents")
            .field("workflow_id", &self.handle.workflow_id())
            .field("options", &self.options)
            .field("buffered", &self.buffered.len())
            .field("finished", &self.finished)
            .finish()
    }
}
