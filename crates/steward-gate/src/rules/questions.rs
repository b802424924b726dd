//! Q1-Q5: the five questions leadership must have answered before scaling.

use steward_manifest::{Authority, SignalKind, TestResult};

use super::{Check, blank, label, positive, shown};

pub(crate) fn q1_integration_work(c: &mut Check) {
    let spec = &c.m.spec;
    if spec.integrations.is_empty() {
        c.fail_for_production(
            "spec.integrations",
            "No integration work is listed. Pilots succeed by avoiding the hard connections \
             (exports instead of APIs, test tenants, forks); production cannot be planned or \
             budgeted until that work is named."
                .into(),
        );
    }
    for (i, integ) in spec.integrations.iter().enumerate() {
        if blank(integ.pilot_avoided.as_deref()) {
            let who = label(integ.name.as_deref(), "Integration", i);
            c.fail(
                &format!("spec.integrations[{i}].pilot_avoided"),
                format!(
                    "{who} does not say what the pilot avoided. That gap is exactly the \
                     integration work production requires, and the work nobody budgets."
                ),
            );
        }
    }
    let budget = spec.budget.as_ref();
    let line = budget
        .and_then(|b| b.implementation.as_ref())
        .and_then(|i| i.integration);
    let poc = budget.and_then(|b| positive(b.poc_cost));
    let Some(amount) = positive(line) else {
        let yardstick = match poc {
            Some(p) => format!(" (here {} to {})", c.money(3.0 * p), c.money(5.0 * p)),
            None => String::new(),
        };
        c.fail(
            "spec.budget.implementation.integration",
            format!(
                "No integration budget is declared. Connecting AI to real data sources \
                 typically costs 3-5x the POC{yardstick}; without this line the scale-up is \
                 underfunded from the start."
            ),
        );
        return;
    };
    let n = spec.integrations.len();
    let amount = c.money(amount);
    c.pass(
        "spec.integrations",
        format!(
            "{n} integration{} named with what the pilot avoided; {amount} budgeted for integration.",
            if n == 1 { "" } else { "s" }
        ),
    );
}

pub(crate) fn q2_ownership(c: &mut Check) {
    let owner = c.m.spec.owner.clone().unwrap_or_default();
    if blank(owner.reference.as_deref()) {
        c.fail(
            "spec.owner.ref",
            "No owning team (`owner.ref`). Someone must be accountable for the system's \
             performance in month 18, not just month 1, or it is abandoned when the pilot \
             team moves on."
                .into(),
        );
    }
    if blank(owner.accountable_person.as_deref()) {
        c.fail(
            "spec.owner.accountable_person",
            "No accountable person. A team owns the work, but one named person answers for \
             the system's performance when it degrades."
                .into(),
        );
    }
    let launch =
        c.m.spec
            .milestones
            .as_ref()
            .and_then(|m| m.production_launch);
    let (base, base_name) = match launch {
        Some(l) if l >= c.today => (l, format!("the launch on {l}")),
        _ => (c.today, format!("today ({})", c.today)),
    };
    // Month 18 after a launch late in year 9999 is past the last date a manifest can
    // write (or a report print as written): no commitment can reach it.
    let Some(month18) = base.checked_add_months(18) else {
        c.fail(
            "spec.milestones.production_launch",
            format!(
                "Month 18 after {base_name} is beyond the calendar (after {}-12-31): no \
                 ownership commitment can reach it. Check the launch date.",
                steward_manifest::MAX_YEAR
            ),
        );
        return;
    };
    match owner.accountable_until {
        None => c.fail(
            "spec.owner.accountable_until",
            format!(
                "Nobody has committed to own the system until a date (`accountable_until`). \
                 Ownership must reach at least {month18}, month 18 after {base_name}."
            ),
        ),
        Some(until) if until < month18 => c.fail(
            "spec.owner.accountable_until",
            format!(
                "Ownership ends on {until}, before {month18}, month 18 after {base_name}. \
                 The system would outlive its owner's commitment."
            ),
        ),
        Some(_) => {}
    }
    let can_change = owner
        .authority
        .iter()
        .any(|a| matches!(a, Authority::ChangePrompts | Authority::ChangeModels));
    let can_undo = owner
        .authority
        .iter()
        .any(|a| matches!(a, Authority::RollBack | Authority::Disable));
    if !can_change {
        c.fail(
            "spec.owner.authority",
            "The owner has no authority to change the system (change-prompts or \
             change-models): ownership without the power to fix it is ownership in name only."
                .into(),
        );
    }
    if !can_undo {
        c.fail(
            "spec.owner.authority",
            "The owner has no authority to stop the system (`roll-back` or `disable` in \
             `authority`), so a bad release cannot be stopped by the person accountable for it."
                .into(),
        );
    }
    // A confirmation recorded through the server counts when it is the later one.
    let recorded = c.live.and_then(|l| l.owner_confirmation);
    let confirmed_on = match (owner.confirmed_on, recorded) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    match confirmed_on {
        None => c.warn(
            "spec.owner.confirmed_on",
            "The owner has never re-confirmed ownership (`confirmed_on`); confirm it at least \
             every 180 days so a reorganisation cannot orphan the system."
                .into(),
        ),
        Some(d) if d.days_until(c.today) > 180 => c.warn(
            "spec.owner.confirmed_on",
            format!(
                "Ownership was last confirmed on {d}, {} days ago (more than 180). \
                 Owners change with reorganisations; re-confirm it.",
                d.days_until(c.today)
            ),
        ),
        Some(_) => {}
    }
    let who = shown(&owner.reference.unwrap_or_default());
    let person = shown(&owner.accountable_person.unwrap_or_default());
    let until = owner
        .accountable_until
        .map(|d| d.to_string())
        .unwrap_or_default();
    c.pass(
        "spec.owner",
        format!(
            "Owned by {who} ({person}) until {until}, past month 18 ({month18}), with authority to change and roll back."
        ),
    );
}

