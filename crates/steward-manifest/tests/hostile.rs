//! Files and text a careless user or an attacker can hand the manifest reader: devices and
//! pipes, folders of unrelated YAML, links, the same file twice, empty documents, values
//! that are absurd or huge, and text that would drive a terminal. Each is an answer or a
//! located error in plain words, never a hang, a crash or a silent skip.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use steward_manifest::{SkipReason, discover, load_file, parse_manifests};

const BASE: &str =
    "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: NAME\nspec:\n  lifecycle: pilot\n";

fn manifest(name: &str) -> String {
    BASE.replace("NAME", name)
}

fn err(text: &str) -> steward_manifest::ManifestError {
    parse_manifests("m.yaml", text.as_bytes()).expect_err("must be refused")
}

/// Library internals that once reached users.
fn assert_plain(message: &str) {
    for internal in [
        "Option<",
        "Options",
        "Nodes {",
        "budget breached",
        "{ ",
        "found `found",
    ] {
        assert!(!message.contains(internal), "{internal:?} in {message}");
    }
    assert!(message.matches("found").count() <= 1, "{message}");
}

// --- Non-regular files -------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_device_is_read_up_to_the_limit_and_refused() {
    let start = Instant::now();
    let e = load_file(Path::new("/dev/zero")).expect_err("refused");
    assert!(e.message.contains("at most 4194304 bytes"), "{}", e.message);
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[cfg(unix)]
#[test]
fn a_fifo_without_a_writer_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("m.yaml");
    if !mkfifo(&fifo) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let named = fifo.clone();
    std::thread::spawn(move || {
        let _ = tx.send(load_file(&named).map(|_| ()).map_err(|e| e.message));
    });
    let outcome = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("reading a FIFO with no writer must not block");
    assert!(outcome.unwrap_err().contains("empty"));
    // Inside a folder, a FIFO is not even opened.
    let found = discover(&[dir.path().to_path_buf()]);
    assert!(found.files.is_empty() && found.errors.is_empty());
    assert_eq!(found.skipped[0].reason, SkipReason::NotRegularFile);
}

// --- Folder discovery --------------------------------------------------------------------

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn names(paths: &[PathBuf], root: &Path) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect()
}

