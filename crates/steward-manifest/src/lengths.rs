//! Bounds on the length of every text value of a manifest. A manifest is written by hand:
//! a name or a reference is a few dozen characters, a plan or a description a paragraph.
//! Without a bound, one long value is copied into every report that shows it (a table pads
//! each row to its widest cell, a cost report repeats the currency on every figure), so a
//! 1 MB value became tens of megabytes of output. Checked once, at load, with the key's
//! position, so every command can trust the values it shows.

use crate::model::Manifest;
use crate::values::Teams;

/// Free text: descriptions, plans, thresholds, evidence, workflows, scope items.
pub const MAX_TEXT_CHARS: usize = 4096;
/// Names and references: a metric's, integration's, signal's or option's name, an owner,
/// an alert route, a team, a tag, an annotation key.
pub const MAX_ID_CHARS: usize = 256;
/// `spec.budget.currency` is printed beside every amount.
pub const MAX_CURRENCY_CHARS: usize = 64;

/// The first value longer than its bound: its manifest path, its bound and its length in
/// characters.
pub(crate) struct TooLong {
    pub path: String,
    pub limit: usize,
    pub chars: usize,
    pub what: &'static str,
}

struct Walk {
    found: Option<TooLong>,
}

impl Walk {
    /// `path` is only built for a value over its bound.
    fn check(
        &mut self,
        value: &str,
        limit: usize,
        what: &'static str,
        path: impl FnOnce() -> String,
    ) {
        // Bytes bound characters from above: most values are decided without counting.
        if self.found.is_some() || value.len() <= limit {
            return;
        }
        let chars = value.chars().count();
        if chars > limit {
            self.found = Some(TooLong {
                path: path(),
                limit,
                chars,
                what,
            });
        }
    }

    fn opt(
        &mut self,
        value: &Option<String>,
        limit: usize,
        what: &'static str,
        path: impl FnOnce() -> String,
    ) {
        if let Some(v) = value {
            self.check(v, limit, what, path);
        }
    }

    fn list(&mut self, values: &[String], limit: usize, what: &'static str, base: &str) {
        for (i, v) in values.iter().enumerate() {
            self.check(v, limit, what, || format!("{base}[{i}]"));
        }
    }
}

const TEXT: &str = "free text";
const ID: &str = "a name or reference";

/// The first text value of `m` over its bound, in document order.
pub(crate) fn first_too_long(m: &Manifest) -> Option<TooLong> {
    let mut w = Walk { found: None };
    w.check(&m.kind, MAX_ID_CHARS, ID, || "kind".into());
    let md = &m.metadata;
    w.opt(&md.title, MAX_ID_CHARS, ID, || "metadata.title".into());
    w.opt(&md.description, MAX_TEXT_CHARS, TEXT, || {
        "metadata.description".into()
    });
    w.list(&md.tags, MAX_ID_CHARS, ID, "metadata.tags");
    for (i, l) in md.links.iter().enumerate() {
        w.check(&l.url, MAX_TEXT_CHARS, TEXT, || {
            format!("metadata.links[{i}].url")
        });
        w.opt(&l.title, MAX_ID_CHARS, ID, || {
            format!("metadata.links[{i}].title")
        });
    }
    for (k, v) in &md.annotations {
        // A long key is located at `annotations` (the key itself cannot be a short path).
        w.check(k, MAX_ID_CHARS, ID, || "metadata.annotations".into());
        w.check(v, MAX_TEXT_CHARS, TEXT, || {
            format!("metadata.annotations.{k}")
        });
    }
    let spec = &m.spec;
    if let Some(s) = &spec.scope {
        match &s.team {
            Some(Teams::One(t)) => w.check(t, MAX_ID_CHARS, ID, || "spec.scope.team".into()),
            Some(Teams::Many(v)) => w.list(v, MAX_ID_CHARS, ID, "spec.scope.team"),
            None => {}
        }
        w.opt(&s.workflow, MAX_TEXT_CHARS, TEXT, || {
            "spec.scope.workflow".into()
        });
        w.list(&s.in_scope, MAX_TEXT_CHARS, TEXT, "spec.scope.in_scope");
        w.list(
            &s.out_of_scope,
            MAX_TEXT_CHARS,
            TEXT,
            "spec.scope.out_of_scope",
        );
    }
    if let Some(o) = &spec.owner {
        w.opt(&o.reference, MAX_ID_CHARS, ID, || "spec.owner.ref".into());
        w.opt(&o.accountable_person, MAX_ID_CHARS, ID, || {
            "spec.owner.accountable_person".into()
        });
    }
    for (i, sm) in spec.success_metrics.iter().enumerate() {
        let p = |k: &str| format!("spec.success_metrics[{i}].{k}");
        w.opt(&sm.name, MAX_ID_CHARS, ID, || p("name"));
        w.opt(&sm.description, MAX_TEXT_CHARS, TEXT, || p("description"));
        w.opt(&sm.unit, MAX_ID_CHARS, ID, || p("unit"));
        if let Some(crate::values::RelativeFigure::Text(t)) = &sm.target_change {
            w.check(t, MAX_TEXT_CHARS, TEXT, || p("target_change"));
        }
        w.opt(&sm.source, MAX_TEXT_CHARS, TEXT, || p("source"));
    }
    if let Some(b) = &spec.budget {
        w.opt(&b.currency, MAX_CURRENCY_CHARS, "a currency", || {
            "spec.budget.currency".into()
        });
    }
    for (i, it) in spec.integrations.iter().enumerate() {
        let p = |k: &str| format!("spec.integrations[{i}].{k}");
        w.opt(&it.name, MAX_ID_CHARS, ID, || p("name"));
        w.opt(&it.system, MAX_ID_CHARS, ID, || p("system"));
        w.opt(&it.pilot_avoided, MAX_TEXT_CHARS, TEXT, || {
            p("pilot_avoided")
        });
        w.opt(&it.owner, MAX_ID_CHARS, ID, || p("owner"));
    }
    if let Some(mo) = &spec.monitoring {
        for (i, s) in mo.signals.iter().enumerate() {
            let p = |k: &str| format!("spec.monitoring.signals[{i}].{k}");
            w.opt(&s.name, MAX_ID_CHARS, ID, || p("name"));
            w.opt(&s.description, MAX_TEXT_CHARS, TEXT, || p("description"));
            w.opt(&s.threshold, MAX_TEXT_CHARS, TEXT, || p("threshold"));
            w.opt(&s.alert, MAX_ID_CHARS, ID, || p("alert"));
        }
    }
    if let Some(f) = &spec.fallback {
        w.opt(&f.plan, MAX_TEXT_CHARS, TEXT, || {
            "spec.fallback.plan".into()
        });
        w.opt(&f.owner, MAX_ID_CHARS, ID, || "spec.fallback.owner".into());
        for (i, t) in f.tests.iter().enumerate() {
            w.opt(&t.evidence, MAX_TEXT_CHARS, TEXT, || {
                format!("spec.fallback.tests[{i}].evidence")
            });
        }
    }
    if let Some(it) = &spec.iteration {
        w.list(
            &it.feedback_channels,
            MAX_ID_CHARS,
            ID,
            "spec.iteration.feedback_channels",
        );
    }
    if let Some(s) = &spec.sourcing {
        for (i, o) in s.options.iter().enumerate() {
            w.opt(&o.name, MAX_ID_CHARS, ID, || {
                format!("spec.sourcing.options[{i}].name")
            });
        }
    }
    w.found
}
