//! Every data reader under a memory cap: crafted inputs (very wide files, files that claim
//! huge lengths, damaged files) run through the real binary with its address space limited
//! by `prlimit`. A run must end in an exit code Steward chose (0, 1, or 2 naming the file),
//! never in a signal (an allocation failure aborts) or a panic (101).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A normal run (the example data, a 10,000-column file) stays under 200 MB of address space
/// with two malloc arenas; 1 GiB leaves room for slower machines and more cores, and is far
/// below what any of the inputs below would take if a claimed length were trusted.
const CAP_BYTES: u64 = 1 << 30;

fn prlimit_available() -> bool {
    Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn capped(args: &[&str]) -> Output {
    Command::new("prlimit")
        .arg(format!("--as={CAP_BYTES}"))
        .arg(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        // glibc reserves 64 MiB of address space per thread arena; bound the count so the
        // cap measures Steward's memory, not the machine's core count.
        .env("MALLOC_ARENA_MAX", "2")
        .env("NO_COLOR", "1")
        .output()
        .expect("prlimit runs")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs drift (the file against itself and against a valid file) and profile on `path`, and
/// checks how each ended. `damaged`: the run must fail with exit 2, naming the file.
fn survives(path: &Path, damaged: bool) {
    let p = path.to_str().unwrap();
    let valid = data("small-current.jsonl");
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "drift",
            "--reference",
            p,
            "--current",
            p,
            "--quiet",
            "--format",
            "json",
        ],
        vec![
            "drift",
            "--reference",
            valid.to_str().unwrap(),
            "--current",
            p,
            "--quiet",
            "--format",
            "json",
        ],
        vec!["profile", p],
    ];
    for args in runs {
        let out = capped(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        assert!(
            code.is_some(),
            "{args:?}: killed by a signal under a {CAP_BYTES}-byte cap; stderr: {}",
            stderr.chars().take(500).collect::<String>()
        );
        let code = code.unwrap();
        assert!(
            matches!(code, 0..=2),
            "{args:?}: exit {code}; stderr: {}",
            stderr.chars().take(500).collect::<String>()
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        if damaged {
            assert_eq!(
                code, 2,
                "{args:?}: a damaged file must fail; stderr: {stderr}"
            );
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(
                stderr.contains(name),
                "{args:?}: stderr does not name {name}: {stderr}"
            );
            assert!(
                stderr.len() < 4_000,
                "{args:?}: {} bytes of stderr",
                stderr.len()
            );
        }
    }
}

fn wide_csv(columns: usize, rows: usize) -> String {
    let mut text: Vec<String> = vec![
        (0..columns)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(","),
    ];
    for r in 0..rows {
        text.push(
            (0..columns)
                .map(|i| ((r * 7 + i) % 10).to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    text.join("\n") + "\n"
}

fn wide_jsonl(columns: usize, rows: usize) -> String {
    let mut text = String::new();
    for r in 0..rows {
        let fields: Vec<String> = (0..columns)
            .map(|i| format!("\"c{i}\": {}", (r * 7 + i) % 10))
            .collect();
        text.push_str(&format!("{{{}}}\n", fields.join(", ")));
    }
    text
}

/// The Arrow fixture with every record batch block in its footer claiming a 2^50-byte body.
fn arrow_claiming_a_huge_body() -> Vec<u8> {
    let mut bytes = std::fs::read(data("small-current.arrow")).unwrap();
    let n = bytes.len();
    let footer = i32::from_le_bytes(bytes[n - 10..n - 6].try_into().unwrap()) as usize;
    let (start, data_end) = (n - 10 - footer, (n - 10 - footer) as i64);
    let mut changed = 0;
    // A footer block is 24 bytes: offset (i64), metadata length (i32), padding, body (i64).
    for at in start..n - 10 - 24 {
        let w = &bytes[at..at + 24];
        let offset = i64::from_le_bytes(w[0..8].try_into().unwrap());
        let meta = i32::from_le_bytes(w[8..12].try_into().unwrap()) as i64;
        let pad = i32::from_le_bytes(w[12..16].try_into().unwrap());
        let body = i64::from_le_bytes(w[16..24].try_into().unwrap());
        if offset >= 8
            && meta > 0
            && pad == 0
            && body > 0
            && offset.saturating_add(meta).saturating_add(body) <= data_end
        {
            bytes[at + 16..at + 24].copy_from_slice(&(1i64 << 50).to_le_bytes());
            changed += 1;
        }
    }
    assert!(
        changed > 0,
        "no record batch block found in the fixture's footer"
    );
    bytes
}

#[test]
fn readers_stay_within_a_memory_cap() {
    if !prlimit_available() {
        eprintln!("prlimit (util-linux) is not installed: the memory cap test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };

    // Fine: wide files read in batches sized by cells (these took 1-20 GB when a batch was
    // 65,536 rows whatever the width).
    survives(
        &write("wide-2000x10.csv", wide_csv(2_000, 10).as_bytes()),
        false,
    );
    survives(
        &write("wide-10000x200.csv", wide_csv(10_000, 200).as_bytes()),
        false,
    );
    survives(
        &write("wide-3000x20.jsonl", wide_jsonl(3_000, 20).as_bytes()),
        false,
    );

    // Damaged: lengths claimed beyond the file, cut files, foreign bytes.
    survives(
        &write("huge-body.arrow", &arrow_claiming_a_huge_body()),
        true,
    );
    survives(&write("eight.arrow", b"ARROW1\0\0"), true);
    survives(&write("table.arrow", wide_csv(3, 3).as_bytes()), true);
    let parquet = std::fs::read(data("small.parquet")).unwrap();
    survives(&write("cut.parquet", &parquet[..parquet.len() / 2]), true);
    let mut footer = parquet.clone();
    let n = footer.len();
    footer[n - 8..n - 4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    survives(&write("footer.parquet", &footer), true);
    let mut array = String::from("[");
    for i in 0..50_000 {
        array.push_str(&format!("{{\"x\": {i}}},"));
    }
    array.pop();
    array.push(']');
    survives(&write("array.json", array.as_bytes()), true);
}

/// Flipped bytes across a Parquet and an Arrow file: each run ends in 0, 1 or 2, never a
/// signal or a panic, under the cap.
#[test]
fn damaged_binary_files_fail_cleanly_under_a_memory_cap() {
    if !prlimit_available() {
        eprintln!("prlimit (util-linux) is not installed: the memory cap test is skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for fixture in ["small.parquet", "small-current.arrow"] {
        let base = std::fs::read(data(fixture)).unwrap();
        // Positions spread over the file, the footer included; a fixed stride keeps the run
        // short and reproducible.
        for (k, at) in (0..base.len()).step_by(base.len() / 12).enumerate() {
            let mut bytes = base.clone();
            bytes[at] ^= 0x5a;
            let name = format!("flip-{k}-{fixture}");
            let path = dir.path().join(&name);
            std::fs::write(&path, &bytes).unwrap();
            let p = path.to_str().unwrap();
            let out = capped(&["profile", p]);
            let code = out.status.code();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                matches!(code, Some(0..=2)),
                "{name} (byte {at} flipped): {code:?}; {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        }
    }
}