#[test]
fn discovery_reads_kind_from_the_yaml_not_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "block.yaml", &manifest("a"));
    write(
        d,
        "flow.yaml",
        r#"{"apiVersion": "steward/v1", "kind": "AISystem", "metadata": {"name": "b"}, "spec": {"lifecycle": "pilot"}}"#,
    );
    write(
        d,
        "quoted-key.yml",
        &manifest("c").replace("kind:", "\"kind\":"),
    );
    write(
        d,
        "tagged.yaml",
        &manifest("d").replace("kind: AISystem", "kind: !!str AISystem"),
    );
    write(
        d,
        "later-document.yaml",
        &format!(
            "kind: Component\nmetadata: {{name: x}}\n---\n{}",
            manifest("e")
        ),
    );
    let embedded = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  manifest.yaml: |\n{}",
        manifest("z")
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    );
    write(d, "configmap.yaml", &embedded);
    write(d, "policy.yaml", "kind: AISystemPolicy\nspec: {}\n");
    write(d, "ci.yml", "on: push\njobs: {}\n");
    write(d, "notes.txt", "kind: AISystem\n");
    write(d, "broken.yaml", "a: [\n");
    write(d, ".hidden/x.yaml", &manifest("h"));
    let found = discover(&[d.to_path_buf()]);
    assert!(found.errors.is_empty());
    assert_eq!(
        names(&found.files, d),
        [
            "block.yaml",
            "flow.yaml",
            "later-document.yaml",
            "quoted-key.yml",
            "tagged.yaml"
        ]
    );
    let skipped: Vec<(String, String)> = found
        .skipped
        .iter()
        .map(|s| {
            (
                s.path.strip_prefix(d).unwrap().display().to_string(),
                s.reason.to_string(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    let reason = |n: &str| skipped.iter().find(|(p, _)| p == n).unwrap().1.clone();
    assert_eq!(
        reason("broken.yaml"),
        "not YAML at line 1, column 4: unclosed bracket '['"
    );
    assert!(reason("ci.yml").contains("no document with `kind: AISystem`"));
    assert!(reason("configmap.yaml").contains("found kind `ConfigMap`"));
    assert!(reason("policy.yaml").contains("`AISystemPolicy`"));
    // Every file found parses: discovery and the loader agree on what a manifest is.
    for f in &found.files {
        load_file(f).unwrap_or_else(|e| panic!("{}", e.one_line()));
    }
}

#[cfg(unix)]
#[test]
fn links_are_followed_and_loops_end() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let real = write(d, "real/a.yaml", &manifest("a"));
    std::fs::create_dir(d.join("tree")).unwrap();
    symlink(&real, d.join("tree/linked.yaml")).unwrap();
    symlink(d.join("tree"), d.join("tree/loop")).unwrap();
    symlink(d.join("missing.yaml"), d.join("tree/dangling.yaml")).unwrap();
    let found = discover(&[d.join("tree")]);
    assert_eq!(names(&found.files, d), ["tree/linked.yaml"]);
    assert!(
        found
            .skipped
            .iter()
            .any(|s| s.reason == SkipReason::FolderAlreadySearched),
        "{:?}",
        found.skipped
    );
    // A dangling link is reported against itself, and the search went on.
    assert_eq!(found.errors.len(), 1);
    assert!(found.errors[0].file.ends_with("tree/dangling.yaml"));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_error_against_it_and_the_rest_is_searched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.yaml", &manifest("a"));
    let locked = write(d, "b.yaml", &manifest("b"));
    write(d, "c.yaml", &manifest("c"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        eprintln!("running as root: permissions are not enforced; skipped");
        return;
    }
    let found = discover(&[d.to_path_buf()]);
    assert_eq!(names(&found.files, d), ["a.yaml", "c.yaml"]);
    assert_eq!(found.errors.len(), 1);
    assert!(
        found.errors[0].file.ends_with("b.yaml"),
        "{}",
        found.errors[0].file
    );
    assert!(found.errors[0].message.contains("cannot read the file"));
}

#[test]
fn the_same_file_twice_is_taken_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = write(d, "ex/a.yaml", &manifest("a"));
    let found = discover(&[a.clone(), a.clone(), d.join("ex"), d.join("ex/./")]);
    assert_eq!(found.files, std::slice::from_ref(&a));
    assert!(found.errors.is_empty());
    assert!(
        found
            .skipped
            .iter()
            .any(|s| matches!(&s.reason, SkipReason::Duplicate { of } if *of == a))
    );
}

#[test]
fn a_missing_path_is_an_error_naming_it_and_others_still_count() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.yaml", &manifest("a"));
    let found = discover(&[dir.path().join("nope\u{1b}[2J"), a.clone()]);
    assert_eq!(found.files, [a]);
    assert_eq!(found.errors.len(), 1);
    let e = &found.errors[0];
    assert!(e.file.contains("nope\\u{1b}[2J"), "{}", e.file);
}

#[test]
fn an_oversized_yaml_file_in_a_folder_is_reported_if_it_claims_to_be_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pad = format!("# {}\n", "x".repeat(1000)).repeat(4300);
    write(d, "big-manifest.yaml", &format!("{}{pad}", manifest("a")));
    write(d, "big-other.yaml", &format!("kind: Other\n{pad}"));
    let found = discover(&[d.to_path_buf()]);
    assert_eq!(names(&found.files, d), ["big-manifest.yaml"]);
    assert_eq!(found.skipped[0].reason, SkipReason::TooLarge);
    let e = load_file(&found.files[0]).unwrap_err();
    assert!(e.message.contains("at most 4194304 bytes"), "{}", e.message);
}

// --- Documents ---------------------------------------------------------------------------

