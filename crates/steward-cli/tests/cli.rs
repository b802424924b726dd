//! The real `steward` binary, driven as a user or a CI pipeline drives it: exit codes,
//! output formats (snapshot-tested on the examples), and bad input of every kind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TODAY: &str = "2026-11-25";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn steward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .current_dir(root())
        .env_remove("STEWARD_TODAY")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .output()
        .expect("the steward binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

fn check(paths: &[&str], format: &str) -> Output {
    let mut args = vec!["check", "--today", TODAY, "--format", format];
    args.extend_from_slice(paths);
    steward(&args)
}

// ---- exit codes -----------------------------------------------------------------------

#[test]
fn ready_system_exits_0_and_not_ready_exits_1() {
    let ready = check(&["examples/payments-code-review.yaml"], "text");
    assert_eq!(ready.status.code(), Some(0), "{}", stderr(&ready));
    let folder = check(&["examples"], "text");
    assert_eq!(folder.status.code(), Some(1));
    let pilot = check(&["examples/support-ticket-triage.yaml"], "json");
    assert_eq!(pilot.status.code(), Some(1));
}

#[test]
fn misuse_exits_2() {
    for args in [
        vec!["check"],
        vec!["check", "--format", "yaml", "examples"],
        vec!["check", "--today", "25/11/2026", "examples"],
        vec!["check", "--target", "retired", "examples"],
        vec!["check", "does/not/exist.yaml"],
        vec!["frobnicate"],
    ] {
        let o = steward(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} says nothing");
    }
}

#[test]
fn target_flag_changes_what_fails() {
    // The overdue drill fails for production, and only warns when the target is a pilot.
    let prod = check(&["examples/invoice-extraction.yaml"], "json");
    assert_eq!(prod.status.code(), Some(1));
    let o = steward(&[
        "check",
        "--today",
        TODAY,
        "--target",
        "pilot",
        "--format",
        "json",
        "examples/invoice-extraction.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["systems"][0]["target"], "pilot");
    assert_eq!(v["systems"][0]["summary"]["warning"], 1);
}

#[test]
fn today_flag_makes_time_pass() {
    // 2027-01-01: the payments drill of 2026-09-14 is 109 days old, over its 90; and with
    // the launch (2026-12-01) now past, month 18 counts from today: 2028-07-01 is after
    // the owner's commitment ends (2028-06-30).
    let o = steward(&[
        "check",
        "--today",
        "2027-01-01",
        "--format",
        "json",
        "examples/payments-code-review.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let failed: Vec<&str> = v["systems"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failed")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, vec!["Q2", "Q5"]);
}

// ---- output formats ------------------------------------------------------------------

#[test]
fn json_follows_the_contract() {
    let o = check(&["examples"], "json");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["date"], TODAY);
    let systems = v["systems"].as_array().unwrap();
    assert_eq!(systems.len(), 4);
    for s in systems {
        for key in ["name", "file", "target", "verdict", "summary", "findings"] {
            assert!(s.get(key).is_some(), "system lacks {key}");
        }
        let findings = s["findings"].as_array().unwrap();
        let summary = &s["summary"];
        let count = |st: &str| findings.iter().filter(|f| f["status"] == st).count() as u64;
        for st in ["passed", "failed", "warning", "skipped"] {
            assert_eq!(summary[st].as_u64().unwrap(), count(st), "{st}");
        }
        for id in [
            "Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3",
        ] {
            assert!(findings.iter().any(|f| f["id"] == id), "{id} missing");
        }
        for f in findings {
            for key in ["id", "status", "path", "line", "column", "message"] {
                assert!(f.get(key).is_some(), "finding lacks {key}");
            }
            assert!(f["line"].as_u64().unwrap() >= 1);
        }
        let verdict = if count("failed") == 0 {
            "ready"
        } else {
            "not_ready"
        };
        assert_eq!(s["verdict"], verdict);
    }
}

#[test]
fn text_output_is_snapshot_stable() {
    insta::assert_snapshot!("check_examples_text", stdout(&check(&["examples"], "text")));
}

#[test]
fn markdown_output_is_snapshot_stable() {
    insta::assert_snapshot!(
        "check_examples_markdown",
        stdout(&check(&["examples"], "markdown"))
    );
}

#[test]
fn html_only_failed_and_explain_outputs_are_snapshot_stable() {
    insta::assert_snapshot!("check_examples_html", stdout(&check(&["examples"], "html")));
    insta::assert_snapshot!(
        "check_examples_only_failed",
        stdout(&check(&["--only-failed", "examples"], "text"))
    );
    insta::assert_snapshot!(
        "check_not_ready_explained",
        stdout(&check(
            &["--explain", "examples/ai-for-engineering.yaml"],
            "text"
        ))
    );
    insta::assert_snapshot!(
        "portfolio_text_sorted_by_money",
        stdout(&steward(&[
            "portfolio",
            "--today",
            TODAY,
            "--sort",
            "implementation",
            "examples"
        ]))
    );
}

#[test]
fn json_output_is_snapshot_stable() {
    insta::assert_snapshot!("check_examples_json", stdout(&check(&["examples"], "json")));
}

#[test]
fn text_has_no_colour_in_a_pipe_and_colour_when_forced() {
    let plain = check(&["examples/payments-code-review.yaml"], "text");
    assert!(!stdout(&plain).contains('\u{1b}'));
    let forced = steward(&[
        "check",
        "--color",
        "always",
        "--today",
        TODAY,
        "examples/payments-code-review.yaml",
    ]);
    assert!(stdout(&forced).contains('\u{1b}'));
}

#[test]
fn junit_has_one_test_case_per_rule_and_system() {
    let o = check(&["examples"], "junit");
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 4);
    for suite in &suites {
        let cases = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        assert_eq!(cases, 13);
        let failures = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(suite.attribute("failures").unwrap(), failures.to_string());
    }
    let payments = suites
        .iter()
        .find(|s| s.attribute("name") == Some("payments-code-review"))
        .unwrap();
    assert_eq!(payments.attribute("failures"), Some("0"));
}

#[test]
fn sarif_annotates_the_failing_lines() {
    let o = check(&["examples"], "sarif");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 13);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&check(&["examples"], "json"))).unwrap();
    let problems: usize = json["systems"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap())
        .filter(|f| f["status"] == "failed" || f["status"] == "warning")
        .count();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), problems);
    let overdue = results
        .iter()
        .find(|r| {
            r["ruleId"] == "Q5"
                && r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("invoice-extraction")
        })
        .expect("the overdue drill is annotated");
    let loc = &overdue["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/invoice-extraction.yaml"
    );
    let text = std::fs::read_to_string(root().join("examples/invoice-extraction.yaml")).unwrap();
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    assert_eq!(
        text.lines().nth(line - 1).unwrap().trim(),
        "- date: 2026-08-27"
    );
}

