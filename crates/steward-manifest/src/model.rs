//! The typed AISystem manifest, version 1 (docs/manifest.md). Every struct rejects
//! unknown keys, so a typo is an error with a location rather than a silently ignored line.
//! Only `apiVersion`, `kind`, `metadata.name` and `spec.lifecycle` are required; the gate,
//! not the parser, says what a system still lacks.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::values::{
    CostFigure, Date, DriftShare, DriftThreshold, RelativeFigure, Score, StreamName, SystemName,
    Teams, Weight,
};

pub const API_VERSION: &str = "steward/v1";
pub const KIND: &str = "AISystem";

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "AISystem manifest",
    description = "One AI system: scope, owner, success metrics, budget, integrations, monitoring, fallback, iteration and sourcing."
)]
pub struct Manifest {
    #[serde(rename = "apiVersion")]
    #[schemars(schema_with = "api_version_schema")]
    pub api_version: ApiVersion,
    #[schemars(schema_with = "kind_schema")]
    pub kind: String,
    pub metadata: Metadata,
    pub spec: Spec,
}

fn api_version_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"const": API_VERSION})
}
fn kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"const": KIND})
}

/// `apiVersion`; only `steward/v1` exists.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApiVersion(pub String);

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == API_VERSION {
            Ok(ApiVersion(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "unsupported apiVersion `{}`, expected `{API_VERSION}`",
                crate::values::quote(&s)
            )))
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Lowercase letters, digits and '-'; unique in a portfolio.
    pub name: SystemName,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// Free-form, namespaced keys (for example `backstage.io/source-location`).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub url: String,
    pub title: Option<String>,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Lifecycle {
    ProofOfConcept,
    Pilot,
    Production,
    Retired,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::ProofOfConcept => "proof-of-concept",
            Lifecycle::Pilot => "pilot",
            Lifecycle::Production => "production",
            Lifecycle::Retired => "retired",
        }
    }

    /// The stage the gate checks by default: the next one, and production stays production.
    pub fn next(self) -> Lifecycle {
        match self {
            Lifecycle::ProofOfConcept => Lifecycle::Pilot,
            Lifecycle::Pilot | Lifecycle::Production => Lifecycle::Production,
            Lifecycle::Retired => Lifecycle::Retired,
        }
    }

    pub fn parse(s: &str) -> Option<Lifecycle> {
        [
            Lifecycle::ProofOfConcept,
            Lifecycle::Pilot,
            Lifecycle::Production,
            Lifecycle::Retired,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub lifecycle: Lifecycle,
    pub scope: Option<Scope>,
    pub owner: Option<Owner>,
    pub milestones: Option<Milestones>,
    #[serde(default)]
    pub success_metrics: Vec<SuccessMetric>,
    pub budget: Option<Budget>,
    #[serde(default)]
    pub integrations: Vec<Integration>,
    pub monitoring: Option<Monitoring>,
    pub fallback: Option<Fallback>,
    pub iteration: Option<Iteration>,
    pub sourcing: Option<Sourcing>,
    /// Findings accepted for a time, each with a reason, an approver and an expiry.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// A finding accepted until a date: it stops blocking the verdict until then, and fails
/// again after it. `steward check --strict` ignores every waiver.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The rule id, such as `Q5` (see `steward explain`).
    pub rule: RuleName,
    /// The manifest key the finding is about (`spec.fallback.tests`); without it, every
    /// finding of the rule is waived. A key waives the findings at it and under it.
    pub path: Option<String>,
    /// Why the finding is accepted for now.
    pub reason: String,
    /// Who accepted it (an entity reference or a name).
    pub approved_by: String,
    /// The last day the waiver holds.
    pub until: Date,
}

/// The id of a readiness rule: one of the thirteen the gate runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(transparent)]
pub struct RuleName(#[schemars(regex(pattern = r"^(Q[1-5]|P[1-5]|C[1-3])$"))] String);

/// The rule ids a waiver may name, in the gate's order.
pub const RULE_IDS: [&str; 13] = [
    "Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3",
];

impl RuleName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for RuleName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if RULE_IDS.contains(&s.as_str()) {
            Ok(RuleName(s))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{}` is not a rule id; the rules are {}",
                crate::values::quote(&s),
                RULE_IDS.join(", ")
            )))
        }
    }
}

/// "Scope narrowly first."
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Exactly one team.
    pub team: Option<Teams>,
    pub workflow: Option<String>,
    pub users: Option<u64>,
    #[serde(default)]
    pub in_scope: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Vec<String>,
    /// Does the system change who is responsible for what?
    pub changes_team_workflow: Option<bool>,
}

/// "Who owns it in month 18."
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    /// Backstage-style entity reference, e.g. `group:default/payments-platform`.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub accountable_person: Option<String>,
    pub since: Option<Date>,
    pub accountable_until: Option<Date>,
    /// The last time the owner re-confirmed.
    pub confirmed_on: Option<Date>,
    #[serde(default)]
    pub authority: Vec<Authority>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Authority {
    ChangePrompts,
    ChangeModels,
    RollBack,
    Disable,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestones {
    pub build_started: Option<Date>,
    pub pilot_started: Option<Date>,
    /// Planned or actual.
    pub production_launch: Option<Date>,
}

/// "Define success metrics before building."
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuccessMetric {
    pub name: Option<String>,
    pub description: Option<String>,
    pub unit: Option<String>,
    pub aggregate: Option<Aggregate>,
    pub direction: Option<Direction>,
    /// At least this relative change ("25%" or 0.25) ...
    #[serde(default, deserialize_with = "crate::values::target_change")]
    pub target_change: Option<RelativeFigure>,
    /// ... within this many days of production_launch (1 to 36500) ...
    #[serde(default, deserialize_with = "crate::values::window_days")]
    #[schemars(range(min = 1, max = 36500))]
    pub within_days: Option<u32>,
    /// ... against this many days before it (1 to 36500).
    #[serde(default, deserialize_with = "crate::values::window_days")]
    #[schemars(range(min = 1, max = 36500))]
    pub baseline_days: Option<u32>,
    pub defined_on: Option<Date>,
    pub source: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    Mean,
    Median,
    P90,
    Sum,
    Count,
    RatePerDay,
}

impl Aggregate {
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregate::Mean => "mean",
            Aggregate::Median => "median",
            Aggregate::P90 => "p90",
            Aggregate::Sum => "sum",
            Aggregate::Count => "count",
            Aggregate::RatePerDay => "rate_per_day",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Decrease,
    Increase,
}

/// "Budget integration work separately."
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    pub currency: Option<String>,
    pub poc_cost: Option<CostFigure>,
    pub implementation: Option<Implementation>,
    pub annual: Option<Annual>,
}

/// One-off implementation lines, each a protected line of its own.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Implementation {
    pub ai_component: Option<CostFigure>,
    pub data_preparation: Option<CostFigure>,
    pub integration: Option<CostFigure>,
    pub testing_infrastructure: Option<CostFigure>,
    pub change_management: Option<CostFigure>,
}

impl Implementation {
    pub const LINES: [&'static str; 5] = [
        "ai_component",
        "data_preparation",
        "integration",
        "testing_infrastructure",
        "change_management",
    ];

    /// The sum of the declared lines at their likely values (a missing line is 0).
    pub fn likely_total(&self) -> f64 {
        self.lines()
            .iter()
            .filter_map(|(_, f)| f.map(|f| f.likely()))
            .sum()
    }

    /// The five lines in a fixed order, with their keys.
    pub fn lines(&self) -> [(&'static str, Option<CostFigure>); 5] {
        [
            ("ai_component", self.ai_component),
            ("data_preparation", self.data_preparation),
            ("integration", self.integration),
            ("testing_infrastructure", self.testing_infrastructure),
            ("change_management", self.change_management),
        ]
    }
}

/// Recurring lines per year.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Annual {
    /// Keeping current capabilities working.
    pub maintenance: Option<CostFigure>,
    /// New capabilities; never mixed with maintenance.
    pub enhancement: Option<CostFigure>,
}

impl Annual {
    pub fn lines(&self) -> [(&'static str, Option<CostFigure>); 2] {
        [
            ("maintenance", self.maintenance),
            ("enhancement", self.enhancement),
        ]
    }
}

/// "What integration work did the pilot avoid?"
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    pub name: Option<String>,
    pub system: Option<String>,
    pub direction: Option<DataDirection>,
    pub pilot_avoided: Option<String>,
    pub owner: Option<String>,
    /// The server stream whose batches this integration feeds.
    pub stream: Option<StreamName>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataDirection {
    Read,
    Write,
    Both,
}

/// "How will we know it degrades before users complain?"
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    pub review_cadence_days: Option<u32>,
    #[serde(default)]
    pub signals: Vec<Signal>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signal {
    pub name: Option<String>,
    pub kind: Option<SignalKind>,
    pub description: Option<String>,
    pub threshold: Option<String>,
    /// Where the alert goes: an entity reference or a channel.
    pub alert: Option<String>,
    /// The server stream whose batches this signal watches for drift.
    pub stream: Option<StreamName>,
    /// The drift test for the stream's columns (default: the one `steward drift` picks
    /// per column).
    pub stattest: Option<DriftTest>,
    /// The test's threshold (default: the test's own).
    pub stattest_threshold: Option<DriftThreshold>,
    /// The share of drifted columns at which the stream drifts (default 0.5).
    pub drift_share: Option<DriftShare>,
}

/// The drift tests `steward drift --stattest` takes, by the same names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DriftTest {
    Ks,
    Chisquare,
    Z,
    Wasserstein,
    Jensenshannon,
    Psi,
    KlDiv,
    Hellinger,
    EnergyDistance,
    Mannw,
    TTest,
    CramerVonMises,
    Anderson,
}

impl DriftTest {
    pub const ALL: [DriftTest; 13] = [
        DriftTest::Ks,
        DriftTest::Chisquare,
        DriftTest::Z,
        DriftTest::Wasserstein,
        DriftTest::Jensenshannon,
        DriftTest::Psi,
        DriftTest::KlDiv,
        DriftTest::Hellinger,
        DriftTest::EnergyDistance,
        DriftTest::Mannw,
        DriftTest::TTest,
        DriftTest::CramerVonMises,
        DriftTest::Anderson,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DriftTest::Ks => "ks",
            DriftTest::Chisquare => "chisquare",
            DriftTest::Z => "z",
            DriftTest::Wasserstein => "wasserstein",
            DriftTest::Jensenshannon => "jensenshannon",
            DriftTest::Psi => "psi",
            DriftTest::KlDiv => "kl_div",
            DriftTest::Hellinger => "hellinger",
            DriftTest::EnergyDistance => "energy_distance",
            DriftTest::Mannw => "mannw",
            DriftTest::TTest => "t_test",
            DriftTest::CramerVonMises => "cramer_von_mises",
            DriftTest::Anderson => "anderson",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    Leading,
    Lagging,
}

/// "What is our fallback, and have we tested it?"
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fallback {
    pub plan: Option<String>,
    pub owner: Option<String>,
    pub max_days_between_tests: Option<u32>,
    #[serde(default)]
    pub tests: Vec<FallbackTest>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FallbackTest {
    pub date: Option<Date>,
    pub result: Option<TestResult>,
    pub evidence: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TestResult {
    Passed,
    Failed,
}

/// "Plan for iteration, not deployment."
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iteration {
    pub cycle_days: Option<u32>,
    #[serde(default)]
    pub feedback_channels: Vec<String>,
    pub next_review: Option<Date>,
}

/// Build, buy or hybrid, on the useful decision basis.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sourcing {
    pub decision: Option<SourcingKind>,
    /// Years of ownership compared, 1 to 100 (as `steward cost --years`).
    #[serde(default, deserialize_with = "crate::values::horizon_years")]
    #[schemars(range(min = 1, max = 100))]
    pub horizon_years: Option<u32>,
    #[serde(default)]
    pub options: Vec<SourcingOption>,
    pub weights: Option<Weights>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourcingKind {
    Build,
    Buy,
    Hybrid,
}

impl SourcingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourcingKind::Build => "build",
            SourcingKind::Buy => "buy",
            SourcingKind::Hybrid => "hybrid",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcingOption {
    pub name: Option<String>,
    pub kind: Option<SourcingKind>,
    pub one_off: Option<CostFigure>,
    pub annual: Option<CostFigure>,
    /// 0 to 1200 (100 years).
    #[serde(default, deserialize_with = "crate::values::months_to_value")]
    #[schemars(range(min = 0, max = 1200))]
    pub months_to_value: Option<f64>,
    pub scores: Option<Scores>,
}

/// 1 (worst) to 5 (best) on each criterion of the useful decision basis.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scores {
    pub integration_effort: Option<Score>,
    /// Internal capability to maintain it.
    pub maintainability: Option<Score>,
    /// 5 = least exposure to vendor lock-in.
    pub lock_in: Option<Score>,
    pub time_to_value: Option<Score>,
    pub total_cost: Option<Score>,
}

pub const CRITERIA: [&str; 5] = [
    "integration_effort",
    "maintainability",
    "lock_in",
    "time_to_value",
    "total_cost",
];

impl Scores {
    pub fn by_criterion(&self) -> [(&'static str, Option<Score>); 5] {
        [
            ("integration_effort", self.integration_effort),
            ("maintainability", self.maintainability),
            ("lock_in", self.lock_in),
            ("time_to_value", self.time_to_value),
            ("total_cost", self.total_cost),
        ]
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub integration_effort: Option<Weight>,
    pub maintainability: Option<Weight>,
    pub lock_in: Option<Weight>,
    pub time_to_value: Option<Weight>,
    pub total_cost: Option<Weight>,
}

impl Weights {
    pub fn by_criterion(&self) -> [(&'static str, Option<Weight>); 5] {
        [
            ("integration_effort", self.integration_effort),
            ("maintainability", self.maintainability),
            ("lock_in", self.lock_in),
            ("time_to_value", self.time_to_value),
            ("total_cost", self.total_cost),
        ]
    }
}
