//! C1-C3: the industry cost yardsticks held against the declared budget. The ranges and
//! where a budget falls against them come from `steward_cost::yardstick`, the same figures
//! `steward cost` reports, so the gate and the cost report never disagree.

use steward_cost::yardstick::{self, YardstickStatus};

use super::{Check, positive};

fn ratio_text(r: f64) -> String {
    format!("{:.2}x", r)
}

pub(crate) fn c1_integration_cost(c: &mut Check) {
    let budget = c.m.spec.budget.clone().unwrap_or_default();
    let y = yardstick::integration(&budget);
    // A POC of 0 has a range (0 to 0) in the cost report, but no ratio to judge here.
    let (Some(poc), Some(low), Some(high), Some(status)) = (
        positive(budget.poc_cost),
        y.expected_low,
        y.expected_high,
        y.status,
    ) else {
        c.skip(
            "spec.budget.poc_cost",
            "No `poc_cost` is declared, so the 3-5x integration yardstick cannot be applied."
                .into(),
        );
        return;
    };
    let declared = y.declared;
    let path = "spec.budget.implementation.integration";
    let head = format!(
        "Data preparation and integration total {}, {} the POC cost ({})",
        c.money(declared),
        // Absent only when a tiny POC makes the ratio infinite.
        ratio_text(y.ratio_to_poc.unwrap_or(f64::INFINITY)),
        c.money(poc)
    );
    match status {
        YardstickStatus::Below => c.warn(
            path,
            format!(
                "{head}. Connecting AI to real data sources typically costs 3-5x the POC ({} to {}): \
                 likely underestimated by at least {}.",
                c.money(low),
                c.money(high),
                c.money(low - declared)
            ),
        ),
        YardstickStatus::Above => c.warn(
            path,
            format!(
                "{head}, above the 3-5x industry yardstick ({} to {}) by {}. Check that the scope is still narrow.",
                c.money(low),
                c.money(high),
                c.money(declared - high)
            ),
        ),
        YardstickStatus::Within => c.note(path, format!("{head}, within the expected 3-5x.")),
    }
}

pub(crate) fn c2_maintenance_share(c: &mut Check) {
    let budget = c.m.spec.budget.clone().unwrap_or_default();
    let y = yardstick::maintenance(&budget);
    let Some(status) = y.status else {
        c.skip(
            "spec.budget.implementation",
            "No implementation cost is declared, so the 15-25% maintenance yardstick cannot be applied.".into(),
        );
        return;
    };
    let Some(maintenance) = budget.annual.as_ref().and_then(|a| positive(a.maintenance)) else {
        c.skip(
            "spec.budget.annual.maintenance",
            "No maintenance budget to compare with the 15-25% yardstick (see Q3).".into(),
        );
        return;
    };
    let implementation = budget
        .implementation
        .as_ref()
        .map_or(0.0, |i| i.likely_total());
    let path = "spec.budget.annual.maintenance";
    let head = format!(
        "Maintenance is {} a year, {:.1}% of the {} implementation cost",
        c.money(maintenance),
        y.share_of_implementation.unwrap_or(f64::INFINITY) * 100.0,
        c.money(implementation)
    );
    match status {
        YardstickStatus::Below => c.warn(
            path,
            format!(
                "{head}. AI systems typically need 15-25% a year ({} to {}) just to keep working: \
                 likely short by at least {} a year.",
                c.money(y.expected_low),
                c.money(y.expected_high),
                c.money(y.expected_low - maintenance)
            ),
        ),
        YardstickStatus::Above => c.note(path, format!("{head}, above the typical 15-25%.")),
        YardstickStatus::Within => c.note(path, format!("{head}, within the typical 15-25%.")),
    }
}

pub(crate) fn c3_change_management(c: &mut Check) {
    let changes =
        c.m.spec
            .scope
            .as_ref()
            .and_then(|s| s.changes_team_workflow);
    let line =
        c.m.spec
            .budget
            .as_ref()
            .and_then(|b| b.implementation.as_ref())
            .and_then(|i| i.change_management);
    match changes {
        None => c.warn(
            "spec.scope.changes_team_workflow",
            "The manifest does not say whether the system changes how the team works \
             (`changes_team_workflow`). If it does, change management needs a budget line of its own."
                .into(),
        ),
        Some(false) => c.skip(
            "spec.scope.changes_team_workflow",
            "The system does not change how the team works, so no change-management budget is required.".into(),
        ),
        Some(true) => match positive(line) {
            None => c.fail(
                "spec.budget.implementation.change_management",
                "The system changes how the team works, but no change management is budgeted. \
                 Most organisations budget for software but not for the months of change \
                 management this requires: who is responsible for what, which metrics matter, \
                 what skills the team needs."
                    .into(),
            ),
            Some(v) => {
                let v = c.money(v);
                c.pass(
                    "spec.budget.implementation.change_management",
                    format!("The system changes how the team works, and {v} is budgeted for change management."),
                )
            }
        },
    }
}