// ---- portfolio --------------------------------------------------------------------------

#[test]
fn portfolio_lists_every_system() {
    let o = steward(&["portfolio", "--today", TODAY, "examples"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("portfolio_text", stdout(&o));
}

#[test]
fn portfolio_sorts_and_exports() {
    let o = steward(&[
        "portfolio",
        "--today",
        TODAY,
        "--sort",
        "implementation",
        "--format",
        "json",
        "examples",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Largest first within a currency; currencies never compared as numbers.
    let totals: Vec<(String, f64)> = v["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["currency"].as_str().unwrap().to_string(),
                s["implementation_total"].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("EUR", 310_000.0),
        ("EUR", 90_000.0),
        ("USD", 1_050_000.0),
        ("USD", 620_000.0),
    ];
    assert_eq!(totals, expected.map(|(c, v)| (c.to_string(), v)).to_vec());
    let csv = stdout(&steward(&[
        "portfolio",
        "--today",
        TODAY,
        "--format",
        "csv",
        "--sort",
        "failed",
        "examples",
    ]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("name,lifecycle,owner,verdict,failed_rules"));
    assert!(lines[1].starts_with("support-ticket-triage,pilot,group:default/support-tooling,not_ready,Q1 Q2 Q4 Q5 P2 P4 P5 C3,"), "{}", lines[1]);
    assert!(
        lines[4].starts_with("payments-code-review,pilot,"),
        "{}",
        lines[4]
    );
}

// ---- bad input ----------------------------------------------------------------------------

/// Each malformed manifest exits 2 with `file:line:column` and what was expected.
#[test]
fn malformed_manifests_exit_2_with_a_located_message() {
    /// File, expected `line:column` (None: the file as a whole), message.
    type Case = (&'static str, Option<(usize, usize)>, &'static str);
    let cases: &[Case] = &[
        (
            "unknown-key.yaml",
            Some((9, 5)),
            "unknown field `reff`, expected one of ref,",
        ),
        (
            "bad-date.yaml",
            Some((8, 12)),
            "`2026-13-45` is not a calendar date (expected YYYY-MM-DD)",
        ),
        (
            "wrong-type.yaml",
            Some((8, 12)),
            "expected a whole number, found `many`",
        ),
        (
            "range-low-above-high.yaml",
            Some((9, 20)),
            "a cost range needs low <= likely <= high",
        ),
        (
            "duplicate-key.yaml",
            Some((7, 3)),
            "duplicate mapping key: lifecycle",
        ),
        ("tabs.yaml", Some((4, 1)), "tabs disallowed"),
        ("empty.yaml", None, "the file is empty"),
        ("comments-only.yaml", None, "the file is empty"),
        (
            "not-yaml.yaml",
            Some((1, 19)),
            "this is not valid YAML: unclosed bracket",
        ),
        (
            "plain-prose.yaml",
            Some((1, 1)),
            "expected a mapping of keys",
        ),
        (
            "negative-cost.yaml",
            Some((8, 15)),
            "a cost cannot be negative",
        ),
        (
            "missing-lifecycle.yaml",
            Some((6, 3)),
            "missing the required key `lifecycle`",
        ),
        (
            "wrong-api-version.yaml",
            Some((1, 13)),
            "unsupported apiVersion `steward/v2`",
        ),
        ("bad-name.yaml", Some((4, 9)), "is not a valid system name"),
        (
            "unknown-lifecycle.yaml",
            Some((6, 14)),
            "`beta` is not one of the values this key takes",
        ),
        (
            "score-out-of-range.yaml",
            Some((10, 38)),
            "a score is a whole number from 1 (worst) to 5 (best), found 7",
        ),
    ];
    for (file, pos, message) in cases {
        let path = format!("crates/steward-cli/tests/malformed/{file}");
        let o = check(&[&path], "json");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{file}: {err}");
        assert!(
            stdout(&o).is_empty(),
            "{file}: a report was printed despite the error"
        );
        assert!(!err.contains("panicked"), "{file}: {err}");
        assert!(
            err.contains(message),
            "{file}: expected {message:?} in\n{err}"
        );
        match pos {
            Some((l, c)) => assert!(
                err.contains(&format!("{path}:{l}:{c}")),
                "{file}: no location {l}:{c} in\n{err}"
            ),
            None => assert!(err.contains(&path), "{file}: file not named in\n{err}"),
        }
    }
}

#[test]
fn binary_and_oversized_files_exit_2_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.yaml");
    std::fs::write(&binary, (0u8..=255).cycle().take(4096).collect::<Vec<u8>>()).unwrap();
    let not_utf8 = dir.path().join("latin1.yaml");
    std::fs::write(
        &not_utf8,
        b"apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: caf\xe9\n",
    )
    .unwrap();
    let huge = dir.path().join("huge.yaml");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&huge).unwrap();
        f.write_all(b"apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: huge\nspec:\n  lifecycle: pilot\n  scope:\n    in_scope:\n").unwrap();
        let line = b"      - a long list item that makes this manifest fifty megabytes in size\n";
        for _ in 0..(50 * 1024 * 1024 / line.len() + 1) {
            f.write_all(line).unwrap();
        }
    }
    let cases = [
        (&binary, "NUL byte"),
        (&not_utf8, "not UTF-8 text: byte 0xE9"),
        (&huge, "a manifest may be at most 4194304 bytes"),
    ];
    for (path, message) in cases {
        let p = path.to_str().unwrap();
        let o = check(&[p], "json");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{p}: {err}");
        assert!(err.contains(message) && err.contains(p), "{p}: {err}");
        assert!(!err.contains("panicked"));
    }
    // Located: the invalid byte of the Latin-1 file is on line 4, column 12.
    let o = check(&[not_utf8.to_str().unwrap()], "json");
    assert!(stderr(&o).contains("latin1.yaml:4:12"), "{}", stderr(&o));
}

#[test]
fn every_broken_file_is_reported_not_only_the_first() {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        (
            "a.yaml",
            "apiVersion: steward/v1\nkind: AISystem\nmetadata: {name: a}\nspec: {lifecycle: alpha}\n",
        ),
        (
            "b.yaml",
            "apiVersion: steward/v1\nkind: AISystem\nmetadata: {name: b}\nspec: {lifecycle: pilot, colour: red}\n",
        ),
        (
            "notes.yaml",
            "kind: Component\nmetadata: {name: unrelated}\n",
        ),
    ] {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let o = check(&[dir.path().to_str().unwrap()], "text");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("a.yaml:4:19") && err.contains("`alpha` is not one of the values"),
        "{err}"
    );
    assert!(
        err.contains("b.yaml:4:26") && err.contains("unknown field `colour`"),
        "{err}"
    );
    assert!(
        !err.contains("notes.yaml"),
        "a file of another kind is not a manifest: {err}"
    );
}

#[test]
fn duplicate_system_names_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let body = "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: same\nspec:\n  lifecycle: pilot\n";
    std::fs::write(dir.path().join("one.yaml"), body).unwrap();
    std::fs::write(dir.path().join("two.yaml"), body).unwrap();
    let o = check(&[dir.path().to_str().unwrap()], "json");
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("the system name `same` is already used at"),
        "{err}"
    );
    // The second name is shown in its file, underlined, with what to do.
    assert!(
        err.contains("two.yaml:4:3") && err.contains(" 4 │   name: same"),
        "{err}"
    );
    assert!(err.contains("rename one of the two systems"), "{err}");
}