#[test]
fn empty_documents_are_skipped() {
    for text in [
        format!("{}---\n", manifest("a")),
        format!("---\n{}---\n---\n", manifest("a")),
        format!(
            "{}---\n# nothing here\n---\n{}",
            manifest("a"),
            manifest("b")
        ),
        format!("{}...\n---\n", manifest("a")),
    ] {
        let systems = parse_manifests("m.yaml", text.as_bytes())
            .unwrap_or_else(|e| panic!("{}\n{text}", e.one_line()));
        assert_eq!(systems[0].manifest.metadata.name.as_str(), "a");
    }
    let e = err("---\n---\n# nothing\n");
    assert!(e.message.contains("the file is empty"), "{}", e.message);
}

// --- Values --------------------------------------------------------------------------------

fn with(extra: &str) -> String {
    format!("{}{extra}", manifest("a"))
}

#[test]
fn duplicate_metric_names_are_refused_at_the_second() {
    let e = err(&with(
        "  success_metrics:\n    - name: mttr\n    - name: other\n    - name: mttr\n",
    ));
    assert_eq!(e.position.map(|p| (p.line, p.column)), Some((10, 7)));
    assert!(
        e.message
            .contains("`mttr` is already used by spec.success_metrics[0] (line 8)"),
        "{}",
        e.message
    );
    let e = err(&with(
        "  sourcing:\n    options:\n      - name: vendor\n      - name: vendor\n",
    ));
    assert_eq!(e.position.map(|p| p.line), Some(10));
}

#[test]
fn money_and_horizons_are_bounded() {
    for (extra, line, words) in [
        ("  budget:\n    poc_cost: 1e300\n", 8, "at most 1e15"),
        (
            "  budget:\n    annual:\n      maintenance: {low: 1, likely: 2, high: 2e15}\n",
            9,
            "at most 1e15",
        ),
        ("  sourcing:\n    horizon_years: 0\n", 8, "from 1 to 100"),
        ("  sourcing:\n    horizon_years: 101\n", 8, "from 1 to 100"),
        (
            "  success_metrics:\n    - within_days: 4000000000\n",
            8,
            "from 1 to 36500",
        ),
        (
            "  sourcing:\n    options:\n      - months_to_value: .inf\n",
            9,
            "from 0 to 1200",
        ),
        (
            "  sourcing:\n    weights: {lock_in: 1e308}\n",
            8,
            "from 0 to 1000000",
        ),
    ] {
        let e = err(&with(extra));
        assert_eq!(
            e.position.map(|p| p.line),
            Some(line),
            "{extra}: {}",
            e.message
        );
        assert!(e.message.contains(words), "{extra}: {}", e.message);
    }
    assert!(parse_manifests("m.yaml", with("  budget:\n    poc_cost: 1e15\n").as_bytes()).is_ok());
}

// --- Messages ------------------------------------------------------------------------------

#[test]
fn errors_speak_plainly() {
    let cases = [
        // A null where text is required (once "use Option<String>").
        (
            "metadata:\n  name:\n",
            "expected text, found an empty value",
        ),
        // `!!binary` (once "set ignore_binary_tag_for_string in Options").
        (
            "metadata:\n  name: !!binary /w==\n",
            "a `!!binary` value cannot be used here",
        ),
        // A date's own message already says what it found (once "found ... found").
        (
            "metadata:\n  name: a\nspec:\n  lifecycle: pilot\n  milestones: {build_started: 2026-1-5}\n",
            "expected a date written YYYY-MM-DD, found `2026-1-5`",
        ),
    ];
    for (body, words) in cases {
        let text = format!("apiVersion: steward/v1\nkind: AISystem\n{body}");
        let text = if text.contains("spec:") {
            text
        } else {
            format!("{text}spec:\n  lifecycle: pilot\n")
        };
        let e = err(&text);
        assert!(e.message.contains(words), "{}", e.message);
        assert_plain(&e.message);
        assert!(e.position.is_some(), "{}", e.message);
    }
}

