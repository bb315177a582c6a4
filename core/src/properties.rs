//! Deterministic property tests: the properties the `cargo fuzz` targets (`fuzz/`) check,
//! over seeded random input, so that every `cargo test` runs them with the same cases.
//! Random bytes and random chunking never panic; encode/decode round trips hold.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::time::Duration;

use bytes::Bytes;
use prost::Message;
use temporal_lite_proto::google::protobuf::Any;
use temporal_lite_proto::google::rpc::Status as RpcStatus;

use crate::client::Error;
use crate::config::address::ServerAddress;
use crate::config::{
    load_profile, load_profile_with_provenance, ConfigSource, ConnectOptions, EnvVars,
    LoadProfileOptions,
};
use crate::grpc::{
    base64, decode_timeout, decode_unary_response, encode_timeout, percent, Code, FrameDecoder,
    Metadata, Response, Status,
};

/// Cases per property: enough to cover the shapes, quick in a debug build.
const CASES: usize = 3000;

/// A seeded generator (SplitMix64), so that failures reproduce.
pub(crate) struct Gen(u64);

impl Gen {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (not empty).
    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }

    /// Mostly short, sometimes long.
    fn len(&mut self) -> usize {
        match self.below(10) {
            0 => self.below(2000),
            _ => self.below(40),
        }
    }

    fn bytes(&mut self) -> Vec<u8> {
        let len = self.len();
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// Text drawn from `alphabet`, or arbitrary characters.
    fn text(&mut self, alphabet: &str) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let len = self.len();
        (0..len)
            .map(|_| {
                if chars.is_empty() || self.below(8) == 0 {
                    char::from_u32(self.next() as u32 % 0x11_0000).unwrap_or('\u{FFFD}')
                } else {
                    chars[self.below(chars.len())]
                }
            })
            .collect()
    }

    /// `data` cut into random chunks.
    fn chunks<'a>(&mut self, mut data: &'a [u8]) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        while !data.is_empty() {
            let take = 1 + self.below(data.len().min(70));
            let (chunk, rest) = data.split_at(take);
            out.push(chunk);
            data = rest;
        }
        out
    }
}

fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = vec![0];
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
    out
}

/// Feed `chunks` to a decoder; the messages, and the first error or the end's verdict.
fn decode_chunks(limit: usize, chunks: &[&[u8]]) -> (Vec<Bytes>, Result<(), String>) {
    let mut decoder = FrameDecoder::new(limit);
    let mut messages = Vec::new();
    for chunk in chunks {
        if let Err(error) = decoder.push(chunk) {
            assert_eq!(decoder.finish(), Err(error.clone()), "errors are sticky");
            return (messages, Err(format!("{error}")));
        }
        loop {
            match decoder.next_message() {
                Ok(Some(message)) => messages.push(message),
                Ok(None) => break,
                Err(error) => return (messages, Err(format!("{error}"))),
            }
        }
    }
    let end = decoder.finish().map_err(|e| format!("{e}"));
    (messages, end)
}

#[test]
fn framed_messages_survive_any_chunking() {
    let mut g = Gen::new(1);
    for _ in 0..CASES {
        let messages: Vec<Vec<u8>> = (0..g.below(5)).map(|_| g.bytes()).collect();
        let stream: Vec<u8> = messages.iter().flat_map(|m| frame(m)).collect();
        let chunks = g.chunks(&stream);
        let (decoded, end) = decode_chunks(4096, &chunks);
        assert_eq!(end, Ok(()));
        assert_eq!(decoded, messages);
    }
}

#[test]
fn random_bytes_in_random_chunks_never_break_the_frame_decoder() {
    let mut g = Gen::new(2);
    for _ in 0..CASES {
        let mut stream = g.bytes();
        if g.bool() {
            // A valid frame first, so that later bytes are read as a second prefix.
            let mut framed = frame(&g.bytes());
            framed.extend(stream);
            stream = framed;
        }
        let limit = [0, 1, 5, 100, 4096][g.below(5)];
        let chunks = g.chunks(&stream);
        let (messages, end) = decode_chunks(limit, &chunks);
        // Whatever came out was framed in the stream, in order, within the limit.
        let mut at = 0;
        for message in &messages {
            assert!(message.len() <= limit);
            assert_eq!(stream[at], 0);
            assert_eq!(&stream[at + 5..at + 5 + message.len()], &message[..]);
            at += 5 + message.len();
        }
        if end.is_ok() {
            assert_eq!(at, stream.len());
        }
    }
}

