//! Scalar value types of the manifest that carry their own validation: dates, relative
//! figures, cost figures, scores and names. Each one rejects bad input while it is being
//! deserialized, so the YAML layer can point the error at the offending line and column.

use std::borrow::Cow;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// How much of a value an error message quotes: enough to recognise it, never a whole
/// multi-megabyte string.
pub(crate) fn quote(s: &str) -> Cow<'_, str> {
    steward_io::clip(s, 60)
}

/// The largest cost figure accepted: a thousand billion (1e15) in any currency. Anything
/// above is a typo or an attack, and would push sums over a horizon towards the limits of
/// floating point, where totals print as saturated integers and simulations collapse.
pub const MAX_COST: f64 = 1e15;

/// The years a manifest date may have: four digits, from year 1.
pub const MIN_YEAR: i32 = 1;
pub const MAX_YEAR: i32 = 9999;

/// Whether text says nothing a reader could see: empty, only whitespace, or only
/// invisible characters (control and formatting characters such as U+200B or U+202E,
/// and the blank-looking fillers). Such text counts as missing, not as an answer.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || steward_io::is_unsafe(c)
            || matches!(
                c,
                '\u{115F}' | '\u{1160}' | '\u{2800}' | '\u{3164}' | '\u{FFA0}'
            )
    })
}

/// Whether text is a placeholder still waiting for its answer: it starts with `TODO`
/// (any case) followed by `:`, a space or nothing, as the starter from `steward init`
/// writes them. A placeholder counts as missing, as blank text does.
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim_start();
    t.get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case("todo"))
        && t[4..]
            .chars()
            .next()
            .is_none_or(|c| c == ':' || c.is_whitespace())
}

/// Blank or a placeholder: text that answers nothing.
pub fn is_unanswered(s: &str) -> bool {
    is_blank(s) || is_placeholder(s)
}

/// Why text is not a manifest date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not written `YYYY-MM-DD`; the text, clipped.
    #[error("expected a date written YYYY-MM-DD, found `{found}`")]
    NotYyyyMmDd { found: String },
    /// Written `YYYY-MM-DD`, but no such day (`2026-02-30`).
    #[error("`{text}` is not a calendar date (expected YYYY-MM-DD)")]
    NoSuchDay { text: String },
    /// The year 0, which the calendar a manifest speaks of does not have.
    #[error("`{text}` is not a calendar date: years run from {min:04} to {max}", min = MIN_YEAR, max = MAX_YEAR)]
    YearOutOfRange { text: String },
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    /// Parses exactly `YYYY-MM-DD` (no time, no offset, no other separators).
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let t = text.trim();
        let shape_ok = t.len() == 10
            && t.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(DateError::NotYyyyMmDd {
                found: quote(t).into_owned(),
            });
        }
        // From here `t` is ten ASCII characters: short enough to quote whole.
        let date = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| DateError::NoSuchDay { text: t.into() })?;
        // chrono knows a year 0 (1 BC); the calendar a manifest speaks of starts at year 1.
        if date.year() < MIN_YEAR {
            return Err(DateError::YearOutOfRange { text: t.into() });
        }
        Ok(Date(date))
    }

    /// The same day `months` months later, clamped to the month's last day; `None` past
    /// 9999-12-31, the last date a manifest can write (and so a report can print as written).
    pub fn checked_add_months(self, months: u32) -> Option<Date> {
        self.0
            .checked_add_months(chrono::Months::new(months))
            .filter(|d| d.year() <= MAX_YEAR)
            .map(Date)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }

    /// The same day `months` months later, clamped to the month's last day.
    pub fn add_months(self, months: u32) -> Date {
        Date(
            self.0
                .checked_add_months(chrono::Months::new(months))
                .unwrap_or(NaiveDate::MAX),
        )
    }

    pub fn add_days(self, days: i64) -> Date {
        Date(
            self.0
                .checked_add_signed(chrono::TimeDelta::days(days))
                .unwrap_or(if days < 0 {
                    NaiveDate::MIN
                } else {
                    NaiveDate::MAX
                }),
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date written YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
    }
}

/// Parses a relative figure: `"25%"`, `"-12.5 %"`, or a plain fraction such as `0.25`.
fn parse_relative(text: &str) -> Option<f64> {
    let t = text.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(p) => (p.trim_end(), 0.01),
        None => (t, 1.0),
    };
    number
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| v * scale)
}

/// A relative figure as written in the manifest. Text that is not a number is kept rather
/// than rejected, because the readiness gate's P4 rule exists precisely to tell the team
/// that "improved productivity" is not a target.
#[derive(Clone, Debug, PartialEq)]
pub enum RelativeFigure {
    /// A fraction: `"25%"` and `0.25` are both 0.25.
    Fraction(f64),
    /// Words where a number was expected.
    Text(String),
}

