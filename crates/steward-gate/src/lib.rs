//! The readiness gate (docs/rules.md): may this AI system move to its next
//! lifecycle stage? Pure functions from a parsed manifest, a date and a target stage to
//! findings; the renderers in [`report`] turn findings into text, JSON, Markdown, JUnit and
//! SARIF. Nothing here reads files or the clock.

pub mod explain;
mod finding;
pub mod portfolio;
pub mod report;
mod rules;

use serde::{Deserialize, Serialize};
use steward_manifest::{Date, Lifecycle, System};

pub use finding::{Finding, Group, RULES, Rule, RuleId, Status, WaiverNote, rule};

/// What the gate is asked: the date to judge on and the stage to judge for.
#[derive(Clone, Debug)]
pub struct GateOptions {
    pub today: Date,
    /// `None`: the stage after the system's lifecycle (production stays production).
    pub target: Option<Lifecycle>,
    /// Ignore every waiver (`check --strict`): judge as if none were written.
    pub strict: bool,
    /// Evidence recorded outside the manifest (by the server): owner confirmations, drills,
    /// when each monitored stream last received data. `None` judges the manifest alone.
    pub live: Option<LiveEvidence>,
}

/// Facts the gate cannot read from a manifest, passed in by whoever holds them (the server
/// reads them from its database), so the gate stays pure.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveEvidence {
    /// The latest owner re-confirmation recorded; Q2 takes it when it is later than the
    /// manifest's `confirmed_on`.
    pub owner_confirmation: Option<Date>,
    /// Fallback drills recorded; Q5 weighs them with `spec.fallback.tests`.
    pub fallback_drills: Vec<RecordedDrill>,
    /// The monitored streams with the day each last received data (`None`: never); Q4
    /// fails for a stream silent for more than twice the review cadence.
    pub streams: Vec<StreamActivity>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecordedDrill {
    pub date: Date,
    pub passed: bool,
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StreamActivity {
    pub stream: String,
    pub last_batch: Option<Date>,
}

/// The streams a manifest says are monitored: those named by a signal's or an
/// integration's `stream`, each once, in manifest order.
pub fn monitored_streams(m: &steward_manifest::Manifest) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let signals = m.spec.monitoring.iter().flat_map(|mo| mo.signals.iter());
    let named = signals
        .filter_map(|s| s.stream.as_ref())
        .chain(m.spec.integrations.iter().filter_map(|i| i.stream.as_ref()));
    for s in named {
        if !out.iter().any(|o| o == s.as_str()) {
            out.push(s.as_str().to_string());
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ready,
    NotReady,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::NotReady => "not_ready",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub warning: usize,
    pub skipped: usize,
    /// Findings (or rules) accepted by a waiver; left out of the JSON when there are none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub waived: usize,
}

/// The gate's answer for one system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemReport {
    pub name: String,
    pub file: String,
    pub lifecycle: Lifecycle,
    pub target: Lifecycle,
    pub verdict: Verdict,
    /// Findings by status (a rule may have several findings, or one per item).
    pub summary: Summary,
    /// Rules by status, each counted once: failed if any of its findings failed, else
    /// warning if any warned, else passed if any passed, else skipped. These add up to the
    /// number of rules, and JUnit's test cases count the same way.
    #[serde(default)]
    pub rules: Summary,
    /// Distinct things to fix: failed or warned findings, those naming the same gap
    /// (`same_gap_as`) counted once.
    #[serde(default)]
    pub gaps: usize,
    pub findings: Vec<Finding>,
}

impl SystemReport {
    /// The status of rule `id` for this system: its findings' worst (see
    /// [`SystemReport::rules`]); `None` when it has no finding.
    pub fn rule_status(&self, id: RuleId) -> Option<Status> {
        rule_status(&self.findings, id)
    }

    /// Rule ids with at least one failed finding, in rule order, each once.
    pub fn failed_rules(&self) -> Vec<RuleId> {
        let mut ids: Vec<RuleId> = Vec::new();
        for f in &self.findings {
            if f.status == Status::Failed && !ids.contains(&f.id) {
                ids.push(f.id);
            }
        }
        ids
    }
}

/// The gate's answer for several systems, as `steward check --format json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GateReport {
    pub date: chrono::NaiveDate,
    pub systems: Vec<SystemReport>,
}

