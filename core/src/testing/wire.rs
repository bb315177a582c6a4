//! Raw [`Response`]s as a gRPC server sends them.

use alloc::format;
use alloc::string::String;

use crate::grpc::{encode_message, Code, Metadata, Response, Status};

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
        headers.insert("grpc-message", percent_encode(&status.message));
    }
    if !status.details.is_empty() {
        headers.insert("grpc-status-details-bin", base64_encode(&status.details));
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

/// Percent-encode bytes outside printable ASCII, and `%`, as `grpc-message` requires.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if (0x20..=0x7e).contains(&byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// Standard base64 without padding, as `-bin` metadata is sent.
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            let index = (group >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}
