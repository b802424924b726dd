//! P1-P5: what the roughly 20% of AI projects that reach sustained production share.

use steward_manifest::{Direction, Implementation, RelativeFigure};

use super::{Check, blank, label, list, shown, written};

pub(crate) fn p1_narrow_scope(c: &mut Check) {
    let scope = c.m.spec.scope.clone().unwrap_or_default();
    let teams: Vec<String> = scope
        .team
        .as_ref()
        .map(|t| t.names())
        .unwrap_or_default()
        .iter()
        .map(|t| shown(t))
        .collect();
    match teams.len() {
        0 => c.fail(
            "spec.scope.team",
            "No team is named in the scope. Successful implementations target one team's \
             workflow (\"AI-assisted code review for the payments integration team\"), not \
             \"AI for engineering\"."
                .into(),
        ),
        1 => {}
        n => {
            // Named in full up to a point; a list of hundreds says nothing more.
            let mut named: Vec<String> = teams.iter().take(10).cloned().collect();
            if n > named.len() {
                named.push(format!("{} more", n - named.len()));
            }
            c.fail(
                "spec.scope.team",
                format!(
                    "The scope names {n} teams ({}). Scope narrowly first: one team, with explicit \
                     and enforced boundaries; add teams once it works for the first.",
                    list(&named)
                ),
            )
        }
    }
    if blank(scope.workflow.as_deref()) {
        c.fail(
            "spec.scope.workflow",
            "No workflow is named. A scope is a team and the one workflow the system supports."
                .into(),
        );
    }
    let exclusions = written(&scope.out_of_scope);
    if exclusions == 0 {
        c.warn(
            "spec.scope.out_of_scope",
            "Nothing is declared out of scope. Boundaries that are not written down are not enforced."
                .into(),
        );
    }
    c.pass(
        "spec.scope",
        format!(
            "One team ({}), one workflow, {} explicit exclusion{}.",
            teams.first().cloned().unwrap_or_default(),
            exclusions,
            if exclusions == 1 { "" } else { "s" }
        ),
    );
}

pub(crate) fn p2_separate_lines(c: &mut Check) {
    let implementation =
        c.m.spec
            .budget
            .as_ref()
            .and_then(|b| b.implementation.clone())
            .unwrap_or_default();
    for (key, figure) in implementation.lines() {
        if figure.is_none() {
            let what = key.replace('_', " ");
            c.fail(
                &format!("spec.budget.implementation.{key}"),
                format!(
                    "No `{key}` budget line. The AI component is one line; data preparation, \
                     integration, testing infrastructure and change management are separate, \
                     protected lines, so that the money for {what} cannot quietly go to the \
                     others."
                ),
            );
        }
    }
    c.pass(
        "spec.budget.implementation",
        format!(
            "All {} implementation lines are declared separately.",
            Implementation::LINES.len()
        ),
    );
}

pub(crate) fn p3_owner_before_launch(c: &mut Check) {
    let since = c.m.spec.owner.as_ref().and_then(|o| o.since);
    let launch =
        c.m.spec
            .milestones
            .as_ref()
            .and_then(|m| m.production_launch);
    let Some(since) = since else {
        c.fail(
            "spec.owner.since",
            "No date from which the owner is accountable (`owner.since`). Ownership must be \
             established before launch, not assigned after the first incident."
                .into(),
        );
        return;
    };
    match launch {
        None => c.warn(
            "spec.milestones.production_launch",
            format!(
                "Owner accountable since {since}, but no production launch date is set, so \
                 \"ownership before launch\" cannot be verified."
            ),
        ),
        Some(l) if since > l => c.fail(
            "spec.owner.since",
            format!(
                "Ownership starts on {since}, after the production launch on {l}. Establish \
                 the owner before launch."
            ),
        ),
        Some(l) => c.pass(
            "spec.owner.since",
            format!("Owner accountable since {since}, before the launch on {l}."),
        ),
    }
}

/// What a success metric looks like, for findings about one.
const EXAMPLE_METRIC: &str = "Success is a number, a window and a baseline: \"reduction in \
    time-to-resolution for P1 defects by at least 25% within 90 days, measured against the \
    prior six-month baseline.\"";

/// The same, answering a target written as "improved productivity" (or like it).
const NOT_PRODUCTIVITY: &str = "Not \"improved productivity\" but a number, a window and a \
    baseline: \"reduction in time-to-resolution for P1 defects by at least 25% within 90 days, \
    measured against the prior six-month baseline.\"";

