//! A mock Temporal frontend for the benchmark: a bare h2 server (no gRPC framework) that
//! answers GetSystemInfo, StartWorkflowExecution, DescribeWorkflowExecution and
//! GetWorkflowExecutionHistory at once with fixed valid responses, so that a client's
//! measured cost is its own.
//!
//! Responses are the bytes in `--responses DIR` (`sysinfo.bin`, `start.bin`,
//! `describe.bin`, `history.bin`: protobuf messages captured from a real dev server by the
//! `capture` tool); missing files fall back to small built-in messages. A request sent with
//! `grpc-encoding: gzip` gets a gzip-compressed reply, as a real server does.
//!
//! Prints `listening on HOST:PORT` once ready. Run it pinned: `taskset -c 1 mock-server`.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use bench_h2::{frame, paths};
use bytes::Bytes;
use prost::Message;
use temporal_lite_proto::temporal::api::common::v1::{WorkflowExecution, WorkflowType};
use temporal_lite_proto::temporal::api::history::v1::{history_event, History, HistoryEvent};
use temporal_lite_proto::temporal::api::history::v1::{
    WorkflowExecutionStartedEventAttributes, WorkflowTaskScheduledEventAttributes,
};
use temporal_lite_proto::temporal::api::taskqueue::v1::TaskQueue;
use temporal_lite_proto::temporal::api::workflow::v1::{
    WorkflowExecutionConfig, WorkflowExecutionInfo,
};
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    get_system_info_response::Capabilities, DescribeWorkflowExecutionResponse,
    GetSystemInfoResponse, GetWorkflowExecutionHistoryResponse, StartWorkflowExecutionResponse,
};

const RUN_ID: &str = "0198c8c4-6e4b-7d1a-9b8e-3f2a4c5d6e7f";

struct Reply {
    plain: Bytes,
    gzip: Bytes,
}

fn gzip(msg: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(msg);
    enc.finish().unwrap_or_default()
}

