//! Visibility: list and count workflow executions with a visibility query
//! (e.g. `WorkflowType = 'Echo' AND ExecutionStatus = 'Running'`).
//!
//! Visibility is updated asynchronously by the server, so a workflow started a moment ago
//! may not be listed or counted yet.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};

use temporal_lite_proto::temporal::api::workflowservice::v1::{
    CountWorkflowExecutionsRequest, CountWorkflowExecutionsResponse, ListWorkflowExecutionsRequest,
    ListWorkflowExecutionsResponse,
};

use super::call::Call;
use super::codec::Slots;
use super::description::WorkflowInfo;
use super::pages::Pages;
use super::{CallFuture, CallOptions, Client, Error, MakeCall};
use crate::payload::Payload;

/// One page of [`Client::list_workflows_page`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkflowExecutionPage {
    /// The executions on this page.
    pub executions: Vec<WorkflowInfo>,
    /// Pass this to the next `list_workflows_page` call; empty on the last page.
    pub next_page_token: Vec<u8>,
}

impl WorkflowExecutionPage {
    /// Whether there is a next page to ask for.
    pub fn has_next(&self) -> bool {
        !self.next_page_token.is_empty()
    }
}

/// The answer to [`Client::count_workflows`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkflowCount {
    /// How many workflows match the query.
    pub count: u64,
    /// With a `GROUP BY` in the query (e.g. `GROUP BY ExecutionStatus`), the count of each
    /// group; empty otherwise.
    pub groups: Vec<WorkflowCountGroup>,
}

/// One group of a [`WorkflowCount`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkflowCountGroup {
    /// The values of the `GROUP BY` attributes for this group, in their order, as the server
    /// encodes them (JSON): read them with [`Client::decode`], e.g. as a `String`.
    pub values: Vec<Payload>,
    /// How many workflows are in this group.
    pub count: u64,
}

impl Client {
    /// The workflows matching a visibility `query` (empty for all), as a stream
    /// ([`WorkflowList`]) fetching page after page as it is read; set a
    /// [limit](WorkflowList::limit) to stop early.
    pub fn list_workflows(&self, query: &str) -> WorkflowList {
        WorkflowList {
            client: self.clone(),
            query: String::from(query),
            page_size: 0,
            options: CallOptions::default(),
            pages: Pages::new(),
        }
    }

    /// One page of the workflows matching a visibility `query`, for paging by hand: pass an
    /// empty `next_page_token` for the first page, then the token of the previous page.
    /// `page_size` 0 uses the server default.
    pub fn list_workflows_page<'a>(
        &'a self,
        query: &'a str,
        page_size: u32,
        next_page_token: &'a [u8],
    ) -> CallFuture<impl MakeCall<Output = WorkflowExecutionPage> + 'a> {
        CallFuture::new(move |options| async move {
            self.workflow_page(query, page_size, next_page_token.to_vec(), &options?)
                .await
        })
    }

    /// How many workflows match a visibility `query` (empty for all), and with a
    /// `GROUP BY` how many are in each group.
    pub fn count_workflows<'a>(
        &'a self,
        query: &'a str,
    ) -> CallFuture<impl MakeCall<Output = WorkflowCount> + 'a> {
        CallFuture::new(move |options| async move {
            let request = CountWorkflowExecutionsRequest {
                namespace: String::from(self.namespace()),
                query: String::from(query),
            };
            let response: CountWorkflowExecutionsResponse = self
                .call_with(Call::read("CountWorkflowExecutions"), &request, &options?)
                .await?;
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            Ok(WorkflowCount {
                count: count(response.count),
                groups: response
                    .groups
                    .into_iter()
                    .map(|group| WorkflowCountGroup {
                        values: group.group_values,
                        count: count(group.count),
                    })
                    .collect(),
            })
        })
    }

    async fn workflow_page(
        &self,
        query: &str,
        page_size: u32,
        next_page_token: Vec<u8>,
        options: &CallOptions,
    ) -> Result<WorkflowExecutionPage, Error> {
        let request = ListWorkflowExecutionsRequest {
            namespace: String::from(self.namespace()),
            page_size: i32::try_from(page_size).unwrap_or(i32::MAX),
            next_page_token,
            query: String::from(query),
        };
        let mut response: ListWorkflowExecutionsResponse = self
            .call_with(Call::read("ListWorkflowExecutions"), &request, options)
            .await?;
        let mut slots = Slots::new();
        for execution in &mut response.executions {
            slots.memo(execution.memo.as_mut());
        }
        self.decode_slots(slots).await?;
        Ok(WorkflowExecutionPage {
            executions: response
                .executions
                .into_iter()
                .map(WorkflowInfo::from)
                .collect(),
            next_page_token: response.next_page_token,
        })
    }
}

/// The workflows matching a query, page by page, as an async stream
/// ([`Client::list_workflows`]).
///
/// Read it with [`next_workflow`](Self::next_workflow) or through `futures_core::Stream`.
/// An error ends the stream after it is returned.
///
/// ```no_run
/// # use temporal_lite_core::client::{Client, Error};
/// # async fn demo(client: &Client) -> Result<(), Error> {
/// let mut running = client.list_workflows("ExecutionStatus = 'Running'").limit(100);
/// while let Some(workflow) = running.next_workflow().await {
///     let workflow = workflow?;
///     println!("{} {}", workflow.workflow_id, workflow.workflow_type);
/// }
/// # Ok(()) }
/// ```
pub struct WorkflowList {
    client: Client,
    query: String,
    page_size: u32,
    options: CallOptions,
    pages: Pages<WorkflowInfo>,
}

impl WorkflowList {
    /// Stop after `limit` workflows.
    pub fn limit(mut self, limit: usize) -> Self {
        self.pages.limit(limit);
        self
    }

    /// Ask for pages of `page_size` workflows (0, the default: the server's default).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// Make each page's call with `options` (a deadline, metadata).
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// The next workflow; `None` at the end (or at the limit).
    pub async fn next_workflow(&mut self) -> Option<Result<WorkflowInfo, Error>> {
        core::future::poll_fn(|cx| self.poll_workflow(cx)).await
    }

    fn poll_workflow(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<WorkflowInfo, Error>>> {
        let Self {
            client,
            query,
            page_size,
            options,
            pages,
        } = self;
        pages.poll_next(cx, |token| {
            let (client, query, options) = (client.clone(), query.clone(), options.clone());
            let page_size = *page_size;
            Box::pin(async move {
                let page = client
                    .workflow_page(&query, page_size, token, &options)
                    .await?;
                Ok((page.executions, page.next_page_token))
            })
        })
    }
}

impl futures_core::Stream for WorkflowList {
    type Item = Result<WorkflowInfo, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_workflow(cx)
    }
}

impl fmt::Debug for WorkflowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowList")
            .field("query", &self.query)
            .field("buffered", &self.pages.buffered())
            .field("finished", &self.pages.is_finished())
            .finish()
    }
}
