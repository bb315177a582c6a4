use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use bytes::Bytes;
use core::time::Duration;

use super::*;

fn frame(flag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flag];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn grpc_headers() -> Metadata {
    [("content-type", "application/grpc")].into_iter().collect()
}

fn ok_response(body: Vec<u8>) -> Response {
    Response {
        http_status: 200,
        headers: grpc_headers(),
        body: Bytes::from(body),
        trailers: [("grpc-status", "0")].into_iter().collect(),
    }
}

// ---- framing ----

#[test]
fn encode_message_prefixes_flag_and_length() {
    let message = String::from("hello");
    let framed = encode_message(&message);
    // A prost `String` is a google.protobuf.StringValue: field 1, length-delimited.
    assert_eq!(&framed[..5], &[0, 0, 0, 0, 7]);
    assert_eq!(&framed[5..], b"\x0a\x05hello");
    let empty = encode_message(&String::new());
    assert_eq!(&empty[..], &[0, 0, 0, 0, 0]);
}

#[test]
fn decoder_handles_every_split() {
    let mut stream = frame(0, b"first message");
    stream.extend(frame(0, b""));
    stream.extend(frame(0, &[7u8; 300]));
    for split in 1..stream.len() {
        let mut decoder = FrameDecoder::new(1024);
        let mut messages = Vec::new();
        for chunk in stream.chunks(split) {
            decoder.push(chunk).unwrap();
            while let Some(message) = decoder.next_message().unwrap() {
                messages.push(message);
            }
        }
        decoder.finish().unwrap();
        assert_eq!(messages.len(), 3, "split {split}");
        assert_eq!(&messages[0][..], b"first message");
        assert!(messages[1].is_empty());
        assert_eq!(&messages[2][..], &[7u8; 300][..]);
    }
}

#[test]
fn decoder_rejects_compressed_flag() {
    let mut decoder = FrameDecoder::new(1024);
    let err = decoder.push(&frame(1, b"zzz")).unwrap_err();
    assert_eq!(err, FrameError::Compressed { flag: 1 });
    assert!(err.to_string().contains("compression"));
    // Sticky.
    assert_eq!(decoder.next_message(), Err(err.clone()));
    assert_eq!(decoder.finish(), Err(err));
}

#[test]
fn decoder_rejects_html_as_bad_flag() {
    let mut decoder = FrameDecoder::new(1024);
    let err = decoder.push(b"<html><body>502</body></html>").unwrap_err();
    assert_eq!(err, FrameError::Compressed { flag: b'<' });
}

#[test]
fn decoder_rejects_oversize_before_buffering() {
    let mut decoder = FrameDecoder::new(10);
    // Only the prefix has arrived: already rejected.
    let err = decoder.push(&[0, 0, 0, 0, 11]).unwrap_err();
    assert_eq!(
        err,
        FrameError::TooLarge {
            declared: 11,
            limit: 10
        }
    );
    assert!(err.to_string().contains("11 bytes"));
    // Exactly the limit is fine.
    let mut decoder = FrameDecoder::new(10);
    decoder.push(&frame(0, &[1; 10])).unwrap();
    assert_eq!(decoder.next_message().unwrap().unwrap().len(), 10);
    // A huge declared length (4 GiB - 1) with the default limit.
    let mut decoder = FrameDecoder::new(DEFAULT_RECEIVE_LIMIT);
    assert!(matches!(
        decoder.push(&[0, 0xff, 0xff, 0xff, 0xff]),
        Err(FrameError::TooLarge { .. })
    ));
}

#[test]
fn decoder_checks_second_frame_prefix_in_same_chunk() {
    let mut stream = frame(0, b"ok");
    stream.extend_from_slice(&[0, 0, 1, 0, 0]);
    let mut decoder = FrameDecoder::new(100);
    assert!(matches!(
        decoder.push(&stream),
        Err(FrameError::TooLarge {
            declared: 65536,
            ..
        })
    ));
}

