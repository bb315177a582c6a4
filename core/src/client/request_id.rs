//! Request ids: random UUIDs (version 4 layout) drawn from the client's entropy source.
//!
//! The server de-duplicates starts, signals and cancellations by request id, so ids must
//! not repeat across clients, processes or devices; see [`crate::entropy`] for why they
//! come from real entropy and never from a seed the core makes up.

use alloc::string::String;

use crate::entropy::{Entropy, EntropyError, EntropySource};

/// Bytes of one id.
const ID_BYTES: usize = 16;
/// Bytes drawn from the source at a time: one call to the OS per 16 ids.
const POOL_BYTES: usize = 256;

/// A client's request-id generator, shared by its clones.
pub(crate) struct RequestIds {
    source: EntropySource,
    pool: spin::Mutex<Pool>,
}

struct Pool {
    bytes: [u8; POOL_BYTES],
    /// Bytes before this offset have been handed out.
    used: usize,
}

impl RequestIds {
    pub(crate) fn new(source: EntropySource) -> Self {
        Self {
            source,
            pool: spin::Mutex::new(Pool {
                bytes: [0; POOL_BYTES],
                used: POOL_BYTES,
            }),
        }
    }

    /// A new id, e.g. `"3f2a8c1e-5b7d-4e09-9a61-0c4f8e2b7d13"`.
    pub(crate) fn next(&self) -> Result<String, EntropyError> {
        if let Some(bytes) = self.pool.lock().take() {
            return Ok(uuid_v4(bytes));
        }
        // Refill without holding the lock: the source may be slow (a syscall, a hardware
        // RNG), and other callers only spin while it is held.
        let mut fresh = [0u8; POOL_BYTES];
        self.source.fill(&mut fresh)?;
        let mut pool = self.pool.lock();
        pool.bytes = fresh;
        pool.used = 0;
        Ok(uuid_v4(pool.take().unwrap_or_default()))
    }

    /// Eight bytes straight from the source (to seed the backoff jitter).
    pub(crate) fn seed(&self) -> Result<u64, EntropyError> {
        let mut bytes = [0u8; 8];
        self.source.fill(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }
}

impl Pool {
    fn take(&mut self) -> Option<[u8; ID_BYTES]> {
        let chunk = self.bytes.get(self.used..self.used + ID_BYTES)?;
        let mut bytes = [0u8; ID_BYTES];
        bytes.copy_from_slice(chunk);
        // Handed-out bytes are not kept around.
        self.bytes[self.used..self.used + ID_BYTES].fill(0);
        self.used += ID_BYTES;
        Some(bytes)
    }
}

/// `bytes` as a version-4, variant-1 UUID in lower-case hex with dashes.
pub(crate) fn uuid_v4(mut bytes: [u8; ID_BYTES]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}
