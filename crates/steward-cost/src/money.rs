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
    /// Every finite amount is written in full, never saturated; a non-finite one (which the
    /// analysis never produces) is written `n/a` rather than as a misleading number.
    pub fn format(self, currency: &str, v: f64) -> String {
        let n = if !v.is_finite() {
            "n/a".to_string()
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
        // 1e20 is beyond i64 and u64: a cast would saturate at 9,223,372,036,854,775,807.
        assert_eq!(
            MoneyFormat::Grouped.format("USD", 1e20),
            "USD 100,000,000,000,000,000,000"
        );
        assert_eq!(MoneyFormat::Plain.format("", 1e20), "100000000000000000000");
        assert_eq!(
            MoneyFormat::Plain.format("", -1e19),
            "-10000000000000000000"
        );
        assert_eq!(MoneyFormat::Compact.format("", 2.5e17), "250000T");
        assert_eq!(MoneyFormat::Grouped.format("", -0.4), "0");
        assert_eq!(MoneyFormat::Grouped.format("", -1234.6), "-1,235");
        assert_eq!(MoneyFormat::Grouped.format("USD", f64::NAN), "USD n/a");
        assert_eq!(MoneyFormat::Plain.format("", f64::INFINITY), "n/a");
        assert_eq!(
            MoneyFormat::Grouped.format("U\x1b[2J", 1.0),
            "U\\u{1b}[2J 1"
        );
    }
}