#[test]
fn decoder_detects_truncation() {
    let stream = frame(0, b"abcdef");
    let mut decoder = FrameDecoder::new(100);
    decoder.push(&stream[..8]).unwrap();
    assert_eq!(decoder.next_message().unwrap(), None);
    assert_eq!(decoder.finish(), Err(FrameError::Truncated { buffered: 8 }));
    let mut decoder = FrameDecoder::new(100);
    decoder.push(&[0, 0]).unwrap();
    assert_eq!(decoder.finish(), Err(FrameError::Truncated { buffered: 2 }));
    assert_eq!(FrameDecoder::new(1).finish(), Ok(()));
}

// ---- timeouts ----

#[test]
fn timeout_encoding_picks_finest_unit() {
    assert_eq!(encode_timeout(Duration::ZERO), "0n");
    assert_eq!(encode_timeout(Duration::from_nanos(100)), "100n");
    assert_eq!(
        encode_timeout(Duration::from_nanos(99_999_999)),
        "99999999n"
    );
    assert_eq!(encode_timeout(Duration::from_millis(100)), "100000u");
    assert_eq!(encode_timeout(Duration::from_secs(10)), "10000000u");
    assert_eq!(encode_timeout(Duration::from_secs(30)), "30000000u");
    assert_eq!(encode_timeout(Duration::from_secs(70)), "70000000u");
    assert_eq!(encode_timeout(Duration::from_secs(100)), "100000m");
    assert_eq!(encode_timeout(Duration::from_secs(200_000)), "200000S");
    assert_eq!(encode_timeout(Duration::from_secs(200_000_000)), "3333334M");
    assert_eq!(encode_timeout(Duration::from_secs(u64::MAX)), "99999999H");
    // Rounds up, never down.
    assert_eq!(encode_timeout(Duration::new(10, 1)), "10000001u");
    assert_eq!(encode_timeout(Duration::new(1_000, 1)), "1000001m");
}

#[test]
fn timeout_round_trips_and_rejects_garbage() {
    for d in [
        Duration::ZERO,
        Duration::from_nanos(5),
        Duration::from_micros(1_500),
        Duration::from_millis(250),
        Duration::from_secs(30),
        Duration::from_secs(3_600 * 7),
    ] {
        assert_eq!(decode_timeout(&encode_timeout(d)), Some(d));
    }
    assert_eq!(decode_timeout("2M"), Some(Duration::from_secs(120)));
    assert_eq!(
        decode_timeout("99999999H"),
        Some(Duration::from_secs(99_999_999 * 3_600))
    );
    for bad in [
        "",
        "m",
        "100",
        "123456789m",
        "10x",
        "-1S",
        "1.5S",
        "1 S",
        "10é",
    ] {
        assert_eq!(decode_timeout(bad), None, "{bad:?}");
    }
}

// ---- base64 / percent ----

#[test]
fn base64_round_trip_padded_or_not() {
    for len in 0..40 {
        let data: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37)).collect();
        let text = base64::encode(&data);
        assert!(!text.contains('='));
        assert_eq!(base64::decode(&text).as_deref(), Some(&data[..]));
        let padded = alloc::format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4));
        assert_eq!(base64::decode(&padded).as_deref(), Some(&data[..]));
    }
    assert_eq!(base64::encode(b"hello"), "aGVsbG8");
    assert_eq!(base64::decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
    assert_eq!(base64::decode("a"), None);
    assert_eq!(base64::decode("a*bc"), None);
    assert_eq!(
        base64::decode("-_8").as_deref(),
        base64::decode("+/8").as_deref()
    );
}

