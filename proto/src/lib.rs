//! prost message types for the subset of `temporal.api` that temporal-lite uses.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