impl RelativeFigure {
    pub fn fraction(&self) -> Option<f64> {
        match self {
            RelativeFigure::Fraction(v) => Some(*v),
            RelativeFigure::Text(_) => None,
        }
    }
}

impl fmt::Display for RelativeFigure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelativeFigure::Fraction(v) => write!(f, "{}%", format_number(v * 100.0)),
            RelativeFigure::Text(t) => write!(f, "\"{t}\""),
        }
    }
}

/// Formats a number without a trailing `.0` and without float noise such as `25.000000000000004`.
pub fn format_number(v: f64) -> String {
    let rounded = (v * 1e9).round() / 1e9;
    if rounded == rounded.trunc() && rounded.abs() < 1e15 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

/// Formats an amount rounded to a whole number with thousands separators: `1,234,567`.
pub fn format_thousands(v: f64) -> String {
    let whole = v.abs().round() as u64;
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0.0 && whole > 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl Serialize for RelativeFigure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RelativeFigure::Fraction(v) => s.serialize_f64(*v),
            RelativeFigure::Text(t) => s.serialize_str(t),
        }
    }
}

/// A relative figure with how it was written: `bare` when it has no `%` sign (`30`, `0.3`,
/// `"30"`), which makes it a fraction.
struct Written {
    figure: RelativeFigure,
    bare: bool,
}

impl<'de> Deserialize<'de> for Written {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Written;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a percentage such as \"25%\" or a fraction such as 0.25")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                if v.is_finite() {
                    Ok(Written {
                        figure: RelativeFigure::Fraction(v),
                        bare: true,
                    })
                } else {
                    Err(E::custom("a relative figure must be a finite number"))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(match parse_relative(v) {
                    Some(f) => Written {
                        figure: RelativeFigure::Fraction(f),
                        bare: !v.contains('%'),
                    },
                    None => Written {
                        figure: RelativeFigure::Text(v.to_string()),
                        bare: false,
                    },
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RelativeFigure {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Written::deserialize(d).map(|w| w.figure)
    }
}

/// The largest size a target written without `%` may have: 10, that is 1000%. A larger
/// bare number is almost always a percentage without its sign (`30` meant as 30%), and
/// read as a fraction it becomes a target no one set (3000%) that the gate and the metric
/// evaluation would then hold the team to.
pub const MAX_BARE_TARGET: f64 = 10.0;

/// The two readings of a bare relative figure, for a message that lets the author pick:
/// "`30` reads as 3000%; write "30%" for 30 percent, or 0.3".
pub(crate) fn both_readings(written: &str, v: f64) -> String {
    format!(
        "`{}` reads as {}% (a number without `%` is a fraction: 0.25 is 25%); write \"{}%\" for {} percent, or {}",
        quote(written),
        format_number(v * 100.0),
        quote(written),
        quote(written),
        format_number(v / 100.0)
    )
}

/// `target_change`: a relative figure, refused when it is a bare number above
/// [`MAX_BARE_TARGET`], since the reading the author meant cannot be told.
pub(crate) fn target_change<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<RelativeFigure>, D::Error> {
    let Some(w) = Option::<Written>::deserialize(d)? else {
        return Ok(None);
    };
    match w.figure {
        RelativeFigure::Fraction(v) if w.bare && v.abs() > MAX_BARE_TARGET => {
            Err(de::Error::custom(format!(
                "ambiguous target_change: {}",
                both_readings(&format_number(v), v)
            )))
        }
        figure => Ok(Some(figure)),
    }
}

impl JsonSchema for RelativeFigure {
    fn schema_name() -> Cow<'static, str> {
        "RelativeFigure".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage string such as \"25%\" or a fraction such as 0.25.",
            "oneOf": [
                {"type": "number"},
                {"type": "string", "pattern": "^\\s*-?[0-9]+(\\.[0-9]+)?\\s*%\\s*$"}
            ]
        })
    }
}

/// A cost in the budget's currency: a fixed number, or a range for the cost simulation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CostFigure {
    Fixed(f64),
    Range { low: f64, likely: f64, high: f64 },
}

