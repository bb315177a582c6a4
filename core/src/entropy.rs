//! Unpredictable bytes for request ids: the operating system's randomness with the `std`
//! feature, or a source the embedder supplies.
//!
//! The server de-duplicates starts, signals and cancellations by request id. Ids drawn from
//! a seed that two devices can share (a fixed value, the boot time, a stack address on a
//! target without address-space randomisation) let one device's start or signal be taken
//! for another's. So the core never invents a seed: request ids come from an [`Entropy`]
//! source, by default [`OsEntropy`]. Without `std` there is no operating system to ask;
//! supply a source (a hardware RNG, or a CSPRNG seeded from one) with
//! [`ConnectOptions::entropy`](crate::config::ConnectOptions::entropy), or calls
//! that need a request id fail and say so.
//!
//! ```
//! use temporal_lite_core::config::ConnectOptions;
//! use temporal_lite_core::entropy::{Entropy, EntropyError};
//!
//! /// A board's true random number generator (here a stand-in).
//! struct BoardRng;
//!
//! impl Entropy for BoardRng {
//!     fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
//!         for byte in dest.iter_mut() {
//!             *byte = read_trng_register();
//!         }
//!         Ok(())
//!     }
//! }
//! # fn read_trng_register() -> u8 { 4 }
//!
//! let options = ConnectOptions::new("temporal.example:7233").entropy(BoardRng);
//! ```

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

/// A source of unpredictable bytes.
///
/// Implement it over a hardware random number generator or a cryptographically secure
/// generator seeded from one. Never over a fixed seed, a clock or an address: ids from such
/// sources repeat across devices. It is called from any thread, a few times per hundred
/// calls that carry a request id (bytes are drawn 256 at a time).
pub trait Entropy: Send + Sync {
    /// Fill all of `dest` with unpredictable bytes, or fail (then no request id is made).
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError>;
}

/// Why an [`Entropy`] source gave no bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntropyError {
    message: String,
}

impl EntropyError {
    /// An error described by `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The description.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EntropyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for EntropyError {}

/// The operating system's randomness (`getrandom(2)`, `BCryptGenRandom`, ...), through the
/// `getrandom` crate. Needs the `std` feature: without it, [`fill`](Entropy::fill) always
/// fails with an error that says to supply a source of your own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    #[cfg(feature = "std")]
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::getrandom(dest).map_err(|error| {
            EntropyError::new(alloc::format!(
                "the operating system's random number generator failed: {error}"
            ))
        })
    }

    #[cfg(not(feature = "std"))]
    fn fill(&self, _dest: &mut [u8]) -> Result<(), EntropyError> {
        Err(EntropyError::new(
            "no operating-system randomness without the `std` feature; supply an entropy \
             source with ConnectOptions::entropy (e.g. the board's hardware RNG)",
        ))
    }
}

/// The entropy source a client draws request ids from: [`OsEntropy`] unless you supply
/// another. Cheap to clone; two values are equal when they are the same source.
#[derive(Clone, Default)]
pub struct EntropySource(Source);

#[derive(Clone, Default)]
enum Source {
    #[default]
    Os,
    Custom(Arc<dyn Entropy>),
}

impl EntropySource {
    /// The operating system's randomness ([`OsEntropy`]).
    pub fn os() -> Self {
        Self(Source::Os)
    }

    /// A source of your own.
    pub fn new(entropy: Arc<dyn Entropy>) -> Self {
        Self(Source::Custom(entropy))
    }

    /// Whether this is the operating system's randomness.
    pub fn is_os(&self) -> bool {
        matches!(self.0, Source::Os)
    }
}

impl Entropy for EntropySource {
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
        match &self.0 {
            Source::Os => OsEntropy.fill(dest),
            Source::Custom(entropy) => entropy.fill(dest),
        }
    }
}

impl PartialEq for EntropySource {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Source::Os, Source::Os) => true,
            (Source::Custom(a), Source::Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Eq for EntropySource {}

impl fmt::Debug for EntropySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Source::Os => f.write_str("EntropySource::Os"),
            Source::Custom(_) => f.write_str("EntropySource::Custom"),
        }
    }
}
