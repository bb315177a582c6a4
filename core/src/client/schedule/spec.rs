//! When a schedule takes its action: calendars, intervals, cron expressions.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use temporal_lite_proto::google::protobuf::Timestamp;
use temporal_lite_proto::temporal::api::schedule::v1 as proto;

use crate::client::proto_time::{from_proto_duration, timestamp_to_duration, to_proto_duration};

/// The times a schedule takes its action: the union of its calendars, intervals and cron
/// expressions, less the times matched by `skip`, between `start_at` and `end_at`.
///
/// ```
/// # use core::time::Duration;
/// # use temporal_lite_core::client::{CalendarSpec, IntervalSpec, ScheduleRange, ScheduleSpec};
/// let spec = ScheduleSpec::default()
///     .interval(IntervalSpec::every(Duration::from_secs(3600)))
///     .cron("0 12 * * MON-FRI")
///     .calendar(CalendarSpec::default().hour([ScheduleRange::value(9)]).comment("9 am daily"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScheduleSpec {
    /// Calendar-based times (sent as structured calendars).
    pub calendars: Vec<CalendarSpec>,
    /// Fixed intervals since the epoch.
    pub intervals: Vec<IntervalSpec>,
    /// Cron expressions (`"0 12 * * MON-FRI"`, `"@hourly"`, optionally with a leading
    /// `CRON_TZ=...`). The server turns them into calendars: a description lists them in
    /// [`calendars`](Self::calendars), not here.
    pub cron_expressions: Vec<String>,
    /// Times to leave out, even if another spec matches them.
    pub skip: Vec<CalendarSpec>,
    /// No action before this time (since the Unix epoch).
    pub start_at: Option<Duration>,
    /// No action after this time (since the Unix epoch).
    pub end_at: Option<Duration>,
    /// Each action is delayed by a random amount up to this.
    pub jitter: Option<Duration>,
    /// The IANA time zone calendars and cron expressions are read in (`"Europe/Paris"`);
    /// empty for UTC.
    pub time_zone_name: String,
}

impl ScheduleSpec {
    /// Add a calendar.
    pub fn calendar(mut self, calendar: CalendarSpec) -> Self {
        self.calendars.push(calendar);
        self
    }

    /// Add an interval.
    pub fn interval(mut self, interval: IntervalSpec) -> Self {
        self.intervals.push(interval);
        self
    }

    /// Add a cron expression.
    pub fn cron(mut self, expression: impl Into<String>) -> Self {
        self.cron_expressions.push(expression.into());
        self
    }

    /// Add times to skip.
    pub fn skip(mut self, calendar: CalendarSpec) -> Self {
        self.skip.push(calendar);
        self
    }

    /// Set the time zone.
    pub fn time_zone(mut self, name: impl Into<String>) -> Self {
        self.time_zone_name = name.into();
        self
    }

    /// Set the jitter.
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = Some(jitter);
        self
    }

    pub(crate) fn to_proto(&self) -> proto::ScheduleSpec {
        proto::ScheduleSpec {
            structured_calendar: self.calendars.iter().map(CalendarSpec::to_proto).collect(),
            cron_string: self.cron_expressions.clone(),
            calendar: Vec::new(),
            interval: self.intervals.iter().map(|i| i.to_proto()).collect(),
            exclude_structured_calendar: self.skip.iter().map(CalendarSpec::to_proto).collect(),
            start_time: self.start_at.map(timestamp),
            end_time: self.end_at.map(timestamp),
            jitter: self.jitter.map(to_proto_duration),
            timezone_name: self.time_zone_name.clone(),
            timezone_data: Vec::new(),
        }
    }

    pub(crate) fn from_proto(spec: proto::ScheduleSpec) -> Self {
        Self {
            calendars: spec
                .structured_calendar
                .into_iter()
                .map(CalendarSpec::from_proto)
                .collect(),
            intervals: spec
                .interval
                .into_iter()
                .map(IntervalSpec::from_proto)
                .collect(),
            cron_expressions: spec.cron_string,
            skip: spec
                .exclude_structured_calendar
                .into_iter()
                .map(CalendarSpec::from_proto)
                .collect(),
            start_at: spec.start_time.as_ref().and_then(timestamp_to_duration),
            end_at: spec.end_time.as_ref().and_then(timestamp_to_duration),
            jitter: spec.jitter.as_ref().and_then(from_proto_duration),
            time_zone_name: spec.timezone_name,
        }
    }
}

/// A range of values of one calendar field: `start`, `start + step`, ... up to `end`
/// inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScheduleRange {
    /// The first value.
    pub start: i32,
    /// The last value; `0` (or anything below `start`) means `start` alone.
    pub end: i32,
    /// The step; `0` means 1.
    pub step: i32,
}

