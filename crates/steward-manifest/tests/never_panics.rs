//! No byte string makes the manifest parser panic: random bytes, random YAML-ish text,
//! and random damage (truncation, byte flips, inserted YAML punctuation) to a real
//! manifest. Every outcome is a parsed system or a located error.

use proptest::prelude::*;
use steward_manifest::parse_manifests;

const REAL: &str = include_str!("../../../examples/payments-code-review.yaml");

fn parse_never_panics(bytes: &[u8]) {
    match parse_manifests("fuzz.yaml", bytes) {
        Ok(systems) => assert!(!systems.is_empty()),
        Err(e) => {
            assert!(!e.message.is_empty());
            assert_eq!(e.file, "fuzz.yaml");
            if let Some(p) = e.position {
                assert!(p.line >= 1 && p.column >= 1, "{e:?}");
            }
            // Rendering the diagnostic must not panic either (spans stay inside the text).
            let mut out = String::new();
            let _ = miette::GraphicalReportHandler::new().render_report(&mut out, &e);
        }
    }
}

fn yamlish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "apiVersion: steward/v1\n",
        "kind: AISystem\n",
        "metadata:\n",
        "  name: a\n",
        "spec:\n",
        "  lifecycle: pilot\n",
        ":",
        "-",
        " ",
        "  ",
        "\t",
        "\n",
        "{",
        "}",
        "[",
        "]",
        ",",
        "&a ",
        "*a",
        "? ",
        "!!str ",
        "'",
        "\"",
        "#",
        "---\n",
        "...\n",
        "|\n",
        ">\n",
        "<<: *a\n",
        "1e999",
        "2026-02-30",
        "{low: 3, likely: 2, high: 1}",
        "é",
        "\u{feff}",
        "%YAML 1.2\n",
    ]);
    prop::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        parse_never_panics(&bytes);
    }

    #[test]
    fn random_yaml_fragments(text in yamlish()) {
        parse_never_panics(text.as_bytes());
    }

    #[test]
    fn damaged_real_manifest(
        cut in 0usize..REAL.len(),
        flips in prop::collection::vec((0usize..REAL.len(), any::<u8>()), 0..8),
        insert_at in 0usize..REAL.len(),
        insert in prop::sample::select(vec!["", ":", "- ", "\t", "{", "]", "&x ", "*x", "\n  ", "'", "\u{0}"]),
    ) {
        let mut bytes = REAL.as_bytes().to_vec();
        for (i, b) in flips {
            bytes[i] = b;
        }
        let at = insert_at.min(bytes.len());
        bytes.splice(at..at, insert.bytes());
        bytes.truncate(cut.max(1).min(bytes.len()));
        parse_never_panics(&bytes);
    }
}

#[test]
fn deep_nesting_and_alias_bombs_are_refused_not_crashed() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    parse_never_panics(deep.as_bytes());
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        bomb.push_str(&format!(
            "b{i}: &b{i} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
            p = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            }
        ));
    }
    bomb.push_str("kind: AISystem\n");
    parse_never_panics(bomb.as_bytes());
}