/// `--threads` (or `STEWARD_THREADS`) sizes the one worker pool; the report is the same
/// whatever the count, and a count that is not a whole number from 1 up is a usage error.
#[test]
fn threads_flag_sizes_the_pool_without_changing_the_report() {
    let all_cores = check(&["examples"], "json");
    for threads in ["1", "3"] {
        let o = steward(&[
            "check",
            "--threads",
            threads,
            "--today",
            TODAY,
            "--format",
            "json",
            "examples",
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_eq!(stdout(&o), stdout(&all_cores), "--threads {threads}");
    }
    for bad in ["0", "two", "-1", "1000000"] {
        let o = steward(&[&format!("--threads={bad}"), "check", "examples"]);
        assert_eq!(o.status.code(), Some(2), "--threads {bad}");
        assert!(stderr(&o).contains("--threads"), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
    let o = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["check", "--today", TODAY, "examples"])
        .current_dir(root())
        .env("STEWARD_THREADS", "0")
        .output()
        .expect("the steward binary runs");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 1"), "{}", stderr(&o));
}

#[test]
fn a_folder_without_manifests_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ci.yml"), "stages: [build]\n").unwrap();
    let o = check(&[dir.path().to_str().unwrap()], "text");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no AISystem manifest found"));
}

// ---- schema, init, completions, man ------------------------------------------------------

#[test]
fn schema_describes_every_section() {
    let o = steward(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    assert!(v["$schema"].as_str().unwrap().contains("json-schema.org"));
    assert_eq!(
        v["required"],
        serde_json::json!(["apiVersion", "kind", "metadata", "spec"])
    );
    let text = stdout(&o);
    for key in [
        "scope",
        "owner",
        "milestones",
        "success_metrics",
        "budget",
        "integrations",
        "monitoring",
        "fallback",
        "iteration",
        "sourcing",
        "accountable_until",
        "pilot_avoided",
        "max_days_between_tests",
    ] {
        assert!(text.contains(&format!("\"{key}\"")), "schema lacks {key}");
    }
    assert!(
        text.contains("\"additionalProperties\": false"),
        "unknown keys must be rejected by the schema too"
    );
}

#[test]
fn init_writes_a_manifest_that_parses_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("triage.yaml");
    let p = path.to_str().unwrap();
    let o = steward(&[
        "init",
        p,
        "--name",
        "ticket-triage",
        "--team",
        "support-tier1",
        "--owner",
        "group:default/support",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&path).unwrap();
    for section in [
        "scope:",
        "owner:",
        "milestones:",
        "success_metrics:",
        "budget:",
        "integrations:",
        "monitoring:",
        "fallback:",
        "iteration:",
        "sourcing:",
    ] {
        assert!(text.contains(section), "starter lacks {section}");
    }
    // It parses; the gate lists what is still to be written.
    let checked = steward(&["check", "--format", "json", p]);
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    let v: serde_json::Value = serde_json::from_str(&stdout(&checked)).unwrap();
    assert_eq!(v["systems"][0]["name"], "ticket-triage");
    assert_eq!(v["systems"][0]["target"], "pilot");
    // A second init does not overwrite it.
    let again = steward(&["init", p, "--name", "other"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // A bad name is refused before anything is written.
    let bad = dir.path().join("bad.yaml");
    let o = steward(&["init", bad.to_str().unwrap(), "--name", "Bad Name"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!bad.exists());
}

#[test]
fn version_completions_and_man_page() {
    let v = steward(&["--version"]);
    assert_eq!(
        stdout(&v).trim(),
        format!("steward {}", env!("CARGO_PKG_VERSION"))
    );
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = steward(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0));
        assert!(
            stdout(&o).contains("portfolio"),
            "{shell} completion lacks subcommands"
        );
    }
    let man = steward(&["man"]);
    assert!(
        stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH steward"),
        "{}",
        &stdout(&man)[..200]
    );
}

// ---- cost --------------------------------------------------------------------------------

#[test]
fn cost_json_follows_the_contract() {
    let o = steward(&[
        "cost",
        "--format",
        "json",
        "examples/payments-code-review.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for key in [
        "system",
        "currency",
        "years",
        "declared",
        "yardsticks",
        "simulation",
        "sensitivity",
        "sourcing",
    ] {
        assert!(v.get(key).is_some(), "cost report lacks {key}");
    }
    assert_eq!(v["declared"]["implementation"]["integration"], 280000.0);
    assert_eq!(v["yardsticks"]["integration"]["ratio_to_poc"], 4.25);
    assert_eq!(v["simulation"]["runs"], 100000);
    assert_eq!(v["simulation"]["seed"], 1);
    let opt = &v["sourcing"]["options"][0];
    for key in [
        "name",
        "kind",
        "weighted_score",
        "flags",
        "cost",
        "probability_cheapest",
    ] {
        assert!(opt.get(key).is_some(), "option lacks {key}");
    }
    for key in ["mean", "p10", "p50", "p90"] {
        assert!(opt["cost"][key].is_number());
    }
    // Same seed, same bytes.
    let again = steward(&[
        "cost",
        "--format",
        "json",
        "examples/payments-code-review.yaml",
    ]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn cost_text_and_flags() {
    let o = steward(&[
        "cost",
        "--years",
        "5",
        "--simulations",
        "20000",
        "--seed",
        "9",
        "--currency-format",
        "compact",
        "examples/payments-code-review.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains("over 5 years"), "{t}");
    assert!(t.contains("20000 runs, seed 9"), "{t}");
    assert!(t.contains("USD 1.42M"), "compact money: {t}");
    assert!(t.contains("Build vs buy"));
}

#[test]
fn cost_html_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cost.html");
    let o = steward(&[
        "cost",
        "--format",
        "html",
        "--output",
        out.to_str().unwrap(),
        "examples/invoice-extraction.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "distribution, tornado and options charts"
    );
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
    assert!(html.len() < 200_000, "{} bytes", html.len());
}

#[test]
fn cost_of_a_folder_is_the_portfolio_per_year() {
    let o = steward(&["cost", "--years", "2", "--format", "json", "examples"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["systems"].as_array().unwrap().len(), 4);
    // USD: payments (620,000 + 160,000 a year) and engineering-copilot (1,050,000 + 60,000).
    assert_eq!(
        v["combined"]["USD"]["per_year"],
        serde_json::json!([1_890_000.0, 220_000.0])
    );
    assert_eq!(v["combined"]["EUR"]["systems"], 2);
}

#[test]
fn cost_bad_input_exits_2_with_the_location() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(root().join("examples/payments-code-review.yaml")).unwrap();
    let cases = [
        (
            "no-scores.yaml",
            base.replace("        scores: {integration_effort: 4, maintainability: 3, lock_in: 2, time_to_value: 4, total_cost: 3}\n", ""),
            "has no scores",
            ":120:9",
        ),
        (
            "zero-weights.yaml",
            base.replace("lock_in: 1, time_to_value: 1, total_cost: 1}", "lock_in: 0, time_to_value: 0, total_cost: 0}")
                .replace("weights: {integration_effort: 1, maintainability: 1,", "weights: {integration_effort: 0, maintainability: 0,"),
            "weights sum to 0",
            ":126:5",
        ),
        (
            "low-above-high.yaml",
            base.replace("{low: 220000, likely: 280000, high: 400000}", "{low: 420000, likely: 280000, high: 400000}"),
            "low <= likely <= high",
            ":59:20",
        ),
        ("negative.yaml", base.replace("poc_cost: 80000", "poc_cost: -80000"), "cannot be negative", ":55:15"),
    ];
    for (name, body, message, at) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let o = steward(&["cost", path.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(message), "{name}: {err}");
        assert!(
            err.contains(&format!("{name}{at}")),
            "{name}: expected {at} in {err}"
        );
    }
    let o = steward(&[
        "cost",
        "--simulations",
        "0",
        "examples/payments-code-review.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = steward(&["cost", "--years", "0", "examples/payments-code-review.yaml"]);
    assert_eq!(o.status.code(), Some(2));
}

// ---- metric ------------------------------------------------------------------------------

fn metric(extra: &[&str]) -> Output {
    let mut args = vec!["metric"];
    args.extend_from_slice(extra);
    steward(&args)
}

const TICKETS: [&str; 8] = [
    "examples/payments-code-review.yaml",
    "--tickets",
    "examples/data/payments-tickets.csv",
    "--opened",
    "Created",
    "--resolved",
    "Resolved",
    "--where=Priority=P1",
];

#[test]
fn metric_from_a_ticket_export_follows_the_contract() {
    let mut args = TICKETS.to_vec();
    args.extend(["--today", "2027-03-15", "--format", "json"]);
    let o = metric(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let m = &v["metrics"][0];
    for key in [
        "name",
        "aggregate",
        "direction",
        "target_change",
        "baseline",
        "current",
        "change",
        "p_value",
        "ci",
        "verdict",
    ] {
        assert!(m.get(key).is_some(), "metric lacks {key}");
    }
    for key in ["from", "to", "n", "value"] {
        assert!(m["baseline"].get(key).is_some(), "window lacks {key}");
    }
    assert_eq!(m["name"], "p1-time-to-resolution");
    assert_eq!(m["baseline"]["from"], "2026-06-04");
    assert_eq!(m["current"]["to"], "2027-03-01");
    assert_eq!(m["verdict"], "met");
    let ci = m["ci"].as_array().unwrap();
    let change = m["change"].as_f64().unwrap();
    assert!(ci[0].as_f64().unwrap() < change && change < ci[1].as_f64().unwrap());
    assert!(stderr(&o).contains("kept as observations"));
    // Before the current window ends the verdict waits.
    let mut early = TICKETS.to_vec();
    early.extend(["--today", "2027-02-01", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&metric(&early))).unwrap();
    assert_eq!(v["metrics"][0]["verdict"], "in_progress");
}

#[test]
fn metric_with_several_metrics_in_one_file() {
    let o = metric(&[
        "examples/invoice-extraction.yaml",
        "--observations",
        "examples/data/invoice-observations.csv",
        "--today",
        "2026-11-25",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let names: Vec<&str> = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["invoice-touch-time", "extraction-error-rate"]);
    let only = metric(&[
        "examples/invoice-extraction.yaml",
        "--observations",
        "examples/data/invoice-observations.csv",
        "--today",
        "2026-11-25",
        "--format",
        "json",
        "--metric",
        "extraction-error-rate",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&only)).unwrap();
    assert_eq!(v["metrics"].as_array().unwrap().len(), 1);
    // --launch moves both windows.
    let moved = metric(&[
        "examples/invoice-extraction.yaml",
        "--observations",
        "examples/data/invoice-observations.csv",
        "--today",
        "2026-11-25",
        "--format",
        "json",
        "--launch",
        "2026-03-01",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&moved)).unwrap();
    assert_eq!(v["metrics"][0]["current"]["from"], "2026-03-01");
    // Same seed, same interval.
    let again = metric(&[
        "examples/invoice-extraction.yaml",
        "--observations",
        "examples/data/invoice-observations.csv",
        "--today",
        "2026-11-25",
        "--format",
        "json",
    ]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn metric_html_has_a_chart_per_metric() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.html");
    let o = metric(&[
        "examples/invoice-extraction.yaml",
        "--observations",
        "examples/data/invoice-observations.csv",
        "--today",
        "2026-11-25",
        "--format",
        "html",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(out).unwrap();
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(html.contains("target") && html.contains("baseline"));
    assert!(!html.contains("<script"));
}

#[test]
fn metric_bad_input_exits_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cases = [
        (
            write("nocol.csv", "time,value\n2026-12-01,1\n"),
            "nocol.csv:1:",
            "`timestamp` and `value`",
        ),
        (
            write("nan.csv", "timestamp,value\n2026-12-01,1\n2026-12-02,n/a\n"),
            "nan.csv:3:",
            "value `n/a` is not a number",
        ),
        (
            write("ts.csv", "timestamp,value\n2026-12-01,1\n01/12/2026,2\n"),
            "ts.csv:3:",
            "timestamp `01/12/2026`",
        ),
        (
            write(
                "ragged.csv",
                "timestamp,value\n2026-12-01,1\n2026-12-02,2,3\n",
            ),
            "ragged.csv:3:",
            "the row has 3 fields",
        ),
        (
            write(
                "unknown.csv",
                "timestamp,metric,value\n2026-12-01,p1-time-to-resolution,1\n2026-12-02,mttr,2\n",
            ),
            "unknown.csv:3:",
            "metric `mttr` is not declared in the manifest",
        ),
        (
            write(
                "bad.jsonl",
                "{\"timestamp\": \"2026-12-01\", \"value\": 1}\n{\"timestamp\": 5}\n",
            ),
            "bad.jsonl:2:",
            "missing `timestamp`",
        ),
    ];
    for (path, at, message) in cases {
        let o = metric(&[
            "examples/payments-code-review.yaml",
            "--observations",
            &path,
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{path}: {err}");
        assert!(err.contains(at) && err.contains(message), "{path}: {err}");
    }
    let ok = write("ok.csv", "timestamp,value\n2026-12-01,1\n");
    let o = metric(&[
        "examples/payments-code-review.yaml",
        "--observations",
        &ok,
        "--metric",
        "nps",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--metric nps: the manifest declares p1-time-to-resolution"));
    // A metric the manifest cannot measure is located in the manifest.
    let o = metric(&["examples/support-ticket-triage.yaml", "--observations", &ok]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("support-ticket-triage.yaml:41:7"),
        "{}",
        stderr(&o)
    );
    // Neither source, or both.
    assert_eq!(
        metric(&["examples/payments-code-review.yaml"])
            .status
            .code(),
        Some(2)
    );
    let o = metric(&["examples/payments-code-review.yaml", "--tickets", &ok]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--tickets needs --opened and --resolved"
    );
}

// ---- drift -------------------------------------------------------------------------------

const SMALL_REF: &str = "crates/steward-cli/tests/data/small.parquet";

fn drift(extra: &[&str]) -> Output {
    let mut args = vec!["drift"];
    args.extend_from_slice(extra);
    steward(&args)
}

#[test]
fn drift_reads_every_format_alike() {
    let mut outputs = Vec::new();
    for cur in [
        "small-current.parquet",
        "small-current.arrow",
        "small-current.jsonl",
    ] {
        let path = format!("crates/steward-cli/tests/data/{cur}");
        let o = drift(&[
            "--reference",
            SMALL_REF,
            "--current",
            &path,
            "--format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{cur}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        for key in [
            "reference_rows",
            "current_rows",
            "dataset_drift",
            "drift_share",
            "share_of_drifted_columns",
            "number_of_columns",
            "number_of_drifted_columns",
            "columns",
        ] {
            assert!(v.get(key).is_some(), "{cur}: report lacks {key}");
        }
        let c = &v["columns"][0];
        for key in [
            "column",
            "type",
            "stattest",
            "score",
            "statistic",
            "p_value",
            "threshold",
            "drift_detected",
            "reference",
            "current",
        ] {
            assert!(c.get(key).is_some(), "{cur}: column lacks {key}");
        }
        outputs.push(v["columns"].clone());
    }
    assert_eq!(outputs[0], outputs[1], "parquet and arrow agree");
    assert_eq!(outputs[0], outputs[2], "parquet and json lines agree");
}

#[test]
fn drift_exit_codes_and_overrides() {
    let cur = "crates/steward-cli/tests/data/small-current.parquet";
    let o = drift(&[
        "--reference",
        SMALL_REF,
        "--current",
        cur,
        "--fail-on-drift",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the small sets drift: {}",
        stdout(&o)
    );
    let o = drift(&[
        "--reference",
        SMALL_REF,
        "--current",
        cur,
        "--drift-share",
        "0.9",
        "--fail-on-drift",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = drift(&[
        "--reference",
        SMALL_REF,
        "--current",
        cur,
        "--format",
        "json",
        "--columns",
        "int40,city",
        "--stattest",
        "int40=wasserstein",
        "--threshold",
        "city=0.5",
        "--categorical",
        "int40",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "wasserstein does not apply to a categorical column"
    );
    let o = drift(&[
        "--reference",
        SMALL_REF,
        "--current",
        cur,
        "--format",
        "json",
        "--columns",
        "int40,city",
        "--stattest",
        "int40=wasserstein",
        "--threshold",
        "city=0.5",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["number_of_columns"], 2);
    assert_eq!(v["columns"][0]["stattest"], "wasserstein");
    assert_eq!(v["columns"][1]["threshold"], 0.5);
    let o = drift(&[
        "--reference",
        SMALL_REF,
        "--current",
        cur,
        "--stattest",
        "chi2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown test `chi2`; available: ks, chisquare"));
    // A chosen test replaces the default on every column it applies to.
    let o = drift(&[
        "--reference",
        SMALL_REF,
        "--current",
        cur,
        "--format",
        "json",
        "--stattest",
        "psi",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["stattest"] == "psi")
    );
}

#[test]
fn drift_bad_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let parquet = std::fs::read(root().join(SMALL_REF)).unwrap();
    let good_csv = write("good.csv", b"a,b\n1,x\n2,y\n3,x\n");
    let cases = [
        (
            write("truncated.parquet", &parquet[..parquet.len() / 2]),
            "truncated.parquet",
            "Parquet",
        ),
        (
            write("ragged.csv", b"a,b\n1,x\n2,y,extra\n3,x\n"),
            "ragged.csv",
            "3",
        ),
        (write("empty.csv", b""), "empty.csv", "the file is empty"),
        (
            write("binary.csv", &[0u8, 159, 146, 150, 0, 1, 2, 3]),
            "binary.csv",
            "binary file",
        ),
        (
            write("header-only.csv", b"a,b\n"),
            "header-only.csv",
            "no rows",
        ),
        (
            write("types.csv", b"a,b\nx,x\ny,y\n"),
            "good.csv",
            "column `a` holds numbers in the reference data and text",
        ),
        (
            write("data.txt", b"a,b\n1,x\n"),
            "data.txt",
            "cannot tell the format",
        ),
    ];
    for (path, names, message) in &cases {
        let o = drift(&["--reference", &good_csv, "--current", path]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{path}: {err}");
        assert!(!err.contains("panicked"), "{path}: {err}");
        assert!(
            err.contains(message),
            "{path}: expected {message:?} in {err}"
        );
        if *names != "good.csv" {
            assert!(
                err.contains(names),
                "{path}: the file is not named in {err}"
            );
        }
    }
}

#[test]
fn drift_reports_columns_present_in_one_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.csv");
    let c = dir.path().join("c.csv");
    std::fs::write(&r, "a,only_ref\n1,2\n2,3\n3,4\n4,5\n5,6\n6,7\n").unwrap();
    std::fs::write(&c, "a,only_cur\n1,2\n2,3\n3,4\n4,5\n5,6\n9,7\n").unwrap();
    let o = drift(&[
        "--reference",
        r.to_str().unwrap(),
        "--current",
        c.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["number_of_columns"], 1);
    let skipped: Vec<&str> = v["skipped_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["column"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["only_ref", "only_cur"]);
    assert!(stderr(&o).contains("column `only_ref` skipped: only in the reference data"));
}

#[test]
fn drift_html_is_self_contained_and_small_for_200_columns() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, shift: f64| {
        let mut csv = (0..200)
            .map(|i| {
                if i < 160 {
                    format!("n{i}")
                } else {
                    format!("c{i}")
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        csv.push('\n');
        for row in 0..1500u64 {
            let cells: Vec<String> = (0..200u64)
                .map(|i| {
                    let x = ((row * 7919 + i * 104_729) % 10_007) as f64 / 1000.0
                        + if i % 3 == 0 { shift } else { 0.0 };
                    if i < 160 {
                        format!("{x:.3}")
                    } else {
                        format!("\"v{}, {}\"", (row + i) % 57, i % 3)
                    }
                })
                .collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        let p = dir.path().join(name);
        std::fs::write(&p, csv).unwrap();
        p.to_str().unwrap().to_string()
    };
    let (r, c) = (write("r.csv", 0.0), write("c.csv", 1.5));
    let out = dir.path().join("drift.html");
    let o = drift(&[
        "--reference",
        &r,
        "--current",
        &c,
        "--format",
        "html",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
    assert_eq!(html.matches("<svg").count(), 200);
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    // No raw rows: a value that occurs in the data does not appear in the page.
    assert!(!html.contains("2.345,"));
}

// ---- profiles ------------------------------------------------------------------------------

#[test]
fn profile_merge_and_drift_against_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let reference = "crates/steward-data/tests/oracle/ref1001.reference.csv";
    let current = "crates/steward-data/tests/oracle/ref1001.current.csv";
    let o = steward(&["profile", reference, "-o", &p("whole.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let whole: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("whole.json")).unwrap()).unwrap();
    assert_eq!(whole["format"], "steward-profile/v2");
    assert_eq!(whole["rows"], 1001);
    let shifted = whole["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "shifted")
        .unwrap();
    for key in [
        "count",
        "missing",
        "numeric",
        "distinct_estimate",
        "distinct_sketch",
    ] {
        assert!(shifted.get(key).is_some(), "profile column lacks {key}");
    }
    for key in [
        "min",
        "max",
        "mean",
        "std",
        "quantiles",
        "rank_error",
        "histogram",
    ] {
        assert!(
            shifted["numeric"].get(key).is_some(),
            "numeric profile lacks {key}"
        );
    }
    // Profiles of two parts of the file merge into the profile of the whole.
    let text = std::fs::read_to_string(root().join(reference)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    std::fs::write(
        p("a.csv"),
        format!("{header}\n{}\n", rows[..400].join("\n")),
    )
    .unwrap();
    std::fs::write(
        p("b.csv"),
        format!("{header}\n{}\n", rows[400..].join("\n")),
    )
    .unwrap();
    for part in ["a", "b"] {
        let o = steward(&[
            "profile",
            &p(&format!("{part}.csv")),
            "-o",
            &p(&format!("{part}.json")),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = steward(&[
        "profile",
        "merge",
        &p("a.json"),
        &p("b.json"),
        "-o",
        &p("merged.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let merged: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p("merged.json")).unwrap()).unwrap();
    assert_eq!(merged["rows"], 1001);
    for (m, w) in merged["columns"]
        .as_array()
        .unwrap()
        .iter()
        .zip(whole["columns"].as_array().unwrap())
    {
        assert_eq!(m["count"], w["count"], "{}", w["name"]);
        assert_eq!(m["missing"], w["missing"], "{}", w["name"]);
        assert_eq!(
            m.get("values"),
            w.get("values"),
            "{}: exact counts",
            w["name"]
        );
        if let (Some(a), Some(b)) = (m["numeric"]["mean"].as_f64(), w["numeric"]["mean"].as_f64()) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{}", w["name"]);
        }
    }
    // Drift against the stored profile: approximate columns say so, with the error bound.
    let o = steward(&[
        "drift",
        "--reference",
        &p("merged.json"),
        "--current",
        current,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["number_of_columns"], 10);
    let s = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "shifted")
        .unwrap();
    // 1,001 rows fit in the quantile summary whole: the comparison is exact.
    assert_eq!(s["approximate"], false);
    // 10,001 rows are summarized: the report says the score is approximate, and by how much.
    let big = "crates/steward-data/tests/oracle/ks_asymp.current.csv";
    let o = steward(&["profile", big, "-o", &p("big.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = steward(&[
        "drift",
        "--reference",
        &p("big.json"),
        "--current",
        "crates/steward-data/tests/oracle/ks_asymp.reference.csv",
        "--format",
        "json",
    ]);
    let v2: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for c in v2["columns"].as_array().unwrap() {
        assert_eq!(c["approximate"], true);
        assert!(
            c["rank_error"].as_f64().unwrap() > 0.0 && c["rank_error"].as_f64().unwrap() < 0.002
        );
    }
    let i = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "int3")
        .unwrap();
    assert_eq!(i["approximate"], false);
    // Merging profiles of different datasets, or something that is not a profile, fails.
    let o = steward(&[
        "profile",
        "crates/steward-cli/tests/data/small.parquet",
        "--columns",
        "int3",
        "-o",
        &p("other.json"),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = steward(&["profile", "merge", &p("a.json"), &p("other.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is in one profile only"),
        "{}",
        stderr(&o)
    );
    let o = steward(&["profile", "merge", &p("a.json"), reference]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a steward profile"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_can_show_only_what_needs_doing() {
    let all = stdout(&steward(&["check", "--today", TODAY, "examples"]));
    let only = steward(&["check", "--today", TODAY, "--only-failed", "examples"]);
    assert_eq!(only.status.code(), Some(1));
    let only = stdout(&only);
    // No passed or skipped finding, no section of the ready system, every problem kept.
    assert!(
        !only.contains("  ok   ") && !only.contains("  skip "),
        "{only}"
    );
    assert!(only.contains("READY for production: 13 of 13"), "{only}");
    let problems = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with("  FAIL ") || l.starts_with("  warn "))
            .count()
    };
    assert_eq!(problems(&only), problems(&all));
    assert!(problems(&all) > 0);
    // --quiet: the verdict lines and the total only.
    let quiet = stdout(&steward(&[
        "check", "--today", TODAY, "--quiet", "examples",
    ]));
    assert_eq!(
        quiet.lines().filter(|l| l.contains("READY")).count(),
        4,
        "{quiet}"
    );
    assert_eq!(problems(&quiet), 0, "{quiet}");
    assert!(quiet.contains("1 of 4 systems ready"), "{quiet}");
}

/// The metric text keeps the declared unit, says the p-value in words, and says when the
/// interval does not clear the target although the estimate does.
#[test]
fn metric_text_speaks_plainly() {
    let o = steward(&[
        "metric",
        "examples/payments-code-review.yaml",
        "--today",
        "2027-03-15",
        "--tickets",
        "examples/data/payments-tickets.csv",
        "--opened",
        "Created",
        "--resolved",
        "Resolved",
        "--where",
        "Priority=P1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("median 28.66 hours"), "{out}");
    assert!(out.contains("the change is unlikely to be chance"), "{out}");
    assert!(
        out.contains("the 95% interval (-50.6% to -12.8%) does not clear it"),
        "{out}"
    );
    assert!(out.contains("verdict: MET"), "{out}");
    // Where the interval clears the target, nothing is added.
    let o = steward(&[
        "metric",
        "examples/invoice-extraction.yaml",
        "--observations",
        "examples/data/invoice-observations.csv",
        "--today",
        "2026-11-25",
    ]);
    assert!(!stdout(&o).contains("does not clear"), "{}", stdout(&o));
}

/// `check --format html` and `portfolio --format html`: one self-contained page with the
/// portfolio, the rules failing across systems, the cost per currency and every system's
/// problems.
#[test]
fn the_html_page_a_leader_can_forward() {
    let check = steward(&["check", "--today", TODAY, "--format", "html", "examples"]);
    assert_eq!(check.status.code(), Some(1));
    let page = stdout(&check);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "no scripts");
    assert!(page.contains("1 of 4 ready"), "the verdict");
    assert!(
        page.contains("<strong>Q5</strong> tested fallback</td><td>fails in 3 of 4 systems"),
        "the roll-up"
    );
    assert!(
        page.contains("EUR 108,000") && page.contains("USD 220,000"),
        "cost per year"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&steward(&[
        "check", "--today", TODAY, "--format", "json", "examples",
    ])))
    .unwrap();
    for sys in json["systems"].as_array().unwrap() {
        let name = sys["name"].as_str().unwrap();
        assert!(page.contains(&format!("id=\"system-{name}\"")), "{name}");
        for f in sys["findings"].as_array().unwrap() {
            if f["status"] == "failed" {
                let message = f["message"]
                    .as_str()
                    .unwrap()
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
                    .replace('\'', "&#39;");
                assert!(page.contains(&message), "{name}: {message}");
            }
        }
    }
    // The portfolio page is the same page, its systems in the portfolio's order.
    let portfolio = stdout(&steward(&[
        "portfolio",
        "--today",
        TODAY,
        "--format",
        "html",
        "--sort",
        "failed",
        "examples",
    ]));
    assert!(portfolio.contains("1 of 4 ready"));
    fn first<'a>(p: &str, names: &[&'a str]) -> Option<&'a str> {
        names
            .iter()
            .min_by_key(|n| p.find(&format!("id=\"system-{n}\"")).unwrap())
            .copied()
    }
    let names = [
        "engineering-copilot",
        "support-ticket-triage",
        "payments-code-review",
    ];
    assert_eq!(first(&page, &names), Some("engineering-copilot"));
    assert_eq!(first(&portfolio, &names), Some("support-ticket-triage"));
}
