//! Timestamps to microseconds since the Unix epoch, UTC. The common shapes (`YYYY-MM-DD`,
//! RFC 3339 with `Z` or an offset, and the `YYYY-MM-DD HH:MM[:SS]` of spreadsheet and
//! ticket exports, read as UTC) are parsed by hand because a large observation file is
//! mostly timestamps; anything else goes through chrono's RFC 3339 parser.

const US_PER_SEC: i64 = 1_000_000;
pub const US_PER_DAY: i64 = 86_400 * US_PER_SEC;

/// Days from 1970-01-01 to the civil date (proleptic Gregorian), exact for any year.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn date_part(b: &[u8]) -> Option<i64> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])? as i64;
    // Years 1 to 9999, as every date Steward writes.
    if y == 0 {
        return None;
    }
    let m = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses a timestamp; `None` when it is none of the accepted shapes.
pub fn parse_micros(text: &str) -> Option<i64> {
    let t = text.trim();
    let b = t.as_bytes();
    let day = date_part(b)?;
    if b.len() == 10 {
        return Some(day * US_PER_DAY);
    }
    if b.len() < 16 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') || b[13] != b':' {
        return None;
    }
    let hh = digits(&b[11..13])? as i64;
    let mm = digits(&b[14..16])? as i64;
    let mut i = 16;
    let mut ss = 0i64;
    let mut frac_us = 0i64;
    if b.len() >= 19 && b[16] == b':' {
        ss = digits(&b[17..19])? as i64;
        i = 19;
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
            // Keep microseconds; finer digits are truncated (they never cross a day edge).
            let f = &b[start..i.min(start + 6)];
            let mut v = digits(f)? as i64;
            for _ in f.len()..6 {
                v *= 10;
            }
            frac_us = v;
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // A leap second (`23:59:60`) belongs to the minute it ends, not to the next one (which
    // for 23:59:60 is the next day, and can be the other side of a window's edge): it is
    // read as the last microsecond of its minute.
    if ss == 60 {
        ss = 59;
        frac_us = 999_999;
    }
    let offset_s: i64 = match &b[i..] {
        [] if b[10] == b' ' => 0, // "YYYY-MM-DD HH:MM:SS" of exports: UTC
        [] => return None,        // RFC 3339 requires an offset
        [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = digits(&[*h1, *h2])? as i64;
            let om = digits(&[*m1, *m2])? as i64;
            if oh > 23 || om > 59 {
                return None;
            }
            let s = (oh * 60 + om) * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return chrono_fallback(t),
    };
    Some(day * US_PER_DAY + ((hh * 60 + mm) * 60 + ss - offset_s) * US_PER_SEC + frac_us)
}

fn chrono_fallback(t: &str) -> Option<i64> {
    use chrono::{Datelike, Timelike};
    let d = chrono::DateTime::parse_from_rfc3339(t).ok()?;
    if d.year() < 1 {
        return None;
    }
    // chrono writes a leap second as a nanosecond count past 1e9: kept in its own minute,
    // as above.
    if d.nanosecond() >= 1_000_000_000 {
        return Some(d.timestamp() * US_PER_SEC + 999_999);
    }
    Some(d.timestamp_micros())
}

/// Whether a timestamp is written in the year 0 (`0000-...`), which the proleptic
/// calendar has but dates in reports (years 1 to 9999) do not.
pub fn is_year_zero(text: &str) -> bool {
    text.trim().as_bytes().starts_with(b"0000-")
}

/// Midnight UTC of a manifest date, in microseconds.
pub fn midnight(date: steward_manifest::Date) -> i64 {
    use chrono::Datelike;
    let d = date.0;
    days_from_civil(d.year() as i64, d.month(), d.day()) * US_PER_DAY
}

/// The date (UTC) of an instant, for charts.
pub fn date_of(us: i64) -> String {
    day_of(us)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The calendar day (UTC) an instant falls on; `None` outside chrono's range.
pub fn day_of(us: i64) -> Option<chrono::NaiveDate> {
    chrono::DateTime::from_timestamp_micros(us).map(|d| d.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_us(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn agrees_with_chrono() {
        for s in [
            "2026-12-01T00:30:00+01:00",
            "2026-11-30T23:30:00-01:00",
            "2026-11-30T23:59:59.999999Z",
            "2027-03-01T05:00:00+09:00",
            "1969-12-31T23:59:59.5Z",
            "2000-02-29T12:00:00.123456789Z",
            "2026-06-03T23:59:59Z",
        ] {
            assert_eq!(parse_micros(s), Some(chrono_us(s)), "{s}");
        }
    }

    #[test]
    fn a_leap_second_stays_in_its_own_minute_and_day() {
        let day_end = parse_micros("2026-12-01").unwrap();
        for s in [
            "2026-11-30T23:59:60Z",
            "2026-11-30T23:59:60.5Z",
            "2026-11-30 23:59:60",
            "2026-11-30T23:59:60.25+00:00",
        ] {
            assert_eq!(parse_micros(s), Some(day_end - 1), "{s}");
        }
    }

    #[test]
    fn the_year_0_is_refused() {
        assert_eq!(parse_micros("0000-01-01"), None);
        assert_eq!(parse_micros("0000-06-01T00:00:00Z"), None);
        assert!(is_year_zero(" 0000-01-01"));
        assert!(parse_micros("0001-01-01").is_some());
    }

    #[test]
    fn dates_and_export_shapes() {
        assert_eq!(parse_micros("1970-01-02"), Some(US_PER_DAY));
        assert_eq!(
            parse_micros("2026-12-15"),
            Some(chrono_us("2026-12-15T00:00:00Z"))
        );
        assert_eq!(
            parse_micros("2026-12-15 14:03"),
            Some(chrono_us("2026-12-15T14:03:00Z"))
        );
        assert_eq!(
            parse_micros("2026-12-15 14:03:09"),
            Some(chrono_us("2026-12-15T14:03:09Z"))
        );
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for s in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-12-15T14:03",
            "15/12/2026",
            "2026-12-15T25:00:00Z",
            "2026-12-15T10:00:00+2",
        ] {
            assert_eq!(parse_micros(s), None, "{s}");
        }
    }
}
