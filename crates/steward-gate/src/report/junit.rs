//! JUnit XML: one test suite per system, one test case per rule, so CI dashboards show
//! which rule holds a system back. Warnings pass, with their text in `system-out`.

use std::fmt::Write;

use super::{xml_escape, xml_text};
use crate::GateReport;
use crate::finding::{RULES, Status};

pub fn junit(report: &GateReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // Counted as the reports' summaries count rules, so the two always agree.
    let total_failures: usize = report.systems.iter().map(|s| s.rules.failed).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"steward check\" tests=\"{}\" failures=\"{total_failures}\">",
        report.systems.len() * RULES.len()
    );
    for sys in &report.systems {
        let per_rule: Vec<(_, Vec<_>)> = RULES
            .iter()
            .map(|r| (r, sys.findings.iter().filter(|f| f.id == r.id).collect()))
            .collect();
        // A waived rule is a skipped test case, with the waiver as its reason.
        let (failures, skipped) = (sys.rules.failed, sys.rules.skipped + sys.rules.waived);
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" timestamp=\"{}\">",
            xml_escape(&sys.name),
            RULES.len(),
            report.date
        );
        for (rule, fs) in per_rule {
            let _ = write!(
                out,
                "    <testcase classname=\"steward.{}\" name=\"{} {}\" file=\"{}\"",
                xml_escape(&sys.name),
                rule.id,
                xml_escape(rule.title),
                xml_escape(&sys.file)
            );
            let failed: Vec<_> = fs.iter().filter(|f| f.status == Status::Failed).collect();
            let status = sys.rule_status(rule.id);
            let notes: Vec<String> = fs
                .iter()
                .filter(|f| f.status != Status::Failed)
                .map(|f| {
                    format!(
                        "{}: {} ({}:{}:{} {})",
                        f.status.as_str(),
                        f.message,
                        sys.file,
                        f.line,
                        f.column,
                        f.path
                    )
                })
                .collect();
            out.push_str(">\n");
            if !failed.is_empty() {
                let first = failed[0];
                let body: Vec<String> = failed
                    .iter()
                    .map(|f| {
                        format!(
                            "{}:{}:{} {}: {}",
                            sys.file, f.line, f.column, f.path, f.message
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    xml_escape(&first.message),
                    rule.id,
                    xml_text(&body.join("\n"))
                );
            } else if status == Some(Status::Skipped) {
                let _ = writeln!(
                    out,
                    "      <skipped message=\"{}\"/>",
                    xml_escape(&fs[0].message)
                );
            } else if status == Some(Status::Waived)
                && let Some(w) = fs.iter().find_map(|f| f.waiver.as_ref())
            {
                let _ = writeln!(
                    out,
                    "      <skipped message=\"{}\"/>",
                    xml_escape(&format!(
                        "waived until {} by {}: {}",
                        w.until, w.approved_by, w.reason
                    ))
                );
            }
            if !notes.is_empty() {
                let _ = writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    xml_text(&notes.join("\n"))
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
