//! The server's clock, in microseconds since 1970 UTC, and its dates.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

/// Added to the system clock: a test moves the server days ahead to see windows close and
/// streams fall silent (`Config::clock_offset_s`). Zero in use.
static OFFSET_US: AtomicI64 = AtomicI64::new(0);

pub fn set_offset_seconds(seconds: i64) {
    OFFSET_US.store(seconds.saturating_mul(1_000_000), Ordering::Relaxed);
}

pub fn now_us() -> i64 {
    Utc::now()
        .timestamp_micros()
        .saturating_add(OFFSET_US.load(Ordering::Relaxed))
}

pub fn rfc3339(us: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

pub fn today() -> NaiveDate {
    date_of(now_us()).unwrap_or_else(|| Utc::now().date_naive())
}

/// Midnight UTC of a date, in microseconds.
pub fn midnight_us(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_micros())
        .unwrap_or(0)
}

pub fn date_of(us: i64) -> Option<NaiveDate> {
    DateTime::<Utc>::from_timestamp_micros(us).map(|t| t.date_naive())
}
