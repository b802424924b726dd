//! The portfolio's rows: their order under each sort key and their CSV cells.

use chrono::NaiveDate;
use steward_gate::portfolio::{self, Portfolio, PortfolioRow, SortKey};
use steward_gate::{RuleId, Verdict};
use steward_manifest::Lifecycle;

fn row(name: &str, lifecycle: Lifecycle, failed: &[RuleId], implementation: f64) -> PortfolioRow {
    PortfolioRow {
        name: name.into(),
        file: format!("{name}.yaml"),
        lifecycle,
        owner: String::new(),
        verdict: if failed.is_empty() {
            Verdict::Ready
        } else {
            Verdict::NotReady
        },
        failed_rules: failed.to_vec(),
        currency: "USD".into(),
        implementation_total: implementation,
        annual_total: 0.0,
    }
}

fn rows() -> Vec<PortfolioRow> {
    vec![
        row("b", Lifecycle::Production, &[], 10.0),
        row("a", Lifecycle::Pilot, &[RuleId::Q1, RuleId::C3], 30.0),
        row("c", Lifecycle::ProofOfConcept, &[RuleId::P4], 20.0),
    ]
}

fn names(p: &Portfolio) -> Vec<&str> {
    p.systems.iter().map(|r| r.name.as_str()).collect()
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date")
}

#[test]
fn each_key_orders_the_rows_and_ties_go_by_name() {
    for (key, expected) in [
        (SortKey::Name, ["a", "b", "c"]),
        (SortKey::Lifecycle, ["c", "a", "b"]),
        (SortKey::Verdict, ["a", "c", "b"]),
        (SortKey::Failed, ["a", "c", "b"]),
        (SortKey::Implementation, ["a", "c", "b"]),
        (SortKey::Owner, ["a", "b", "c"]),
    ] {
        assert_eq!(
            names(&Portfolio::new(date(), rows(), key, false)),
            expected,
            "{key:?}"
        );
    }
    let reversed = Portfolio::new(date(), rows(), SortKey::Name, true);
    assert_eq!(names(&reversed), ["c", "b", "a"]);
    assert_eq!(reversed.ready_count(), 1);
}

#[test]
fn csv_cells_cannot_become_formulas_or_break_the_row() {
    let mut r = row("=HYPERLINK(\"x\")", Lifecycle::Pilot, &[RuleId::Q1], 1.0);
    r.owner = "ops,\"team\"".into();
    let csv = portfolio::csv(&Portfolio::new(date(), vec![r], SortKey::Name, false));
    let line = csv.lines().nth(1).expect("a row");
    assert!(
        line.starts_with("\"'=HYPERLINK(\"\"x\"\")\",pilot,\"ops,\"\"team\"\"\",not_ready,Q1,USD,"),
        "{line}"
    );
}
