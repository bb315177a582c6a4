//! Turning a raw unary [`Response`] into its message or a [`Status`], with every gRPC rule
//! applied: Trailers-Only, HTTP errors from proxies, content-type, message framing.

use alloc::format;
use alloc::string::String;
use bytes::Bytes;

use super::codec::{FrameDecoder, FrameError};
use super::{base64, percent, Code, Metadata, Response, Status};

/// How many characters of a non-gRPC body go into an error message.
const SNIPPET_CHARS: usize = 160;

/// Interpret a unary `response` and return its single message payload.
///
/// - A non-200 HTTP status without a `grpc-status` (typically an error page from a proxy or
///   load balancer) maps per gRPC's HTTP-to-gRPC table (400 INTERNAL, 401 UNAUTHENTICATED,
///   403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, else UNKNOWN),
///   with a message naming the HTTP status and the start of the body.
/// - A 200 whose content-type is not `application/grpc` or `application/grpc+proto` is
///   UNKNOWN.
/// - `grpc-status` comes from the trailers, or from the headers of a Trailers-Only reply;
///   `grpc-message` is percent-decoded; `grpc-status-details-bin` lands in
///   [`Status::details`]. A missing `grpc-status` is INTERNAL (no trailers at all) or
///   UNKNOWN (trailers without it).
/// - An OK reply must carry exactly one message, no longer than `receive_limit`
///   (RESOURCE_EXHAUSTED beyond it); anything else is INTERNAL.
pub fn decode_unary_response(response: &Response, receive_limit: usize) -> Result<Bytes, Status> {
    let status_source = if response.trailers.get("grpc-status").is_some() {
        Some(&response.trailers)
    } else if response.headers.get("grpc-status").is_some() {
        Some(&response.headers)
    } else {
        None
    };

    if response.http_status != 200 && status_source.is_none() {
        return Err(http_error(response));
    }
    if response.http_status == 200 {
        let trailers_only = status_source.is_some_and(|s| core::ptr::eq(s, &response.headers));
        if let Some(status) = content_type_error(response, trailers_only) {
            return Err(status);
        }
    }

    let status = match status_source {
        Some(source) => status_from(source),
        None if response.trailers.is_empty() => Status::new(
            Code::INTERNAL,
            "server closed the stream without sending trailers (no grpc-status)",
        ),
        None => Status::new(Code::UNKNOWN, "response trailers carry no grpc-status"),
    };
    if status.code != Code::OK {
        return Err(status);
    }
    single_message(&response.body, receive_limit)
}

/// The status carried by `source` (trailers, or headers of a Trailers-Only reply).
fn status_from(source: &Metadata) -> Status {
    let raw = source.get("grpc-status").unwrap_or_default().trim();
    let code = match raw.parse::<u32>() {
        Ok(code) => Code(code),
        Err(_) => {
            return Status::new(
                Code::UNKNOWN,
                format!(
                    "invalid grpc-status {:?} in response",
                    snippet(raw.as_bytes())
                ),
            )
        }
    };
    let message = source
        .get("grpc-message")
        .map(percent::decode)
        .unwrap_or_default();
    let details = source
        .get("grpc-status-details-bin")
        .and_then(base64::decode)
        .map(Bytes::from)
        .unwrap_or_default();
    Status {
        code,
        message,
        details,
    }
}

/// The status for a response that is not gRPC at the HTTP level.
fn http_error(response: &Response) -> Status {
    let code = match response.http_status {
        400 => Code::INTERNAL,
        401 => Code::UNAUTHENTICATED,
        403 => Code::PERMISSION_DENIED,
        404 => Code::UNIMPLEMENTED,
        429 | 502 | 503 | 504 => Code::UNAVAILABLE,
        _ => Code::UNKNOWN,
    };
    let status = response.http_status;
    let reason = reason_phrase(status);
    let sep = if reason.is_empty() { "" } else { " " };
    let message = if response.body.is_empty() {
        format!("HTTP {status}{sep}{reason} from proxy (empty body)")
    } else {
        format!(
            "HTTP {status}{sep}{reason} from proxy: {}",
            snippet(&response.body)
        )
    };
    Status::new(code, message)
}

/// UNKNOWN if the content-type is not gRPC's. A missing content-type is tolerated in a
/// Trailers-Only reply (some servers omit it there).
fn content_type_error(response: &Response, trailers_only: bool) -> Option<Status> {
    let content_type = match response.headers.get("content-type") {
        Some(value) => value,
        None if trailers_only => return None,
        None => {
            return Some(Status::new(
                Code::UNKNOWN,
                format!(
                    "response has no content-type (HTTP {}), not a gRPC response{}",
                    response.http_status,
                    body_suffix(&response.body)
                ),
            ))
        }
    };
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if media_type.eq_ignore_ascii_case("application/grpc")
        || media_type.eq_ignore_ascii_case("application/grpc+proto")
    {
        return None;
    }
    Some(Status::new(
        Code::UNKNOWN,
        format!(
            "unexpected content-type {:?} (HTTP {}), not a gRPC response{}",
            snippet(content_type.as_bytes()),
            response.http_status,
            body_suffix(&response.body)
        ),
    ))
}

fn body_suffix(body: &[u8]) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {}", snippet(body))
    }
}

/// Exactly one message from an OK reply's body.
fn single_message(body: &Bytes, receive_limit: usize) -> Result<Bytes, Status> {
    // The usual case, without copying the body: exactly one well-formed frame.
    if let [0, a, b, c, d, ..] = body[..] {
        let declared = usize::try_from(u32::from_be_bytes([a, b, c, d])).unwrap_or(usize::MAX);
        if declared <= receive_limit && body.len() - 5 == declared {
            return Ok(body.slice(5..));
        }
    }
    let framing = |error: FrameError| match error {
        FrameError::TooLarge { .. } => Status::new(Code::RESOURCE_EXHAUSTED, format!("{error}")),
        _ => Status::new(Code::INTERNAL, format!("{error}")),
    };
    let mut decoder = FrameDecoder::new(receive_limit);
    decoder.push(body).map_err(framing)?;
    let first = decoder.next_message().map_err(framing)?;
    let second = decoder.next_message().map_err(framing)?;
    decoder.finish().map_err(framing)?;
    match (first, second) {
        (Some(message), None) => Ok(message),
        (None, _) => Err(Status::new(
            Code::INTERNAL,
            "server returned OK without a response message",
        )),
        (Some(_), Some(_)) => Err(Status::new(
            Code::INTERNAL,
            "server returned more than one message for a unary call",
        )),
    }
}

/// The start of `bytes` as one printable line: control characters and whitespace runs
/// become single spaces, and `...` marks a cut.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if count >= SNIPPET_CHARS {
            out.push_str("...");
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// The standard reason phrase of common HTTP statuses, or "".
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        494 => "Request Header Too Large",
        495 => "SSL Certificate Error",
        496 => "SSL Certificate Required",
        497 => "HTTP Request Sent to HTTPS Port",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}
