//! The rules. Each rule function records its problems through [`Check`]; a rule that
//! records nothing is reported as `passed` with the evidence it found, so a report always
//! shows every rule that was checked, not only what went wrong.

mod budget;
mod patterns;
mod questions;

use steward_manifest::{CostFigure, Date, Lifecycle, Manifest, SourceMap, System};

use crate::finding::{Finding, RULES, RuleId, Status};

pub(crate) struct Check<'a> {
    pub m: &'a Manifest,
    map: &'a SourceMap,
    pub today: Date,
    pub target: Lifecycle,
    /// Evidence from outside the manifest, when the caller has any.
    pub live: Option<&'a crate::LiveEvidence>,
    findings: Vec<Finding>,
    rule: RuleId,
    problems: usize,
}

impl<'a> Check<'a> {
    fn record(&mut self, status: Status, path: &str, message: String) {
        let (pos, _) = self.map.locate(path);
        self.findings.push(Finding {
            id: self.rule,
            status,
            path: path.to_string(),
            line: pos.line,
            column: pos.column,
            message,
            same_gap_as: None,
            waiver: None,
        });
    }

    pub fn fail(&mut self, path: &str, message: String) {
        self.problems += 1;
        self.record(Status::Failed, path, message);
    }

    pub fn warn(&mut self, path: &str, message: String) {
        self.problems += 1;
        self.record(Status::Warning, path, message);
    }

    pub fn skip(&mut self, path: &str, message: String) {
        self.problems += 1;
        self.record(Status::Skipped, path, message);
    }

    /// Fails when the target stage is production; a warning for an earlier target.
    pub fn fail_for_production(&mut self, path: &str, message: String) {
        if self.target == Lifecycle::Production {
            self.fail(path, message);
        } else {
            self.warn(path, message);
        }
    }

    /// Records the passing evidence, unless the rule already recorded a problem.
    pub fn pass(&mut self, path: &str, message: String) {
        if self.problems == 0 {
            self.record(Status::Passed, path, message);
        }
    }

    /// A note that passes alongside warnings (used by cost rules that report a ratio).
    pub fn note(&mut self, path: &str, message: String) {
        self.record(Status::Passed, path, message);
        self.problems += 1;
    }

    pub fn currency(&self) -> &str {
        self.m
            .spec
            .budget
            .as_ref()
            .and_then(|b| b.currency.as_deref())
            .unwrap_or("")
    }

    /// Money as people read it: `USD 340,000`.
    pub fn money(&self, v: f64) -> String {
        let c = shown(self.currency());
        let n = steward_manifest::format_thousands(v);
        if c.is_empty() { n } else { format!("{c} {n}") }
    }
}

/// A cost line counts as declared when it exists and its likely value is above zero.
pub(crate) fn positive(f: Option<CostFigure>) -> Option<f64> {
    f.map(|c| c.likely()).filter(|v| *v > 0.0)
}

type RuleFn = fn(&mut Check);

const RULE_FNS: [(RuleId, RuleFn); 13] = [
    (RuleId::Q1, questions::q1_integration_work),
    (RuleId::Q2, questions::q2_ownership),
    (RuleId::Q3, questions::q3_maintenance_budget),
    (RuleId::Q4, questions::q4_degradation),
    (RuleId::Q5, questions::q5_fallback),
    (RuleId::P1, patterns::p1_narrow_scope),
    (RuleId::P2, patterns::p2_separate_lines),
    (RuleId::P3, patterns::p3_owner_before_launch),
    (RuleId::P4, patterns::p4_metrics_before_building),
    (RuleId::P5, patterns::p5_iteration),
    (RuleId::C1, budget::c1_integration_cost),
    (RuleId::C2, budget::c2_maintenance_share),
    (RuleId::C3, budget::c3_change_management),
];

pub(crate) fn run(
    system: &System,
    today: Date,
    target: Lifecycle,
    live: Option<&crate::LiveEvidence>,
) -> Vec<Finding> {
    debug_assert!(
        RULE_FNS
            .iter()
            .zip(RULES.iter())
            .all(|((a, _), r)| *a == r.id)
    );
    let mut check = Check {
        m: &system.manifest,
        map: &system.map,
        today,
        target,
        live,
        findings: Vec::with_capacity(24),
        rule: RuleId::Q1,
        problems: 0,
    };
    for (id, f) in RULE_FNS {
        check.rule = id;
        check.problems = 0;
        // Retiring needs no readiness. A retired system checked for another stage (an
        // explicit `--target`) is being brought back, and is judged like any other system
        // moving to that stage: skipping every rule would call it ready having checked
        // nothing.
        if target == Lifecycle::Retired {
            let why = if system.manifest.spec.lifecycle == Lifecycle::Retired {
                "The system is retired; readiness rules apply to systems moving towards production."
            } else {
                "The target is retirement; readiness rules apply to systems moving towards production."
            };
            check.skip("spec.lifecycle", why.into());
            continue;
        }
        f(&mut check);
    }
    check.findings
}

/// "a, b and c"
pub(crate) fn list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// Text from the manifest quoted in a finding: clipped, so a multi-megabyte value makes a
/// short line, and with control characters made visible (the renderers escape again; this
/// also keeps the JSON report's messages plain).
pub(crate) fn shown(s: &str) -> String {
    steward_io::clip(s, 80).into_owned()
}

/// `name` of an item, or its ordinal when it has none.
pub(crate) fn label(name: Option<&str>, kind: &str, index: usize) -> String {
    match name
        .map(str::trim)
        .filter(|n| !steward_manifest::is_unanswered(n))
    {
        Some(n) => format!("{kind} `{}`", shown(n)),
        None => format!("{kind} #{}", index + 1),
    }
}

/// Missing, empty, only whitespace and invisible characters (a team of U+202E alone
/// answers nothing), or a `TODO` placeholder the starter wrote and nobody replaced.
pub(crate) fn blank(s: Option<&str>) -> bool {
    s.is_none_or(steward_manifest::is_unanswered)
}

/// The items of a list that say something.
pub(crate) fn written(items: &[String]) -> usize {
    items
        .iter()
        .filter(|s| !steward_manifest::is_unanswered(s))
        .count()
}
