//! The server's clock, in microseconds since 1970 UTC, and its dates.

use chrono::{DateTime, NaiveDate, Utc};

pub fn now_us() -> i64 {
    Utc::now().timestamp_micros()
}

pub fn rfc3339(us: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
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
