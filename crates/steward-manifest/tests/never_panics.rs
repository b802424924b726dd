//! No byte string makes the manifest parser panic: random bytes, random YAML-ish text,
//! random damage (truncation, byte flips, inserted YAML punctuation) to every example
//! manifest, and structures at the limits (deep nesting, many items, aliases). Every outcome
//! is a parsed system or a located error, within a time bound, and folder discovery agrees
//! with the loader on what is a manifest.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use steward_manifest::parse_manifests;
use steward_manifest::source_map::scan_kinds;

const REAL: &str = include_str!("../../../examples/payments-code-review.yaml");

/// Parses, checks the outcome's shape, and says whether the bytes were accepted.
fn parse_never_panics(bytes: &[u8]) -> bool {
    match parse_manifests("fuzz.yaml", bytes) {
        Ok(systems) => {
            assert!(!systems.is_empty());
            true
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            assert_eq!(&*e.file, "fuzz.yaml");
            if let Some(p) = e.position {
                assert!(p.line >= 1 && p.column >= 1, "{e:?}");
            }
            // What a renderer underlines lies inside the text, on character boundaries.
            if let (Some(text), Some((start, len))) = (e.text.as_deref(), e.span()) {
                assert!(start + len <= text.len(), "{e:?}");
                assert!(text.is_char_boundary(start) && text.is_char_boundary(start + len));
            }
            false
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
        parse_checked(&bytes);
    }

    #[test]
    fn random_yaml_fragments(text in yamlish()) {
        parse_checked(text.as_bytes());
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
        parse_checked(&bytes);
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

/// The example manifests, damaged: every one of them, not only the first.
const EXAMPLES: [&str; 4] = [
    include_str!("../../../examples/payments-code-review.yaml"),
    include_str!("../../../examples/invoice-extraction.yaml"),
    include_str!("../../../examples/support-ticket-triage.yaml"),
    include_str!("../../../examples/ai-for-engineering.yaml"),
];

/// One parse, held to a time bound, and to agreement with folder discovery: a file the
/// loader accepts is one a folder search finds (aliases aside: discovery reads `kind` as
/// written).
fn parse_checked(bytes: &[u8]) {
    let start = Instant::now();
    let accepted = parse_never_panics(bytes);
    let text = String::from_utf8_lossy(bytes);
    let scan = scan_kinds(&text);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?} for {} bytes",
        start.elapsed(),
        bytes.len()
    );
    if accepted && !text.contains('*') {
        assert!(scan.aisystem, "accepted but not discovered:\n{text}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, .. ProptestConfig::default() })]

    #[test]
    fn mutated_examples(
        which in 0usize..EXAMPLES.len(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        inserts in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(vec![
                "", ":", "- ", "\t", "{", "}", "[", "]", "&x ", "*x", "\n  ", "\n", "'", "\"",
                "\u{0}", "\u{1b}", "---\n", "...\n", "!!binary ", "!!str ", "? ", "<<: *x\n",
                "1e400", "-1", "0", "~", "|\n", "#", "%", "\u{feff}", "\r",
            ])),
            0..4,
        ),
        cut in any::<prop::sample::Index>(),
        keep_whole in any::<bool>(),
    ) {
        let mut bytes = EXAMPLES[which].as_bytes().to_vec();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        for (at, text) in inserts {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, text.bytes());
        }
        if !keep_whole {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        parse_checked(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, .. ProptestConfig::default() })]

    #[test]
    fn structures_at_the_limits(
        depth in 0usize..80,
        items in 0usize..3000,
        flow in any::<bool>(),
        alias in any::<bool>(),
    ) {
        let mut s = String::from("apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: a\n  title: &t x\nspec:\n  lifecycle: pilot\n  scope:\n    in_scope: ");
        let item = if alias { "*t" } else { "x" };
        if flow {
            s.push_str(&"[".repeat(depth));
            s.push('[');
            s.push_str(&vec![item; items].join(", "));
            s.push(']');
            s.push_str(&"]".repeat(depth));
            s.push('\n');
        } else {
            s.push('\n');
            let mut indent = 4;
            for _ in 0..depth {
                s.push_str(&" ".repeat(indent));
                s.push_str("-\n");
                indent += 2;
            }
            for _ in 0..items {
                s.push_str(&" ".repeat(indent));
                s.push_str("- ");
                s.push_str(item);
                s.push('\n');
            }
        }
        parse_checked(s.as_bytes());
    }
}

#[test]
fn many_items_deep_keys_and_alias_fans_are_quick() {
    let cases = [
        // More nodes than the cap, as a flat list.
        format!("kind: AISystem\nx: [{}]\n", "1,".repeat(300_000)),
        // Keys nested far past the cap, block and flow.
        (0..250)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect(),
        format!(
            "kind: AISystem\nx: {}1{}\n",
            "{a: ".repeat(250),
            "}".repeat(250)
        ),
        // An alias fan-out over a list the model accepts.
        format!(
            "apiVersion: steward/v1\nkind: AISystem\nmetadata: {{name: a, tags: &t [{}]}}\nspec:\n  lifecycle: pilot\n  scope: {{in_scope: *t, out_of_scope: *t}}\n",
            "x, ".repeat(20_000)
        ),
        // Documents by the hundred thousand.
        "---\n".repeat(200_000),
        format!("{}kind: AISystem\n", "--- a\n".repeat(150_000)),
    ];
    for text in cases {
        parse_checked(text.as_bytes());
    }
}
