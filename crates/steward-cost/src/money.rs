//! How amounts are written for people (`--currency-format`); JSON always carries numbers.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MoneyFormat {
    /// `USD 1,234,567`
    #[default]
    Grouped,
    /// `USD 1234567`
    Plain,
    /// `USD 1.23M`
    Compact,
}

impl MoneyFormat {
    /// `v` in whole units of `currency` (the currency's control characters made visible).
    /// Every finite amount below [`FULL_DIGITS_BELOW`] is written in full, never saturated;
    /// a larger one (which the bounded figures never produce) in scientific notation rather
    /// than as hundreds of digits; a non-finite one (which the analysis never produces) is
    /// written `n/a` rather than as a misleading number.
    pub fn format(self, currency: &str, v: f64) -> String {
        let n = if !v.is_finite() {
            "n/a".to_string()
        } else if v.abs() >= FULL_DIGITS_BELOW {
            scientific(v)
        } else {
            match self {
                MoneyFormat::Grouped => grouped(v),
                MoneyFormat::Plain => whole(v),
                MoneyFormat::Compact => compact(v),
            }
        };
        if currency.is_empty() {
            n
        } else {
            format!("{} {n}", steward_io::escape_line(currency))
        }
    }
}

/// Amounts from here on are written in scientific notation: figures are at most 1e15 and a
/// total over 100 years stays near 1e17, so only a figure no manifest can declare gets
/// there.
pub const FULL_DIGITS_BELOW: f64 = 1e18;

/// `3.40e305`: three significant digits and the exponent, a bounded width for any f64.
pub fn scientific(v: f64) -> String {
    format!("{v:.2e}")
}

/// A ratio for people: `3.50x` below a million, `3.40e305x` beyond, so a ratio to a
/// near-zero figure stays one short word.
pub fn ratio(r: f64) -> String {
    if !r.is_finite() {
        "n/a".to_string()
    } else if r.abs() < 1e6 {
        format!("{r:.2}x")
    } else {
        format!("{}x", scientific(r))
    }
}

/// A share as a percentage for people: `12.5%` below a million percent, `1.50e303%` beyond.
pub fn percent(v: f64) -> String {
    let p = v * 100.0;
    if !p.is_finite() {
        "n/a".to_string()
    } else if p.abs() < 1e6 {
        format!("{p:.1}%")
    } else {
        format!("{}%", scientific(p))
    }
}

/// The rounded amount with all its digits (`{:.0}` writes any finite f64 in full, where a
/// cast to an integer would saturate), without a minus sign on a zero.
fn whole(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    if v < 0.0 && digits != "0" {
        format!("-{digits}")
    } else {
        digits
    }
}

fn grouped(v: f64) -> String {
    let plain = whole(v);
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", plain.as_str()),
    };
    let mut out = String::with_capacity(plain.len() + digits.len() / 3);
    out.push_str(sign);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn compact(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        return whole(v);
    };
    let digits = if scaled.abs() >= 100.0 {
        0
    } else if scaled.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            MoneyFormat::Grouped.format("USD", 1234567.4),
            "USD 1,234,567"
        );
        assert_eq!(MoneyFormat::Plain.format("", 1234567.6), "1234568");
        assert_eq!(MoneyFormat::Compact.format("EUR", 1234567.0), "EUR 1.23M");
        assert_eq!(MoneyFormat::Compact.format("EUR", 340000.0), "EUR 340k");
        assert_eq!(MoneyFormat::Compact.format("EUR", 45600.0), "EUR 45.6k");
        assert_eq!(MoneyFormat::Compact.format("EUR", 950.0), "EUR 950");
    }

    #[test]
    fn amounts_beyond_integer_range_are_written_in_full() {
        // 1e19 is beyond i64: a cast would saturate at 9,223,372,036,854,775,807.
        assert_eq!(
            MoneyFormat::Grouped.format("USD", 9e17),
            "USD 900,000,000,000,000,000"
        );
        assert_eq!(MoneyFormat::Plain.format("", 1e17), "100000000000000000");
        assert_eq!(MoneyFormat::Compact.format("", 2.5e17), "250000T");
        // Beyond what a manifest can declare: bounded, never hundreds of digits.
        assert_eq!(MoneyFormat::Plain.format("", -1e19), "-1.00e19");
        assert_eq!(MoneyFormat::Grouped.format("USD", 3.4e305), "USD 3.40e305");
        assert_eq!(MoneyFormat::Grouped.format("", -0.4), "0");
        assert_eq!(MoneyFormat::Grouped.format("", -1234.6), "-1,235");
        assert_eq!(MoneyFormat::Grouped.format("USD", f64::NAN), "USD n/a");
        assert_eq!(MoneyFormat::Plain.format("", f64::INFINITY), "n/a");
        assert_eq!(
            MoneyFormat::Grouped.format("U\x1b[2J", 1.0),
            "U\\u{1b}[2J 1"
        );
    }

    #[test]
    fn ratios_and_percentages_have_a_bounded_width() {
        assert_eq!(ratio(3.5), "3.50x");
        assert_eq!(ratio(3.4e305), "3.40e305x");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(percent(1.5e301), "1.50e303%");
        assert_eq!(percent(f64::INFINITY), "n/a");
    }
}
