//! Reading a [`HistoryEvent`] without the proto crate: its type by name.

use alloc::format;
use alloc::string::String;

use temporal_lite_proto::temporal::api::enums::v1::EventType;
use temporal_lite_proto::temporal::api::history::v1::HistoryEvent;

/// What a [`HistoryEvent`] says, readably. `use temporal_lite_core::client::HistoryEventExt`
/// to call it on events.
///
/// ```
/// use temporal_lite_core::client::{EventType, HistoryEvent, HistoryEventExt};
///
/// let event = HistoryEvent {
///     event_id: 1,
///     event_type: EventType::WorkflowExecutionStarted as i32,
///     ..Default::default()
/// };
/// assert_eq!(event.event_type_name(), "WorkflowExecutionStarted");
/// assert_eq!(event.event_type(), EventType::WorkflowExecutionStarted);
/// ```
pub trait HistoryEventExt {
    /// The event's type as the Temporal UI and CLI name it, e.g.
    /// `WorkflowExecutionStarted`; `Unknown(n)` for a type this crate does not know (a
    /// newer server).
    fn event_type_name(&self) -> String;
}

impl HistoryEventExt for HistoryEvent {
    fn event_type_name(&self) -> String {
        match EventType::try_from(self.event_type) {
            // The variant's name is the event's name.
            Ok(known) => format!("{known:?}"),
            Err(_) => format!("Unknown({})", self.event_type),
        }
    }
}