pub(crate) fn q3_maintenance_budget(c: &mut Check) {
    let annual = c.m.spec.budget.as_ref().and_then(|b| b.annual.as_ref());
    let maintenance = annual.and_then(|a| positive(a.maintenance));
    let Some(m) = maintenance else {
        let implementation: f64 =
            c.m.spec
                .budget
                .as_ref()
                .and_then(|b| b.implementation.as_ref())
                .map(|i| i.likely_total())
                .unwrap_or(0.0);
        let range = if implementation > 0.0 {
            format!(
                " (here {} to {})",
                c.money(0.15 * implementation),
                c.money(0.25 * implementation)
            )
        } else {
            String::new()
        };
        c.fail(
            "spec.budget.annual.maintenance",
            format!(
                "No annual maintenance budget. AI systems typically need 15-25% of their \
                 implementation cost every year just to keep working{range}; enhancement \
                 money does not count."
            ),
        );
        return;
    };
    let enhancement = annual
        .and_then(|a| a.enhancement)
        .map(|e| format!(", separate from enhancement ({})", c.money(e.likely())))
        .unwrap_or_default();
    let m = c.money(m);
    c.pass(
        "spec.budget.annual.maintenance",
        format!("{m} a year for maintenance{enhancement}."),
    );
}

pub(crate) fn q4_degradation(c: &mut Check) {
    let monitoring = c.m.spec.monitoring.clone().unwrap_or_default();
    let leading = monitoring
        .signals
        .iter()
        .filter(|s| s.kind == Some(SignalKind::Leading))
        .count();
    if leading == 0 {
        c.fail(
            "spec.monitoring.signals",
            "No leading signal is monitored, so degradation will be discovered when users \
             complain. Add a signal of kind `leading` (input drift, acceptance rate) with a \
             threshold and an alert route."
                .into(),
        );
    }
    for (i, s) in monitoring.signals.iter().enumerate() {
        let who = label(s.name.as_deref(), "Signal", i);
        if blank(s.threshold.as_deref()) {
            c.fail(
                &format!("spec.monitoring.signals[{i}].threshold"),
                format!("{who} has no threshold: without one, nothing ever says the system is degrading."),
            );
        }
        if blank(s.alert.as_deref()) {
            c.fail(
                &format!("spec.monitoring.signals[{i}].alert"),
                format!("{who} has no alert route: a threshold crossed with nobody told is not monitoring."),
            );
        }
    }
    if let Some(live) = c.live {
        silent_streams(c, &live.streams, monitoring.review_cadence_days);
    }
    match monitoring.review_cadence_days {
        None => c.warn(
            "spec.monitoring.review_cadence_days",
            "No review cadence (`review_cadence_days`): signals that nobody reviews drift out of date with the system."
                .into(),
        ),
        Some(d) => {
            let n = monitoring.signals.len();
            c.pass(
                "spec.monitoring",
                format!(
                    "{}, each with a threshold and an alert route; reviewed every {d} days.",
                    if leading == n {
                        format!("{n} signal{}, all leading", if n == 1 { "" } else { "s" })
                    } else {
                        format!(
                            "{leading} leading signal{} among {n} monitored",
                            if leading == 1 { "" } else { "s" }
                        )
                    }
                ),
            );
        }
    }
}

