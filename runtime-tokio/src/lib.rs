//! The tokio runtime adapter for temporal-lite.
