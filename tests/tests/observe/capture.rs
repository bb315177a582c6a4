//! A tracing subscriber that keeps everything emitted in this process (every level, every
//! target, h2's included), for the tests to search: spans with their fields and parents,
//! events with their fields and the spans they happened in.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One event as captured.
#[derive(Clone, Debug)]
pub(crate) struct Captured {
    pub(crate) level: Level,
    pub(crate) target: String,
    /// `name=value` pairs, the message as `message=...`.
    pub(crate) fields: String,
    /// The enclosing spans, innermost first, each as `name{fields}`.
    pub(crate) spans: Vec<String>,
}

impl Captured {
    /// Everything about the event, as one line.
    pub(crate) fn line(&self) -> String {
        format!(
            "{} {} {} in [{}]",
            self.level,
            self.target,
            self.fields,
            self.spans.join(" < ")
        )
    }
}

struct SpanData {
    name: &'static str,
    fields: String,
    parent: Option<u64>,
}

#[derive(Default)]
struct Capture {
    next: AtomicU64,
    spans: Mutex<HashMap<u64, SpanData>>,
    events: Mutex<Vec<Captured>>,
}

thread_local! {
    static STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, "{}={} ", field.name(), value);
    }
}

impl Capture {
    fn chain(&self, mut current: Option<u64>) -> Vec<String> {
        let spans = self.spans.lock().unwrap();
        let mut chain = Vec::new();
        while let Some(id) = current {
            let Some(span) = spans.get(&id) else { break };
            chain.push(format!("{}{{{}}}", span.name, span.fields.trim_end()));
            current = span.parent;
        }
        chain
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = String::new();
        attributes.record(&mut Fields(&mut fields));
        let parent = if attributes.is_root() {
            None
        } else if let Some(parent) = attributes.parent() {
            Some(parent.into_u64())
        } else {
            STACK.with(|s| s.borrow().last().copied())
        };
        self.spans.lock().unwrap().insert(
            id,
            SpanData {
                name: attributes.metadata().name(),
                fields,
                parent,
            },
        );
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(data) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(&mut data.fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = String::new();
        event.record(&mut Fields(&mut fields));
        let parent = if event.is_root() {
            None
        } else if let Some(parent) = event.parent() {
            Some(parent.into_u64())
        } else {
            STACK.with(|s| s.borrow().last().copied())
        };
        let captured = Captured {
            level: *event.metadata().level(),
            target: event.metadata().target().to_string(),
            fields,
            spans: self.chain(parent),
        };
        self.events.lock().unwrap().push(captured);
    }

    fn enter(&self, span: &Id) {
        STACK.with(|s| s.borrow_mut().push(span.into_u64()));
    }

    fn exit(&self, span: &Id) {
        STACK.with(|s| {
            let mut stack = s.borrow_mut();
            if let Some(at) = stack.iter().rposition(|id| *id == span.into_u64()) {
                stack.remove(at);
            }
        });
    }
}

fn global() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::default());
        tracing::subscriber::set_global_default(Forward(capture))
            .expect("no other global subscriber in this test binary");
        capture
    })
}

/// The subscriber installed globally: forwards to the leaked [`Capture`].
struct Forward(&'static Capture);

impl Subscriber for Forward {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.0.enabled(metadata)
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        self.0.max_level_hint()
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        self.0.new_span(attributes)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        self.0.record(span, values)
    }
    fn record_follows_from(&self, span: &Id, follows: &Id) {
        self.0.record_follows_from(span, follows)
    }
    fn event(&self, event: &Event<'_>) {
        self.0.event(event)
    }
    fn enter(&self, span: &Id) {
        self.0.enter(span)
    }
    fn exit(&self, span: &Id) {
        self.0.exit(span)
    }
}

/// Start capturing (once per process); call before the code under test runs.
pub(crate) fn install() {
    global();
}

/// Every event captured so far.
pub(crate) fn events() -> Vec<Captured> {
    global().events.lock().unwrap().clone()
}

/// Every span captured so far, as `name{fields}`.
pub(crate) fn spans() -> Vec<String> {
    let spans = global().spans.lock().unwrap();
    spans
        .values()
        .map(|s| format!("{}{{{}}}", s.name, s.fields.trim_end()))
        .collect()
}
