//! How a workflow ended: [`WorkflowHandle::outcome`] and [`WorkflowHandle::result`], which
//! wait for the close event of its run, following continue-as-new, cron and retry runs.

use alloc::boxed::Box;
use alloc::string::String;

use temporal_lite_proto::temporal::api::common::v1::Payloads;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;
use temporal_lite_proto::temporal::api::history::v1::HistoryEvent;

use super::call::Wait;
use super::codec::Slots;
use super::failure::{Failure, WorkflowError, WorkflowFailure, WorkflowOutcome};
use super::history::{HistoryEventFilter, HistoryPageOptions, LongPollPacer};
use super::status::RetryState;
use super::{CallFuture, CallOptions, Error, MakeCall, WorkflowHandle};
use crate::payload::{decode_first, FromValue};

impl WorkflowHandle {
    /// Wait for the workflow to close and return how it ended, without decoding the result.
    ///
    /// Starts at [`result_run_id`](Self::result_run_id) (the latest run when `None`) and
    /// follows the chain: a run that continued as new, or that completed / failed / timed out
    /// with a next run scheduled (cron, retry policy), is followed to its next run. Canceled
    /// and terminated are final.
    ///
    /// It waits as long as it takes: there is no deadline, and transient failures
    /// (connections refused or reset, `UNAVAILABLE`, GOAWAY, a poll that got no answer
    /// within [`long_poll_timeout`](super::RpcOptions::long_poll_timeout)) are retried with
    /// backoff (capped at [`RetryConfig::max_interval`](super::RetryConfig::max_interval)),
    /// so it outlives a server restart, a rolling deploy or a network partition. To bound
    /// the wait, give it a deadline with [`CallFuture::timeout`] (or drop the future):
    /// nothing is lost.
    ///
    /// Long polls that the server answers at once with nothing new (as it does when
    /// [`long_poll_timeout`](super::RpcOptions::long_poll_timeout) is about a second or
    /// less) are spaced out: 100 ms, doubling up to 1 s.
    pub fn outcome(&self) -> CallFuture<impl MakeCall<Output = WorkflowOutcome> + '_> {
        self.outcome_following(true)
    }

    /// Like [`outcome`](Self::outcome); with `follow_runs` false, stops at the first run that
    /// closes, whatever comes next (a continue-as-new is then
    /// [`WorkflowOutcome::ContinuedAsNew`]).
    pub fn outcome_following(
        &self,
        follow_runs: bool,
    ) -> CallFuture<impl MakeCall<Output = WorkflowOutcome> + '_> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            self.outcome_with(follow_runs, &call_options).await
        })
    }

    /// Like [`outcome_following`](Self::outcome_following), within the deadline of
    /// `call_options` (which then bounds the whole wait, every poll included).
    pub(crate) async fn outcome_with(
        &self,
        follow_runs: bool,
        call_options: &CallOptions,
    ) -> Result<WorkflowOutcome, Error> {
        let deadline = self.client.deadline(Wait::LongPoll, call_options);
        let mut run_id = self.result_run_id.clone().or_else(|| self.run_id.clone());
        let mut pacer = LongPollPacer::default();
        'runs: loop {
            let mut options = HistoryPageOptions {
                wait_new_event: true,
                event_filter: HistoryEventFilter::CloseEvent,
                skip_archival: true,
                ..HistoryPageOptions::default()
            };
            loop {
                let page = self
                    .fetch_page_paced(
                        run_id.as_deref(),
                        &options,
                        &mut pacer,
                        Some(deadline),
                        &call_options.metadata,
                    )
                    .await?;
                let Some(event) = page.events.into_iter().last() else {
                    if page.next_page_token.is_empty() {
                        return Err(Error::protocol(alloc::format!(
                            "history of workflow `{}` ended without a close event",
                            self.workflow_id
                        )));
                    }
                    // The long poll expired with nothing new (the pacer has waited if it
                    // came back too soon): ask again.
                    crate::observe::history_repoll(&self.workflow_id);
                    options.next_page_token = page.next_page_token;
                    continue;
                };
                let closed_run = run_id.clone().unwrap_or_default();
                let mut event = event;
                let mut slots = Slots::new();
                slots.close_event(&mut event);
                self.client.decode_slots(slots).await?;
                let (outcome, next_run) = self.close_event_outcome(event, closed_run)?;
                match next_run {
                    Some(next) if follow_runs && !next.is_empty() => {
                        run_id = Some(next);
                        continue 'runs;
                    }
                    _ => return Ok(outcome),
                }
            }
        }
    }

    /// Interpret a close event: the outcome, and the next run it points to (if any).
    fn close_event_outcome(
        &self,
        event: HistoryEvent,
        run_id: String,
    ) -> Result<(WorkflowOutcome, Option<String>), Error> {
        let not_completed = |failure| {
            WorkflowOutcome::NotCompleted(WorkflowError {
                workflow_id: self.workflow_id.clone(),
                run_id: run_id.clone(),
                failure,
            })
        };
        let payloads = |p: Option<Payloads>| p.map(|p| p.payloads).unwrap_or_default();
        Ok(match event.attributes {
            Some(Attributes::WorkflowExecutionCompletedEventAttributes(a)) => (
                WorkflowOutcome::Completed {
                    run_id: run_id.clone(),
                    result: payloads(a.result),
                },
                Some(a.new_execution_run_id),
            ),
            Some(Attributes::WorkflowExecutionFailedEventAttributes(a)) => (
                not_completed(WorkflowFailure::Failed {
                    failure: a
                        .failure
                        .map(Failure::from_proto)
                        .unwrap_or_else(|| Failure::from_proto(Default::default())),
                    retry_state: RetryState::from_i32(a.retry_state),
                }),
                Some(a.new_execution_run_id),
            ),
            Some(Attributes::WorkflowExecutionTimedOutEventAttributes(a)) => (
                not_completed(WorkflowFailure::TimedOut {
                    retry_state: RetryState::from_i32(a.retry_state),
                }),
                Some(a.new_execution_run_id),
            ),
            Some(Attributes::WorkflowExecutionCanceledEventAttributes(a)) => (
                not_completed(WorkflowFailure::Canceled {
                    details: payloads(a.details),
                }),
                None,
            ),
            Some(Attributes::WorkflowExecutionTerminatedEventAttributes(a)) => (
                not_completed(WorkflowFailure::Terminated {
                    reason: a.reason,
                    details: payloads(a.details),
                    identity: a.identity,
                }),
                None,
            ),
            Some(Attributes::WorkflowExecutionContinuedAsNewEventAttributes(a)) => (
                WorkflowOutcome::ContinuedAsNew {
                    run_id: run_id.clone(),
                    new_execution_run_id: a.new_execution_run_id.clone(),
                },
                Some(a.new_execution_run_id),
            ),
            _ => {
                return Err(Error::protocol(alloc::format!(
                    "workflow `{}`: expected a close event, got event {} of type {}",
                    self.workflow_id,
                    event.event_id,
                    event.event_type
                )))
            }
        })
    }

    /// Wait for the workflow to close (following continue-as-new, cron and retries like
    /// [`outcome`](Self::outcome)) and decode its result as `T`.
    ///
    /// Fails with [`Error::Workflow`] if it failed, was canceled, was terminated or timed out.
    pub fn result<'a, T: FromValue + Send + 'a>(
        &'a self,
    ) -> CallFuture<impl MakeCall<Output = T> + 'a> {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            match self.outcome_with(true, &call_options).await? {
                WorkflowOutcome::Completed { result, .. } => {
                    Ok(decode_first(self.client.converter(), &result).map_err(|e| {
                        e.context(alloc::format!("result of workflow `{}`", self.workflow_id))
                    })?)
                }
                WorkflowOutcome::NotCompleted(error) => Err(Error::Workflow(Box::new(error))),
                WorkflowOutcome::ContinuedAsNew { .. } => Err(Error::protocol(
                    "a followed run reported continue-as-new without a next run id",
                )),
            }
        })
    }
}
