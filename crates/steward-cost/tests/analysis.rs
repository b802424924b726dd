//! `steward cost` on the examples and on broken sourcing sections.

use steward_cost::{CostError, CostOptions, YardstickStatus, analyze, portfolio::portfolio_cost};
use steward_manifest::parse_manifests;

const PAYMENTS: &str = include_str!("../../../examples/payments-code-review.yaml");

fn report(yaml: &str, options: CostOptions) -> Result<steward_cost::CostReport, CostError> {
    let s = parse_manifests("t.yaml", yaml.as_bytes()).unwrap();
    analyze(&s[0].manifest, &options)
}

#[test]
fn declared_totals_are_exact() {
    let r = report(PAYMENTS, CostOptions::default()).unwrap();
    assert_eq!(r.years, 3, "sourcing.horizon_years");
    assert_eq!(r.declared.implementation_total, 620_000.0);
    assert_eq!(r.declared.annual_total, 160_000.0);
    assert_eq!(r.declared.total, 620_000.0 + 3.0 * 160_000.0);
    let five = report(
        PAYMENTS,
        CostOptions {
            years: Some(5),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(five.declared.total, 620_000.0 + 5.0 * 160_000.0);
}

#[test]
fn yardsticks_match_the_contract_example() {
    let r = report(PAYMENTS, CostOptions::default()).unwrap();
    let i = &r.yardsticks.integration;
    assert_eq!(i.declared, 340_000.0);
    assert_eq!(i.ratio_to_poc, Some(4.25));
    assert_eq!(
        (i.expected_low, i.expected_high),
        (Some(240_000.0), Some(400_000.0))
    );
    assert_eq!(i.status, Some(YardstickStatus::Within));
    let m = &r.yardsticks.maintenance;
    assert_eq!((m.expected_low, m.expected_high), (93_000.0, 155_000.0));
    assert_eq!(m.status, Some(YardstickStatus::Within));
    let low = report(
        &PAYMENTS.replace("maintenance: 110000", "maintenance: 62000"),
        CostOptions::default(),
    )
    .unwrap();
    assert_eq!(
        low.yardsticks.maintenance.status,
        Some(YardstickStatus::Below)
    );
    assert_eq!(low.yardsticks.maintenance.gap, 62_000.0 - 93_000.0);
}

#[test]
fn sensitivity_swings_each_ranged_line() {
    let yaml = PAYMENTS.replace(
        "maintenance: 110000",
        "maintenance: {low: 90000, likely: 110000, high: 170000}",
    );
    let r = report(&yaml, CostOptions::default()).unwrap();
    let lines: Vec<&str> = r.sensitivity.iter().map(|s| s.line.as_str()).collect();
    // maintenance swings 3 x 80,000 = 240,000; integration 180,000: widest first.
    assert_eq!(lines, ["annual.maintenance", "implementation.integration"]);
    let m = &r.sensitivity[0];
    assert_eq!(
        (m.total_at_low, m.total_at_high),
        (1_100_000.0 - 60_000.0, 1_100_000.0 + 180_000.0)
    );
}

#[test]
fn build_vs_buy_scores_flags_and_probabilities() {
    let r = report(PAYMENTS, CostOptions::default()).unwrap();
    let s = r.sourcing.unwrap();
    assert_eq!(s.options.len(), 2);
    assert!((s.options[0].weighted_score - 3.4).abs() < 1e-12);
    assert!((s.options[1].weighted_score - 3.2).abs() < 1e-12);
    assert!(s.options[0].flags.is_empty());
    let p: f64 = s.options.iter().map(|o| o.probability_cheapest).sum();
    assert!((p - 1.0).abs() < 1e-12);
    // The vendor's cost over 3 years (one_off 150-300k, annual 180-240k) is almost always
    // below building (one_off 500-900k, annual 90-180k).
    assert!(s.options[1].probability_cheapest > 0.9);
    let flagged = report(
        &PAYMENTS.replace("lock_in: 2,", "lock_in: 1,"),
        CostOptions::default(),
    )
    .unwrap();
    assert_eq!(
        flagged.sourcing.unwrap().options[1].flags,
        vec!["lock_in scored 1"]
    );
    let weighted = report(
        &PAYMENTS.replace(
            "weights: {integration_effort: 1, maintainability: 1, lock_in: 1, time_to_value: 1, total_cost: 1}",
            "weights: {integration_effort: 0, maintainability: 0, lock_in: 0, time_to_value: 3, total_cost: 1}",
        ),
        CostOptions::default(),
    )
    .unwrap();
    let o = &weighted.sourcing.unwrap().options;
    assert!((o[0].weighted_score - (3.0 * 2.0 + 3.0) / 4.0).abs() < 1e-12);
}

#[test]
fn same_seed_same_figures_and_another_seed_differs() {
    let a = report(
        PAYMENTS,
        CostOptions {
            simulations: 50_000,
            seed: 42,
            ..Default::default()
        },
    )
    .unwrap();
    let b = report(
        PAYMENTS,
        CostOptions {
            simulations: 50_000,
            seed: 42,
            ..Default::default()
        },
    )
    .unwrap();
    let c = report(
        PAYMENTS,
        CostOptions {
            simulations: 50_000,
            seed: 43,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(a.simulation.total, b.simulation.total);
    assert_ne!(a.simulation.total, c.simulation.total);
}

#[test]
fn bad_sourcing_sections_are_located_errors() {
    let no_scores = PAYMENTS.replace(
        "        scores: {integration_effort: 4, maintainability: 3, lock_in: 2, time_to_value: 4, total_cost: 3}\n",
        "",
    );
    let e = report(&no_scores, CostOptions::default()).unwrap_err();
    assert_eq!(e.path(), "spec.sourcing.options[1].scores");
    assert!(e.message().contains("has no scores"));
    let zero = PAYMENTS.replace(
        "weights: {integration_effort: 1, maintainability: 1, lock_in: 1, time_to_value: 1, total_cost: 1}",
        "weights: {integration_effort: 0, maintainability: 0, lock_in: 0, time_to_value: 0, total_cost: 0}",
    );
    let e = report(&zero, CostOptions::default()).unwrap_err();
    assert_eq!(e.path(), "spec.sourcing.weights");
    let partial = PAYMENTS.replace("time_to_value: 4, total_cost: 3}", "time_to_value: 4}");
    let e = report(&partial, CostOptions::default()).unwrap_err();
    assert!(
        e.message().contains("no score for total_cost"),
        "{}",
        e.message()
    );
}

#[test]
fn portfolio_per_year_keeps_currencies_apart() {
    let eur = PAYMENTS
        .replace("currency: USD", "currency: EUR")
        .replace("name: payments-code-review", "name: other");
    let a = parse_manifests("a.yaml", PAYMENTS.as_bytes()).unwrap();
    let b = parse_manifests("b.yaml", eur.as_bytes()).unwrap();
    let p = portfolio_cost(&[&a[0].manifest, &b[0].manifest, &a[0].manifest], 3);
    assert_eq!(p.systems[0].per_year, vec![780_000.0, 160_000.0, 160_000.0]);
    let usd = &p.combined["USD"];
    assert_eq!(usd.per_year, vec![1_560_000.0, 320_000.0, 320_000.0]);
    assert_eq!(usd.total, 2.0 * 1_100_000.0);
    assert_eq!(p.combined["EUR"].total, 1_100_000.0);
}

/// A manifest the parser accepted, then changed in code: the analysis must not rely on the
/// parser's bounds (the library is called by a server too).
fn parsed(yaml: &str) -> steward_manifest::Manifest {
    parse_manifests("t.yaml", yaml.as_bytes())
        .unwrap()
        .remove(0)
        .manifest
}

#[test]
fn out_of_range_figures_counts_and_horizons_are_located_errors() {
    use steward_cost::analysis::{MAX_OPTION_DRAWS, MAX_SIMULATIONS};
    use steward_manifest::CostFigure;
    let mut m = parsed(PAYMENTS);
    if let Some(b) = &mut m.spec.budget {
        b.poc_cost = Some(CostFigure::Fixed(1e300));
    }
    let e = analyze(&m, &CostOptions::default()).unwrap_err();
    assert_eq!(e.path(), "spec.budget.poc_cost");
    let mut m = parsed(PAYMENTS);
    m.spec.sourcing.as_mut().unwrap().options[1].annual = Some(CostFigure::Range {
        low: 1.0,
        likely: 2.0,
        high: f64::INFINITY,
    });
    let e = analyze(&m, &CostOptions::default()).unwrap_err();
    assert_eq!(e.path(), "spec.sourcing.options[1].annual.high");
    let mut m = parsed(PAYMENTS);
    m.spec.sourcing.as_mut().unwrap().options[0].months_to_value = Some(f64::NAN);
    let e = analyze(&m, &CostOptions::default()).unwrap_err();
    assert_eq!(e.path(), "spec.sourcing.options[0].months_to_value");

    let m = parsed(PAYMENTS);
    let e = analyze(
        &m,
        &CostOptions {
            years: Some(101),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.path(), "--years");
    let mut long = parsed(PAYMENTS);
    long.spec.sourcing.as_mut().unwrap().horizon_years = Some(1000);
    let e = analyze(&long, &CostOptions::default()).unwrap_err();
    assert_eq!(e.path(), "spec.sourcing.horizon_years");
    let e = analyze(
        &m,
        &CostOptions {
            simulations: MAX_SIMULATIONS + 1,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.path(), "--simulations");
    let mut many = parsed(PAYMENTS);
    let options = &mut many.spec.sourcing.as_mut().unwrap().options;
    let copies = (MAX_OPTION_DRAWS / MAX_SIMULATIONS as u64) as usize;
    *options = std::iter::repeat_n(options[0].clone(), copies + 1).collect();
    let e = analyze(
        &many,
        &CostOptions {
            simulations: MAX_SIMULATIONS,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.path(), "spec.sourcing.options");
}

#[test]
fn extreme_but_valid_input_gives_finite_figures() {
    // Weights at f64's limit would sum to infinity and make every score NaN.
    let mut m = parsed(PAYMENTS);
    if let Some(w) = &mut m.spec.sourcing.as_mut().unwrap().weights {
        w.time_to_value = Some(steward_manifest::values::Weight(f64::MAX));
        w.total_cost = Some(steward_manifest::values::Weight(f64::MAX));
    }
    let r = analyze(&m, &CostOptions::default()).unwrap();
    for o in &r.sourcing.unwrap().options {
        assert!(o.weighted_score.is_finite(), "{}", o.weighted_score);
    }
    // A POC of almost nothing: the ratio would be infinite, so it is absent.
    let mut m = parsed(PAYMENTS);
    m.spec.budget.as_mut().unwrap().poc_cost = Some(steward_manifest::CostFigure::Fixed(1e-320));
    let r = analyze(&m, &CostOptions::default()).unwrap();
    assert_eq!(r.yardsticks.integration.ratio_to_poc, None);
    assert_eq!(
        r.yardsticks.integration.status,
        Some(YardstickStatus::Above)
    );
    let text = steward_cost::render::text(&r, steward_cost::MoneyFormat::Grouped);
    assert!(text.contains("far more than the POC"), "{text}");
}