pub(crate) fn q5_fallback(c: &mut Check) {
    let fallback = c.m.spec.fallback.clone().unwrap_or_default();
    if blank(fallback.plan.as_deref()) {
        c.fail(
            "spec.fallback.plan",
            "No fallback plan: if the system fails in production, nobody knows how work continues without it."
                .into(),
        );
    }
    let max_days = fallback.max_days_between_tests.unwrap_or(90) as i64;
    // Drills written in the manifest (with their index, for the finding's line) and drills
    // recorded through the server (no line of their own: they point at `tests`).
    let recorded: &[crate::RecordedDrill] =
        c.live.map(|l| l.fallback_drills.as_slice()).unwrap_or(&[]);
    let drills = fallback
        .tests
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let passed = match t.result? {
                TestResult::Passed => true,
                TestResult::Failed => false,
            };
            Some((Some(i), t.date?, passed))
        })
        .chain(recorded.iter().map(|d| (None, d.date, d.passed)))
        .filter(|(_, d, _)| *d <= c.today);
    let newest = drills
        .clone()
        .filter(|(_, _, passed)| *passed)
        .map(|(i, d, _)| (i, d))
        .max_by_key(|(_, d)| *d);
    let Some((i, date)) = newest else {
        // A failed drill is evidence too: say so, rather than that nothing was ever tried.
        let failed = drills
            .filter(|(_, _, passed)| !passed)
            .map(|(_, d, _)| d)
            .max();
        let message = match failed {
            Some(last) => format!(
                "No fallback drill has passed yet: the last recorded one, on {last}, failed. \
                 Fix what it found and run the drill again, recording its date, result and \
                 evidence."
            ),
            None => "The fallback has never been tested. An untested fallback is a hope, not a \
                     plan: run a drill and record its date, result and evidence."
                .into(),
        };
        c.fail("spec.fallback.tests", message);
        return;
    };
    let age = date.days_until(c.today);
    if age > max_days {
        let path = match i {
            Some(i) => format!("spec.fallback.tests[{i}].date"),
            None => "spec.fallback.tests".to_string(),
        };
        c.fail_for_production(
            &path,
            format!(
                "The last passed fallback drill was on {date}, {age} days ago; drills are due every {max_days} days. \
                 A fallback that worked last year may not work today."
            ),
        );
    }
    c.pass(
        "spec.fallback",
        format!(
            "Fallback planned; last drilled successfully on {date}{} ({age} days ago, due every {max_days}).",
            if i.is_none() { ", as recorded through the server" } else { "" }
        ),
    );
}

/// With no review cadence, a stream is expected to receive data at least monthly.
const DEFAULT_SILENCE_CADENCE_DAYS: i64 = 30;

/// Q4 on live evidence: monitoring that receives no data is not monitoring. A stream that
/// stopped receiving for more than twice the review cadence fails; one that never received
/// anything fails for a system going to (or in) production.
fn silent_streams(c: &mut Check, streams: &[crate::StreamActivity], cadence: Option<u32>) {
    let cadence = cadence
        .map(i64::from)
        .unwrap_or(DEFAULT_SILENCE_CADENCE_DAYS);
    let limit = 2 * cadence;
    for s in streams {
        let name = shown(&s.stream);
        match s.last_batch {
            None => c.fail_for_production(
                "spec.monitoring",
                format!(
                    "The monitored stream `{name}` has never received data: signals that watch \
                     nothing will not notice degradation. Send its batches to the server."
                ),
            ),
            Some(last) if last.days_until(c.today) > limit => c.fail(
                "spec.monitoring",
                format!(
                    "The monitored stream `{name}` last received data on {last}, {} days ago, \
                     more than twice the review cadence ({limit} days): degradation there goes \
                     unseen. Check the integration that feeds it.",
                    last.days_until(c.today)
                ),
            ),
            Some(_) => {}
        }
    }
}
