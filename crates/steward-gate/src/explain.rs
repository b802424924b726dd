//! Why each rule exists and how to satisfy it, for `steward explain` and
//! `steward check --explain`. Pure data: the CLI decides how to print it.
//!
//! The example fixes are checked by this module's tests: each parses as part of a manifest,
//! makes its rule pass on its own, and sets exactly the keys its rule is said to read, so
//! the advice cannot drift from what the rules do.

use serde::Serialize;

use crate::finding::{RULES, RuleId};

/// The explanation of one rule.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub rule: RuleId,
    /// The rule's title, as reports print it.
    pub title: &'static str,
    /// The question behind the rule, and why an unanswered one hurts when the system scales.
    pub question: &'static str,
    /// What the manifest must say for the rule to pass.
    pub passes_when: &'static str,
    /// The manifest keys whose values decide the rule's status, as dotted paths (`[]` stands
    /// for every item of a list). Keys read only to word a message (an item's `name`, the
    /// currency) are left out.
    pub reads: &'static [&'static str],
    /// A YAML fragment under `spec:` that makes the rule pass on its own.
    pub example_fix: &'static str,
}

/// The explanation of `rule`.
pub fn explain(rule: RuleId) -> &'static Explanation {
    // EXPLANATIONS follows the catalogue's order, as RuleId's discriminants do.
    &EXPLANATIONS[rule as usize]
}

/// Every explanation, in the catalogue's order.
pub fn explanations() -> &'static [Explanation] {
    &EXPLANATIONS
}

const fn title(rule: RuleId) -> &'static str {
    RULES[rule as usize].title
}

