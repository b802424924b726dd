//! What a key of the manifest holds, in the manifest's words, for errors about a value of
//! the wrong shape. Read from the JSON Schema generated from the same types the parser
//! uses, so the words cannot drift from what is accepted: the parser's own wording
//! ("externally tagged enum", "sequence start", "struct Scope") is about Rust, not YAML.

use std::sync::OnceLock;

use serde_json::Value;

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(crate::schema::json_schema)
}

/// Follows `$ref`s and drops the `null` alternative of an optional value.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> (&'a Value, Option<&'a str>) {
    let mut name = None;
    for _ in 0..8 {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let def = r.rsplit('/').next().unwrap_or("");
            name = Some(def);
            match root.get("$defs").and_then(|d| d.get(def)) {
                Some(n) => node = n,
                None => break,
            }
            continue;
        }
        let alternatives = node
            .get("anyOf")
            .or_else(|| node.get("oneOf"))
            .and_then(Value::as_array);
        if let Some(alts) = alternatives {
            let real: Vec<&Value> = alts
                .iter()
                .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if real.len() == 1 && real.len() < alts.len() {
                node = real[0];
                continue;
            }
        }
        break;
    }
    (node, name)
}

/// The schema node of a manifest path such as `spec.owner.authority[0]`, or of its longest
/// prefix the schema knows (a value written as a mapping or a list where the schema has
/// none): then also the path of that prefix and the shape written under it.
fn node_at(path: &str) -> Option<Resolved> {
    let root = schema();
    let mut here = resolve(root, root);
    let mut walked = String::new();
    for segment in path.split('.') {
        let (key, mut indices) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            let Some(next) = here.0.get("properties").and_then(|p| p.get(key)) else {
                return partial(here, walked, "a mapping");
            };
            here = resolve(root, next);
            if !walked.is_empty() {
                walked.push('.');
            }
            walked.push_str(key);
        }
        while let Some(rest) = indices.strip_prefix('[') {
            let close = rest.find(']')?;
            let Some(items) = here.0.get("items") else {
                return partial(here, walked, "a list");
            };
            here = resolve(root, items);
            walked.push_str(&indices[..close + 2]);
            indices = &rest[close + 1..];
        }
    }
    Some(Resolved {
        node: here.0,
        name: here.1,
        path: walked,
        found: None,
    })
}

fn partial(
    here: (&'static Value, Option<&'static str>),
    walked: String,
    found: &'static str,
) -> Option<Resolved> {
    // The top level, or a mapping of free keys (annotations), is no help: only a value
    // that should have been a scalar or a list is described at its prefix.
    if walked.is_empty() || type_of(here.0) == Some("object") {
        return None;
    }
    Some(Resolved {
        node: here.0,
        name: here.1,
        path: walked,
        found: Some(found),
    })
}

struct Resolved {
    node: &'static Value,
    name: Option<&'static str>,
    path: String,
    /// The shape written there, when the path went deeper than the schema.
    found: Option<&'static str>,
}

