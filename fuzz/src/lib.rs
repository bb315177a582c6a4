//! Shared input shaping for the fuzz targets: turning raw fuzzer bytes into the responses,
//! chunkings and documents the client reads, biased towards well-formed input so that the
//! fuzzer gets past the first check of each decoder.

use bytes::{BufMut, Bytes, BytesMut};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use temporal_lite_core::fuzzing;
use temporal_lite_core::grpc::{Metadata, Response};

/// An HTTP status: mostly 200, sometimes what proxies send, sometimes anything.
pub fn http_status(u: &mut Unstructured<'_>) -> Result<u16> {
    Ok(match u.int_in_range(0..=7u8)? {
        0..=3 => 200,
        4 => *u.choose(&[400, 401, 403, 404, 429, 502, 503, 504])?,
        _ => u.arbitrary()?,
    })
}

/// A value for header `name`: plausible for the gRPC headers, arbitrary otherwise.
pub fn header_value(u: &mut Unstructured<'_>, name: &str) -> Result<String> {
    let plausible = u.arbitrary::<bool>()?;
    Ok(match name {
        "content-type" if plausible => {
            String::from(*u.choose(&["application/grpc", "application/grpc+proto", "text/html"])?)
        }
        "grpc-status" if plausible => u.int_in_range(0..=20u32)?.to_string(),
        "grpc-status-details-bin" if plausible => {
            fuzzing::base64_encode(&u.arbitrary::<Vec<u8>>()?)
        }
        _ => u.arbitrary()?,
    })
}

/// Metadata with up to 8 entries.
pub fn metadata(u: &mut Unstructured<'_>) -> Result<Metadata> {
    let mut metadata = Metadata::new();
    for _ in 0..u.int_in_range(0..=8u8)? {
        let name = if u.arbitrary::<bool>()? {
            String::from(*u.choose(fuzzing::RESPONSE_HEADER_NAMES)?)
        } else {
            u.arbitrary::<String>()?.to_ascii_lowercase()
        };
        let value = header_value(u, &name)?;
        metadata.append(name, value);
    }
    Ok(metadata)
}

/// A body: one well-formed frame around arbitrary bytes, or arbitrary bytes.
pub fn body(u: &mut Unstructured<'_>, message: &[u8]) -> Result<Bytes> {
    Ok(if u.arbitrary::<bool>()? {
        frame(message)
    } else {
        Bytes::copy_from_slice(message)
    })
}

/// `message` in one uncompressed gRPC frame.
pub fn frame(message: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(5 + message.len());
    out.put_u8(0);
    out.put_u32(u32::try_from(message.len()).unwrap_or(u32::MAX));
    out.put_slice(message);
    out.freeze()
}

/// A whole response; the body comes from the rest of the input.
pub fn response(u: &mut Unstructured<'_>) -> Result<Response> {
    let http_status = http_status(u)?;
    let headers = metadata(u)?;
    let trailers = metadata(u)?;
    let message: Vec<u8> = u.arbitrary()?;
    let body = body(u, &message)?;
    Ok(Response {
        http_status,
        headers,
        body,
        trailers,
    })
}

/// A well-formed OK response around `message`, or (rarely) an arbitrary one.
pub fn mostly_ok_response(u: &mut Unstructured<'_>, message: &[u8]) -> Result<Response> {
    if u.int_in_range(0..=7u8)? == 0 {
        return response(u);
    }
    let mut headers = Metadata::new();
    headers.insert("content-type", "application/grpc");
    let mut trailers = Metadata::new();
    trailers.insert("grpc-status", "0");
    Ok(Response {
        http_status: 200,
        headers,
        body: frame(message),
        trailers,
    })
}
