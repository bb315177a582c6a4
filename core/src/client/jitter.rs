//! Randomness for retry backoff: a small, fast generator. Jitter only spreads retries of
//! many clients apart; it needs no secrecy, so one seed from the client's entropy source
//! is enough (request ids never come from here; see `request_id`).

use core::sync::atomic::{AtomicUsize, Ordering};

/// SplitMix64: one 64-bit state, full period, good enough statistics for jitter.
#[derive(Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// A generator for a client whose entropy source failed: distinct per client in this
    /// process, but the same sequence in every process. Such a client cannot make request
    /// ids anyway (its calls that need one fail); its retries still back off.
    pub(crate) fn without_entropy() -> Self {
        static CLIENTS: AtomicUsize = AtomicUsize::new(0);
        Self(CLIENTS.fetch_add(1, Ordering::Relaxed) as u64)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
