//! SARIF 2.1.0 for code-scanning annotations: failed findings are errors and warnings are
//! warnings, each on the manifest line it is about. Passed and skipped findings are left
//! out, since code scanning shows every result as an alert.

use serde_json::{Value, json};

use crate::GateReport;
use crate::finding::{RULES, Status};

/// A file path as a relative URI reference: separators as '/', and every byte outside the
/// unreserved set percent-encoded (a space, a '#', a control character, non-ASCII), so the
/// location is a valid URI whatever the file is called.
fn uri(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    for b in file.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn sarif(report: &GateReport, tool_version: &str) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.title.replace(' ', "-"),
                "shortDescription": {"text": format!("{} {}", r.id, r.title)},
                "fullDescription": {"text": r.quote},
                "help": {"text": format!("{}: \"{}\" See docs/rules.md.", r.group.title(), r.quote)},
                "defaultConfiguration": {"level": "error"}
            })
        })
        .collect();
    let mut results = Vec::new();
    for sys in &report.systems {
        for f in &sys.findings {
            let level = match f.status {
                Status::Failed => "error",
                Status::Warning => "warning",
                Status::Passed | Status::Skipped => continue,
            };
            let rule_index = RULES.iter().position(|r| r.id == f.id).unwrap_or(0);
            results.push(json!({
                "ruleId": f.id,
                "ruleIndex": rule_index,
                "level": level,
                "message": {"text": format!("{}: {}", sys.name, steward_io::escape_line(&f.message))},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&sys.file)},
                        "region": {"startLine": f.line, "startColumn": f.column}
                    },
                    "logicalLocations": [{"fullyQualifiedName": format!("{}/{}", sys.name, f.path)}]
                }],
                "partialFingerprints": {"stewardFinding/v1": format!("{}/{}/{}", sys.name, f.id, f.path)}
            }));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "steward",
                "version": tool_version,
                "informationUri": "https://github.com/steward-ai/steward",
                "rules": rules
            }},
            "results": results
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("SARIF always serializes");
    s.push('\n');
    s
}
