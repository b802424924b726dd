//! `target_change` written so that its reading cannot be told (a bare `30`, which is 3000%)
//! or cannot be met (a decrease of more than 100%) is a located error that gives both
//! readings; percentages and fractions in range read as before.

use steward_manifest::{ManifestErrorKind, RelativeFigure, parse_manifests};

/// A manifest whose one metric has `target` and `direction`, written on lines 12 and 11.
fn manifest(direction: &str, target: &str) -> String {
    format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: t\nspec:\n  lifecycle: pilot\n  \
         success_metrics:\n    - name: m\n      aggregate: median\n      unit: hours\n      \
         direction: {direction}\n      target_change: {target}\n      within_days: 90\n      \
         baseline_days: 90\n"
    )
}

fn target_of(text: &str) -> RelativeFigure {
    let systems = parse_manifests("m.yaml", text.as_bytes()).expect("reads");
    systems[0].manifest.spec.success_metrics[0]
        .target_change
        .clone()
        .expect("a target")
}

fn refused(text: &str) -> steward_manifest::ManifestError {
    parse_manifests("m.yaml", text.as_bytes()).expect_err("must be refused")
}

#[test]
fn a_bare_number_above_ten_is_refused_with_both_readings() {
    for (direction, written, pct, fraction) in [
        ("decrease", "30", "3000%", "0.3"),
        ("increase", "30", "3000%", "0.3"),
        ("increase", "25.5", "2550%", "0.255"),
        ("increase", "\"30\"", "3000%", "0.3"),
        ("decrease", "-40", "-4000%", "-0.4"),
    ] {
        let e = refused(&manifest(direction, written));
        assert_eq!(e.kind, ManifestErrorKind::Invalid, "{written}: {e:?}");
        let p = e.position.expect("located");
        assert_eq!(p.line, 12, "{written}: {e:?}");
        assert!(p.column > "      target_change:".len(), "{written}: {e:?}");
        let shown = written.trim_matches('"');
        for part in [
            format!("`{shown}` reads as {pct}"),
            format!("write \"{shown}%\""),
            format!("or {fraction}"),
        ] {
            assert!(e.message.contains(&part), "{part:?} not in {}", e.message);
        }
        assert_eq!(
            e.key.as_deref(),
            Some("spec.success_metrics[0].target_change"),
            "{e:?}"
        );
    }
}

#[test]
fn a_decrease_of_more_than_all_of_it_is_refused_at_the_key() {
    let e = refused(&manifest("decrease", "1.5"));
    assert_eq!(e.kind, ManifestErrorKind::Invalid);
    let p = e.position.expect("located");
    assert_eq!((p.line, p.column), (12, 7), "{e:?}");
    for part in [
        "more than 100%",
        "`1.5` reads as 150%",
        "write \"1.5%\"",
        "or 0.015",
    ] {
        assert!(e.message.contains(part), "{part:?} not in {}", e.message);
    }
    // Written as a percentage, it is not ambiguous, only impossible.
    for written in ["\"150%\"", "-150%", "\"1000%\""] {
        let e = refused(&manifest("decrease", written));
        assert_eq!(e.position.map(|p| p.line), Some(12), "{written}: {e:?}");
        assert!(
            e.message.contains("more than 100%") && !e.message.contains("reads as"),
            "{written}: {}",
            e.message
        );
    }
    // The direction may be written after the target.
    let after = manifest("decrease", "2").replace(
        "      direction: decrease\n      target_change: 2\n",
        "      target_change: 2\n      direction: decrease\n",
    );
    let e = refused(&after);
    assert_eq!(e.position.map(|p| p.line), Some(11), "{e:?}");
    assert!(e.message.contains("`2` reads as 200%"), "{}", e.message);
}

#[test]
fn percentages_and_fractions_in_range_read_as_before() {
    for (direction, written, fraction) in [
        ("decrease", "\"30%\"", 0.3),
        ("decrease", "30%", 0.3),
        ("decrease", "0.3", 0.3),
        ("decrease", "1", 1.0),
        ("decrease", "\"100%\"", 1.0),
        ("increase", "3", 3.0),
        ("increase", "10", 10.0),
        ("increase", "\"2500%\"", 25.0),
    ] {
        assert_eq!(
            target_of(&manifest(direction, written)),
            RelativeFigure::Fraction(fraction),
            "{direction} {written}"
        );
    }
    // Words and a missing target are the gate's to judge, not the reader's.
    assert_eq!(
        target_of(&manifest("decrease", "improved productivity")),
        RelativeFigure::Text("improved productivity".into())
    );
    let none = manifest("decrease", "x").replace("      target_change: x\n", "");
    let systems = parse_manifests("m.yaml", none.as_bytes()).expect("reads");
    assert!(
        systems[0].manifest.spec.success_metrics[0]
            .target_change
            .is_none()
    );
    // Without a direction, a bare 5 is a 500% change the gate weighs.
    let undirected = manifest("decrease", "5").replace("      direction: decrease\n", "");
    let systems = parse_manifests("m.yaml", undirected.as_bytes()).expect("reads");
    assert_eq!(
        systems[0].manifest.spec.success_metrics[0].target_change,
        Some(RelativeFigure::Fraction(5.0))
    );
}