/// A random response: status, headers and trailers from the names gRPC uses, a body that is
/// one frame, random bytes or empty.
fn response(g: &mut Gen) -> Response {
    const NAMES: &[&str] = &[
        "content-type",
        "grpc-status",
        "grpc-message",
        "grpc-status-details-bin",
        "x-other",
    ];
    let mut metadata = || {
        let mut m = Metadata::new();
        for _ in 0..g.below(5) {
            let name = g.pick(NAMES);
            let value = match (name, g.below(3)) {
                ("content-type", 0) => String::from("application/grpc"),
                ("grpc-status", 0) => format!("{}", g.below(20)),
                ("grpc-status-details-bin", 0) => base64::encode(&g.bytes()),
                _ => g.text("0123456789%abcdefABCDEF /;=+-_"),
            };
            m.append(name, value);
        }
        m
    };
    let headers = metadata();
    let trailers = metadata();
    let http_status = [200, 200, 200, 400, 401, 404, 503, 999][g.below(8)];
    let body = match g.below(3) {
        0 => frame(&g.bytes()),
        1 => g.bytes(),
        _ => Vec::new(),
    };
    Response {
        http_status,
        headers,
        body: Bytes::from(body),
        trailers,
    }
}

#[test]
fn random_responses_never_panic_and_ok_means_one_message() {
    let mut g = Gen::new(3);
    for _ in 0..CASES {
        let response = response(&mut g);
        let limit = [0, 10, 4096][g.below(3)];
        match decode_unary_response(&response, limit) {
            Ok(message) => {
                // OK needs `grpc-status: 0` (which wins over a non-200 HTTP status).
                assert!(
                    response.trailers.get("grpc-status").is_some()
                        || response.headers.get("grpc-status").is_some()
                );
                assert!(message.len() <= limit);
                assert_eq!(response.body.len(), message.len() + 5);
            }
            Err(status) => {
                assert_ne!(status.code, Code::OK);
                let error = Error::from_status(status);
                let _ = format!("{error} {error:?}");
            }
        }
    }
}

#[test]
fn random_status_details_never_panic() {
    const TYPES: &[&str] = &[
        "WorkflowExecutionAlreadyStartedFailure",
        "NamespaceNotFoundFailure",
        "NotFoundFailure",
        "PermissionDeniedFailure",
        "QueryFailedFailure",
        "Unknown",
    ];
    let mut g = Gen::new(4);
    for _ in 0..CASES {
        let details = if g.bool() {
            g.bytes()
        } else {
            // A well-formed google.rpc.Status around random detail bytes.
            RpcStatus {
                code: g.below(20) as i32,
                message: g.text("abc"),
                details: vec![Any {
                    type_url: format!(
                        "type.googleapis.com/temporal.api.errordetails.v1.{}",
                        g.pick(TYPES)
                    ),
                    value: g.bytes(),
                }],
            }
            .encode_to_vec()
        };
        let status = Status {
            code: Code(g.below(18) as u32),
            message: g.text("abc%"),
            details: Bytes::from(details),
        };
        let error = Error::from_status(status);
        let _ = format!("{error} {error:?}");
    }
}

#[test]
fn percent_and_base64_round_trip_and_decode_anything() {
    let mut g = Gen::new(5);
    for _ in 0..CASES {
        let text = g.text("ab %\u{7}\u{e9}\u{1F600}\n");
        assert_eq!(percent::decode(&percent::encode(&text)), text);
        let _ = percent::decode(&g.text("%0123456789abcdefABCDEFxyz"));

        let bytes = g.bytes();
        let encoded = base64::encode(&bytes);
        assert_eq!(base64::decode(&encoded).as_deref(), Some(&bytes[..]));
        if let Some(decoded) = base64::decode(&g.text("ABCabc0189+/-_= ")) {
            assert_eq!(base64::decode(&base64::encode(&decoded)), Some(decoded));
        }
    }
}