static EXPLANATIONS: [Explanation; RULES.len()] = [
    Explanation {
        rule: RuleId::Q1,
        title: title(RuleId::Q1),
        question: "Which connections did the pilot step around, and is the work to build them \
            planned and paid for? Pilots get their results with an export instead of the \
            system of record's API, a test tenant or a hand-cleaned sample. Production has to \
            build each of those connections for real, against data with inconsistent formats \
            and undocumented rules, and that work usually costs several times the pilot. \
            Unnamed, it is neither planned nor budgeted, and the scale-up stalls in it.",
        passes_when: "At least one integration is listed (a warning instead of a failure when \
            the target is not production), every integration says what the pilot avoided, and \
            the implementation budget has an integration line above zero.",
        reads: &[
            "spec.integrations[].pilot_avoided",
            "spec.budget.implementation.integration",
        ],
        example_fix: "\
spec:
  integrations:
    - pilot_avoided: read a nightly CSV export instead of the ledger API
  budget:
    implementation:
      integration: 120000
",
    },
    Explanation {
        rule: RuleId::Q2,
        title: title(RuleId::Q2),
        question: "Who answers for the system's performance a year and a half from now, and can \
            they change it and stop it? The team that built the pilot moves on; models drift, \
            prompts stop working and upstream systems change long after launch. Without an \
            owner committed past month 18, with the authority to act, the system is abandoned \
            the first time it degrades.",
        passes_when: "An owning team (`ref`) and an accountable person are named; \
            `accountable_until` reaches at least 18 months after the production launch (after \
            today when the launch is past or not set); `authority` includes a way to change \
            the system (change-prompts or change-models) and a way to stop it (roll-back or \
            disable). A `confirmed_on` that is missing or older than 180 days is a warning.",
        reads: &[
            "spec.owner.ref",
            "spec.owner.accountable_person",
            "spec.owner.accountable_until",
            "spec.owner.authority",
            "spec.owner.confirmed_on",
            "spec.milestones.production_launch",
        ],
        example_fix: "\
spec:
  milestones:
    production_launch: 2027-03-01
  owner:
    ref: group:default/payments-platform
    accountable_person: Dana Okafor
    accountable_until: 2028-12-31
    confirmed_on: 2026-10-01
    authority: [change-prompts, roll-back]
",
    },
    Explanation {
        rule: RuleId::Q3,
        title: title(RuleId::Q3),
        question: "What does it cost each year just to keep the system working? Models drift, \
            prompts need retuning and integrations break when the systems they connect change. \
            The industry yardstick is 15-25% of the implementation cost every year before any \
            new feature. When maintenance shares a budget with enhancements, the new features \
            win and the system quietly decays.",
        passes_when: "An annual maintenance budget above zero. Money for new capabilities \
            belongs in `annual.enhancement` and does not count.",
        reads: &["spec.budget.annual.maintenance"],
        example_fix: "\
spec:
  budget:
    annual:
      maintenance: 45000
",
    },
    Explanation {
        rule: RuleId::Q4,
        title: title(RuleId::Q4),
        question: "What tells you the system is getting worse before its users do? Users \
            notice late, and when they do they stop trusting it. Complaints and missed targets \
            confirm a problem after the damage; leading signals such as input drift or the \
            acceptance rate of suggestions move first. A signal helps only with a threshold \
            that says when it is bad and an alert route that tells someone.",
        passes_when: "At least one signal of kind `leading`, and every signal has a `threshold` \
            and an `alert` route. A missing `review_cadence_days` is a warning.",
        reads: &[
            "spec.monitoring.signals[].kind",
            "spec.monitoring.signals[].threshold",
            "spec.monitoring.signals[].alert",
            "spec.monitoring.review_cadence_days",
        ],
        example_fix: "\
spec:
  monitoring:
    review_cadence_days: 14
    signals:
      - kind: leading
        threshold: suggestion acceptance below 60% over 7 days
        alert: group:default/payments-platform
",
    },
    Explanation {
        rule: RuleId::Q5,
        title: title(RuleId::Q5),
        question: "How does the work continue when the system fails, and do you know that it \
            does? Every production system fails sometimes, and an AI system can fail quietly \
            by giving worse answers. A fallback that was never exercised is a hope: the manual \
            process has been forgotten, the switch does not work, or nobody knows who turns \
            it. Regular drills keep it real.",
        passes_when: "A written `fallback.plan`, and a test with result `passed` dated on or \
            before the gate's date and no older than `max_days_between_tests` (90 when not \
            set). An overdue drill fails for production and is a warning for an earlier \
            target.",
        reads: &[
            "spec.fallback.plan",
            "spec.fallback.max_days_between_tests",
            "spec.fallback.tests[].date",
            "spec.fallback.tests[].result",
        ],
        example_fix: "\
spec:
  fallback:
    plan: reviewers return to the manual checklist; a flag turns the bot off
    max_days_between_tests: 90
    tests:
      - date: 2026-10-14
        result: passed
",
    },
    Explanation {
        rule: RuleId::P1,
        title: title(RuleId::P1),
        question: "Which one team and which one workflow is this for, and what is explicitly \
            left out? A pilot that worked for one team does not scale linearly to every team: \
            each brings its own data, workflow and exceptions. Systems that reach production \
            start narrow (code review for the payments integration team, not AI for \
            engineering) and write their boundaries down, so the scope cannot creep while the \
            first version is still being learned from.",
        passes_when: "`scope.team` names exactly one team and `scope.workflow` is written. An \
            empty `out_of_scope` is a warning.",
        reads: &[
            "spec.scope.team",
            "spec.scope.workflow",
            "spec.scope.out_of_scope",
        ],
        example_fix: "\
spec:
  scope:
    team: payments-integration
    workflow: review of merge requests to the payments services
    out_of_scope:
      - other teams' repositories
",
    },
    Explanation {
        rule: RuleId::P2,
        title: title(RuleId::P2),
        question: "Is the work around the model budgeted where it can be seen? The model is \
            usually the cheap, visible part. Data preparation, integration, test \
            infrastructure and change management are where scale-ups overrun, and folded into \
            one line with the AI component they are the first to be squeezed. Separate lines \
            make each cost visible and protect it.",
        passes_when: "All five implementation lines are declared: `ai_component`, \
            `data_preparation`, `integration`, `testing_infrastructure` and \
            `change_management` (a line of 0 counts as declared for this rule).",
        reads: &[
            "spec.budget.implementation.ai_component",
            "spec.budget.implementation.data_preparation",
            "spec.budget.implementation.integration",
            "spec.budget.implementation.testing_infrastructure",
            "spec.budget.implementation.change_management",
        ],
        example_fix: "\
spec:
  budget:
    implementation:
      ai_component: 80000
      data_preparation: 60000
      integration: 120000
      testing_infrastructure: 30000
      change_management: 40000
",
    },
    Explanation {
        rule: RuleId::P3,
        title: title(RuleId::P3),
        question: "Was the owner in place before the system went live? An owner named after \
            launch is usually named after the first incident, by whoever is closest. Named \
            before launch, the owner shapes the monitoring, the fallback and the budget, and \
            inherits a system they know instead of one they must reverse-engineer.",
        passes_when: "`owner.since` is on or before `milestones.production_launch`. Without a \
            launch date the rule warns, having nothing to compare with.",
        reads: &["spec.owner.since", "spec.milestones.production_launch"],
        example_fix: "\
spec:
  owner:
    since: 2026-09-01
  milestones:
    production_launch: 2027-03-01
",
    },
    Explanation {
        rule: RuleId::P4,
        title: title(RuleId::P4),
        question: "What result, by when, against what baseline, would count as success, and \
            was that decided before building started? Without a number, a window and a \
            baseline chosen in advance, a system is judged by whatever it happens to achieve, \
            and \"improved productivity\" can be neither proved nor refuted. A target written \
            after building starts tends to be fitted to the results.",
        passes_when: "At least one success metric, each with a numeric and credible \
            `target_change` (not 0, at most 1000%, at most 100% for a decrease), a \
            `direction`, `within_days`, `baseline_days`, an `aggregate`, and a `defined_on` \
            date on or before `milestones.build_started`. Without `build_started` the rule \
            warns once.",
        reads: &[
            "spec.success_metrics[].target_change",
            "spec.success_metrics[].direction",
            "spec.success_metrics[].within_days",
            "spec.success_metrics[].baseline_days",
            "spec.success_metrics[].aggregate",
            "spec.success_metrics[].defined_on",
            "spec.milestones.build_started",
        ],
        example_fix: "\
spec:
  milestones:
    build_started: 2026-06-01
  success_metrics:
    - target_change: 25%
      direction: decrease
      aggregate: median
      within_days: 90
      baseline_days: 180
      defined_on: 2026-05-04
",
    },
    Explanation {
        rule: RuleId::P5,
        title: title(RuleId::P5),
        question: "How will the system keep improving after launch? The first production \
            version is where the team learns what the system really needs; treated as \
            finished, it keeps its first mistakes. Systems that last are planned as cycles of \
            feedback, adjustment and refinement, with a way for users to say what is wrong \
            and a date when someone looks.",
        passes_when: "`iteration.cycle_days` is set. An empty `feedback_channels`, or a \
            `next_review` that is missing or already past, is a warning.",
        reads: &[
            "spec.iteration.cycle_days",
            "spec.iteration.feedback_channels",
            "spec.iteration.next_review",
        ],
        example_fix: "\
spec:
  iteration:
    cycle_days: 30
    feedback_channels:
      - '#payments-review-bot'
    next_review: 2027-01-15
",
    },
    Explanation {
        rule: RuleId::C1,
        title: title(RuleId::C1),
        question: "Is the integration budget in proportion to what the pilot cost? The pilot \
            avoided the hard integration work, so its cost says little about production's. \
            The industry yardstick puts data preparation plus integration at 3-5x the cost of \
            the proof of concept. Well below that, the estimate was usually made before the \
            real data sources were looked at; far above it, the scope may have grown.",
        passes_when: "`data_preparation` plus `integration` (at their likely values) is \
            between 3 and 5 times `poc_cost`, ends included. Below or above is a warning; \
            without a `poc_cost` the rule is skipped.",
        reads: &[
            "spec.budget.poc_cost",
            "spec.budget.implementation.data_preparation",
            "spec.budget.implementation.integration",
        ],
        example_fix: "\
spec:
  budget:
    poc_cost: 40000
    implementation:
      data_preparation: 60000
      integration: 100000
",
    },
    Explanation {
        rule: RuleId::C2,
        title: title(RuleId::C2),
        question: "Is the maintenance budget in proportion to what was built? Keeping an AI \
            system working costs money every year (retuning prompts, re-evaluating models, \
            repairing integrations) before any new feature. The industry yardstick is 15-25% \
            of the implementation cost a year; a smaller budget tends to be found out once \
            the system has already degraded.",
        passes_when: "`annual.maintenance` is at least 15% of the total of the implementation \
            lines (a note when above 25%). Below is a warning; without an implementation cost \
            or a maintenance budget the rule is skipped.",
        reads: &[
            "spec.budget.implementation",
            "spec.budget.annual.maintenance",
        ],
        example_fix: "\
spec:
  budget:
    implementation:
      ai_component: 150000
      integration: 100000
    annual:
      maintenance: 50000
",
    },
    Explanation {
        rule: RuleId::C3,
        title: title(RuleId::C3),
        question: "Does the system change how the team works, and is that change paid for? A \
            tool that helps one person is adopted with some training; a system that changes \
            who is responsible for what, which metrics matter and what skills the team needs \
            takes months of change management, which budgets for software tend to leave out.",
        passes_when: "`scope.changes_team_workflow` is false (the rule is skipped), or it is \
            true and `implementation.change_management` is above zero. Leaving \
            `changes_team_workflow` out is a warning.",
        reads: &[
            "spec.scope.changes_team_workflow",
            "spec.budget.implementation.change_management",
        ],
        example_fix: "\
spec:
  scope:
    changes_team_workflow: true
  budget:
    implementation:
      change_management: 40000
",
    },
];

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use steward_manifest::{Date, Lifecycle, parse_manifests};

    use super::*;
    use crate::finding::Status;
    use crate::{GateOptions, evaluate};

    /// The date the example fixes are judged on: their dates are written around it.
    fn today() -> Date {
        Date::parse("2026-11-25").unwrap()
    }

    /// A manifest holding only what the rule's example fix writes.
    fn manifest_with(e: &Explanation) -> steward_manifest::System {
        let body = e
            .example_fix
            .strip_prefix("spec:\n")
            .unwrap_or_else(|| panic!("{}: the fix starts with `spec:`", e.rule));
        let text = format!(
            "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: example\nspec:\n  \
             lifecycle: pilot\n{body}"
        );
        let mut systems = parse_manifests("fix.yaml", text.as_bytes())
            .unwrap_or_else(|err| panic!("{}: the fix does not parse: {err:?}", e.rule));
        assert_eq!(systems.len(), 1);
        systems.remove(0)
    }

    /// Dotted paths of the values written under `value` (`[]` for list items), stopping at
    /// a path `reads` names so a figure written as a range counts as its key.
    fn written(value: &Value, path: &str, reads: &[&str], out: &mut Vec<String>) {
        if reads.contains(&path) {
            out.push(path.to_string());
            return;
        }
        match value {
            Value::Null => {}
            Value::Object(map) => {
                for (k, v) in map {
                    written(v, &format!("{path}.{k}"), reads, out);
                }
            }
            Value::Array(items) if items.iter().all(|i| i.is_object()) => {
                for item in items {
                    written(item, &format!("{path}[]"), reads, out);
                }
            }
            Value::Array(items) if items.is_empty() => {}
            _ => out.push(path.to_string()),
        }
    }

    #[test]
    fn every_rule_has_its_own_explanation() {
        assert_eq!(explanations().len(), RULES.len());
        for r in &RULES {
            let e = explain(r.id);
            assert_eq!(e.rule, r.id);
            assert_eq!(e.title, r.title);
            for text in [e.question, e.passes_when] {
                assert!(text.ends_with('.'), "{}: {text}", r.id);
                assert!(!text.contains("  "), "{}: {text}", r.id);
            }
            assert!(!e.reads.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn every_example_fix_makes_its_rule_pass_on_its_own() {
        for e in explanations() {
            let system = manifest_with(e);
            let report = evaluate(
                &system,
                "fix.yaml",
                &GateOptions {
                    today: today(),
                    target: Some(Lifecycle::Production),
                    strict: false,
                    live: None,
                },
            );
            let findings: Vec<_> = report.findings.iter().filter(|f| f.id == e.rule).collect();
            assert!(!findings.is_empty(), "{}", e.rule);
            for f in findings {
                assert_eq!(f.status, Status::Passed, "{}: {}", e.rule, f.message);
            }
        }
    }

    #[test]
    fn every_example_fix_writes_exactly_the_keys_its_rule_reads() {
        for e in explanations() {
            let system = manifest_with(e);
            let mut spec = serde_json::to_value(&system.manifest.spec).unwrap();
            spec.as_object_mut().unwrap().remove("lifecycle");
            let mut keys = Vec::new();
            written(&spec, "spec", e.reads, &mut keys);
            keys.sort();
            keys.dedup();
            let mut reads: Vec<String> = e.reads.iter().map(|r| r.to_string()).collect();
            reads.sort();
            assert_eq!(keys, reads, "{}", e.rule);
        }
    }

    #[test]
    fn explanations_serialize_with_the_rule_id_as_written() {
        let v = serde_json::to_value(explain(RuleId::P4)).unwrap();
        assert_eq!(v["rule"], "P4");
        assert_eq!(v["title"], "success metrics before building");
        assert!(v["reads"].as_array().unwrap().len() > 1);
    }
}
