//! Offline tests of update, update-with-start, schedules, async activity completion, raw
//! calls and the payload codec stage, over `testing::MockTransport`: what goes on the wire
//! and how answers and errors are read.

mod calls;
mod codec;
mod support;
mod update;
