//! Raw [`Response`]s as a gRPC server sends them.

use alloc::format;
use alloc::string::String;

use crate::grpc::{base64, encode_message, percent, Code, Metadata, Response, Status};

/// An OK reply carrying `message`, as a server sends it: HTTP 200,
/// `content-type: application/grpc`, the framed message, trailers with `grpc-status: 0`.
pub fn ok_response<M: prost::Message>(message: &M) -> Response {
    let mut headers = Metadata::new();
    headers.insert("content-type", "application/grpc");
    let mut trailers = Metadata::new();
    trailers.insert("grpc-status", "0");
    Response {
        http_status: 200,
        headers,
        body: encode_message(message),
        trailers,
    }
}

/// A Trailers-Only error reply carrying `status`, as a server sends it: HTTP 200 with
/// `grpc-status`, a percent-encoded `grpc-message` and, when `status.details` is not empty,
/// `grpc-status-details-bin` (base64), all in the headers.
///
/// A `status` whose code is OK yields a reply without a message, which the client reports
/// as an error (an OK reply must carry exactly one message).
pub fn status_response(status: &Status) -> Response {
    let mut headers = Metadata::new();
    headers.insert("content-type", "application/grpc");
    headers.insert("grpc-status", format!("{}", status.code.0));
    if !status.message.is_empty() {
        headers.insert("grpc-message", percent::encode(&status.message));
    }
    if !status.details.is_empty() {
        headers.insert("grpc-status-details-bin", base64::encode(&status.details));
    }
    Response {
        http_status: 200,
        headers,
        ..Response::default()
    }
}

/// The UNIMPLEMENTED reply of a call nothing was scripted for.
pub(crate) fn unimplemented(message: String) -> Response {
    status_response(&Status::new(Code::UNIMPLEMENTED, message))
}
