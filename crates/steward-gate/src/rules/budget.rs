//! C1-C3: industry cost yardsticks held against the declared budget.

use super::{Check, positive};

fn ratio_text(r: f64) -> String {
    format!("{:.2}x", r)
}

pub(crate) fn c1_integration_cost(c: &mut Check) {
    let budget = c.m.spec.budget.clone().unwrap_or_default();
    let Some(poc) = positive(budget.poc_cost) else {
        c.skip(
            "spec.budget.poc_cost",
            "No `poc_cost` is declared, so the 3-5x integration yardstick cannot be applied."
                .into(),
        );
        return;
    };
    let imp = budget.implementation.unwrap_or_default();
    let declared = imp.data_preparation.map(|f| f.likely()).unwrap_or(0.0)
        + imp.integration.map(|f| f.likely()).unwrap_or(0.0);
    let ratio = declared / poc;
    let (low, high) = (3.0 * poc, 5.0 * poc);
    let path = "spec.budget.implementation.integration";
    let head = format!(
        "Data preparation and integration total {}, {} the POC cost ({})",
        c.money(declared),
        ratio_text(ratio),
        c.money(poc)
    );
    if ratio < 3.0 {
        c.warn(
            path,
            format!(
                "{head}. Connecting AI to real data sources typically costs 3-5x the POC ({} to {}): \
                 likely underestimated by at least {}.",
                c.money(low),
                c.money(high),
                c.money(low - declared)
            ),
        );
    } else if ratio > 5.0 {
        c.warn(
            path,
            format!(
                "{head}, above the 3-5x industry yardstick ({} to {}) by {}. Check that the scope is still narrow.",
                c.money(low),
                c.money(high),
                c.money(declared - high)
            ),
        );
    } else {
        c.note(path, format!("{head}, within the expected 3-5x."));
    }
}

pub(crate) fn c2_maintenance_share(c: &mut Check) {
    let budget = c.m.spec.budget.clone().unwrap_or_default();
    let implementation: f64 = budget
        .implementation
        .as_ref()
        .map(|i| i.likely_total())
        .unwrap_or(0.0);
    if implementation <= 0.0 {
        c.skip(
            "spec.budget.implementation",
            "No implementation cost is declared, so the 15-25% maintenance yardstick cannot be applied.".into(),
        );
        return;
    }
    let Some(maintenance) = budget.annual.as_ref().and_then(|a| positive(a.maintenance)) else {
        c.skip(
            "spec.budget.annual.maintenance",
            "No maintenance budget to compare with the 15-25% yardstick (see Q3).".into(),
        );
        return;
    };
    let share = maintenance / implementation;
    let path = "spec.budget.annual.maintenance";
    let head = format!(
        "Maintenance is {} a year, {:.1}% of the {} implementation cost",
        c.money(maintenance),
        share * 100.0,
        c.money(implementation)
    );
    if share < 0.15 {
        c.warn(
            path,
            format!(
                "{head}. AI systems typically need 15-25% a year ({} to {}) just to keep working: \
                 likely short by at least {} a year.",
                c.money(0.15 * implementation),
                c.money(0.25 * implementation),
                c.money(0.15 * implementation - maintenance)
            ),
        );
    } else {
        c.note(
            path,
            format!(
                "{head}{}.",
                if share > 0.25 {
                    ", above the typical 15-25%"
                } else {
                    ", within the typical 15-25%"
                }
            ),
        );
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
