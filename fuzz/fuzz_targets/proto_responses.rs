//! prost decoding of every message the client reads from the server: the WorkflowService
//! responses, `google.rpc.Status` and the error details inside it, failures. Whatever
//! decodes must re-encode to bytes that decode to the same encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use temporal_lite_proto::google::rpc::Status as RpcStatus;
use temporal_lite_proto::temporal::api::errordetails::v1 as details;
use temporal_lite_proto::temporal::api::failure::v1::Failure;
use temporal_lite_proto::temporal::api::workflowservice::v1 as service;

fn round_trip<M: Message + Default + std::fmt::Debug>(bytes: &[u8]) {
    let Ok(message) = M::decode(bytes) else {
        return;
    };
    let once = message.encode_to_vec();
    assert_eq!(once.len(), message.encoded_len());
    let again = M::decode(&once[..]).expect("our own encoding decodes");
    assert_eq!(again.encode_to_vec(), once);
    let _ = format!("{message:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    match selector % 18 {
        0 => round_trip::<service::GetSystemInfoResponse>(bytes),
        1 => round_trip::<service::StartWorkflowExecutionResponse>(bytes),
        2 => round_trip::<service::DescribeWorkflowExecutionResponse>(bytes),
        3 => round_trip::<service::GetWorkflowExecutionHistoryResponse>(bytes),
        4 => round_trip::<service::SignalWorkflowExecutionResponse>(bytes),
        5 => round_trip::<service::SignalWithStartWorkflowExecutionResponse>(bytes),
        6 => round_trip::<service::QueryWorkflowResponse>(bytes),
        7 => round_trip::<service::RequestCancelWorkflowExecutionResponse>(bytes),
        8 => round_trip::<service::TerminateWorkflowExecutionResponse>(bytes),
        9 => round_trip::<service::ListWorkflowExecutionsResponse>(bytes),
        10 => round_trip::<service::CountWorkflowExecutionsResponse>(bytes),
        11 => round_trip::<RpcStatus>(bytes),
        12 => round_trip::<details::WorkflowExecutionAlreadyStartedFailure>(bytes),
        13 => round_trip::<details::NamespaceNotFoundFailure>(bytes),
        14 => round_trip::<details::NotFoundFailure>(bytes),
        15 => round_trip::<details::PermissionDeniedFailure>(bytes),
        16 => round_trip::<details::QueryFailedFailure>(bytes),
        _ => round_trip::<Failure>(bytes),
    }
});
