//! The industry yardsticks held against a declared budget: integration and data preparation
//! at 3-5x the proof of concept, maintenance at 15-25% of the implementation a year.
//!
//! Written once here and read by both `steward cost` (the `yardsticks` of its report) and
//! the gate's rules C1 and C2, so the two can never disagree on a range or on which side of
//! it a budget falls.

use serde::{Deserialize, Serialize};
use steward_manifest::Budget;

/// The integration yardstick: data preparation plus integration is 3 to 5 times the POC.
pub const INTEGRATION_TIMES_POC: (f64, f64) = (3.0, 5.0);

/// The maintenance yardstick: 15% to 25% of the implementation cost, every year.
pub const MAINTENANCE_SHARE: (f64, f64) = (0.15, 0.25);

/// Where a declared figure stands against its expected range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YardstickStatus {
    Below,
    Within,
    Above,
}

impl YardstickStatus {
    /// The range's ends count as within.
    pub fn of(value: f64, low: f64, high: f64) -> YardstickStatus {
        if value < low {
            YardstickStatus::Below
        } else if value > high {
            YardstickStatus::Above
        } else {
            YardstickStatus::Within
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            YardstickStatus::Below => "below",
            YardstickStatus::Within => "within",
            YardstickStatus::Above => "above",
        }
    }
}

/// Declared minus the nearest end of the range (0 within it): negative below, positive above.
fn gap(value: f64, low: f64, high: f64) -> f64 {
    match YardstickStatus::of(value, low, high) {
        YardstickStatus::Below => value - low,
        YardstickStatus::Above => value - high,
        YardstickStatus::Within => 0.0,
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntegrationYardstick {
    pub poc_cost: Option<f64>,
    /// data_preparation + integration, at likely values.
    pub declared: f64,
    pub ratio_to_poc: Option<f64>,
    pub expected_low: Option<f64>,
    pub expected_high: Option<f64>,
    /// Declared minus the nearest end of the expected range (0 within it).
    pub gap: Option<f64>,
    pub status: Option<YardstickStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaintenanceYardstick {
    pub declared: f64,
    pub share_of_implementation: Option<f64>,
    pub expected_low: f64,
    pub expected_high: f64,
    pub gap: f64,
    /// `None` when no implementation cost is declared: there is nothing to take a share of.
    pub status: Option<YardstickStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Yardsticks {
    pub integration: IntegrationYardstick,
    pub maintenance: MaintenanceYardstick,
}

/// Both yardsticks of a budget, ranges at their likely value.
pub fn yardsticks(budget: &Budget) -> Yardsticks {
    Yardsticks {
        integration: integration(budget),
        maintenance: maintenance(budget),
    }
}

pub fn integration(budget: &Budget) -> IntegrationYardstick {
    let implementation = budget.implementation.clone().unwrap_or_default();
    let likely = |f: Option<steward_manifest::CostFigure>| f.map_or(0.0, |f| f.likely());
    let declared = likely(implementation.data_preparation) + likely(implementation.integration);
    // A declared 0 is a declaration: the expected range is then 0 to 0, and only the ratio
    // (a division by 0) is absent.
    let poc = budget.poc_cost.map(|f| f.likely());
    let (times_low, times_high) = INTEGRATION_TIMES_POC;
    let range = poc.map(|p| (times_low * p, times_high * p));
    IntegrationYardstick {
        poc_cost: poc,
        declared,
        // A poc_cost of 0 (or a tiny one) would make the ratio infinite or undefined: no
        // ratio then, the range still holds.
        ratio_to_poc: poc
            .filter(|p| *p > 0.0)
            .map(|p| declared / p)
            .filter(|r| r.is_finite()),
        expected_low: range.map(|r| r.0),
        expected_high: range.map(|r| r.1),
        gap: range.map(|(low, high)| gap(declared, low, high)),
        status: range.map(|(low, high)| YardstickStatus::of(declared, low, high)),
    }
}

pub fn maintenance(budget: &Budget) -> MaintenanceYardstick {
    let implementation = budget
        .implementation
        .as_ref()
        .map_or(0.0, |i| i.likely_total());
    let declared = budget
        .annual
        .as_ref()
        .and_then(|a| a.maintenance)
        .map_or(0.0, |f| f.likely());
    let (share_low, share_high) = MAINTENANCE_SHARE;
    let (low, high) = (share_low * implementation, share_high * implementation);
    let applies = implementation > 0.0;
    MaintenanceYardstick {
        declared,
        share_of_implementation: applies
            .then(|| declared / implementation)
            .filter(|r| r.is_finite()),
        expected_low: low,
        expected_high: high,
        gap: gap(declared, low, high),
        status: applies.then(|| YardstickStatus::of(declared, low, high)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_manifest::{CostFigure, Implementation};

    fn budget(poc: f64, integration: f64, maintenance: Option<f64>) -> Budget {
        Budget {
            poc_cost: Some(CostFigure::Fixed(poc)),
            implementation: Some(Implementation {
                integration: Some(CostFigure::Fixed(integration)),
                ..Default::default()
            }),
            annual: maintenance.map(|m| steward_manifest::Annual {
                maintenance: Some(CostFigure::Fixed(m)),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn the_ends_of_a_range_are_within_it() {
        for (declared, status, gap) in [
            (299.0, YardstickStatus::Below, -1.0),
            (300.0, YardstickStatus::Within, 0.0),
            (500.0, YardstickStatus::Within, 0.0),
            (501.0, YardstickStatus::Above, 1.0),
        ] {
            let y = integration(&budget(100.0, declared, None));
            assert_eq!(y.status, Some(status), "{declared}");
            assert_eq!(y.gap, Some(gap));
        }
    }

    #[test]
    fn a_zero_poc_keeps_the_range_but_has_no_ratio() {
        let y = integration(&budget(0.0, 10.0, None));
        assert_eq!(y.ratio_to_poc, None);
        assert_eq!((y.expected_low, y.expected_high), (Some(0.0), Some(0.0)));
        assert_eq!(y.status, Some(YardstickStatus::Above));
    }

    #[test]
    fn maintenance_is_a_share_of_the_implementation() {
        let y = maintenance(&budget(1.0, 1000.0, Some(100.0)));
        assert_eq!(y.share_of_implementation, Some(0.1));
        assert_eq!((y.expected_low, y.expected_high), (150.0, 250.0));
        assert_eq!(y.status, Some(YardstickStatus::Below));
        assert_eq!(y.gap, -50.0);
        let none = maintenance(&Budget::default());
        assert_eq!((none.status, none.share_of_implementation), (None, None));
    }
}