#[test]
fn long_values_are_clipped_in_errors() {
    let long = "x".repeat(20 * 1024 * 1024 / 8);
    for body in [
        format!("metadata:\n  name: {long}\nspec: {{lifecycle: pilot}}\n"),
        format!("metadata: {{name: a}}\nspec: {{lifecycle: {long}}}\n"),
        format!(
            "metadata: {{name: a}}\nspec: {{lifecycle: pilot, milestones: {{build_started: {long}}}}}\n"
        ),
        format!(
            "metadata: {{name: a}}\nspec: {{lifecycle: pilot, scope: {{users: \"{long}\"}}}}\n"
        ),
        format!(
            "metadata: {{name: a}}\nspec: {{lifecycle: pilot, budget: {{poc_cost: \"{long}\"}}}}\n"
        ),
    ] {
        let e = err(&format!("apiVersion: steward/v1\nkind: AISystem\n{body}"));
        assert!(
            e.message.len() < 1_000,
            "{} bytes: {}…",
            e.message.len(),
            &e.message[..200]
        );
        assert_plain(&e.message);
    }
}

/// Rendering (the snippet's control pictures, cut lines) is the command line's; here the
/// error's own words are checked: what it quotes has its control characters made visible,
/// and its text and span stay what the renderer can show.
#[test]
fn control_characters_never_reach_an_error_message() {
    let text = "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  # \u{1b}[2J\u{9b}1m\r\n  name: a\nspec: {lifecycle: pilot}\n";
    let e = parse_manifests("in\u{1b}[31mred.yaml", text.as_bytes()).unwrap_err();
    assert_eq!(&*e.file, "in\\u{1b}[31mred.yaml");
    assert!(!e.one_line().contains('\u{1b}'), "{}", e.one_line());
    // ESC through YAML's `\e` escape, quoted in the message.
    let text = "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: \"a\\e[2Jb\"\nspec: {lifecycle: pilot}\n";
    let e = parse_manifests("m.yaml", text.as_bytes()).unwrap_err();
    assert!(e.message.contains("a\\u{1b}[2Jb"), "{}", e.message);
}

#[test]
fn an_error_far_along_a_long_line_is_located_there() {
    let text = format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata: {{name: a}}\nspec: {{lifecycle: pilot, scope: {{in_scope: [{}{{}}]}}}}\n",
        "x, ".repeat(40_000)
    );
    let e = err(&text);
    assert_eq!(e.position.map(|p| p.line), Some(4));
    assert!(e.position.is_some_and(|p| p.column > 100_000));
    let (start, len) = e.span().unwrap();
    let quoted = &e.text.as_deref().unwrap()[start..start + len];
    assert_eq!(quoted, "{");
}

// --- Discovery agrees with the loader ----------------------------------------------------

#[test]
fn a_kind_through_an_alias_or_a_merge_key_is_found_and_other_kinds_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "alias.yaml",
            "apiVersion: steward/v1\nmetadata:\n  name: a\n  title: &k AISystem\nkind: *k\nspec:\n  lifecycle: pilot\n",
        ),
        (
            "merge.yaml",
            "apiVersion: steward/v1\n<<: {kind: AISystem}\nmetadata:\n  name: b\nspec:\n  lifecycle: pilot\n",
        ),
        (
            "merge-alias.yaml",
            "apiVersion: steward/v1\nmetadata:\n  name: c\n  annotations: &base {kind: AISystem}\n<<: *base\nspec:\n  lifecycle: pilot\n",
        ),
        (
            "merge-list.yaml",
            "apiVersion: steward/v1\nmetadata:\n  name: d\n  annotations: &base {kind: AISystem}\n<<: [*base]\nspec:\n  lifecycle: pilot\n",
        ),
    ];
    for (name, text) in cases {
        write(dir.path(), name, text);
        // The loader reads each as a system ...
        let f = load_file(&dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(f.systems.len(), 1, "{name}");
    }
    // ... and so discovery takes each.
    let found = discover(&[dir.path().to_path_buf()]);
    assert_eq!(found.files.len(), cases.len(), "{:?}", found.skipped);
    // A document of another kind reached through an alias is left alone by both.
    let mixed = format!("x: &c Component\nkind: *c\n---\n{}", manifest("m"));
    let systems = parse_manifests("mixed.yaml", mixed.as_bytes()).unwrap();
    assert_eq!(systems.len(), 1);
}

