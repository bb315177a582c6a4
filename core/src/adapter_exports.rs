//! What every runtime adapter re-exports, written once: `adapter_exports!()` in an adapter's
//! `lib.rs`.

/// Re-export, from the crate this is invoked in, what a user of the client needs, so that a
/// runtime adapter is the only temporal-lite dependency a program needs: the core's modules,
/// the common types at the top level, and the protocol types as `proto` (with `EventType`).
/// `testing` is re-exported when the invoking crate has a `testing` feature that is on. The
/// invoking crate must depend on `temporal-lite-proto`.
#[doc(hidden)]
#[macro_export]
macro_rules! adapter_exports {
    () => {
        /// The protocol types (`temporal_lite_proto`): requests, responses, history events.
        pub use ::temporal_lite_proto as proto;
        pub use ::temporal_lite_proto::temporal::api::enums::v1::EventType;
        pub use $crate::client::{
            Client, Error, HistoryEvent, RpcOptions, StartWorkflowOptions, WorkflowDescription,
            WorkflowFailure, WorkflowHandle, WorkflowIdConflictPolicy, WorkflowIdReusePolicy,
            WorkflowStatus,
        };
        pub use $crate::config::{ConnectOptions, KeepAlive, LoadProfileOptions, TlsOptions};
        pub use $crate::connect::Connect;
        pub use $crate::engine::doctor;
        #[cfg(feature = "testing")]
        pub use $crate::testing;
        pub use $crate::{client, config, entropy, grpc, observe, payload, time};
    };
}
