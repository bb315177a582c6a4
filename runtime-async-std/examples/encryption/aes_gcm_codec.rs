//! An AES-256-GCM payload codec, byte-compatible with the encryption codecs of Temporal's
//! samples in other languages (and with the one of `tests/python/worker.py`).
//!
//! Format of an encrypted payload: metadata `encoding: binary/encrypted` and
//! `encryption-key-id: <key id>`; data = a random 12-byte nonce followed by the AES-GCM
//! ciphertext (with its tag, no associated data) of the original payload, serialized as
//! protobuf. Decoding passes payloads without that encoding through unchanged, so histories
//! written before encryption was turned on stay readable.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use async_trait::async_trait;
use prost::Message;
use temporal_lite_async_std::payload::{Payload, PayloadCodec, PayloadError};

/// The `encoding` of an encrypted payload.
pub(crate) const ENCODING_ENCRYPTED: &str = "binary/encrypted";
/// The metadata key naming the key a payload was encrypted with.
pub(crate) const METADATA_KEY_ID: &str = "encryption-key-id";
const NONCE_LEN: usize = 12;

/// Encrypts every payload with one AES-256 key.
pub(crate) struct AesGcmCodec {
    key_id: String,
    cipher: Aes256Gcm,
}

impl AesGcmCodec {
    /// A codec with the 32-byte `key`, recorded in payloads as `key_id` (so that a reader
    /// can pick the right key when keys rotate).
    pub(crate) fn new(key_id: impl Into<String>, key: &[u8; 32]) -> Self {
        Self {
            key_id: key_id.into(),
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
        }
    }

    fn seal(&self, payload: &Payload) -> Result<Payload, PayloadError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, payload.encode_to_vec().as_slice())
            .map_err(|_| PayloadError::new("AES-GCM encryption failed"))?;
        let mut data = Vec::with_capacity(NONCE_LEN + sealed.len());
        data.extend_from_slice(&nonce);
        data.extend_from_slice(&sealed);
        let mut out = Payload {
            data,
            ..Default::default()
        };
        out.metadata
            .insert("encoding".into(), ENCODING_ENCRYPTED.as_bytes().to_vec());
        out.metadata
            .insert(METADATA_KEY_ID.into(), self.key_id.as_bytes().to_vec());
        Ok(out)
    }

    fn open(&self, payload: Payload) -> Result<Payload, PayloadError> {
        if payload.metadata.get("encoding").map(Vec::as_slice)
            != Some(ENCODING_ENCRYPTED.as_bytes())
        {
            return Ok(payload);
        }
        let key_id = payload
            .metadata
            .get(METADATA_KEY_ID)
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .unwrap_or_default();
        if key_id != self.key_id {
            return Err(PayloadError::new(format!(
                "payload encrypted with key `{key_id}`, this codec has key `{}`",
                self.key_id
            )));
        }
        if payload.data.len() < NONCE_LEN {
            return Err(PayloadError::new(
                "encrypted payload is shorter than its nonce",
            ));
        }
        let (nonce, sealed) = payload.data.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| {
                PayloadError::new("AES-GCM decryption failed (wrong key or tampered data)")
            })?;
        Payload::decode(plain.as_slice())
            .map_err(|e| PayloadError::new(format!("decrypted payload is not a Payload: {e}")))
    }
}

#[async_trait]
impl PayloadCodec for AesGcmCodec {
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
        payloads.iter().map(|p| self.seal(p)).collect()
    }

    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError> {
        payloads.into_iter().map(|p| self.open(p)).collect()
    }
}