#[test]
fn two_merge_keys_in_one_mapping_are_refused() {
    let e = err(&format!("{}<<: {{a: 1}}\n<<: {{b: 2}}\n", manifest("a")));
    assert!(e.message.contains("duplicate merge key"), "{}", e.message);
    assert_eq!(e.position.map(|p| p.line), Some(8));
}

#[test]
fn utf16_and_utf32_are_named_not_called_binary() {
    let text = manifest("windows");
    let mut le = vec![0xFF, 0xFE];
    let mut be_no_bom = Vec::new();
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be_no_bom.extend_from_slice(&u.to_be_bytes());
    }
    let mut utf32 = vec![0, 0, 0xFE, 0xFF];
    for c in text.chars() {
        utf32.extend_from_slice(&(c as u32).to_be_bytes());
    }
    for (bytes, name) in [(&le, "UTF-16"), (&be_no_bom, "UTF-16"), (&utf32, "UTF-32")] {
        let e = parse_manifests("w.yaml", bytes).unwrap_err();
        assert!(e.message.contains(name), "{}", e.message);
        assert!(e.message.contains("save it as UTF-8"), "{}", e.message);
        assert!(!e.message.contains("binary"), "{}", e.message);
    }
    // In a folder: reported against its file, not skipped; another kind is left out.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("w.yaml"), &le).unwrap();
    let mut other = vec![0xFF, 0xFE];
    for u in "kind: Component\n".encode_utf16() {
        other.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(dir.path().join("c.yaml"), &other).unwrap();
    // Bytes that are no text at all cannot be decided: an error, never a silent skip.
    std::fs::write(
        dir.path().join("png.yaml"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x01",
    )
    .unwrap();
    let found = discover(&[dir.path().to_path_buf()]);
    assert_eq!(names(&found.files, dir.path()), ["w.yaml"]);
    assert_eq!(found.skipped.len(), 1, "{:?}", found.skipped);
    assert!(found.skipped[0].to_string().contains("UTF-16"));
    assert_eq!(found.errors.len(), 1);
    assert!(found.errors[0].one_line().contains("png.yaml"));
    assert!(
        found.errors[0]
            .message
            .contains("cannot tell whether this is a manifest")
    );
}

#[test]
fn a_folder_too_deep_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut deep = dir.path().to_path_buf();
    for _ in 0..70 {
        deep.push("d");
    }
    write(&deep, "deep.yaml", &manifest("deep"));
    let found = discover(&[dir.path().to_path_buf()]);
    assert!(found.files.is_empty());
    assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
    let e = found.errors[0].one_line();
    assert!(e.contains("more than 64 levels"), "{e}");
    assert!(e.contains("/d/d/d"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_hard_link_is_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.yaml", &manifest("a"));
    let b = dir.path().join("b.yaml");
    std::fs::hard_link(&a, &b).unwrap();
    let found = discover(&[a.clone(), b.clone()]);
    assert_eq!(found.files, std::slice::from_ref(&a));
    assert!(matches!(&found.skipped[0].reason, SkipReason::Duplicate { of } if *of == a));
    let found = discover(&[dir.path().to_path_buf()]);
    assert_eq!(names(&found.files, dir.path()), ["a.yaml"]);
}

// --- Line breaks ---------------------------------------------------------------------------

#[test]
fn lone_carriage_returns_are_line_breaks() {
    let multi = "kind: Component\rmetadata: {name: c}\r---\rapiVersion: steward/v1\rkind: AISystem\rmetadata:\r  name: crsys\rspec:\r  lifecycle: pilot\r";
    let systems = parse_manifests("cr.yaml", multi.as_bytes()).unwrap();
    assert_eq!(systems.len(), 1);
    assert_eq!(
        systems[0].map.get("spec.lifecycle").map(|p| p.line),
        Some(9)
    );
    // Mixed breaks count as the parser counts them.
    let mixed = "apiVersion: steward/v1\r\nkind: AISystem\rmetadata:\n  name: a\r\nspec:\r  lifecycle: pilot\r  bad: 1\n";
    let e = err(mixed);
    assert_eq!(
        e.position.map(|p| (p.line, p.column)),
        Some((7, 3)),
        "{}",
        e.message
    );
}

// --- Text values -----------------------------------------------------------------------------

#[test]
fn long_text_values_are_refused_at_their_key_with_their_length() {
    let cases = [
        (
            "  owner: {ref: LONG}\n",
            300,
            "`spec.owner.ref` is 300 characters long",
            7,
        ),
        (
            "  budget: {currency: LONG}\n",
            65,
            "`spec.budget.currency` is 65 characters long",
            7,
        ),
        (
            "  fallback:\n    plan: LONG\n",
            5000,
            "`spec.fallback.plan` is 5000 characters long",
            8,
        ),
        (
            "  scope:\n    team: [a, LONG]\n",
            257,
            "`spec.scope.team[1]` is 257 characters long",
            8,
        ),
    ];
    for (extra, n, message, line) in cases {
        let e = err(&format!(
            "{}{}",
            manifest("a"),
            extra.replace("LONG", &"é".repeat(n))
        ));
        assert!(e.message.contains(message), "{}", e.message);
        assert_eq!(e.position.map(|p| p.line), Some(line), "{}", e.message);
    }
    // At the bound is fine.
    let ok = format!("{}  owner: {{ref: {}}}\n", manifest("a"), "r".repeat(256));
    assert!(parse_manifests("m.yaml", ok.as_bytes()).is_ok());
}

#[test]
fn year_zero_is_not_a_date() {
    let e = err(&format!(
        "{}  milestones: {{build_started: 0000-06-01}}\n",
        manifest("a")
    ));
    assert!(e.message.contains("0001 to 9999"), "{}", e.message);
    assert_eq!(e.position.map(|p| p.line), Some(7));
}

// --- Messages --------------------------------------------------------------------------------

#[test]
fn a_value_of_the_wrong_shape_is_explained_by_its_key() {
    let cases = [
        (
            "  budget: [USD, 100]\n",
            "`spec.budget` is a mapping with the keys",
            "found a list",
        ),
        (
            "  owner: []\n",
            "`spec.owner` is a mapping with the keys",
            "found a list",
        ),
        (
            "  owner:\n    authority: roll-back\n",
            "`spec.owner.authority` is a list of values from change-prompts",
            "found `roll-back`",
        ),
        (
            "  success_metrics:\n    - aggregate: [mean]\n",
            "`spec.success_metrics[0].aggregate` is one of mean, median",
            "found a list",
        ),
        (
            "  scope:\n    in_scope:\n      a: b\n",
            "`spec.scope.in_scope` is a list of text",
            "found a mapping",
        ),
    ];
    for (extra, message, found) in cases {
        let e = err(&format!("{}{}", manifest("a"), extra));
        assert!(e.message.contains(message), "{extra}: {}", e.message);
        assert!(e.message.contains(found), "{extra}: {}", e.message);
        assert!(
            !e.message.contains("a manifest has apiVersion"),
            "{}",
            e.message
        );
        assert_plain(&e.message);
    }
    // The top level keeps its own explanation.
    let e = err("- a\n- b\n");
    assert!(
        e.message.contains("a manifest has apiVersion"),
        "{}",
        e.message
    );
}

#[test]
fn a_clipped_value_says_its_real_length() {
    let e = err(&format!(
        "{}  scope: {{users: {}}}\n",
        manifest("a"),
        "9".repeat(100_000)
    ));
    assert!(e.message.contains("(100000 bytes in all)"), "{}", e.message);
}
