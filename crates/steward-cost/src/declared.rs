//! The declared total cost of ownership, per budget line and in total.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use steward_manifest::Manifest;

/// Declared cost, as `steward cost --format json` prints it under `declared`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    /// Every implementation line; a missing line is 0.
    pub implementation: BTreeMap<String, f64>,
    pub implementation_total: f64,
    pub annual: BTreeMap<String, f64>,
    pub annual_total: f64,
    /// implementation_total + years x annual_total.
    pub total: f64,
    /// The lines the manifest does not declare (`implementation.integration`, ...), which
    /// count 0 above: a declared 0 and a missing line read the same in the maps, so the
    /// difference is said here. Every line is listed when there is no `budget` at all.
    pub missing: Vec<String>,
}

/// The declared TCO of a system over `years`.
pub fn declared(manifest: &Manifest, years: u32) -> Declared {
    let budget = manifest.spec.budget.clone().unwrap_or_default();
    let mut missing = Vec::new();
    let implementation_lines = budget.implementation.unwrap_or_default().lines();
    let annual_lines = budget.annual.unwrap_or_default().lines();
    for (k, f) in &implementation_lines {
        if f.is_none() {
            missing.push(format!("implementation.{k}"));
        }
    }
    for (k, f) in &annual_lines {
        if f.is_none() {
            missing.push(format!("annual.{k}"));
        }
    }
    let at_likely = |(k, f): (&str, Option<steward_manifest::CostFigure>)| {
        (k.to_string(), f.map_or(0.0, |f| f.likely()))
    };
    let implementation: BTreeMap<String, f64> =
        implementation_lines.into_iter().map(at_likely).collect();
    let annual: BTreeMap<String, f64> = annual_lines.into_iter().map(at_likely).collect();
    let implementation_total: f64 = implementation.values().sum();
    let annual_total: f64 = annual.values().sum();
    Declared {
        total: implementation_total + f64::from(years) * annual_total,
        implementation,
        implementation_total,
        annual,
        annual_total,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_counts_ranges_at_likely_and_missing_lines_at_zero() {
        let yaml = "apiVersion: steward/v1\nkind: AISystem\nmetadata: {name: a}\nspec:\n  lifecycle: pilot\n  budget:\n    implementation:\n      ai_component: 100\n      integration: {low: 10, likely: 20, high: 40}\n    annual: {maintenance: 30}\n";
        let s = steward_manifest::parse_manifests("a.yaml", yaml.as_bytes()).unwrap();
        let d = declared(&s[0].manifest, 3);
        assert_eq!(d.implementation["integration"], 20.0);
        assert_eq!(d.implementation["change_management"], 0.0);
        assert_eq!(d.implementation_total, 120.0);
        assert_eq!(d.annual_total, 30.0);
        assert_eq!(d.total, 210.0);
        assert!(
            d.missing
                .contains(&"implementation.change_management".to_string())
        );
        assert!(
            !d.missing
                .contains(&"implementation.integration".to_string())
        );
        assert!(!d.missing.contains(&"annual.maintenance".to_string()));
    }
}
