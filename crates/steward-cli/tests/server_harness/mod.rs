//! Starting the real `steward serve`, making tokens with `steward token`, and speaking HTTP
//! to it, for the server's integration tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_steward");

pub fn repo_path(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(p)
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `STEWARD_TEST_POSTGRES_URL` names a server.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if std::env::var("STEWARD_TEST_POSTGRES_URL").is_ok() {
        b.push(Backend::Postgres);
    }
    b
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Backend {
    /// A database URL no other test uses.
    pub fn fresh_database(self) -> String {
        match self {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("steward-serve-{}", random_suffix()));
                std::fs::create_dir_all(&dir).unwrap();
                format!("sqlite://{}/steward.db", dir.display())
            }
            Backend::Postgres => {
                let url = std::env::var("STEWARD_TEST_POSTGRES_URL").unwrap();
                let name = format!("steward_test_{}", random_suffix());
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    use sqlx::Executor;
                    sqlx::any::install_default_drivers();
                    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
                    pool.execute(format!("CREATE DATABASE {name}").as_str())
                        .await
                        .unwrap();
                    pool.close().await;
                });
                let base = url.rsplit_once('/').unwrap().0;
                format!("{base}/{name}")
            }
        }
    }
}

/// `steward token create`: the token, which is all it prints.
pub fn token(db: &str, name: &str, scope: &str) -> String {
    let out = Command::new(BIN)
        .args([
            "token",
            "create",
            "--database",
            db,
            "--name",
            name,
            "--scope",
            scope,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "only the token on stdout: {text:?}"
    );
    text.trim().to_string()
}

pub fn revoke(db: &str, name: &str) {
    let out = Command::new(BIN)
        .args(["token", "revoke", "--database", db, name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `steward serve` on a free loopback port and waits until it listens.
    pub fn start(db: &str, extra: &[&str]) -> Server {
        Server::start_with_env(db, extra, &[])
    }

    /// [`Server::start`] with environment variables (a clock offset, say).
    pub fn start_with_env(db: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--database", db])
            .args(extra)
            .env("STEWARD_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(i) = line.find("listening on http://") {
                    let addr = line[i + "listening on http://".len()..]
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .to_string();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(addr);
                    }
                }
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start: {}", log.lock().unwrap());
            }
        };
        Server {
            child,
            base: format!("http://{addr}"),
            log,
        }
    }

    /// SIGTERM, and the exit status must be 0 (requests in flight finished).
    pub fn stop_gracefully(mut self) {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "exit {status:?}: {}",
                    self.log.lock().unwrap()
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub text: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

pub struct Client {
    base: String,
    http: reqwest::blocking::Client,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
        }
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: &str,
        content_type: &str,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            rb = rb.bearer_auth(token);
        }
        if !content_type.is_empty() {
            rb = rb.header("content-type", content_type);
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if !body.is_empty() {
            rb = rb.body(body.to_vec());
        }
        Self::finish(rb)
    }

    fn finish(rb: reqwest::blocking::RequestBuilder) -> Reply {
        let r = rb.send().unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().unwrap_or_default();
        Reply {
            status,
            text,
            headers,
        }
    }

    pub fn get(&self, path: &str, token: &str) -> Reply {
        self.request("GET", path, token, "", b"", &[])
    }

    pub fn delete(&self, path: &str, token: &str) -> Reply {
        self.request("DELETE", path, token, "", b"", &[])
    }

    pub fn put(&self, path: &str, token: &str, ct: &str, body: &[u8]) -> Reply {
        self.request("PUT", path, token, ct, body, &[])
    }

    pub fn post(&self, path: &str, token: &str, ct: &str, body: &[u8]) -> Reply {
        self.request("POST", path, token, ct, body, &[])
    }

    pub fn post_with(
        &self,
        path: &str,
        token: &str,
        ct: &str,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Reply {
        self.request("POST", path, token, ct, body, headers)
    }

    /// A body sent without a Content-Length (chunked), so only counting can refuse it.
    pub fn post_chunked(&self, path: &str, token: &str, ct: &str, body: &[u8]) -> Reply {
        let reader = std::io::Cursor::new(body.to_vec());
        let rb = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", ct)
            .body(reqwest::blocking::Body::new(reader));
        Self::finish(rb)
    }
}

/// A CSV of `rows` rows: two numeric columns (one shifted by `shift` standard deviations)
/// and a category, from a seeded generator, so every run sends the same bytes.
pub fn numeric_csv(rows: usize, shift: f64, seed: u64) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let mut out = String::from("amount,latency,vendor\n");
    for _ in 0..rows {
        // Box-Muller: a normal value from two uniforms.
        let (u1, u2) = (next().max(1e-12), next());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        let amount = 100.0 + 15.0 * (z + shift);
        let latency = 1.0 + next() * 4.0;
        let vendor = ["acme", "globex", "initech", "umbrella"][(next() * 4.0) as usize % 4];
        out.push_str(&format!("{amount:.3},{latency:.4},{vendor}\n"));
    }
    out
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `steward drift` of the reference's profile against the merged profile of the batches,
/// as a user would compute it with the CLI.
pub fn cli_drift_of_merged(reference: &str, batches: &[String]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let r = write("reference.csv", reference);
    let rp = dir.path().join("reference.json").display().to_string();
    run(&["profile", &r, "-o", &rp]);
    let mut parts = Vec::new();
    for (i, b) in batches.iter().enumerate() {
        let p = write(&format!("b{i}.csv"), b);
        let pp = dir.path().join(format!("b{i}.json")).display().to_string();
        run(&["profile", &p, "-o", &pp]);
        parts.push(pp);
    }
    let merged = dir.path().join("merged.json").display().to_string();
    let mut args = vec!["profile", "merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["-o", merged.as_str()]);
    run(&args);
    let out = run(&[
        "drift",
        "--reference",
        &rp,
        "--current",
        &merged,
        "--format",
        "json",
    ]);
    serde_json::from_slice(&out).unwrap()
}

/// `steward metric --format json` for one metric, judged today.
pub fn cli_metric(manifest: &str, observations: &str, metric: &str) -> Value {
    let today = chrono::Utc::now().date_naive().to_string();
    let m = repo_path(manifest).display().to_string();
    let o = repo_path(observations).display().to_string();
    let out = run(&[
        "metric",
        &m,
        "--observations",
        &o,
        "--metric",
        metric,
        "--today",
        &today,
        "--format",
        "json",
    ]);
    serde_json::from_slice(&out).unwrap()
}
