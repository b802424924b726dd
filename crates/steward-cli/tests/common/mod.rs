//! What the hostile-input tests share: the real binary with a clean environment, a run that
//! can never hang the suite (every child has a deadline and is killed past it), and the
//! checks every such run makes (no panic, no signal).
//!
//! Each test file uses only part of this module.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const TODAY: &str = "2026-11-25";
pub const DEADLINE: Duration = Duration::from_secs(60);
pub const PAYMENTS: &str = "examples/payments-code-review.yaml";

/// The repository's root: tests run the binary from there, as a user of the README would.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `steward ARGS`, from the root, without colours, without a terminal on stdin and without
/// whatever the developer's environment sets.
pub fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_steward"));
    c.args(args)
        .current_dir(root())
        .env_remove("STEWARD_TODAY")
        .env_remove("STEWARD_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// Waits for `child` at most `deadline`; `None` (after killing it) when it is still running.
/// Output is read on threads so a full pipe cannot stall the child either.
pub fn finish_within(mut child: Child, deadline: Duration) -> Option<Output> {
    let readers: Vec<Option<std::thread::JoinHandle<Vec<u8>>>> = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .map(|pipe| {
        pipe.map(|mut p| {
            std::thread::spawn(move || {
                let mut v = Vec::new();
                let _ = p.read_to_end(&mut v);
                v
            })
        })
    })
    .collect();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = readers
        .into_iter()
        .map(|h| h.map(|h| h.join().unwrap_or_default()).unwrap_or_default());
    Some(Output {
        status,
        stdout: out.next().unwrap_or_default(),
        stderr: out.next().unwrap_or_default(),
    })
}

/// [`finish_within`] the standard deadline; a hang fails the test, since a hang is the bug.
pub fn finish(child: Child, what: &str) -> Output {
    finish_within(child, DEADLINE)
        .unwrap_or_else(|| panic!("{what}: still running after {DEADLINE:?}"))
}

/// Runs a prepared command with piped output under the standard deadline.
pub fn spawn(mut c: Command, what: &str) -> Output {
    let child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the steward binary runs");
    finish(child, what)
}

pub fn run(args: &[&str]) -> Output {
    spawn(command(args), &format!("{args:?}"))
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Neither a panic (exit 101, "panicked") nor death by a signal (an abort, the memory cap).
pub fn no_panic(o: &Output, what: &str) {
    let err = text(&o.stderr);
    assert_ne!(o.status.code(), Some(101), "{what}: panicked: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(
        o.status.code().is_some(),
        "{what}: killed by a signal: {err}"
    );
}

pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub fn prlimit_available() -> bool {
    Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The arguments of `steward drift` as JSON, quiet, with `extra` after them.
pub fn drift_json_args<'a>(
    reference: &'a Path,
    current: &'a Path,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "drift",
        "--reference",
        s(reference),
        "--current",
        s(current),
        "--format",
        "json",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    args
}
