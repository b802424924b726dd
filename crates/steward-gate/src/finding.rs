//! Findings and the rule catalogue. Rule ids, titles and statuses are a contract with CI
//! pipelines (docs/rules.md): they never change meaning.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Warning,
    Skipped,
    /// Failed or warned, and accepted by a waiver that has not expired: it does not block
    /// the verdict (the finding's `waiver` says who accepted it, why and until when).
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Warning => "warning",
            Status::Skipped => "skipped",
            Status::Waived => "waived",
        }
    }
}

/// A rule's id, written as in docs/rules.md (`Q1`, `P4`, `C2`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RuleId {
    Q1,
    Q2,
    Q3,
    Q4,
    Q5,
    P1,
    P2,
    P3,
    P4,
    P5,
    C1,
    C2,
    C3,
}

impl RuleId {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::Q1 => "Q1",
            RuleId::Q2 => "Q2",
            RuleId::Q3 => "Q3",
            RuleId::Q4 => "Q4",
            RuleId::Q5 => "Q5",
            RuleId::P1 => "P1",
            RuleId::P2 => "P2",
            RuleId::P3 => "P3",
            RuleId::P4 => "P4",
            RuleId::P5 => "P5",
            RuleId::C1 => "C1",
            RuleId::C2 => "C2",
            RuleId::C3 => "C3",
        }
    }

    /// The id written `Q1`, ...; `None` for any other text.
    pub fn parse(text: &str) -> Option<RuleId> {
        RULES.iter().map(|r| r.id).find(|id| id.as_str() == text)
    }

    /// The rule's entry in the catalogue.
    pub fn rule(self) -> &'static Rule {
        // The catalogue lists every id once, in declaration order.
        &RULES[self as usize]
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets a caller holding the id as text (a CI filter, a test) compare without parsing.
impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One result of one rule, pointing at the manifest line it is about.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: RuleId,
    pub status: Status,
    /// The manifest path the finding is about, e.g. `spec.owner.accountable_until`.
    pub path: String,
    /// Where the key stands, or its nearest written parent when it is missing.
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The rule whose finding names the same gap (the same manifest path, failed or
    /// warned) earlier in the report: a missing integration line fails Q1 and P2 and warns
    /// C1, and is one thing to fix. Every rule still reports it; summaries count it once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_gap_as: Option<RuleId>,
    /// For a waived finding: the waiver, and the status it would have without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

/// The waiver that accepted a finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaiverNote {
    /// `failed` or `warning`: what the finding is without the waiver.
    pub status: Status,
    pub reason: String,
    pub approved_by: String,
    pub until: chrono::NaiveDate,
}

/// Which part of the essay a rule comes from; the text report groups by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Questions,
    Patterns,
    Cost,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Questions => "The five questions before scaling",
            Group::Patterns => "What successful implementations share",
            Group::Cost => "Cost realism",
        }
    }
}

pub struct Rule {
    pub id: RuleId,
    pub title: &'static str,
    pub group: Group,
    /// The sentence of experience the rule enforces (why it exists).
    pub quote: &'static str,
}

pub const RULES: [Rule; 13] = [
    Rule {
        id: RuleId::Q1,
        title: "integration work",
        group: Group::Questions,
        quote: "What specific integration work does production require that the pilot avoided?",
    },
    Rule {
        id: RuleId::Q2,
        title: "ownership at month 18",
        group: Group::Questions,
        quote: "Who will own this system's performance in 18 months, and do they have the skills and authority to make changes?",
    },
    Rule {
        id: RuleId::Q3,
        title: "maintenance budget",
        group: Group::Questions,
        quote: "What is the annual maintenance budget, separate from enhancement budget?",
    },
    Rule {
        id: RuleId::Q4,
        title: "degradation before users complain",
        group: Group::Questions,
        quote: "How will we know if the system is degrading before users complain?",
    },
    Rule {
        id: RuleId::Q5,
        title: "tested fallback",
        group: Group::Questions,
        quote: "What is our fallback if this fails in production, and have we tested that fallback?",
    },
    Rule {
        id: RuleId::P1,
        title: "narrow scope",
        group: Group::Patterns,
        quote: "They scope narrowly first.",
    },
    Rule {
        id: RuleId::P2,
        title: "integration budgeted separately",
        group: Group::Patterns,
        quote: "Data preparation, system integration, testing infrastructure, and change management are separate, protected budget lines.",
    },
    Rule {
        id: RuleId::P3,
        title: "ownership before launch",
        group: Group::Patterns,
        quote: "This ownership is established before launch.",
    },
    Rule {
        id: RuleId::P4,
        title: "success metrics before building",
        group: Group::Patterns,
        quote: "They define success metrics before building.",
    },
    Rule {
        id: RuleId::P5,
        title: "iteration planned",
        group: Group::Patterns,
        quote: "They plan for iteration, not deployment.",
    },
    Rule {
        id: RuleId::C1,
        title: "integration cost",
        group: Group::Cost,
        quote: "Connecting AI capabilities to actual data sources typically costs 3-5x what the POC cost.",
    },
    Rule {
        id: RuleId::C2,
        title: "maintenance share",
        group: Group::Cost,
        quote: "15-25% of initial implementation cost annually just for maintenance and tuning.",
    },
    Rule {
        id: RuleId::C3,
        title: "change management",
        group: Group::Cost,
        quote: "Most organizations budget for software but not for the months of change management.",
    },
];

/// The catalogue entry of the rule written `id` (`Q1`, ...).
pub fn rule(id: &str) -> Option<&'static Rule> {
    RuleId::parse(id).map(RuleId::rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_finds_its_own_rule() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id as usize, i);
            assert_eq!(r.id.rule().id, r.id);
            assert_eq!(RuleId::parse(r.id.as_str()), Some(r.id));
            assert_eq!(
                serde_json::to_string(&r.id).unwrap(),
                format!("\"{}\"", r.id)
            );
        }
        assert_eq!(RuleId::parse("Q6"), None);
    }
}
