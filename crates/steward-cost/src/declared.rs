//! The declared total cost of ownership, per budget line and in total.

use std::collections::BTreeMap;

use serde::Serialize;
use steward_manifest::Manifest;

/// Declared cost, as `steward cost --format json` prints it under `declared`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Declared {
    /// Every implementation line; a missing line is 0.
    pub implementation: BTreeMap<&'static str, f64>,
    pub implementation_total: f64,
    pub annual: BTreeMap<&'static str, f64>,
    pub annual_total: f64,
    /// implementation_total + years x annual_total.
    pub total: f64,
}

/// The declared TCO of a system over `years`.
pub fn declared(manifest: &Manifest, years: u32) -> Declared {
    let budget = manifest.spec.budget.clone().unwrap_or_default();
    let implementation: BTreeMap<&'static str, f64> = budget
        .implementation
        .unwrap_or_default()
        .lines()
        .into_iter()
        .map(|(k, f)| (k, f.map(|f| f.likely()).unwrap_or(0.0)))
        .collect();
    let annual: BTreeMap<&'static str, f64> = budget
        .annual
        .unwrap_or_default()
        .lines()
        .into_iter()
        .map(|(k, f)| (k, f.map(|f| f.likely()).unwrap_or(0.0)))
        .collect();
    let implementation_total: f64 = implementation.values().sum();
    let annual_total: f64 = annual.values().sum();
    Declared {
        total: implementation_total + f64::from(years) * annual_total,
        implementation,
        implementation_total,
        annual,
        annual_total,
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
    }
}