#[test]
fn grpc_timeout_never_shortens_a_deadline() {
    let mut g = Gen::new(6);
    for _ in 0..CASES {
        let duration = match g.below(4) {
            0 => Duration::from_nanos(g.next() % 1_000_000),
            1 => Duration::from_millis(g.next() % 100_000_000),
            2 => Duration::from_secs(g.next() % 400_000_000_000),
            _ => Duration::new(g.next(), (g.next() % 1_000_000_000) as u32),
        };
        let encoded = encode_timeout(duration);
        let decoded = decode_timeout(&encoded).expect("what we send, we read");
        let max = Duration::from_secs(99_999_999 * 3600);
        if duration <= max {
            assert!(decoded >= duration, "{duration:?} as {encoded}");
        } else {
            assert_eq!(decoded, max);
        }
        let _ = decode_timeout(&g.text("0123456789numSMH"));
    }
}

#[test]
fn addresses_parse_or_fail_cleanly_and_authorities_reparse() {
    let mut g = Gen::new(7);
    for _ in 0..CASES {
        let text = g.text("htps:/[]:.0123456789abcdeflocalhost::1@? ");
        let Ok(address) = ServerAddress::parse(&text) else {
            assert!(ConnectOptions::new(text).validate().is_err());
            continue;
        };
        let again = ServerAddress::parse(&address.authority()).expect("re-parses");
        assert_eq!(
            (again.host, again.port),
            (address.host.clone(), address.port)
        );
        let refused = ConnectOptions::new(text.clone())
            .api_key("k")
            .plaintext()
            .validate()
            .is_err();
        assert_eq!(
            refused,
            !address.is_loopback() && address.scheme_tls != Some(true),
            "{text:?}"
        );
    }
}

#[test]
fn random_config_documents_and_variables_never_panic() {
    const FRAGMENTS: &[&str] = &[
        "[profile.default]\n",
        "[profile.p]\n",
        "[profile.default.tls]\n",
        "address = \"h:1\"\n",
        "address = \"\"\n",
        "namespace = 'ns'\n",
        "api_key = \"k\\n\"\n",
        "tls = { disabled = true }\n",
        "disabled = false\n",
        "client_cert_data = \"x\"\n",
        "client_cert_path = \"/c\"\n",
        "grpc_meta = { X_Api_Key = \"v\" }\n",
        "x = 1e999\n",
        "y = 0x\n",
        "[[profile]]\n",
        "\"",
        "=",
        "\n",
    ];
    const VARIABLES: &[&str] = &[
        "TEMPORAL_ADDRESS",
        "TEMPORAL_NAMESPACE",
        "TEMPORAL_API_KEY",
        "TEMPORAL_TLS",
        "TEMPORAL_PROFILE",
        "TEMPORAL_TLS_CLIENT_CERT_DATA",
        "TEMPORAL_GRPC_META_AUTHORIZATION",
    ];
    let mut g = Gen::new(8);
    for _ in 0..CASES {
        let document: String = (0..g.below(8)).map(|_| g.pick(FRAGMENTS)).collect();
        let mut env = EnvVars::new();
        for _ in 0..g.below(3) {
            let name = g.pick(VARIABLES);
            match g.below(4) {
                0 => env.insert_not_utf8(name),
                _ => env.insert(name, g.text("ab1:\n")),
            }
        }
        let options = LoadProfileOptions::new()
            .strict(g.bool())
            .config_source(ConfigSource::Data(document.into_bytes()));
        if let Ok(profile) = load_profile(&options, &env, &crate::config::NoFiles) {
            let _ = profile.to_client_connect_config(&crate::config::NoFiles);
            if let Ok(options) = profile.to_connect_options(&crate::config::NoFiles) {
                let _ = options.validate();
            }
        }
        let traced = load_profile_with_provenance(&options, &env, &crate::config::NoFiles);
        if let Ok(traced) = traced {
            let _ = format!("{}", traced.provenance);
            if let Ok(loaded) = traced.to_connect_options(&crate::config::NoFiles) {
                let _ = format!("{}", loaded.provenance);
            }
        }
    }
}