#[test]
fn percent_round_trip_and_lenient_decode() {
    let text = "hé 100% \"done\"\n";
    let encoded = percent::encode(text);
    assert_eq!(encoded, "h%C3%A9 100%25 \"done\"%0A");
    assert_eq!(percent::decode(&encoded), text);
    assert_eq!(percent::decode("50%"), "50%");
    assert_eq!(percent::decode("50%zz!"), "50%zz!");
    assert_eq!(percent::decode("%4"), "%4");
    assert_eq!(percent::decode("%FF ok"), "\u{FFFD} ok");
}

// ---- responses ----

#[test]
fn ok_response_yields_single_message() {
    let response = ok_response(frame(0, b"payload"));
    assert_eq!(
        decode_unary_response(&response, 100).unwrap(),
        Bytes::from_static(b"payload")
    );
    let mut proto = response.clone();
    proto.headers = [("content-type", "application/grpc+proto")]
        .into_iter()
        .collect();
    assert!(decode_unary_response(&proto, 100).is_ok());
}

#[test]
fn ok_response_with_zero_or_two_messages_is_internal() {
    let none = decode_unary_response(&ok_response(Vec::new()), 100).unwrap_err();
    assert_eq!(none.code, Code::INTERNAL);
    let mut two = frame(0, b"a");
    two.extend(frame(0, b"b"));
    let two = decode_unary_response(&ok_response(two), 100).unwrap_err();
    assert_eq!(two.code, Code::INTERNAL);
    assert!(two.message.contains("more than one"));
    let truncated =
        decode_unary_response(&ok_response(frame(0, b"abc")[..6].to_vec()), 100).unwrap_err();
    assert_eq!(truncated.code, Code::INTERNAL);
    let compressed = decode_unary_response(&ok_response(frame(1, b"abc")), 100).unwrap_err();
    assert_eq!(compressed.code, Code::INTERNAL);
    assert!(compressed.message.contains("compress"));
}

#[test]
fn oversize_message_is_resource_exhausted() {
    let status = decode_unary_response(&ok_response(frame(0, &[0; 64])), 63).unwrap_err();
    assert_eq!(status.code, Code::RESOURCE_EXHAUSTED);
    assert!(status.message.contains("64 bytes"), "{}", status.message);
}

#[test]
fn status_from_trailers_with_message_and_details() {
    let details = b"\x08\x05\x12\x09not found";
    let mut response = ok_response(Vec::new());
    response.trailers = [
        ("grpc-status", "5"),
        ("grpc-message", "workflow %22wf-1%22 not found %E2%9C%93"),
        ("grpc-status-details-bin", base64::encode(details).as_str()),
    ]
    .into_iter()
    .collect();
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert_eq!(status.code, Code::NOT_FOUND);
    assert_eq!(status.message, "workflow \"wf-1\" not found \u{2713}");
    assert_eq!(&status.details[..], details);
    // Padded base64 works too; garbage is ignored.
    response.trailers.insert("grpc-status-details-bin", "CAU=");
    assert_eq!(
        &decode_unary_response(&response, 100).unwrap_err().details[..],
        b"\x08\x05"
    );
    response.trailers.insert("grpc-status-details-bin", "!!");
    assert!(decode_unary_response(&response, 100)
        .unwrap_err()
        .details
        .is_empty());
}

#[test]
fn trailers_only_status_from_headers() {
    let response = Response {
        http_status: 200,
        headers: [
            ("content-type", "application/grpc"),
            ("grpc-status", "16"),
            ("grpc-message", "API key invalid"),
        ]
        .into_iter()
        .collect(),
        body: Bytes::new(),
        trailers: Metadata::new(),
    };
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert_eq!(status.code, Code::UNAUTHENTICATED);
    assert_eq!(status.message, "API key invalid");
    // Some servers omit content-type in Trailers-Only replies.
    let mut bare = response.clone();
    bare.headers.remove("content-type");
    assert_eq!(
        decode_unary_response(&bare, 100).unwrap_err().code,
        Code::UNAUTHENTICATED
    );
}

