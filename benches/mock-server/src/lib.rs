//! Bare-h2 gRPC pieces shared by the mock server, the floor client and the capture tool.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{BufMut, Bytes, BytesMut};
use prost::Message;
use temporal_lite_proto::temporal::api::common::v1::WorkflowExecution;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    DescribeWorkflowExecutionRequest, GetSystemInfoRequest, GetWorkflowExecutionHistoryRequest,
};

/// gRPC method paths of the four methods the benchmark uses.
pub mod paths {
    /// GetSystemInfo.
    pub const SYSTEM_INFO: &str = "/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo";
    /// StartWorkflowExecution.
    pub const START: &str =
        "/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution";
    /// DescribeWorkflowExecution.
    pub const DESCRIBE: &str =
        "/temporal.api.workflowservice.v1.WorkflowService/DescribeWorkflowExecution";
    /// GetWorkflowExecutionHistory.
    pub const HISTORY: &str =
        "/temporal.api.workflowservice.v1.WorkflowService/GetWorkflowExecutionHistory";
}

/// A gRPC length-prefixed message (`flag`: 0 plain, 1 compressed).
pub fn frame(flag: u8, msg: &[u8]) -> Bytes {
    let mut b = BytesMut::with_capacity(5 + msg.len());
    b.put_u8(flag);
    b.put_u32(msg.len() as u32);
    b.put_slice(msg);
    b.freeze()
}

/// The message of a framed body (uncompressed only), or `None`.
pub fn unframe(body: &[u8]) -> Option<&[u8]> {
    if body.len() < 5 || body[0] != 0 {
        return None;
    }
    let n = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
    body.get(5..5 + n)
}

/// A workflow id nobody used before.
pub fn fresh_id(tag: &str) -> String {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("bench-{tag}-{}-{t}", std::process::id())
}

/// The StartWorkflowExecution request every client sends (`bench_common::StartRequest`).
pub fn start_request(namespace: &str, workflow_id: &str, n: usize) -> Vec<u8> {
    bench_common::StartRequest::template(namespace, "bench@floor")
        .for_call(workflow_id.to_string(), n)
        .encode_to_vec()
}

/// DescribeWorkflowExecution of `workflow_id`.
pub fn describe_request(namespace: &str, workflow_id: &str) -> Vec<u8> {
    DescribeWorkflowExecutionRequest {
        namespace: namespace.into(),
        execution: Some(WorkflowExecution {
            workflow_id: workflow_id.into(),
            run_id: String::new(),
        }),
    }
    .encode_to_vec()
}

/// GetWorkflowExecutionHistory (first page) of `workflow_id`.
pub fn history_request(namespace: &str, workflow_id: &str) -> Vec<u8> {
    GetWorkflowExecutionHistoryRequest {
        namespace: namespace.into(),
        execution: Some(WorkflowExecution {
            workflow_id: workflow_id.into(),
            run_id: String::new(),
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

/// GetSystemInfo.
pub fn system_info_request() -> Vec<u8> {
    GetSystemInfoRequest {}.encode_to_vec()
}

/// An HTTP/2 connection carrying unary gRPC calls.
#[derive(Clone)]
pub struct H2Client {
    send: h2::client::SendRequest<Bytes>,
    authority: String,
}

/// What a unary call returned.
pub struct Reply {
    /// `grpc-status` (from trailers or a trailers-only response); 0 is OK.
    pub grpc_status: u32,
    /// `grpc-message`, if any.
    pub grpc_message: String,
    /// The whole response body (framed).
    pub body: Bytes,
}

impl H2Client {
    /// Connect over plain TCP and spawn the connection task on the current runtime.
    pub async fn connect(target: &str) -> Result<H2Client, String> {
        let tcp = tokio::net::TcpStream::connect(target)
            .await
            .map_err(|e| format!("connect {target}: {e}"))?;
        let _ = tcp.set_nodelay(true);
        let (send, conn) = h2::client::Builder::new()
            .initial_window_size(1 << 20)
            .initial_connection_window_size(1 << 22)
            .handshake(tcp)
            .await
            .map_err(|e| format!("h2 handshake with {target}: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(H2Client {
            send,
            authority: target.to_string(),
        })
    }

    /// POST `body` (already framed) to `path` and read the whole reply.
    pub async fn unary(&self, path: &str, body: Bytes) -> Result<Reply, String> {
        let req = http::Request::builder()
            .method("POST")
            .uri(format!("http://{}{path}", self.authority))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .header("temporal-namespace", "default")
            .body(())
            .map_err(|e| e.to_string())?;
        let mut send = self.send.clone().ready().await.map_err(|e| e.to_string())?;
        let (resp, mut stream) = send.send_request(req, false).map_err(|e| e.to_string())?;
        stream.send_data(body, true).map_err(|e| e.to_string())?;
        let resp = resp.await.map_err(|e| e.to_string())?;
        let (parts, mut recv) = resp.into_parts();
        let header = |h: &http::HeaderMap, name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if parts.status != http::StatusCode::OK {
            return Err(format!("http status {}", parts.status));
        }
        // Trailers-only response: the status is in the headers.
        if let Some(s) = header(&parts.headers, "grpc-status") {
            return Ok(Reply {
                grpc_status: s.parse().unwrap_or(2),
                grpc_message: header(&parts.headers, "grpc-message").unwrap_or_default(),
                body: Bytes::new(),
            });
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = recv.data().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            let _ = recv.flow_control().release_capacity(chunk.len());
            body.extend_from_slice(&chunk);
        }
        let trailers = recv
            .trailers()
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        Ok(Reply {
            grpc_status: header(&trailers, "grpc-status")
                .and_then(|s| s.parse().ok())
                .unwrap_or(2),
            grpc_message: header(&trailers, "grpc-message").unwrap_or_default(),
            body: body.freeze(),
        })
    }
}

#[cfg(test)]
mod tests;
