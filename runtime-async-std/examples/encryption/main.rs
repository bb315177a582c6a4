//! Encrypt every payload the client sends and decrypt every payload it reads, with an
//! AES-256-GCM payload codec (`aes_gcm_codec.rs`, over the RustCrypto `aes-gcm` crate).
//!
//! The server and the Web UI only ever see ciphertext; a worker needs the same codec (the
//! Python test worker started with `--codec` has one on task queue `<queue>-codec`).
//! Connection settings come from Temporal's environment configuration (`TEMPORAL_ADDRESS`,
//! ...); the key from `ENCRYPTION_KEY_HEX` (64 hex digits). With a dev server on port 7233:
//!
//! ```sh
//! .venv/bin/python tests/python/worker.py --address 127.0.0.1:7233 --task-queue demo --codec &
//! ENCRYPTION_KEY_HEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
//! TEMPORAL_ADDRESS=127.0.0.1:7233 TASK_QUEUE=demo-codec \
//!     cargo run -p temporal-lite-async-std --example encryption
//! ```
//!
//! It lives in the async-std adapter so that the demo's build (an example of the tokio
//! adapter) does not compile `aes-gcm`; the codec itself is runtime-neutral.

mod aes_gcm_codec;

use std::sync::Arc;

use aes_gcm_codec::AesGcmCodec;
use temporal_lite_async_std::client::StartWorkflowOptions;

fn main() {
    if let Err(error) = async_std::task::block_on(run()) {
        eprintln!("encryption: {error}");
        std::process::exit(1);
    }
}

fn key_from_env() -> Result<[u8; 32], String> {
    let hex = std::env::var("ENCRYPTION_KEY_HEX")
        .map_err(|_| "set ENCRYPTION_KEY_HEX to a 32-byte key in hex (64 digits)".to_string())?;
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|_| "ENCRYPTION_KEY_HEX is not hex".to_string())?;
    bytes
        .try_into()
        .map_err(|_| "ENCRYPTION_KEY_HEX must be 64 hex digits (32 bytes)".to_string())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let key = key_from_env()?;
    let task_queue = std::env::var("TASK_QUEUE").unwrap_or_else(|_| "encrypted".into());
    let client = temporal_lite_async_std::connect_from_env()
        .await?
        .with_payload_codec(Some(Arc::new(AesGcmCodec::new("test-key-1", &key))));
    let id = format!("encrypted-echo-{}", std::process::id());
    let options = StartWorkflowOptions::new(id, task_queue).memo("note", &"secret memo");
    let handle = client
        .start_workflow("Echo", ("a secret argument",), options)
        .await?;
    let echoed: String = handle.result().await?;
    println!("Echo returned {echoed:?} (encrypted on the wire, both ways)");
    Ok(())
}
