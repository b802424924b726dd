//! How amounts are written for people (`--currency-format`); JSON always carries numbers.

use steward_manifest::format_thousands;

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
    pub fn format(self, currency: &str, v: f64) -> String {
        let n = match self {
            MoneyFormat::Grouped => format_thousands(v),
            MoneyFormat::Plain => format!("{}", v.round() as i64),
            MoneyFormat::Compact => compact(v),
        };
        if currency.is_empty() {
            n
        } else {
            format!("{currency} {n}")
        }
    }
}

fn compact(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e9 {
        (v / 1e9, "B")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        (v / 1e3, "k")
    } else {
        return format!("{}", v.round() as i64);
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
}
