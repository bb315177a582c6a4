//! The async-std runtime adapter for temporal-lite.
