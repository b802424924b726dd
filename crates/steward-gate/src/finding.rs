//! Findings and the rule catalogue. Rule ids, titles and statuses are a contract with CI
//! pipelines (docs/rules.md): they never change meaning.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Warning,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Warning => "warning",
            Status::Skipped => "skipped",
        }
    }
}

/// One result of one rule, pointing at the manifest line it is about.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub status: Status,
    /// The manifest path the finding is about, e.g. `spec.owner.accountable_until`.
    pub path: String,
    /// Where the key stands, or its nearest written parent when it is missing.
    pub line: usize,
    pub column: usize,
    pub message: String,
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
    pub id: &'static str,
    pub title: &'static str,
    pub group: Group,
    /// The sentence of experience the rule enforces (why it exists).
    pub quote: &'static str,
}

pub const RULES: [Rule; 13] = [
    Rule {
        id: "Q1",
        title: "integration work",
        group: Group::Questions,
        quote: "What specific integration work does production require that the pilot avoided?",
    },
    Rule {
        id: "Q2",
        title: "ownership at month 18",
        group: Group::Questions,
        quote: "Who will own this system's performance in 18 months, and do they have the skills and authority to make changes?",
    },
    Rule {
        id: "Q3",
        title: "maintenance budget",
        group: Group::Questions,
        quote: "What is the annual maintenance budget, separate from enhancement budget?",
    },
    Rule {
        id: "Q4",
        title: "degradation before users complain",
        group: Group::Questions,
        quote: "How will we know if the system is degrading before users complain?",
    },
    Rule {
        id: "Q5",
        title: "tested fallback",
        group: Group::Questions,
        quote: "What is our fallback if this fails in production, and have we tested that fallback?",
    },
    Rule {
        id: "P1",
        title: "narrow scope",
        group: Group::Patterns,
        quote: "They scope narrowly first.",
    },
    Rule {
        id: "P2",
        title: "integration budgeted separately",
        group: Group::Patterns,
        quote: "Data preparation, system integration, testing infrastructure, and change management are separate, protected budget lines.",
    },
    Rule {
        id: "P3",
        title: "ownership before launch",
        group: Group::Patterns,
        quote: "This ownership is established before launch.",
    },
    Rule {
        id: "P4",
        title: "success metrics before building",
        group: Group::Patterns,
        quote: "They define success metrics before building.",
    },
    Rule {
        id: "P5",
        title: "iteration planned",
        group: Group::Patterns,
        quote: "They plan for iteration, not deployment.",
    },
    Rule {
        id: "C1",
        title: "integration cost",
        group: Group::Cost,
        quote: "Connecting AI capabilities to actual data sources typically costs 3-5x what the POC cost.",
    },
    Rule {
        id: "C2",
        title: "maintenance share",
        group: Group::Cost,
        quote: "15-25% of initial implementation cost annually just for maintenance and tuning.",
    },
    Rule {
        id: "C3",
        title: "change management",
        group: Group::Cost,
        quote: "Most organizations budget for software but not for the months of change management.",
    },
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
