//! Test harness shared by temporal-lite's integration tests.