impl CostFigure {
    /// The value used wherever a single figure is needed (the declared total, yardsticks).
    pub fn likely(&self) -> f64 {
        match *self {
            CostFigure::Fixed(v) => v,
            CostFigure::Range { likely, .. } => likely,
        }
    }
    pub fn low(&self) -> f64 {
        match *self {
            CostFigure::Fixed(v) => v,
            CostFigure::Range { low, .. } => low,
        }
    }
    pub fn high(&self) -> f64 {
        match *self {
            CostFigure::Fixed(v) => v,
            CostFigure::Range { high, .. } => high,
        }
    }
    pub fn is_range(&self) -> bool {
        matches!(self, CostFigure::Range { low, high, .. } if high > low)
    }
}

impl Serialize for CostFigure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match *self {
            CostFigure::Fixed(v) => s.serialize_f64(v),
            CostFigure::Range { low, likely, high } => {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("low", &low)?;
                m.serialize_entry("likely", &likely)?;
                m.serialize_entry("high", &high)?;
                m.end()
            }
        }
    }
}

fn check_cost<E: de::Error>(v: f64, what: &str) -> Result<f64, E> {
    if !v.is_finite() {
        Err(E::custom(format!("{what} must be a finite number")))
    } else if v < 0.0 {
        Err(E::custom(format!(
            "{what} is {}; a cost cannot be negative",
            format_number(v)
        )))
    } else if v > MAX_COST {
        Err(E::custom(format!(
            "{what} is {v:e}; a cost may be at most 1e15 (a thousand billion), check the figure"
        )))
    } else {
        Ok(v)
    }
}

impl<'de> Deserialize<'de> for CostFigure {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CostFigure;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a cost: a number, or a range {low: N, likely: N, high: N}")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                check_cost(v, "the cost").map(CostFigure::Fixed)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Err(E::invalid_type(de::Unexpected::Str(v), &self))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut low, mut likely, mut high) = (None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "low" => &mut low,
                        "likely" => &mut likely,
                        "high" => &mut high,
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown field `{}` in a cost range, expected one of low, likely, high",
                                quote(other)
                            )));
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom(format!("duplicate field `{key}`")));
                    }
                    let v: f64 = map.next_value()?;
                    *slot = Some(check_cost::<A::Error>(v, &format!("`{key}`"))?);
                }
                let missing = |n: &str| {
                    de::Error::custom(format!(
                        "a cost range needs low, likely and high; `{n}` is missing"
                    ))
                };
                let low = low.ok_or_else(|| missing("low"))?;
                let likely = likely.ok_or_else(|| missing("likely"))?;
                let high = high.ok_or_else(|| missing("high"))?;
                if !(low <= likely && likely <= high) {
                    return Err(de::Error::custom(format!(
                        "a cost range needs low <= likely <= high, found low {}, likely {}, high {}",
                        format_number(low),
                        format_number(likely),
                        format_number(high)
                    )));
                }
                Ok(CostFigure::Range { low, likely, high })
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for CostFigure {
    fn schema_name() -> Cow<'static, str> {
        "CostFigure".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A cost: a plain number, or a range {low, likely, high} with low <= likely <= high.",
            "oneOf": [
                {"type": "number", "minimum": 0, "maximum": MAX_COST},
                {"type": "object", "additionalProperties": false,
                 "required": ["low", "likely", "high"],
                 "properties": {
                    "low": {"type": "number", "minimum": 0, "maximum": MAX_COST},
                    "likely": {"type": "number", "minimum": 0, "maximum": MAX_COST},
                    "high": {"type": "number", "minimum": 0, "maximum": MAX_COST}}}
            ]
        })
    }
}

/// `scope.team`: one team, or (a finding for the gate) a list of several.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Teams {
    One(String),
    Many(Vec<String>),
}

impl Teams {
    /// The distinct team names written, splitting a single string on list separators
    /// ("payments, ledger", "payments and ledger", "payments & ledger", "a/b").
    pub fn names(&self) -> Vec<String> {
        let raw: Vec<&str> = match self {
            Teams::One(s) => vec![s.as_str()],
            Teams::Many(v) => v.iter().map(String::as_str).collect(),
        };
        // A set remembers the names seen: a scan of `out` per name made a list of
        // 100,000 names take minutes.
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut out = Vec::new();
        for item in raw {
            let mut parts: Vec<&str> = vec![item];
            for sep in [",", ";", " & ", " and ", "/", "+"] {
                parts = parts.iter().flat_map(|p| p.split(sep)).collect();
            }
            for p in parts {
                let p = p.trim();
                if !is_blank(p) && seen.insert(p) {
                    out.push(p.to_string());
                }
            }
        }
        out
    }
}

impl<'de> Deserialize<'de> for Teams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Teams;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the name of one team")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Teams::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(Teams::Many(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Teams {
    fn schema_name() -> Cow<'static, str> {
        "Team".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Exactly one team (a list is accepted by the parser but fails readiness rule P1).",
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        })
    }
}

