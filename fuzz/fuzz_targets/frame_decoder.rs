//! The incremental gRPC frame decoder: any bytes, split anywhere, with any receive limit.
//! Every message it returns must be exactly what the stream framed, in order.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use temporal_lite_core::grpc::{FrameDecoder, FrameError};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let limit = match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => 0,
        1 => usize::from(u.arbitrary::<u8>().unwrap_or(0)),
        2 => usize::from(u.arbitrary::<u16>().unwrap_or(0)),
        _ => 128 * 1024 * 1024,
    };
    let split_seed: u64 = u.arbitrary().unwrap_or(0);
    let stream = u.take_rest();

    let mut decoder = FrameDecoder::new(limit);
    let mut messages = Vec::new();
    let mut rest = stream;
    let mut seed = split_seed;
    let mut failed = None;
    while !rest.is_empty() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let take = 1 + (seed >> 33) as usize % rest.len().min(64);
        let (chunk, after) = rest.split_at(take);
        rest = after;
        if let Err(error) = decoder.push(chunk) {
            failed = Some(error);
            break;
        }
        loop {
            match decoder.next_message() {
                Ok(Some(message)) => messages.push(message),
                Ok(None) => break,
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        if failed.is_some() {
            break;
        }
    }
    let end = decoder.finish();

    // What the decoder returned must be the stream's frames, in order.
    let mut at = 0;
    for message in &messages {
        let header = &stream[at..at + 5];
        assert_eq!(header[0], 0);
        let declared = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
        assert_eq!(declared, message.len());
        assert!(declared <= limit);
        assert_eq!(&stream[at + 5..at + 5 + declared], &message[..]);
        at += 5 + declared;
    }
    match (failed, end) {
        (Some(error), Err(end)) => assert_eq!(error, end, "errors are sticky"),
        (Some(error), Ok(())) => panic!("error {error} forgotten by finish"),
        (None, Ok(())) => assert_eq!(at, stream.len(), "finish accepted a partial frame"),
        (None, Err(FrameError::Truncated { buffered })) => {
            assert_eq!(at + buffered, stream.len())
        }
        (None, Err(other)) => panic!("finish failed with {other} after a clean stream"),
    }
});