fn builtin(name: &str) -> Vec<u8> {
    let execution = Some(WorkflowExecution {
        workflow_id: "bench-wf".into(),
        run_id: RUN_ID.into(),
    });
    let wtype = Some(WorkflowType {
        name: "BenchWorkflow".into(),
    });
    let tq = Some(TaskQueue {
        name: "bench".into(),
        kind: 1,
        ..Default::default()
    });
    match name {
        "sysinfo" => GetSystemInfoResponse {
            server_version: "1.32.0".into(),
            capabilities: Some(Capabilities {
                signal_and_query_header: true,
                internal_error_differentiation: true,
                activity_failure_include_heartbeat: true,
                supports_schedules: true,
                encoded_failure_attributes: true,
                build_id_based_versioning: true,
                upsert_memo: true,
                eager_workflow_start: true,
                ..Default::default()
            }),
        }
        .encode_to_vec(),
        "start" => StartWorkflowExecutionResponse {
            run_id: RUN_ID.into(),
            started: true,
            ..Default::default()
        }
        .encode_to_vec(),
        "describe" => DescribeWorkflowExecutionResponse {
            execution_config: Some(WorkflowExecutionConfig {
                task_queue: tq.clone(),
                ..Default::default()
            }),
            workflow_execution_info: Some(WorkflowExecutionInfo {
                execution,
                r#type: wtype.clone(),
                status: 1,
                history_length: 2,
                task_queue: "bench".into(),
                first_run_id: RUN_ID.into(),
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_to_vec(),
        _ => GetWorkflowExecutionHistoryResponse {
            history: Some(History {
                events: vec![
                    HistoryEvent {
                        event_id: 1,
                        event_type: 1,
                        task_id: 1048576,
                        attributes: Some(
                            history_event::Attributes::WorkflowExecutionStartedEventAttributes(
                                WorkflowExecutionStartedEventAttributes {
                                    workflow_type: wtype,
                                    task_queue: tq.clone(),
                                    identity: "bench".into(),
                                    original_execution_run_id: RUN_ID.into(),
                                    first_execution_run_id: RUN_ID.into(),
                                    attempt: 1,
                                    workflow_id: "bench-wf".into(),
                                    ..Default::default()
                                },
                            ),
                        ),
                        ..Default::default()
                    },
                    HistoryEvent {
                        event_id: 2,
                        event_type: 5,
                        task_id: 1048577,
                        attributes: Some(
                            history_event::Attributes::WorkflowTaskScheduledEventAttributes(
                                WorkflowTaskScheduledEventAttributes {
                                    task_queue: tq,
                                    attempt: 1,
                                    ..Default::default()
                                },
                            ),
                        ),
                        ..Default::default()
                    },
                ],
            }),
            ..Default::default()
        }
        .encode_to_vec(),
    }
}

fn load(dir: &str) -> HashMap<&'static str, Reply> {
    let mut m = HashMap::new();
    for (path, name) in [
        (paths::SYSTEM_INFO, "sysinfo"),
        (paths::START, "start"),
        (paths::DESCRIBE, "describe"),
        (paths::HISTORY, "history"),
    ] {
        let file = format!("{dir}/{name}.bin");
        let msg = match std::fs::read(&file) {
            Ok(b) => b,
            Err(_) => {
                eprintln!("mock-server: {file} not found, using a built-in {name} response");
                builtin(name)
            }
        };
        m.insert(
            path,
            Reply {
                plain: frame(0, &msg),
                gzip: frame(1, &gzip(&msg)),
            },
        );
    }
    m
}

fn main() {
    let mut port = 0u16;
    let mut host = "127.0.0.1".to_string();
    let mut max_streams = 100u32;
    let mut dir = concat!(env!("CARGO_MANIFEST_DIR"), "/responses").to_string();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let v = args.next().unwrap_or_default();
        match flag.as_str() {
            "--port" => port = v.parse().unwrap_or(0),
            "--host" => host = v,
            "--max-streams" => max_streams = v.parse().unwrap_or(100),
            "--responses" => dir = v,
            _ => {
                eprintln!(
                    "usage: mock-server [--host H] [--port P] [--max-streams N] [--responses DIR]"
                );
                std::process::exit(2);
            }
        }
    }
    let replies = Arc::new(load(&dir));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("mock-server: bind {host}:{port}: {e}");
                std::process::exit(1);
            }
        };
        println!("listening on {}", listener.local_addr().expect("addr"));
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let replies = replies.clone();
            tokio::spawn(async move {
                let mut conn = match h2::server::Builder::new()
                    .max_concurrent_streams(max_streams)
                    .initial_window_size(1 << 20)
                    .initial_connection_window_size(1 << 22)
                    .handshake::<_, Bytes>(tcp)
                    .await
                {
                    Ok(c) => c,
                    Err(_) => return,
                };
                while let Some(Ok((req, respond))) = conn.accept().await {
                    tokio::spawn(answer(req, respond, replies.clone()));
                }
            });
        }
    });
}

async fn answer(
    req: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
    replies: Arc<HashMap<&'static str, Reply>>,
) {
    let (parts, mut body) = req.into_parts();
    let gzip = parts
        .headers
        .get("grpc-encoding")
        .is_some_and(|v| v.as_bytes() == b"gzip");
    while let Some(chunk) = body.data().await {
        match chunk {
            Ok(c) => {
                let _ = body.flow_control().release_capacity(c.len());
            }
            Err(_) => return,
        }
    }
    let Some(reply) = replies.get(parts.uri.path()) else {
        let resp = http::Response::builder()
            .status(200)
            .header("content-type", "application/grpc")
            .header("grpc-status", "12")
            .header("grpc-message", "unknown method")
            .body(())
            .expect("response");
        let _ = respond.send_response(resp, true);
        return;
    };
    let mut resp = http::Response::builder()
        .status(200)
        .header("content-type", "application/grpc");
    if gzip {
        resp = resp.header("grpc-encoding", "gzip");
    }
    let Ok(mut stream) = respond.send_response(resp.body(()).expect("response"), false) else {
        return;
    };
    let data = if gzip { &reply.gzip } else { &reply.plain };
    if stream.send_data(data.clone(), false).is_err() {
        return;
    }
    let mut trailers = http::HeaderMap::new();
    trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
    let _ = stream.send_trailers(trailers);
}
