//! SARIF 2.1.0 for code-scanning annotations: failed findings are errors and warnings are
//! warnings, each on the manifest line it is about. Passed and skipped findings are left
//! out, since code scanning shows every result as an alert.

use serde::Serialize;
use serde_json::{Value, json};

use crate::GateReport;
use crate::finding::{RULES, RuleId, Status};

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

/// The log is written piece by piece: each result is serialized straight into the output,
/// one compact line per result, never built as a tree of JSON values first (a value tree
/// of 65,000 results took gigabytes). Memory is the output itself.
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
    let driver = json!({
        "name": "steward",
        "version": tool_version,
        "informationUri": "https://github.com/steward-ai/steward",
        "rules": rules
    });
    let mut out = String::new();
    out.push_str("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n");
    out.push_str(
        "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\n        \"driver\": ",
    );
    out.push_str(&json_string(&driver));
    out.push_str("\n      },\n      \"results\": [");
    let mut first = true;
    for sys in &report.systems {
        // The same for every finding of the system: encoded once.
        let uri = uri(&sys.file);
        for f in &sys.findings {
            // A waived finding stays in the log at its own level, suppressed with the
            // waiver's reason, as code scanning expects an accepted alert.
            let status = f.waiver.as_ref().map_or(f.status, |w| w.status);
            let level = match status {
                Status::Failed => "error",
                Status::Warning => "warning",
                Status::Passed | Status::Skipped | Status::Waived => continue,
            };
            let suppressions = f.waiver.as_ref().map(|w| {
                [Suppression {
                    kind: "inSource",
                    status: "accepted",
                    justification: format!(
                        "{} (approved by {}, until {})",
                        steward_io::escape_line(&w.reason),
                        steward_io::escape_line(&w.approved_by),
                        w.until
                    ),
                }]
            });
            let rule_index = f.id as usize;
            let result = SarifResult {
                rule_id: f.id,
                rule_index,
                level,
                message: Text {
                    text: format!("{}: {}", sys.name, steward_io::escape_line(&f.message)),
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri: &uri },
                        region: Region {
                            start_line: f.line,
                            start_column: f.column,
                        },
                    },
                    logical_locations: [LogicalLocation {
                        fully_qualified_name: format!("{}/{}", sys.name, f.path),
                    }],
                }],
                partial_fingerprints: Fingerprints {
                    finding: format!("{}/{}/{}", sys.name, f.id, f.path),
                },
                suppressions,
            };
            out.push_str(if first { "\n        " } else { ",\n        " });
            first = false;
            out.push_str(&json_string(&result));
        }
    }
    out.push_str(if first { "]" } else { "\n      ]" });
    out.push_str("\n    }\n  ]\n}\n");
    out
}

fn json_string<T: Serialize>(v: &T) -> String {
    // The parts are the SARIF structs below and `json!` values: strings, numbers and lists
    // under string keys, which serde_json cannot fail to write.
    serde_json::to_string(v).expect("SARIF parts are strings, numbers and lists under string keys")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: RuleId,
    rule_index: usize,
    level: &'a str,
    message: Text,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

/// SARIF's record of an accepted result: written in the manifest (`inSource`), accepted.
#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
    logical_locations: [LogicalLocation; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "stewardFinding/v1")]
    finding: String,
}
