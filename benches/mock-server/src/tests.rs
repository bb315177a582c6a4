use prost::Message;
use temporal_lite_proto::temporal::api::workflowservice::v1::StartWorkflowExecutionRequest;

/// `bench_common::StartRequest` carries the real message's field numbers: its encoding reads
/// back as temporal-lite-proto's full type with every field where the server looks for it.
#[test]
fn start_request_decodes_as_the_real_message() {
    let bytes = crate::start_request("ns", "wf-1", 7);
    let request = StartWorkflowExecutionRequest::decode(bytes.as_slice()).unwrap();
    assert_eq!(request.namespace, "ns");
    assert_eq!(request.workflow_id, "wf-1");
    assert_eq!(request.request_id, "wf-1-req");
    assert_eq!(request.identity, "bench@floor");
    assert_eq!(request.workflow_type.unwrap().name, "BenchWorkflow");
    assert_eq!(request.task_queue.unwrap().name, "bench");
    let payloads = request.input.unwrap().payloads;
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0].metadata["encoding"], b"json/plain");
    assert_eq!(payloads[0].data, br#"{"n":7,"note":"bench"}"#);
}