pub(crate) fn p4_metrics_before_building(c: &mut Check) {
    let metrics = &c.m.spec.success_metrics;
    if metrics.is_empty() {
        c.fail(
            "spec.success_metrics",
            format!("No success metric is defined. {EXAMPLE_METRIC}"),
        );
        return;
    }
    let build_started = c.m.spec.milestones.as_ref().and_then(|m| m.build_started);
    let mut build_unknown_reported = false;
    for (i, m) in metrics.iter().enumerate() {
        let who = label(m.name.as_deref(), "Metric", i);
        let base = format!("spec.success_metrics[{i}]");
        let mut missing: Vec<&str> = Vec::new();
        let mut words = None;
        match &m.target_change {
            None => missing.push("target_change"),
            Some(RelativeFigure::Text(t)) => words = Some(shown(t)),
            Some(RelativeFigure::Fraction(v)) => {
                if let Some(why) = not_credible(*v, m.direction) {
                    c.fail(
                        &format!("{base}.target_change"),
                        format!(
                            "{who} has target_change {}: {why} {EXAMPLE_METRIC}",
                            percent(*v)
                        ),
                    );
                }
            }
        }
        if m.direction.is_none() {
            missing.push("direction");
        }
        if m.within_days.is_none() {
            missing.push("within_days");
        }
        if m.baseline_days.is_none() {
            missing.push("baseline_days");
        }
        if m.aggregate.is_none() {
            missing.push("aggregate");
        }
        if !missing.is_empty() || words.is_some() {
            // A target written in words is there, but is not a number: said as such, not
            // listed among the keys that are missing.
            let in_words = words
                .as_ref()
                .map(|w| format!("{who}'s target_change is \"{w}\", which is not a number."));
            let lacking = (!missing.is_empty()).then(|| {
                let what: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
                match &in_words {
                    Some(_) => format!("It also lacks {}.", list(&what)),
                    None => format!("{who} lacks {}.", list(&what)),
                }
            });
            // The example of a good metric answers "improved productivity" only where
            // that is what was written.
            let example = match &words {
                Some(w) if w.to_lowercase().contains("productivity") => NOT_PRODUCTIVITY,
                _ => EXAMPLE_METRIC,
            };
            let path = if words.is_some() {
                format!("{base}.target_change")
            } else {
                format!("{base}.{}", missing[0])
            };
            let text: Vec<String> = [in_words, lacking, Some(example.to_string())]
                .into_iter()
                .flatten()
                .collect();
            c.fail(&path, text.join(" "));
        }
        match (m.defined_on, build_started) {
            (None, _) => c.fail(
                &format!("{base}.defined_on"),
                format!(
                    "{who} has no `defined_on` date. Success is defined before building, or \
                     the system is later judged by whatever it happens to achieve."
                ),
            ),
            (Some(d), Some(b)) if d > b => c.fail(
                &format!("{base}.defined_on"),
                format!(
                    "{who} was defined on {d}, after building started on {b}. Define success \
                     before building, so the target is not fitted to the results."
                ),
            ),
            (Some(_), None) if !build_unknown_reported => {
                build_unknown_reported = true;
                c.warn(
                    "spec.milestones.build_started",
                    "No `build_started` date, so \"defined before building\" cannot be verified."
                        .into(),
                );
            }
            _ => {}
        }
    }
    let n = metrics.len();
    c.pass(
        "spec.success_metrics",
        format!(
            "{n} metric{} with a number, a window and a baseline, defined before building started{}.",
            if n == 1 { "" } else { "s" },
            build_started.map(|b| format!(" ({b})")).unwrap_or_default()
        ),
    );
}

/// Above this relative change (1000%), a target is not credible; it is almost always a
/// percentage written as a bare number (`25` is read as 2,500%, since `0.25` is 25%).
pub(crate) const MAX_TARGET_CHANGE: f64 = 10.0;

/// `v` as a percentage, without float noise: `0.25` -> `25%`, `25` -> `2,500%`.
fn percent(v: f64) -> String {
    let p = v * 100.0;
    if p.abs() >= 1e3 && p.abs() < 1e18 {
        format!("{}%", steward_manifest::format_thousands(p))
    } else if p.abs() >= 1e18 {
        format!("{p:e}%")
    } else {
        format!("{}%", steward_manifest::format_number(p))
    }
}

/// Why a numeric target cannot serve as one, if it cannot. The sign written is ignored (the
/// direction says which way), as `steward metric` reads it.
fn not_credible(v: f64, direction: Option<Direction>) -> Option<String> {
    let size = v.abs();
    if size == 0.0 {
        Some("a change of 0 is met by any result, so it is not a target.".into())
    } else if size > MAX_TARGET_CHANGE {
        Some(format!(
            "a change of more than {}% is not a credible target: check the figure (\"25%\" is \
             a quarter, \"2500%\" twenty-five times).",
            steward_manifest::format_number(MAX_TARGET_CHANGE * 100.0)
        ))
    } else if size > 1.0 && direction == Some(Direction::Decrease) {
        // Refused when a manifest is read; kept for manifests built another way.
        Some(
            "a decrease of more than 100% would take the metric below zero, so it cannot be \
             met."
                .into(),
        )
    } else {
        None
    }
}

pub(crate) fn p5_iteration(c: &mut Check) {
    let it = c.m.spec.iteration.clone().unwrap_or_default();
    if it.cycle_days.is_none() {
        c.fail(
            "spec.iteration.cycle_days",
            "No iteration cycle (`cycle_days`). The first version is a learning exercise; \
             plan the cycles of feedback, adjustment and refinement, not a one-off deployment."
                .into(),
        );
    }
    let channels = written(&it.feedback_channels);
    if channels == 0 {
        c.warn(
            "spec.iteration.feedback_channels",
            "No feedback channel: iteration needs a way for users to say what is not working."
                .into(),
        );
    }
    match it.next_review {
        None => c.warn(
            "spec.iteration.next_review",
            "No next review is scheduled (`next_review`).".into(),
        ),
        Some(d) if d < c.today => c.warn(
            "spec.iteration.next_review",
            format!(
                "The next review was due on {d}, {} days ago.",
                d.days_until(c.today)
            ),
        ),
        Some(_) => {}
    }
    c.pass(
        "spec.iteration",
        format!(
            "Iterates every {} days with {} feedback channel{}; next review {}.",
            it.cycle_days.unwrap_or_default(),
            channels,
            if channels == 1 { "" } else { "s" },
            it.next_review.map(|d| d.to_string()).unwrap_or_default()
        ),
    );
}