impl GateReport {
    pub fn all_ready(&self) -> bool {
        self.ready_count() == self.systems.len()
    }

    pub fn ready_count(&self) -> usize {
        self.systems
            .iter()
            .filter(|s| s.verdict == Verdict::Ready)
            .count()
    }
}

/// Runs every rule on one system. `file` is how the report names the manifest.
pub fn evaluate(system: &System, file: &str, options: &GateOptions) -> SystemReport {
    let lifecycle = system.manifest.spec.lifecycle;
    let target = options.target.unwrap_or_else(|| lifecycle.next());
    let mut findings = rules::run(system, options.today, target, options.live.as_ref());
    if !options.strict {
        apply_waivers(&mut findings, &system.manifest.spec.waivers, options.today);
    }
    let gaps = mark_same_gaps(&mut findings);
    let summary = Summary::of(findings.iter().map(|f| f.status));
    let rules = Summary::of(
        finding::RULES
            .iter()
            .filter_map(|r| rule_status(&findings, r.id)),
    );
    SystemReport {
        name: system.manifest.metadata.name.to_string(),
        file: file.to_string(),
        lifecycle,
        target,
        verdict: if summary.failed == 0 {
            Verdict::Ready
        } else {
            Verdict::NotReady
        },
        summary,
        rules,
        gaps,
        findings,
    }
}

/// Waives the failed and warned findings a waiver names (its rule, and its path or any
/// path under it), while it holds; after its `until`, the finding stays as it is and says
/// that its waiver expired.
fn apply_waivers(findings: &mut [Finding], waivers: &[steward_manifest::Waiver], today: Date) {
    for f in findings.iter_mut() {
        if !matches!(f.status, Status::Failed | Status::Warning) {
            continue;
        }
        let covers = |w: &&steward_manifest::Waiver| {
            w.rule.as_str() == f.id.as_str()
                && w.path.as_deref().is_none_or(|p| {
                    f.path == p
                        || f.path
                            .strip_prefix(p)
                            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
                })
        };
        // The waiver that holds longest, if any holds; else the one that expired last.
        let Some(w) = waivers.iter().filter(covers).max_by_key(|w| w.until) else {
            continue;
        };
        if today <= w.until {
            f.waiver = Some(WaiverNote {
                status: f.status,
                reason: w.reason.clone(),
                approved_by: w.approved_by.clone(),
                until: w.until.0,
            });
            f.status = Status::Waived;
        } else {
            f.message.push_str(&format!(
                " (Its waiver expired on {}: \"{}\", approved by {}.)",
                w.until,
                rules::shown(&w.reason),
                rules::shown(&w.approved_by)
            ));
        }
    }
}

/// Marks each failed or warned finding whose path an earlier one (in report order) already
/// named, with that finding's rule; returns how many distinct paths remain.
fn mark_same_gaps(findings: &mut [Finding]) -> usize {
    let mut first: Vec<(String, RuleId)> = Vec::new();
    for f in findings.iter_mut() {
        if !matches!(f.status, Status::Failed | Status::Warning) {
            continue;
        }
        match first.iter().find(|(path, _)| *path == f.path) {
            Some((_, id)) if *id != f.id => f.same_gap_as = Some(*id),
            Some(_) => {}
            None => first.push((f.path.clone(), f.id)),
        }
    }
    first.len()
}

fn rule_status(findings: &[Finding], id: RuleId) -> Option<Status> {
    let mut statuses = findings.iter().filter(|f| f.id == id).map(|f| f.status);
    let first = statuses.next()?;
    let rank = |s: Status| match s {
        Status::Failed => 4,
        Status::Warning => 3,
        Status::Waived => 2,
        Status::Passed => 1,
        Status::Skipped => 0,
    };
    Some(statuses.fold(first, |a, b| if rank(b) > rank(a) { b } else { a }))
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    /// Counts of each status.
    pub fn of(statuses: impl Iterator<Item = Status>) -> Summary {
        let mut s = Summary::default();
        for status in statuses {
            match status {
                Status::Passed => s.passed += 1,
                Status::Failed => s.failed += 1,
                Status::Warning => s.warning += 1,
                Status::Skipped => s.skipped += 1,
                Status::Waived => s.waived += 1,
            }
        }
        s
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.warning + self.skipped + self.waived
    }
}