#[test]
fn missing_grpc_status() {
    let mut response = ok_response(frame(0, b"x"));
    response.trailers = Metadata::new();
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert_eq!(status.code, Code::INTERNAL);
    response.trailers = [("other", "1")].into_iter().collect();
    assert_eq!(
        decode_unary_response(&response, 100).unwrap_err().code,
        Code::UNKNOWN
    );
    response.trailers = [("grpc-status", "abc")].into_iter().collect();
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert_eq!(status.code, Code::UNKNOWN);
    assert!(status.message.contains("abc"));
}

#[test]
fn unknown_code_survives() {
    let mut response = ok_response(Vec::new());
    response.trailers = [("grpc-status", "42")].into_iter().collect();
    assert_eq!(
        decode_unary_response(&response, 100).unwrap_err().code,
        Code(42)
    );
}

#[test]
fn html_502_from_proxy_is_unavailable() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
                </body>\r\n</html>\r\n";
    let response = Response {
        http_status: 502,
        headers: [("content-type", "text/html")].into_iter().collect(),
        body: Bytes::from(html),
        trailers: Metadata::new(),
    };
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert_eq!(status.code, Code::UNAVAILABLE);
    assert!(
        status
            .message
            .starts_with("HTTP 502 Bad Gateway from proxy: <html> <head><title>502"),
        "{}",
        status.message
    );
    assert!(!status.message.contains('\n'));
}

#[test]
fn http_status_mapping() {
    for (http, code) in [
        (400, Code::INTERNAL),
        (401, Code::UNAUTHENTICATED),
        (403, Code::PERMISSION_DENIED),
        (404, Code::UNIMPLEMENTED),
        (429, Code::UNAVAILABLE),
        (502, Code::UNAVAILABLE),
        (503, Code::UNAVAILABLE),
        (504, Code::UNAVAILABLE),
        (500, Code::UNKNOWN),
        (418, Code::UNKNOWN),
    ] {
        let response = Response {
            http_status: http,
            body: Bytes::new(),
            ..Response::default()
        };
        let status = decode_unary_response(&response, 100).unwrap_err();
        assert_eq!(status.code, code, "HTTP {http}");
        assert!(status.message.starts_with(&alloc::format!("HTTP {http}")));
    }
}

#[test]
fn long_body_snippet_is_cut() {
    let response = Response {
        http_status: 503,
        headers: Metadata::new(),
        body: Bytes::from("x".repeat(10_000)),
        trailers: Metadata::new(),
    };
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert!(status.message.len() < 250, "{}", status.message);
    assert!(status.message.ends_with("..."));
}

#[test]
fn non_grpc_content_type_on_200_is_unknown() {
    let mut response = ok_response(b"<html>hi</html>".to_vec());
    response.headers = [("content-type", "text/html; charset=utf-8")]
        .into_iter()
        .collect();
    response.trailers = Metadata::new();
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert_eq!(status.code, Code::UNKNOWN);
    assert!(status.message.contains("text/html"), "{}", status.message);
    let mut json = ok_response(frame(0, b"{}"));
    json.headers = [("content-type", "application/grpc+json")]
        .into_iter()
        .collect();
    assert_eq!(
        decode_unary_response(&json, 100).unwrap_err().code,
        Code::UNKNOWN
    );
    let mut missing = ok_response(frame(0, b"x"));
    missing.headers = Metadata::new();
    assert_eq!(
        decode_unary_response(&missing, 100).unwrap_err().code,
        Code::UNKNOWN
    );
}

#[test]
fn non_200_with_grpc_status_uses_it() {
    let response = Response {
        http_status: 503,
        headers: [("grpc-status", "8"), ("grpc-message", "slow down")]
            .into_iter()
            .collect(),
        body: Bytes::new(),
        trailers: Metadata::new(),
    };
    let status = decode_unary_response(&response, 100).unwrap_err();
    assert_eq!(status.code, Code::RESOURCE_EXHAUSTED);
    assert_eq!(status.message.to_string(), "slow down");
}