fn type_of(node: &Value) -> Option<&str> {
    match node.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(a) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn describe(node: &Value, name: Option<&str>, depth: usize) -> String {
    match name {
        Some("CostFigure") => return "a cost: a number, or a range {low, likely, high}".into(),
        Some("RelativeFigure") => {
            return "a relative figure: a percentage such as \"25%\" or a fraction such as 0.25"
                .into();
        }
        Some("Team") => return "the name of one team".into(),
        Some("Date") => return "a date written YYYY-MM-DD".into(),
        Some("Score") => return "a score, a whole number from 1 to 5".into(),
        Some("Weight") => return "a weight, a number from 0 to 1000000".into(),
        Some("SystemName") => {
            return "a name of lowercase letters, digits and '-'".into();
        }
        _ => {}
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        return format!("one of {}", values.join(", "));
    }
    if let Some(c) = node.get("const").and_then(Value::as_str) {
        return format!("`{c}`");
    }
    match type_of(node) {
        Some("object") => match node.get("properties").and_then(Value::as_object) {
            Some(props) => {
                let keys: Vec<&str> = props.keys().map(String::as_str).collect();
                format!("a mapping with the keys {}", keys.join(", "))
            }
            None => "a mapping of names to text".into(),
        },
        Some("array") if depth == 0 => {
            let items = node.get("items").map(|i| resolve(schema(), i));
            match items {
                Some((item, item_name)) => {
                    let inner = describe(item, item_name, depth + 1);
                    if let Some(values) = inner.strip_prefix("one of ") {
                        format!("a list of values from {values}")
                    } else if inner.starts_with("a mapping") {
                        "a list of mappings".into()
                    } else {
                        format!("a list of {}", inner.trim_start_matches("a "))
                    }
                }
                None => "a list".into(),
            }
        }
        Some("array") => "a list".into(),
        Some("string") => "text".into(),
        Some("integer") => "a whole number".into(),
        Some("number") => "a number".into(),
        Some("boolean") => "true or false".into(),
        _ => "a value of another shape".into(),
    }
}

/// What the key at `path` (or the nearest key above it that the schema knows) holds:
/// `(path, "one of pilot, ...", found)`, where `found` is the shape written there when the
/// path went deeper than the schema (a mapping where a scalar belongs). `None` when the
/// schema does not know the path.
pub(crate) fn expected_at(path: &str) -> Option<(String, String, Option<&'static str>)> {
    let r = node_at(path)?;
    Some((r.path, describe(r.node, r.name, 0), r.found))
}

/// serde's name of a value's shape (`sequence`, `map`, `string "x"`, `integer `3``) in the
/// manifest's words: `a list`, `a mapping`, or the value quoted and clipped.
pub(crate) fn found_from_unexpected(unexpected: &str) -> String {
    match unexpected {
        "sequence" => return "a list".into(),
        "map" => return "a mapping".into(),
        "unit value" | "Option value" => return "an empty value".into(),
        _ => {}
    }
    if let Some(inner) = unexpected
        .strip_prefix("string \"")
        .map(|r| r.strip_suffix('"').unwrap_or(r))
    {
        return format!("`{}`", crate::values::quote(inner));
    }
    for prefix in ["integer `", "floating point `", "boolean `"] {
        if let Some(inner) = unexpected.strip_prefix(prefix) {
            return format!("`{}`", crate::values::quote(inner.trim_end_matches('`')));
        }
    }
    format!("`{}`", crate::values::quote(unexpected))
}

/// The shape a `found` description names: a list, a mapping, or a scalar.
pub(crate) fn shape(found: &str) -> &'static str {
    match found {
        "a list" => "list",
        "a mapping" => "mapping",
        _ => "scalar",
    }
}

/// serde's description of what was expected, where it is Rust's (`struct Budget`, `u64`,
/// `a sequence`), in the manifest's words; our own validators' wording is kept.
pub(crate) fn plain_expected(expected: &str) -> String {
    if expected.starts_with("struct ") || expected.starts_with("a map") {
        "a mapping of keys".into()
    } else if expected.starts_with("enum ") || expected.starts_with("variant identifier") {
        "one of the values the manifest lists".into()
    } else if expected.starts_with("a sequence") {
        "a list".into()
    } else if matches!(
        expected,
        "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "usize"
    ) {
        "a whole number".into()
    } else if matches!(expected, "f32" | "f64") {
        "a number".into()
    } else if expected == "a string" || expected == "a borrowed string" {
        "text".into()
    } else if expected == "a boolean" {
        "true or false".into()
    } else {
        expected.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(path: &str) -> Option<String> {
        expected_at(path).map(|(_, d, _)| d)
    }

    #[test]
    fn keys_are_described_in_the_manifests_words() {
        assert_eq!(
            expected("spec.lifecycle").unwrap(),
            "one of proof-of-concept, pilot, production, retired"
        );
        assert_eq!(expected("metadata.tags").unwrap(), "a list of text");
        assert_eq!(
            expected("spec.owner.authority").unwrap(),
            "a list of values from change-prompts, change-models, roll-back, disable"
        );
        assert_eq!(
            expected("spec.owner.authority[0]").unwrap(),
            "one of change-prompts, change-models, roll-back, disable"
        );
        assert!(
            expected("spec.budget")
                .unwrap()
                .starts_with("a mapping with the keys annual, currency")
        );
        assert_eq!(expected("spec.scope.users").unwrap(), "a whole number");
        assert_eq!(
            expected("spec.fallback.tests[2].date").unwrap(),
            "a date written YYYY-MM-DD"
        );
        assert_eq!(expected("spec.nope"), None);
        // A mapping written where a scalar belongs is described at the scalar's key.
        assert_eq!(
            expected_at("spec.lifecycle.pilot").map(|(p, _, f)| (p, f)),
            Some(("spec.lifecycle".to_string(), Some("a mapping")))
        );
        assert_eq!(found_from_unexpected("string \"abc\""), "`abc`");
        assert_eq!(found_from_unexpected("integer `3`"), "`3`");
        assert_eq!(found_from_unexpected("sequence"), "a list");
        assert_eq!(plain_expected("struct Budget"), "a mapping of keys");
    }
}
