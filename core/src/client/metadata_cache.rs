//! [`MetadataCache`]: the metadata of the last few kinds of call, built once and then
//! cloned (which shares the text rather than copying it).

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use crate::config::ApiKey;
use crate::grpc::Metadata;

/// The metadata of the last few kinds of call (namespaced or not, deadline), valid for one
/// API key and one set of live metadata; clones of the client's settings start empty.
#[derive(Default)]
pub(super) struct MetadataCache(spin::Mutex<MetadataEntries>);

#[derive(Default)]
struct MetadataEntries {
    /// The API key the entries were built with (held, so its address is not reused).
    key: Option<Arc<ApiKey>>,
    /// The metadata set with `Client::set_metadata` they were built with (held likewise).
    live: Option<Arc<Metadata>>,
    entries: Vec<(bool, Duration, Metadata)>,
}

/// How many kinds of call keep their metadata: namespaced or not, normal or long poll.
const METADATA_CACHE_SIZE: usize = 4;

impl Clone for MetadataCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl MetadataCache {
    /// The metadata of a call of kind (`namespaced`, `timeout`) for API key `key` and live
    /// metadata `live`: the kept one, else `build`'s, kept while there is room. Entries made
    /// for another key or other live metadata are dropped first.
    pub(super) fn get_or_build<E>(
        &self,
        key: &Option<Arc<ApiKey>>,
        live: &Option<Arc<Metadata>>,
        namespaced: bool,
        timeout: Duration,
        build: impl FnOnce() -> Result<Metadata, E>,
    ) -> Result<Metadata, E> {
        let mut cache = self.0.lock();
        if !same_arc(&cache.key, key) || !same_arc(&cache.live, live) {
            cache.entries.clear();
            cache.key = key.clone();
            cache.live = live.clone();
        }
        if let Some((_, _, metadata)) = cache
            .entries
            .iter()
            .find(|(n, t, _)| *n == namespaced && *t == timeout)
        {
            return Ok(metadata.clone());
        }
        let metadata = build()?;
        if cache.entries.len() < METADATA_CACHE_SIZE {
            cache.entries.push((namespaced, timeout, metadata.clone()));
        }
        Ok(metadata)
    }
}

/// Whether `a` and `b` are the same value (or both none).
fn same_arc<T>(a: &Option<Arc<T>>, b: &Option<Arc<T>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}