/// Deserializes an optional whole number and checks it lies in `min..=max`, so a figure
/// that would overflow date or horizon arithmetic is an error at its own line.
fn bounded_u32<'de, D: Deserializer<'de>>(
    d: D,
    min: u32,
    max: u32,
    what: &str,
) -> Result<Option<u32>, D::Error> {
    let v = Option::<u64>::deserialize(d)?;
    match v {
        None => Ok(None),
        Some(v) if (u64::from(min)..=u64::from(max)).contains(&v) => Ok(Some(v as u32)),
        Some(v) => Err(de::Error::custom(format!(
            "{what} is {v}; it must be a whole number from {min} to {max}"
        ))),
    }
}

/// The longest horizon of a cost of ownership, as `steward cost --years` accepts.
pub const MAX_HORIZON_YEARS: u32 = 100;
/// The longest metric window (`within_days`, `baseline_days`): 100 years.
pub const MAX_WINDOW_DAYS: u32 = 36_500;
/// The longest time to value of a sourcing option: 100 years.
pub const MAX_MONTHS_TO_VALUE: f64 = 1200.0;

pub(crate) fn horizon_years<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    bounded_u32(d, 1, MAX_HORIZON_YEARS, "the horizon")
}

pub(crate) fn window_days<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    bounded_u32(d, 1, MAX_WINDOW_DAYS, "the window")
}

pub(crate) fn months_to_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        None => Ok(None),
        Some(v) if v.is_finite() && (0.0..=MAX_MONTHS_TO_VALUE).contains(&v) => Ok(Some(v)),
        Some(v) => Err(de::Error::custom(format!(
            "the time to value is {} months; it must be a number from 0 to 1200 (100 years)",
            format_number(v)
        ))),
    }
}

/// A build-vs-buy score: 1 (worst) to 5 (best).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Score(pub u8);

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.fract() == 0.0 && (1.0..=5.0).contains(&v) {
            Ok(Score(v as u8))
        } else {
            Err(de::Error::custom(format!(
                "a score is a whole number from 1 (worst) to 5 (best), found {}",
                format_number(v)
            )))
        }
    }
}

impl JsonSchema for Score {
    fn schema_name() -> Cow<'static, str> {
        "Score".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "minimum": 1, "maximum": 5})
    }
}

/// A criterion weight: a finite number >= 0.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
pub struct Weight(pub f64);

/// The largest weight: weights are relative, so a larger one only risks overflowing the
/// weighted sums.
pub const MAX_WEIGHT: f64 = 1e6;

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && (0.0..=MAX_WEIGHT).contains(&v) {
            Ok(Weight(v))
        } else {
            Err(de::Error::custom(format!(
                "a weight is a number from 0 to 1000000, found {}",
                format_number(v)
            )))
        }
    }
}

impl JsonSchema for Weight {
    fn schema_name() -> Cow<'static, str> {
        "Weight".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "number", "minimum": 0, "maximum": MAX_WEIGHT})
    }
}

/// The name of a server stream (`signals[].stream`, `integrations[].stream`): 1 to 128
/// letters, digits, '-', '_' or '.', the characters a stream's URL path may hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamName(pub String);

impl StreamName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for StreamName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(StreamName(s))
        } else {
            let quoted: String = s.chars().take(40).collect();
            Err(de::Error::custom(format!(
                "`{}` is not a stream name: use 1 to 128 letters, digits, '-', '_' or '.'",
                quoted
            )))
        }
    }
}

impl JsonSchema for StreamName {
    fn schema_name() -> Cow<'static, str> {
        "StreamName".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"})
    }
}

/// A drift test's threshold: a finite number >= 0 (a p-value or a distance, as the test
/// reads it).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
pub struct DriftThreshold(pub f64);

impl<'de> Deserialize<'de> for DriftThreshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && (0.0..=1e6).contains(&v) {
            Ok(DriftThreshold(v))
        } else {
            Err(de::Error::custom(format!(
                "a drift threshold is a number from 0 to 1000000, found {}",
                format_number(v)
            )))
        }
    }
}

impl JsonSchema for DriftThreshold {
    fn schema_name() -> Cow<'static, str> {
        "DriftThreshold".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "number", "minimum": 0, "maximum": 1e6})
    }
}

/// The share of drifted columns at which a dataset drifts: above 0, at most 1.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
pub struct DriftShare(pub f64);

impl<'de> Deserialize<'de> for DriftShare {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() && v > 0.0 && v <= 1.0 {
            Ok(DriftShare(v))
        } else {
            Err(de::Error::custom(format!(
                "a drift share is a number above 0 and at most 1, found {}",
                format_number(v)
            )))
        }
    }
}