impl ScheduleRange {
    /// One value.
    pub fn value(value: i32) -> Self {
        Self {
            start: value,
            end: value,
            step: 1,
        }
    }

    /// Every value from `start` to `end`.
    pub fn span(start: i32, end: i32) -> Self {
        Self {
            start,
            end,
            step: 1,
        }
    }

    /// Every `step`th value from `start` to `end`.
    pub fn stepped(start: i32, end: i32, step: i32) -> Self {
        Self { start, end, step }
    }
}

/// Calendar times: each field lists the values it matches; an empty field uses the
/// server's default, which is `0` for second, minute and hour and "every" for the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalendarSpec {
    /// Seconds, 0-59.
    pub second: Vec<ScheduleRange>,
    /// Minutes, 0-59.
    pub minute: Vec<ScheduleRange>,
    /// Hours, 0-23.
    pub hour: Vec<ScheduleRange>,
    /// Days of the month, 1-31.
    pub day_of_month: Vec<ScheduleRange>,
    /// Months, 1-12.
    pub month: Vec<ScheduleRange>,
    /// Years.
    pub year: Vec<ScheduleRange>,
    /// Days of the week, 0-6 with 0 for Sunday.
    pub day_of_week: Vec<ScheduleRange>,
    /// A free-form note on what this calendar is for.
    pub comment: String,
}

macro_rules! calendar_setters {
    ($($field:ident),*) => {
        $(
            #[doc = concat!("Set `", stringify!($field), "`.")]
            pub fn $field(mut self, ranges: impl IntoIterator<Item = ScheduleRange>) -> Self {
                self.$field = ranges.into_iter().collect();
                self
            }
        )*
    };
}

impl CalendarSpec {
    calendar_setters!(second, minute, hour, day_of_month, month, year, day_of_week);

    /// Set the comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = comment.into();
        self
    }

    fn to_proto(&self) -> proto::StructuredCalendarSpec {
        let ranges = |r: &[ScheduleRange]| {
            r.iter()
                .map(|r| proto::Range {
                    start: r.start,
                    end: r.end,
                    step: r.step,
                })
                .collect()
        };
        proto::StructuredCalendarSpec {
            second: ranges(&self.second),
            minute: ranges(&self.minute),
            hour: ranges(&self.hour),
            day_of_month: ranges(&self.day_of_month),
            month: ranges(&self.month),
            year: ranges(&self.year),
            day_of_week: ranges(&self.day_of_week),
            comment: self.comment.clone(),
        }
    }

    fn from_proto(spec: proto::StructuredCalendarSpec) -> Self {
        let ranges = |r: Vec<proto::Range>| {
            r.into_iter()
                .map(|r| ScheduleRange {
                    start: r.start,
                    end: r.end,
                    step: r.step,
                })
                .collect()
        };
        Self {
            second: ranges(spec.second),
            minute: ranges(spec.minute),
            hour: ranges(spec.hour),
            day_of_month: ranges(spec.day_of_month),
            month: ranges(spec.month),
            year: ranges(spec.year),
            day_of_week: ranges(spec.day_of_week),
            comment: spec.comment,
        }
    }
}

/// Times `epoch + n × every + offset`: every hour on the hour, every 15 minutes from :05,
/// every 28 days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IntervalSpec {
    /// The period (whole seconds).
    pub every: Duration,
    /// The offset within the period (whole seconds).
    pub offset: Duration,
}

impl IntervalSpec {
    /// Every `every`, aligned on the epoch.
    pub fn every(every: Duration) -> Self {
        Self {
            every,
            offset: Duration::ZERO,
        }
    }

    /// Every `every`, `offset` into each period.
    pub fn every_with_offset(every: Duration, offset: Duration) -> Self {
        Self { every, offset }
    }

    fn to_proto(self) -> proto::IntervalSpec {
        proto::IntervalSpec {
            interval: Some(to_proto_duration(self.every)),
            phase: (!self.offset.is_zero()).then(|| to_proto_duration(self.offset)),
        }
    }

    fn from_proto(spec: proto::IntervalSpec) -> Self {
        Self {
            every: spec
                .interval
                .as_ref()
                .and_then(from_proto_duration)
                .unwrap_or_default(),
            offset: spec
                .phase
                .as_ref()
                .and_then(from_proto_duration)
                .unwrap_or_default(),
        }
    }
}

/// A time since the Unix epoch as a protobuf timestamp.
pub(crate) fn timestamp(since_epoch: Duration) -> Timestamp {
    Timestamp {
        seconds: i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX),
        nanos: since_epoch.subsec_nanos() as i32,
    }
}
