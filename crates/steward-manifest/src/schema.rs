//! The manifest's JSON Schema, generated from the same types the parser uses, so the two
//! cannot disagree. Editors (the YAML language server) use it for completion and hover.

use crate::model::Manifest;

/// The JSON Schema (draft 2020-12) of one AISystem document.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(Manifest);
    schema.insert(
        "$id".into(),
        "https://steward.dev/schema/aisystem-v1.json".into(),
    );
    schema.to_value()
}