impl JsonSchema for DriftShare {
    fn schema_name() -> Cow<'static, str> {
        "DriftShare".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "number", "exclusiveMinimum": 0, "maximum": 1})
    }
}

/// `metadata.name`: lowercase letters, digits and '-', starting and ending with a letter
/// or digit, at most 63 characters (a DNS label, so it is safe in URLs and metric labels).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SystemName(pub String);

/// Text that is not a system name; `quoted` is the text, clipped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{quoted}` is not a valid system name: use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
)]
pub struct InvalidSystemName {
    pub quoted: String,
}

impl SystemName {
    pub fn validate(s: &str) -> Result<(), InvalidSystemName> {
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ends_ok = !s.starts_with('-') && !s.ends_with('-');
        if s.is_empty() || s.len() > 63 || !ok_chars || !ends_ok {
            Err(InvalidSystemName {
                quoted: quote(s).into_owned(),
            })
        } else {
            Ok(())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SystemName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SystemName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SystemName::validate(&s).map_err(de::Error::custom)?;
        Ok(SystemName(s))
    }
}

impl JsonSchema for SystemName {
    fn schema_name() -> Cow<'static, str> {
        "SystemName".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "maxLength": 63, "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_unanswered() {
        for p in [
            "TODO",
            "TODO: name the workflow",
            "  todo: later",
            "Todo name it",
        ] {
            assert!(is_placeholder(p) && is_unanswered(p), "{p}");
        }
        for a in [
            "Todos for the payments team",
            "Review TODO lists",
            "Tod",
            "",
            "code review",
        ] {
            assert!(!is_placeholder(a), "{a}");
        }
        assert!(is_unanswered("  \u{200B} "));
    }

    #[test]
    fn dates_are_strict() {
        assert!(Date::parse("2026-01-15").is_ok());
        for bad in [
            "2026-1-15",
            "2026-02-30",
            "15/01/2026",
            "2026-01-15T00:00:00Z",
            "",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad} should be rejected");
        }
        let d = Date::parse("2026-08-31").unwrap();
        assert_eq!(d.add_months(18).to_string(), "2028-02-29");
        for bad in ["0000-01-01", "0000-02-29"] {
            let e = Date::parse(bad).unwrap_err();
            assert!(matches!(e, DateError::YearOutOfRange { .. }), "{e:?}");
            assert!(e.to_string().contains("0001 to 9999"), "{e}");
        }
        assert!(Date::parse("0001-01-01").is_ok());
        let last = Date::parse("9999-12-31").unwrap();
        assert_eq!(last.checked_add_months(18), None);
        assert_eq!(last.checked_add_months(0), Some(last));
    }

    #[test]
    fn relative_figures() {
        assert_eq!(parse_relative("25%"), Some(0.25));
        assert_eq!(parse_relative(" -12.5 % "), Some(-0.125));
        assert_eq!(parse_relative("0.3"), Some(0.3));
        assert_eq!(parse_relative("improved productivity"), None);
        assert_eq!(parse_relative("nan"), None);
    }

    #[test]
    fn team_names_split_on_separators() {
        assert_eq!(Teams::One("payments".into()).names(), vec!["payments"]);
        assert_eq!(
            Teams::One("payments, ledger and mobile".into()).names(),
            vec!["payments", "ledger", "mobile"]
        );
        assert_eq!(Teams::Many(vec!["a".into(), "a".into()]).names(), vec!["a"]);
        assert!(Teams::One("\u{202e}".into()).names().is_empty());
        assert!(Teams::One(" \u{200b} , \u{3164}".into()).names().is_empty());
        // Linear: 200,000 names in one value are split and counted at once.
        let many: Vec<String> = (0..200_000).map(|i| format!("t{i}")).collect();
        let start = std::time::Instant::now();
        assert_eq!(Teams::One(many.join(",")).names().len(), 200_000);
        assert_eq!(Teams::Many(many).names().len(), 200_000);
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    }

    #[test]
    fn names() {
        assert!(SystemName::validate("payments-code-review").is_ok());
        for bad in ["Payments", "-a", "a-", "", "a_b", &"a".repeat(64)] {
            assert!(SystemName::validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_print_cleanly() {
        assert_eq!(format_number(25.000000000000004), "25");
        assert_eq!(format_number(0.125), "0.125");
        assert_eq!(format_number(340000.0), "340000");
        assert_eq!(format_thousands(340000.0), "340,000");
        assert_eq!(format_thousands(999.0), "999");
        assert_eq!(format_thousands(-1234567.4), "-1,234,567");
    }
}
