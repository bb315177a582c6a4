//! Listing and counting workflows through the public API, over `testing::MockTransport`:
//! the stream's paging and limit, and a count's groups.

use temporal_lite_core::client::Error;
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::grpc::{Code, Status};
use temporal_lite_core::testing::{block_on, MockTransport};
use temporal_lite_proto::temporal::api::common::v1::WorkflowExecution;
use temporal_lite_proto::temporal::api::workflow::v1::WorkflowExecutionInfo;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    count_workflow_executions_response::AggregationGroup, CountWorkflowExecutionsResponse,
    ListWorkflowExecutionsRequest, ListWorkflowExecutionsResponse,
};

const LIST: &str = "ListWorkflowExecutions";

fn page(ids: &[&str], next_page_token: &[u8]) -> ListWorkflowExecutionsResponse {
    ListWorkflowExecutionsResponse {
        executions: ids
            .iter()
            .map(|id| WorkflowExecutionInfo {
                execution: Some(WorkflowExecution {
                    workflow_id: id.to_string(),
                    run_id: format!("{id}-run"),
                }),
                ..Default::default()
            })
            .collect(),
        next_page_token: next_page_token.to_vec(),
    }
}

fn all(list: &mut temporal_lite_core::client::WorkflowList) -> Vec<Result<String, Error>> {
    let mut items = Vec::new();
    while let Some(item) = block_on(list.next_workflow()) {
        items.push(item.map(|w| w.workflow_id));
    }
    items
}

#[test]
fn the_stream_reads_every_page_with_its_token() {
    let mock = MockTransport::new();
    mock.on(LIST)
        .respond(page(&["a", "b"], b"p2"))
        .respond(page(&["c"], b""));
    let client = mock.client(ConnectOptions::new("localhost:7233"));
    let mut list = client.list_workflows("WorkflowType = 'Echo'").page_size(2);
    let ids: Vec<String> = all(&mut list).into_iter().map(Result::unwrap).collect();
    assert_eq!(ids, ["a", "b", "c"]);

    let requests: Vec<ListWorkflowExecutionsRequest> = mock
        .requests_for(LIST)
        .iter()
        .map(|r| r.decode().unwrap())
        .collect();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].query, "WorkflowType = 'Echo'");
    assert_eq!(requests[0].page_size, 2);
    assert!(requests[0].next_page_token.is_empty());
    assert_eq!(requests[1].next_page_token, b"p2");
}

#[test]
fn a_limit_stops_the_stream_without_fetching_more_pages() {
    let mock = MockTransport::new();
    mock.on(LIST)
        .respond(page(&["a", "b"], b"p2"))
        .respond(page(&["c", "d"], b"p3"));
    let client = mock.client(ConnectOptions::new("localhost:7233"));
    let mut list = client.list_workflows("").limit(3);
    let ids: Vec<String> = all(&mut list).into_iter().map(Result::unwrap).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(mock.requests_for(LIST).len(), 2);

    let mut none = client.list_workflows("").limit(0);
    assert!(all(&mut none).is_empty());
    assert_eq!(
        mock.requests_for(LIST).len(),
        2,
        "a zero limit makes no call"
    );
}

#[test]
fn an_error_ends_the_stream_after_it_is_returned() {
    let mock = MockTransport::new();
    mock.on(LIST)
        .respond(page(&["a"], b"p2"))
        .respond_status(Status::new(Code::INVALID_ARGUMENT, "bad query"));
    let client = mock.client(ConnectOptions::new("localhost:7233"));
    let items = all(&mut client.list_workflows("x"));
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_deref().unwrap(), "a");
    assert!(items[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("bad query"));
}

#[test]
fn a_count_with_group_by_returns_its_groups() {
    let mock = MockTransport::new();
    let json = |text: &str| temporal_lite_core::payload::Payload {
        metadata: [("encoding".to_string(), b"json/plain".to_vec())].into(),
        data: format!("\"{text}\"").into_bytes(),
        ..Default::default()
    };
    mock.on("CountWorkflowExecutions")
        .respond(CountWorkflowExecutionsResponse {
            count: 5,
            groups: vec![
                AggregationGroup {
                    group_values: vec![json("Running")],
                    count: 2,
                },
                AggregationGroup {
                    group_values: vec![json("Completed")],
                    count: 3,
                },
            ],
        });
    let client = mock.client(ConnectOptions::new("localhost:7233"));
    let count = block_on(client.count_workflows("GROUP BY ExecutionStatus")).expect("a count");
    assert_eq!(count.count, 5);
    let groups: Vec<(String, u64)> = count
        .groups
        .iter()
        .map(|g| (client.decode::<String>(&g.values[0]).unwrap(), g.count))
        .collect();
    assert_eq!(
        groups,
        [("Running".to_string(), 2), ("Completed".to_string(), 3)]
    );
}
